// Tests the built impact-fx plugin through the C ABI only, loaded with dlopen as a host would.
#include "support/plugin_abi.hpp"
#include "support/reference_math.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using namespace impact::test;

const char* const plugin_path = IMPACT_PLUGIN_OUTPUT_DIR "/impact-fx.so";

const LoadedPlugin& plugin() { return require_loaded_plugin(plugin_path); }

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// fx.convert created through the plugin's factory, destroyed with the C destroy(). Its batch
// columns are amount and rate (1.1.0: rate per row, optional).
struct Instance : ModelInstance {
    // With `rate` left out (a quote table gives the rate): its column is NaN, as the host sends it.
    explicit Instance(const std::vector<impact_value>& values)
        : ModelInstance(plugin(), "fx.convert", values, {"rate"}) {}
    // With `rate` given: `rate` in every row that evaluate() sends.
    Instance(const std::vector<impact_value>& values, double given_rate)
        : ModelInstance(plugin(), "fx.convert", values), rate(given_rate) {}

    double rate = nan_value;  // the column evaluate() fills

    // The notes by key (a later value of a key replacing an earlier one).
    std::map<std::string, std::string> notes() const {
        std::map<std::string, std::string> out;
        for (const auto& [key, value] : ModelInstance::notes()) out[key] = value;
        return out;
    }

    // Evaluates one column of amounts at `rate`; outputs are {converted, rate} per row.
    impact_status evaluate(const std::vector<double>& amounts, std::vector<double>& outputs,
                           ErrorStorage& error) const {
        return evaluate_rows(amounts, std::vector<double>(amounts.size(), rate), outputs, error);
    }
    // Row i converts amounts[i] at rates[i].
    impact_status evaluate_rows(const std::vector<double>& amounts, const std::vector<double>& rates,
                                std::vector<double>& outputs, ErrorStorage& error) const {
        REQUIRE(input_width == 2);
        REQUIRE(rates.size() == amounts.size());
        std::vector<double> rows;
        for (std::size_t i = 0; i < amounts.size(); ++i) rows.insert(rows.end(), {amounts[i], rates[i]});
        return ModelInstance::evaluate(rows, amounts.size(), outputs, error);
    }
};

std::vector<impact_value> currency_values(const char* from, const char* to) {
    return {text_value("from", from), text_value("to", to), number_value("max_stale_days", 7)};
}
// fx.convert with `rate` given (every row at `rate` unless evaluate_rows says otherwise).
Instance at_rate(const char* from, const char* to, double rate) { return Instance(currency_values(from, to), rate); }

// facts.md, 'USD/KRW': 14 April 2025 close 1,424.1. The 11 April quote is illustrative.
OwnedSeries usd_krw_april() {
    return {"USD/KRW", {days(2025, 4, 11), days(2025, 4, 14)}, {1420.0, 1424.1}};
}

}  // namespace

