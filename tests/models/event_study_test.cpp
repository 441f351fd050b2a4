// Tests stock.event_study through the C ABI on the real NVDA and S&P 500 closes against an OLS fit written here.
#include "support/plugin_abi.hpp"
#include "support/reference_math.hpp"

#include <catch2/catch.hpp>

#include <boost/math/distributions/students_t.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace impact::test;

const LoadedPlugin& stock_plugin() { return require_loaded_plugin(IMPACT_PLUGIN_OUTPUT_DIR "/impact-stock.so"); }

constexpr const char* model_id = "stock.event_study";
enum Out {
    alpha_out, beta_out, sigma_out, ar0_out, ar0_t_out, ar0_p_out, car_out, car_t_out, car_p_out,
    abnormal_market_cap_out, n_estimation_out, n_dropped_out, output_count
};

// ---- Reading the shared data (the test's own reader; the plugin does no file I/O) ------

int32_t parse_iso_date(const std::string& text) {
    int year = 0;
    unsigned month = 0, day = 0;
    char dash1 = 0, dash2 = 0;
    std::istringstream in(text);
    in >> year >> dash1 >> month >> dash2 >> day;
    if (!in || dash1 != '-' || dash2 != '-') throw std::runtime_error("bad date '" + text + "'");
    return days(year, month, day);
}

// The `date` and `close` columns of a CSV with a header row.
OwnedSeries read_closes(const std::string& path, const std::string& label) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    std::string line;
    std::getline(file, line);
    std::vector<std::string> header;
    {
        std::istringstream cells(line);
        for (std::string cell; std::getline(cells, cell, ',');) header.push_back(cell);
    }
    const auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw std::runtime_error(path + " has no column " + name);
        return static_cast<std::size_t>(it - header.begin());
    };
    const std::size_t date_column = column("date"), close_column = column("close");
    OwnedSeries series{label, {}, {}};
    while (std::getline(file, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells;
        std::istringstream row(line);
        for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
        series.dates.push_back(parse_iso_date(cells.at(date_column)));
        series.values.push_back(std::stod(cells.at(close_column)));
    }
    return series;
}

const OwnedSeries& nvda() {
    static const OwnedSeries s = read_closes(IMPACT_SHARED_DIR "/data/nvda-daily-2024-06_2025-05.csv", "NVDA close");
    return s;
}
const OwnedSeries& spx() {
    static const OwnedSeries s = read_closes(IMPACT_SHARED_DIR "/data/sp500-daily-2024-01_2026-01.csv", "S&P 500");
    return s;
}

// ---- The reference study, written from the textbook formulas, not the plugin's code ----

struct Setup {
    int32_t event_date;
    int estimation_days = 120;
    int gap_days = 10;
    int window_start = 0;
    int window_end = 1;
    std::string returns = "simple";
    std::string method = "market_model";
    double shares = std::numeric_limits<double>::quiet_NaN();  // NaN: not given
};

struct Reference {
    double alpha, beta, sigma;
    int degrees_of_freedom;
    std::vector<double> window_ar;    // days a..b
    std::vector<int32_t> window_dates;
    double ar0, car, ar0_t, car_t, ar0_p, car_p;
    double base_close;                // stock close on day a - 1
    int n_dropped;
    int32_t day0, estimation_first, estimation_last;
};

double two_sided_p(double t, int degrees_of_freedom) {
    const boost::math::students_t dist(degrees_of_freedom);
    return 2.0 * boost::math::cdf(boost::math::complement(dist, std::abs(t)));
}

