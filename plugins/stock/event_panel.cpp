// Multi-firm event study: per-(firm, event) fits with forecast-error-corrected variances, and each event's cross-sectional tests.
#include "event_panel.hpp"

#include "market_model.hpp"

#include <impact/sdk/date.hpp>

#include <ql/math/distributions/normaldistribution.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>

namespace impact::stock {
namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

std::string iso(int32_t date_days) { return sdk::Date{date_days}.iso(); }

// Two-sided p-value under the standard normal: 2 Phi(-|z|), the lower tail keeping its precision.
double two_sided_normal_p_value(double z) {
    const QuantLib::CumulativeNormalDistribution phi;
    return 2.0 * phi(-std::abs(z));
}

PanelTest student_test(double t, int degrees_of_freedom) {
    return {t, two_sided_p_value(t, degrees_of_freedom), degrees_of_freedom};
}

PanelTest normal_test(double z) { return {z, two_sided_normal_p_value(z), 0}; }

// A statistic is reported only when it is a number: an infinite or NaN value means a zero or
// undefined denominator, which the caller must hear about rather than print.
double require_finite(double value, const char* test, const std::string& event) {
    if (!std::isfinite(value))
        throw std::domain_error(std::string(test) + " of event " + event + " is not finite (" + std::to_string(value) +
                                "): a denominator is zero or undefined");
    return value;
}

void check_panel_parameters(const EventPanelParameters& p) {
    detail::check_window_parameters(p.estimation_days, p.gap_days, p.window_start, p.window_end);
    if (p.estimation_days < min_panel_estimation_days)
        throw sdk::InputError("estimation_days", "estimation_days must be at least " +
                                                      std::to_string(min_panel_estimation_days) + ", got " +
                                                      std::to_string(p.estimation_days));
    for (std::size_t i = 0; i < p.shares_outstanding.size(); ++i) {
        const auto& [key, shares] = p.shares_outstanding[i];
        if (!(std::isfinite(shares) && shares >= 0.0))
            throw sdk::InputError("shares_outstanding", "shares_outstanding of " + key +
                                                             " must be a finite number >= 0, got " + std::to_string(shares));
        for (std::size_t j = 0; j < i; ++j)
            if (p.shares_outstanding[j].first == key)
                throw sdk::InputError("shares_outstanding", "shares_outstanding lists " + key + " twice");
    }
}

// The firm's shares, NaN when it has none (a plain double: g++ 12 at -O2 misreports an optional's
// payload as maybe-uninitialized).
double shares_of(const EventPanelParameters& p, const std::string& key) {
    for (const auto& [k, shares] : p.shares_outstanding)
        if (k == key) return shares;
    return not_a_number;
}

// A firm aligned with the market once, reused for every event that concerns it.
struct PreparedFirm {
    std::string key;
    std::string market_key;
    detail::Aligned data;
};

PreparedFirm prepare_firm(const DatedCloses& firm, const DatedCloses& market) {
    return {firm.key, market.key, detail::align(firm, market)};
}

// Where one observation sits in the firm's common dates.
struct Placement {
    std::ptrdiff_t day0 = 0;
    std::ptrdiff_t first_close = 0;  // day -(G+L+1): the close before the first estimation return
    std::ptrdiff_t last_close = 0;   // day max(b, 0)
};

// Places day 0 and checks the data cover the span; returns the reason when they do not (the
// caller raises it under the firm's key or, with skip_incomplete, records it). A bad market
// close is the market's fault, not the firm's, so it is thrown under the market's key.
std::optional<std::string> locate(const PreparedFirm& f, std::string_view event, int32_t event_date_days,
                                  const EventPanelParameters& p, Placement& out) {
    const auto& dates = f.data.dates;
    const std::string who = f.key + ", event " + std::string(event) + ": ";
    if (dates.empty())
        return who + f.key + " and " + f.market_key + " have no date in common";
    if (event_date_days < dates.front() || event_date_days > dates.back())
        return who + "the event date " + iso(event_date_days) + " lies outside the data: " + f.key + " and " +
               f.market_key + " have common dates from " + iso(dates.front()) + " to " + iso(dates.back());
    const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(dates.size());
    out.day0 = std::lower_bound(dates.begin(), dates.end(), event_date_days) - dates.begin();
    const int L = p.estimation_days;
    const int G = p.gap_days;
    out.first_close = out.day0 - (G + L) - 1;
    if (out.first_close < 0)
        return who + "estimation_days " + std::to_string(L) + " and gap_days " + std::to_string(G) + " need " +
               std::to_string(G + L + 1) + " common trading days before day 0 (" + iso(dates[out.day0]) +
               "), but the data has " + std::to_string(out.day0) + " (from " + iso(dates.front()) + ")";
    // Day 0 is always used (ar0), even when the window lies wholly before or after it.
    out.last_close = out.day0 + std::max(p.window_end, 0);
    if (out.last_close >= count)
        return who + "the event window needs " + std::to_string(std::max(p.window_end, 0)) +
               " common trading days after day 0 (" + iso(dates[out.day0]) + "), but the data ends " +
               std::to_string(count - 1 - out.day0) + " days after it, on " + iso(dates.back());
    for (std::ptrdiff_t i = out.first_close; i <= out.last_close; ++i) {
        const double close = f.data.stock[i];
        if (!std::isfinite(close) || close <= 0.0)
            return who + f.key + " close on " + iso(dates[i]) + " is " + std::to_string(close) +
                   "; every close from " + iso(dates[out.first_close]) + " to " + iso(dates[out.last_close]) +
                   " must be finite and > 0";
        const double market_close = f.data.market[i];
        if (!std::isfinite(market_close) || market_close <= 0.0)
            throw sdk::InputError(f.market_key, who + f.market_key + " close on " + iso(dates[i]) + " is " +
                                                    std::to_string(market_close) + "; closes must be finite and > 0");
    }
    return std::nullopt;
}

// The fit, ARs and forecast-error-corrected variances of one located observation. The returns and the
// fit go through detail:: exactly as in run_event_study, so that one firm agrees with it bit for bit.
FirmEventResult fit_observation(const PreparedFirm& f, std::string_view event, const Placement& at,
                                const EventPanelParameters& p, double shares) {
    const auto& data = f.data;
    const int L = p.estimation_days;
    const int G = p.gap_days;
    const int a = p.window_start;
    const int b = p.window_end;
    const int T = b - a + 1;
    const auto stock_return = [&](std::ptrdiff_t i) { return detail::period_return(data.stock[i - 1], data.stock[i], p.returns); };
    const auto market_return = [&](std::ptrdiff_t i) { return detail::period_return(data.market[i - 1], data.market[i], p.returns); };

    FirmEventResult r;
    r.firm = f.key;
    r.event = std::string(event);
    r.n_estimation = L;
    const std::ptrdiff_t est_first = at.day0 - (G + L);  // day -(G+L)
    const std::ptrdiff_t est_last = at.day0 - (G + 1);   // day -(G+1)
    r.day0_days = data.dates[at.day0];
    r.estimation_first_days = data.dates[est_first];
    r.estimation_last_days = data.dates[est_last];

    std::vector<double> x, y;  // market and firm returns over the estimation window
    x.reserve(L);
    y.reserve(L);
    for (std::ptrdiff_t i = est_first; i <= est_last; ++i) {
        x.push_back(market_return(i));
        y.push_back(stock_return(i));
    }
    const detail::BenchmarkFit fit = detail::fit_benchmark(x, y, p.method, f.market_key, r.estimation_first_days,
                                                           r.estimation_last_days, f.key + ", event " + r.event + ": ");
    r.alpha = fit.alpha;
    r.beta = fit.beta;
    r.sigma = fit.sigma;
    r.degrees_of_freedom = fit.degrees_of_freedom;

    r.estimation_dates.assign(data.dates.begin() + est_first, data.dates.begin() + est_last + 1);
    r.estimation_residuals.resize(L);
    for (int k = 0; k < L; ++k) r.estimation_residuals[k] = detail::abnormal_return(fit, y[k], x[k]);

    r.ar0 = detail::abnormal_return(fit, stock_return(at.day0), market_return(at.day0));
    const double s2 = fit.sigma * fit.sigma;
    const double inverse_L = 1.0 / L;
    r.window_dates.reserve(T);
    r.abnormal_returns.reserve(T);
    r.ar_variance.reserve(T);
    double market_deviation_sum = 0.0;  // sum over the window of R_mt - mean R_m
    for (int k = a; k <= b; ++k) {
        const std::ptrdiff_t i = at.day0 + k;
        const double market_r = market_return(i);
        const double ar = detail::abnormal_return(fit, stock_return(i), market_r);
        r.window_dates.push_back(data.dates[i]);
        r.abnormal_returns.push_back(ar);
        r.car += ar;
        const double deviation = market_r - fit.market_mean;
        market_deviation_sum += deviation;
        switch (p.method) {
            case Method::market_model:
                r.ar_variance.push_back(s2 * (1.0 + inverse_L + deviation * deviation / fit.market_sum_squares));
                break;
            case Method::constant_mean: r.ar_variance.push_back(s2 * (1.0 + inverse_L)); break;
            // Nothing is estimated, so there is no estimation error to add.
            case Method::market_adjusted: r.ar_variance.push_back(s2); break;
        }
    }
    const double T_days = T;
    switch (p.method) {
        case Method::market_model:
            r.car_variance = s2 * (T_days + T_days * T_days / L +
                                   market_deviation_sum * market_deviation_sum / fit.market_sum_squares);
            break;
        case Method::constant_mean: r.car_variance = s2 * (T_days + T_days * T_days / L); break;
        case Method::market_adjusted: r.car_variance = s2 * T_days; break;
    }
    r.scar = r.car / std::sqrt(r.car_variance);

    // CAR accumulates from the close before the window opens, so that close is what it scales.
    const std::ptrdiff_t base = at.day0 + a - 1;
    r.value_base_days = data.dates[base];
    r.value_base_close = data.stock[base];
    r.abnormal_value = std::isnan(shares) ? not_a_number : r.car * r.value_base_close * shares;

    // Dates without a partner between the first and the last close used.
    const auto& unmatched = data.unmatched;
    const int32_t span_first = data.dates[at.first_close], span_last = data.dates[at.last_close];
    const auto lo = std::lower_bound(unmatched.begin(), unmatched.end(), span_first,
                                     [](const DroppedDate& d, int32_t day) { return d.date_days < day; });
    const auto hi = std::upper_bound(unmatched.begin(), unmatched.end(), span_last,
                                     [](int32_t day, const DroppedDate& d) { return day < d.date_days; });
    r.n_dropped = static_cast<int>(hi - lo);
    return r;
}

// Pearson correlation of n paired values (two-pass, like the fit); nullopt when either does not vary.
std::optional<double> pearson(const double* u, const double* v, std::size_t n) {
    double mean_u = 0.0, mean_v = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        mean_u += u[k];
        mean_v += v[k];
    }
    mean_u /= static_cast<double>(n);
    mean_v /= static_cast<double>(n);
    double suu = 0.0, svv = 0.0, suv = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        const double du = u[k] - mean_u, dv = v[k] - mean_v;
        suu += du * du;
        svv += dv * dv;
        suv += du * dv;
    }
    if (!(suu > 0.0) || !(svv > 0.0)) return std::nullopt;
    // Cauchy-Schwarz bounds it by 1; rounding alone could step past, and r-bar > 1 would be refused.
    return std::clamp(suv / std::sqrt(suu * svv), -1.0, 1.0);
}