TEST_CASE("the plugin entry and the fx.convert descriptor", "[fx][plugin]") {
    const LoadedPlugin& p = plugin();
    CHECK(p.entry->struct_size >= sizeof(impact_plugin_entry));
    CHECK(p.entry->abi_major == IMPACT_ABI_MAJOR);
    CHECK(std::string_view(p.entry->plugin_id) == "org.impact.fx");
    CHECK(std::string_view(p.entry->plugin_version) == "1.1.0");
    CHECK(p.entry->abi_minor == IMPACT_ABI_MINOR);  // built against this SDK; `rate` needs 1.3 (IMPACT_INPUT_OPTIONAL_ROW)
    CHECK(std::string_view(p.entry->plugin_name) == "Currency conversion");
    CHECK(p.entry->get_interface("impact.no-such-interface/1") == nullptr);

    REQUIRE(p.factory->model_count() == 1);
    CHECK(p.factory->model_descriptor(1) == nullptr);
    const impact_model_descriptor* d = p.factory->model_descriptor(0);
    REQUIRE(d != nullptr);
    CHECK(std::string_view(d->id) == "fx.convert");
    CHECK(std::string_view(d->version) == "1.1.0");
    CHECK(d->thread_safety == IMPACT_THREAD_FULLY_SAFE);
    REQUIRE(d->struct_size >= offsetof(impact_model_descriptor, references) + sizeof(const char*));
    CHECK(std::strstr(d->references, "Money") != nullptr);
    CHECK(std::strstr(d->references, "ExchangeRate") != nullptr);

    struct ExpectedInput {
        const char* key;
        impact_input_kind kind;
        const char* unit;
        uint32_t flags;
    };
    const ExpectedInput inputs[] = {
        // No lower bound: losses convert (issue #6).
        {"amount", IMPACT_KIND_MONEY, "{from}", IMPACT_INPUT_REQUIRED},
        {"from", IMPACT_KIND_TEXT, "", IMPACT_INPUT_REQUIRED},
        {"to", IMPACT_KIND_TEXT, "", IMPACT_INPUT_REQUIRED},
        // 1.1.0: a batch column the user may leave out (1.0.0 had it prepared, fixed per instance).
        {"rate", IMPACT_KIND_NUMBER, "{to}/{from}",
         IMPACT_INPUT_OPTIONAL_ROW | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE},
        {"rates", IMPACT_KIND_SERIES, "", 0},
        {"date", IMPACT_KIND_DATE, "", 0},
        {"max_stale_days", IMPACT_KIND_NUMBER, "days",
         IMPACT_INPUT_PREPARED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_HAS_MAX},
    };
    REQUIRE(d->input_count == std::size(inputs));
    for (uint32_t i = 0; i < d->input_count; ++i) {
        const impact_input_descriptor& in = d->inputs[i];
        CAPTURE(i, inputs[i].key);
        CHECK(in.struct_size == sizeof(impact_input_descriptor));
        CHECK(std::string_view(in.key) == inputs[i].key);
        CHECK(in.kind == inputs[i].kind);
        CHECK(std::string_view(in.unit) == inputs[i].unit);
        CHECK(in.flags == inputs[i].flags);
        CHECK(std::strlen(in.label) > 0);
    }
    CHECK(std::string_view(d->inputs[0].description) == "Amount to convert, in the `from` currency; negative for a loss");
    CHECK(d->inputs[3].min_value == 0.0);
    CHECK(d->inputs[6].default_number == 7.0);
    CHECK(d->inputs[6].min_value == 0.0);
    CHECK(d->inputs[6].max_value == 366.0);

    REQUIRE(d->output_count == 2);
    CHECK(std::string_view(d->outputs[0].key) == "converted");
    CHECK(std::string_view(d->outputs[0].label) == "Converted amount");
    CHECK(std::string_view(d->outputs[0].unit) == "{to}");
    CHECK(std::string_view(d->outputs[1].key) == "rate");
    CHECK(std::string_view(d->outputs[1].label) == "Rate used");
    CHECK(std::string_view(d->outputs[1].unit) == "{to}/{from}");
}

TEST_CASE("fx.convert at a given rate: the article figures in one batch", "[fx][plugin][reference]") {
    // facts.md, Article 1: 'expected loss' ($5.5B = 7조 8,584억 won, so 1,428.8 KRW/USD) and
    // 'H20 revenue' ($12-15B, 17조-21조 won) at that rate; plus zero and a sub-won amount.
    const double rate = 1428.8;
    const std::vector<double> amounts = {5.5e9, 12e9, 15e9, 0.0, 0.001};
    const std::vector<double> expected = {7'858'400'000'000.0, 17'145'600'000'000.0, 21'432'000'000'000.0, 0.0,
                                          1.4288};
    const Instance fx = at_rate("USD", "KRW", rate);
    INFO(fx.create_error.message);
    REQUIRE(fx.status == IMPACT_STATUS_OK);

    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(fx.evaluate(amounts, outputs, error) == IMPACT_STATUS_OK);
    for (std::size_t row = 0; row < amounts.size(); ++row) {
        CAPTURE(row, amounts[row], rate, expected[row], outputs[2 * row]);
        CHECK(close_relative(outputs[2 * row], expected[row], 1e-12));
        CHECK(outputs[2 * row + 1] == rate);
    }
    const auto notes = fx.notes();
    CHECK(notes == std::map<std::string, std::string>{{"rate_source", "given"}});
    const char* key = nullptr;
    const char* value = nullptr;
    CHECK(fx.instance->get_note(fx.instance, 99, &key, &value) == 0);
    CHECK(key == nullptr);
}

