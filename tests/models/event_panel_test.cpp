// Tests stock.event_panel's pure functions on the real semiconductor panel against statistics written here, and its errors.
#include "event_panel.hpp"
#include "event_study.hpp"

#include <catch2/catch.hpp>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace impact::stock;
using Real = long double;  // the reference works in extended precision, the code under test in double

constexpr double tolerance = 1e-9;  // relative, for every statistic against the reference
const double not_a_number = std::numeric_limits<double>::quiet_NaN();

// ---- Dates and the shared data (the test's own reader and calendar) ---------------------

int32_t days(int year, unsigned month, unsigned day) {
    const std::chrono::sys_days d{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
    return static_cast<int32_t>(d.time_since_epoch().count());
}

std::string iso(int32_t days_since_epoch) {
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{days_since_epoch}}};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return text;
}

int32_t parse_iso_date(const std::string& text) {
    int year = 0;
    unsigned month = 0, day = 0;
    char dash1 = 0, dash2 = 0;
    std::istringstream in(text);
    in >> year >> dash1 >> month >> dash2 >> day;
    if (!in || dash1 != '-' || dash2 != '-') throw std::runtime_error("bad date '" + text + "'");
    return days(year, month, day);
}

// A series the test owns, viewed as the DatedCloses the code under test takes.
struct Series {
    std::string key;
    std::vector<int32_t> dates;
    std::vector<double> closes;
    DatedCloses view() const { return {key, dates, closes}; }
};

// Every column of a wide CSV (date, then one close per ticker).
std::map<std::string, Series> read_wide_csv(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    std::string line;
    std::getline(file, line);
    std::vector<std::string> header;
    {
        std::istringstream cells(line);
        for (std::string cell; std::getline(cells, cell, ',');) header.push_back(cell);
    }
    if (header.empty() || header[0] != "date") throw std::runtime_error(path + ": the first column is not date");
    std::map<std::string, Series> out;
    for (std::size_t c = 1; c < header.size(); ++c) out[header[c]].key = header[c];
    while (std::getline(file, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells;
        std::istringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        if (cells.size() != header.size()) throw std::runtime_error(path + ": a row has the wrong number of cells");
        const int32_t date = parse_iso_date(cells[0]);
        for (std::size_t c = 1; c < header.size(); ++c) {
            if (cells[c].empty()) continue;  // a missing close: the ticker has no row that day
            Series& s = out[header[c]];
            s.dates.push_back(date);
            s.closes.push_back(std::stod(cells[c]));
        }
    }
    return out;
}

const std::map<std::string, Series>& semis() {
    static const auto panel = read_wide_csv(IMPACT_SHARED_DIR "/data/semis-daily-close-2024-08_2026-01.csv");
    return panel;
}

const std::vector<std::string> firm_keys = {"NVDA", "AMD",  "AVGO", "INTC", "MU",   "TSM",
                                            "AMAT", "ASML", "QCOM", "KLAC", "LRCX", "MRVL"};

std::vector<Series> semis_firms() {
    std::vector<Series> out;
    for (const auto& key : firm_keys) out.push_back(semis().at(key));
    return out;
}

std::vector<DatedCloses> views(const std::vector<Series>& series) {
    std::vector<DatedCloses> out;
    for (const auto& s : series) out.push_back(s.view());
    return out;
}

const int32_t h20_day0 = days(2025, 4, 16);
const int32_t h200_day0 = days(2025, 12, 9);

// ---- The reference, written from the textbook formulas, not from the plugin's code -------

struct Config {
    std::string label;
    int estimation_days = 120;
    int gap_days = 10;
    int window_start = 0;
    int window_end = 1;
    ReturnType returns = ReturnType::simple;
    Method method = Method::market_model;
};

struct RefObservation {
    Real alpha = 0, beta = 0, s = 0;
    int degrees_of_freedom = 0;
    int32_t day0 = 0, estimation_first = 0, estimation_last = 0;
    std::vector<int32_t> estimation_dates, window_dates;
    std::vector<Real> estimation_ar, ar, ar_variance;
    Real ar0 = 0, car = 0, car_variance = 0, scar = 0;
    int32_t base_date = 0;
    Real base_close = 0;
    int n_dropped = 0;
};

RefObservation reference_observation(const Series& firm, const Series& market, int32_t event_date, const Config& c) {
    // Common dates by looking each firm date up in a map (the plugin merges two sorted lists).
    std::map<int32_t, double> market_by_date;
    for (std::size_t i = 0; i < market.dates.size(); ++i) market_by_date[market.dates[i]] = market.closes[i];
    std::vector<int32_t> dates;
    std::vector<Real> p, m;
    for (std::size_t i = 0; i < firm.dates.size(); ++i) {
        const auto it = market_by_date.find(firm.dates[i]);
        if (it == market_by_date.end()) continue;
        dates.push_back(firm.dates[i]);
        p.push_back(firm.closes[i]);
        m.push_back(it->second);
    }
    std::size_t day0 = 0;
    while (dates.at(day0) < event_date) ++day0;
    const auto ret = [&](const std::vector<Real>& closes, std::size_t i) -> Real {
        return c.returns == ReturnType::log ? std::log(closes[i]) - std::log(closes[i - 1]) : closes[i] / closes[i - 1] - 1;
    };
    const int L = c.estimation_days, G = c.gap_days;
    const std::size_t first = day0 - G - L, last = day0 - G - 1;
    std::vector<Real> x, y;
    RefObservation r;
    for (std::size_t i = first; i <= last; ++i) {
        x.push_back(ret(m, i));
        y.push_back(ret(p, i));
        r.estimation_dates.push_back(dates[i]);
    }
    // The normal equations on raw sums (the plugin centres first), in extended precision.
    Real sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < L; ++k) {
        sx += x[k];
        sy += y[k];
        sxx += x[k] * x[k];
        sxy += x[k] * y[k];
    }
    const Real mean_x = sx / L;
    const Real s_mm = sxx - sx * sx / L;
    switch (c.method) {
        case Method::market_model:
            r.beta = (L * sxy - sx * sy) / (L * sxx - sx * sx);
            r.alpha = (sy - r.beta * sx) / L;
            r.degrees_of_freedom = L - 2;
            break;
        case Method::constant_mean:
            r.alpha = sy / L;
            r.degrees_of_freedom = L - 1;
            break;
        case Method::market_adjusted:
            r.beta = 1;
            r.degrees_of_freedom = L - 1;
            break;
    }
    const auto abnormal = [&](std::size_t i) { return ret(p, i) - r.alpha - r.beta * ret(m, i); };
    Real ar_sum = 0;
    for (std::size_t i = first; i <= last; ++i) {
        r.estimation_ar.push_back(abnormal(i));
        ar_sum += r.estimation_ar.back();
    }
    const Real ar_mean = c.method == Method::market_adjusted ? ar_sum / L : 0;
    Real ssr = 0;
    for (Real e : r.estimation_ar) ssr += (e - ar_mean) * (e - ar_mean);
    r.s = std::sqrt(ssr / r.degrees_of_freedom);
    const Real s2 = r.s * r.s;

    r.day0 = dates[day0];
    r.estimation_first = dates[first];
    r.estimation_last = dates[last];
    r.ar0 = abnormal(day0);
    const int T = c.window_end - c.window_start + 1;
    Real market_sum = 0;
    for (int k = c.window_start; k <= c.window_end; ++k) {
        const std::size_t i = day0 + k;
        r.window_dates.push_back(dates[i]);
        r.ar.push_back(abnormal(i));
        r.car += r.ar.back();
        market_sum += ret(m, i);
        const Real dev = ret(m, i) - mean_x;
        r.ar_variance.push_back(c.method == Method::market_model    ? s2 * (1 + Real(1) / L + dev * dev / s_mm)
                                : c.method == Method::constant_mean ? s2 * (1 + Real(1) / L)
                                                                    : s2);
    }
    const Real excess = market_sum - T * mean_x;
    r.car_variance = c.method == Method::market_model    ? s2 * (T + Real(T) * T / L + excess * excess / s_mm)
                     : c.method == Method::constant_mean ? s2 * (T + Real(T) * T / L)
                                                         : s2 * T;
    r.scar = r.car / std::sqrt(r.car_variance);
    r.base_date = dates[day0 + c.window_start - 1];
    r.base_close = p[day0 + c.window_start - 1];

    // Dates of either series between the first and the last close used that the other lacks.
    const int32_t span_first = dates[first - 1], span_last = dates[day0 + std::max(c.window_end, 0)];
    std::map<int32_t, int> seen;
    for (int32_t d : firm.dates) ++seen[d];
    for (int32_t d : market.dates) ++seen[d];
    for (const auto& [date, count] : seen)
        if (date >= span_first && date <= span_last && count == 1) ++r.n_dropped;
    return r;
}

