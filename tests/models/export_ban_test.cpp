// Tests revenue.export_ban: the built plugin through the C ABI against closed forms, its discount factors against QuantLib's curve.
#include "support/plugin_abi.hpp"
#include "support/reference_math.hpp"

#include "export_ban.hpp"

#include <catch2/catch.hpp>

#include <ql/compounding.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>
#include <ql/time/period.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace impact::test;
namespace chr = std::chrono;
namespace rev = impact::revenue;

const LoadedPlugin& revenue_plugin() { return require_loaded_plugin(IMPACT_PLUGIN_OUTPUT_DIR "/impact-revenue.so"); }

constexpr const char* model_id = "revenue.export_ban";

// One row of the seven batch columns, in declaration order.
struct Row {
    double annual_revenue;
    double restricted_share;
    double duration_years;
    double recapture;
    double gross_margin;
    double one_off_charges;
    double discount_rate;
};
std::vector<double> flatten(const std::vector<Row>& rows) {
    std::vector<double> out;
    for (const Row& r : rows)
        out.insert(out.end(), {r.annual_revenue, r.restricted_share, r.duration_years, r.recapture, r.gross_margin,
                               r.one_off_charges, r.discount_rate});
    return out;
}
enum Out { lost_revenue, lost_gross_profit, one_off_charges, total_impact, pv_total_impact, output_count };

// ---- The reference: dates with std::chrono, discounting in closed form ------------------

chr::year_month_day ymd_of(int32_t days_since_epoch) { return chr::year_month_day{chr::sys_days{chr::days{days_since_epoch}}}; }
int32_t days_of(chr::year_month_day d) { return static_cast<int32_t>(chr::sys_days{d}.time_since_epoch().count()); }

// as_of + n months, a day past the month's end moved back to its last day (31 Jan + 1 month
// = 28 Feb): the end-of-month rule README.md states.
int32_t add_months(int32_t as_of_days, int months) {
    const chr::year_month_day d = ymd_of(as_of_days);
    chr::year_month_day moved = d + chr::months{months};
    if (!moved.ok()) moved = chr::year_month_day{chr::year_month_day_last{moved.year(), chr::month_day_last{moved.month()}}};
    return days_of(moved);
}

struct Flow {
    int32_t date_days;
    double amount;
};

// The flows README.md, "Cash-flow timing", describes, built independently of the plugin.
std::vector<Flow> reference_flows(int32_t as_of_days, int months_per_period, double annual_gross_profit,
                                  int full_periods, double partial_fraction) {
    std::vector<Flow> flows;
    const double per_period = annual_gross_profit * months_per_period / 12.0;
    for (int k = 1; k <= full_periods; ++k) flows.push_back({add_months(as_of_days, k * months_per_period), per_period});
    if (partial_fraction > 0) {
        const int32_t start = add_months(as_of_days, full_periods * months_per_period);
        const int32_t end = add_months(as_of_days, (full_periods + 1) * months_per_period);
        const auto offset = static_cast<int32_t>(std::lround(partial_fraction * (end - start)));
        flows.push_back({start + offset, per_period * partial_fraction});
    }
    return flows;
}

// one_off + sum of amount x (1 + r)^-(days/365): annual compounding, Actual/365 (Fixed).
double reference_pv(int32_t as_of_days, double one_off, double rate, const std::vector<Flow>& flows) {
    double pv = one_off;
    for (const Flow& f : flows) pv += f.amount * std::pow(1.0 + rate, -static_cast<double>(f.date_days - as_of_days) / 365.0);
    return pv;
}

std::vector<impact_value> prepared(int32_t as_of_days, const char* timing = "quarterly") {
    return {text_value("currency", "USD"), date_value("as_of", as_of_days), text_value("timing", timing)};
}

const int32_t april_16_2025 = days(2025, 4, 16);

}  // namespace

