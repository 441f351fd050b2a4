// impact run --keep-going: failed steps recorded, dependents skipped, the rest exactly as in a scenario without them.
#include "scenario_test_support.hpp"
#include "simulation_test_support.hpp"

#include "scenario/convergence.hpp"
#include "scenario/report.hpp"
#include "support/json_parse.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <set>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::RunMode;
using impact::scenario::RunOptions;
using impact::scenario::RunResult;
using impact::scenario::Scenario;
using impact::scenario::StepStatus;

// A scenario built from [[step]] tables, so that the same file can be written with and without some steps.
struct Block {
    std::string id;
    std::string toml;  // the [[step]] table (and anything that belongs to it)
};

std::string scenario_text(const std::string& name, const std::vector<Block>& blocks, const std::set<std::string>& left_out = {}) {
    std::string text = "[scenario]\nname = \"" + name + "\"\n";
    for (const Block& b : blocks)
        if (!left_out.count(b.id)) text += "\n" + b.toml;
    return text;
}

fs::path write_scenario(const TempDir& temp, const std::string& file, const std::string& text) {
    const fs::path path = temp.path() / file;
    write_file(path, text);
    return path;
}

RunResult run_text(const TempDir& temp, const std::string& file, const std::string& text, bool keep_going,
                   bool keep_plans = false) {
    const Scenario scenario = impact::scenario::read_scenario_file(write_scenario(temp, file, text));
    RunOptions options;
    options.keep_going = keep_going;
    options.keep_plans = keep_plans;
    return impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run, options);
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string statuses(const RunResult& run) {
    std::string out;
    for (const auto& s : run.steps)
        out += s.id + ": " + (s.ok() ? "ok" : s.status == StepStatus::failed ? "failed: " + s.failure : "skipped: " + s.skip_reason()) + "\n";
    return out;
}

// Seven steps: a model step that overflows (broken) and a formula that divides by zero (inverse)
// fail; krw takes broken's output, doubled takes krw's, both takes both failed steps'; base, half
// and base_krw depend on neither.
const std::vector<Block> point_blocks = {
    {"base", "[[step]]\nid = \"base\"\nmodel = \"stock.price_move\"\nprice_before = \"112.20 USD\"\n"
             "price_after = \"105.10 USD\"\nshares_outstanding = \"24.4B\"\ncompare = \"moves\"\n"},
    {"broken", "[[step]]\nid = \"broken\"\nmodel = \"stock.price_move\"\nprice_before = \"112.20 USD\"\n"
               "price_after = \"105.10 USD\"\nshares_outstanding = \"1e308\"\ncompare = \"moves\"\n"},
    {"krw", "[[step]]\nid = \"krw\"\nmodel = \"fx.convert\"\namount = { from = \"broken.market_cap_change\" }\nto = \"KRW\"\n"
            "rate = 1400\n"},
    {"doubled", "[[step]]\nid = \"doubled\"\nexpr = \"2 * krw.converted\"\nunit = \"KRW\"\n"},
    {"half", "[[step]]\nid = \"half\"\nexpr = \"base.market_cap_change / 2\"\nunit = \"USD\"\ncompare = \"moves\"\n"},
    {"inverse", "[[step]]\nid = \"inverse\"\nexpr = \"1 / y\"\ny = 0\n"},
    {"both", "[[step]]\nid = \"both\"\nexpr = \"broken.return + inverse.value\"\nunit = \"%\"\n"},
    {"base_krw", "[[step]]\nid = \"base_krw\"\nmodel = \"fx.convert\"\namount = { from = \"base.market_cap_change\" }\n"
                 "to = \"KRW\"\nrate = 1400\n"},
};
const std::set<std::string> point_failing = {"broken", "krw", "doubled", "inverse", "both"};

