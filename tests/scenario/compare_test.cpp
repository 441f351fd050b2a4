// impact compare: tolerances, matching by step and output, differences against closed forms, outputs on one side only, exit codes.
#include "scenario_test_support.hpp"

#include "support/json_parse.hpp"
#include "support/process.hpp"

#include "scenario/compare.hpp"
#include "scenario/report.hpp"
#include "scenario/simulation.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::CompareSide;
using impact::test::CommandResult;

// One export ban at the H20 sample's figures (facts.md, Article 1) with gross margin `margin`,
// and optionally more steps.
std::string ban(const std::string& margin, const std::string& extra = "") {
    return "[scenario]\nname = \"H20 at " + margin + "\"\nas_of = 2025-04-16\ncurrency = \"USD\"\n\n"
           "[[step]]\nid = \"h20\"\nmodel = \"revenue.export_ban\"\nannual_revenue = \"13.5B USD\"\n"
           "duration_years = 1\ngross_margin = \"" + margin + "\"\none_off_charges = \"5.5B USD\"\n" + extra;
}

struct Ran {
    impact::scenario::Scenario scenario;
    impact::scenario::RunResult run;
    std::optional<impact::scenario::SimulationResult> simulation;
};

Ran run_text(const TempDir& dir, const std::string& name, const std::string& toml, std::uint64_t draws = 0) {
    write_file(dir.path() / name, toml);
    Ran r;
    r.scenario = impact::scenario::read_scenario_file(dir.path() / name);
    impact::scenario::RunOptions options;
    options.keep_plans = draws > 0;
    r.run = impact::scenario::run_scenario(r.scenario, bundled_registry(), impact::scenario::RunMode::run, options);
    if (draws > 0) {
        impact::scenario::SimulationOptions sim;
        sim.draws = draws;
        sim.seed = 3;
        r.simulation = impact::scenario::simulate(r.scenario, r.run, sim);
    }
    return r;
}

std::vector<CompareSide> sides_of(const std::vector<const Ran*>& ran) {
    std::vector<CompareSide> sides;
    for (std::size_t i = 0; i < ran.size(); ++i)
        sides.push_back(CompareSide{"side" + std::to_string(i), &ran[i]->scenario, &ran[i]->run,
                                    ran[i]->simulation ? &*ran[i]->simulation : nullptr});
    return sides;
}

const impact::scenario::ComparedOutput& output_of(const impact::scenario::CompareResult& r, std::string_view name) {
    for (const auto& o : r.outputs)
        if (o.name == name) return o;
    throw std::runtime_error("no compared output " + std::string(name));
}

TEST_CASE("Compare: --tolerance is relative with % or bp, absolute as a plain number, and refused otherwise",
          "[scenario][compare]") {
    const auto rel = impact::scenario::parse_tolerance("0.1%");
    CHECK(rel.relative);
    CHECK(rel.amount == Approx(0.001).epsilon(1e-15));
    CHECK(impact::scenario::parse_tolerance("25bp").amount == Approx(0.0025).epsilon(1e-15));
    const auto abs = impact::scenario::parse_tolerance("1e6");
    CHECK_FALSE(abs.relative);
    CHECK(abs.amount == 1e6);
    for (const std::string bad : {"-1%", "abc", "5 USD", "", "inf"}) {
        INFO("--tolerance " << bad);
        try {
            (void)impact::scenario::parse_tolerance(bad);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(starts_with(e.what(), "--tolerance: expected a relative tolerance such as \"0.1%\""));
            CHECK(contains(e.what(), "found \"" + bad + "\""));
        }
    }
}