Real mean(const std::vector<Real>& v) {
    Real sum = 0;
    for (Real x : v) sum += x;
    return sum / v.size();
}

Real sample_sd(const std::vector<Real>& v) {
    const Real mu = mean(v);
    Real ss = 0;
    for (Real x : v) ss += (x - mu) * (x - mu);
    return std::sqrt(ss / (v.size() - 1));
}

double student_p(Real t, int degrees_of_freedom) {
    const boost::math::students_t dist(degrees_of_freedom);
    return 2.0 * boost::math::cdf(dist, -std::abs(static_cast<double>(t)));
}

double normal_p(Real z) {
    const boost::math::normal dist(0.0, 1.0);
    return 2.0 * boost::math::cdf(dist, -std::abs(static_cast<double>(z)));
}

struct RefEvent {
    std::vector<Real> aar, caar_path;
    Real caar = 0, cross_t = 0, patell = 0, bmp = 0, kp = 0, r_bar = 0, p_hat = 0, sign_z = 0;
    std::optional<Real> corrado;
    int w = 0;
    Real value_total = 0;
    int with_value = 0;
};

RefEvent reference_event(const std::vector<RefObservation>& obs, const std::vector<double>& shares, const Config& c) {
    const std::size_t N = obs.size();
    const int L = c.estimation_days, T = c.window_end - c.window_start + 1;
    RefEvent e;
    e.aar.assign(T, 0);
    for (const auto& o : obs)
        for (int t = 0; t < T; ++t) e.aar[t] += o.ar[t] / N;
    Real running = 0;
    for (Real a : e.aar) e.caar_path.push_back(running += a);
    e.caar = running;

    std::vector<Real> cars, scars;
    Real variance_sum = 0;
    for (const auto& o : obs) {
        cars.push_back(o.car);
        scars.push_back(o.scar);
        variance_sum += Real(o.degrees_of_freedom) / (o.degrees_of_freedom - 2);
    }
    e.cross_t = mean(cars) / (sample_sd(cars) / std::sqrt(Real(N)));
    e.patell = mean(scars) * N / std::sqrt(variance_sum);
    e.bmp = mean(scars) / (sample_sd(scars) / std::sqrt(Real(N)));

    // r-bar: Pearson correlation on the calendar dates two estimation windows share, by date lookup.
    Real r_sum = 0;
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = i + 1; j < N; ++j) {
            std::map<int32_t, Real> by_date;
            for (std::size_t k = 0; k < obs[i].estimation_dates.size(); ++k)
                by_date[obs[i].estimation_dates[k]] = obs[i].estimation_ar[k];
            std::vector<Real> u, v;
            for (std::size_t k = 0; k < obs[j].estimation_dates.size(); ++k) {
                const auto it = by_date.find(obs[j].estimation_dates[k]);
                if (it == by_date.end()) continue;
                u.push_back(it->second);
                v.push_back(obs[j].estimation_ar[k]);
            }
            if (u.size() < 3) continue;
            const Real mu = mean(u), mv = mean(v);
            Real suv = 0, suu = 0, svv = 0;
            for (std::size_t k = 0; k < u.size(); ++k) {
                suv += (u[k] - mu) * (v[k] - mv);
                suu += (u[k] - mu) * (u[k] - mu);
                svv += (v[k] - mv) * (v[k] - mv);
            }
            r_sum += suv / std::sqrt(suu * svv);
        }
    e.r_bar = r_sum / (N * (N - 1) / 2.0L);
    e.kp = e.bmp * std::sqrt((1 - e.r_bar) / (1 + (N - 1) * e.r_bar));

    // Corrado: ranks by counting (1 + number below + half the ties other than itself).
    if (c.window_start <= 0 && 0 <= c.window_end) {
        const int M = L + T;
        const Real mean_rank = (M + 1) / 2.0L;
        std::vector<Real> cross_mean(M, 0);
        for (const auto& o : obs) {
            std::vector<Real> values = o.estimation_ar;
            values.insert(values.end(), o.ar.begin(), o.ar.end());
            for (int t = 0; t < M; ++t) {
                int below = 0, equal = 0;
                for (int u = 0; u < M; ++u) {
                    below += values[u] < values[t];
                    equal += values[u] == values[t];
                }
                cross_mean[t] += (1 + below + (equal - 1) / 2.0L - mean_rank) / N;
            }
        }
        Real ss = 0;
        for (Real d : cross_mean) ss += d * d;
        e.corrado = cross_mean[L - c.window_start] / std::sqrt(ss / M);
    }

    Real share_sum = 0;
    for (const auto& o : obs) {
        share_sum += Real(std::count_if(o.estimation_ar.begin(), o.estimation_ar.end(), [](Real a) { return a > 0; })) / L;
        if (o.car > 0) ++e.w;
    }
    e.p_hat = share_sum / N;
    e.sign_z = (e.w - N * e.p_hat) / std::sqrt(N * e.p_hat * (1 - e.p_hat));

    for (std::size_t i = 0; i < N; ++i)
        if (!std::isnan(shares[i])) {
            e.value_total += obs[i].car * obs[i].base_close * shares[i];
            ++e.with_value;
        }
    return e;
}

