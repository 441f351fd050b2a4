// The alignment, returns and benchmark fit shared by stock.event_study and stock.event_panel.
#include "market_model.hpp"

#include <impact/sdk/date.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace impact::stock::detail {

void check_series(const DatedCloses& s) {
    if (s.dates.size() != s.closes.size())
        throw sdk::InputError(s.key, s.key + " has " + std::to_string(s.dates.size()) + " dates but " +
                                      std::to_string(s.closes.size()) + " values");
    for (std::size_t i = 1; i < s.dates.size(); ++i)
        if (s.dates[i] <= s.dates[i - 1])
            throw sdk::InputError(s.key, s.key + " dates must be strictly increasing, but " + sdk::Date{s.dates[i]}.iso() +
                                          " follows " + sdk::Date{s.dates[i - 1]}.iso() + " at position " +
                                          std::to_string(i));
}

void check_window_parameters(int estimation_days, int gap_days, int window_start, int window_end) {
    if (estimation_days < min_estimation_days || estimation_days > max_trading_days)
        throw sdk::InputError("estimation_days", "estimation_days must be a whole number from " +
                                                  std::to_string(min_estimation_days) + " to " +
                                                  std::to_string(max_trading_days) + ", got " +
                                                  std::to_string(estimation_days));
    if (gap_days < 0 || gap_days > max_trading_days)
        throw sdk::InputError("gap_days", "gap_days must be a whole number from 0 to " +
                                           std::to_string(max_trading_days) + ", got " + std::to_string(gap_days));
    if (std::abs(window_start) > max_trading_days)
        throw sdk::InputError("window_start", "window_start must lie within +-" + std::to_string(max_trading_days));
    if (std::abs(window_end) > max_trading_days)
        throw sdk::InputError("window_end", "window_end must lie within +-" + std::to_string(max_trading_days));
    if (window_end < window_start)
        throw sdk::InputError("window_end", "the event window [" + std::to_string(window_start) + ", " +
                                             std::to_string(window_end) + "] ends before it starts");
    // The estimation window ends on day -(G+1); an event window reaching into it would
    // both estimate and test the same returns.
    if (window_start < -gap_days)
        throw sdk::InputError("window_start", "the event window starts on day " + std::to_string(window_start) +
                                               ", inside the estimation window, which ends on day " +
                                               std::to_string(-gap_days - 1) +
                                               "; start it on day -gap_days or later, or widen gap_days");
}

Aligned align(const DatedCloses& stock, const DatedCloses& market) {
    Aligned out;
    // Most dates are common: reserving the shorter length saves the regrowth on long histories.
    const std::size_t common_max = std::min(stock.dates.size(), market.dates.size());
    out.dates.reserve(common_max);
    out.stock.reserve(common_max);
    out.market.reserve(common_max);
    std::size_t i = 0, j = 0;
    while (i < stock.dates.size() || j < market.dates.size()) {
        if (j == market.dates.size() || (i < stock.dates.size() && stock.dates[i] < market.dates[j])) {
            out.unmatched.push_back({stock.dates[i++], stock.key});
        } else if (i == stock.dates.size() || market.dates[j] < stock.dates[i]) {
            out.unmatched.push_back({market.dates[j++], market.key});
        } else {
            out.dates.push_back(stock.dates[i]);
            out.stock.push_back(stock.closes[i++]);
            out.market.push_back(market.closes[j++]);
        }
    }
    return out;
}

double period_return(double close_before, double close_after, ReturnType type) {
    return type == ReturnType::simple ? close_after / close_before - 1.0 : std::log(close_after / close_before);
}

BenchmarkFit fit_benchmark(std::span<const double> x, std::span<const double> y, Method method,
                           const std::string& market_key, int32_t first_days, int32_t last_days,
                           std::string_view context) {
    const int L = static_cast<int>(x.size());
    // Built only on failure: the panel fits hundreds of firms.
    const auto window = [&] { return "(" + sdk::Date{first_days}.iso() + ".." + sdk::Date{last_days}.iso() + ")"; };
    BenchmarkFit r;
    // Two-pass moments: the means first, then sums of centred products, which keeps the
    // digits that the one-pass n*Sxy - Sx*Sy form cancels.
    double mean_x = 0.0, mean_y = 0.0;
    for (int k = 0; k < L; ++k) {
        mean_x += x[k];
        mean_y += y[k];
    }
    mean_x /= L;
    mean_y /= L;
    r.market_mean = mean_x;

    switch (method) {
        case Method::market_model: {
            double sxx = 0.0, sxy = 0.0;
            for (int k = 0; k < L; ++k) {
                sxx += (x[k] - mean_x) * (x[k] - mean_x);
                sxy += (x[k] - mean_x) * (y[k] - mean_y);
            }
            if (!(sxx > 0.0))
                throw sdk::InputError(market_key, std::string(context) +
                                                      "the market returns do not vary over the estimation window " +
                                                      window() + ", so beta cannot be estimated");
            r.beta = sxy / sxx;
            r.alpha = mean_y - r.beta * mean_x;
            r.degrees_of_freedom = L - 2;
            r.market_sum_squares = sxx;
            break;
        }
        case Method::constant_mean:
            r.alpha = mean_y;
            r.beta = 0.0;
            r.degrees_of_freedom = L - 1;
            break;
        case Method::market_adjusted:
            r.alpha = 0.0;
            r.beta = 1.0;
            // The sample variance of the estimation-window ARs (Brown and Warner 1985): their
            // mean is estimated, so one degree of freedom goes.
            r.degrees_of_freedom = L - 1;
            break;
    }

    double sum_squares = 0.0;
    if (method == Method::market_adjusted) {
        double mean_ar = 0.0;
        for (int k = 0; k < L; ++k) mean_ar += abnormal_return(r, y[k], x[k]);
        mean_ar /= L;
        for (int k = 0; k < L; ++k) sum_squares += std::pow(abnormal_return(r, y[k], x[k]) - mean_ar, 2);
    } else {
        // Residuals of the fit; for constant_mean these are the deviations from the mean.
        for (int k = 0; k < L; ++k) sum_squares += std::pow(abnormal_return(r, y[k], x[k]), 2);
    }
    r.sigma = std::sqrt(sum_squares / r.degrees_of_freedom);
    if (!(r.sigma > 0.0))
        throw std::domain_error(std::string(context) + "the abnormal returns have zero variance over the estimation window " +
                                window() + ", so no t-statistic exists");
    return r;
}

}  // namespace impact::stock::detail