TEST_CASE("keep-going: failed steps recorded, dependents skipped, independent steps as without the failed ones",
          "[scenario][keep-going]") {
    TempDir temp;
    const std::string full = scenario_text("Keep going", point_blocks);
    const std::string reduced = scenario_text("Keep going", point_blocks, point_failing);
    INFO("with failing steps:\n" << with_line_numbers(full) << "without them:\n" << with_line_numbers(reduced));
    const RunResult run = run_text(temp, "full.toml", full, true);
    const RunResult alone = run_text(temp, "reduced.toml", reduced, false);
    INFO("statuses:\n" << statuses(run));
    REQUIRE(run.steps.size() == point_blocks.size());

    const auto& broken = step_of(run, "broken");
    CHECK(broken.status == StepStatus::failed);
    CHECK(starts_with(broken.failure, (temp.path() / "full.toml").string() + ":12:1: step.broken: "));
    CHECK(contains(broken.failure, "'market_cap_change' is -inf"));
    CHECK(broken.failure.find('\n') == std::string::npos);
    const auto& inverse = step_of(run, "inverse");
    CHECK(inverse.status == StepStatus::failed);
    CHECK(contains(inverse.failure, "step.inverse: formula \"1 / y\" is +inf with y = 0"));
    for (const char* id : {"krw", "doubled"}) {
        CAPTURE(id);
        const auto& s = step_of(run, id);
        CHECK(s.status == StepStatus::skipped);
        CHECK(s.failed_dependencies == std::vector<std::string>{"broken"});
        CHECK(s.skip_reason() == "depends on step broken, which failed");
    }
    const auto& both = step_of(run, "both");
    CHECK(both.status == StepStatus::skipped);
    CHECK(both.failed_dependencies == std::vector<std::string>{"broken", "inverse"});
    CHECK(both.skip_reason() == "depends on steps broken, inverse, which failed");
    // Outputs of failed and skipped steps keep their keys and units, with no value.
    CHECK(output_of(step_of(run, "krw"), "converted").value.unit == "KRW");
    CHECK(std::isnan(output_of(broken, "market_cap_change").value.value));

    // Every other step: exactly what a scenario without the failing steps gives.
    for (const auto& expected : alone.steps) {
        CAPTURE(expected.id);
        const auto& got = step_of(run, expected.id);
        CHECK(got.ok());
        REQUIRE(got.outputs.size() == expected.outputs.size());
        for (std::size_t o = 0; o < got.outputs.size(); ++o) {
            CAPTURE(got.outputs[o].key, got.outputs[o].value.value, expected.outputs[o].value.value);
            CHECK(same_bits(got.outputs[o].value.value, expected.outputs[o].value.value));
            CHECK(got.outputs[o].value.unit == expected.outputs[o].value.unit);
        }
    }
}

TEST_CASE("keep-going: a model that fails while preparing is recorded like one that fails while evaluating",
          "[scenario][keep-going]") {
    TempDir temp;
    // stock.event_study over a flat stock fails in prepare (zero variance, step es at line 12).
    const fs::path file = write_zero_variance_scenario(temp.path());
    const std::string move = "\n[[step]]\nid = \"move\"\nmodel = \"stock.price_move\"\nprice_before = \"112.20 USD\"\n"
                             "price_after = \"105.10 USD\"\nshares_outstanding = \"24.4B\"\n";
    const std::string text = read_file(file) + "\n[[step]]\nid = \"es_double\"\nexpr = \"2 * es.car\"\nunit = \"%\"\n" + move;
    INFO(with_line_numbers(text));
    const RunResult run = run_text(temp, "zero-variance.toml", text, true);
    const RunResult alone = run_text(temp, "move.toml", "[scenario]\nname = \"Move\"\n" + move, false);
    INFO(statuses(run));
    const auto& es = step_of(run, "es");
    CHECK(es.status == StepStatus::failed);
    CHECK(starts_with(es.failure, file.string() + ":12:1: step.es: "));
    CHECK(contains(es.failure, "zero variance"));
    CHECK(output_of(es, "car").value.unit == "%");
    CHECK(step_of(run, "es_double").failed_dependencies == std::vector<std::string>{"es"});
    const auto& got = step_of(run, "move");
    REQUIRE(got.ok());
    for (const auto& expected : alone.steps.front().outputs) {
        CAPTURE(expected.key, expected.value.value);
        CHECK(same_bits(output_of(got, expected.key).value.value, expected.value.value));
    }
}