TEST_CASE("the plugin entry and the revenue.export_ban descriptor", "[revenue]") {
    const LoadedPlugin& p = revenue_plugin();
    CHECK(p.entry->abi_major == IMPACT_ABI_MAJOR);
    CHECK(std::string_view(p.entry->plugin_id) == "org.impact.revenue");
    REQUIRE(p.factory->model_count() == 1);
    const impact_model_descriptor* d = p.factory->model_descriptor(0);
    REQUIRE(d != nullptr);
    CHECK(std::string_view(d->id) == model_id);
    CHECK(d->thread_safety == IMPACT_THREAD_FULLY_SAFE);
    REQUIRE(d->struct_size >= offsetof(impact_model_descriptor, references) + sizeof(const char*));
    // The day count and the curve must be stated where a report can show them.
    CHECK(std::strstr(d->references, "FlatForward") != nullptr);
    CHECK(std::strstr(d->references, "Actual/365 (Fixed)") != nullptr);

    struct ExpectedInput {
        const char* key;
        impact_input_kind kind;
        const char* unit;
        uint32_t flags;
        double default_number, min_value, max_value;
    };
    constexpr uint32_t req = IMPACT_INPUT_REQUIRED, def = IMPACT_INPUT_HAS_DEFAULT, lo = IMPACT_INPUT_HAS_MIN,
                       hi = IMPACT_INPUT_HAS_MAX;
    const ExpectedInput inputs[] = {
        {"currency", IMPACT_KIND_TEXT, "", def, 0, 0, 0},
        {"annual_revenue", IMPACT_KIND_MONEY, "{currency}", req | lo, 0, 0, 0},
        {"restricted_share", IMPACT_KIND_PERCENT, "%", def | lo | hi, 1, 0, 1},
        {"duration_years", IMPACT_KIND_NUMBER, "years", req | lo | hi, 0, 0, 50},
        {"recapture", IMPACT_KIND_PERCENT, "%", def | lo | hi, 0, 0, 1},
        {"gross_margin", IMPACT_KIND_PERCENT, "%", req | lo | hi, 0, 0, 1},
        {"one_off_charges", IMPACT_KIND_MONEY, "{currency}", def | lo, 0, 0, 0},
        {"discount_rate", IMPACT_KIND_PERCENT, "%", def | lo | hi, 0, -0.5, 1},
        {"as_of", IMPACT_KIND_DATE, "", req, 0, 0, 0},
        {"timing", IMPACT_KIND_TEXT, "", def, 0, 0, 0},
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
        if (in.flags & IMPACT_INPUT_HAS_DEFAULT && in.kind != IMPACT_KIND_TEXT) CHECK(in.default_number == e.default_number);
        if (in.flags & IMPACT_INPUT_HAS_MIN) CHECK(in.min_value == e.min_value);
        if (in.flags & IMPACT_INPUT_HAS_MAX) CHECK(in.max_value == e.max_value);
    }
    CHECK(std::string_view(d->inputs[0].default_text) == "USD");
    CHECK(std::string_view(d->inputs[9].default_text) == "quarterly");

    const char* const outputs[] = {"lost_revenue", "lost_gross_profit", "one_off_charges", "total_impact",
                                   "pv_total_impact"};
    REQUIRE(d->output_count == std::size(outputs));
    for (uint32_t i = 0; i < d->output_count; ++i) {
        CAPTURE(i);
        CHECK(std::string_view(d->outputs[i].key) == outputs[i]);
        CHECK(std::string_view(d->outputs[i].unit) == "{currency}");
        // Losses stated as positive amounts: higher is worse (plugins/revenue/README.md).
        CHECK(d->outputs[i].direction == IMPACT_DIRECTION_HIGHER_IS_WORSE);
        CHECK(d->outputs[i].flags == 0u);
    }
}

