// The report view of real runs of the samples: its members are exactly the documented fields, and each figure is the run's.
#include "../scenario/scenario_test_support.hpp"

#include "report/compare_view.hpp"
#include "report/mustache.hpp"
#include "report/report_formats.hpp"
#include "report/report_view.hpp"
#include "scenario/compare.hpp"
#include "scenario/report.hpp"
#include "scenario/sensitivity.hpp"
#include "scenario/simulation.hpp"

#include <catch2/catch.hpp>
#include <fmt/ranges.h>

#include <cmath>
#include <cstring>
#include <set>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using impact::report::Field;
using impact::report::View;
namespace scenario = impact::scenario;

fs::path sample(const char* name) { return fs::path(IMPACT_SOURCE_DIR) / "samples" / name; }
fs::path cli_data(const char* name) { return fs::path(IMPACT_SOURCE_DIR) / "tests" / "cli" / "data" / name; }

// Every object in `view` has exactly the members `field` lists (the documented notation); lists'
// items likewise. "svg" (HTML only) and "<name>_hex" (a file name that is not UTF-8) may be absent
// or present. Returns the first difference, or "".
std::string shape_difference(const View& value, const Field& field, const std::string& path) {
    if (field.kind == Field::Kind::value) {
        if (value.is_object() || value.is_array()) return path + ": documented as a value, found " + value.type_name();
        return {};
    }
    if (field.kind == Field::Kind::list) {
        if (!value.is_array()) return path + ": documented as a list, found " + value.type_name();
        for (std::size_t i = 0; i < value.size(); ++i) {
            Field item = field;
            item.kind = Field::Kind::object;
            if (auto d = shape_difference(value[i], item, path + "[" + std::to_string(i) + "]"); !d.empty()) return d;
        }
        return {};
    }
    if (!value.is_object()) return path + ": documented as an object, found " + value.type_name();
    for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string& key = it.key();
        if (key.size() > 4 && key.compare(key.size() - 4, 4, "_hex") == 0) continue;
        const Field* member = field.find(key);
        if (!member) return path + "." + key + ": in the view, not in the documented fields";
        if (auto d = shape_difference(it.value(), *member, path + "." + key); !d.empty()) return d;
    }
    for (const Field& member : field.members)
        if (!value.contains(member.name) && member.name != "svg") return path + "." + member.name + ": documented, not in the view";
    return {};
}

// Numbers anywhere in the view: never NaN or infinite (JSON cannot hold them; a report never shows one).
void require_finite_numbers(const View& value, const std::string& path) {
    if (value.is_number_float()) {
        INFO(path);
        REQUIRE(std::isfinite(value.get<double>()));
    }
    if (value.is_array())
        for (std::size_t i = 0; i < value.size(); ++i) require_finite_numbers(value[i], path + "[" + std::to_string(i) + "]");
    if (value.is_object())
        for (auto it = value.begin(); it != value.end(); ++it) require_finite_numbers(it.value(), path + "." + it.key());
}

struct Run {
    scenario::Scenario scenario;
    scenario::RunResult result;
    std::optional<scenario::SimulationResult> simulation;
    std::optional<scenario::CaseResults> cases;
    std::vector<scenario::ActualResult> actuals;
    scenario::ReportExtras extras;
};

// A scenario file run as `impact run` makes it: with draws (seed 1, one thread) or with its cases.
std::unique_ptr<Run> run_file(const fs::path& file, std::uint64_t draws, bool cases = false, bool keep_going = false) {
    auto r = std::make_unique<Run>();
    r->scenario = scenario::read_scenario_file(file);
    scenario::RunOptions options;
    options.keep_plans = draws > 0 || cases;
    options.cases = cases;
    options.keep_going = keep_going;
    r->result = scenario::run_scenario(r->scenario, scenario_test::bundled_registry(), scenario::RunMode::run, options);
    if (draws > 0) {
        scenario::SimulationOptions sim;
        sim.draws = draws;
        sim.seed = 1;
        sim.threads = 1;
        r->simulation = scenario::simulate(r->scenario, r->result, sim);
        r->extras.simulation = &*r->simulation;
    }
    if (cases) {
        r->cases = scenario::evaluate_cases(r->scenario, r->result);
        r->extras.cases = &*r->cases;
    }
    r->actuals = scenario::actual_results(r->scenario, r->result, r->simulation ? &*r->simulation : nullptr);
    if (!r->actuals.empty()) r->extras.actuals = &r->actuals;
    return r;
}

