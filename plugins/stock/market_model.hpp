// Internal to the stock models: the alignment, returns and benchmark fit stock.event_study and stock.event_panel share.
#ifndef IMPACT_PLUGINS_STOCK_MARKET_MODEL_HPP
#define IMPACT_PLUGINS_STOCK_MARKET_MODEL_HPP

// Both models call these very functions, in the same order on the same numbers, so that a panel of
// one firm reproduces stock.event_study bit for bit. Not part of any plugin's interface.

#include "event_study.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace impact::stock::detail {

// Throws sdk::InputError(series.key) unless dates and closes have one size and the dates strictly increase.
void check_series(const DatedCloses& series);

// Throws sdk::InputError naming the parameter unless L, G, a and b are in range and a >= -G.
void check_window_parameters(int estimation_days, int gap_days, int window_start, int window_end);

// The two series on their common dates, plus every date only one of them has.
struct Aligned {
    std::vector<int32_t> dates;
    std::vector<double> stock;
    std::vector<double> market;
    std::vector<DroppedDate> unmatched;  // oldest first
};

Aligned align(const DatedCloses& stock, const DatedCloses& market);

// The return from close_before to close_after.
double period_return(double close_before, double close_after, ReturnType type);

// The benchmark fitted on the estimation window.
struct BenchmarkFit {
    double alpha = 0.0;
    double beta = 0.0;
    double sigma = 0.0;           // residual sd, degrees_of_freedom in the divisor
    int degrees_of_freedom = 0;
    double market_mean = 0.0;     // mean market return over the window (every method)
    double market_sum_squares = 0.0;  // sum of squared deviations of the market return (market_model only)
};

// Fits `method` on the market returns x and stock returns y of one estimation window (equal sizes,
// L >= 3). `context` prefixes the messages ("" for stock.event_study). Throws sdk::InputError(market_key)
// when the market return is constant (market_model) and std::domain_error on zero residual variance.
BenchmarkFit fit_benchmark(std::span<const double> x, std::span<const double> y, Method method,
                           const std::string& market_key, int32_t first_days, int32_t last_days,
                           std::string_view context);

// AR = R - alpha - beta R_m, written once so both models round alike.
inline double abnormal_return(const BenchmarkFit& fit, double stock_return, double market_return) {
    return stock_return - fit.alpha - fit.beta * market_return;
}

}  // namespace impact::stock::detail

#endif  // IMPACT_PLUGINS_STOCK_MARKET_MODEL_HPP