Reference reference_study(const OwnedSeries& stock, const OwnedSeries& market, const Setup& s) {
    // Common dates through a map lookup (the plugin merges two sorted lists).
    std::map<int32_t, double> market_by_date;
    for (std::size_t i = 0; i < market.dates.size(); ++i) market_by_date[market.dates[i]] = market.values[i];
    std::vector<int32_t> dates;
    std::vector<double> p, m;  // stock and market closes on common dates
    for (std::size_t i = 0; i < stock.dates.size(); ++i) {
        const auto it = market_by_date.find(stock.dates[i]);
        if (it == market_by_date.end()) continue;
        dates.push_back(stock.dates[i]);
        p.push_back(stock.values[i]);
        m.push_back(it->second);
    }
    std::size_t day0 = 0;
    while (dates[day0] < s.event_date) ++day0;
    const auto ret = [&](const std::vector<double>& closes, std::size_t i) {
        return s.returns == "log" ? std::log(closes[i]) - std::log(closes[i - 1]) : closes[i] / closes[i - 1] - 1.0;
    };
    const int L = s.estimation_days, G = s.gap_days;
    std::vector<long double> x, y;
    for (std::size_t i = day0 - G - L; i <= day0 - G - 1; ++i) {
        x.push_back(ret(m, i));
        y.push_back(ret(p, i));
    }
    Reference r{};
    // Closed-form normal equations on raw sums, in long double to keep the digits the
    // n Sxy - Sx Sy form cancels.
    long double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = 0; k < L; ++k) {
        sx += x[k];
        sy += y[k];
        sxx += x[k] * x[k];
        sxy += x[k] * y[k];
    }
    long double alpha = 0, beta = 0;
    if (s.method == "market_model") {
        beta = (L * sxy - sx * sy) / (L * sxx - sx * sx);
        alpha = (sy - beta * sx) / L;
        r.degrees_of_freedom = L - 2;
    } else if (s.method == "constant_mean") {
        alpha = sy / L;
        r.degrees_of_freedom = L - 1;
    } else {  // market_adjusted
        beta = 1;
        r.degrees_of_freedom = L - 1;
    }
    long double ssr = 0, ar_sum = 0;
    for (int k = 0; k < L; ++k) ar_sum += y[k] - alpha - beta * x[k];
    // market_adjusted: the sample variance of the ARs about their mean (README.md); the
    // others: the residuals themselves, whose mean is zero by construction.
    const long double ar_mean = s.method == "market_adjusted" ? ar_sum / L : 0;
    for (int k = 0; k < L; ++k) ssr += std::pow(y[k] - alpha - beta * x[k] - ar_mean, 2);
    r.alpha = static_cast<double>(alpha);
    r.beta = static_cast<double>(beta);
    r.sigma = static_cast<double>(std::sqrt(ssr / r.degrees_of_freedom));

    const auto abnormal = [&](std::size_t i) {
        return static_cast<double>(ret(p, i) - alpha - beta * static_cast<long double>(ret(m, i)));
    };
    r.ar0 = abnormal(day0);
    r.car = 0;
    for (int k = s.window_start; k <= s.window_end; ++k) {
        r.window_ar.push_back(abnormal(day0 + k));
        r.window_dates.push_back(dates[day0 + k]);
        r.car += r.window_ar.back();
    }
    r.ar0_t = r.ar0 / r.sigma;
    r.car_t = r.car / (r.sigma * std::sqrt(s.window_end - s.window_start + 1.0));
    r.ar0_p = two_sided_p(r.ar0_t, r.degrees_of_freedom);
    r.car_p = two_sided_p(r.car_t, r.degrees_of_freedom);
    r.base_close = p[day0 + s.window_start - 1];
    r.day0 = dates[day0];
    r.estimation_first = dates[day0 - G - L];
    r.estimation_last = dates[day0 - G - 1];

    // Dates of either series between the first and last close used, without a partner.
    const int32_t first = dates[day0 - G - L - 1];
    const int32_t last = dates[day0 + std::max(s.window_end, 0)];
    std::map<int32_t, int> seen;  // date -> in how many series
    for (int32_t d : stock.dates) ++seen[d];
    for (int32_t d : market.dates) ++seen[d];
    r.n_dropped = 0;
    for (const auto& [date, count] : seen)
        if (date >= first && date <= last && count == 1) ++r.n_dropped;
    return r;
}

struct Study {
    std::vector<impact_series> stock_view, market_view;
    std::vector<impact_value> values;
};

// The prepared values a host would pass for this setup.
Study prepare_values(const OwnedSeries& stock, const OwnedSeries& market, const Setup& s) {
    Study st;
    st.stock_view = {stock.view()};
    st.market_view = {market.view()};
    st.values = {series_value("stock", st.stock_view.data(), 1),
                 series_value("market", st.market_view.data(), 1),
                 date_value("event_date", s.event_date),
                 number_value("estimation_days", s.estimation_days),
                 number_value("gap_days", s.gap_days),
                 number_value("window_start", s.window_start),
                 number_value("window_end", s.window_end),
                 text_value("returns", s.returns.c_str()),
                 text_value("method", s.method.c_str())};
    if (!std::isnan(s.shares)) st.values.push_back(number_value("shares_outstanding", s.shares));
    return st;
}

