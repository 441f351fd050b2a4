// Single-firm, single-event study by the market model: alignment, fit, AR, CAR and t-tests.
#include "event_study.hpp"

#include "market_model.hpp"

#include <impact/sdk/date.hpp>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace impact::stock {
namespace {

using detail::abnormal_return;
using detail::Aligned;
using detail::align;
using detail::check_series;
using detail::check_window_parameters;
using detail::period_return;

void check_parameters(const EventStudyParameters& p) {
    check_window_parameters(p.estimation_days, p.gap_days, p.window_start, p.window_end);
    if (p.shares_outstanding && !(std::isfinite(*p.shares_outstanding) && *p.shares_outstanding >= 0.0))
        throw sdk::InputError("shares_outstanding", "shares_outstanding must be a finite number >= 0");
}

}  // namespace

std::optional<ReturnType> parse_return_type(std::string_view text) {
    if (text == "simple") return ReturnType::simple;
    if (text == "log") return ReturnType::log;
    return std::nullopt;
}

std::optional<Method> parse_method(std::string_view text) {
    if (text == "market_model") return Method::market_model;
    if (text == "market_adjusted") return Method::market_adjusted;
    if (text == "constant_mean") return Method::constant_mean;
    return std::nullopt;
}

const char* method_name(Method method) noexcept {
    switch (method) {
        case Method::market_model: return "market_model";
        case Method::market_adjusted: return "market_adjusted";
        case Method::constant_mean: return "constant_mean";
    }
    return "unknown";
}