bool close_relative(double actual, Real expected, double relative) {
    if (expected == 0) return actual == 0.0;
    return std::abs(static_cast<Real>(actual) - expected) <= relative * std::abs(expected);
}

// Checks actual against the reference, printing both on failure.
#define CHECK_REF(actual, expected)                                                                        \
    do {                                                                                                   \
        INFO(#actual << " = " << std::scientific << std::setprecision(17) << (actual) << ", reference "    \
                     << static_cast<double>(expected) << " (relative tolerance " << tolerance << ")");    \
        CHECK(close_relative((actual), (expected), tolerance));                                            \
    } while (false)

EventPanelParameters parameters_for(const Config& c) {
    EventPanelParameters p;
    p.estimation_days = c.estimation_days;
    p.gap_days = c.gap_days;
    p.window_start = c.window_start;
    p.window_end = c.window_end;
    p.returns = c.returns;
    p.method = c.method;
    return p;
}

// Illustrative share counts for three of the firms (the rest have none, so firms_with_value is 3).
const std::vector<std::pair<std::string, double>> some_shares = {{"NVDA", 24.4e9}, {"AMD", 1.62e9}, {"INTC", 4.37e9}};

double shares_for(const std::string& key) {
    for (const auto& [k, v] : some_shares)
        if (k == key) return v;
    return not_a_number;
}

const std::vector<PanelEvent> h20_and_h200 = {{"h20", h20_day0, {}}, {"h200", h200_day0, {}}};