TEST_CASE("fx.convert at a given rate: the Article 2 incentive package", "[fx][plugin][reference]") {
    // facts.md, Article 2, 'incentive package': $70B reported as about 103조 won.
    const Instance fx = at_rate("USD", "KRW", 1471.4);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(fx.evaluate({70e9}, outputs, error) == IMPACT_STATUS_OK);
    CAPTURE(outputs[0]);
    CHECK(close_relative(outputs[0], 102'998'000'000'000.0, 1e-12));
    CHECK(std::round(outputs[0] / 1e12) == 103.0);
}

TEST_CASE("fx.convert from a quote table", "[fx][plugin]") {
    const OwnedSeries usd_krw = usd_krw_april();
    const std::vector<impact_series> series = {usd_krw.view()};
    const double amount_usd = 5.5e9;

    SECTION("a quote 3 days old is used, and the notes say so") {
        const Instance fx({text_value("from", "USD"), text_value("to", "KRW"), series_value("rates", series),
                           date_value("date", days(2025, 4, 17)), number_value("max_stale_days", 7)});
        INFO(fx.create_error.message);
        REQUIRE(fx.status == IMPACT_STATUS_OK);
        std::vector<double> outputs;
        ErrorStorage error;
        REQUIRE(fx.evaluate({amount_usd}, outputs, error) == IMPACT_STATUS_OK);
        CAPTURE(amount_usd, outputs[0], outputs[1]);
        CHECK(close_relative(outputs[0], amount_usd * 1424.1, 1e-12));
        CHECK(outputs[1] == 1424.1);
        const auto notes = fx.notes();
        CHECK(notes == std::map<std::string, std::string>{
                           {"rate_source", "USD/KRW 2025-04-14"}, {"rate_date", "2025-04-14"}, {"stale_days", "3"}});
    }
    SECTION("max_stale_days defaults to 7 when the host leaves it out") {
        const Instance fx({text_value("from", "USD"), text_value("to", "KRW"), series_value("rates", series),
                           date_value("date", days(2025, 4, 21))});
        INFO(fx.create_error.message);
        CHECK(fx.status == IMPACT_STATUS_OK);
        const Instance stale({text_value("from", "USD"), text_value("to", "KRW"), series_value("rates", series),
                              date_value("date", days(2025, 4, 22))});
        CHECK(stale.status == IMPACT_STATUS_INVALID_INPUT);
    }
    SECTION("converting the other way uses the quote inverted") {
        const Instance fx({text_value("from", "KRW"), text_value("to", "USD"), series_value("rates", series),
                           date_value("date", days(2025, 4, 14))});
        REQUIRE(fx.status == IMPACT_STATUS_OK);
        std::vector<double> outputs;
        ErrorStorage error;
        REQUIRE(fx.evaluate({1e12}, outputs, error) == IMPACT_STATUS_OK);
        CHECK(close_relative(outputs[0], 1e12 / 1424.1, 1e-12));
        CHECK(fx.notes().at("rate_source") == "inverse of USD/KRW 2025-04-14");
    }
    SECTION("a triangulation notes the older leg's date") {
        // EUR/USD 1.1360 on 16 April is illustrative, not from facts.md.
        const OwnedSeries eur_usd{"EUR/USD", {days(2025, 4, 16)}, {1.1360}};
        const std::vector<impact_series> both = {usd_krw.view(), eur_usd.view()};
        const Instance fx({text_value("from", "EUR"), text_value("to", "KRW"), series_value("rates", both),
                           date_value("date", days(2025, 4, 17))});
        INFO(fx.create_error.message);
        REQUIRE(fx.status == IMPACT_STATUS_OK);
        std::vector<double> outputs;
        ErrorStorage error;
        REQUIRE(fx.evaluate({1e9}, outputs, error) == IMPACT_STATUS_OK);
        CHECK(close_relative(outputs[0], 1e9 * 1.1360 * 1424.1, 1e-12));
        CHECK(close_relative(outputs[1], 1.1360 * 1424.1, 1e-12));
        CHECK(fx.notes() == std::map<std::string, std::string>{{"rate_source", "EUR/USD 2025-04-16 x USD/KRW 2025-04-14"},
                                                               {"rate_date", "2025-04-14"},
                                                               {"stale_days", "3"}});
    }
}