std::string iso(int32_t days_since_epoch) {
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{days_since_epoch}}};
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return text;
}

// Runs the plugin on `setup` and checks every output against reference_study().
void check_against_reference(const OwnedSeries& stock, const OwnedSeries& market, const Setup& setup) {
    CAPTURE(iso(setup.event_date), setup.estimation_days, setup.gap_days, setup.window_start, setup.window_end,
            setup.returns, setup.method, setup.shares);
    const Study study = prepare_values(stock, market, setup);
    const ModelInstance model(stock_plugin(), model_id, study.values);
    INFO("create: " << model.create_error.message);
    REQUIRE(model.status == IMPACT_STATUS_OK);
    REQUIRE(model.input_width == 0);
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(model.evaluate({}, 1, out, error) == IMPACT_STATUS_OK);
    const Reference ref = reference_study(stock, market, setup);

    // Source: the OLS normal equations (MacKinlay 1997) evaluated above; 1e-9 relative
    // for the fit and the abnormal returns, 1e-8 for t and p (boost::math::students_t).
    CAPTURE(out[alpha_out], ref.alpha, out[beta_out], ref.beta, out[sigma_out], ref.sigma);
    CHECK(close_relative(out[alpha_out], ref.alpha, 1e-9));
    CHECK(close_relative(out[beta_out], ref.beta, 1e-9));
    CHECK(close_relative(out[sigma_out], ref.sigma, 1e-9));
    CAPTURE(out[ar0_out], ref.ar0, out[car_out], ref.car);
    CHECK(close_relative(out[ar0_out], ref.ar0, 1e-9));
    CHECK(close_relative(out[car_out], ref.car, 1e-9));
    CAPTURE(out[ar0_t_out], ref.ar0_t, out[car_t_out], ref.car_t, out[ar0_p_out], ref.ar0_p, out[car_p_out], ref.car_p);
    CHECK(close_relative(out[ar0_t_out], ref.ar0_t, 1e-8));
    CHECK(close_relative(out[car_t_out], ref.car_t, 1e-8));
    CHECK(close_relative(out[ar0_p_out], ref.ar0_p, 1e-8));
    CHECK(close_relative(out[car_p_out], ref.car_p, 1e-8));
    CHECK(out[n_estimation_out] == setup.estimation_days);
    CHECK(out[n_dropped_out] == ref.n_dropped);
    if (std::isnan(setup.shares)) {
        CHECK(std::isnan(out[abnormal_market_cap_out]));
    } else {
        CHECK(close_relative(out[abnormal_market_cap_out], ref.car * ref.base_close * setup.shares, 1e-9));
    }

    // Notes: day 0, the estimation window, and one AR per window day (10 significant
    // digits, so within 1e-9 relative of the reference).
    const auto notes = model.notes();
    const auto note = [&](const std::string& key) {
        for (const auto& [k, v] : notes)
            if (k == key) return v;
        FAIL("no note " << key);
        return std::string();
    };
    CHECK(note("day0") == iso(ref.day0));
    CHECK(note("estimation") == iso(ref.estimation_first) + ".." + iso(ref.estimation_last));
    for (int k = setup.window_start; k <= setup.window_end; ++k) {
        const std::string key = "ar[" + (k > 0 ? "+" + std::to_string(k) : std::to_string(k)) + "]";
        const std::string value = note(key);
        const std::size_t i = static_cast<std::size_t>(k - setup.window_start);
        CAPTURE(key, value, ref.window_ar[i]);
        REQUIRE(value.size() > 11);
        CHECK(value.substr(0, 10) == iso(ref.window_dates[i]));
        CHECK(value.find('e') == std::string::npos);  // plain decimal
        CHECK(close_relative(std::stod(value.substr(11)), ref.window_ar[i], 1e-9));
    }
}

const int32_t april_16_2025 = days(2025, 4, 16);

}  // namespace