void check_panel_against_reference(const std::vector<Series>& firms, const Series& market, const Config& c,
                                   const std::vector<PanelEvent>& events = h20_and_h200) {
    INFO("config " << c.label << ": L " << c.estimation_days << ", G " << c.gap_days << ", window [" << c.window_start
                   << ", " << c.window_end << "], market " << market.key);
    EventPanelParameters p = parameters_for(c);
    p.shares_outstanding = some_shares;
    const auto firm_views = views(firms);
    const EventPanelResult result = run_event_panel(firm_views, market.view(), events, p);
    REQUIRE(result.skipped.empty());
    REQUIRE(result.observations.size() == events.size() * firms.size());
    REQUIRE(result.events.size() == events.size());

    for (std::size_t e = 0; e < events.size(); ++e) {
        INFO("event " << events[e].name << " on " << iso(events[e].event_date_days));
        // Every firm takes part; an event may give some of them a day 0 of their own.
        REQUIRE((events[e].firms.empty() || events[e].firms.size() == firms.size()));
        const auto date_for = [&](const std::string& key) {
            for (const PanelEventFirm& ef : events[e].firms)
                if (ef.firm == key) return ef.event_date_days.value_or(events[e].event_date_days);
            return events[e].event_date_days;
        };
        std::vector<RefObservation> refs;
        std::vector<double> shares;
        for (std::size_t f = 0; f < firms.size(); ++f) {
            const FirmEventResult& got = result.observations[e * firms.size() + f];
            const RefObservation ref = reference_observation(firms[f], market, date_for(firms[f].key), c);
            INFO("firm " << firms[f].key << ", day 0 " << iso(ref.day0));
            REQUIRE(got.firm == firms[f].key);
            REQUIRE(got.event == events[e].name);
            CHECK(got.day0_days == ref.day0);
            CHECK(got.estimation_first_days == ref.estimation_first);
            CHECK(got.estimation_last_days == ref.estimation_last);
            CHECK(got.estimation_dates == ref.estimation_dates);
            CHECK(got.window_dates == ref.window_dates);
            CHECK(got.degrees_of_freedom == ref.degrees_of_freedom);
            CHECK(got.n_estimation == c.estimation_days);
            CHECK(got.n_dropped == ref.n_dropped);
            CHECK_REF(got.alpha, ref.alpha);
            CHECK_REF(got.beta, ref.beta);
            CHECK_REF(got.sigma, ref.s);
            CHECK_REF(got.ar0, ref.ar0);
            REQUIRE(got.abnormal_returns.size() == ref.ar.size());
            REQUIRE(got.ar_variance.size() == ref.ar.size());
            for (std::size_t t = 0; t < ref.ar.size(); ++t) {
                INFO("day " << c.window_start + static_cast<int>(t));
                CHECK_REF(got.abnormal_returns[t], ref.ar[t]);
                CHECK_REF(got.ar_variance[t], ref.ar_variance[t]);
            }
            REQUIRE(got.estimation_residuals.size() == ref.estimation_ar.size());
            for (std::size_t k = 0; k < ref.estimation_ar.size(); ++k) {
                INFO("estimation date " << iso(ref.estimation_dates[k]));
                CHECK_REF(got.estimation_residuals[k], ref.estimation_ar[k]);
            }
            CHECK_REF(got.car, ref.car);
            CHECK_REF(got.car_variance, ref.car_variance);
            CHECK_REF(got.scar, ref.scar);
            CHECK(got.value_base_days == ref.base_date);
            CHECK_REF(got.value_base_close, ref.base_close);
            const double firm_shares = shares_for(firms[f].key);
            if (std::isnan(firm_shares))
                CHECK(std::isnan(got.abnormal_value));
            else
                CHECK_REF(got.abnormal_value, ref.car * ref.base_close * firm_shares);
            refs.push_back(ref);
            shares.push_back(firm_shares);
        }

        const EventAggregate& g = result.events[e];
        const RefEvent ref = reference_event(refs, shares, c);
        CHECK(g.event == events[e].name);
        CHECK(g.firm_count == static_cast<int>(firms.size()));
        int32_t earliest_day0 = refs[0].day0;
        for (const auto& ref_obs : refs) earliest_day0 = std::min(earliest_day0, ref_obs.day0);
        CHECK(g.day0_days == earliest_day0);
        REQUIRE(g.aar.size() == ref.aar.size());
        REQUIRE(g.caar_path.size() == ref.aar.size());
        for (std::size_t t = 0; t < ref.aar.size(); ++t) {
            INFO("day " << c.window_start + static_cast<int>(t));
            CHECK(g.relative_days[t] == c.window_start + static_cast<int>(t));
            CHECK_REF(g.aar[t], ref.aar[t]);
            CHECK_REF(g.caar_path[t], ref.caar_path[t]);
        }
        CHECK_REF(g.caar, ref.caar);
        const int n_minus_1 = static_cast<int>(firms.size()) - 1;
        CHECK_REF(g.cross_sectional_t.statistic, ref.cross_t);
        CHECK_REF(g.cross_sectional_t.p_value, student_p(ref.cross_t, n_minus_1));
        CHECK(g.cross_sectional_t.degrees_of_freedom == n_minus_1);
        CHECK_REF(g.patell_z.statistic, ref.patell);
        CHECK_REF(g.patell_z.p_value, normal_p(ref.patell));
        CHECK(g.patell_z.degrees_of_freedom == 0);
        CHECK_REF(g.bmp_t.statistic, ref.bmp);
        CHECK_REF(g.bmp_t.p_value, student_p(ref.bmp, n_minus_1));
        CHECK(g.bmp_t.degrees_of_freedom == n_minus_1);
        CHECK_REF(g.mean_residual_correlation, ref.r_bar);
        CHECK_REF(g.kolari_pynnonen_t.statistic, ref.kp);
        CHECK_REF(g.kolari_pynnonen_t.p_value, student_p(ref.kp, n_minus_1));
        CHECK(g.kolari_pynnonen_t.degrees_of_freedom == n_minus_1);
        REQUIRE(g.corrado_z.has_value() == ref.corrado.has_value());
        if (ref.corrado) {
            CHECK_REF(g.corrado_z->statistic, *ref.corrado);
            CHECK_REF(g.corrado_z->p_value, normal_p(*ref.corrado));
            CHECK(g.corrado_z->degrees_of_freedom == 0);
        }
        CHECK_REF(g.estimation_positive_share, ref.p_hat);
        CHECK(g.positive_car_count == ref.w);
        CHECK_REF(g.generalized_sign_z.statistic, ref.sign_z);
        CHECK_REF(g.generalized_sign_z.p_value, normal_p(ref.sign_z));
        CHECK(g.generalized_sign_z.degrees_of_freedom == 0);
        CHECK(g.firms_with_value == ref.with_value);
        CHECK_REF(g.abnormal_value_total, ref.value_total);
    }
}

}  // namespace