std::unique_ptr<Run> run_sample(const char* name, std::uint64_t draws, bool cases) { return run_file(sample(name), draws, cases); }

View view_of(const Run& r, impact::text::Locale locale = impact::text::Locale::en) {
    return impact::report::build_run_view(r.scenario, r.result, r.extras, {locale, 1764460800});
}

const View& step_view(const View& view, const std::string& id) {
    for (const View& s : view["steps"])
        if (s["id"] == id) return s;
    throw std::runtime_error("no step " + id);
}

const View& output_view(const View& step, const std::string& key) {
    for (const View& o : step["outputs"])
        if (o["output"] == key) return o;
    throw std::runtime_error("no output " + key);
}

// RFC 4180 lines into fields (quotes doubled inside quoted fields).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(field), field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.back().push_back(field), field.clear();
            rows.emplace_back();
            ++i;
        } else {
            field += c;
        }
    }
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

}  // namespace

TEST_CASE("report view: every sample's view has exactly the documented fields, all numbers finite", "[report][view]") {
    const Field& documented = impact::report::view_fields();
    struct Sample {
        const char* file;
        std::uint64_t draws;
        bool cases;
    };
    for (const Sample s : {Sample{"h20-export-licence-2025-04.toml", 2000, false}, Sample{"h200-china-2025-12.toml", 0, true},
                           Sample{"h200-china-2025-12.toml", 2000, false}, Sample{"semis-h20-h200-2025.toml", 0, false}}) {
        INFO(s.file << " draws " << s.draws << " cases " << s.cases);
        const auto run = run_sample(s.file, s.draws, s.cases);
        for (const auto locale : {impact::text::Locale::en, impact::text::Locale::ko}) {
            const View view = view_of(*run, locale);
            CHECK(shape_difference(view, documented, "view") == "");
            require_finite_numbers(view, "view");
        }
    }
}

TEST_CASE("report view: best and worst follow each output's direction, low and high a neutral one's", "[report][view]") {
    const auto run = run_sample("h20-export-licence-2025-04.toml", 0, false);
    const View view = view_of(*run);
    // h20_range.total_impact: a loss ("higher is worse"), over annual revenue 12B to 15B USD.
    const auto& range_step = scenario_test::step_of(run->result, "h20_range");
    const auto& total = scenario_test::output_of(range_step, "total_impact");
    REQUIRE(total.direction == IMPACT_DIRECTION_HIGHER_IS_WORSE);
    REQUIRE(total.value.low);
    const View& total_view = output_view(step_view(view, "h20_range"), "total_impact");
    INFO(total_view.dump(2));
    CHECK(total_view["best_name"] == "best");
    CHECK(total_view["best"].get<double>() == std::min(*total.value.low, *total.value.high));
    CHECK(total_view["worst"].get<double>() == std::max(*total.value.low, *total.value.high));
    CHECK(total_view["worst"].get<double>() > total_view["best"].get<double>());
    // revenue_krw.converted: a conversion, neutral: the smaller end is "low", whatever the input's order.
    const auto& converted = scenario_test::output_of(scenario_test::step_of(run->result, "revenue_krw"), "converted");
    REQUIRE(converted.direction == IMPACT_DIRECTION_NEUTRAL);
    const View& converted_view = output_view(step_view(view, "revenue_krw"), "converted");
    CHECK(converted_view["best_name"] == "low");
    CHECK(converted_view["worst_name"] == "high");
    CHECK(converted_view["best"].get<double>() == std::min(*converted.value.low, *converted.value.high));
    // An output without a range has neither.
    const View& charges = output_view(step_view(view, "h20"), "one_off_charges");
    CHECK_FALSE(charges["has_range"].get<bool>());
    CHECK(charges["best"].is_null());
    CHECK(charges["best_text"] == "");
}