TEST_CASE("the stock.event_study descriptor", "[stock][event_study]") {
    const impact_model_descriptor* d = stock_plugin().descriptor(model_id);
    REQUIRE(d != nullptr);
    CHECK(d->thread_safety == IMPACT_THREAD_FULLY_SAFE);
    // The variance convention and the t distribution must be stated where a report can show them.
    CHECK(std::strstr(d->references, "MacKinlay") != nullptr);
    CHECK(std::strstr(d->references, "no estimation-error term") != nullptr);
    CHECK(std::strstr(d->references, "Boost.Math upper tail") != nullptr);
    constexpr uint32_t req = IMPACT_INPUT_REQUIRED, def = IMPACT_INPUT_HAS_DEFAULT, lo = IMPACT_INPUT_HAS_MIN,
                       hi = IMPACT_INPUT_HAS_MAX, prep = IMPACT_INPUT_PREPARED;
    // Every bound the model enforces is declared (so `impact validate` catches it): the window
    // limits are +-max_trading_days (plugins/stock/event_study.hpp).
    constexpr double max_days = 100000;
    struct ExpectedInput {
        const char* key;
        impact_input_kind kind;
        const char* unit;
        uint32_t flags;
        double default_number, min_value;
    };
    const ExpectedInput inputs[] = {
        {"stock", IMPACT_KIND_SERIES, "", req, 0, 0},
        {"market", IMPACT_KIND_SERIES, "", req, 0, 0},
        {"event_date", IMPACT_KIND_DATE, "", req, 0, 0},
        {"estimation_days", IMPACT_KIND_NUMBER, "days", prep | def | lo | hi, 120, 10},
        {"gap_days", IMPACT_KIND_NUMBER, "days", prep | def | lo | hi, 10, 0},
        {"window_start", IMPACT_KIND_NUMBER, "days", prep | def | lo | hi, 0, -max_days},
        {"window_end", IMPACT_KIND_NUMBER, "days", prep | def | lo | hi, 1, -max_days},
        {"returns", IMPACT_KIND_TEXT, "", def, 0, 0},
        {"method", IMPACT_KIND_TEXT, "", def, 0, 0},
        {"shares_outstanding", IMPACT_KIND_NUMBER, "shares", prep | lo, 0, 0},
        {"currency", IMPACT_KIND_TEXT, "", def, 0, 0},
    };
    REQUIRE(d->input_count == std::size(inputs));
    for (uint32_t i = 0; i < d->input_count; ++i) {
        const impact_input_descriptor& in = d->inputs[i];
        const ExpectedInput& e = inputs[i];
        CAPTURE(i, e.key);
        CHECK(std::string_view(in.key) == e.key);
        CHECK(in.kind == e.kind);
        CHECK(std::string_view(in.unit) == e.unit);
        CHECK(in.flags == e.flags);
        if ((in.flags & def) && in.kind == IMPACT_KIND_NUMBER) CHECK(in.default_number == e.default_number);
        if (in.flags & lo) CHECK(in.min_value == e.min_value);
        if (in.flags & hi) CHECK(in.max_value == max_days);
    }
    CHECK(std::string_view(d->inputs[7].default_text) == "simple");
    CHECK(std::string_view(d->inputs[8].default_text) == "market_model");
    const char* const outputs[][2] = {{"alpha", "%"}, {"beta", ""}, {"sigma", "%"}, {"ar0", "%"}, {"ar0_t", ""},
                                      {"ar0_p", ""}, {"car", "%"}, {"car_t", ""}, {"car_p", ""},
                                      {"abnormal_market_cap", "{currency}"}, {"n_estimation", "days"},
                                      {"n_dropped", "days"}};
    REQUIRE(d->output_count == std::size(outputs));
    REQUIRE(d->output_count == output_count);
    // The sign convention (plugins/stock/README.md): abnormal returns and value changes are
    // higher-is-better, statistics neutral; only abnormal_market_cap may be undefined.
    const auto direction_of = [](std::string_view key) {
        return key == "ar0" || key == "car" || key == "abnormal_market_cap" ? IMPACT_DIRECTION_HIGHER_IS_BETTER
                                                                             : IMPACT_DIRECTION_NEUTRAL;
    };
    for (uint32_t i = 0; i < d->output_count; ++i) {
        CAPTURE(i);
        CHECK(std::string_view(d->outputs[i].key) == outputs[i][0]);
        CHECK(std::string_view(d->outputs[i].unit) == outputs[i][1]);
        CHECK(d->outputs[i].direction == static_cast<impact_direction>(direction_of(outputs[i][0])));
        CHECK(d->outputs[i].flags ==
              (std::string_view(outputs[i][0]) == "abnormal_market_cap" ? IMPACT_OUTPUT_MAY_BE_UNDEFINED : 0u));
    }
}

