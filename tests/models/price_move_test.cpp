// Tests stock.price_move in the built impact-stock plugin through the C ABI, against facts.md.
#include "support/plugin_abi.hpp"
#include "support/reference_math.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace impact::test;

const LoadedPlugin& stock_plugin() { return require_loaded_plugin(IMPACT_PLUGIN_OUTPUT_DIR "/impact-stock.so"); }

constexpr const char* model_id = "stock.price_move";
enum Out { return_out, price_change_out, market_cap_change_out, output_count };

}  // namespace

TEST_CASE("the stock plugin entry and the stock.price_move descriptor", "[stock][price_move]") {
    const LoadedPlugin& p = stock_plugin();
    CHECK(std::string_view(p.entry->plugin_id) == "org.impact.stock");
    REQUIRE(p.factory->model_count() == 3);  // stock.price_move, stock.event_study, stock.event_panel
    const impact_model_descriptor* d = p.descriptor(model_id);
    REQUIRE(d != nullptr);
    CHECK(d->thread_safety == IMPACT_THREAD_FULLY_SAFE);
    struct ExpectedInput {
        const char* key;
        impact_input_kind kind;
        const char* unit;
        uint32_t flags;
    };
    const ExpectedInput inputs[] = {
        {"currency", IMPACT_KIND_TEXT, "", IMPACT_INPUT_HAS_DEFAULT},
        // > 0, declared (ABI 1.2) so that `impact validate` refuses what evaluation would.
        {"price_before", IMPACT_KIND_MONEY, "{currency}",
         IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE},
        {"price_after", IMPACT_KIND_MONEY, "{currency}", IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_MIN},
        {"shares_outstanding", IMPACT_KIND_NUMBER, "shares", IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_MIN},
    };
    REQUIRE(d->input_count == std::size(inputs));
    for (uint32_t i = 0; i < d->input_count; ++i) {
        CAPTURE(i, inputs[i].key);
        CHECK(std::string_view(d->inputs[i].key) == inputs[i].key);
        CHECK(d->inputs[i].kind == inputs[i].kind);
        CHECK(std::string_view(d->inputs[i].unit) == inputs[i].unit);
        CHECK(d->inputs[i].flags == inputs[i].flags);
    }
    const char* const outputs[][2] = {{"return", "%"}, {"price_change", "{currency}"}, {"market_cap_change", "{currency}"}};
    REQUIRE(d->output_count == std::size(outputs));
    for (uint32_t i = 0; i < d->output_count; ++i) {
        CAPTURE(i);
        CHECK(std::string_view(d->outputs[i].key) == outputs[i][0]);
        CHECK(std::string_view(d->outputs[i].unit) == outputs[i][1]);
        // Signed changes: a fall is negative, so higher is better (plugins/stock/README.md).
        CHECK(d->outputs[i].direction == IMPACT_DIRECTION_HIGHER_IS_BETTER);
        CHECK(d->outputs[i].flags == 0u);
    }
}

TEST_CASE("stock.price_move: the April 2025 NVDA moves in one batch", "[stock][price_move][reference]") {
    struct Case {
        const char* figure;
        double before, after, shares;
        double expected_return_percent_2dp;  // as the source rounds it
        double expected_market_cap_change;   // worked out by hand: (after - before) x shares
        const char* source;
    };
    const Case cases[] = {
        {"after-hours move", 112.20, 105.10, 24.4e9, -6.33, -7.10 * 24.4e9,
         "facts.md, Article 1, 'stock reaction' (105.10 / 112.20 - 1 = -6.33%) and 'shares outstanding' (24.4B, 10-Q)"},
        {"exchange close", 112.20, 104.49, 24.4e9, -6.87, -7.71 * 24.4e9,
         "facts.md, 'NVDA close': $104.49 on 16 April 2025, -6.87% from $112.20"},
        {"adjusted closes", 112.1922, 104.4827, 24.4e9, -6.87, -7.7095 * 24.4e9,
         "facts.md, 'NVDA close': the adjusted series shows 112.1922 -> 104.4827"},
        {"no move, no shares", 112.20, 112.20, 0.0, 0.0, 0.0, "identity"},
    };
    std::vector<double> inputs;
    for (const Case& c : cases) inputs.insert(inputs.end(), {c.before, c.after, c.shares});

    const ModelInstance model(stock_plugin(), model_id, {text_value("currency", "USD")});
    INFO("create: " << model.create_error.message);
    REQUIRE(model.status == IMPACT_STATUS_OK);
    REQUIRE(model.input_width == 3);
    std::vector<double> out;
    ErrorStorage error;
    REQUIRE(model.evaluate(inputs, std::size(cases), out, error) == IMPACT_STATUS_OK);
    for (std::size_t i = 0; i < std::size(cases); ++i) {
        const Case& c = cases[i];
        const double* o = &out[i * output_count];
        // Computed here as the ratio less one, the definition, not the plugin's difference form.
        const double expected_return = c.after / c.before - 1.0;
        INFO("figure: " << c.figure << "\nsource: " << c.source);
        CAPTURE(c.before, c.after, c.shares, o[return_out], expected_return, o[price_change_out],
                o[market_cap_change_out], c.expected_market_cap_change);
        CHECK(close_relative(o[return_out], expected_return, 1e-12));
        CHECK(std::round(o[return_out] * 1e4) / 1e2 == c.expected_return_percent_2dp);
        CHECK(close_relative(o[price_change_out], c.after - c.before, 1e-12));
        CHECK(close_relative(o[market_cap_change_out], c.expected_market_cap_change, 1e-12));
    }
    // The seed check in full digits: -7.10 / 112.20 = -0.063279857397504...; and -$173.24B.
    CHECK(close_relative(out[return_out], -0.0632798573975045, 1e-13));
    CHECK(close_relative(out[market_cap_change_out], -173.24e9, 1e-12));
}

TEST_CASE("stock.price_move refuses bad rows, naming the input and the row", "[stock][price_move]") {
    const ModelInstance model(stock_plugin(), model_id, {});
    REQUIRE(model.status == IMPACT_STATUS_OK);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    struct Case {
        const char* what;
        std::vector<double> bad;
        const char* key;
    };
    const Case cases[] = {
        {"zero price before", {0.0, 105.10, 24.4e9}, "price_before"},
        {"negative price before", {-112.20, 105.10, 24.4e9}, "price_before"},
        {"negative price after", {112.20, -1.0, 24.4e9}, "price_after"},
        {"NaN shares", {112.20, 105.10, nan}, "shares_outstanding"},
    };
    for (const Case& c : cases) {
        INFO("case: " << c.what);
        std::vector<double> inputs = {112.20, 105.10, 24.4e9};
        inputs.insert(inputs.end(), c.bad.begin(), c.bad.end());
        std::vector<double> out;
        ErrorStorage error;
        CHECK(model.evaluate(inputs, 2, out, error) == IMPACT_STATUS_INVALID_INPUT);
        INFO("message: " << error.message);
        CHECK(std::string_view(error.key) == c.key);
        CHECK(error.error.row == 1);
    }
    // "ABC" has the shape of a code but is not a current ISO 4217 one (sdk/currencies.hpp).
    for (const char* code : {"US$", "ABC", "DEM"}) {
        const ModelInstance bad_currency(stock_plugin(), model_id, {text_value("currency", code)});
        INFO("currency " << code);
        CHECK(bad_currency.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::string_view(bad_currency.create_error.key) == "currency");
    }
    const ModelInstance franc(stock_plugin(), model_id, {text_value("currency", "XAF")});
    CHECK(franc.status == IMPACT_STATUS_OK);
}