double two_sided_p_value(double t, int degrees_of_freedom) {
    if (std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
    // Boost.Math's upper tail (complement) keeps its relative precision far out: QuantLib 1.29's
    // CumulativeStudentDistribution is accurate only to about 1e-16 absolute, so it gives p = 0
    // for t = 10 on 499 degrees of freedom, where p is 1.4e-21.
    const boost::math::students_t distribution(degrees_of_freedom);
    return 2.0 * boost::math::cdf(boost::math::complement(distribution, std::abs(t)));
}

EventStudyResult run_event_study(const DatedCloses& stock, const DatedCloses& market,
                                 const EventStudyParameters& p) {
    check_series(stock);
    check_series(market);
    check_parameters(p);

    const Aligned data = align(stock, market);
    if (data.dates.empty())
        throw sdk::InputError(market.key, "the " + stock.key + " and " + market.key + " series have no date in common");
    const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(data.dates.size());
    if (p.event_date_days < data.dates.front() || p.event_date_days > data.dates.back())
        throw sdk::InputError("event_date", "event_date " + sdk::Date{p.event_date_days}.iso() +
                                             " lies outside the data: the two series have common dates from " +
                                             sdk::Date{data.dates.front()}.iso() + " to " + sdk::Date{data.dates.back()}.iso());

    // Day 0: the event date, or the next common trading day when the markets were shut or
    // one series has no close that day.
    const std::ptrdiff_t day0 =
        std::lower_bound(data.dates.begin(), data.dates.end(), p.event_date_days) - data.dates.begin();
    const int L = p.estimation_days;
    const int G = p.gap_days;

    // The earliest close used is the one before the first estimation-window return.
    const std::ptrdiff_t first_close = day0 - (G + L) - 1;
    if (first_close < 0)
        throw sdk::InputError("estimation_days",
                           "too few observations: estimation_days " + std::to_string(L) + " and gap_days " +
                               std::to_string(G) + " need " + std::to_string(G + L + 1) +
                               " common trading days before day 0 (" + sdk::Date{data.dates[day0]}.iso() +
                               "), but the data has " + std::to_string(day0) + " (from " +
                               sdk::Date{data.dates.front()}.iso() + ")");
    // Day 0 is always used (ar0), even when the window lies wholly before or after it.
    const std::ptrdiff_t last_close = day0 + std::max(p.window_end, 0);
    if (last_close >= count)
        throw sdk::InputError("window_end", "the event window runs past the data: day " + std::to_string(p.window_end) +
                                             " would be " + std::to_string(p.window_end) +
                                             " common trading days after day 0 (" + sdk::Date{data.dates[day0]}.iso() +
                                             "), but the data ends " + std::to_string(count - 1 - day0) +
                                             " days after it, on " + sdk::Date{data.dates.back()}.iso());
    for (std::ptrdiff_t i = first_close; i <= last_close; ++i) {
        const auto check_close = [&](const std::string& key, double close) {
            if (!std::isfinite(close) || close <= 0.0)
                throw sdk::InputError(key, key + " close on " + sdk::Date{data.dates[i]}.iso() + " is " +
                                            std::to_string(close) + "; closes must be finite and > 0");
        };
        check_close(stock.key, data.stock[i]);
        check_close(market.key, data.market[i]);
    }
    // Return on common date i, from the previous common date's close (so a date one series
    // lacks folds into the next return of both).
    const auto stock_return = [&](std::ptrdiff_t i) {
        return period_return(data.stock[i - 1], data.stock[i], p.returns);
    };
    const auto market_return = [&](std::ptrdiff_t i) {
        return period_return(data.market[i - 1], data.market[i], p.returns);
    };

    EventStudyResult r;
    r.n_estimation = L;
    const std::ptrdiff_t est_first = day0 - (G + L);  // day -(G+L)
    const std::ptrdiff_t est_last = day0 - (G + 1);   // day -(G+1)
    r.day0_days = data.dates[day0];
    r.estimation_first_days = data.dates[est_first];
    r.estimation_last_days = data.dates[est_last];

    std::vector<double> x, y;  // market and stock returns over the estimation window
    x.reserve(L);
    y.reserve(L);
    for (std::ptrdiff_t i = est_first; i <= est_last; ++i) {
        x.push_back(market_return(i));
        y.push_back(stock_return(i));
    }
    const detail::BenchmarkFit fit =
        detail::fit_benchmark(x, y, p.method, market.key, r.estimation_first_days, r.estimation_last_days, "");
    r.alpha = fit.alpha;
    r.beta = fit.beta;
    r.sigma = fit.sigma;
    r.degrees_of_freedom = fit.degrees_of_freedom;
    const auto abnormal = [&](double stock_r, double market_r) { return abnormal_return(fit, stock_r, market_r); };

    r.ar0 = abnormal(stock_return(day0), market_return(day0));
    r.window.reserve(static_cast<std::size_t>(p.window_end - p.window_start + 1));
    for (int k = p.window_start; k <= p.window_end; ++k) {
        WindowDay day;
        day.relative_day = k;
        day.date_days = data.dates[day0 + k];
        day.stock_return = stock_return(day0 + k);
        day.market_return = market_return(day0 + k);
        day.abnormal_return = abnormal(day.stock_return, day.market_return);
        r.car += day.abnormal_return;
        r.window.push_back(day);
    }
    // Variances without the estimation-error term (MacKinlay 1997's large-L approximation):
    // Var(AR) = sigma^2 and Var(CAR) = (b - a + 1) sigma^2.
    r.ar0_t = r.ar0 / r.sigma;
    r.car_t = r.car / (r.sigma * std::sqrt(static_cast<double>(p.window_end - p.window_start + 1)));
    r.ar0_p = two_sided_p_value(r.ar0_t, r.degrees_of_freedom);
    r.car_p = two_sided_p_value(r.car_t, r.degrees_of_freedom);

    // CAR accumulates from the close before the window opens, so that close is what it scales.
    const std::ptrdiff_t base = day0 + p.window_start - 1;
    r.market_cap_base_days = data.dates[base];
    r.market_cap_base_close = data.stock[base];
    r.abnormal_market_cap = p.shares_outstanding ? r.car * r.market_cap_base_close * *p.shares_outstanding
                                                 : std::numeric_limits<double>::quiet_NaN();

    // Dates without a partner between the first and the last close used.
    for (const DroppedDate& d : data.unmatched)
        if (d.date_days >= data.dates[first_close] && d.date_days <= data.dates[last_close]) r.dropped.push_back(d);
    r.n_dropped = static_cast<int>(r.dropped.size());
    return r;
}

}  // namespace impact::stock
