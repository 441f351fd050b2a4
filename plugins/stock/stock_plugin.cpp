// The stock.price_move, stock.event_study and stock.event_panel models: SDK glue around the stock formulas.
#include "event_panel.hpp"
#include "event_panel_text.hpp"
#include "event_study.hpp"
#include "price_move.hpp"

#include <impact/sdk/plugin.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace sdk = impact::sdk;
namespace stock = impact::stock;

sdk::Input currency_input() {
    return sdk::Input::text("currency", "Currency")
        .default_text("USD")
        .description("ISO 4217 code of the prices and of the money outputs (USD)");
}

// ---- stock.price_move ----------------------------------------------------------------

class PriceMove {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        return sdk::ModelSpec("stock.price_move")
            .name("Value change from a price move")
            .version("1.0.0")
            .description("Return, price change and market-capitalisation change when a stock moves from one "
                         "price to another.")
            .references("plugins/stock/README.md: return = price_after / price_before - 1, "
                        "market_cap_change = (price_after - price_before) x shares_outstanding.")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(currency_input())
            .input(Input::money("price_before", "Price before")
                       .unit("{currency}")
                       .required()
                       .greater_than(0)
                       .description("Price per share before the move; must be greater than 0"))
            .input(Input::money("price_after", "Price after")
                       .unit("{currency}")
                       .required()
                       .min(0)
                       .description("Price per share after the move"))
            .input(Input::number("shares_outstanding", "Shares outstanding")
                       .unit("shares")
                       .required()
                       .min(0)
                       .description("Number of shares the market capitalisation counts"))
            .output(Output("return", "Return")
                        .unit("%")
                        .higher_is_better()
                        .description("price_after / price_before - 1; a fall is negative"))
            .output(Output("price_change", "Price change")
                        .unit("{currency}")
                        .higher_is_better()
                        .description("price_after - price_before, per share; a fall is negative"))
            .output(Output("market_cap_change", "Market-cap change")
                        .unit("{currency}")
                        .higher_is_better()
                        .description("price_change x shares_outstanding; a loss of value is negative"));
    }

    // The currency is only a label for the money units, but a typo ("usd", "US$", "ABC") must
    // not reach a report.
    explicit PriceMove(const sdk::PreparedInputs& in) : currency_(in.currency_or("currency", "USD")) {}

    void evaluate(sdk::Batch& batch) const {
        // for_each_row gives an error from the formulas its row; the host says which row (or range end) it was.
        sdk::for_each_row(batch, [&](uint64_t row) {
            const stock::PriceMoveResult result = stock::price_move(
                batch.input(row, price_before_), batch.input(row, price_after_), batch.input(row, shares_outstanding_));
            batch.output(row, return_) = result.simple_return;
            batch.output(row, price_change_) = result.price_change;
            batch.output(row, market_cap_change_) = result.market_cap_change;
        });
    }

private:
    const uint32_t price_before_ = sdk::input_column<PriceMove>("price_before");
    const uint32_t price_after_ = sdk::input_column<PriceMove>("price_after");
    const uint32_t shares_outstanding_ = sdk::input_column<PriceMove>("shares_outstanding");
    const uint32_t return_ = sdk::output_column<PriceMove>("return");
    const uint32_t price_change_ = sdk::output_column<PriceMove>("price_change");
    const uint32_t market_cap_change_ = sdk::output_column<PriceMove>("market_cap_change");
    std::string currency_;
};

// ---- stock.event_study ---------------------------------------------------------------

