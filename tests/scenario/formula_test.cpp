// Formula steps and --set overrides: values against an independent computation, units, and errors with positions.
#include "scenario/formula.hpp"
#include "scenario_test_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::Dimension;
using impact::scenario::RunMode;

// Lines 1-20 of every scenario below: an export ban with a ranged revenue (step h20, line 5)
// and a conversion of its charges into won (step krw, line 14).
const std::string kHeader =
    "[scenario]\n"                                                  // 1
    "name = \"formula\"\n"                                          // 2
    "as_of = 2025-04-16\n"                                          // 3
    "\n"                                                            // 4
    "[[step]]\n"                                                    // 5
    "id = \"h20\"\n"                                                // 6
    "model = \"revenue.export_ban\"\n"                              // 7
    "annual_revenue = { low = \"12B USD\", high = \"15B USD\" }\n"  // 8
    "gross_margin = \"60%\"\n"                                      // 9
    "one_off_charges = \"5.5B USD\"\n"                              // 10
    "duration_years = 1\n"                                          // 11
    "\n"                                                            // 12
    "[[step]]\n"                                                    // 13
    "id = \"krw\"\n"                                                // 14
    "model = \"fx.convert\"\n"                                      // 15
    "amount = { from = \"h20.one_off_charges\" }\n"                 // 16
    "to = \"KRW\"\n"                                                // 17
    "rate = 1428.8\n"                                               // 18
    "\n"                                                            // 19
    "[[step]]\n";                                                   // 20: the formula step's table

// Relative difference, exact for equal values (including 0).
double relative_difference(double a, double b) {
    if (a == b) return 0;
    return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

}  // namespace

TEST_CASE("Dimension: units multiply, divide and cancel as symbols with powers", "[formula]") {
    // Reference: dimensional analysis; a rate in KRW/USD times an amount in USD is in KRW.
    CHECK(Dimension::of_unit("KRW/USD").times(Dimension::of_unit("USD")) == Dimension::of_unit("KRW"));
    CHECK(Dimension::of_unit("USD").over(Dimension::of_unit("USD")).dimensionless());
    CHECK(Dimension::of_unit("%").dimensionless());
    CHECK(Dimension::of_unit("").dimensionless());
    CHECK_FALSE(Dimension::of_unit("USD") == Dimension::of_unit("EUR"));
    CHECK(Dimension::of_unit("USD").to_power(2).str() == "USD^2");
    CHECK(Dimension::of_unit("KRW/USD").str() == "KRW/USD");
    CHECK(Dimension::of_unit("1/days").str() == "1/days");
    CHECK(Dimension::of_unit("shares").times(Dimension::of_unit("USD/shares")) == Dimension::of_unit("USD"));
}

TEST_CASE("Formula step: totals of earlier outputs and its own ranged inputs, at low, base and high", "[formula]") {
    TempDir temp;
    const fs::path file = temp.path() / "formula.toml";
    const std::string toml = kHeader +
                             "id = \"pnl\"\n"
                             "expr = \"h20.total_impact * share + max(h20.one_off_charges - threshold, 0)\"\n"
                             "unit = \"USD\"\n"
                             "share = { low = \"40%\", high = \"60%\" }\n"
                             "threshold = \"5B USD\"\n";
    write_file(file, toml);
    INFO(with_line_numbers(toml));
    const auto result = run_file(file);
    const auto& h20 = step_of(result, "h20");
    const auto& pnl = step_of(result, "pnl");
    INFO(describe_inputs(pnl));
    const auto& total = output_of(h20, "total_impact").value;
    const double charges = output_of(h20, "one_off_charges").value.value;
    REQUIRE(total.low);
    REQUIRE(total.high);
    // Independent computation of the same formula, row by row (share moves with the range).
    const auto expected = [&](double total_impact, double share) { return total_impact * share + std::max(charges - 5e9, 0.0); };
    const auto& value = output_of(pnl, "value").value;
    REQUIRE(value.low);
    REQUIRE(value.high);
    CHECK(value.unit == "USD");
    CHECK(pnl.model_id == "formula");
    CHECK(pnl.expression == "h20.total_impact * share + max(h20.one_off_charges - threshold, 0)");
    CHECK(relative_difference(*value.low, expected(*total.low, 0.4)) < 1e-15);
    CHECK(relative_difference(value.value, expected(total.value, 0.5)) < 1e-15);
    CHECK(relative_difference(*value.high, expected(*total.high, 0.6)) < 1e-15);
    // Each operand is listed as an input of the step, with where it came from.
    REQUIRE(input_of(pnl, "h20.total_impact"));
    CHECK(input_of(pnl, "h20.total_impact")->origin == "step h20.total_impact");
    REQUIRE(input_of(pnl, "share"));
    CHECK(input_of(pnl, "share")->kind == "percent");
    CHECK(input_of(pnl, "threshold")->kind == "money");
}