TEST_CASE("report view: a drawn output's histogram holds exactly the draws between its percentiles", "[report][view]") {
    const auto run = run_sample("h20-export-licence-2025-04.toml", 4000, false);
    const View view = view_of(*run);
    // The independent reference: the run's own statistics of h20.total_impact.
    const auto& h20 = scenario_test::step_of(run->result, "h20");
    const std::size_t s = static_cast<std::size_t>(&h20 - run->result.steps.data());
    const std::size_t o = static_cast<std::size_t>(&scenario_test::output_of(h20, "total_impact") - h20.outputs.data());
    const scenario::OutputStatistics& stats = run->simulation->steps[s][o];
    std::vector<std::pair<double, double>> edges{{0.0, stats.moments.min}};
    for (const auto& p : stats.percentiles) edges.emplace_back(p.probability, p.value);
    edges.emplace_back(1.0, stats.moments.max);

    const View* histogram = nullptr;
    for (const View& c : view["charts"])
        if (c["kind"] == "histogram" && c["step"] == "h20" && c["output"] == "total_impact") histogram = &c;
    REQUIRE(histogram);
    const View& bins = (*histogram)["bins"];
    REQUIRE(bins.size() == edges.size() - 1);
    double total_share = 0;
    for (std::size_t i = 0; i < bins.size(); ++i) {
        INFO("bin " << i << ": " << bins[i].dump());
        CHECK(bins[i]["from"].get<double>() == edges[i].second);
        CHECK(bins[i]["to"].get<double>() == edges[i + 1].second);
        CHECK(bins[i]["share"].get<double>() == Approx(edges[i + 1].first - edges[i].first).margin(1e-15));
        if (edges[i + 1].second > edges[i].second)
            CHECK(bins[i]["density"].get<double>() ==
                  Approx((edges[i + 1].first - edges[i].first) / (edges[i + 1].second - edges[i].second)).epsilon(1e-12));
        total_share += bins[i]["share"].get<double>();
    }
    CHECK(total_share == Approx(1.0).margin(1e-12));
    // The value-with-whiskers chart: the point value with P5 and P95 of the same statistics.
    const View* bars = nullptr;
    for (const View& c : view["charts"])
        if (c["id"] == "drawn-USD") bars = &c;
    REQUIRE(bars);
    const View& bar = (*bars)["bars"][0];
    CHECK(bar["value"].get<double>() == scenario_test::output_of(h20, "total_impact").value.value);
    CHECK(bar["low"].get<double>() == stats.percentiles[1].value);   // P5
    CHECK(bar["high"].get<double>() == stats.percentiles[7].value);  // P95
}

TEST_CASE("report view: compare-group charts show the group's money and percentage outputs, at most 6", "[report][view]") {
    // The H20 sample's group "nvda-fall" (move, es, es_adjusted): the event studies share 12 outputs,
    // 5 of them money or percentages (alpha, residual sd, AR day 0, CAR, abnormal market cap); t, p,
    // beta and day counts stay in the table.
    const auto run = run_sample("h20-export-licence-2025-04.toml", 0, false);
    const View view = view_of(*run);
    std::vector<std::string> keys;
    for (const View& chart : view["charts"]) {
        if (chart["id"].get<std::string>().rfind("compare-", 0) != 0) continue;
        INFO(chart["id"] << " unit " << chart["unit"]);
        const std::string unit = chart["unit"].get<std::string>();
        CHECK((unit == "%" || unit == "USD"));
        CHECK(chart["bars"].size() >= 2);
        keys.push_back(chart["output"].get<std::string>());
    }
    CHECK(keys == std::vector<std::string>{"alpha", "sigma", "ar0", "car", "abnormal_market_cap"});
}