TEST_CASE("without keep-going the first failure stops the run with the message keep-going records",
          "[scenario][keep-going]") {
    TempDir temp;
    const std::string full = scenario_text("Keep going", point_blocks);
    INFO(with_line_numbers(full));
    const RunResult kept = run_text(temp, "full.toml", full, true);
    std::string message;
    try {
        run_text(temp, "full.toml", full, false);
    } catch (const impact::host::CallError& e) {
        message = e.what();
    }
    CHECK(message == step_of(kept, "broken").failure);
}

TEST_CASE("keep-going: input errors still stop the run, in skipped steps too", "[scenario][keep-going]") {
    TempDir temp;
    std::vector<Block> blocks = point_blocks;
    // A skipped step is still checked: an output its failed step does not have is a scenario mistake.
    blocks.push_back({"typo", "[[step]]\nid = \"typo\"\nexpr = \"2 * broken.market_cap_chang\"\nunit = \"USD\"\n"});
    const std::string text = scenario_text("Typo", blocks);
    INFO(with_line_numbers(text));
    std::string kind, message;
    try {
        run_text(temp, "typo.toml", text, true);
        kind = "ok";
    } catch (const impact::UserError& e) {
        kind = "UserError";
        message = e.what();
    } catch (const std::exception& e) {
        kind = "other";
        message = e.what();
    }
    INFO(kind << ": " << message);
    CHECK(kind == "UserError");
    CHECK(contains(message, "expected an output of step broken"));
}

TEST_CASE("keep-going: the reports mark failures and skips, and never show a number for them", "[scenario][keep-going][report]") {
    TempDir temp;
    std::string text = scenario_text("Keep going", point_blocks);
    text += "\n[[actual]]\noutput = \"broken.market_cap_change\"\nvalue = \"-170B USD\"\ndate = 2025-04-16\nsource = \"test\"\n";
    INFO(with_line_numbers(text));
    const fs::path file = write_scenario(temp, "report.toml", text);
    const Scenario scenario = impact::scenario::read_scenario_file(file);
    RunOptions options;
    options.keep_going = true;
    const RunResult run = impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run, options);
    const auto actuals = impact::scenario::actual_results(scenario, run, nullptr);
    impact::scenario::ReportExtras extras;
    extras.actuals = &actuals;

    const std::string report = impact::scenario::render_text(scenario, run, extras);
    INFO(report);
    CHECK(starts_with(report, "2 steps failed, 3 skipped: the figures below are incomplete\nScenario: Keep going\n"));
    CHECK(contains(report, "[broken] stock.price_move 1.0.0\n  FAILED: " + step_of(run, "broken").failure + "\n"));
    CHECK(contains(report, "[doubled] formula: 2 * krw.converted\n  skipped: depends on step broken, which failed\n"));
    CHECK(contains(report, "    broken           unavailable (the step failed)\n"));
    CHECK(contains(report, "estimate unavailable (step broken failed)"));
    // "nan" as a word: "Provenance" has those letters too.
    CHECK_FALSE(std::regex_search(report, std::regex("\\bnan\\b")));
    CHECK_FALSE(contains(report, "inf)"));

    const auto json = impact::test::parse_json(impact::scenario::render_json(scenario, run, extras));
    CHECK(json["incomplete"]["failed"] == 2);
    CHECK(json["incomplete"]["skipped"] == 3);
    const auto& steps = json["steps"];
    REQUIRE(steps.size() == point_blocks.size());
    CHECK_FALSE(steps[0].contains("status"));
    CHECK(steps[1]["status"] == "failed");
    CHECK(steps[1]["error"] == step_of(run, "broken").failure);
    CHECK(steps[1]["outputs"]["market_cap_change"]["value"].is_null());
    CHECK(steps[1]["outputs"]["market_cap_change"]["unavailable"] == true);
    CHECK(steps[2]["status"] == "skipped");
    CHECK(steps[2]["skipped_because"] == nlohmann::json::array({"broken"}));
    CHECK(steps[6]["skipped_because"] == nlohmann::json::array({"broken", "inverse"}));
    const auto& group = json["compare_groups"][0];
    CHECK(group["unavailable"] == nlohmann::json::array({"broken"}));
    for (const auto& row : group["outputs"]) CHECK(row["values"][1].is_null());
    CHECK(json["actuals"][0]["estimate"].is_null());
    CHECK(json["actuals"][0]["error"].is_null());
    CHECK(json["actuals"][0]["unavailable"] == "step broken failed");

    // A complete run's report has none of it.
    const std::string complete = impact::scenario::render_json(
        scenario, run_text(temp, "ok.toml", scenario_text("Keep going", point_blocks, point_failing), true));
    CHECK_FALSE(contains(complete, "\"incomplete\""));
    CHECK_FALSE(contains(complete, "\"status\""));
}