// r-bar: the mean over all pairs of firms of the correlation of their estimation-window residuals on
// the calendar dates both windows share; a pair sharing fewer than 3 dates counts as 0.
double mean_residual_correlation(std::span<const FirmEventResult> obs, const std::string& event) {
    const std::size_t n = obs.size();
    // Every estimation date of the event, once: a window that holds a contiguous run of these dates
    // (the usual case) meets another one on an index interval, with no merge at all.
    std::vector<int32_t> all_dates;
    for (const auto& o : obs) all_dates.insert(all_dates.end(), o.estimation_dates.begin(), o.estimation_dates.end());
    std::sort(all_dates.begin(), all_dates.end());
    all_dates.erase(std::unique(all_dates.begin(), all_dates.end()), all_dates.end());
    std::vector<std::ptrdiff_t> start(n);
    std::vector<char> contiguous(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& d = obs[i].estimation_dates;
        if (d.empty()) {
            contiguous[i] = 0;
            continue;
        }
        start[i] = std::lower_bound(all_dates.begin(), all_dates.end(), d.front()) - all_dates.begin();
        const std::ptrdiff_t end = std::lower_bound(all_dates.begin(), all_dates.end(), d.back()) - all_dates.begin();
        contiguous[i] = end - start[i] + 1 == static_cast<std::ptrdiff_t>(d.size());
    }
    std::vector<double> u, v;  // the merge's buffers, reused by every pair
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const auto& di = obs[i].estimation_dates;
            const auto& dj = obs[j].estimation_dates;
            const double* pu = nullptr;
            const double* pv = nullptr;
            std::size_t shared = 0;
            if (contiguous[i] && contiguous[j]) {
                const std::ptrdiff_t lo = std::max(start[i], start[j]);
                const std::ptrdiff_t hi = std::min(start[i] + static_cast<std::ptrdiff_t>(di.size()),
                                                   start[j] + static_cast<std::ptrdiff_t>(dj.size()));
                if (hi - lo < 3) continue;
                shared = static_cast<std::size_t>(hi - lo);
                pu = obs[i].estimation_residuals.data() + (lo - start[i]);
                pv = obs[j].estimation_residuals.data() + (lo - start[j]);
            } else {
                u.clear();
                v.clear();
                std::size_t a = 0, b = 0;
                while (a < di.size() && b < dj.size()) {
                    if (di[a] < dj[b]) {
                        ++a;
                    } else if (dj[b] < di[a]) {
                        ++b;
                    } else {
                        u.push_back(obs[i].estimation_residuals[a++]);
                        v.push_back(obs[j].estimation_residuals[b++]);
                    }
                }
                if (u.size() < 3) continue;
                shared = u.size();
                pu = u.data();
                pv = v.data();
            }
            const std::optional<double> r = pearson(pu, pv, shared);
            if (!r)
                throw std::domain_error("Kolari-Pynnonen t of event " + event + ": the estimation-window residuals of " +
                                        obs[i].firm + " or " + obs[j].firm + " do not vary over the " +
                                        std::to_string(shared) + " dates the two share, so their correlation is undefined");
            sum += *r;
        }
    }
    const double pairs = static_cast<double>(n) * static_cast<double>(n - 1) / 2.0;
    return sum / pairs;
}