TEST_CASE("the shared data are the files facts.md describes", "[stock][event_study][reference]") {
    // facts.md, 'NVDA close': the adjusted series shows 112.1922 -> 104.4827 on 15-16 April
    // 2025; 'index moves': S&P 500 -2.24% on 16 April 2025.
    const OwnedSeries& n = nvda();
    const OwnedSeries& s = spx();
    CHECK(n.dates.size() == 249);
    CHECK(s.dates.size() == 499);
    const auto close_on = [](const OwnedSeries& series, int32_t date) {
        const auto it = std::find(series.dates.begin(), series.dates.end(), date);
        REQUIRE(it != series.dates.end());
        return series.values[static_cast<std::size_t>(it - series.dates.begin())];
    };
    CHECK(close_on(n, days(2025, 4, 15)) == 112.1922);
    CHECK(close_on(n, days(2025, 4, 16)) == 104.4827);
    const double spx_return = close_on(s, april_16_2025) / close_on(s, days(2025, 4, 15)) - 1.0;
    CAPTURE(spx_return);
    CHECK(std::round(spx_return * 1e4) / 1e2 == -2.24);
}

TEST_CASE("stock.event_study on NVDA, 16 April 2025: the sample setup against OLS written here",
          "[stock][event_study][reference]") {
    // The sample scenario's step: L = 120, G = 10, window [0, 1], simple returns, market model,
    // 24.4B shares (facts.md, 'shares outstanding', 10-Q).
    Setup setup{april_16_2025};
    setup.shares = 24.4e9;
    check_against_reference(nvda(), spx(), setup);

    // Day 0's stock return is the adjusted-close move facts.md quotes, so AR0 + alpha +
    // beta x R_m0 must give it back.
    const Study study = prepare_values(nvda(), spx(), setup);
    const ModelInstance model(stock_plugin(), model_id, study.values);
    REQUIRE(model.status == IMPACT_STATUS_OK);
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(model.evaluate({}, 1, out, error) == IMPACT_STATUS_OK);
    const double nvda_day0 = 104.4827 / 112.1922 - 1.0;  // facts.md, 'NVDA close' (adjusted)
    const std::vector<double>& spx_closes = spx().values;
    const auto spx_index = static_cast<std::size_t>(
        std::find(spx().dates.begin(), spx().dates.end(), april_16_2025) - spx().dates.begin());
    const double spx_day0 = spx_closes[spx_index] / spx_closes[spx_index - 1] - 1.0;
    CAPTURE(nvda_day0, spx_day0, out[alpha_out], out[beta_out], out[ar0_out]);
    CHECK(close_relative(out[ar0_out] + out[alpha_out] + out[beta_out] * spx_day0, nvda_day0, 1e-9));
    // The market-cap base is the 15 April close.
    CHECK(close_relative(out[abnormal_market_cap_out], out[car_out] * 112.1922 * 24.4e9, 1e-12));
    CHECK(model.note_map().at("market_cap_base") == "2025-04-15 close 112.1922000");
}

TEST_CASE("stock.event_study: the variants against the reference", "[stock][event_study][reference]") {
    struct Variant {
        const char* what;
        Setup setup;
    };
    const auto with = [](auto change) {
        Setup s{april_16_2025};
        change(s);
        return s;
    };
    const Variant variants[] = {
        {"log returns", with([](Setup& s) { s.returns = "log"; })},
        {"constant mean", with([](Setup& s) { s.method = "constant_mean"; })},
        {"market adjusted", with([](Setup& s) { s.method = "market_adjusted"; })},
        {"market adjusted, log", with([](Setup& s) { s.method = "market_adjusted"; s.returns = "log"; })},
        {"window [-1, +5], L 60, G 5", with([](Setup& s) {
             s.window_start = -1; s.window_end = 5; s.estimation_days = 60; s.gap_days = 5; s.shares = 24.4e9; })},
        {"window [+1, +3]", with([](Setup& s) { s.window_start = 1; s.window_end = 3; })},
        {"window [-10, -2], G 10", with([](Setup& s) { s.window_start = -10; s.window_end = -2; })},
        {"an earlier event, 2024-11-20, L 100", with([](Setup& s) { s.event_date = days(2024, 11, 20); s.estimation_days = 100; })},
        // 19 April 2025 is a Saturday and 18 April Good Friday: day 0 is Monday 21 April.
        {"event on a weekend", with([](Setup& s) { s.event_date = days(2025, 4, 19); })},
    };
    for (const Variant& v : variants) {
        INFO("variant: " << v.what);
        check_against_reference(nvda(), spx(), v.setup);
    }
    const Study study = prepare_values(nvda(), spx(), variants[8].setup);
    const ModelInstance weekend(stock_plugin(), model_id, study.values);
    REQUIRE(weekend.status == IMPACT_STATUS_OK);
    CHECK(weekend.note_map().at("day0") == "2025-04-21");
}