// AR as a plain decimal (no exponent) with 10 significant digits: -0.04592183346.
std::string decimal_10_significant(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    if (value == 0.0) return "0";
    // %.9e rounds to exactly 10 significant digits; the decimal point is then moved by hand,
    // which no printf format does without either an exponent or a fixed number of decimals.
    char scientific[40];
    std::snprintf(scientific, sizeof scientific, "%.9e", value);
    const std::string s = scientific;
    const bool negative = s[0] == '-';
    const std::size_t mantissa_start = negative ? 1 : 0;
    const std::size_t e_pos = s.find('e');
    std::string digits = s.substr(mantissa_start, e_pos - mantissa_start);
    digits.erase(1, 1);  // drop the '.': ten digits remain
    const int exponent = std::stoi(s.substr(e_pos + 1));
    std::string out = negative ? "-" : "";
    if (exponent < 0) {
        out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else if (exponent >= 9) {
        out += digits + std::string(static_cast<std::size_t>(exponent - 9), '0');
    } else {
        const auto integer_digits = static_cast<std::size_t>(exponent + 1);
        out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
    }
    return out;
}

// A prepared number that must be a whole number in [low, high].
int whole_number(const sdk::PreparedInputs& in, const char* key, double fallback, double low, double high) {
    const double value = in.number_or(key, fallback);
    if (!(value >= low && value <= high) || value != std::floor(value)) {
        char message[160];
        std::snprintf(message, sizeof message, "%s must be a whole number from %.0f to %.0f, got %.17g", key, low,
                      high, value);
        throw sdk::InputError(key, message);
    }
    return static_cast<int>(value);
}

stock::DatedCloses one_series(const sdk::PreparedInputs& in, const char* key) {
    const std::vector<sdk::SeriesView> series = in.series(key);
    if (series.size() != 1)
        throw sdk::InputError(key, std::string(key) + " must be exactly one dated series of closes, got " +
                                       std::to_string(series.size()));
    const sdk::SeriesView& s = series.front();
    if (s.size() > 0 && (!s.dates() || !s.values()))
        throw sdk::InputError(key, std::string(key) + " has no dates or values");
    return stock::DatedCloses{key, {s.dates(), s.size()}, {s.values(), s.size()}};
}

// The benchmark and window inputs both event models share, in this order: L, G, a, b, returns, method.
sdk::ModelSpec with_window_inputs(sdk::ModelSpec spec, const char* method_description) {
    using sdk::Input;
    return std::move(spec)
            .input(Input::number("estimation_days", "Estimation window")
                       .unit("days")
                       .prepared()
                       .default_value(120)
                       .min(stock::min_estimation_days)
                       .max(stock::max_trading_days)
                       .description("L: trading days of returns the benchmark is fitted on"))
            .input(Input::number("gap_days", "Gap")
                       .unit("days")
                       .prepared()
                       .default_value(10)
                       .min(0)
                       .max(stock::max_trading_days)
                       .description("G: trading days between the estimation window and day 0"))
            .input(Input::number("window_start", "Event window start")
                       .unit("days")
                       .prepared()
                       .default_value(0)
                       .min(-stock::max_trading_days)
                       .max(stock::max_trading_days)
                       .description("a: first event-window day relative to day 0, at least -gap_days"))
            .input(Input::number("window_end", "Event window end")
                       .unit("days")
                       .prepared()
                       .default_value(1)
                       .min(-stock::max_trading_days)
                       .max(stock::max_trading_days)
                       .description("b: last event-window day relative to day 0, at least a"))
            .input(Input::text("returns", "Returns")
                       .default_text("simple")
                       .description("simple (P1/P0 - 1) or log (ln(P1/P0))"))
            .input(Input::text("method", "Benchmark")
                       .default_text("market_model")
                       .description(method_description));
}

// Reads the inputs with_window_inputs() declares into either model's parameters.
template <class Parameters>
void read_window_inputs(const sdk::PreparedInputs& in, Parameters& p) {
    static_assert(stock::min_panel_estimation_days == stock::min_estimation_days,
                  "one declared minimum of estimation_days serves both models");
    // The upper bounds are not declared (no real window comes near them); they only keep
    // the index arithmetic far from int overflow.
    constexpr double max_days = stock::max_trading_days;
    p.estimation_days = whole_number(in, "estimation_days", 120, stock::min_estimation_days, max_days);
    p.gap_days = whole_number(in, "gap_days", 10, 0, max_days);
    p.window_start = whole_number(in, "window_start", 0, -max_days, max_days);
    p.window_end = whole_number(in, "window_end", 1, -max_days, max_days);
    const std::string returns = in.text_or("returns", "simple");
    const auto return_type = stock::parse_return_type(returns);
    if (!return_type) throw sdk::InputError("returns", "returns must be 'simple' or 'log', got '" + returns + "'");
    p.returns = *return_type;
    const std::string method = in.text_or("method", "market_model");
    const auto parsed_method = stock::parse_method(method);
    if (!parsed_method)
        throw sdk::InputError("method", "method must be 'market_model', 'market_adjusted' or 'constant_mean', "
                                        "got '" + method + "'");
    p.method = *parsed_method;
}

class EventStudy {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        return with_window_inputs(sdk::ModelSpec("stock.event_study")
            .name("Abnormal return around an event (market model)")
            .version("1.0.0")
            .description("Single-firm event study: fits the market model (or a market-adjusted or constant-mean "
                         "benchmark) on an estimation window before the event and tests the abnormal return on "
                         "day 0 and its sum over the event window with time-series t-tests.")
            .references("MacKinlay, A. C. (1997), Event Studies in Economics and Finance, Journal of Economic "
                        "Literature 35(1), 13-39: market model by OLS, AR and CAR with Var(AR) = sigma^2 and "
                        "Var(CAR) = (b - a + 1) sigma^2 (no estimation-error term); p-values two-sided from "
                        "Student t (Boost.Math upper tail) with L - 2 degrees of freedom "
                        "(L - 1 for constant_mean and market_adjusted). plugins/stock/README.md states every "
                        "convention.")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(Input::series("stock", "Stock closes")
                       .required()
                       .description("One dated series of the stock's daily closes (adjusted), oldest first"))
            .input(Input::series("market", "Market closes")
                       .required()
                       .description("One dated series of the market index's daily closes, oldest first"))
            .input(Input::date("event_date", "Event date")
                       .required()
                       .description("Day 0, or the day before the next common trading day")),
                                  "market_model (OLS alpha and beta), market_adjusted (alpha 0, beta 1) or "
                                  "constant_mean (the stock's mean return)")
            .input(Input::number("shares_outstanding", "Shares outstanding")
                       .unit("shares")
                       .prepared()
                       .min(0)
                       .description("For abnormal_market_cap; without it that output is NaN"))
            .input(currency_input())
            .output(Output("alpha", "Alpha").unit("%").description("Daily intercept of the benchmark"))
            .output(Output("beta", "Beta").description("Slope on the market return"))
            .output(Output("sigma", "Residual std dev")
                        .unit("%")
                        .description("Daily standard deviation of the estimation-window abnormal returns"))
            .output(Output("ar0", "AR day 0").unit("%").higher_is_better().description("Abnormal return on day 0"))
            .output(Output("ar0_t", "t of AR day 0").description("ar0 / sigma"))
            .output(Output("ar0_p", "p of AR day 0").description("Two-sided p-value of ar0_t"))
            .output(Output("car", "CAR")
                        .unit("%")
                        .higher_is_better()
                        .description("Sum of the abnormal returns over [a, b]"))
            .output(Output("car_t", "t of CAR").description("car / (sigma x sqrt(b - a + 1))"))
            .output(Output("car_p", "p of CAR").description("Two-sided p-value of car_t"))
            .output(Output("abnormal_market_cap", "Abnormal market-cap change")
                        .unit("{currency}")
                        .higher_is_better()
                        .may_be_undefined()
                        .description("car x stock close on day a - 1 x shares_outstanding; undefined (NaN) "
                                     "without shares_outstanding"))
            .output(Output("n_estimation", "Estimation returns").unit("days").description("L, returns fitted"))
            .output(Output("n_dropped", "Dates dropped")
                        .unit("days")
                        .description("Dates in the span used that only one series has"));
    }

    explicit EventStudy(const sdk::PreparedInputs& in) : currency_(in.currency_or("currency", "USD")) {
        const stock::DatedCloses stock_closes = one_series(in, "stock");
        const stock::DatedCloses market_closes = one_series(in, "market");
        stock::EventStudyParameters p;
        p.event_date_days = in.date("event_date").days_since_epoch;
        read_window_inputs(in, p);
        if (in.has("shares_outstanding")) p.shares_outstanding = in.number("shares_outstanding");

        // Every input is prepared, so the whole study runs once, here; evaluate() only copies.
        // A zero residual variance leaves no t-statistic: the model fails, the inputs were fine.
        try {
            result_ = stock::run_event_study(stock_closes, market_closes, p);
        } catch (const std::domain_error& e) {
            throw sdk::ModelError(e.what());
        }
        // Each output at its own column, found by key in spec(), so the order cannot drift. An
        // output left unset stays NaN, which the host refuses: it cannot pass as a zero.
        outputs_.assign(sdk::DescriptorStorage<EventStudy>::get().spec().output_count(),
                        std::numeric_limits<double>::quiet_NaN());
        const auto set = [&](std::string_view key, double value) { outputs_[sdk::output_column<EventStudy>(key)] = value; };
        set("alpha", result_.alpha);
        set("beta", result_.beta);
        set("sigma", result_.sigma);
        set("ar0", result_.ar0);
        set("ar0_t", result_.ar0_t);
        set("ar0_p", result_.ar0_p);
        set("car", result_.car);
        set("car_t", result_.car_t);
        set("car_p", result_.car_p);
        set("abnormal_market_cap", result_.abnormal_market_cap);
        set("n_estimation", static_cast<double>(result_.n_estimation));
        set("n_dropped", static_cast<double>(result_.n_dropped));
    }

    void evaluate(sdk::Batch& batch) const {
        // Rows carry no inputs (all are prepared); each gets the same results.
        const auto width = std::min<std::size_t>(batch.output_width(), outputs_.size());
        for (uint64_t row = 0; row < batch.rows(); ++row)
            std::copy_n(outputs_.begin(), width, batch.outputs(row));
    }

    std::vector<sdk::Note> notes() const {
        const auto iso = [](int32_t days) { return sdk::Date{days}.iso(); };
        std::vector<sdk::Note> out;
        out.push_back({"day0", iso(result_.day0_days)});
        out.push_back({"estimation", iso(result_.estimation_first_days) + ".." + iso(result_.estimation_last_days)});
        for (const stock::WindowDay& day : result_.window) {
            const std::string k = day.relative_day > 0 ? "+" + std::to_string(day.relative_day)
                                                       : std::to_string(day.relative_day);
            out.push_back({"ar[" + k + "]", iso(day.date_days) + " " + decimal_10_significant(day.abnormal_return)});
        }
        out.push_back({"market_cap_base", iso(result_.market_cap_base_days) + " close " +
                                              decimal_10_significant(result_.market_cap_base_close)});
        if (!result_.dropped.empty()) {
            // The first few suffice to see which series has gaps; the count is an output.
            constexpr std::size_t listed = 10;
            std::string text;
            for (std::size_t i = 0; i < std::min(listed, result_.dropped.size()); ++i)
                text += (i ? ", " : "") + iso(result_.dropped[i].date_days) + " (" + result_.dropped[i].only_in + " only)";
            if (result_.dropped.size() > listed)
                text += ", and " + std::to_string(result_.dropped.size() - listed) + " more";
            out.push_back({"dropped", text});
        }
        return out;
    }

private:
    std::string currency_;
    stock::EventStudyResult result_;
    std::vector<double> outputs_;
};