TEST_CASE("stock.event_panel on twelve semiconductor firms, two events: every statistic against the reference",
          "[event_panel]") {
    const std::vector<Series> firms = semis_firms();
    const Series& spx = semis().at("SPX");
    std::vector<Config> configs = {
        {"simple returns, market model", 120, 10, 0, 1, ReturnType::simple, Method::market_model},
        {"log returns, market model", 120, 10, 0, 1, ReturnType::log, Method::market_model},
        {"constant mean", 120, 10, 0, 1, ReturnType::simple, Method::constant_mean},
        {"market adjusted", 120, 10, 0, 1, ReturnType::simple, Method::market_adjusted},
        // Day 0 inside a wider window (Corrado's day-0 position moves), and a window after day 0 (no Corrado).
        {"window [-2, 3]", 120, 10, -2, 3, ReturnType::simple, Method::market_model},
        {"window [1, 3], log", 120, 10, 1, 3, ReturnType::log, Method::market_model},
    };
    for (const Config& c : configs) check_panel_against_reference(firms, spx, c);
}

TEST_CASE("stock.event_panel with dates missing from some firms: alignment, n_dropped and r-bar on shared dates",
          "[event_panel]") {
    std::vector<Series> firms = semis_firms();
    // AMD loses three days inside both estimation windows, MU one day in h200's window, so their
    // windows cover other calendar dates than the rest: r-bar must pair residuals by date.
    const auto drop = [](Series& s, int32_t date) {
        const auto it = std::find(s.dates.begin(), s.dates.end(), date);
        REQUIRE(it != s.dates.end());
        s.closes.erase(s.closes.begin() + (it - s.dates.begin()));
        s.dates.erase(it);
    };
    drop(firms[1], days(2025, 1, 15));
    drop(firms[1], days(2025, 2, 3));
    drop(firms[1], days(2025, 8, 12));
    drop(firms[4], days(2025, 9, 17));
    // The market lacks a day as well: it drops out of every firm's common dates.
    Series spx = semis().at("SPX");
    drop(spx, days(2025, 7, 8));
    check_panel_against_reference(firms, spx, {"gappy AMD and MU", 120, 10, 0, 1, ReturnType::simple, Method::market_model});
    check_panel_against_reference(firms, spx, {"gappy, market adjusted", 120, 10, 0, 1, ReturnType::log, Method::market_adjusted});
}

TEST_CASE("stock.event_panel in event time: each firm on its own day 0, estimation windows partly shared",
          "[event_panel]") {
    // Day 0 at these positions of the common dates: the estimation windows (days -130..-11) of
    // positions 131 and 249 share 2 dates (r counts as 0), of 131 and 248 share 3, of 131 and 359
    // none; the others overlap by every amount in between.
    const Series& spx = semis().at("SPX");
    const std::vector<std::size_t> positions = {131, 249, 248, 359, 200, 300, 150, 170, 190, 210, 230, 280};
    const std::vector<Series> firms = semis_firms();
    PanelEvent earnings{"earnings", 0, {}};
    for (std::size_t f = 0; f < firms.size(); ++f) earnings.firms.push_back({firms[f].key, spx.dates.at(positions[f])});
    earnings.event_date_days = spx.dates.at(positions[0]);
    for (const Config& c : {Config{"event time, market model", 120, 10, -1, 1, ReturnType::simple, Method::market_model},
                            Config{"event time, market adjusted, log", 120, 10, 0, 1, ReturnType::log, Method::market_adjusted}})
        check_panel_against_reference(firms, spx, c, {earnings});
}

TEST_CASE("stock.event_panel with tied abnormal returns: Corrado's average ranks", "[event_panel]") {
    // Firms whose closes cycle through a few levels repeat the same returns exactly, so under the
    // constant-mean benchmark (AR = R - mean) their abnormal returns tie many times over.
    const Series& spx = semis().at("SPX");
    const auto cycling = [&](const std::string& key, const std::vector<double>& levels) {
        Series s{key, spx.dates, {}};
        for (std::size_t i = 0; i < spx.dates.size(); ++i) s.closes.push_back(levels[i % levels.size()]);
        return s;
    };
    const std::vector<Series> firms = {cycling("TWO", {100.0, 102.0}), cycling("FOUR", {50.0, 51.0, 52.0, 51.0}),
                                       cycling("FIVE", {20.0, 20.5, 21.0, 20.5, 19.5}), semis().at("NVDA"),
                                       semis().at("MU")};
    check_panel_against_reference(firms, spx, {"ties, constant mean", 120, 10, -1, 2, ReturnType::simple, Method::constant_mean});
    // Simple returns only: the log returns of a cycle sum to exactly zero, so a CAR over a whole cycle
    // would be zero in exact arithmetic and its sign (the sign test's w) mere rounding.
    check_panel_against_reference(firms, spx, {"ties, constant mean, L 60", 60, 5, 0, 1, ReturnType::simple, Method::constant_mean});
}