TEST_CASE("stock.event_study on constructed data with a known answer", "[stock][event_study][reference]") {
    // Returns built as y = alpha + beta m + e with e orthogonal to 1 and to m, so OLS must
    // return alpha and beta exactly and sigma^2 = sum e^2 / (L - 2); day 0 and day 1 carry
    // known shocks. Dates are every other day, leaving odd days for dates one series lacks.
    const double alpha = 0.001, beta = 1.5, e = 0.005;
    const int L = 12, G = 2;
    const double m_cycle[4] = {0.01, 0.02, -0.01, -0.02};
    const double e_cycle[4] = {e, -e, e, -e};  // sum 0, and 0.01 - 0.02 - 0.01 + 0.02 = 0 against m
    const int32_t base = days(2025, 1, 1);
    OwnedSeries stock{"S", {}, {}}, market{"M", {}, {}};
    double s_close = 50.0, m_close = 1000.0;
    for (int i = 0; i <= 17; ++i) {  // common index i: 0 first close, 1..12 estimation, 13-14 gap, 15 day 0
        double m_ret = 0.0, y_ret = 0.0;
        if (i >= 1 && i <= 12) {
            m_ret = m_cycle[(i - 1) % 4];
            y_ret = alpha + beta * m_ret + e_cycle[(i - 1) % 4];
        } else if (i == 13 || i == 14) {
            m_ret = 0.003;
            y_ret = 0.05;  // outside both windows: must not matter
        } else if (i == 15) {
            m_ret = -0.02;
            y_ret = alpha + beta * m_ret - 0.05;  // AR0 = -5%
        } else if (i == 16) {
            m_ret = 0.01;
            y_ret = alpha + beta * m_ret + 0.02;  // AR1 = +2%
        }
        if (i > 0) {
            s_close *= 1.0 + y_ret;
            m_close *= 1.0 + m_ret;
        }
        stock.dates.push_back(base + 2 * i);
        stock.values.push_back(s_close);
        market.dates.push_back(base + 2 * i);
        market.values.push_back(m_close);
        // Dates one series lacks: in the span (stock after index 5, market before day 0, which
        // is also the event date) and outside it (market before index 0, stock after index 17).
        if (i == 5) { stock.dates.push_back(base + 11); stock.values.push_back(1e6); }
        if (i == 14) { market.dates.push_back(base + 29); market.values.push_back(1e6); }
        if (i == 17) { stock.dates.push_back(base + 35); stock.values.push_back(1e6); }
    }
    market.dates.insert(market.dates.begin(), base - 1);
    market.values.insert(market.values.begin(), 1e6);

    Setup setup{base + 29};  // a date only the market has: day 0 is the next common date
    setup.estimation_days = L;
    setup.gap_days = G;
    setup.shares = 1e9;
    const Study study = prepare_values(stock, market, setup);
    const ModelInstance model(stock_plugin(), model_id, study.values);
    INFO("create: " << model.create_error.message);
    REQUIRE(model.status == IMPACT_STATUS_OK);
    std::vector<double> out;
    ErrorStorage error;
    // Three rows with no input columns: every row carries the same results.
    REQUIRE(model.evaluate({}, 3, out, error) == IMPACT_STATUS_OK);
    const double sigma = e * std::sqrt(L / (L - 2.0));
    const double base_close = stock.values[15];  // index 14's close: one stock-only date precedes it
    CAPTURE(out[alpha_out], out[beta_out], out[sigma_out], out[ar0_out], out[car_out], sigma);
    CHECK(close_relative(out[alpha_out], alpha, 1e-9));
    CHECK(close_relative(out[beta_out], beta, 1e-9));
    CHECK(close_relative(out[sigma_out], sigma, 1e-9));
    CHECK(close_relative(out[ar0_out], -0.05, 1e-9));
    CHECK(close_relative(out[car_out], -0.03, 1e-9));
    CHECK(close_relative(out[ar0_t_out], -0.05 / sigma, 1e-9));
    CHECK(close_relative(out[car_t_out], -0.03 / (sigma * std::sqrt(2.0)), 1e-9));
    CHECK(close_relative(out[ar0_p_out], two_sided_p(-0.05 / sigma, L - 2), 1e-8));
    CHECK(close_relative(out[abnormal_market_cap_out], -0.03 * base_close * 1e9, 1e-9));
    CHECK(out[n_estimation_out] == L);
    CHECK(out[n_dropped_out] == 2);
    for (int row = 1; row < 3; ++row)
        for (int k = 0; k < output_count; ++k) CHECK(out[row * output_count + k] == out[k]);
    const auto notes = model.note_map();
    CHECK(notes.at("day0") == iso(base + 30));
    CHECK(notes.at("estimation") == iso(base + 2) + ".." + iso(base + 24));
    CHECK(notes.at("dropped") == iso(base + 11) + " (stock only), " + iso(base + 29) + " (market only)");

    // A zero-row batch writes nothing and succeeds.
    std::vector<double> none;
    CHECK(model.evaluate({}, 0, none, error) == IMPACT_STATUS_OK);
}