// Monte Carlo: a drawn step a; flaky_formula and flaky_model fail at some draw (a rare value of a
// discrete input); point_fail fails at the point values already; after and dependent depend on
// failing steps; b depends on a only.
const std::vector<Block> drawn_blocks = {
    {"a", "[[step]]\nid = \"a\"\nexpr = \"x * 2\"\nx = { dist = \"uniform\", low = 1, high = 2 }\n"},
    {"flaky_formula", "[[step]]\nid = \"flaky_formula\"\nexpr = \"1 / (y - 3)\"\n"
                      "y = { dist = \"discrete\", values = [1, 3], weights = [9999, 1] }\n"},
    {"flaky_model", "[[step]]\nid = \"flaky_model\"\nmodel = \"stock.price_move\"\nprice_before = \"112.20 USD\"\n"
                    "price_after = \"105.10 USD\"\n"
                    "shares_outstanding = { dist = \"discrete\", values = [24.4e9, 1e308], weights = [4999, 1] }\n"},
    {"point_fail", "[[step]]\nid = \"point_fail\"\nexpr = \"w / 0\"\nw = { dist = \"uniform\", low = 1, high = 2 }\n"},
    {"after", "[[step]]\nid = \"after\"\nexpr = \"flaky_formula.value + a.value\"\n"},
    {"dependent", "[[step]]\nid = \"dependent\"\nexpr = \"flaky_model.market_cap_change * 2\"\nunit = \"USD\"\n"},
    {"b", "[[step]]\nid = \"b\"\nexpr = \"a.value + z\"\nz = { dist = \"normal\", mean = 0, sd = 1 }\n"
          "thresholds = { value = { above = [3.5] } }\n"},
    {"c", "[[step]]\nid = \"c\"\nmodel = \"stock.price_move\"\nprice_before = \"112.20 USD\"\nprice_after = { from = \"base_price.value\" }\n"
          "shares_outstanding = \"24.4B\"\n"},
};
// c takes base_price, a formula of a drawn value, written before it.
const Block base_price = {"base_price", "[[step]]\nid = \"base_price\"\nexpr = \"p\"\n"
                                        "p = { dist = \"triangular\", low = \"100 USD\", mode = \"105 USD\", high = \"110 USD\" }\n"
                                        "unit = \"USD\"\n"};
const std::set<std::string> drawn_failing = {"flaky_formula", "flaky_model", "point_fail", "after", "dependent"};

std::vector<Block> drawn_scenario_blocks() {
    std::vector<Block> blocks = drawn_blocks;
    blocks.insert(blocks.end() - 1, base_price);
    return blocks;
}