TEST_CASE("stock.event_panel with one firm agrees exactly with stock.event_study", "[event_panel]") {
    const Series& spx = semis().at("SPX");
    Series gappy = semis().at("AMD");
    // A date only the market has, inside the span: both must fold it into the next return alike.
    gappy.closes.erase(gappy.closes.begin() + 200);
    gappy.dates.erase(gappy.dates.begin() + 200);
    const std::vector<const Series*> firms = {&semis().at("NVDA"), &semis().at("INTC"), &gappy};
    for (const Series* firm : firms)
        for (Method method : {Method::market_model, Method::market_adjusted, Method::constant_mean})
            for (ReturnType returns : {ReturnType::simple, ReturnType::log})
                for (int32_t date : {h20_day0, h200_day0, days(2025, 4, 19) /* a Saturday */}) {
                    INFO(firm->key << " " << method_name(method) << (returns == ReturnType::log ? " log" : " simple")
                                   << " event " << iso(date));
                    EventStudyParameters sp;
                    sp.event_date_days = date;
                    sp.estimation_days = 120;
                    sp.gap_days = 10;
                    sp.window_start = -1;
                    sp.window_end = 2;
                    sp.returns = returns;
                    sp.method = method;
                    sp.shares_outstanding = 1.5e9;
                    EventPanelParameters pp;
                    pp.estimation_days = sp.estimation_days;
                    pp.gap_days = sp.gap_days;
                    pp.window_start = sp.window_start;
                    pp.window_end = sp.window_end;
                    pp.returns = returns;
                    pp.method = method;
                    pp.shares_outstanding = {{firm->key, 1.5e9}};
                    const EventStudyResult single = run_event_study(firm->view(), spx.view(), sp);
                    const FirmEventResult panel = estimate_firm_event(firm->view(), spx.view(), "solo", date, pp);
                    // Bitwise: the same alignment, returns, fit and AR code runs in both.
                    CHECK(panel.alpha == single.alpha);
                    CHECK(panel.beta == single.beta);
                    CHECK(panel.sigma == single.sigma);
                    CHECK(panel.degrees_of_freedom == single.degrees_of_freedom);
                    CHECK(panel.ar0 == single.ar0);
                    CHECK(panel.car == single.car);
                    REQUIRE(panel.abnormal_returns.size() == single.window.size());
                    for (std::size_t t = 0; t < single.window.size(); ++t) {
                        CHECK(panel.abnormal_returns[t] == single.window[t].abnormal_return);
                        CHECK(panel.window_dates[t] == single.window[t].date_days);
                    }
                    CHECK(panel.day0_days == single.day0_days);
                    CHECK(panel.estimation_first_days == single.estimation_first_days);
                    CHECK(panel.estimation_last_days == single.estimation_last_days);
                    CHECK(panel.n_dropped == single.n_dropped);
                    CHECK(panel.value_base_days == single.market_cap_base_days);
                    CHECK(panel.value_base_close == single.market_cap_base_close);
                    CHECK(panel.abnormal_value == single.abnormal_market_cap);

                    // The same observation inside a panel of two firms.
                    const std::vector<DatedCloses> two = {firm->view(), semis().at("MU").view()};
                    const std::vector<PanelEvent> events = {{"solo", date, {}}};
                    const EventPanelResult result = run_event_panel(two, spx.view(), events, pp);
                    REQUIRE(result.observations.size() == 2);
                    const FirmEventResult& in_panel = result.observations[0];
                    CHECK(in_panel.alpha == single.alpha);
                    CHECK(in_panel.beta == single.beta);
                    CHECK(in_panel.sigma == single.sigma);
                    CHECK(in_panel.ar0 == single.ar0);
                    CHECK(in_panel.car == single.car);
                    for (std::size_t t = 0; t < single.window.size(); ++t)
                        CHECK(in_panel.abnormal_returns[t] == single.window[t].abnormal_return);
                }
}

TEST_CASE("stock.event_panel: per-firm day 0, event and firm order, firms without shares", "[event_panel]") {
    const std::vector<Series> firms = semis_firms();
    const auto firm_views = views(firms);
    const Series& spx = semis().at("SPX");
    EventPanelParameters p;
    // Listed out of series order, with one firm on its own day 0 (an earnings day).
    const std::vector<PanelEvent> events = {
        {"earn", h200_day0, {{"MU", std::nullopt}, {"NVDA", days(2025, 11, 20)}, {"AMD", std::nullopt}}}};
    const EventPanelResult r = run_event_panel(firm_views, spx.view(), events, p);
    REQUIRE(r.observations.size() == 3);
    CHECK(r.observations[0].firm == "NVDA");
    CHECK(r.observations[1].firm == "AMD");
    CHECK(r.observations[2].firm == "MU");
    CHECK(r.observations[0].day0_days == days(2025, 11, 20));
    CHECK(r.observations[1].day0_days == h200_day0);
    CHECK(r.events[0].day0_days == days(2025, 11, 20));  // the earliest day 0 of the event
    CHECK(std::isnan(r.events[0].abnormal_value_total));
    CHECK(r.events[0].firms_with_value == 0);
    CHECK(std::isnan(r.observations[0].abnormal_value));
    // The per-firm day 0 reaches the reference the same way.
    const Config c{"own day 0", 120, 10, 0, 1, ReturnType::simple, Method::market_model};
    const RefObservation ref = reference_observation(firms[0], spx, days(2025, 11, 20), c);
    CHECK_REF(r.observations[0].car, ref.car);
    CHECK_REF(r.observations[0].scar, ref.scar);
}