TEST_CASE("fx.convert with from == to", "[fx][plugin]") {
    const Instance fx = at_rate("KRW", "KRW", 1.0);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(fx.evaluate({7'858'400'000'000.0}, outputs, error) == IMPACT_STATUS_OK);
    CHECK(outputs[0] == 7'858'400'000'000.0);
    CHECK(outputs[1] == 1.0);

    // The rate arrives per row now, so the contradiction is found in its row.
    const Instance contradiction = at_rate("KRW", "KRW", 1428.8);
    REQUIRE(contradiction.status == IMPACT_STATUS_OK);
    CHECK(contradiction.evaluate_rows({1.0, 2.0}, {1.0, 1428.8}, outputs, error) == IMPACT_STATUS_INVALID_INPUT);
    INFO("message: " << error.message);
    CHECK(std::string_view(error.key) == "rate");
    CHECK(error.error.row == 1);
    CHECK(std::string_view(error.message).find("the rate must be 1, got 1428.8") != std::string_view::npos);
}

TEST_CASE("fx.convert refuses bad inputs at prepare time, naming the input", "[fx][plugin]") {
    const OwnedSeries usd_krw = usd_krw_april();
    const std::vector<impact_series> series = {usd_krw.view()};
    const impact_value usd = text_value("from", "USD");
    const impact_value krw = text_value("to", "KRW");
    const impact_value rates = series_value("rates", series);
    const impact_value apr17 = date_value("date", days(2025, 4, 17));

    struct Case {
        const char* what;
        std::vector<impact_value> values;
        bool rate_given;  // `rate` is a batch column: given, or left out as the host tells prepare
        const char* key;
        const char* message_part;
    };
    const OwnedSeries malformed{"USDKRW", {days(2025, 4, 14)}, {1424.1}};
    const std::vector<impact_series> malformed_series = {malformed.view()};
    const OwnedSeries bad_quote{"USD/KRW", {days(2025, 4, 14)}, {0.0}};
    const std::vector<impact_series> bad_quote_series = {bad_quote.view()};
    // 1,428.8: facts.md Article 1 'expected loss' rate; 0.0007 its inverse rounded to 1 digit.
    const OwnedSeries direct{"USD/KRW", {days(2025, 4, 14)}, {1428.8}};
    const OwnedSeries rounded_inverse{"KRW/USD", {days(2025, 4, 14)}, {0.0007}};
    const std::vector<impact_series> disagreeing_series = {direct.view(), rounded_inverse.view()};
    const OwnedSeries subnormal{"USD/KRW", {days(2025, 4, 14)}, {1e-320}};
    const std::vector<impact_series> subnormal_series = {subnormal.view()};

    const std::vector<Case> cases = {
        {"unknown from", {text_value("from", "XYZ"), krw}, true, "from",
         "unknown currency code 'XYZ'; expected a current ISO 4217 code such as USD, EUR, KRW"},
        {"made-up to", {usd, text_value("to", "ABC")}, true, "to", "unknown currency code 'ABC'"},
        {"obsolete from", {text_value("from", "DEM"), krw}, true, "from", "'DEM'"},
        {"lower-case to", {usd, text_value("to", "krw")}, true, "to", "unknown currency code 'krw'"},
        // The two refusals that need to know, at prepare time, whether the batch column `rate`
        // was given (ABI 1.3's absent_row_inputs): both name `rate`, as 1.0.0's did.
        {"both rate and rates", {usd, krw, rates, apr17}, true, "rate", "give either `rate` or `rates`, not both"},
        {"neither rate nor rates", {usd, krw}, false, "rate",
         "give `rate` (KRW per 1 USD) or `rates` (a dated quote table)"},
        {"disagreeing direct and inverse quotes", {usd, krw, series_value("rates", disagreeing_series), apr17}, false,
         "rates", "USD/KRW 1428.8 on 2025-04-14 disagrees with the inverse KRW/USD quote 0.0007 (1/0.0007 = 1428.57)"},
        {"subnormal quote", {usd, krw, series_value("rates", subnormal_series), apr17}, false, "rates", "USD/KRW"},
        {"rates without date", {usd, krw, rates}, false, "date", "required"},
        {"no rate in the window", {usd, krw, rates, date_value("date", days(2025, 4, 30))}, false, "rates",
         "no USD/KRW rate on 2025-04-30 or in the 7 days before (latest earlier: 2025-04-14)"},
        {"no rate for the pair", {usd, text_value("to", "JPY"), rates, apr17}, false, "rates",
         "no USD/JPY rate on 2025-04-17"},
        {"malformed label", {usd, krw, series_value("rates", malformed_series), apr17}, false, "rates", "'USDKRW'"},
        {"zero quote", {usd, krw, series_value("rates", bad_quote_series), apr17}, false, "rates", "USD/KRW"},
        {"fractional max_stale_days", {usd, krw, rates, apr17, number_value("max_stale_days", 2.5)}, false,
         "max_stale_days", "whole number"},
    };
    for (const Case& c : cases) {
        const Instance fx = c.rate_given ? Instance(c.values, 1428.8) : Instance(c.values);
        INFO("case: " << c.what << "\nrate given: " << c.rate_given << "\nmessage: " << fx.create_error.message);
        CHECK(fx.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(fx.instance == nullptr);
        CHECK(std::string_view(fx.create_error.key) == c.key);
        CHECK(std::string_view(fx.create_error.message).find(c.message_part) != std::string_view::npos);
    }

    impact_model_instance* none = nullptr;
    ErrorStorage error;
    const std::vector<impact_value> values = currency_values("USD", "KRW");
    impact_prepare_args args{sizeof(impact_prepare_args), values.data(), static_cast<uint32_t>(values.size()), nullptr, 0};
    CHECK(plugin().factory->create("fx.no-such-model", &args, &none, &error.error) == IMPACT_STATUS_UNKNOWN_MODEL);
    CHECK(none == nullptr);
}

TEST_CASE("fx.convert refuses NaN and infinite amounts with the row", "[fx][plugin]") {
    const Instance fx = at_rate("USD", "KRW", 1428.8);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    struct Case {
        std::vector<double> amounts;
        int64_t bad_row;
    };
    const Case cases[] = {
        {{5.5e9, 12e9, -1.0, std::numeric_limits<double>::quiet_NaN()}, 3},
        {{5.5e9, std::numeric_limits<double>::quiet_NaN()}, 1},
        {{std::numeric_limits<double>::infinity()}, 0},
        {{-5.5e9, -std::numeric_limits<double>::infinity()}, 1},
    };
    for (const Case& c : cases) {
        CAPTURE(c.amounts, c.bad_row);
        std::vector<double> outputs;
        ErrorStorage error;
        CHECK(fx.evaluate(c.amounts, outputs, error) == IMPACT_STATUS_INVALID_INPUT);
        INFO("message: " << error.message);
        CHECK(std::string_view(error.key) == "amount");
        CHECK(error.error.row == c.bad_row);
        CHECK(std::string_view(error.message).find("row " + std::to_string(c.bad_row)) != std::string_view::npos);
    }
}

TEST_CASE("fx.convert converts losses: negative amounts, at a given rate and from quotes", "[fx][plugin][reference]") {
    // A loss such as stock.price_move's market_cap_change: -$743.75M at 1,428.8 KRW/USD
    // (facts.md, Article 1, 'expected loss' rate); expected = amount x rate, computed here.
    const double amount = -743.75e6;
    const double rate = 1428.8;
    const double expected = amount * rate;
    CAPTURE(amount, rate, expected);
    CHECK(expected == -1'062'670'000'000.0);
    const Instance given = at_rate("USD", "KRW", rate);
    REQUIRE(given.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(given.evaluate({amount, 5.5e9, -0.0}, outputs, error) == IMPACT_STATUS_OK);
    CAPTURE(outputs);
    CHECK(close_relative(outputs[0], expected, 1e-12));
    CHECK(close_relative(outputs[2], 7'858'400'000'000.0, 1e-12));  // facts.md: $5.5B = 7조 8,584억 원
    CHECK(outputs[4] == 0.0);

    // Through an inverse quote, the way back: won to dollars.
    const OwnedSeries usd_krw{"USD/KRW", {days(2025, 4, 14)}, {rate}};
    const std::vector<impact_series> series = {usd_krw.view()};
    const Instance back({text_value("from", "KRW"), text_value("to", "USD"), series_value("rates", series),
                         date_value("date", days(2025, 4, 14))});
    REQUIRE(back.status == IMPACT_STATUS_OK);
    REQUIRE(back.evaluate({expected}, outputs, error) == IMPACT_STATUS_OK);
    CHECK(close_relative(outputs[0], amount, 1e-12));
}

TEST_CASE("fx.convert: agreeing direct and inverse quotes, the direct one used and noted", "[fx][plugin]") {
    const OwnedSeries direct{"USD/KRW", {days(2025, 4, 14)}, {1428.8}};
    const OwnedSeries inverse{"KRW/USD", {days(2025, 4, 14)}, {1.0 / 1428.8}};
    const std::vector<impact_series> series = {inverse.view(), direct.view()};
    const Instance fx({text_value("from", "USD"), text_value("to", "KRW"), series_value("rates", series),
                       date_value("date", days(2025, 4, 14))});
    INFO(fx.create_error.message);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(fx.evaluate({5.5e9}, outputs, error) == IMPACT_STATUS_OK);
    CHECK(outputs[1] == 1428.8);
    CHECK(fx.notes().at("rate_source") == "USD/KRW 2025-04-14, confirmed by the inverse KRW/USD quote within 1e-6");
}

TEST_CASE("fx.convert: every current ISO 4217 code, including those QuantLib 1.29 lacks", "[fx][plugin]") {
    // 655.957 XAF per EUR: the CFA franc's fixed parity; the MNT rate is illustrative.
    for (const auto& [to, rate] : {std::pair{"XAF", 655.957}, std::pair{"MNT", 3400.0}}) {
        CAPTURE(to, rate);
        const Instance fx = at_rate("EUR", to, rate);
        INFO(fx.create_error.message);
        REQUIRE(fx.status == IMPACT_STATUS_OK);
        std::vector<double> outputs;
        ErrorStorage error;
        REQUIRE(fx.evaluate({1000.0}, outputs, error) == IMPACT_STATUS_OK);
        CHECK(close_relative(outputs[0], 1000.0 * rate, 1e-12));
    }
}

TEST_CASE("fx.convert: a finite amount times a finite rate that overflows is a model failure", "[fx][plugin]") {
    // 5.5e9 x 1e300 = 5.5e309 > DBL_MAX (about 1.8e308).
    const Instance fx = at_rate("USD", "KRW", 1e300);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    CHECK(fx.evaluate({1.0, 5.5e9}, outputs, error) == IMPACT_STATUS_MODEL_FAILED);
    INFO("message: " << error.message);
    CHECK(std::string_view(error.message) == "converted overflows to infinity: 5.5e9 × 1e300 in row 1");
    CHECK(error.error.row == 1);
}

TEST_CASE("one fx.convert instance evaluated from several threads at once", "[fx][plugin]") {
    // The descriptor says fully_safe; concurrent batches must give the single-thread result.
    const Instance fx = at_rate("USD", "KRW", 1428.8);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> amounts(10'000);
    for (std::size_t i = 0; i < amounts.size(); ++i) amounts[i] = 1e6 * static_cast<double>(i);

    std::vector<std::vector<double>> results(4);
    std::vector<impact_status> statuses(results.size(), IMPACT_STATUS_INTERNAL);
    {
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < results.size(); ++t)
            threads.emplace_back([&, t] {
                ErrorStorage error;
                statuses[t] = fx.evaluate(amounts, results[t], error);
            });
        for (std::thread& thread : threads) thread.join();
    }
    for (std::size_t t = 0; t < results.size(); ++t) {
        CAPTURE(t);
        REQUIRE(statuses[t] == IMPACT_STATUS_OK);
        for (std::size_t i = 0; i < amounts.size(); ++i)
            if (!close_relative(results[t][2 * i], amounts[i] * 1428.8, 1e-12)) FAIL("row " << i << " differs");
    }
}

TEST_CASE("fx.convert 1.1.0: each row converts at its own rate", "[fx][plugin][reference]") {
    // Rates from facts.md: 1,428.8 KRW/USD (Article 1, 'expected loss'), 1,424.1 (USD/KRW close
    // of 14 April 2025), 1,471.4 (Article 2, 'incentive package'); a range's low, base and high
    // or Monte Carlo draws reach the model this way. Expected = amount x rate, computed here.
    const std::vector<double> amounts = {5.5e9, 5.5e9, 70e9, -743.75e6, 0.0};
    const std::vector<double> rates = {1428.8, 1424.1, 1471.4, 1428.8, 1400.0};
    const Instance fx = at_rate("USD", "KRW", 1428.8);
    INFO(fx.create_error.message);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    REQUIRE(fx.evaluate_rows(amounts, rates, outputs, error) == IMPACT_STATUS_OK);
    for (std::size_t row = 0; row < amounts.size(); ++row) {
        const double expected = amounts[row] * rates[row];
        CAPTURE(row, amounts[row], rates[row], expected, outputs[2 * row], outputs[2 * row + 1]);
        CHECK(close_relative(outputs[2 * row], expected, 1e-12));
        CHECK(outputs[2 * row + 1] == rates[row]);  // the `rate` output is the row's own rate
    }
    // The article figures: $5.5B = 7조 8,584억 won; $70B is about 103조 won.
    CHECK(close_relative(outputs[0], 7'858'400'000'000.0, 1e-12));
    CHECK(std::round(outputs[4] / 1e12) == 103.0);
    // The note is settled at prepare time, before any row: the rate was given.
    CHECK(fx.notes() == std::map<std::string, std::string>{{"rate_source", "given"}});

    // A batch gives each row what a one-row batch at that row's rate gives, bit for bit.
    for (std::size_t row = 0; row < amounts.size(); ++row) {
        std::vector<double> single;
        REQUIRE(fx.evaluate_rows({amounts[row]}, {rates[row]}, single, error) == IMPACT_STATUS_OK);
        CAPTURE(row, amounts[row], rates[row], single[0], outputs[2 * row]);
        CHECK(single[0] == outputs[2 * row]);
    }
}

TEST_CASE("fx.convert 1.1.0: a bad rate in a row is refused naming `rate` and the row", "[fx][plugin]") {
    // The host refuses NaN, infinities and rates <= 0 before the plugin sees them; the plugin
    // refuses them too (a host may not check), and subnormal rates, which the host's bound lets by.
    const Instance fx = at_rate("USD", "KRW", 1428.8);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    struct Case {
        double rate;
        const char* message_part;
    };
    const Case cases[] = {
        {0.0, "got 0"}, {-1.0, "got -1"}, {nan_value, "> 0"}, {1e-320, "> 0"},  // would print "1 USD = 0 KRW"
        {std::numeric_limits<double>::infinity(), "> 0"},
    };
    for (const Case& c : cases) {
        std::vector<double> outputs;
        ErrorStorage error;
        CAPTURE(c.rate, c.message_part);
        CHECK(fx.evaluate_rows({5.5e9, 12e9, 15e9}, {1428.8, 1428.8, c.rate}, outputs, error) ==
              IMPACT_STATUS_INVALID_INPUT);
        INFO("message: " << error.message);
        CHECK(std::string_view(error.key) == "rate");
        CHECK(error.error.row == 2);
        CHECK(std::string_view(error.message).find(c.message_part) != std::string_view::npos);
    }
}

TEST_CASE("fx.convert 1.1.0: with a quote table the NaN `rate` column is ignored", "[fx][plugin]") {
    const OwnedSeries usd_krw = usd_krw_april();
    const std::vector<impact_series> series = {usd_krw.view()};
    const Instance fx({text_value("from", "USD"), text_value("to", "KRW"), series_value("rates", series),
                       date_value("date", days(2025, 4, 17))});
    INFO(fx.create_error.message);
    REQUIRE(fx.status == IMPACT_STATUS_OK);
    std::vector<double> outputs;
    ErrorStorage error;
    const std::vector<double> amounts = {5.5e9, -1e6};
    REQUIRE(fx.evaluate_rows(amounts, {nan_value, nan_value}, outputs, error) == IMPACT_STATUS_OK);
    for (std::size_t row = 0; row < amounts.size(); ++row) {
        CAPTURE(row, amounts[row], outputs[2 * row]);
        CHECK(close_relative(outputs[2 * row], amounts[row] * 1424.1, 1e-12));  // facts.md, 14 April close
        CHECK(outputs[2 * row + 1] == 1424.1);
    }
}