TEST_CASE("report CSV: one row per figure, every number reads back to the run's double", "[report][csv]") {
    const auto run = run_sample("h200-china-2025-12.toml", 0, true);
    const View view = view_of(*run);
    const std::string csv = impact::report::render_csv(view);
    const auto rows = parse_csv(csv);
    REQUIRE(rows.size() > 2);
    CHECK(rows[0] == std::vector<std::string>{"scenario", "step", "model", "model_version", "output", "label", "unit", "statistic", "value"});
    std::size_t values = 0, cases = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        INFO("row " << r << ": " << fmt::format("{}", fmt::join(rows[r], "|")));
        REQUIRE(rows[r].size() == 9);
        CHECK(rows[r][0] == run->scenario.name);
        const auto& step = scenario_test::step_of(run->result, rows[r][1]);
        const auto& out = scenario_test::output_of(step, rows[r][4]);
        if (rows[r][7] == "value") {
            ++values;
            CHECK(std::strtod(rows[r][8].c_str(), nullptr) == out.value.value);  // bit for bit: shortest round trip
            CHECK(rows[r][6] == out.value.unit);
        }
        if (rows[r][7].rfind("case:", 0) == 0) {
            ++cases;
            const std::string name = rows[r][7].substr(5);
            const std::size_t c = static_cast<std::size_t>(
                std::find(run->cases->names.begin(), run->cases->names.end(), name) - run->cases->names.begin());
            REQUIRE(c < run->cases->names.size());
            const std::size_t s = static_cast<std::size_t>(&step - run->result.steps.data());
            const std::size_t o = static_cast<std::size_t>(&out - step.outputs.data());
            CHECK(std::strtod(rows[r][8].c_str(), nullptr) == run->cases->steps[s][o][c]);
        }
    }
    std::size_t outputs = 0;
    for (const auto& s : run->result.steps) outputs += s.outputs.size();
    CHECK(values == outputs);
    CHECK(cases == outputs * run->cases->names.size());
}

TEST_CASE("report CSV: impact run's streamed CSV is the view's, byte for byte, in pieces of about 256 kB",
          "[report][csv]") {
    // The samples; failed and skipped steps (--keep-going); and 3,000 chained conversions, whose CSV
    // (about 400 kB) is handed on in several pieces.
    const scenario_test::TempDir temp;
    std::string chain = "[scenario]\nname = \"chain, \\\"quoted\\\"\"\n\n[[step]]\nid = \"s0\"\nmodel = \"fx.convert\"\n"
                        "amount = \"1B USD\"\nto = \"KRW\"\nrate = 1400\n";
    for (int i = 1; i < 3000; ++i)
        chain += fmt::format("[[step]]\nid = \"s{}\"\nmodel = \"fx.convert\"\namount = {{ from = \"s{}.converted\" }}\nto = \"{}\"\n"
                             "rate = {}\n",
                             i, i - 1, i % 2 ? "USD" : "KRW", i % 2 ? "0.0007142857" : "1400");
    scenario_test::write_file(temp.path() / "chain.toml", chain);
    struct Sample {
        fs::path file;
        std::uint64_t draws;
        bool cases, keep_going;
    };
    for (const Sample& s : {Sample{sample("h20-export-licence-2025-04.toml"), 2000, false, false},
                            Sample{sample("h200-china-2025-12.toml"), 0, true, false},
                            Sample{sample("semis-h20-h200-2025.toml"), 0, false, false},
                            Sample{cli_data("scenario-keep-going.toml"), 0, false, true}, Sample{temp.path() / "chain.toml", 0, false, false}}) {
        INFO(s.file << " draws " << s.draws << " cases " << s.cases << " keep going " << s.keep_going);
        const auto run = run_file(s.file, s.draws, s.cases, s.keep_going);
        const std::string whole = impact::report::render_csv(view_of(*run));
        std::string streamed;
        std::size_t pieces = 0, largest = 0;
        impact::report::write_run_csv(run->scenario, run->result, run->extras, impact::text::Locale::en, [&](std::string_view piece) {
            streamed += piece;
            ++pieces;
            largest = std::max(largest, piece.size());
        });
        CHECK(streamed == whole);
        CHECK(pieces == whole.size() / (std::size_t{256} << 10) + 1);  // a piece each time 256 kB is passed, then the rest
        CHECK(largest < (std::size_t{256} << 10) + 4096);               // flushed past 256 kB, so at most one row more
    }
}