// ---- Errors: the exception type, the key and what the message says ---------------------

namespace {

template <class F>
void require_input_error(F&& f, const std::string& key, const std::vector<std::string>& fragments) {
    try {
        f();
        FAIL("no exception; expected InputError(" << key << ")");
    } catch (const impact::sdk::InputError& e) {
        INFO("message: " << e.what());
        CHECK(e.key() == key);
        for (const auto& fragment : fragments) {
            INFO("expected fragment: " << fragment);
            CHECK(std::string(e.what()).find(fragment) != std::string::npos);
        }
    }
}

template <class F>
void require_domain_error(F&& f, const std::vector<std::string>& fragments) {
    try {
        f();
        FAIL("no exception; expected std::domain_error");
    } catch (const std::domain_error& e) {
        INFO("message: " << e.what());
        for (const auto& fragment : fragments) {
            INFO("expected fragment: " << fragment);
            CHECK(std::string(e.what()).find(fragment) != std::string::npos);
        }
    }
}

}  // namespace

TEST_CASE("stock.event_panel refuses what the data cannot support, naming the input", "[event_panel]") {
    std::vector<Series> firms = semis_firms();
    const Series& spx = semis().at("SPX");
    const EventPanelParameters p;
    const std::vector<PanelEvent> both = {{"h20", h20_day0, {}}, {"h200", h200_day0, {}}};
    const auto run = [&](const std::vector<Series>& fs, const std::vector<PanelEvent>& evs,
                         const EventPanelParameters& params) {
        const auto v = views(fs);
        return run_event_panel(v, spx.view(), evs, params);
    };

    SECTION("a NaN close inside the span used") {
        const auto it = std::find(firms[0].dates.begin(), firms[0].dates.end(), days(2025, 1, 15));
        firms[0].closes[it - firms[0].dates.begin()] = not_a_number;
        require_input_error([&] { run(firms, both, p); }, "firms", {"NVDA", "event h20", "2025-01-15", "finite and > 0"});

        // skip_incomplete: NVDA is left out of h20 only, with the reason; h200 keeps all twelve.
        EventPanelParameters skipping = p;
        skipping.skip_incomplete = true;
        const EventPanelResult r = run(firms, both, skipping);
        REQUIRE(r.skipped.size() == 1);
        CHECK(r.skipped[0].firm == "NVDA");
        CHECK(r.skipped[0].event == "h20");
        CHECK(r.skipped[0].reason.find("2025-01-15") != std::string::npos);
        CHECK(r.skipped[0].reason.find("finite and > 0") != std::string::npos);
        CHECK(r.events[0].firm_count == 11);
        CHECK(r.events[1].firm_count == 12);
        CHECK(r.observations.size() == 23);
        CHECK(r.observations[0].firm == "AMD");
    }
    SECTION("too short a history before day 0") {
        const std::vector<PanelEvent> early = {{"early", days(2024, 12, 2), {}}};
        require_input_error([&] { run(firms, early, p); }, "firms", {"NVDA", "event early", "131 common trading days before day 0"});
    }
    SECTION("an event window past the end of the data") {
        const std::vector<PanelEvent> late = {{"late", firms[0].dates.back(), {}}};
        require_input_error([&] { run(firms, late, p); }, "firms", {"event late", "after day 0"});
    }
    SECTION("an event outside the data") {
        const std::vector<PanelEvent> future = {{"future", days(2030, 1, 2), {}}};
        require_input_error([&] { run(firms, future, p); }, "firms", {"event future", "2030-01-02", "lies outside the data", "2024-08-22"});
        EventPanelParameters skipping = p;
        skipping.skip_incomplete = true;
        // Every firm skipped: the event cannot be aggregated, and the error says why.
        require_input_error([&] { run(firms, future, skipping); }, "events", {"future", "skipping", "NVDA", "lies outside the data"});
    }
    SECTION("duplicate firm keys") {
        firms.push_back(semis().at("AMD"));
        require_input_error([&] { run(firms, both, p); }, "firms", {"AMD", "more than once"});
    }
    SECTION("overlapping windows of two events sharing a firm") {
        const std::vector<PanelEvent> close_events = {{"first", h20_day0, {{"NVDA", {}}, {"AMD", {}}}},
                                                      {"second", days(2025, 6, 2), {{"NVDA", {}}, {"INTC", {}}}}};
        require_input_error([&] { run(firms, close_events, p); }, "events", {"first", "second", "NVDA", "estimation window"});
        const std::vector<PanelEvent> same_day = {{"one", h20_day0, {{"AMD", {}}, {"MU", {}}}},
                                                  {"two", days(2025, 4, 17), {{"MU", {}}, {"TSM", {}}}}};
        require_input_error([&] { run(firms, same_day, p); }, "events", {"one", "two", "MU", "2025-04-17"});
    }
    SECTION("fewer than two firms") {
        const std::vector<PanelEvent> single = {{"alone", h20_day0, {{"NVDA", {}}}}};
        require_input_error([&] { run(firms, single, p); }, "events", {"alone", "NVDA", "at least 2 firms", "stock.event_study"});
    }
    SECTION("an unknown firm, a firm listed twice, bad and duplicate event names") {
        require_input_error([&] { run(firms, {{"x", h20_day0, {{"NVDA", {}}, {"XYZ", {}}}}}, p); }, "events", {"x", "XYZ"});
        require_input_error([&] { run(firms, {{"x", h20_day0, {{"NVDA", {}}, {"NVDA", {}}}}}, p); }, "events", {"NVDA", "twice"});
        require_input_error([&] { run(firms, {{"H20", h20_day0, {}}}, p); }, "events", {"H20"});
        require_input_error([&] { run(firms, {{"h", h20_day0, {}}, {"h", h200_day0, {}}}, p); }, "events", {"h", "more than once"});
    }
    SECTION("parameters as stock.event_study checks them") {
        EventPanelParameters bad = p;
        bad.estimation_days = 9;
        require_input_error([&] { run(firms, both, bad); }, "estimation_days", {"estimation_days"});
        bad = p;
        bad.window_start = -11;
        require_input_error([&] { run(firms, both, bad); }, "window_start", {"inside the estimation window"});
        bad = p;
        bad.shares_outstanding = {{"NVDA", -1.0}};
        require_input_error([&] { run(firms, both, bad); }, "shares_outstanding", {"NVDA"});
    }
    SECTION("every CAR equal: no cross-sectional t") {
        Series twin = semis().at("NVDA");
        twin.key = "NVDA2";
        const std::vector<Series> twins = {semis().at("NVDA"), twin};
        require_domain_error([&] { run(twins, both, p); }, {"cross-sectional t", "h20"});
        // Three equal CARs: their mean need not round back to them, yet the test is still undefined.
        Series triplet = twin;
        triplet.key = "NVDA3";
        const std::vector<Series> triplets = {semis().at("NVDA"), twin, triplet};
        require_domain_error([&] { run(triplets, both, p); }, {"cross-sectional t", "h20"});
    }
}

