// Scenario runs that succeed: currency inference, header values, ranges, defaults, validate mode, and the impact.run/1 JSON.
#include "scenario_test_support.hpp"

#include "io/sha256.hpp"
#include "scenario/report.hpp"
#include "support/json_parse.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <regex>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::RunMode;
using impact::scenario::RunResult;
using impact::test::parse_json;

// Writes `toml` as scenario.toml in `temp` and returns its path.
fs::path scenario_file(const TempDir& temp, const std::string& toml) {
    const fs::path file = temp.path() / "scenario.toml";
    write_file(file, toml);
    return file;
}

// The H20 chain of the seed articles: the revenue at risk as a range ($12-15B), the $5.5B
// charge, both converted to KRW at 1,428.8.
const std::string h20_header = "[scenario]\n"
                               "name = \"H20 chain\"\n"
                               "as_of = 2025-04-16\n"
                               "\n";
const std::string h20_steps = "[[step]]\n"
                              "id = \"h20\"\n"
                              "model = \"revenue.export_ban\"\n"
                              "annual_revenue = { low = \"12B USD\", high = \"15B USD\" }\n"
                              "duration_years = 1\n"
                              "gross_margin = \"60%\"\n"
                              "one_off_charges = \"5.5B USD\"\n"
                              "\n"
                              "[[step]]\n"
                              "id = \"revenue_krw\"\n"
                              "model = \"fx.convert\"\n"
                              "amount = { from = \"h20.lost_revenue\" }\n"
                              "to = \"KRW\"\n"
                              "rate = 1428.8\n"
                              "\n"
                              "[[step]]\n"
                              "id = \"charge_krw\"\n"
                              "model = \"fx.convert\"\n"
                              "amount = { from = \"h20.one_off_charges\" }\n"
                              "to = \"KRW\"\n"
                              "rate = 1428.8\n";
const std::string h20_chain = h20_header + h20_steps;

std::string sha256sum(const fs::path& file) {
    const std::string command = "sha256sum '" + file.string() + "'";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed: " + command);
    std::string out;
    char buffer[256];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    const int status = ::pclose(pipe);
    if (status != 0 || out.size() < 64) throw std::runtime_error("'" + command + "' failed: " + out);
    return out.substr(0, 64);
}

bool is_sha256_hex(const std::string& text) { return std::regex_match(text, std::regex("[0-9a-f]{64}")); }

}  // namespace

TEST_CASE("A currency written with an amount fills fx.convert's `from`", "[scenario][run]") {
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Charge in KRW\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"charge_krw\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = \"5.5B USD\"\n"
                             "to = \"KRW\"\n"
                             "rate = 1428.8\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const auto& step = step_of(result, "charge_krw");
    INFO("inputs:\n" << describe_inputs(step));
    const auto* from = input_of(step, "from");
    REQUIRE(from != nullptr);
    CHECK(from->text == "USD");
    CHECK(from->origin == "inferred from a money value");
    const auto* amount = input_of(step, "amount");
    REQUIRE(amount != nullptr);
    REQUIRE(amount->number);
    CHECK(amount->number->value == 5.5e9);
    CHECK(amount->number->unit == "USD");
    // The seed figure: $5.5B is 7조 8,584억 won at 1,428.8.
    CHECK(output_of(step, "converted").value.value == Approx(7.8584e12).epsilon(1e-12));
    CHECK(output_of(step, "converted").value.unit == "KRW");
    CHECK(output_of(step, "rate").value.unit == "KRW/USD");
    CHECK_FALSE(step.ranged);
}