TEST_CASE("stock.event_study refuses what the data cannot support, naming the input", "[stock][event_study]") {
    OwnedSeries unordered = nvda();
    std::swap(unordered.dates[100], unordered.dates[101]);
    OwnedSeries flat_market = spx();
    std::fill(flat_market.values.begin(), flat_market.values.end(), 5000.0);

    struct Case {
        const char* what;
        Setup setup;
        const OwnedSeries* stock;
        const OwnedSeries* market;
        impact_status status;
        const char* key;
        const char* message_part;
    };
    const auto with = [](auto change) {
        Setup s{april_16_2025};
        change(s);
        return s;
    };
    const Case cases[] = {
        {"too few observations", with([](Setup& s) { s.event_date = days(2024, 9, 3); }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "estimation_days", "too few observations"},
        {"event after the data", with([](Setup& s) { s.event_date = days(2025, 6, 16); }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "event_date", "outside the data"},
        {"event before the data", with([](Setup& s) { s.event_date = days(2024, 1, 2); }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "event_date", "outside the data"},
        {"window past the end", with([](Setup& s) { s.event_date = days(2025, 5, 30); }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "window_end", "runs past the data"},
        {"unknown method", with([](Setup& s) { s.method = "fama_french"; }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "method", "'fama_french'"},
        {"unknown returns", with([](Setup& s) { s.returns = "excess"; }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "returns", "'excess'"},
        {"dates not increasing", Setup{april_16_2025}, &unordered, &spx(), IMPACT_STATUS_INVALID_INPUT, "stock",
         "strictly increasing"},
        {"window inside the estimation window", with([](Setup& s) { s.window_start = -11; }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "window_start", "estimation window"},
        {"window ends before it starts", with([](Setup& s) { s.window_start = 2; s.window_end = 1; }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "window_end", "ends before it starts"},
        {"estimation window too short", with([](Setup& s) { s.estimation_days = 5; }), &nvda(), &spx(),
         IMPACT_STATUS_INVALID_INPUT, "estimation_days", "whole number"},
        {"a flat market", Setup{april_16_2025}, &nvda(), &flat_market, IMPACT_STATUS_INVALID_INPUT, "market",
         "beta cannot be estimated"},
    };
    for (const Case& c : cases) {
        const Study study = prepare_values(*c.stock, *c.market, c.setup);
        const ModelInstance model(stock_plugin(), model_id, study.values);
        INFO("case: " << c.what << "\nmessage: " << model.create_error.message);
        CHECK(model.status == c.status);
        CHECK(model.instance == nullptr);
        CHECK(std::string_view(model.create_error.key) == c.key);
        CHECK(std::string_view(model.create_error.message).find(c.message_part) != std::string_view::npos);
    }

    // Shapes only the C ABI can get wrong: two series for one input, a fractional day count.
    const std::vector<impact_series> two = {nvda().view(), nvda().view()};
    const std::vector<impact_series> one_market = {spx().view()};
    {
        const ModelInstance model(stock_plugin(), model_id,
                                  {series_value("stock", two.data(), 2), series_value("market", one_market.data(), 1),
                                   date_value("event_date", april_16_2025)});
        INFO("message: " << model.create_error.message);
        CHECK(model.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::string_view(model.create_error.key) == "stock");
    }
    {
        const std::vector<impact_series> one_stock = {nvda().view()};
        const ModelInstance model(stock_plugin(), model_id,
                                  {series_value("stock", one_stock.data(), 1),
                                   series_value("market", one_market.data(), 1),
                                   date_value("event_date", april_16_2025), number_value("gap_days", 2.5)});
        INFO("message: " << model.create_error.message);
        CHECK(model.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::string_view(model.create_error.key) == "gap_days");
        // With only the required inputs, the defaults (L 120, G 10, [0, 1], simple, market
        // model) give the sample setup's results.
        const ModelInstance defaults(stock_plugin(), model_id,
                                     {series_value("stock", one_stock.data(), 1),
                                      series_value("market", one_market.data(), 1),
                                      date_value("event_date", april_16_2025)});
        INFO("defaults: " << defaults.create_error.message);
        REQUIRE(defaults.status == IMPACT_STATUS_OK);
        std::vector<double> out;
        ErrorStorage error;
        REQUIRE(defaults.evaluate({}, 1, out, error) == IMPACT_STATUS_OK);
        const Reference ref = reference_study(nvda(), spx(), Setup{april_16_2025});
        CHECK(close_relative(out[car_out], ref.car, 1e-9));
        CHECK(std::isnan(out[abnormal_market_cap_out]));
    }
}

TEST_CASE("stock.event_study: the figures plugins/stock/README.md prints", "[stock][event_study][reference]") {
    // Each README figure to the digits it is printed with: half a unit in the last place.
    struct Figure {
        const char* method;
        int output;
        double printed;
        double half_unit;
    };
    const Figure figures[] = {
        {"market_model", alpha_out, -0.000524, 5e-7},
        {"market_model", beta_out, 2.4479, 5e-5},
        {"market_model", sigma_out, 0.025370, 5e-7},
        {"market_model", ar0_out, -0.013339, 5e-7},
        {"market_model", ar0_t_out, -0.526, 5e-4},
        {"market_model", ar0_p_out, 0.600, 5e-4},
        {"market_model", car_out, -0.044775, 5e-7},
        {"market_model", car_t_out, -1.248, 5e-4},
        {"market_model", car_p_out, 0.215, 5e-4},
        {"market_model", abnormal_market_cap_out, -122.57e9, 0.005e9},
        {"market_model", n_dropped_out, 0, 0},
        {"constant_mean", ar0_out, -0.0681, 5e-5},
        {"constant_mean", ar0_t_out, -2.01, 5e-3},
        {"constant_mean", ar0_p_out, 0.046, 5e-4},
        {"market_adjusted", ar0_out, -0.0463, 5e-5},
        {"market_adjusted", ar0_t_out, -1.62, 5e-3},
        {"market_adjusted", ar0_p_out, 0.107, 5e-4},
    };
    for (const char* method : {"market_model", "constant_mean", "market_adjusted"}) {
        Setup setup{april_16_2025};
        setup.method = method;
        setup.shares = 24.4e9;
        const Study study = prepare_values(nvda(), spx(), setup);
        const ModelInstance model(stock_plugin(), model_id, study.values);
        REQUIRE(model.status == IMPACT_STATUS_OK);
        std::vector<double> out;
        ErrorStorage error;
        REQUIRE(model.evaluate({}, 1, out, error) == IMPACT_STATUS_OK);
        for (const Figure& f : figures) {
            if (std::string_view(f.method) != method) continue;
            CAPTURE(f.method, f.output, f.printed, out[f.output]);
            CHECK(std::abs(out[f.output] - f.printed) <= f.half_unit);
        }
        if (std::string_view(method) == "market_model") {
            const auto notes = model.note_map();
            CHECK(notes.at("estimation") == "2024-10-08..2025-04-01");
            CHECK(notes.at("ar[+1]").rfind("2025-04-17 -0.031435", 0) == 0);
        }
    }
}