TEST_CASE("Compare: outputs matched by step and output, differences and ratios against the baseline's closed form",
          "[scenario][compare]") {
    TempDir dir;
    const Ran a = run_text(dir, "a.toml", ban("60%"));
    // B has one step more: its output is on one side only.
    const Ran b = run_text(dir, "b.toml", ban("55%", "\n[[step]]\nid = \"extra\"\nexpr = \"h20.total_impact * 2\"\nunit = \"USD\"\n"));
    const auto sides = sides_of({&a, &b});
    // Lost gross profit: 13.5B x margin, so 8.1B against 7.425B, 675M apart (ratio 0.55 / 0.60).
    const auto loose = impact::scenario::compare_sides(sides, 0, impact::scenario::parse_tolerance("10%"));
    const auto& gross = output_of(loose, "h20.lost_gross_profit");
    REQUIRE(gross.figures.size() == 1);  // nothing drawn: the value alone
    CHECK(*gross.figures[0].values[0] == Approx(8.1e9).epsilon(1e-12));
    CHECK(*gross.figures[0].differences[1] == Approx(-6.75e8).epsilon(1e-9));
    CHECK(*gross.figures[0].ratios[1] == Approx(0.55 / 0.60).epsilon(1e-12));
    CHECK_FALSE(gross.figures[0].differences[0].has_value());  // the baseline against itself
    CHECK(gross.within);
    // The step only B has: listed, and a difference even within 10%.
    const auto& extra = output_of(loose, "extra.value");
    CHECK(extra.present == std::vector<bool>{false, true});
    CHECK_FALSE(extra.within);
    CHECK(loose.beyond == 1);
    // 1% of the baseline: gross profit, total and present value differ by more (675M of 8.1B, 13.6B).
    const auto tight = impact::scenario::compare_sides(sides, 0, impact::scenario::parse_tolerance("1%"));
    CHECK(tight.beyond == 4);
    CHECK(output_of(tight, "h20.lost_revenue").within);
    CHECK_FALSE(output_of(tight, "h20.total_impact").within);
    // Absolute: 675M is within 7e8 and beyond 6e8.
    CHECK(output_of(impact::scenario::compare_sides(sides, 0, impact::scenario::parse_tolerance("7e8")), "h20.total_impact").within);
    CHECK_FALSE(output_of(impact::scenario::compare_sides(sides, 0, impact::scenario::parse_tolerance("6e8")), "h20.total_impact").within);
    // B as the baseline: the signs turn.
    const auto reversed = impact::scenario::compare_sides(sides, 1, std::nullopt);
    CHECK(*output_of(reversed, "h20.lost_gross_profit").figures[0].differences[0] == Approx(6.75e8).epsilon(1e-9));
    CHECK(reversed.outputs.front().name == "h20.lost_revenue");  // B's order leads
}