TEST_CASE("revenue.export_ban: the H20 worked example and the $12-15B range", "[revenue][reference]") {
    // Source: ../shared/guide/facts.md. 'H20 revenue' $12-15B in 2024 (13.5B is the midpoint,
    // as in the sample scenario); '8-K wording' up to about $5.5B of charges. Share 100%, one
    // year, no recapture, 60% gross margin and an 8% discount rate are the sample's assumptions.
    const double margin = 0.60, one_off = 5.5e9, rate = 0.08;
    const std::vector<double> revenues = {13.5e9, 12e9, 15e9};
    std::vector<Row> rows;
    for (double revenue : revenues) rows.push_back({revenue, 1.0, 1.0, 0.0, margin, one_off, rate});

    const ModelInstance model(revenue_plugin(), model_id, prepared(april_16_2025));
    INFO("create: " << model.create_error.message);
    REQUIRE(model.status == IMPACT_STATUS_OK);
    REQUIRE(model.input_width == 7);
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(model.evaluate(flatten(rows), rows.size(), out, error) == IMPACT_STATUS_OK);

    for (std::size_t i = 0; i < rows.size(); ++i) {
        const double revenue = revenues[i];
        const double* o = &out[i * output_count];
        // Closed forms from README.md, "Formulas".
        const double expected_lost_revenue = revenue;  // x 100% x (1 - 0) x 1 year
        const double expected_gross_profit = revenue * margin;
        // Quarter ends 2025-07-16, 2025-10-16, 2026-01-16, 2026-04-16 (91, 183, 275, 365 days),
        // each a quarter of the year's lost gross profit, discounted at (1.08)^-(days/365).
        const std::vector<Flow> flows = reference_flows(april_16_2025, 3, expected_gross_profit, 4, 0.0);
        const double expected_pv = reference_pv(april_16_2025, one_off, rate, flows);
        CAPTURE(i, revenue, margin, one_off, rate, o[lost_revenue], o[lost_gross_profit], o[total_impact],
                o[pv_total_impact], expected_pv);
        CHECK(close_relative(o[lost_revenue], expected_lost_revenue, 1e-12));
        CHECK(close_relative(o[lost_gross_profit], expected_gross_profit, 1e-12));
        CHECK(o[one_off_charges] == one_off);
        CHECK(close_relative(o[total_impact], expected_gross_profit + one_off, 1e-12));
        CHECK(close_relative(o[pv_total_impact], expected_pv, 1e-10));
    }
    // The 13.5B row's figures as README.md, "Worked example", prints them.
    REQUIRE(reference_flows(april_16_2025, 3, 1, 4, 0)[1].date_days == days(2025, 10, 16));
    CHECK(close_relative(out[lost_revenue], 13.5e9, 1e-12));
    CHECK(close_relative(out[lost_gross_profit], 8.1e9, 1e-12));
    CHECK(close_relative(out[total_impact], 13.6e9, 1e-12));
    CHECK(std::abs(out[pv_total_impact] - 13'220'788'405.44) < 0.01);

    const auto notes = model.note_map();
    CHECK(notes.at("as_of") == "2025-04-16");
    CHECK(notes.at("discounting") == "QuantLib FlatForward from 2025-04-16, Actual/365 (Fixed), compounded annually");
}

TEST_CASE("revenue.export_ban: recapture, partial share, zero duration, zero rate", "[revenue][reference]") {
    const ModelInstance model(revenue_plugin(), model_id, prepared(april_16_2025));
    REQUIRE(model.status == IMPACT_STATUS_OK);
    struct Case {
        const char* what;
        Row row;
        double expected_lost_revenue;  // closed form, worked out by hand below
        double expected_pv;            // NaN: use the reference flows over whole quarters
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Case cases[] = {
        // 13.5B x 50% x (1 - 25%) x 1 = 5.0625B
        {"half restricted, a quarter recaptured", {13.5e9, 0.5, 1.0, 0.25, 0.6, 0.0, 0.08}, 5.0625e9, nan},
        // Nothing lost while nothing is restricted for any time: only the one-off charge remains.
        {"zero duration", {13.5e9, 1.0, 0.0, 0.0, 0.6, 5.5e9, 0.08}, 0.0, 5.5e9},
        // Full recapture: the market is replaced.
        {"full recapture", {13.5e9, 1.0, 2.0, 1.0, 0.6, 1e9, 0.08}, 0.0, 1e9},
        // Undiscounted: PV = total = 8.1B x 3 + 5.5B.
        {"zero rate, three years", {13.5e9, 1.0, 3.0, 0.0, 0.6, 5.5e9, 0.0}, 40.5e9, 8.1e9 * 3 + 5.5e9},
        // A negative rate makes later losses worth more today.
        {"negative rate", {13.5e9, 1.0, 2.0, 0.0, 0.6, 0.0, -0.01}, 27e9, nan},
    };
    for (const Case& c : cases) {
        INFO("case: " << c.what);
        std::vector<double> out;
        ErrorStorage error;
        REQUIRE(model.evaluate(flatten({c.row}), 1, out, error) == IMPACT_STATUS_OK);
        const double gross_profit = c.expected_lost_revenue * c.row.gross_margin;
        const double annual_gross_profit =
            c.row.annual_revenue * c.row.restricted_share * (1 - c.row.recapture) * c.row.gross_margin;
        const int quarters = static_cast<int>(c.row.duration_years * 4);
        const double expected_pv =
            std::isnan(c.expected_pv)
                ? reference_pv(april_16_2025, c.row.one_off_charges, c.row.discount_rate,
                               reference_flows(april_16_2025, 3, annual_gross_profit, quarters, 0.0))
                : c.expected_pv;
        CAPTURE(c.row.annual_revenue, c.row.restricted_share, c.row.duration_years, c.row.recapture,
                c.row.gross_margin, c.row.one_off_charges, c.row.discount_rate, out[lost_revenue],
                out[pv_total_impact], expected_pv);
        CHECK(close_relative(out[lost_revenue], c.expected_lost_revenue, 1e-12));
        CHECK(close_relative(out[lost_gross_profit], gross_profit, 1e-12));
        CHECK(close_relative(out[total_impact], gross_profit + c.row.one_off_charges, 1e-12));
        CHECK(close_relative(out[pv_total_impact], expected_pv, 1e-10));
        if (c.row.discount_rate < 0) CHECK(out[pv_total_impact] > out[total_impact]);
        if (c.row.discount_rate > 0 && gross_profit > 0) CHECK(out[pv_total_impact] < out[total_impact]);
    }
}

TEST_CASE("revenue.export_ban: partial last periods and annual timing", "[revenue][reference]") {
    // Closed form with the dates of README.md, "Cash-flow timing": full periods at as_of + k
    // periods, then the remainder pro rata, dated the same fraction into the next period's
    // calendar days (rounded to a day).
    const double annual_revenue = 13.5e9, margin = 0.6, rate = 0.08;
    const double annual_gross_profit = annual_revenue * margin;  // 8.1B a year
    struct Case {
        const char* what;
        const char* timing;
        double duration_years;
        int months_per_period;
        int full_periods;
        double partial_fraction;
        int32_t last_flow_date;  // worked out by hand, to pin the date rule
    };
    const Case cases[] = {
        // 1.1 years = 4.4 quarters: the 5th quarter (2026-04-16..2026-07-16, 91 days) is 40% used,
        // 36.4 days -> 36 -> 2026-05-22.
        {"1.1 years quarterly", "quarterly", 1.1, 3, 4, 0.4, days(2026, 5, 22)},
        // 1.15 years = 4.6 quarters: 0.6 x 91 = 54.6 days rounds (not truncates) to 55 -> 2026-06-10.
        {"1.15 years quarterly", "quarterly", 1.15, 3, 4, 0.6, days(2026, 6, 10)},
        // 0.1 years = 0.4 of the first quarter (91 days) -> 36 days -> 2025-05-22.
        {"0.1 years quarterly", "quarterly", 0.1, 3, 0, 0.4, days(2025, 5, 22)},
        // 0.75 years is three whole quarters, no sliver.
        {"0.75 years quarterly", "quarterly", 0.75, 3, 3, 0.0, days(2026, 1, 16)},
        // One year, annual: a single flow of 8.1B at 2026-04-16, 365 days on.
        {"1 year annual", "annual", 1.0, 12, 1, 0.0, days(2026, 4, 16)},
        // 2.5 years annual: 2027-04-16..2028-04-16 has 366 days (29 Feb 2028); half is 183 days
        // -> 2027-10-16.
        {"2.5 years annual", "annual", 2.5, 12, 2, 0.5, days(2027, 10, 16)},
    };
    for (const Case& c : cases) {
        INFO("case: " << c.what);
        const ModelInstance model(revenue_plugin(), model_id, prepared(april_16_2025, c.timing));
        REQUIRE(model.status == IMPACT_STATUS_OK);
        std::vector<double> out;
        ErrorStorage error;
        const Row row{annual_revenue, 1.0, c.duration_years, 0.0, margin, 0.0, rate};
        REQUIRE(model.evaluate(flatten({row}), 1, out, error) == IMPACT_STATUS_OK);

        const std::vector<Flow> flows =
            reference_flows(april_16_2025, c.months_per_period, annual_gross_profit, c.full_periods, c.partial_fraction);
        REQUIRE(!flows.empty());
        CHECK(flows.back().date_days == c.last_flow_date);
        double flow_sum = 0;
        for (const Flow& f : flows) flow_sum += f.amount;
        const double expected_pv = reference_pv(april_16_2025, 0.0, rate, flows);
        CAPTURE(c.timing, c.duration_years, out[lost_gross_profit], flow_sum, out[pv_total_impact], expected_pv);
        // The flows add up to the undiscounted lost gross profit.
        CHECK(close_relative(flow_sum, annual_gross_profit * c.duration_years, 1e-12));
        CHECK(close_relative(out[lost_gross_profit], annual_gross_profit * c.duration_years, 1e-12));
        CHECK(close_relative(out[pv_total_impact], expected_pv, 1e-10));
    }
    // Annual, one year: the closed form needs no dates at all.
    const ModelInstance annual(revenue_plugin(), model_id, prepared(april_16_2025, "annual"));
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(annual.evaluate(flatten({{annual_revenue, 1.0, 1.0, 0.0, margin, 5.5e9, rate}}), 1, out, error) ==
            IMPACT_STATUS_OK);
    CAPTURE(out[pv_total_impact]);
    CHECK(close_relative(out[pv_total_impact], 5.5e9 + 8.1e9 / 1.08, 1e-12));
}

TEST_CASE("revenue.export_ban: quarter ends past a short month's end", "[revenue][reference]") {
    // as_of 2025-11-30: quarter ends 2026-02-28 (clamped), 2026-05-30, 2026-08-30, 2026-11-30,
    // each counted from as_of, so the clamp in February does not carry into May.
    const int32_t as_of = days(2025, 11, 30);
    const std::vector<Flow> flows = reference_flows(as_of, 3, 8.1e9, 4, 0.0);
    REQUIRE(flows.size() == 4);
    CHECK(flows[0].date_days == days(2026, 2, 28));
    CHECK(flows[1].date_days == days(2026, 5, 30));
    const ModelInstance model(revenue_plugin(), model_id, prepared(as_of));
    REQUIRE(model.status == IMPACT_STATUS_OK);
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(model.evaluate(flatten({{13.5e9, 1.0, 1.0, 0.0, 0.6, 0.0, 0.08}}), 1, out, error) == IMPACT_STATUS_OK);
    const double expected = reference_pv(as_of, 0.0, 0.08, flows);
    CAPTURE(out[pv_total_impact], expected);
    CHECK(close_relative(out[pv_total_impact], expected, 1e-10));
}

TEST_CASE("revenue.export_ban refuses bad rows, naming the input and the row", "[revenue]") {
    const ModelInstance model(revenue_plugin(), model_id, prepared(april_16_2025));
    REQUIRE(model.status == IMPACT_STATUS_OK);
    const Row good{13.5e9, 1.0, 1.0, 0.0, 0.6, 5.5e9, 0.08};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    struct Case {
        const char* what;
        Row bad;
        const char* key;
    };
    const Case cases[] = {
        {"negative revenue", {-1.0, 1.0, 1.0, 0.0, 0.6, 5.5e9, 0.08}, "annual_revenue"},
        {"infinite revenue", {inf, 1.0, 1.0, 0.0, 0.6, 5.5e9, 0.08}, "annual_revenue"},
        {"share above 100%", {13.5e9, 1.5, 1.0, 0.0, 0.6, 5.5e9, 0.08}, "restricted_share"},
        {"duration above 50 years", {13.5e9, 1.0, 51.0, 0.0, 0.6, 5.5e9, 0.08}, "duration_years"},
        {"negative recapture", {13.5e9, 1.0, 1.0, -0.1, 0.6, 5.5e9, 0.08}, "recapture"},
        {"NaN margin", {13.5e9, 1.0, 1.0, 0.0, nan, 5.5e9, 0.08}, "gross_margin"},
        {"negative one-off", {13.5e9, 1.0, 1.0, 0.0, 0.6, -5.5e9, 0.08}, "one_off_charges"},
        {"rate below -50%", {13.5e9, 1.0, 1.0, 0.0, 0.6, 5.5e9, -0.6}, "discount_rate"},
    };
    for (const Case& c : cases) {
        INFO("case: " << c.what);
        std::vector<double> out;
        ErrorStorage error;
        // The bad row is the second, so the reported row must be 1.
        CHECK(model.evaluate(flatten({good, c.bad, good}), 3, out, error) == IMPACT_STATUS_INVALID_INPUT);
        INFO("message: " << error.message);
        CHECK(std::string_view(error.key) == c.key);
        // The row travels in impact_error.row; the host names it (or the range end) itself.
        CHECK(error.error.row == 1);
    }
}

TEST_CASE("revenue.export_ban: inputs_in_bounds agrees with evaluate's checks at every bound", "[revenue]") {
    // A batch is checked by inputs_in_bounds and evaluated without messages when every row passes,
    // so the two must agree exactly: for each input at its bounds, one double beyond, NaN and the
    // infinities. Reference: the bounds in plugins/revenue/README.md ("Inputs").
    const rev::ExportBan model(rev::valuation_date_from_days(april_16_2025), rev::Timing::quarterly);
    const rev::ExportBanInputs good{13.5e9, 1.0, 1.0, 0.0, 0.6, 5.5e9, 0.08};
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    struct Bounded {
        const char* key;
        double rev::ExportBanInputs::*member;
        double low, high;  // high = +inf: no upper bound
    };
    const Bounded inputs[] = {
        {"annual_revenue", &rev::ExportBanInputs::annual_revenue, 0.0, inf},
        {"restricted_share", &rev::ExportBanInputs::restricted_share, 0.0, 1.0},
        {"duration_years", &rev::ExportBanInputs::duration_years, 0.0, 50.0},
        {"recapture", &rev::ExportBanInputs::recapture, 0.0, 1.0},
        {"gross_margin", &rev::ExportBanInputs::gross_margin, 0.0, 1.0},
        {"one_off_charges", &rev::ExportBanInputs::one_off_charges, 0.0, inf},
        {"discount_rate", &rev::ExportBanInputs::discount_rate, -0.5, 1.0},
    };
    for (const Bounded& b : inputs) {
        const double largest = std::numeric_limits<double>::max();
        for (const double value : {b.low, std::nextafter(b.low, -inf), b.high == inf ? largest : b.high,
                                   std::nextafter(b.high, inf), nan, inf, -inf}) {
            rev::ExportBanInputs in = good;
            in.*b.member = value;
            bool throws = false;
            try {
                (void)model.evaluate(in);
            } catch (const impact::sdk::InputError&) {
                throws = true;
            }
            INFO(b.key << " = " << value);
            CHECK(rev::ExportBan::inputs_in_bounds(in) == !throws);
            CHECK(throws == !(value >= b.low && value <= std::min(b.high, largest)));
        }
    }
}

TEST_CASE("revenue.export_ban refuses bad prepared inputs, naming the input", "[revenue]") {
    struct Case {
        const char* what;
        std::vector<impact_value> values;
        const char* key;
        const char* message_part;
    };
    const Case cases[] = {
        {"unknown timing", prepared(april_16_2025, "monthly"), "timing", "'monthly'"},
        {"no as_of", {text_value("currency", "USD")}, "as_of", "missing"},
        {"as_of too late for QuantLib", prepared(days(2190, 1, 1)), "as_of", "2149-12-31"},
        {"lower-case currency", {text_value("currency", "usd"), date_value("as_of", april_16_2025)}, "currency", "'usd'"},
        {"not an ISO 4217 code", {text_value("currency", "ABC"), date_value("as_of", april_16_2025)}, "currency",
         "current ISO 4217 code"},
    };
    for (const Case& c : cases) {
        const ModelInstance model(revenue_plugin(), model_id, c.values);
        INFO("case: " << c.what << "\nmessage: " << model.create_error.message);
        CHECK(model.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(model.instance == nullptr);
        CHECK(std::string_view(model.create_error.key) == c.key);
        CHECK(std::string_view(model.create_error.message).find(c.message_part) != std::string_view::npos);
    }
    // Text inputs the host leaves out take their defaults: USD and quarterly.
    const ModelInstance defaults(revenue_plugin(), model_id, {date_value("as_of", april_16_2025)});
    INFO(defaults.create_error.message);
    REQUIRE(defaults.status == IMPACT_STATUS_OK);
    CHECK(defaults.note_map().at("timing").rfind("quarterly", 0) == 0);
}

TEST_CASE("one revenue.export_ban instance evaluated from several threads at once", "[revenue]") {
    // The descriptor says fully_safe: the instance is immutable once prepared (its table of
    // period ends included), so concurrent batches must give exactly the single-thread result.
    const ModelInstance model(revenue_plugin(), model_id, prepared(april_16_2025));
    REQUIRE(model.status == IMPACT_STATUS_OK);
    std::vector<Row> rows;
    for (int i = 0; i < 2000; ++i) rows.push_back({12e9 + 1e6 * i, 1.0, 0.25 * (i % 40), 0.0, 0.6, 5.5e9, 0.001 * (i % 100)});
    const std::vector<double> inputs = flatten(rows);
    std::vector<double> single;
    ErrorStorage single_error;
    REQUIRE(model.evaluate(inputs, rows.size(), single, single_error) == IMPACT_STATUS_OK);

    std::vector<std::vector<double>> results(4);
    std::vector<impact_status> statuses(results.size(), IMPACT_STATUS_INTERNAL);
    {
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                ErrorStorage error;
                statuses[t] = model.evaluate(inputs, rows.size(), results[t], error);
            });
        for (std::thread& thread : threads) thread.join();
    }
    for (std::size_t t = 0; t < results.size(); ++t) {
        CAPTURE(t);
        REQUIRE(statuses[t] == IMPACT_STATUS_OK);
        CHECK(results[t] == single);
    }
}

namespace {

std::string iso(int32_t days_since_epoch) {
    const chr::year_month_day d = ymd_of(days_since_epoch);
    std::ostringstream out;
    out << static_cast<int>(d.year()) << '-' << (static_cast<unsigned>(d.month()) < 10 ? "0" : "")
        << static_cast<unsigned>(d.month()) << '-' << (static_cast<unsigned>(d.day()) < 10 ? "0" : "")
        << static_cast<unsigned>(d.day());
    return out.str();
}

// Valuation dates with month ends (the 31st, the 30th before a 28-day February), leap days
// and QuantLib's extremes for a 50-year restriction.
const int32_t grid_as_of[] = {days(2025, 4, 16), days(2025, 1, 31), days(2024, 2, 29), days(2028, 2, 29),
                              days(2023, 11, 30), days(2025, 8, 31), days(1901, 1, 1), days(2149, 12, 31)};
const double grid_durations_years[] = {0.0, 0.1, 0.75, 1.0, 2.6, 50.0};
// The bounds, zero, tiny rates either side of it, and ordinary ones.
const double grid_rates[] = {-0.5, -0.2, -1e-12, 0.0, 1e-15, 1e-9, 0.01, 0.08, 0.5, 1.0};

}  // namespace

TEST_CASE("revenue.export_ban: prepared flow dates and closed-form discount factors equal QuantLib's FlatForward",
          "[revenue][reference]") {
    // Reference: QuantLib 1.29 FlatForward(as_of, r, Actual365Fixed(), Compounded, Annual), the
    // curve the model built for every row before its schedule was prepared once per instance,
    // and the flow dates of README.md, "Cash-flow timing", built here with std::chrono.
    // Tolerance: 1e-14 relative for discount factors and present values (the closed form does
    // the same floating-point operations as QuantLib's InterestRate, so it is usually exact);
    // dates and year fractions exactly.
    constexpr double tolerance = 1e-14;
    const double annual_gross_profit = 8.1e9, one_off = 5.5e9;
    std::size_t flows_compared = 0, failures = 0;
    for (const int32_t as_of_days : grid_as_of) {
        const QuantLib::Date as_of = rev::valuation_date_from_days(as_of_days);
        for (const rev::Timing timing : {rev::Timing::quarterly, rev::Timing::annual}) {
            const rev::ExportBan model(as_of, timing);
            const int months = rev::months_per_period(timing);
            for (const double duration : grid_durations_years) {
                // The split README.md states: whole periods (within 1e-9), then the remainder.
                const double periods = duration / (months / 12.0);
                const int full = static_cast<int>(std::floor(periods + 1e-9 * std::max(1.0, periods)));
                const double fraction = std::max(0.0, periods - full);
                const std::vector<Flow> expected_flows =
                    reference_flows(as_of_days, months, annual_gross_profit, full, fraction > 1e-9 ? fraction : 0.0);
                for (const double rate : grid_rates) {
                    const QuantLib::FlatForward curve(as_of, rate, QuantLib::Actual365Fixed(), QuantLib::Compounded,
                                                      QuantLib::Annual);
                    const std::vector<rev::DiscountedFlow> flows = model.discounted_flows(annual_gross_profit, duration, rate);
                    std::ostringstream where;
                    where.precision(17);
                    where << "as_of " << iso(as_of_days) << ", timing " << rev::timing_name(timing) << ", duration_years "
                          << duration << ", discount_rate " << rate;
                    if (flows.size() != expected_flows.size()) {
                        ++failures;
                        FAIL_CHECK(where.str() << ": " << flows.size() << " flows, expected " << expected_flows.size());
                        continue;
                    }
                    double expected_pv = one_off;
                    for (std::size_t k = 0; k < flows.size(); ++k) {
                        const rev::DiscountedFlow& f = flows[k];
                        const Flow& e = expected_flows[k];
                        const int32_t date_days = as_of_days + static_cast<int32_t>(f.date.serialNumber() - as_of.serialNumber());
                        const double expected_years = QuantLib::Actual365Fixed().yearFraction(as_of, f.date);
                        const double expected_df = curve.discount(f.date);
                        expected_pv += e.amount * expected_df;
                        ++flows_compared;
                        const bool ok = date_days == e.date_days && f.years_from_as_of == expected_years &&
                                        f.years_from_as_of == (e.date_days - as_of_days) / 365.0 &&
                                        close_relative(f.amount, e.amount, 1e-15) &&
                                        close_relative(f.discount_factor, expected_df, tolerance);
                        if (!ok && ++failures <= 20) {
                            std::ostringstream what;
                            what.precision(17);
                            what << where.str() << ", flow " << k + 1 << " of " << flows.size() << ": date "
                                 << iso(date_days) << " (expected " << iso(e.date_days) << "), years " << f.years_from_as_of
                                 << " (QuantLib " << expected_years << "), amount " << f.amount << " (expected "
                                 << e.amount << "), DF " << f.discount_factor << " (FlatForward " << expected_df
                                 << ", relative difference "
                                 << std::abs(f.discount_factor - expected_df) / std::abs(expected_df) << ")";
                            FAIL_CHECK(what.str());
                        }
                    }
                    // The row's present value, as evaluate() sums it, against the same flows on the curve.
                    rev::ExportBanInputs row;
                    row.annual_revenue = annual_gross_profit / 0.6;
                    row.restricted_share = 1.0;
                    row.duration_years = duration;
                    row.gross_margin = 0.6;
                    row.one_off_charges = one_off;
                    row.discount_rate = rate;
                    const double pv = model.evaluate(row).pv_total_impact;
                    if (!close_relative(pv, expected_pv, tolerance) && ++failures <= 20) {
                        std::ostringstream what;
                        what.precision(17);
                        what << where.str() << ": pv_total_impact " << pv << ", on the FlatForward curve " << expected_pv;
                        FAIL_CHECK(what.str());
                    }
                }
            }
        }
    }
    INFO(failures << " failures (the first 20 printed) in " << flows_compared << " flows");
    CHECK(failures == 0);
    // 8 dates x 10 rates x (quarterly 0+1+3+4+11+200 and annual 0+1+1+1+3+50 flows).
    CHECK(flows_compared == 8u * 10u * (219u + 56u));
}

TEST_CASE("revenue.export_ban: a batch whose rows differ in duration_years gives each row's own result",
          "[revenue]") {
    // Rows of one batch share the prepared period table but not their flows: each row's
    // outputs must be bit for bit those of the same row evaluated alone.
    const double durations_years[] = {0.0, 0.1, 0.75, 1.0, 1.1, 2.6, 50.0, 0.25, 3.3, 49.9, 12.34, 1.0 - 1e-12};
    const double rates[] = {-0.5, 0.0, 1e-12, 0.08, 1.0};
    for (const int32_t as_of : {april_16_2025, days(2025, 1, 31), days(2024, 2, 29)}) {
        for (const char* timing : {"quarterly", "annual"}) {
            INFO("as_of " << iso(as_of) << ", timing " << timing);
            const ModelInstance model(revenue_plugin(), model_id, prepared(as_of, timing));
            REQUIRE(model.status == IMPACT_STATUS_OK);
            std::vector<Row> rows;
            for (std::size_t i = 0; i < 60; ++i)
                rows.push_back({12e9 + 1e8 * static_cast<double>(i), 0.5 + 0.5 * static_cast<double>(i % 2),
                                durations_years[i % std::size(durations_years)], 0.1 * static_cast<double>(i % 3),
                                0.6, 1e9 * static_cast<double>(i % 4), rates[i % std::size(rates)]});
            std::vector<double> batch_out;
            ErrorStorage batch_error;
            REQUIRE(model.evaluate(flatten(rows), rows.size(), batch_out, batch_error) == IMPACT_STATUS_OK);
            for (std::size_t i = 0; i < rows.size(); ++i) {
                std::vector<double> alone;
                ErrorStorage error;
                REQUIRE(model.evaluate(flatten({rows[i]}), 1, alone, error) == IMPACT_STATUS_OK);
                const Row& r = rows[i];
                for (int o = 0; o < output_count; ++o) {
                    const double in_batch = batch_out[i * output_count + static_cast<std::size_t>(o)];
                    if (in_batch == alone[static_cast<std::size_t>(o)]) continue;
                    FAIL_CHECK("row " << i << " (annual_revenue " << r.annual_revenue << ", restricted_share "
                                      << r.restricted_share << ", duration_years " << r.duration_years << ", recapture "
                                      << r.recapture << ", one_off_charges " << r.one_off_charges << ", discount_rate "
                                      << r.discount_rate << "): output " << o << " is " << in_batch
                                      << " in the batch, " << alone[static_cast<std::size_t>(o)] << " alone");
                }
            }
        }
    }
}