TEST_CASE("keep-going with --draws: steps failing at a draw are dropped and the rest is bit-identical to a run without them",
          "[scenario][keep-going][monte-carlo]") {
    TempDir temp;
    const std::vector<Block> blocks = drawn_scenario_blocks();
    const std::string full = scenario_text("Drawn", blocks);
    const std::string reduced = scenario_text("Drawn", blocks, drawn_failing);
    const unsigned threads = GENERATE(1u, 2u);
    const std::uint64_t draws = 50'000;  // enough for both rare values to come up
    INFO("threads " << threads << ", draws " << draws << ", seed 7\nwith failing steps:\n" << with_line_numbers(full)
                    << "without them:\n" << with_line_numbers(reduced));
    const Scenario full_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "full.toml", full));
    const Scenario reduced_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "reduced.toml", reduced));
    RunOptions options;
    options.keep_plans = true;
    options.keep_going = true;
    RunResult run = impact::scenario::run_scenario(full_scenario, bundled_registry(), RunMode::run, options);
    options.keep_going = false;
    const RunResult alone = impact::scenario::run_scenario(reduced_scenario, bundled_registry(), RunMode::run, options);
    INFO("after the point run:\n" << statuses(run));
    // At the point values only point_fail fails (the discrete inputs' point value is their median).
    CHECK(step_of(run, "point_fail").status == StepStatus::failed);
    CHECK(step_of(run, "flaky_formula").ok());
    CHECK(step_of(run, "flaky_model").ok());

    impact::scenario::SimulationOptions sim_options;
    sim_options.draws = draws;
    sim_options.seed = 7;
    sim_options.threads = threads;
    // Without keep-going, the simulation stops at the first failing draw, with the message the
    // failed step records below.
    std::string stopped;
    try {
        impact::scenario::simulate(full_scenario, run, sim_options);
    } catch (const impact::host::CallError& e) {
        stopped = e.what();
    }
    const auto kept = impact::scenario::simulate_keeping_going(full_scenario, run, sim_options);
    const auto expected = impact::scenario::simulate(reduced_scenario, alone, sim_options);
    INFO("after the simulation:\n" << statuses(run));

    const auto& formula = step_of(run, "flaky_formula");
    const auto& model = step_of(run, "flaky_model");
    CHECK(formula.status == StepStatus::failed);
    CHECK(model.status == StepStatus::failed);
    CHECK(contains(formula.failure, "step.flaky_formula: formula \"1 / (y - 3)\" is +inf at draw "));
    CHECK(contains(formula.failure, "(seed 7) with flaky_formula.y = 3"));
    CHECK(contains(model.failure, "step.flaky_model: "));
    CHECK(contains(model.failure, "'market_cap_change' is -inf"));
    CHECK(contains(model.failure, " at draw "));
    CHECK(contains(model.failure, "(seed 7) with flaky_model.price_before = 112.2"));
    CHECK((stopped == formula.failure || stopped == model.failure));
    CHECK(step_of(run, "after").failed_dependencies == std::vector<std::string>{"flaky_formula"});
    CHECK(step_of(run, "dependent").failed_dependencies == std::vector<std::string>{"flaky_model"});

    CHECK(kept.draws == expected.draws);
    CHECK(kept.passes == expected.passes);
    for (const auto& step : alone.steps) {
        for (const auto& out : step.outputs) {
            CAPTURE(step.id, out.key);
            simulation_test::require_identical(simulation_test::stats_of(run, kept, step.id, out.key),
                                               simulation_test::stats_of(alone, expected, step.id, out.key));
        }
    }
    // The failed and skipped steps have no statistics.
    for (const std::string& id : drawn_failing)
        for (const auto& stats : simulation_test::stats_of(run, kept, id, step_of(run, id).outputs.front().key).percentiles)
            FAIL_CHECK(id << " has a percentile " << stats.value);

    const std::string report = impact::scenario::render_text(full_scenario, run, impact::scenario::ReportExtras{&kept, nullptr, nullptr});
    INFO(report);
    CHECK(starts_with(report, "3 steps failed, 2 skipped: the figures below are incomplete\n"));
    CHECK(contains(report, "  FAILED: " + formula.failure + "\n"));
}