namespace {

// An observation built by hand, for the tests whose degenerate data no close series produces easily.
FirmEventResult hand_made(const std::string& firm, std::vector<double> residuals, std::vector<int32_t> dates,
                          std::vector<double> window_ars, double scar) {
    FirmEventResult o;
    o.firm = firm;
    o.event = "made";
    o.degrees_of_freedom = static_cast<int>(residuals.size()) - 2;
    o.n_estimation = static_cast<int>(residuals.size());
    o.estimation_residuals = std::move(residuals);
    o.estimation_dates = std::move(dates);
    o.abnormal_returns = std::move(window_ars);
    for (double ar : o.abnormal_returns) o.car += ar;
    o.scar = scar;
    o.abnormal_value = not_a_number;
    return o;
}

std::vector<int32_t> consecutive_dates(int32_t first, int count) {
    std::vector<int32_t> out;
    for (int k = 0; k < count; ++k) out.push_back(first + k);
    return out;
}

}  // namespace

TEST_CASE("stock.event_panel aggregate_event: a test without a defined value is a domain_error naming the test and the event",
          "[event_panel]") {
    EventPanelParameters p;
    p.estimation_days = 10;
    p.gap_days = 0;
    p.window_start = 0;
    p.window_end = 1;
    const PanelEvent made{"made", 0, {}};
    const std::vector<double> rising = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const std::vector<double> falling = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    const std::vector<double> mixed = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10};

    SECTION("r-bar = -1 for two firms: 1 + (N - 1) r-bar = 0") {
        const std::vector<FirmEventResult> obs = {hand_made("A", rising, consecutive_dates(100, 10), {0.5, 0.2}, 1.0),
                                                  hand_made("B", falling, consecutive_dates(100, 10), {0.1, 0.3}, 2.0)};
        require_domain_error([&] { aggregate_event(made, obs, p); }, {"Kolari-Pynnonen", "made"});
    }
    SECTION("ranks whose cross-sectional mean never moves: S_K = 0") {
        // Firm B ranks every position opposite to firm A; disjoint estimation dates keep r-bar at 0.
        const std::vector<FirmEventResult> obs = {hand_made("A", rising, consecutive_dates(100, 10), {11, 12}, 1.0),
                                                  hand_made("B", {12, 11, 10, 9, 8, 7, 6, 5, 4, 3}, consecutive_dates(300, 10),
                                                            {2, 1}, 2.0)};
        require_domain_error([&] { aggregate_event(made, obs, p); }, {"Corrado", "made"});
    }
    SECTION("no positive estimation-window abnormal return: p-hat = 0") {
        std::vector<double> negative_a, negative_b;
        for (double x : rising) negative_a.push_back(-x);
        for (double x : mixed) negative_b.push_back(-std::abs(x) - 0.5);
        const std::vector<FirmEventResult> obs = {hand_made("A", negative_a, consecutive_dates(100, 10), {0.5, 0.2}, 1.0),
                                                  hand_made("B", negative_b, consecutive_dates(300, 10), {0.1, 0.3}, 2.0)};
        require_domain_error([&] { aggregate_event(made, obs, p); }, {"generalized sign", "made"});
    }
    SECTION("every SCAR equal: no BMP t") {
        const std::vector<FirmEventResult> obs = {hand_made("A", rising, consecutive_dates(100, 10), {0.5, 0.2}, 1.5),
                                                  hand_made("B", mixed, consecutive_dates(300, 10), {0.1, 0.3}, 1.5)};
        require_domain_error([&] { aggregate_event(made, obs, p); }, {"BMP", "made"});
    }
    SECTION("one observation is not a cross-section") {
        const std::vector<FirmEventResult> obs = {hand_made("A", rising, consecutive_dates(100, 10), {0.5, 0.2}, 1.0)};
        require_input_error([&] { aggregate_event(made, obs, p); }, "events", {"made", "A", "at least 2 firms"});
    }
}