// ---- stock.event_panel ---------------------------------------------------------------

class EventPanel {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        const auto p_value = [](std::string key, std::string label, std::string of) {
            return Output(std::move(key), std::move(label)).description("Two-sided p-value of " + of);
        };
        return with_window_inputs(sdk::ModelSpec("stock.event_panel")
            .name("Abnormal returns of a panel of firms around events (cross-sectional tests)")
            .version("1.0.0")
            .description("Multi-firm event study: fits each firm's market model (or a market-adjusted or "
                         "constant-mean benchmark) per event, and tests the event's average cumulative abnormal "
                         "return across firms with the cross-sectional t, Patell, BMP, Kolari-Pynnonen, Corrado "
                         "rank and generalized sign tests. Results per (firm, event) are in table 'firms', every "
                         "event's tests in table 'tests'; the outputs are those of the first event listed.")
            .references("Patell (1976) JAR 14(2); Corrado (1989) JFE 23(2); Boehmer, Musumeci and Poulsen (1991) "
                        "JFE 30(2); Cowan (1992) RQFA 2(4); MacKinlay (1997) JEL 35(1); Kolari and Pynnonen "
                        "(2010) RFS 23(11). plugins/stock/README.md writes out every formula.")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(Input::series("firms", "Firm closes")
                       .required()
                       .description("One dated series of daily closes per firm, each labelled with the firm's "
                                    "name (a [data] table with columns = [...])"))
            .input(Input::series("market", "Market closes")
                       .required()
                       .description("One dated series of the market index's daily closes"))
            .input(Input::text("events", "Events")
                       .description("One event per line: NAME DAY0 [FIRM or FIRM@DAY0 ...]; no firm means every "
                                    "firm. Give this or event_date"))
            .input(Input::date("event_date", "Event date")
                       .description("Day 0 of one event named 'event' concerning every firm; instead of events")),
                                  "market_model, market_adjusted or constant_mean")
            .input(Input::text("skip_incomplete", "Skip incomplete firms")
                       .default_text("false")
                       .description("true: a firm whose data do not cover its windows is dropped and listed in "
                                    "table 'skipped'; false: it is an error"))
            .input(Input::text("shares_outstanding", "Shares outstanding")
                       .description("FIRM=COUNT pairs, such as \"NVDA=24.4B AMD=1.62B\", for the abnormal dollar "
                                    "value; firms not listed have none"))
            .input(currency_input())
            .output(Output("firm_count", "Firms").description("N: firms in the first event listed"))
            .output(Output("caar", "CAAR")
                        .unit("%")
                        .higher_is_better()
                        .description("Mean over firms of the cumulative abnormal return over [a, b]"))
            .output(Output("cross_sectional_t", "Cross-sectional t").description("CAAR / (sd(CAR) / sqrt(N)), N - 1 df"))
            .output(p_value("cross_sectional_p", "p of cross-sectional t", "cross_sectional_t"))
            .output(Output("patell_z", "Patell Z").description("Sum of SCAR / sqrt(sum d/(d - 2)), d each firm's degrees of freedom; normal"))
            .output(p_value("patell_p", "p of Patell Z", "patell_z"))
            .output(Output("bmp_t", "BMP t").description("mean(SCAR) / (sd(SCAR) / sqrt(N)), N - 1 df"))
            .output(p_value("bmp_p", "p of BMP t", "bmp_t"))
            .output(Output("kolari_pynnonen_t", "Kolari-Pynnonen t")
                        .description("bmp_t x sqrt((1 - r) / (1 + (N - 1) r)), r the mean residual correlation"))
            .output(p_value("kolari_pynnonen_p", "p of Kolari-Pynnonen t", "kolari_pynnonen_t"))
            .output(Output("corrado_z", "Corrado rank Z")
                        .may_be_undefined()
                        .description("Rank test on day 0, normal; undefined when day 0 lies outside [a, b]"))
            .output(p_value("corrado_p", "p of Corrado rank Z", "corrado_z").may_be_undefined())
            .output(Output("generalized_sign_z", "Generalized sign Z")
                        .description("(w - N p) / sqrt(N p (1 - p)), normal"))
            .output(p_value("generalized_sign_p", "p of generalized sign Z", "generalized_sign_z"))
            .output(Output("mean_residual_correlation", "Mean residual correlation")
                        .description("r: mean pairwise correlation of the firms' estimation-window residuals"))
            .output(Output("abnormal_value", "Abnormal value")
                        .unit("{currency}")
                        .higher_is_better()
                        .may_be_undefined()
                        .description("Sum over firms with shares_outstanding of CAR x close on day a - 1 x shares; "
                                     "undefined when no firm has shares"))
            .output(Output("event_count", "Events").description("Events in the panel; each has its tests in table tests"))
            .output(Output("skipped_count", "Observations skipped")
                        .description("(firm, event) pairs dropped by skip_incomplete; table skipped says why"));
    }

    explicit EventPanel(const sdk::PreparedInputs& in) : currency_(in.currency_or("currency", "USD")) {
        const std::vector<sdk::SeriesView> firm_series = in.series("firms");
        if (firm_series.empty()) throw sdk::InputError("firms", "firms must hold at least one dated series");
        std::vector<stock::DatedCloses> firms;
        firms.reserve(firm_series.size());
        for (const sdk::SeriesView& s : firm_series) {
            if (s.size() > 0 && (!s.dates() || !s.values()))
                throw sdk::InputError("firms", "firm series '" + std::string(s.label()) + "' has no dates or values");
            if (s.label().empty()) throw sdk::InputError("firms", "every firm series needs a label (the firm's name)");
            firms.push_back(stock::DatedCloses{std::string(s.label()), {s.dates(), s.size()}, {s.values(), s.size()}});
        }
        const stock::DatedCloses market = one_series(in, "market");

        if (in.has("events") == in.has("event_date"))
            throw sdk::InputError(in.has("events") ? "event_date" : "events",
                                  "give either events (one or more events) or event_date (one event), not both "
                                  "and not neither");
        if (in.has("events")) {
            events_ = stock::parse_panel_events(in.text("events"));
        } else {
            stock::PanelEvent event;
            event.name = "event";
            event.event_date_days = in.date("event_date").days_since_epoch;
            events_.push_back(std::move(event));
        }

        stock::EventPanelParameters p;
        read_window_inputs(in, p);
        window_start_ = p.window_start;
        p.skip_incomplete = stock::parse_switch(in.text_or("skip_incomplete", "false"), "skip_incomplete");
        if (in.has("shares_outstanding")) p.shares_outstanding = stock::parse_shares_outstanding(in.text("shares_outstanding"));
        // A named pair, not a structured binding: clang 14 cannot capture a binding in a lambda.
        for (const auto& given : p.shares_outstanding)
            if (std::none_of(firms.begin(), firms.end(), [&](const stock::DatedCloses& f) { return f.key == given.first; }))
                throw sdk::InputError("shares_outstanding", "shares_outstanding names firm '" + given.first +
                                                                "', which is not among the firms' series");

        // Every input is prepared: the whole panel runs once, here. A test without a defined
        // value (every CAR equal, say) fails the model: the inputs were fine.
        try {
            result_ = stock::run_event_panel(firms, market, events_, p);
        } catch (const std::domain_error& e) {
            throw sdk::ModelError(e.what());
        }
        const stock::EventAggregate& first = result_.events.front();
        outputs_.assign(sdk::DescriptorStorage<EventPanel>::get().spec().output_count(),
                        std::numeric_limits<double>::quiet_NaN());
        const auto set = [&](std::string_view key, double value) { outputs_[sdk::output_column<EventPanel>(key)] = value; };
        set("firm_count", first.firm_count);
        set("caar", first.caar);
        set("cross_sectional_t", first.cross_sectional_t.statistic);
        set("cross_sectional_p", first.cross_sectional_t.p_value);
        set("patell_z", first.patell_z.statistic);
        set("patell_p", first.patell_z.p_value);
        set("bmp_t", first.bmp_t.statistic);
        set("bmp_p", first.bmp_t.p_value);
        set("kolari_pynnonen_t", first.kolari_pynnonen_t.statistic);
        set("kolari_pynnonen_p", first.kolari_pynnonen_t.p_value);
        if (first.corrado_z) {
            set("corrado_z", first.corrado_z->statistic);
            set("corrado_p", first.corrado_z->p_value);
        }
        set("generalized_sign_z", first.generalized_sign_z.statistic);
        set("generalized_sign_p", first.generalized_sign_z.p_value);
        set("mean_residual_correlation", first.mean_residual_correlation);
        set("abnormal_value", first.abnormal_value_total);
        set("event_count", static_cast<double>(result_.events.size()));
        set("skipped_count", static_cast<double>(result_.skipped.size()));
    }

    void evaluate(sdk::Batch& batch) const {
        const auto width = std::min<std::size_t>(batch.output_width(), outputs_.size());
        for (uint64_t row = 0; row < batch.rows(); ++row) std::copy_n(outputs_.begin(), width, batch.outputs(row));
    }

    std::vector<sdk::Note> notes() const {
        const stock::EventAggregate& first = result_.events.front();
        std::vector<sdk::Note> out;
        out.push_back({"outputs_event", first.event + " (day 0 " + sdk::Date{first.day0_days}.iso() + ", " +
                                            std::to_string(first.firm_count) + " firms); every event's tests are in "
                                            "table tests"});
        for (const stock::EventAggregate& event : result_.events)
            out.push_back({"event " + event.event, "day 0 " + sdk::Date{event.day0_days}.iso() + ", " +
                                                       std::to_string(event.firm_count) + " firms, mean residual "
                                                       "correlation " + decimal_10_significant(event.mean_residual_correlation)});
        // The dollar total covers only the firms given shares: say which, so that a total over one
        // firm of twelve is not read as the sector's.
        std::string valued;
        std::size_t valued_count = 0;
        for (const stock::FirmEventResult& o : result_.observations)
            if (o.event == first.event && std::isfinite(o.abnormal_value)) {
                valued += (valued_count++ ? ", " : "") + o.firm;
            }
        out.push_back({"abnormal_value", valued_count == 0
                                             ? std::string("undefined: no firm has shares_outstanding")
                                             : "sum over " + std::to_string(valued_count) + " of " +
                                                   std::to_string(first.firm_count) + " firms (" + valued + ")"});
        // The first few; table `skipped` lists every one (a host keeps at most 1,024 notes).
        constexpr std::size_t skipped_notes = 20;
        for (std::size_t i = 0; i < std::min(skipped_notes, result_.skipped.size()); ++i)
            out.push_back({"skipped " + result_.skipped[i].firm + " in " + result_.skipped[i].event,
                           result_.skipped[i].reason});
        if (result_.skipped.size() > skipped_notes)
            out.push_back({"skipped", "and " + std::to_string(result_.skipped.size() - skipped_notes) +
                                          " more: table skipped lists them all"});
        return out;
    }

    std::vector<sdk::Table> tables() const {
        std::vector<sdk::Table> out;
        const auto iso = [](int32_t days) { return sdk::Date{days}.iso(); };
        {
            std::vector<std::string> event, firm, day0;
            std::vector<double> alpha, beta, sigma, ar0, car, scar, value, dropped;
            for (const stock::FirmEventResult& o : result_.observations) {
                event.push_back(o.event);
                firm.push_back(o.firm);
                day0.push_back(iso(o.day0_days));
                alpha.push_back(o.alpha);
                beta.push_back(o.beta);
                sigma.push_back(o.sigma);
                ar0.push_back(o.ar0);
                car.push_back(o.car);
                scar.push_back(o.scar);
                value.push_back(o.abnormal_value);
                dropped.push_back(o.n_dropped);
            }
            out.push_back(sdk::Table("firms", "Per firm and event")
                              .description("The benchmark's fit on the estimation window and the abnormal returns, "
                                           "one row per (firm, event)")
                              .text_column("event", "Event", std::move(event))
                              .text_column("firm", "Firm", std::move(firm))
                              .text_column("day0", "Day 0", std::move(day0))
                              .number_column("alpha", "Alpha", "%", std::move(alpha))
                              .number_column("beta", "Beta", "", std::move(beta))
                              .number_column("sigma", "s", "%", std::move(sigma))
                              .number_column("ar0", "AR day 0", "%", std::move(ar0))
                              .number_column("car", "CAR", "%", std::move(car))
                              .number_column("scar", "SCAR", "", std::move(scar))
                              .number_column("abnormal_value", "Abnormal value", "{currency}", std::move(value), true)
                              .number_column("dropped_dates", "Dates dropped", "", std::move(dropped)));
        }
        {
            // AR per day of every observation, with its standardised value AR / sd(AR) (the
            // forecast-error-corrected variance), for the day-by-day view and for charts.
            std::vector<std::string> event, firm, date;
            std::vector<double> day, ar, sar;
            for (const stock::FirmEventResult& o : result_.observations)
                for (std::size_t k = 0; k < o.abnormal_returns.size(); ++k) {
                    event.push_back(o.event);
                    firm.push_back(o.firm);
                    day.push_back(window_start_ + static_cast<double>(k));
                    date.push_back(iso(o.window_dates[k]));
                    ar.push_back(o.abnormal_returns[k]);
                    sar.push_back(o.abnormal_returns[k] / std::sqrt(o.ar_variance[k]));
                }
            out.push_back(sdk::Table("abnormal_returns", "Abnormal returns by firm and day")
                              .description("AR over the event window, one row per (firm, event, day)")
                              .text_column("event", "Event", std::move(event))
                              .text_column("firm", "Firm", std::move(firm))
                              .number_column("day", "Day", "", std::move(day))
                              .text_column("date", "Date", std::move(date))
                              .number_column("ar", "AR", "%", std::move(ar))
                              .number_column("sar", "Standardised AR", "", std::move(sar)));
        }
        {
            std::vector<std::string> event, test, distribution;
            std::vector<double> statistic, p;
            const auto add = [&](const stock::EventAggregate& e, const char* name, const stock::PanelTest& t) {
                event.push_back(e.event);
                test.push_back(name);
                distribution.push_back(t.degrees_of_freedom > 0 ? "Student t, " + std::to_string(t.degrees_of_freedom) + " df"
                                                                : std::string("standard normal"));
                statistic.push_back(t.statistic);
                p.push_back(t.p_value);
            };
            for (const stock::EventAggregate& e : result_.events) {
                add(e, "cross-sectional t", e.cross_sectional_t);
                add(e, "Patell Z", e.patell_z);
                add(e, "BMP t", e.bmp_t);
                add(e, "Kolari-Pynnonen t", e.kolari_pynnonen_t);
                if (e.corrado_z) add(e, "Corrado rank Z (day 0)", *e.corrado_z);
                add(e, "generalized sign Z", e.generalized_sign_z);
            }
            out.push_back(sdk::Table("tests", "Tests per event")
                              .description("Each event's CAAR tested across its firms; never pooled across events")
                              .text_column("event", "Event", std::move(event))
                              .text_column("test", "Test", std::move(test))
                              .text_column("distribution", "Distribution", std::move(distribution))
                              .number_column("statistic", "Statistic", "", std::move(statistic))
                              .number_column("p_value", "p (two-sided)", "", std::move(p)));
        }
        {
            std::vector<std::string> event, summary;
            std::vector<double> firms, caar, value;
            for (const stock::EventAggregate& e : result_.events) {
                event.push_back(e.event);
                summary.push_back(iso(e.day0_days));
                firms.push_back(e.firm_count);
                caar.push_back(e.caar);
                value.push_back(e.abnormal_value_total);
            }
            out.push_back(sdk::Table("events", "Per event")
                              .text_column("event", "Event", std::move(event))
                              .text_column("day0", "Day 0", std::move(summary))
                              .number_column("firms", "Firms", "", std::move(firms))
                              .number_column("caar", "CAAR", "%", std::move(caar))
                              .number_column("abnormal_value", "Abnormal value", "{currency}", std::move(value), true));
        }
        {
            std::vector<std::string> event;
            std::vector<double> day, aar, caar;
            for (const stock::EventAggregate& e : result_.events)
                for (std::size_t k = 0; k < e.relative_days.size(); ++k) {
                    event.push_back(e.event);
                    day.push_back(e.relative_days[k]);
                    aar.push_back(e.aar[k]);
                    caar.push_back(e.caar_path[k]);
                }
            out.push_back(sdk::Table("caar", "Average abnormal return by day")
                              .description("AAR and its running sum (CAAR) over the event window, per event")
                              .text_column("event", "Event", std::move(event))
                              .number_column("day", "Day", "", std::move(day))
                              .number_column("aar", "AAR", "%", std::move(aar))
                              .number_column("caar", "CAAR", "%", std::move(caar)));
        }
        if (!result_.skipped.empty()) {
            std::vector<std::string> event, firm, reason;
            for (const stock::SkippedObservation& s : result_.skipped) {
                event.push_back(s.event);
                firm.push_back(s.firm);
                reason.push_back(s.reason);
            }
            out.push_back(sdk::Table("skipped", "Skipped (skip_incomplete)")
                              .text_column("event", "Event", std::move(event))
                              .text_column("firm", "Firm", std::move(firm))
                              .text_column("reason", "Why", std::move(reason)));
        }
        return out;
    }

private:
    std::string currency_;
    std::vector<stock::PanelEvent> events_;
    int window_start_ = 0;  // a: the first AR of every observation is day a
    stock::EventPanelResult result_;
    std::vector<double> outputs_;
};

}  // namespace

IMPACT_PLUGIN("org.impact.stock", "1.1.0", "Stock price models", PriceMove, EventStudy, EventPanel);
