// Single-firm, single-event study by the market model (MacKinlay 1997): AR, CAR and t-tests.
#ifndef IMPACT_PLUGINS_STOCK_EVENT_STUDY_HPP
#define IMPACT_PLUGINS_STOCK_EVENT_STUDY_HPP

// Pure logic; of the SDK only its header-only errors and dates. run_event_study() is a pure function of its arguments (it
// keeps no state and touches no QuantLib singleton), so it is safe from any thread.
// plugins/stock/README.md states every convention used here.

#include <impact/sdk/errors.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace impact::stock {

enum class ReturnType { simple, log };
enum class Method { market_model, market_adjusted, constant_mean };

// Exact lower-case names: "simple", "log"; "market_model", "market_adjusted", "constant_mean".
std::optional<ReturnType> parse_return_type(std::string_view text);
std::optional<Method> parse_method(std::string_view text);
const char* method_name(Method method) noexcept;

// A dated close series as the host passes it: dates in days since 1970-01-01, oldest first.
struct DatedCloses {
    std::string key;  // the input key, used in error messages ("stock", "market")
    std::span<const int32_t> dates;
    std::span<const double> closes;
};

struct EventStudyParameters {
    int32_t event_date_days = 0;
    int estimation_days = 120;  // L: returns in the estimation window, >= min_estimation_days
    int gap_days = 10;          // G: trading days between the estimation window and day 0, >= 0
    int window_start = 0;       // a: first event-window day relative to day 0, >= -G
    int window_end = 1;         // b: last event-window day, >= a
    ReturnType returns = ReturnType::simple;
    Method method = Method::market_model;
    std::optional<double> shares_outstanding;  // for abnormal_market_cap
};

inline constexpr int min_estimation_days = 10;
// Bounds on the window lengths that keep every index computation far from overflow.
inline constexpr int max_trading_days = 100000;

// One event-window day.
struct WindowDay {
    int relative_day = 0;     // k in [a, b]
    int32_t date_days = 0;
    double stock_return = 0.0;
    double market_return = 0.0;
    double abnormal_return = 0.0;
};

// A date present in one series but not the other, inside the span the study used.
struct DroppedDate {
    int32_t date_days = 0;
    std::string only_in;  // the key of the series that has it
};

struct EventStudyResult {
    // Fit on the estimation window (market_adjusted: alpha 0, beta 1; constant_mean: beta 0).
    double alpha = 0.0;
    double beta = 0.0;
    double sigma = 0.0;              // residual standard deviation, degrees_of_freedom in the divisor
    int degrees_of_freedom = 0;      // L - 2, or L - 1 for constant_mean and market_adjusted
    double ar0 = 0.0;                // abnormal return on day 0
    double ar0_t = 0.0;              // ar0 / sigma
    double ar0_p = 0.0;              // two-sided, Student t with degrees_of_freedom
    double car = 0.0;                // sum of AR over [a, b]
    double car_t = 0.0;              // car / (sigma * sqrt(b - a + 1))
    double car_p = 0.0;
    double abnormal_market_cap = 0.0;  // car x close before the window x shares; NaN without shares
    int n_estimation = 0;            // L
    int n_dropped = 0;               // dates.size() below
    int32_t day0_days = 0;
    int32_t estimation_first_days = 0;  // date of the first estimation-window return
    int32_t estimation_last_days = 0;
    int32_t market_cap_base_days = 0;   // the stock close abnormal_market_cap scales: day a - 1
    double market_cap_base_close = 0.0;
    std::vector<WindowDay> window;      // days a..b in order
    std::vector<DroppedDate> dropped;   // oldest first
};

// Runs the study. Throws impact::sdk::InputError (naming "stock", "market", "event_date",
// "estimation_days", "gap_days", "window_start" or "window_end") when the data or the
// parameters cannot support it, and std::domain_error when the estimation window leaves
// a zero residual variance (no t-statistic exists).
EventStudyResult run_event_study(const DatedCloses& stock, const DatedCloses& market,
                                 const EventStudyParameters& parameters);

// Two-sided p-value of t under Student's t with degrees_of_freedom > 0: twice Boost.Math's upper
// tail at |t|, which keeps its relative precision where p is tiny.
double two_sided_p_value(double t, int degrees_of_freedom);

}  // namespace impact::stock

#endif  // IMPACT_PLUGINS_STOCK_EVENT_STUDY_HPP