TEST_CASE("keep-going with --until: the stages and statistics left are those of a run without the failed steps",
          "[scenario][keep-going][monte-carlo]") {
    TempDir temp;
    const std::vector<Block> blocks = drawn_scenario_blocks();
    const std::string full = scenario_text("Drawn", blocks);
    const std::string reduced = scenario_text("Drawn", blocks, drawn_failing);
    INFO("with failing steps:\n" << with_line_numbers(full) << "without them:\n" << with_line_numbers(reduced));
    const Scenario full_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "full.toml", full));
    const Scenario reduced_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "reduced.toml", reduced));
    RunOptions options;
    options.keep_plans = true;
    options.keep_going = true;
    RunResult run = impact::scenario::run_scenario(full_scenario, bundled_registry(), RunMode::run, options);
    options.keep_going = false;
    const RunResult alone = impact::scenario::run_scenario(reduced_scenario, bundled_registry(), RunMode::run, options);
    impact::scenario::SimulationOptions sim_options;
    sim_options.draws = 1'000'000;
    sim_options.seed = 3;
    sim_options.threads = 2;
    // A target on a step that fails is dropped; the others hold for every step left.
    sim_options.until = impact::scenario::parse_convergence_targets("mean:0.2%,flaky_formula.value:P50:1%");
    const auto kept = impact::scenario::simulate_keeping_going(full_scenario, run, sim_options);
    sim_options.until = impact::scenario::parse_convergence_targets("mean:0.2%");
    const auto expected = impact::scenario::simulate(reduced_scenario, alone, sim_options);
    INFO(statuses(run));
    REQUIRE(kept.convergence);
    REQUIRE(expected.convergence);
    CHECK(kept.convergence->stages == expected.convergence->stages);
    CHECK(kept.convergence->converged == expected.convergence->converged);
    CHECK(kept.convergence->targets.size() == 1);
    for (const auto& step : alone.steps)
        for (const auto& out : step.outputs) {
            CAPTURE(step.id, out.key);
            simulation_test::require_identical(simulation_test::stats_of(run, kept, step.id, out.key),
                                               simulation_test::stats_of(alone, expected, step.id, out.key));
        }
}

TEST_CASE("keep-going with --cases: a step failing in some case is dropped, the others' cases as without it",
          "[scenario][keep-going][cases]") {
    TempDir temp;
    const std::vector<Block> blocks = {
        {"a", "[[step]]\nid = \"a\"\nexpr = \"2 * x\"\nx = 1\n"},
        {"r", "[[step]]\nid = \"r\"\nexpr = \"1 / (y - 3)\"\ny = 1\n"},
        {"after", "[[step]]\nid = \"after\"\nexpr = \"r.value + a.value\"\n"},
        {"b", "[[step]]\nid = \"b\"\nexpr = \"a.value * 10\"\n"},
    };
    const std::string cases = "\n[[case]]\nname = \"low\"\na.x = 2\n\n[[case]]\nname = \"bad\"\na.x = 5\n";
    const std::string full = scenario_text("Cases", blocks) + cases + "r.y = 3\n";
    const std::string reduced = scenario_text("Cases", blocks, {"r", "after"}) + cases;
    INFO("with the failing step:\n" << with_line_numbers(full) << "without it:\n" << with_line_numbers(reduced));
    const Scenario full_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "full.toml", full));
    const Scenario reduced_scenario = impact::scenario::read_scenario_file(write_scenario(temp, "reduced.toml", reduced));
    RunOptions options;
    options.keep_plans = true;
    options.cases = true;
    options.keep_going = true;
    RunResult run = impact::scenario::run_scenario(full_scenario, bundled_registry(), RunMode::run, options);
    const RunResult alone = impact::scenario::run_scenario(reduced_scenario, bundled_registry(), RunMode::run, options);
    const auto kept = impact::scenario::evaluate_cases_keeping_going(full_scenario, run);
    const auto expected = impact::scenario::evaluate_cases(reduced_scenario, alone);
    INFO(statuses(run));
    CHECK(step_of(run, "r").status == StepStatus::failed);
    CHECK(contains(step_of(run, "r").failure, "is +inf at case \"bad\" with r.y = 3"));
    CHECK(step_of(run, "after").failed_dependencies == std::vector<std::string>{"r"});
    // Steps a and b (positions 0 and 3 against 0 and 1): the same values in every case.
    REQUIRE(kept.steps.size() == 4);
    CHECK(kept.steps[0] == expected.steps[0]);
    CHECK(kept.steps[3] == expected.steps[1]);
    CHECK(std::isnan(kept.steps[1][0][0]));
}