// Whether every value is the same: tested directly because the mean of equal values need not round
// back to them, which would leave a spurious sd of a few ulps and an enormous statistic.
bool all_equal(const std::vector<double>& values) {
    return std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) == values.end();
}

// Sample mean and standard deviation (n - 1 divisor), two-pass.
std::pair<double, double> mean_and_sd(const std::vector<double>& values) {
    const double n = static_cast<double>(values.size());
    double mean = 0.0;
    for (double x : values) mean += x;
    mean /= n;
    double ss = 0.0;
    for (double x : values) ss += (x - mean) * (x - mean);
    return {mean, std::sqrt(ss / (n - 1.0))};
}

// Corrado's rank statistic on the day at `day0_position` of the L + T positions in event time.
double corrado_statistic(std::span<const FirmEventResult> obs, int L, int T, int day0_position, const std::string& event) {
    const int M = L + T;
    const double mean_rank = (M + 1) / 2.0;
    std::vector<double> values(M), ranks(M), mean_deviation(M, 0.0);
    std::vector<int> order(M);
    for (const auto& o : obs) {
        std::copy(o.estimation_residuals.begin(), o.estimation_residuals.end(), values.begin());
        std::copy(o.abnormal_returns.begin(), o.abnormal_returns.end(), values.begin() + L);
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int l, int r) { return values[l] < values[r]; });
        // Ties share the mean of the ranks they span.
        for (int first = 0; first < M;) {
            int last = first;
            while (last + 1 < M && values[order[last + 1]] == values[order[first]]) ++last;
            const double rank = (first + 1 + last + 1) / 2.0;
            for (int m = first; m <= last; ++m) ranks[order[m]] = rank;
            first = last + 1;
        }
        for (int t = 0; t < M; ++t) mean_deviation[t] += ranks[t] - mean_rank;
    }
    const double n = static_cast<double>(obs.size());
    double sum_squares = 0.0;
    for (double& d : mean_deviation) {
        d /= n;
        sum_squares += d * d;
    }
    const double s_k = std::sqrt(sum_squares / M);
    if (!(s_k > 0.0))
        throw std::domain_error("Corrado rank test of event " + event +
                                ": the ranks' standard deviation S_K is zero, so the statistic is undefined");
    return mean_deviation[day0_position] / s_k;
}