TEST_CASE("report CSV: quoting, and text a spreadsheet would run as a formula", "[report][csv]") {
    View view = View::parse(R"({"title": "=HYPERLINK(\"x\"), \"quoted\"", "steps": [{"id": "s", "model": "m", "model_version": "1",
        "outputs": [{"output": "o", "label": "-loss, net", "unit": "USD", "value": 1.5, "has_range": false,
                     "has_statistics": false, "thresholds": [], "cases": []}]}],
        "actuals": [], "has_sensitivity": false, "charts": []})");
    const std::string csv = impact::report::render_csv(view);
    INFO(csv);
    CHECK(csv == "scenario,step,model,model_version,output,label,unit,statistic,value\r\n"
                 "\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\",s,m,1,o,\"'-loss, net\",USD,value,1.5\r\n");
}

TEST_CASE("report Markdown: escaped cells, labels and compact money from the built-in template", "[report][markdown]") {
    const auto run = run_sample("h20-export-licence-2025-04.toml", 0, false);
    const std::string md = impact::report::render_markdown(view_of(*run));
    INFO(md.substr(0, 3000));
    CHECK(md.rfind("# H20 export licence, April 2025\n", 0) == 0);
    // The headline, by label, money compact, best and worst by direction; underscores escaped.
    CHECK(scenario_test::contains(md, "| Total impact (h20.total\\_impact) | $13.6B |  |  |\n"));
    CHECK(scenario_test::contains(md, "| Total impact (h20\\_range.total\\_impact) | $13.6B | best $12.7B | worst $14.5B |\n"));
    CHECK(scenario_test::contains(md, "## Provenance\n"));

    // A table cell's pipe and a line break cannot break the table.
    View view = View::parse(R"({"title": "a | b\nc *d*"})");
    CHECK(impact::report::render_template("{{title}}", view, impact::report::Escaping::markdown) == "a \\| b c \\*d\\*");
    // Markdown escapes every field, {{{name}}} too (docs/reports.md): there is no raw text to insert.
    CHECK(impact::report::render_template("{{{title}}}", view, impact::report::Escaping::markdown) == "a \\| b c \\*d\\*");
    CHECK(impact::report::render_template("{{title}}", View::parse(R"({"title": "<b>&"})"), impact::report::Escaping::html) ==
          "&lt;b&gt;&amp;");
}

TEST_CASE("report view: impact sensitivity's tornado, centred on the point value", "[report][view]") {
    const auto run = run_sample("h20-export-licence-2025-04.toml", 0, false);
    scenario::SensitivityOptions options;
    options.output = "h20.total_impact";
    options.draws = 200;
    options.threads = 1;
    options.bootstrap_resamples = 10;
    scenario::RunOptions run_options;
    run_options.keep_plans = true;
    const auto planned = scenario::run_scenario(run->scenario, scenario_test::bundled_registry(), scenario::RunMode::run, run_options);
    const scenario::SensitivityResult result = scenario::analyse_sensitivity(run->scenario, planned, options);
    const View view = impact::report::build_sensitivity_view(run->scenario, planned, result, {impact::text::Locale::en, 0});
    CHECK(shape_difference(view, impact::report::view_fields(), "view") == "");
    CHECK(view["has_sensitivity"].get<bool>());
    const View* tornado = nullptr;
    for (const View& c : view["charts"])
        if (c["is_tornado"].get<bool>()) tornado = &c;
    REQUIRE(tornado);
    CHECK((*tornado)["base"].get<double>() == result.point_value);
    REQUIRE((*tornado)["rows"].size() == result.tornado.size());
    for (std::size_t i = 0; i < result.tornado.size(); ++i) {
        INFO("bar " << i << " " << result.tornado[i].input);
        CHECK((*tornado)["rows"][i]["output_at_low"].get<double>() == result.tornado[i].output_at_low);
        CHECK((*tornado)["rows"][i]["output_at_high"].get<double>() == result.tornado[i].output_at_high);
    }
}