// `impact args...` (the built executable, bundled plugins only).
impact::test::CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return impact::test::run_impact(IMPACT_SCENARIO_IMPACT_EXE, args, scratch);
}

TEST_CASE("impact run --keep-going writes the report and exits 3, without it nothing is written", "[scenario][keep-going][cli]") {
    TempDir temp;
    const std::string text = scenario_text("Keep going", point_blocks);
    const fs::path file = write_scenario(temp, "kg.toml", text);
    const fs::path report = temp.path() / "report.txt";
    INFO(with_line_numbers(text));

    SECTION("without --keep-going: exit 3, no report file, no temporary left") {
        const auto r = run_impact({"run", file.string(), "-o", report.string()}, temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK_FALSE(fs::exists(report));
        for (const auto& entry : fs::directory_iterator(temp.path())) {
            const std::string name = entry.path().filename().string();
            CAPTURE(name);
            CHECK_FALSE(starts_with(name, ".impact-"));
        }
    }
    SECTION("without --keep-going: an existing report is left as it was") {
        write_file(report, "the old report\n");
        const auto r = run_impact({"run", file.string(), "-o", report.string()}, temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(read_file(report) == "the old report\n");
    }
    SECTION("with --keep-going: exit 3, the report written with the failures marked") {
        write_file(report, "the old report\n");
        const auto r = run_impact({"run", file.string(), "--keep-going", "-o", report.string()}, temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        const std::string written = read_file(report);
        INFO(written);
        CHECK(starts_with(written, "2 steps failed, 3 skipped: the figures below are incomplete\n"));
        CHECK(contains(written, "  FAILED: " + file.string() + ":12:1: step.broken: "));
        CHECK(contains(r.err, "impact: error: " + file.string() + ":12:1: step.broken: "));
        CHECK(contains(r.err, "impact: 2 steps failed, 3 skipped (--keep-going): the report is incomplete\n"));
    }
    SECTION("with --keep-going and --format json") {
        const auto r = run_impact({"run", file.string(), "--keep-going", "--format", "json"}, temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        const auto json = impact::test::parse_json(r.out);
        CHECK(json["incomplete"]["summary"] == "2 steps failed, 3 skipped: the figures below are incomplete");
        CHECK(json["steps"][1]["status"] == "failed");
    }
    SECTION("with --keep-going and nothing failing: exit 0") {
        const fs::path good = write_scenario(temp, "good.toml", scenario_text("Good", point_blocks, point_failing));
        const auto r = run_impact({"run", good.string(), "--keep-going"}, temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 0);
        CHECK(starts_with(r.out, "Scenario: Good\n"));
    }
    SECTION("with --keep-going and --draws: exit 3, the report written") {
        const fs::path drawn = write_scenario(temp, "drawn.toml", scenario_text("Drawn", drawn_scenario_blocks()));
        const auto r = run_impact({"run", drawn.string(), "--keep-going", "--draws", "50000", "--threads", "2", "-q", "-o",
                                   report.string()},
                                  temp.path());
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(starts_with(read_file(report), "3 steps failed, 2 skipped: the figures below are incomplete\n"));
    }
}

}  // namespace