TEST_CASE("Compare: the same scenario drawn twice with the same seed differs by exactly zero in every figure",
          "[scenario][compare]") {
    TempDir dir;
    const std::string drawn = replace_all(ban("60%"), "annual_revenue = \"13.5B USD\"",
                                          "annual_revenue = { dist = \"triangular\", low = \"12B USD\", mode = \"13.5B USD\", high = \"15B USD\" }");
    const Ran a = run_text(dir, "a.toml", drawn, 20'000);
    const Ran b = run_text(dir, "b.toml", drawn, 20'000);
    const auto r = impact::scenario::compare_sides(sides_of({&a, &b}), 0, impact::scenario::parse_tolerance("0%"));
    CHECK(r.beyond == 0);
    const auto& total = output_of(r, "h20.total_impact");
    REQUIRE(total.figures.size() == 5);  // value, mean, P5, P50, P95
    for (const auto& f : total.figures) {
        INFO(f.statistic);
        CHECK(*f.differences[1] == 0);
    }
}

// The export ban with its charge drawn from triangular(4.0B, 5.0B, 6.0B), base 5.5B, as in the H20
// sample, and the $4.5B that Nvidia reported (facts.md, "actual charge").
std::string with_actual(const std::string& actual_table) {
    return replace_all(ban("60%"), "one_off_charges = \"5.5B USD\"",
                       "one_off_charges = { dist = \"triangular\", low = \"4.0B USD\", mode = \"5.0B USD\", high = "
                       "\"6.0B USD\", base = \"5.5B USD\" }") +
           "\n" + actual_table;
}

const std::string kActualCharge = "[[actual]]\noutput = \"h20.one_off_charges\"\nvalue = \"4.5B USD\"\ndate = 2025-05-28\n"
                                  "source = \"Nvidia Q1 FY2026 results\"\n";

TEST_CASE("Estimate against actual: error, relative error, and the percentile at which the actual fell among the draws",
          "[scenario][compare][actual]") {
    TempDir dir;
    const std::uint64_t draws = 200'000;
    const Ran r = run_text(dir, "actual.toml", with_actual(kActualCharge), draws);
    const auto results = impact::scenario::actual_results(r.scenario, r.run, &*r.simulation);
    REQUIRE(results.size() == 1);
    const auto& a = results[0];
    CHECK(a.output == "h20.one_off_charges");
    CHECK(a.estimate == 5.5e9);  // the base, the sample's point value
    CHECK(a.actual == 4.5e9);
    CHECK(a.error == 1e9);
    CHECK(*a.relative_error == Approx(1.0 / 4.5).epsilon(1e-12));
    // Triangular(4, 5, 6) below 4.5: (4.5 - 4)^2 / ((6 - 4)(5 - 4)) = 0.125, within 4 binomial sd.
    const double p = 0.125, sd = std::sqrt(p * (1 - p) / static_cast<double>(draws));
    INFO("percentile " << *a.percentile << ", closed form " << p << ", sd " << sd);
    REQUIRE(a.percentile.has_value());
    CHECK(std::abs(*a.percentile - p) < 4 * sd);
    // Without draws there is no percentile.
    CHECK_FALSE(impact::scenario::actual_results(r.scenario, r.run, nullptr)[0].percentile.has_value());

    // Text and JSON reports.
    impact::scenario::ReportExtras extras;
    extras.simulation = &*r.simulation;
    extras.actuals = &results;
    const std::string text = impact::scenario::render_text(r.scenario, r.run, extras);
    CHECK(contains(text, "Estimate against actual\n  h20.one_off_charges (One-off charges)\n"
                         "    estimate $5,500,000,000.00  actual $4,500,000,000.00 (2025-05-28)\n"
                         "    error +$1,000,000,000.00 (+22.22% of the actual)\n"));
    CHECK(contains(text, "source: Nvidia Q1 FY2026 results"));
    const nlohmann::json doc = impact::test::parse_json(impact::scenario::render_json(r.scenario, r.run, extras));
    REQUIRE(doc["actuals"].size() == 1);
    CHECK(doc["actuals"][0]["error"] == 1e9);
    CHECK(doc["actuals"][0]["date"] == "2025-05-28");
    CHECK(doc["actuals"][0]["percentile"].get<double>() == *a.percentile);
}

TEST_CASE("Estimate against actual: a bad [[actual]] is refused where it is written", "[scenario][compare][actual]") {
    struct Bad {
        std::string table, message;
    };
    const std::vector<Bad> bad{
        {"[[actual]]\noutput = \"h20.one_off_charges\"\nvalue = \"4.5B USD\"\ndate = 2025-05-28\n",
         "actual[1].source: expected source in every [[actual]] (output, value, date and source), found none"},
        {kActualCharge + "note = \"x\"\n", "actual[1].note: unknown key; expected output, value, date and source"},
        {replace_all(kActualCharge, "h20.one_off_charges", "charges"),
         "actual[1].output: expected STEP.OUTPUT such as \"h20.one_off_charges\", found \"charges\""},
        {replace_all(kActualCharge, "h20.one_off_charges", "h20.charge"),
         "actual[1].output: expected an output of step h20 (lost_revenue, lost_gross_profit, one_off_charges, "
         "total_impact, pv_total_impact), found \"charge\""},
        {replace_all(kActualCharge, "h20.one_off_charges", "nope.x"),
         "actual[1].output: expected STEP.OUTPUT naming a step of the scenario, found no step \"nope\""},
        {replace_all(kActualCharge, "4.5B USD", "4.5B EUR"),
         "actual[1].value: expected a value in the output's unit (USD), found \"4.5B EUR\""},
    };
    TempDir dir;
    for (const Bad& b : bad) {
        const std::string toml = with_actual(b.table);
        INFO(with_line_numbers(toml));
        try {
            const Ran r = run_text(dir, "bad.toml", toml);
            impact::scenario::check_actuals(r.scenario, r.run);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(contains(e.what(), b.message));
            CHECK(contains(e.what(), "bad.toml:"));
        }
    }
}

TEST_CASE("Compare: per-draw differences under common random numbers, zero for the same scenario, 5% of revenue for a margin",
          "[scenario][compare]") {
    TempDir dir;
    const std::string revenue = "annual_revenue = { dist = \"uniform\", low = \"13B USD\", high = \"14B USD\" }";
    const auto drawn = [&](const std::string& margin) {
        return replace_all(ban(margin), "annual_revenue = \"13.5B USD\"", revenue);
    };
    const std::uint64_t draws = 10'000;
    const Ran a = run_text(dir, "a.toml", drawn("60%"), draws);
    const Ran same = run_text(dir, "same.toml", drawn("60%"), draws);
    const Ran b = run_text(dir, "b.toml", drawn("55%"), draws);
    auto sides = sides_of({&a, &same, &b});
    auto r = impact::scenario::compare_sides(sides, 0, std::nullopt);
    impact::scenario::add_draw_differences(sides, r, draws, 3, 2);
    const auto& gross = output_of(r, "h20.lost_gross_profit");
    REQUIRE(gross.differences.size() == 3);
    CHECK_FALSE(gross.differences[0].has_value());  // the baseline
    // The same scenario: every draw identical, so the difference is exactly zero.
    REQUIRE(gross.differences[1].has_value());
    CHECK(gross.differences[1]->mean == 0);
    CHECK(gross.differences[1]->sd == 0);
    CHECK(gross.differences[1]->p95 == 0);
    CHECK(gross.differences[1]->probability_greater == 0);
    // 55% against 60%: lost gross profit differs by 5% of the drawn revenue at every draw, so the
    // difference's mean and sd are -0.05 and 0.05 times lost revenue's (the same draws).
    const auto& lost = output_of(r, "h20.lost_revenue");
    const double revenue_mean = *lost.figures[1].values[0];
    const auto& revenue_stats = a.simulation->steps[0][0];
    REQUIRE(gross.differences[2].has_value());
    CHECK(gross.differences[2]->mean == Approx(-0.05 * revenue_mean).epsilon(1e-9));
    CHECK(gross.differences[2]->sd == Approx(0.05 * revenue_stats.moments.sd()).epsilon(1e-6));
    CHECK(gross.differences[2]->probability_greater == 0);
    CHECK(gross.differences[2]->p5 < gross.differences[2]->p95);
}

TEST_CASE("Compare groups: steps that share compare = \"name\" are side by side in the text and JSON reports",
          "[scenario][compare]") {
    TempDir dir;
    // Three margins as three steps of one group, and a step outside it.
    std::string toml = ban("60%");
    toml = replace_all(toml, "model = \"revenue.export_ban\"\n", "model = \"revenue.export_ban\"\ncompare = \"margins\"\n");
    for (const char* margin : {"55", "50"})
        toml += std::string("\n[[step]]\nid = \"m") + margin + "\"\nmodel = \"revenue.export_ban\"\ncompare = \"margins\"\n"
                "annual_revenue = \"13.5B USD\"\nduration_years = 1\ngross_margin = \"" + margin + "%\"\n"
                "one_off_charges = \"5.5B USD\"\n";
    toml += "\n[[step]]\nid = \"alone\"\nexpr = \"2 * 3\"\n";
    INFO(with_line_numbers(toml));
    const Ran r = run_text(dir, "groups.toml", toml);
    const std::string text = impact::scenario::render_text(r.scenario, r.run);
    CHECK(contains(text, "Compare group \"margins\": side by side\n  h20  revenue.export_ban"));
    // Lost gross profit 13.5B x 60%, 55%, 50%, in step order.
    CHECK(contains(text, "  lost_gross_profit\n    h20              $8,100,000,000.00\n"
                         "    m55              $7,425,000,000.00\n    m50              $6,750,000,000.00\n"));
    CHECK_FALSE(contains(text, "alone              "));
    const nlohmann::json doc = impact::test::parse_json(impact::scenario::render_json(r.scenario, r.run));
    REQUIRE(doc["compare_groups"].size() == 1);
    CHECK(doc["compare_groups"][0]["steps"] == nlohmann::json::array({"h20", "m55", "m50"}));
    CHECK(doc["compare_groups"][0]["outputs"][1]["key"] == "lost_gross_profit");
    CHECK(doc["compare_groups"][0]["outputs"][1]["values"][2] == 6.75e9);

    // A group of one step is a typo; a group name is an identifier.
    for (const auto& [bad, message] : std::vector<std::pair<std::string, std::string>>{
             {replace_all(ban("60%"), "model = \"revenue.export_ban\"\n", "model = \"revenue.export_ban\"\ncompare = \"solo\"\n"),
              "step.h20.compare: expected at least two steps in compare group \"solo\", found only this one"},
             {replace_all(ban("60%"), "model = \"revenue.export_ban\"\n", "model = \"revenue.export_ban\"\ncompare = \"Two Words\"\n"),
              "step.h20.compare: expected a group name of lower-case letters, digits, '_' or '-', found \"Two Words\""}}) {
        INFO(with_line_numbers(bad));
        try {
            (void)run_text(dir, "bad.toml", bad);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(contains(e.what(), "bad.toml:9:11: "));  // the value of compare
            CHECK(contains(e.what(), message));
        }
    }
}

CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return impact::test::run_impact(IMPACT_SCENARIO_IMPACT_EXE, args, scratch);
}

TEST_CASE("impact compare: exit 0 within, 4 beyond with the report written, 2 for a missing file, 3 for a failing model",
          "[scenario][compare][cli]") {
    TempDir dir;
    write_file(dir.path() / "a.toml", ban("60%"));
    write_file(dir.path() / "b.toml", ban("55%"));
    const std::string a = (dir.path() / "a.toml").string(), b = (dir.path() / "b.toml").string();

    const CommandResult within = run_impact({"compare", a, b, "--tolerance", "10%"}, dir.path());
    INFO(within.describe());
    CHECK(within.exit_code == 0);
    CHECK(contains(within.out, "5 outputs compared; 0 beyond the tolerance 10%"));

    const CommandResult beyond = run_impact({"compare", a, b, "--tolerance", "1%", "--format", "json"}, dir.path());
    INFO(beyond.describe());
    CHECK(beyond.exit_code == 4);
    const nlohmann::json doc = impact::test::parse_json(beyond.out);
    CHECK(doc["schema"] == "impact.compare/1");
    CHECK(doc["beyond"] == 3);
    CHECK(doc["baseline"] == "A");
    CHECK(doc["sides"].size() == 2);

    const CommandResult report = run_impact({"compare", a, b}, dir.path());
    CHECK(report.exit_code == 0);  // without --tolerance compare reports and does not judge

    const CommandResult missing = run_impact({"compare", a, (dir.path() / "nope.toml").string()}, dir.path());
    CHECK(missing.exit_code == 2);
    CHECK(missing.out.empty());

    const CommandResult one = run_impact({"compare", a}, dir.path());
    CHECK(one.exit_code == 2);
    CHECK(contains(one.err, "expected at least two scenario files, found 1"));

    const CommandResult baseline = run_impact({"compare", a, b, "--baseline", "c.toml"}, dir.path());
    CHECK(baseline.exit_code == 2);
    CHECK(contains(baseline.err, "--baseline: expected one of the scenario files given"));

    const fs::path failing = write_zero_variance_scenario(dir.path());
    const CommandResult model = run_impact({"compare", a, failing.string()}, dir.path());
    INFO(model.describe());
    CHECK(model.exit_code == 3);
    CHECK(model.out.empty());
}

TEST_CASE("impact compare --plugin-dir-for: two versions of a plugin side by side, gated by a tolerance",
          "[scenario][compare][cli]") {
    // test.scaled 1.0.0 gives y = 2x, 2.0.0 gives y = 2.001x: 0.05% apart.
    TempDir dir;
    const std::string toml = "[scenario]\nname = \"Scaled\"\n\n[[step]]\nid = \"s\"\nmodel = \"test.scaled\"\nx = 1000\n";
    write_file(dir.path() / "old.toml", toml);
    write_file(dir.path() / "new.toml", toml);
    const std::string old_file = (dir.path() / "old.toml").string(), new_file = (dir.path() / "new.toml").string();
    const std::string v1 = std::string(IMPACT_COMPARE_PLUGIN_ROOT) + "/scaled-v1";
    const std::string v2 = std::string(IMPACT_COMPARE_PLUGIN_ROOT) + "/scaled-v2";
    const std::vector<std::string> both{"compare",          old_file,           new_file,
                                        "--plugin-dir-for", old_file + "=" + v1, "--plugin-dir-for",
                                        new_file + "=" + v2, "--format",          "json"};
    auto args = both;
    args.insert(args.end(), {"--tolerance", "0.1%"});
    const CommandResult within = run_impact(args, dir.path());
    INFO(within.describe());
    REQUIRE(within.exit_code == 0);
    const nlohmann::json doc = impact::test::parse_json(within.out);
    const auto& figure = doc["outputs"][0]["figures"][0];
    CHECK(doc["outputs"][0]["name"] == "s.y");
    CHECK(figure["values"][0] == 2000);
    CHECK(figure["values"][1].get<double>() == Approx(2001).epsilon(1e-12));
    CHECK(figure["ratios"][1].get<double>() == Approx(1.0005).epsilon(1e-12));
    CHECK(doc["sides"][0]["provenance"]["plugins"][0]["version"] == "1.0.0");
    CHECK(doc["sides"][1]["provenance"]["plugins"][0]["version"] == "2.0.0");

    args = both;
    args.insert(args.end(), {"--tolerance", "0.01%"});
    const CommandResult beyond = run_impact(args, dir.path());
    INFO(beyond.describe());
    CHECK(beyond.exit_code == 4);

    const CommandResult bad = run_impact({"compare", old_file, new_file, "--plugin-dir-for", "other.toml=" + v1}, dir.path());
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "--plugin-dir-for: expected FILE=DIR with FILE one of the scenario files given"));
}

}  // namespace