// ---- impact compare's view -------------------------------------------------------------------------

namespace {


struct Compared {
    std::vector<std::unique_ptr<Run>> runs;
    std::vector<scenario::CompareSide> sides;
    scenario::CompareResult result;
    std::vector<std::vector<scenario::ActualResult>> actuals;
};

// `impact compare` in-process: every side run, matched, per-draw differences when drawn.
Compared compare_runs(std::vector<std::unique_ptr<Run>> runs, std::optional<scenario::Tolerance> tolerance, std::uint64_t draws) {
    Compared c;
    c.runs = std::move(runs);
    for (std::size_t i = 0; i < c.runs.size(); ++i) {
        const Run& r = *c.runs[i];
        c.sides.push_back({r.scenario.file.filename().string(), &r.scenario, &r.result, r.simulation ? &*r.simulation : nullptr});
        c.actuals.push_back(r.actuals);
    }
    c.result = scenario::compare_sides(c.sides, 0, tolerance);
    if (draws > 0) scenario::add_draw_differences(c.sides, c.result, draws, 1, 1);
    return c;
}

View compare_view_of(const Compared& c, impact::text::Locale locale = impact::text::Locale::en) {
    return impact::report::build_compare_view(c.sides, c.result, c.actuals, {locale, 1764460800});
}

const View& compared_output(const View& view, const std::string& name) {
    for (const View& o : view["outputs"])
        if (o["name"] == name) return o;
    throw std::runtime_error("no compared output " + name);
}

}  // namespace