TEST_CASE("A reference to an output in a currency fills `from` with that currency", "[scenario][run]") {
    TempDir temp;
    // The scenario currency is EUR, so the charge is in EUR and the conversion must be from EUR.
    const std::string toml = "[scenario]\n"
                             "name = \"Charge in KRW\"\n"
                             "as_of = 2025-04-16\n"
                             "currency = \"EUR\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"h20\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = 13.5e9\n"
                             "duration_years = 1\n"
                             "gross_margin = \"60%\"\n"
                             "one_off_charges = \"5B EUR\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"charge_krw\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = { from = \"h20.one_off_charges\" }\n"
                             "to = \"KRW\"\n"
                             "rate = 1600\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const auto& h20 = step_of(result, "h20");
    const auto& convert = step_of(result, "charge_krw");
    INFO("h20 inputs:\n" << describe_inputs(h20) << "charge_krw inputs:\n" << describe_inputs(convert));
    CHECK(output_of(h20, "one_off_charges").value.unit == "EUR");
    const auto* from = input_of(convert, "from");
    REQUIRE(from != nullptr);
    CHECK(from->text == "EUR");
    CHECK(input_of(convert, "currency") == nullptr);  // fx.convert takes no `currency`
    CHECK(output_of(convert, "converted").value.value == Approx(5e9 * 1600).epsilon(1e-12));
    CHECK(output_of(convert, "converted").value.unit == "KRW");
    CHECK(output_of(convert, "rate").value.unit == "KRW/EUR");
}

TEST_CASE("The scenario's currency and as_of reach the models that take them", "[scenario][run]") {
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Header values\"\n"
                             "as_of = 2025-04-16\n"
                             "currency = \"EUR\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"rev\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = 1e9\n"
                             "duration_years = 1\n"
                             "gross_margin = \"50%\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"rev_own_date\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = 1e9\n"
                             "duration_years = 1\n"
                             "gross_margin = \"50%\"\n"
                             "as_of = 2025-06-30\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"move\"\n"
                             "model = \"stock.price_move\"\n"
                             "price_before = \"100 EUR\"\n"
                             "price_after = 90\n"
                             "shares_outstanding = \"1M\"\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));

    const auto& rev = step_of(result, "rev");
    INFO("rev inputs:\n" << describe_inputs(rev));
    const auto* currency = input_of(rev, "currency");
    REQUIRE(currency != nullptr);
    CHECK(currency->text == "EUR");
    CHECK(currency->origin == "scenario.currency");
    const auto* as_of = input_of(rev, "as_of");
    REQUIRE(as_of != nullptr);
    CHECK(as_of->text == "2025-04-16");
    CHECK(as_of->origin == "scenario.as_of");
    CHECK(output_of(rev, "lost_revenue").value.unit == "EUR");
    CHECK(output_of(rev, "lost_revenue").value.value == Approx(1e9).epsilon(1e-12));

    // A date written in the step wins over the header's.
    const auto& own = step_of(result, "rev_own_date");
    INFO("rev_own_date inputs:\n" << describe_inputs(own));
    const auto* own_as_of = input_of(own, "as_of");
    REQUIRE(own_as_of != nullptr);
    CHECK(own_as_of->text == "2025-06-30");
    CHECK(own_as_of->origin == "scenario");

    const auto& move = step_of(result, "move");
    INFO("move inputs:\n" << describe_inputs(move));
    CHECK(output_of(move, "price_change").value.unit == "EUR");
    CHECK(output_of(move, "price_change").value.value == Approx(-10).epsilon(1e-12));
    CHECK(output_of(move, "market_cap_change").value.value == Approx(-10e6).epsilon(1e-12));
    CHECK(output_of(move, "return").value.unit == "%");
    CHECK(output_of(move, "return").value.value == Approx(-0.1).epsilon(1e-12));
}

TEST_CASE("Ranges: base defaults to the midpoint, and only outputs that vary show low and high", "[scenario][run][range]") {
    TempDir temp;
    INFO(h20_chain);
    const RunResult result = run_file(scenario_file(temp, h20_chain));
    const auto& h20 = step_of(result, "h20");
    INFO("h20 inputs:\n" << describe_inputs(h20));
    CHECK(h20.ranged);

    const auto* revenue = input_of(h20, "annual_revenue");
    REQUIRE(revenue != nullptr);
    REQUIRE(revenue->number);
    CHECK(revenue->number->value == 13.5e9);  // (12 + 15) / 2
    CHECK(revenue->number->low == std::optional<double>(12e9));
    CHECK(revenue->number->high == std::optional<double>(15e9));

    const auto& lost = output_of(h20, "lost_revenue").value;
    CHECK(lost.value == Approx(13.5e9).epsilon(1e-12));
    REQUIRE(lost.low);
    REQUIRE(lost.high);
    CHECK(*lost.low == Approx(12e9).epsilon(1e-12));
    CHECK(*lost.high == Approx(15e9).epsilon(1e-12));

    // The one-off charge does not depend on the revenue: no low and high.
    const auto& charges = output_of(h20, "one_off_charges").value;
    CHECK(charges.value == Approx(5.5e9).epsilon(1e-12));
    CHECK_FALSE(charges.low);
    CHECK_FALSE(charges.high);
}

TEST_CASE("A range with an explicit base uses it", "[scenario][run][range]") {
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Explicit base\"\n"
                             "as_of = 2025-04-16\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"h20\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = { low = \"12B USD\", base = \"14B USD\", high = \"15B USD\" }\n"
                             "duration_years = 1\n"
                             "gross_margin = \"60%\"\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const auto& lost = output_of(step_of(result, "h20"), "lost_revenue").value;
    CHECK(lost.value == Approx(14e9).epsilon(1e-12));
    REQUIRE(lost.low);
    REQUIRE(lost.high);
    CHECK(*lost.low == Approx(12e9).epsilon(1e-12));
    CHECK(*lost.high == Approx(15e9).epsilon(1e-12));
}

TEST_CASE("fx.convert 1.1.0: a range of `rate` converts at its low, base and high", "[scenario][run][range]") {
    // 1.0.0 refused this ("fixed per model instance"); `rate` is now a batch input. Rates
    // around facts.md's 1,428.8 KRW/USD; expected = amount x rate, computed here.
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Charge in KRW, rate range\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"charge_krw\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = \"5.5B USD\"\n"
                             "to = \"KRW\"\n"
                             "rate = { low = 1400, high = 1450 }\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const auto& step = step_of(result, "charge_krw");
    INFO("inputs:\n" << describe_inputs(step));
    CHECK(step.ranged);
    const auto& converted = output_of(step, "converted").value;
    const auto& rate = output_of(step, "rate").value;
    CAPTURE(converted.value, converted.low, converted.high, rate.value, rate.low, rate.high);
    CHECK(converted.value == Approx(5.5e9 * 1425.0).epsilon(1e-12));  // base: the midpoint
    REQUIRE(converted.low);
    REQUIRE(converted.high);
    CHECK(*converted.low == Approx(5.5e9 * 1400.0).epsilon(1e-12));
    CHECK(*converted.high == Approx(5.5e9 * 1450.0).epsilon(1e-12));
    CHECK(rate.value == 1425.0);
    REQUIRE(rate.low);
    REQUIRE(rate.high);
    CHECK(*rate.low == 1400.0);
    CHECK(*rate.high == 1450.0);
    CHECK(converted.unit == "KRW");
    // One instance for the three rows: the note says the rate was given, as for one rate.
    REQUIRE(step.notes.size() == 1);
    CHECK(step.notes[0] == std::pair<std::string, std::string>{"rate_source", "given"});

    // validate prepares it too, and refuses nothing.
    CHECK_NOTHROW(run_file(scenario_file(temp, toml), RunMode::validate));
}

TEST_CASE("fx.convert 1.1.0 with a quote table and no `rate`: the model is told and takes the table path",
          "[scenario][run]") {
    TempDir temp;
    write_file(temp.path() / "usd-krw.csv", "date,rate\n2025-04-14,1424.1\n");  // facts.md: 14 April close
    const std::string toml = "[scenario]\n"
                             "name = \"Charge in KRW from quotes\"\n"
                             "\n"
                             "[data.usd_krw]\n"
                             "file = \"usd-krw.csv\"\n"
                             "value = \"rate\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"charge_krw\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = \"5.5B USD\"\n"
                             "to = \"KRW\"\n"
                             "rates = { data = \"usd_krw\" }\n"
                             "date = 2025-04-17\n";
    INFO(toml);
    // The series label is the data id, and fx.convert wants BASE/QUOTE: a refusal at prepare,
    // which proves the model took the table path (not "give `rate` or `rates`").
    const Outcome outcome = outcome_of(scenario_file(temp, toml), RunMode::run);
    INFO(outcome.kind << ": " << outcome.message);
    CHECK(outcome.kind == "UserError");
    CHECK(contains(outcome.message, "step.charge_krw.rates: series label 'usd_krw' is not BASE/QUOTE"));
}

TEST_CASE("A reference to a ranged output makes the dependent step ranged", "[scenario][run][range]") {
    TempDir temp;
    INFO(h20_chain);
    const RunResult result = run_file(scenario_file(temp, h20_chain));

    const auto& revenue_krw = step_of(result, "revenue_krw");
    INFO("revenue_krw inputs:\n" << describe_inputs(revenue_krw));
    CHECK(revenue_krw.ranged);
    const auto* amount = input_of(revenue_krw, "amount");
    REQUIRE(amount != nullptr);
    REQUIRE(amount->number);
    CHECK(amount->number->low.has_value());
    CHECK(amount->number->high.has_value());
    const auto* from = input_of(revenue_krw, "from");
    REQUIRE(from != nullptr);
    CHECK(from->text == "USD");
    const auto& converted = output_of(revenue_krw, "converted").value;
    CHECK(converted.unit == "KRW");
    CHECK(converted.value == Approx(13.5e9 * 1428.8).epsilon(1e-12));
    REQUIRE(converted.low);
    REQUIRE(converted.high);
    CHECK(*converted.low == Approx(12e9 * 1428.8).epsilon(1e-12));   // seed: $12B
    CHECK(*converted.high == Approx(15e9 * 1428.8).epsilon(1e-12));  // seed: $15B
    // The rate is the same in all three rows.
    CHECK_FALSE(output_of(revenue_krw, "rate").value.low);
    CHECK_FALSE(output_of(revenue_krw, "rate").value.high);

    // A step fed only by an output that does not vary is not ranged.
    const auto& charge_krw = step_of(result, "charge_krw");
    INFO("charge_krw inputs:\n" << describe_inputs(charge_krw));
    CHECK_FALSE(charge_krw.ranged);
    CHECK(output_of(charge_krw, "converted").value.value == Approx(7.8584e12).epsilon(1e-12));
    CHECK_FALSE(output_of(charge_krw, "converted").value.low);
}

TEST_CASE("Numeric defaults appear among the inputs with origin \"default\"", "[scenario][run][defaults]") {
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Defaults\"\n"
                             "as_of = 2025-04-16\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"h20\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = \"13.5B USD\"\n"
                             "duration_years = 1\n"
                             "gross_margin = \"60%\"\n"
                             "recapture = \"10%\"\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const auto& step = step_of(result, "h20");
    INFO("inputs:\n" << describe_inputs(step));
    const struct {
        const char* key;
        double value;
    } defaults[] = {{"restricted_share", 1}, {"one_off_charges", 0}, {"discount_rate", 0}};
    for (const auto& d : defaults) {
        INFO("input " << d.key);
        const auto* in = input_of(step, d.key);
        REQUIRE(in != nullptr);
        CHECK(in->origin == "default");
        REQUIRE(in->number);
        CHECK(in->number->value == d.value);
    }
    const auto* recapture = input_of(step, "recapture");
    REQUIRE(recapture != nullptr);
    CHECK(recapture->origin == "scenario");
    CHECK(recapture->number->value == Approx(0.1).epsilon(1e-15));
}

TEST_CASE("Text and prepared defaults appear among the inputs with origin \"default\"",
          "[scenario][run][defaults]") {
    // core/scenario/runner.cpp StepRunner::run lists defaults only for batch columns, so the
    // defaults a model uses for text inputs (timing, returns, method, currency) and prepared
    // numbers (estimation_days, gap_days) are missing from the report's inputs.
    TempDir temp;
    const std::string toml = "[scenario]\n"
                             "name = \"Defaults\"\n"
                             "as_of = 2025-04-16\n"
                             "\n" +
                             shared_data_tables() +
                             "[[step]]\n"
                             "id = \"h20\"\n"
                             "model = \"revenue.export_ban\"\n"
                             "annual_revenue = 13.5e9\n"
                             "duration_years = 1\n"
                             "gross_margin = \"60%\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"es\"\n"
                             "model = \"stock.event_study\"\n"
                             "stock = { data = \"nvda\" }\n"
                             "market = { data = \"spx\" }\n"
                             "event_date = 2025-04-16\n";
    INFO(toml);
    const RunResult result = run_file(scenario_file(temp, toml));
    const struct {
        const char* step;
        const char* key;
        const char* shown;  // text, or "" for a number
        double number;
    } expected[] = {{"h20", "timing", "quarterly", 0}, {"h20", "currency", "USD", 0},
                    {"es", "estimation_days", "", 120}, {"es", "gap_days", "", 10},
                    {"es", "returns", "simple", 0},     {"es", "method", "market_model", 0}};
    for (const auto& e : expected) {
        const auto& step = step_of(result, e.step);
        INFO("step " << e.step << ", input " << e.key << "; inputs:\n" << describe_inputs(step));
        const auto* in = input_of(step, e.key);
        CHECK(in != nullptr);
        if (!in) continue;
        CHECK(in->origin == "default");
        if (*e.shown) {
            CHECK(in->text == e.shown);
        } else {
            CHECK((in->number && in->number->value == e.number));
        }
    }
}

TEST_CASE("An input fed by a reference says which step it came from", "[scenario][run]") {
    // runner.hpp documents origins such as "step h20", but StepRunner::expand_and_match gives
    // every written value the origin "scenario", references included.
    TempDir temp;
    INFO(h20_chain);
    const RunResult result = run_file(scenario_file(temp, h20_chain));
    const auto* amount = input_of(step_of(result, "charge_krw"), "amount");
    REQUIRE(amount != nullptr);
    INFO("origin: " << amount->origin);
    CHECK(contains(amount->origin, "h20"));
}

TEST_CASE("validate prepares every model but evaluates none", "[scenario][validate]") {
    TempDir temp;
    INFO(h20_chain);
    const fs::path file = scenario_file(temp, h20_chain);
    const RunResult result = run_file(file, RunMode::validate);
    REQUIRE(result.steps.size() == 3);
    for (const auto& step : result.steps) {
        INFO("step " << step.id);
        CHECK(step.outputs.size() == bundled_registry().find_model(step.model_id)->info().outputs.size());
        // Every output is listed with its unit, but none has been computed.
        for (const auto& out : step.outputs) {
            INFO("output " << out.key);
            CHECK(out.value.value == 0);
            CHECK_FALSE(out.value.low);
            CHECK_FALSE(out.value.high);
        }
    }
    const auto& h20 = step_of(result, "h20");
    CHECK(h20.outputs.size() == 5);
    CHECK(output_of(h20, "lost_revenue").value.unit == "USD");
    CHECK(output_of(step_of(result, "revenue_krw"), "converted").value.unit == "KRW");
    // Preparing ran: the model's notes are there.
    CHECK_FALSE(h20.notes.empty());
    // The same file runs with real values.
    const RunResult run = run_file(file, RunMode::run);
    CHECK(output_of(step_of(run, "h20"), "lost_revenue").value.value == Approx(13.5e9).epsilon(1e-12));
}

TEST_CASE("A model that fails while computing is a model failure at its step, not an input error",
          "[scenario][run][model]") {
    // A flat stock against a moving market: the abnormal returns have zero variance, so the
    // event study cannot compute a t-statistic (exit code 3 on the command line). The step "es"
    // starts at line 12, column 1.
    TempDir temp;
    const fs::path file = write_zero_variance_scenario(temp.path());
    INFO(read_file(file));
    const Outcome outcome = outcome_of(file, RunMode::run);
    INFO(outcome.kind << ": " << outcome.message);
    CHECK(outcome.kind == "CallError");
    CHECK(starts_with(outcome.message, file.string() + ":12:1: step.es: "));
    CHECK(contains(outcome.message, "zero variance"));
    CHECK(outcome.message.find('\n') == std::string::npos);
}

TEST_CASE("The text report shows low and high only for outputs that vary", "[scenario][report]") {
    TempDir temp;
    const fs::path file = scenario_file(temp, h20_chain);
    const auto scenario = impact::scenario::read_scenario_file(file);
    const std::string text = impact::scenario::render_text(scenario, impact::scenario::run_scenario(
                                                                          scenario, bundled_registry(), RunMode::run));
    INFO(text);
    CHECK(contains(text, "Scenario: H20 chain\n"));
    CHECK(contains(text, "[h20] revenue.export_ban"));
    CHECK(contains(text, "(evaluated at low, base and high)"));
    // Lost revenue is "higher is worse": its range's ends are named best and worst (docs/reports.md).
    CHECK(contains(text, "$13,500,000,000.00  (best $12,000,000,000.00, worst $15,000,000,000.00)"));
    // The one-off charge line ends after its value: no range.
    CHECK(std::regex_search(text, std::regex("\n  One-off charges \\(one_off_charges\\) +\\$5,500,000,000\\.00\n")));
}

TEST_CASE("render_json writes impact.run/1 with the scenario's and plugins' sha256", "[scenario][report][json]") {
    TempDir temp;
    const std::string toml = h20_header + shared_data_tables() + h20_steps +
                             "\n"
                             "[[step]]\n"
                             "id = \"es\"\n"
                             "model = \"stock.event_study\"\n"
                             "stock = { data = \"nvda\" }\n"
                             "market = { data = \"spx\" }\n"
                             "event_date = 2025-04-16\n"
                             "window = [0, 1]\n";
    INFO(toml);
    const fs::path file = scenario_file(temp, toml);
    const auto scenario = impact::scenario::read_scenario_file(file);
    const RunResult result = impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run);
    const std::string json_text = impact::scenario::render_json(scenario, result);
    INFO(json_text);

    nlohmann::json json;
    REQUIRE_NOTHROW(json = parse_json(json_text));  // strict JSON: no NaN
    CHECK(json.at("schema").get<std::string>() == "impact.run/1");
    CHECK(json.at("scenario").at("name").get<std::string>() == "H20 chain");
    CHECK(json.at("scenario").at("file").get<std::string>() == file.string());
    CHECK(json.at("scenario").at("as_of").get<std::string>() == "2025-04-16");
    CHECK(json.at("scenario").at("currency").is_null());

    const nlohmann::json& steps = json.at("steps");
    REQUIRE(steps.size() == 4);
    const std::vector<std::string> ids{"h20", "revenue_krw", "charge_krw", "es"};
    for (std::size_t i = 0; i < ids.size(); ++i) {
        INFO("step " << ids[i]);
        CHECK(steps[i].at("id").get<std::string>() == ids[i]);
        const auto model = bundled_registry().find_model(steps[i].at("model").get<std::string>());
        REQUIRE(model);
        CHECK(steps[i].at("model_version").get<std::string>() == model->info().version);
        CHECK(steps[i].at("outputs").size() == model->info().outputs.size());
        for (const auto& [key, out] : steps[i].at("outputs").items()) {
            INFO("output " << key);
            CHECK(out.contains("value"));
            CHECK(out.at("unit").is_string());
            CHECK(out.contains("low") == out.contains("high"));
        }
    }
    const nlohmann::json& lost = steps[0].at("outputs").at("lost_revenue");
    CHECK(lost.at("value").get<double>() == 13.5e9);
    CHECK(lost.at("low").get<double>() == 12e9);
    CHECK(lost.at("high").get<double>() == 15e9);
    CHECK(lost.at("unit").get<std::string>() == "USD");
    CHECK_FALSE(steps[0].at("outputs").at("one_off_charges").contains("low"));
    CHECK(steps[0].at("inputs").at("restricted_share").at("origin").get<std::string>() == "default");
    CHECK(steps[0].at("inputs").at("as_of").at("origin").get<std::string>() == "scenario.as_of");
    CHECK(steps[1].at("ranged").get<bool>() == true);
    CHECK(steps[2].at("ranged").get<bool>() == false);
    CHECK(steps[3].at("outputs").at("abnormal_market_cap").at("value").is_null());  // NaN without shares

    const nlohmann::json& provenance = json.at("provenance");
    CHECK(provenance.at("scenario_sha256").get<std::string>() == sha256sum(file));
    CHECK(provenance.at("scenario_sha256").get<std::string>() == impact::io::sha256_hex(read_file(file)));
    CHECK(provenance.at("tool").get<std::string>().rfind("impact ", 0) == 0);
    const nlohmann::json& plugins = provenance.at("plugins");
    std::vector<std::string> plugin_ids;
    for (const nlohmann::json& p : plugins) {
        plugin_ids.push_back(p.at("id").get<std::string>());
        INFO("plugin " << p.dump());
        const std::string sha = p.at("sha256").get<std::string>();
        CHECK(is_sha256_hex(sha));
        CHECK(sha == sha256sum(p.at("file").get<std::string>()));
        CHECK_FALSE(p.at("version").get<std::string>().empty());
    }
    // Each plugin once, in the order of first use.
    CHECK(plugin_ids == std::vector<std::string>{"org.impact.revenue", "org.impact.fx", "org.impact.stock"});
}

TEST_CASE("The JSON report written piece by piece is byte for byte the document dumped whole", "[scenario][json]") {
    // Reference: nlohmann-json's own dump (two-space indent, UTF-8) of the parsed report. The
    // report is streamed one step at a time (write_json); any indentation slip would differ here.
    for (const char* sample : {"h20-export-licence-2025-04.toml", "h200-china-2025-12.toml"}) {
        const fs::path file = fs::path(IMPACT_SOURCE_DIR) / "samples" / sample;
        INFO("sample: " << file);
        impact::scenario::Scenario scenario = impact::scenario::read_scenario_file(file);
        // With an override on the one, none on the other: the overrides array both ways.
        if (std::string(sample).find("h20-") != std::string::npos)
            impact::scenario::apply_overrides(scenario, {"h20_range.gross_margin=55%"});
        const auto result = impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run);
        const std::string streamed = impact::scenario::render_json(scenario, result);
        const auto parsed = nlohmann::ordered_json::parse(streamed);
        CHECK(streamed == parsed.dump(2, ' ', false) + "\n");
        CHECK(parsed.at("steps").size() == result.steps.size());
    }
}