TEST_CASE("Formula step: a KRW/USD rate times dollars is won, and the result feeds a later step", "[formula]") {
    TempDir temp;
    const fs::path file = temp.path() / "formula.toml";
    const std::string toml = kHeader +
                             "id = \"by_hand\"\n"
                             "expr = \"krw.rate * h20.one_off_charges\"\n"
                             "unit = \"KRW\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"gap\"\n"
                             "expr = \"(by_hand.value - krw.converted) / krw.converted\"\n"
                             "unit = \"%\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"back\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = { from = \"by_hand.value\" }\n"
                             "to = \"USD\"\n"
                             "rate = 0.0007\n";
    write_file(file, toml);
    INFO(with_line_numbers(toml));
    const auto result = run_file(file);
    // Reference: the article's figure, $5.5B at 1,428.8 is 7,858.4B won (../shared/guide/facts.md).
    CHECK(output_of(step_of(result, "by_hand"), "value").value.value == 7'858'400'000'000.0);
    CHECK(output_of(step_of(result, "by_hand"), "value").value.unit == "KRW");
    CHECK(output_of(step_of(result, "gap"), "value").value.value == 0.0);
    CHECK(output_of(step_of(result, "gap"), "value").value.unit == "%");
    CHECK(std::fabs(output_of(step_of(result, "back"), "converted").value.value - 7'858'400'000'000.0 * 0.0007) < 1e-3);
}

TEST_CASE("Formula step: comparisons, ?: and functions", "[formula]") {
    // Each expression over h20's outputs against the same arithmetic in C++.
    struct Case {
        std::string expr;
        std::string unit;
        double (*expected)(double total, double charges);
    };
    const std::vector<Case> cases{
        {"h20.one_off_charges > h20.total_impact ? h20.total_impact : 0", "USD", [](double t, double c) { return c > t ? t : 0.0; }},
        {"h20.one_off_charges < h20.total_impact && h20.total_impact > 0 ? h20.one_off_charges : 0", "USD", [](double t, double c) { return c < t && t > 0 ? c : 0.0; }},
        {"min(h20.total_impact, h20.one_off_charges, h20.total_impact * 2)", "USD", [](double t, double c) { return std::min({t, c, 2 * t}); }},
        {"abs(h20.one_off_charges - h20.total_impact)", "USD", [](double t, double c) { return std::fabs(c - t); }},
        {"ln(h20.total_impact / h20.one_off_charges)", "", [](double t, double c) { return std::log(t / c); }},
        {"sqrt(h20.total_impact / h20.one_off_charges)^2", "", [](double t, double c) { return std::pow(std::sqrt(t / c), 2); }},
        {"-h20.one_off_charges", "USD", [](double, double c) { return -c; }},
        {"(h20.total_impact / h20.one_off_charges)^2 * h20.one_off_charges", "USD", [](double t, double c) { return std::pow(t / c, 2) * c; }},
        // Units with powers and products are stated as Dimension::str() writes them.
        {"h20.total_impact ^ +(-1)", "1/USD", [](double t, double) { return std::pow(t, -1); }},
        {"h20.total_impact ^ 2", "USD^2", [](double t, double) { return t * t; }},
        {"h20.total_impact * krw.rate", "KRW", [](double t, double) { return t * 1428.8; }},
        // min and max of a NaN-free list as std::min and std::max.
        {"max(h20.total_impact, h20.one_off_charges)", "USD", [](double t, double c) { return std::max(t, c); }},
    };
    for (const Case& c : cases) {
        TempDir temp;
        const fs::path file = temp.path() / "formula.toml";
        const std::string toml = kHeader + "id = \"f\"\nexpr = \"" + c.expr + "\"\nunit = \"" + c.unit + "\"\n";
        write_file(file, toml);
        INFO("expr: " << c.expr);
        const Outcome outcome = outcome_of(file, RunMode::run);
        INFO(outcome.kind << ": " << outcome.message);
        REQUIRE(outcome.kind == "ok");
        const auto result = run_file(file);
        const auto& h20 = step_of(result, "h20");
        const double expected = c.expected(output_of(h20, "total_impact").value.value, output_of(h20, "one_off_charges").value.value);
        CHECK(relative_difference(output_of(step_of(result, "f"), "value").value.value, expected) < 1e-14);
    }
}

TEST_CASE("Formula step: bad expressions and units fail at file:line:column naming the operand", "[formula]") {
    struct Bad {
        std::string name;
        std::string step;                 // from line 21 on
        std::string prefix;               // {S} is the file
        std::vector<std::string> parts;
    };
    // Line 22 is `expr = "...`: the expression's first character is column 9.
    const std::vector<Bad> cases{
        {"dollars plus won", "id = \"f\"\nexpr = \"h20.total_impact + krw.converted\"\nunit = \"USD\"\n",
         "{S}:22:28: step.f.expr: ", {"a sum needs one unit", "h20.total_impact (USD)", "krw.converted (KRW)", "fx.convert"}},
        {"money minus a bare number", "id = \"f\"\nexpr = \"h20.total_impact - 1e9\"\nunit = \"USD\"\n",
         "{S}:22:9: step.f.expr: ", {"a difference needs one unit", "1000000000 (no unit)", "give it one as an input"}},
        {"result unit differs from the stated one", "id = \"f\"\nexpr = \"h20.total_impact\"\nunit = \"EUR\"\n",
         "{S}:23:8: step.f.unit: ", {"expected \"USD\"", "found unit = \"EUR\""}},
        {"money result without a unit", "id = \"f\"\nexpr = \"h20.total_impact * 2\"\n",
         "{S}:20:1: step.f.unit: ", {"expected unit = \"USD\"", "found no unit"}},
        {"a percentage stated for money", "id = \"f\"\nexpr = \"h20.total_impact\"\nunit = \"%\"\n",
         "{S}:23:8: step.f.unit: ", {"expected \"USD\"", "found unit = \"%\""}},
        {"unknown operand", "id = \"f\"\nexpr = \"2 * revenue\"\n",
         "{S}:22:13: step.f.expr: ", {"found \"revenue\", which is neither"}},
        {"unknown step", "id = \"f\"\nexpr = \"2 * nope.value\"\n",
         "{S}:22:13: step.f.expr: ", {"expected an earlier step (h20, krw)", "unknown step \"nope\""}},
        {"unknown output", "id = \"f\"\nexpr = \"2 * h20.nope\"\n",
         "{S}:22:13: step.f.expr: ", {"expected an output of step h20", "found \"nope\""}},
        {"a step below", "id = \"f\"\nexpr = \"2 * g.value\"\n\n[[step]]\nid = \"g\"\nexpr = \"1\"\n",
         "{S}:22:13: step.f.expr: ", {"defined below at {S}:24:1"}},
        {"its own output", "id = \"f\"\nexpr = \"2 * f.value\"\n", "{S}:22:13: step.f.expr: ", {"cannot use its own output"}},
        {"syntax error", "id = \"f\"\nexpr = \"h20.total_impact * (2 + \"\nunit = \"USD\"\n",
         "{S}:22:", {"step.f.expr: ", "nexpected end of"}},
        {"assignment", "id = \"f\"\nexpr = \"h20.total_impact = 5\"\n", "{S}:22:", {"step.f.expr: ", "assignment"}},
        {"comma list", "id = \"f\"\nexpr = \"h20.total_impact, 5\"\n", "{S}:22:", {"step.f.expr: ", "comma-separated list"}},
        {"logarithm of money", "id = \"f\"\nexpr = \"ln(h20.total_impact)\"\n",
         "{S}:22:12: step.f.expr: ", {"ln() needs a number without a unit", "h20.total_impact (USD)"}},
        {"money to a variable power", "id = \"f\"\nexpr = \"h20.total_impact ^ h20.one_off_charges\"\n",
         "{S}:22:", {"an exponent needs a number without a unit"}},
        {"branches in two currencies", "id = \"f\"\nexpr = \"1 > 0 ? h20.total_impact : krw.converted\"\nunit = \"USD\"\n",
         "{S}:22:", {"the two branches of ?: needs one unit"}},
        {"an input the expression does not use", "id = \"f\"\nexpr = \"h20.total_impact\"\nunit = \"USD\"\nshare = \"50%\"\n",
         "{S}:24:9: step.f.share: ", {"found an input it does not use"}},
        {"a date as an operand", "id = \"f\"\nexpr = \"d * 2\"\nd = 2025-04-16\n",
         "{S}:23:5: step.f.d: ", {"expected a number, an amount", "found the date 2025-04-16"}},
        {"model and expr", "id = \"f\"\nmodel = \"fx.convert\"\nexpr = \"1\"\n",
         "{S}:23:8: step.f.expr: ", {"either model or expr", "found both"}},
        {"empty expression", "id = \"f\"\nexpr = \" \"\n", "{S}:22:8: step.f.expr: ", {"found an empty string"}},
        {"number out of range", "id = \"f\"\nexpr = \"2 * 1e400\"\n", "{S}:22:13: step.f.expr: ", {"a double holds, found 1e400"}},
        {"unary plus does not flip a negative power's unit", "id = \"f\"\nexpr = \"h20.total_impact ^ +(-1)\"\nunit = \"USD\"\n",
         "{S}:23:8: step.f.unit: ", {"expected \"1/USD\"", "found unit = \"USD\""}},
        {"a unit that cancels", "id = \"f\"\nexpr = \"h20.total_impact / h20.one_off_charges\"\nunit = \"USD/USD\"\n",
         "{S}:23:8: step.f.unit: ", {"expected a unit written as", "found \"USD/USD\""}},
        {"a unit with spaces", "id = \"f\"\nexpr = \"h20.total_impact\"\nunit = \" USD \"\n",
         "{S}:23:8: step.f.unit: ", {"expected a unit written as", "found \" USD \"", "(the expression gives USD)"}},
        {"a unit with control characters", "id = \"f\"\nexpr = \"x * 2\"\nunit = \"\\u001b[2J/\\u001b[2J\"\nx = 1\n",
         "{S}:23:8: step.f.unit: ", {"expected a unit written as", "found \"\\e[2J/\\e[2J\""}},
        {"a withdrawn currency in a literal", "id = \"f\"\nexpr = \"x * 2\"\nunit = \"DEM\"\nx = \"5 DEM\"\n",
         "{S}:24:5: step.f.x: ", {"expected a current ISO 4217 currency code", "found \"DEM\""}},
        {"a lower-case currency in a literal", "id = \"f\"\nexpr = \"x * 2\"\nunit = \"USD\"\nx = \"5.5B usd\"\n",
         "{S}:24:5: step.f.x: ", {"found \"usd\""}},
        {"escaped expression: offset named", "id = \"f\"\nexpr = \"2 * \\u0072evenue\"\n",
         "{S}:22:8: step.f.expr: ", {"which is neither", "(at character 5 of the expression)"}},
    };
    for (const Bad& c : cases) {
        TempDir temp;
        const fs::path file = temp.path() / "formula.toml";
        const std::string toml = kHeader + c.step;
        write_file(file, toml);
        const std::string prefix = replace_all(c.prefix, "{S}", file.string());
        INFO("case: " << c.name << "\n" << with_line_numbers(toml) << "expected prefix: " << prefix);
        for (const RunMode mode : {RunMode::run, RunMode::validate}) {
            const Outcome outcome = outcome_of(file, mode);
            INFO("mode: " << (mode == RunMode::run ? "run" : "validate") << "; outcome: " << outcome.kind << ": "
                          << outcome.message);
            CHECK(outcome.kind == "UserError");
            CHECK(starts_with(outcome.message, prefix));
            for (const std::string& part : c.parts) CHECK(contains(outcome.message, replace_all(part, "{S}", file.string())));
            CHECK(outcome.message.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("Formula step: a NaN or infinity on the way to a finite result fails the run too", "[formula]") {
    // Each hides a non-finite intermediate value: std::fmax and a comparison drop a NaN (max()
    // here keeps it), and a division by an infinity gives 0.
    struct Hidden {
        std::string step;
        std::string what;
    };
    const std::vector<Hidden> cases{
        {"id = \"f\"\nexpr = \"max(ln(x), 0)\"\nx = -1\n", "\"max(ln(x), 0)\" is nan with x = -1"},
        {"id = \"f\"\nexpr = \"ln(x) > 0 ? 1 : 2\"\nx = -1\n", "computes nan on the way to its result 2"},
        {"id = \"f\"\nexpr = \"h20.total_impact / (1 + 1 / share)\"\nunit = \"USD\"\nshare = { low = \"0%\", high = \"60%\" }\n",
         "computes +inf on the way to its result 0 in the low row"},
        {"id = \"f\"\nexpr = \"min(h20.total_impact / share, cap)\"\nunit = \"USD\"\nshare = \"0%\"\ncap = \"1B USD\"\n",
         "computes +inf on the way to its result 1000000000"},
    };
    for (const Hidden& c : cases) {
        TempDir temp;
        const fs::path file = temp.path() / "formula.toml";
        const std::string toml = kHeader + c.step;
        write_file(file, toml);
        INFO(with_line_numbers(toml));
        const Outcome outcome = outcome_of(file, RunMode::run);
        INFO(outcome.kind << ": " << outcome.message);
        CHECK(outcome.kind == "CallError");
        CHECK(starts_with(outcome.message, file.string() + ":22:9: step.f: formula "));
        CHECK(contains(outcome.message, c.what));
    }
    // The untaken branch of ?: is not computed, so it cannot fail the run.
    TempDir temp;
    const fs::path file = temp.path() / "formula.toml";
    write_file(file, kHeader + "id = \"f\"\nexpr = \"x > 0 ? ln(x) : 0\"\nx = -1\n");
    CHECK(outcome_of(file, RunMode::run).kind == "ok");
}

TEST_CASE("Formula step: a result that is not a finite number fails the run like a model failure", "[formula]") {
    TempDir temp;
    const fs::path file = temp.path() / "formula.toml";
    const std::string toml = kHeader + "id = \"f\"\nexpr = \"h20.total_impact / zero\"\nunit = \"USD\"\nzero = 0\n";
    write_file(file, toml);
    INFO(with_line_numbers(toml));
    const Outcome outcome = outcome_of(file, RunMode::run);
    INFO(outcome.kind << ": " << outcome.message);
    CHECK(outcome.kind == "CallError");
    CHECK(starts_with(outcome.message, file.string() + ":22:9: step.f: formula \"h20.total_impact / zero\" is +inf"));
    CHECK(contains(outcome.message, "zero = 0"));
    // Validation does not evaluate, so it cannot know.
    CHECK(outcome_of(file, RunMode::validate).kind == "ok");
}

TEST_CASE("Overrides: --set replaces or adds an input's value, with the file's unit checks and positions naming the --set",
          "[formula][set]") {
    TempDir temp;
    const fs::path file = temp.path() / "set.toml";
    const std::string toml = kHeader + "id = \"f\"\nexpr = \"h20.total_impact * share\"\nunit = \"USD\"\nshare = \"50%\"\n";
    write_file(file, toml);
    INFO(with_line_numbers(toml));
    const auto run_with = [&](std::vector<std::string> sets) {
        impact::scenario::Scenario scenario = impact::scenario::read_scenario_file(file);
        impact::scenario::apply_overrides(scenario, sets);
        return std::make_pair(scenario.overrides, impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run));
    };

    SECTION("replaced values are used and reported with what they replace") {
        const auto [base_overrides, base] = run_with({});
        CHECK(base_overrides.empty());
        const auto [overrides, result] =
            run_with({"h20.gross_margin=55%", "krw.rate=1450", "f.share={ low = \"40%\", high = \"60%\" }", "h20.recapture=10%"});
        REQUIRE(overrides.size() == 4);
        CHECK(overrides[0].step == "h20");
        CHECK(overrides[0].input == "gross_margin");
        CHECK(overrides[0].value_as_written == "55%");
        REQUIRE(overrides[0].replaced);
        CHECK(overrides[0].replaced->str() == file.string() + ":9:16");
        CHECK(overrides[0].replaced_value == "60%");
        CHECK_FALSE(overrides[3].replaced);  // recapture is not in the file: added
        const auto& h20 = step_of(result, "h20");
        INFO(describe_inputs(h20));
        CHECK(input_of(h20, "gross_margin")->number->value == 0.55);
        CHECK(input_of(h20, "gross_margin")->origin == "--set");
        CHECK(input_of(h20, "recapture")->number->value == 0.1);
        // Reference: $5.5B at 1,450 won is 7,975B won.
        CHECK(output_of(step_of(result, "krw"), "converted").value.value == 7'975'000'000'000.0);
        const auto& share = *input_of(step_of(result, "f"), "share");
        CHECK(share.origin == "--set");
        REQUIRE(share.number->low);
        CHECK(*share.number->low == 0.4);
        // Lost gross profit scales with the margin (55/60 of the file's) and with what is not
        // recaptured (90 %).
        const double file_profit = output_of(step_of(base, "h20"), "lost_gross_profit").value.value;
        CHECK(relative_difference(output_of(h20, "lost_gross_profit").value.value, file_profit * 55 / 60 * 0.9) < 1e-14);
    }

    SECTION("an override of a header value says what it replaces; one that breaks a formula's units is named") {
        const auto [overrides, result] = run_with({"h20.as_of=2024-01-01"});
        REQUIRE(overrides.size() == 1);
        CHECK_FALSE(overrides[0].replaced);
        CHECK(overrides[0].replaced_value == "the scenario's as_of, 2025-04-16");
        CHECK(input_of(step_of(result, "h20"), "as_of")->text == "2024-01-01");
        std::string message;
        try {
            run_with({"f.share=50 KRW/USD"});
        } catch (const impact::UserError& e) {
            message = e.what();
        }
        INFO(message);
        CHECK(contains(message, "keeps its unit"));
    }

    SECTION("bad overrides fail where the --set is, before anything runs") {
        struct BadSet {
            std::vector<std::string> sets;
            std::string prefix;
            std::string part;
        };
        const std::vector<BadSet> cases{
            {{"h20.gross_margin=55"}, "--set 'h20.gross_margin=55':1:18: step.h20.gross_margin: ", "expected a percentage"},
            {{"h20.gross_margin=55 USD"}, "--set 'h20.gross_margin=55 USD':1:18: step.h20.gross_margin: ", "found \"55 USD\""},
            {{"krw.rate=inf"}, "--set 'krw.rate=inf':1:10: step.krw.rate: ", "expected a finite number"},
            {{"nope.rate=1"}, "--set 'nope.rate=1':1:1: step.nope.rate: ", "expected the id of a step (h20, krw, f)"},
            {{"rate=1"}, "--set 'rate=1':1:1: set: ", "expected STEP.INPUT=VALUE"},
            {{"krw.rate"}, "--set 'krw.rate':1:1: set: ", "expected STEP.INPUT=VALUE"},
            {{"krw.rate=1", "krw.rate=2"}, "--set 'krw.rate=2':1:1: step.krw.rate: ", "given twice (first at --set 'krw.rate=1':1:10)"},
            {{"krw.nope=1"}, "--set 'krw.nope=1':1:10: step.krw.nope: ", "model fx.convert has no input 'nope'"},
            {{"f.expr=1"}, "--set 'f.expr=1':1:3: step.f.expr: ", "--set changes inputs only"},
            {{"krw.rate={ low = 1400 }"}, "--set 'krw.rate={ low = 1400 }':1:10: step.krw.rate: ", "both low and high"},
            {{"f.share=5"}, "--set 'f.share=5':1:9: step.f.share: ", "expected a percentage like the value it replaces (\"50%\" at "},
            {{"f.share=5 USD"}, "--set 'f.share=5 USD':1:9: step.f.share: ", "keeps its unit"},
        };
        for (const BadSet& c : cases) {
            INFO("sets: " << c.sets.back() << "; expected prefix: " << c.prefix);
            std::string message;
            try {
                run_with(c.sets);
            } catch (const impact::UserError& e) {
                message = e.what();
            }
            INFO("message: " << message);
            CHECK(starts_with(message, c.prefix));
            CHECK(contains(message, c.part));
        }
    }
}