TEST_CASE("compare view: the documented fields, finite numbers, each side's figure as its run computed it", "[report][compare]") {
    // A: the H20 sample drawn; B: the same again (identical draws); C: a 55% margin at point values
    // (tests/cli/data), which has only the h20 step.
    std::vector<std::unique_ptr<Run>> runs;
    runs.push_back(run_file(sample("h20-export-licence-2025-04.toml"), 2000));
    runs.push_back(run_file(sample("h20-export-licence-2025-04.toml"), 2000));
    runs.push_back(run_file(cli_data("compare-h20-margin-55.toml"), 0));
    const Compared c = compare_runs(std::move(runs), std::nullopt, 2000);
    for (const auto locale : {impact::text::Locale::en, impact::text::Locale::ko}) {
        const View view = compare_view_of(c, locale);
        CHECK(shape_difference(view, impact::report::compare_view_fields(), "view") == "");
        require_finite_numbers(view, "view");
        CHECK(impact::report::is_compare_view(view));
    }
    const View view = compare_view_of(c);
    CHECK(view["columns"].size() == 3 + 2 * 2);  // A, B, C, then B − A, B ÷ A, C − A, C ÷ A
    CHECK(view["columns"][3]["heading"] == "B − A");

    // Values are the runs' own: the point value of h20.lost_gross_profit is 13.5B x 60% on A and B,
    // 13.5B x 55% on C (../shared/guide/facts.md, Article 1).
    const View& gross = compared_output(view, "h20.lost_gross_profit");
    const View& value_row = gross["rows"][0];
    REQUIRE(value_row["statistic"] == "value");
    CHECK(value_row["values"][0]["value"].get<double>() == Approx(13.5e9 * 0.60).epsilon(1e-12));
    CHECK(value_row["values"][2]["value"].get<double>() == Approx(13.5e9 * 0.55).epsilon(1e-12));
    // Every difference is side − baseline and every ratio side ÷ baseline, computed here again.
    for (const View& o : view["outputs"])
        for (const View& row : o["rows"]) {
            const View& a = row["values"][0]["value"];
            for (const View& change : row["changes"]) {
                const std::size_t side = change["side"] == "B" ? 1 : 2;
                const View& x = row["values"][side]["value"];
                INFO(o["name"] << " " << row["statistic"] << " side " << change["side"] << " values " << a << " " << x);
                if (a.is_null() || x.is_null()) {
                    CHECK(change["difference"].is_null());
                    continue;
                }
                CHECK(change["difference"].get<double>() == x.get<double>() - a.get<double>());
                if (a.get<double>() != 0) CHECK(change["ratio"].get<double>() == x.get<double>() / a.get<double>());
            }
        }
    // Outputs C lacks are listed and differ; the identical side B draws the same: zero per draw.
    const View& move = compared_output(view, "move.return");
    CHECK_FALSE(move["is_within"].get<bool>());
    CHECK(move["has_missing"].get<bool>());
    CHECK(move["missing_text"].get<std::string>().find("not in C") != std::string::npos);
    REQUIRE(gross["per_draw"].size() == 1);  // B only: C was not drawn
    const View& same = gross["per_draw"][0];
    CHECK(same["side"] == "B");
    for (const char* figure : {"mean", "sd", "p5", "p50", "p95", "probability_greater"}) {
        INFO(figure);
        CHECK(same[figure].get<double>() == 0.0);
    }
    // Charts: the first kMaxCompareCharts outputs, and as many per-draw difference charts; the note
    // says the rest are in the tables.
    std::size_t value_charts = 0, difference_charts = 0;
    for (const View& chart : view["charts"]) {
        CHECK(chart["kind"] == "bars");
        (chart["id"].get<std::string>().rfind("per-draw-", 0) == 0 ? difference_charts : value_charts) += 1;
    }
    std::size_t drawn_twice = 0;  // outputs with a per-draw difference
    for (const View& o : view["outputs"]) drawn_twice += o["has_per_draw"].get<bool>() ? 1 : 0;
    REQUIRE(view["outputs"].size() > impact::report::kMaxCompareCharts);
    CHECK(value_charts == impact::report::kMaxCompareCharts);
    CHECK(difference_charts == std::min(drawn_twice, impact::report::kMaxCompareCharts));
    CHECK(view["charts_note"].get<std::string>().find("first 12") != std::string::npos);
    // Each side's actuals, labelled by side: the $4.5B charge Nvidia reported (facts.md, "actual charge").
    std::size_t charge_actuals = 0;
    for (const View& a : view["actuals"])
        if (a["output"] == "h20.one_off_charges") {
            ++charge_actuals;
            CHECK(a["actual"].get<double>() == 4.5e9);
        }
    CHECK(charge_actuals == 2);  // A and B; C has no [[actual]]
}