bool valid_event_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

}  // namespace

FirmEventResult estimate_firm_event(const DatedCloses& firm, const DatedCloses& market, std::string_view event_name,
                                    int32_t event_date_days, const EventPanelParameters& parameters) {
    detail::check_series(firm);
    detail::check_series(market);
    check_panel_parameters(parameters);
    const PreparedFirm prepared = prepare_firm(firm, market);
    Placement at;
    if (const auto reason = locate(prepared, event_name, event_date_days, parameters, at))
        throw sdk::InputError("firms", *reason);  // the message names the firm
    return fit_observation(prepared, event_name, at, parameters, shares_of(parameters, firm.key));
}

EventAggregate aggregate_event(const PanelEvent& event, std::span<const FirmEventResult> obs,
                               const EventPanelParameters& p) {
    const std::string& name = event.name;
    const int N = static_cast<int>(obs.size());
    if (N < 2)
        throw sdk::InputError("events", "event " + name + " has " + std::to_string(N) + " firm" + (N == 1 ? "" : "s") +
                                            (N == 1 ? " (" + obs[0].firm + ")" : std::string()) +
                                            ": the cross-sectional tests need at least 2 firms; "
                                            "stock.event_study answers one firm");
    const int L = p.estimation_days;
    const int a = p.window_start;
    const int b = p.window_end;
    const int T = b - a + 1;
    for (const auto& o : obs)
        if (o.event != name)
            throw std::invalid_argument("event " + name + " was given an observation of event " + o.event + " (" +
                                        o.firm + ")");
    for (const auto& o : obs)
        if (static_cast<int>(o.abnormal_returns.size()) != T || static_cast<int>(o.estimation_residuals.size()) != L ||
            static_cast<int>(o.estimation_dates.size()) != L)
            throw std::invalid_argument("event " + name + ": the observation of " + o.firm +
                                        " was not computed with these parameters (window or estimation length differs)");
    const double n = N;
    const double root_n = std::sqrt(n);

    EventAggregate g;
    g.event = name;
    g.firm_count = N;
    g.day0_days = obs[0].day0_days;
    for (const auto& o : obs) g.day0_days = std::min(g.day0_days, o.day0_days);
    g.relative_days.resize(T);
    std::iota(g.relative_days.begin(), g.relative_days.end(), a);
    g.aar.assign(T, 0.0);
    for (const auto& o : obs)
        for (int t = 0; t < T; ++t) g.aar[t] += o.abnormal_returns[t];
    double running = 0.0;
    g.caar_path.resize(T);
    for (int t = 0; t < T; ++t) {
        g.aar[t] /= n;
        running += g.aar[t];
        g.caar_path[t] = running;
    }
    g.caar = g.caar_path.back();

    std::vector<double> cars(N), scars(N);
    for (int i = 0; i < N; ++i) {
        cars[i] = obs[i].car;
        scars[i] = obs[i].scar;
    }

    // Cross-sectional t: the CARs' own dispersion, so a variance the event raises is in the denominator.
    const double car_sd = mean_and_sd(cars).second;
    if (all_equal(cars) || !(car_sd > 0.0))
        throw std::domain_error("cross-sectional t of event " + name +
                                ": every firm's CAR is equal (zero standard deviation), so the statistic is undefined");
    g.cross_sectional_t = student_test(require_finite(g.caar / (car_sd / root_n), "cross-sectional t", name), N - 1);

    // Patell: each SCAR is Student t with d_i degrees of freedom, whose variance is d_i / (d_i - 2).
    double scar_sum = 0.0, variance_sum = 0.0;
    for (const auto& o : obs) {
        if (o.degrees_of_freedom <= 2)
            throw std::domain_error("Patell Z of event " + name + ": " + o.firm + " has " +
                                    std::to_string(o.degrees_of_freedom) + " degrees of freedom; the test needs more than 2");
        scar_sum += o.scar;
        variance_sum += static_cast<double>(o.degrees_of_freedom) / (o.degrees_of_freedom - 2);
    }
    g.patell_z = normal_test(require_finite(scar_sum / std::sqrt(variance_sum), "Patell Z", name));

    const auto [scar_mean, scar_sd] = mean_and_sd(scars);
    if (all_equal(scars) || !(scar_sd > 0.0))
        throw std::domain_error("BMP t of event " + name +
                                ": every firm's SCAR is equal (zero standard deviation), so the statistic is undefined");
    const double bmp = require_finite(scar_mean / (scar_sd / root_n), "BMP t", name);
    g.bmp_t = student_test(bmp, N - 1);

    const double r_bar = mean_residual_correlation(obs, name);
    g.mean_residual_correlation = r_bar;
    const double kp_denominator = 1.0 + (n - 1.0) * r_bar;
    if (!(kp_denominator > 0.0) || 1.0 - r_bar < 0.0)
        throw std::domain_error("Kolari-Pynnonen t of event " + name + ": the mean residual correlation " +
                                std::to_string(r_bar) + " leaves sqrt((1 - r)/(1 + (N - 1) r)) undefined for N = " +
                                std::to_string(N));
    g.kolari_pynnonen_t =
        student_test(require_finite(bmp * std::sqrt((1.0 - r_bar) / kp_denominator), "Kolari-Pynnonen t", name), N - 1);

    if (a <= 0 && 0 <= b)
        g.corrado_z = normal_test(require_finite(corrado_statistic(obs, L, T, L - a, name), "Corrado rank test", name));

    // Generalized sign: the positive share expected without an event is the estimation windows' own.
    double positive_share_sum = 0.0;
    for (const auto& o : obs) {
        const auto positives = std::count_if(o.estimation_residuals.begin(), o.estimation_residuals.end(),
                                             [](double ar) { return ar > 0.0; });
        positive_share_sum += static_cast<double>(positives) / L;
        if (o.car > 0.0) ++g.positive_car_count;
    }
    const double p_hat = positive_share_sum / n;
    g.estimation_positive_share = p_hat;
    if (!(p_hat > 0.0 && p_hat < 1.0))
        throw std::domain_error("generalized sign test of event " + name + ": the share of positive estimation-window "
                                "abnormal returns is " + std::to_string(p_hat) + ", so the statistic is undefined");
    g.generalized_sign_z = normal_test(require_finite(
        (g.positive_car_count - n * p_hat) / std::sqrt(n * p_hat * (1.0 - p_hat)), "generalized sign test", name));

    g.abnormal_value_total = 0.0;
    for (const auto& o : obs)
        if (!std::isnan(o.abnormal_value)) {
            g.abnormal_value_total += o.abnormal_value;
            ++g.firms_with_value;
        }
    if (g.firms_with_value == 0) g.abnormal_value_total = not_a_number;
    return g;
}