TEST_CASE("compare view: a check's outcome, beyond cells and the Markdown and CSV it renders", "[report][compare]") {
    std::vector<std::unique_ptr<Run>> runs;
    runs.push_back(run_file(cli_data("compare-h20-margin-60.toml"), 0));
    runs.push_back(run_file(cli_data("compare-h20-margin-55.toml"), 0));
    const Compared c = compare_runs(std::move(runs), scenario::parse_tolerance("1%"), 0);
    const View view = compare_view_of(c);
    // 60% -> 55% moves gross profit, total impact and its present value by $675M (over 1%); revenue
    // and the charge not at all.
    CHECK(view["beyond"] == 3);
    CHECK_FALSE(view["is_within"].get<bool>());
    CHECK(view["outcome_text"] == "3 of 5 outputs beyond 1% (exit 4)");
    CHECK(compared_output(view, "h20.lost_gross_profit")["rows"][0]["changes"][0]["is_beyond"].get<bool>());
    CHECK_FALSE(compared_output(view, "h20.lost_revenue")["rows"][0]["changes"][0]["is_beyond"].get<bool>());

    const std::string md = impact::report::render_markdown(view);
    INFO(md);
    CHECK(scenario_test::contains(md, "| Lost gross profit (h20.lost\\_gross\\_profit) | value | $8.1B | $7.43B | -$675M **beyond** | ×0.916667 | beyond: B |\n"));
    CHECK(scenario_test::contains(md, "| Lost revenue (h20.lost\\_revenue) | value | $13.5B | $13.5B | $0.00 | ×1 | within |\n"));

    const auto rows = parse_csv(impact::report::render_csv(view));
    REQUIRE(rows.size() == 1 + 5 * 2);  // header, then 5 outputs x 2 sides
    CHECK(rows[0] == std::vector<std::string>{"side", "scenario_file", "is_baseline", "step", "output", "label", "unit", "statistic",
                                              "value", "difference", "ratio", "within"});
    for (std::size_t r = 1; r < rows.size(); ++r) {
        INFO("row " << r << ": " << fmt::format("{}", fmt::join(rows[r], "|")));
        const Run& run = *c.runs[rows[r][0] == "A" ? 0 : 1];
        const auto& out = scenario_test::output_of(scenario_test::step_of(run.result, rows[r][3]), rows[r][4]);
        CHECK(std::strtod(rows[r][8].c_str(), nullptr) == out.value.value);  // bit for bit
        if (rows[r][0] == "B") {
            const auto& base = scenario_test::output_of(scenario_test::step_of(c.runs[0]->result, rows[r][3]), rows[r][4]);
            CHECK(std::strtod(rows[r][9].c_str(), nullptr) == out.value.value - base.value.value);
            CHECK(rows[r][11] == (std::abs(out.value.value - base.value.value) <= 0.01 * std::abs(base.value.value) ? "true" : "false"));
        }
    }
    // A compare template may name only compare's fields.
    CHECK_THROWS_WITH(impact::report::render_markdown(view, "{{#headline}}{{/headline}}", "mine.mustache"),
                      Catch::Contains("mine.mustache:1:"));
}

TEST_CASE("compare view: differences of percentages are percentage points in the table and the per-draw chart",
          "[report][compare]") {
    // NVDA from $112.20 to the $105.10 after-hours price against the $104.49 close
    // (../shared/guide/facts.md: -6.33% and -6.87%), each drawn with the same $1 sd: with the same
    // draws on both sides every draw's returns differ by (104.49 - 105.10) / 112.20 = -0.5437 pp.
    const scenario_test::TempDir temp;
    std::vector<std::unique_ptr<Run>> runs;
    for (const char* after : {"105.10", "104.49"}) {
        const fs::path file = temp.path() / fmt::format("nvda-{}.toml", after);
        scenario_test::write_file(file, fmt::format("[scenario]\nname = \"NVDA to {}\"\n\n[[step]]\nid = \"move\"\n"
                                                    "model = \"stock.price_move\"\nprice_before = \"112.20 USD\"\n"
                                                    "price_after = {{ dist = \"normal\", mean = \"{} USD\", sd = \"1 USD\" }}\n"
                                                    "shares_outstanding = \"24.4B\"\n",
                                                    after, after));
        runs.push_back(run_file(file, 500));
    }
    const Compared c = compare_runs(std::move(runs), std::nullopt, 500);
    const View view = compare_view_of(c);
    const double expected = (104.49 - 105.10) / 112.20;
    const View& change = compared_output(view, "move.return")["rows"][0]["changes"][0];
    CHECK(change["difference"].get<double>() == Approx(expected).epsilon(1e-12));  // the number stays a fraction
    CHECK(change["difference_text"] == "-0.5437 pp");
    const View* chart = nullptr;
    for (const View& ch : view["charts"])
        if (ch["id"] == "per-draw-move.return") chart = &ch;
    REQUIRE(chart != nullptr);
    CHECK((*chart)["unit"] == "pp");
    REQUIRE((*chart)["bars"].size() == 1);
    const View& bar = (*chart)["bars"][0];
    INFO(bar);
    CHECK(bar["value"].get<double>() == Approx(expected * 100).epsilon(1e-9));  // points, drawn the same on both sides
    CHECK(bar["low"].get<double>() == Approx(expected * 100).epsilon(1e-9));
    CHECK(bar["high"].get<double>() == Approx(expected * 100).epsilon(1e-9));
    CHECK(bar["value_text"] == "-0.5437 pp");
}