EventPanelResult run_event_panel(std::span<const DatedCloses> firms, const DatedCloses& market,
                                 std::span<const PanelEvent> events, const EventPanelParameters& p) {
    detail::check_series(market);
    check_panel_parameters(p);
    std::unordered_map<std::string, std::size_t> firm_index;
    for (std::size_t f = 0; f < firms.size(); ++f) {
        if (!firm_index.emplace(firms[f].key, f).second)
            throw sdk::InputError("firms", "the firm key " + firms[f].key + " appears more than once");
        // A firm's data problem is an error of the input `firms` (the message names the firm): a
        // firm's name is data, and could be anything, even another input's key.
        try {
            detail::check_series(firms[f]);
        } catch (const sdk::InputError& e) {
            throw sdk::InputError("firms", e.what());
        }
    }

    // One slot per observation, in event order and, within an event, in the firms' order.
    struct Slot {
        std::size_t event = 0;
        std::size_t firm = 0;
        int32_t event_date_days = 0;
    };
    std::vector<Slot> slots;
    std::vector<std::size_t> event_first_slot(events.size() + 1, 0);
    for (std::size_t e = 0; e < events.size(); ++e) {
        const PanelEvent& event = events[e];
        if (!valid_event_name(event.name))
            throw sdk::InputError("events", "the event name '" + event.name +
                                                "' must be one or more of the characters a-z, 0-9, _ and -");
        for (std::size_t k = 0; k < e; ++k)
            if (events[k].name == event.name)
                throw sdk::InputError("events", "the event name " + event.name + " appears more than once");
        event_first_slot[e] = slots.size();
        if (event.firms.empty()) {
            for (std::size_t f = 0; f < firms.size(); ++f) slots.push_back({e, f, event.event_date_days});
        } else {
            std::vector<std::optional<int32_t>> date_of(firms.size());
            for (const PanelEventFirm& ef : event.firms) {
                const auto it = firm_index.find(ef.firm);
                if (it == firm_index.end())
                    throw sdk::InputError("events", "event " + event.name + " lists the firm " + ef.firm +
                                                        ", which is not among the firms");
                if (date_of[it->second])
                    throw sdk::InputError("events", "event " + event.name + " lists the firm " + ef.firm + " twice");
                date_of[it->second] = ef.event_date_days.value_or(event.event_date_days);
            }
            for (std::size_t f = 0; f < firms.size(); ++f)
                if (date_of[f]) slots.push_back({e, f, *date_of[f]});
        }
    }
    event_first_slot[events.size()] = slots.size();

    std::unordered_map<std::string, double> shares;
    for (const auto& [key, value] : p.shares_outstanding) shares.emplace(key, value);

    // Firm by firm, so that each firm is aligned once and only one alignment is held at a time.
    std::vector<std::vector<std::size_t>> slots_of_firm(firms.size());
    for (std::size_t s = 0; s < slots.size(); ++s) slots_of_firm[slots[s].firm].push_back(s);
    std::vector<std::optional<FirmEventResult>> results(slots.size());
    std::vector<std::optional<std::string>> skip_reasons(slots.size());
    for (std::size_t f = 0; f < firms.size(); ++f) {
        if (slots_of_firm[f].empty()) continue;
        const PreparedFirm prepared = prepare_firm(firms[f], market);
        const auto share_it = shares.find(firms[f].key);
        const double firm_shares = share_it == shares.end() ? not_a_number : share_it->second;
        for (std::size_t s : slots_of_firm[f]) {
            const std::string& event = events[slots[s].event].name;
            Placement at;
            if (auto reason = locate(prepared, event, slots[s].event_date_days, p, at)) {
                if (!p.skip_incomplete) throw sdk::InputError("firms", *reason);  // the message names the firm
                skip_reasons[s] = std::move(*reason);
                continue;
            }
            results[s] = fit_observation(prepared, event, at, p, firm_shares);
        }
    }

    // Two events of one firm may not overlap: the later one's estimation or event window would hold
    // returns the earlier event moved, and its tests would count that move twice or as noise.
    for (std::size_t f = 0; f < firms.size(); ++f) {
        const auto& own = slots_of_firm[f];
        for (std::size_t x = 0; x < own.size(); ++x) {
            for (std::size_t y = x + 1; y < own.size(); ++y) {
                if (!results[own[x]] || !results[own[y]]) continue;
                const FirmEventResult* earlier = &*results[own[x]];
                const FirmEventResult* later = &*results[own[y]];
                if (later->day0_days < earlier->day0_days) std::swap(earlier, later);
                const int32_t window_first = earlier->window_dates.front(), window_last = earlier->window_dates.back();
                const auto meets = [&](int32_t first, int32_t last) { return first <= window_last && window_first <= last; };
                const bool estimation_meets = meets(later->estimation_first_days, later->estimation_last_days);
                const bool window_meets = meets(later->window_dates.front(), later->window_dates.back());
                if (estimation_meets || window_meets) {
                    const std::string what = estimation_meets ? "estimation window " + iso(later->estimation_first_days) +
                                                                    ".." + iso(later->estimation_last_days)
                                                              : "event window " + iso(later->window_dates.front()) + ".." +
                                                                    iso(later->window_dates.back());
                    throw sdk::InputError("events", "events " + earlier->event + " and " + later->event +
                                                        " overlap for firm " + firms[f].key + ": the " + what + " of " +
                                                        later->event + " meets the event window " + iso(window_first) +
                                                        ".." + iso(window_last) + " of " + earlier->event);
                }
            }
        }
    }

    EventPanelResult out;
    out.observations.reserve(slots.size());
    for (std::size_t s = 0; s < slots.size(); ++s) {
        if (results[s])
            out.observations.push_back(std::move(*results[s]));
        else
            out.skipped.push_back({firms[slots[s].firm].key, events[slots[s].event].name, *skip_reasons[s]});
    }
    // Observations stay in slot order, so each event's are one contiguous run.
    std::size_t next = 0;
    out.events.reserve(events.size());
    for (std::size_t e = 0; e < events.size(); ++e) {
        std::size_t usable = 0;
        std::string skipped_text;
        for (std::size_t s = event_first_slot[e]; s < event_first_slot[e + 1]; ++s) {
            if (skip_reasons[s])
                skipped_text += (skipped_text.empty() ? "" : "; ") + firms[slots[s].firm].key + " (" + *skip_reasons[s] + ")";
            else
                ++usable;
        }
        const std::span<const FirmEventResult> own(out.observations.data() + next, usable);
        next += usable;
        if (usable < 2 && !skipped_text.empty())
            throw sdk::InputError("events", "event " + events[e].name + " keeps " + std::to_string(usable) + " firm" +
                                                (usable == 1 ? " (" + own[0].firm + ")" : std::string("s")) +
                                                " after skipping incomplete data: " + skipped_text +
                                                "; the cross-sectional tests need at least 2 firms");
        out.events.push_back(aggregate_event(events[e], own, p));
    }
    return out;
}

}  // namespace impact::stock
