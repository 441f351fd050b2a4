// `impact run` and `impact validate` as a user runs them: exit codes, one-line errors, and -o written all or nothing.
#include "scenario_test_support.hpp"

#include "support/json_parse.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using impact::test::CommandResult;

// `impact args...` with its stdout and stderr captured in `scratch` (support/process.hpp), without
// IMPACT_PLUGIN_PATH so that only the bundled plugins are loaded.
CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return impact::test::run_impact(IMPACT_SCENARIO_IMPACT_EXE, args, scratch);
}

// Exactly one line, ending in '\n'.
bool is_one_line(const std::string& text) {
    return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

// What every refusal looks like: exit code `exit_code`, nothing on stdout, exactly one line on stderr.
void check_refusal(const CommandResult& r, int exit_code) {
    CHECK(r.exit_code == exit_code);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
}

// The names in a folder, so a test can see that nothing (no temporary file) was left behind.
std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

std::string joined(const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return "{" + out + "}";
}

const std::string good_toml = "[scenario]\n"
                              "name = \"Charge in KRW\"\n"
                              "\n"
                              "[[step]]\n"
                              "id = \"charge_krw\"\n"
                              "model = \"fx.convert\"\n"
                              "amount = \"5.5B USD\"\n"
                              "to = \"KRW\"\n"
                              "rate = 1428.8\n";

const std::string bad_toml = "[scenario]\n"
                             "name = \"Typo\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"charge_krw\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = \"5.5B USD\"\n"
                             "to = \"KRW\"\n"
                             "rat = 1428.8\n";  // 9: value at column 7

// A scenario folder with good.toml and bad.toml, and a separate folder for outputs.
struct Workspace {
    TempDir temp;
    fs::path scenarios = temp.path() / "scenarios";
    fs::path out_dir = temp.path() / "out";
    fs::path scratch = temp.path() / "scratch";
    fs::path good = scenarios / "good.toml";
    fs::path bad = scenarios / "bad.toml";
    Workspace() {
        write_file(good, good_toml);
        write_file(bad, bad_toml);
        fs::create_directories(out_dir);
        fs::create_directories(scratch);
    }
    std::string bad_message_prefix() const { return "impact: error: " + bad.string() + ":9:7: step.charge_krw.rat: "; }
};

}  // namespace

TEST_CASE("impact validate on a good scenario exits 0 and says valid", "[scenario][cli]") {
    Workspace w;
    const CommandResult r = run_impact({"validate", w.good.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exited);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "valid"));
    CHECK(contains(r.out, "1 step"));
    CHECK(r.err.empty());
}

TEST_CASE("impact validate on a bad scenario exits 2 with one line naming the position", "[scenario][cli]") {
    Workspace w;
    const CommandResult r = run_impact({"validate", w.bad.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(starts_with(r.err, w.bad_message_prefix()));
}

TEST_CASE("impact run on a bad scenario exits 2: one line on stderr, nothing on stdout", "[scenario][cli]") {
    Workspace w;
    const CommandResult r = run_impact({"run", w.bad.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(starts_with(r.err, w.bad_message_prefix()));
    CHECK(contains(r.err, "model fx.convert has no input 'rat'"));
}

TEST_CASE("impact run without -o prints the report on stdout", "[scenario][cli]") {
    Workspace w;
    const CommandResult r = run_impact({"run", w.good.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "Scenario: Charge in KRW\n"));
    CHECK(contains(r.out, "[charge_krw] fx.convert"));
    CHECK(r.err.empty());
}

TEST_CASE("impact run -o FILE --format json writes the file and nothing on stdout", "[scenario][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / "out.json";
    const CommandResult r = run_impact({"run", w.good.string(), "-o", out.string(), "--format", "json"}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    REQUIRE(fs::exists(out));
    const std::string json = read_file(out);
    INFO("out.json:\n" << json);
    CHECK(starts_with(json, "{"));
    CHECK(contains(json, "\"schema\": \"impact.run/1\""));
    CHECK(contains(json, "\"id\": \"charge_krw\""));
    CHECK(names_in(w.out_dir) == std::set<std::string>{"out.json"});
}

TEST_CASE("impact run -o over an existing file replaces it whole", "[scenario][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / "out.txt";
    write_file(out, "an older report\n");
    const CommandResult r = run_impact({"run", w.good.string(), "-o", out.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    CHECK(starts_with(read_file(out), "Scenario: Charge in KRW\n"));
    CHECK(names_in(w.out_dir) == std::set<std::string>{"out.txt"});
}

TEST_CASE("impact run bad.toml -o FILE writes nothing and leaves an existing FILE unchanged", "[scenario][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / "out.json";

    SECTION("no file before: none after") {
        const CommandResult r = run_impact({"run", w.bad.string(), "-o", out.string(), "--format", "json"}, w.scratch);
        INFO(r.describe());
        check_refusal(r, 2);
        CHECK(starts_with(r.err, w.bad_message_prefix()));
        INFO("folder holds " << joined(names_in(w.out_dir)));
        CHECK(names_in(w.out_dir).empty());
    }
    SECTION("an existing file stays byte for byte") {
        std::string before = "{\"schema\": \"impact.run/1\", \"kept\": true}\n";
        before += '\0';
        before += "\xff binary tail";
        write_file(out, before);
        const auto mtime = fs::last_write_time(out);
        const CommandResult r = run_impact({"run", w.bad.string(), "-o", out.string(), "--format", "json"}, w.scratch);
        INFO(r.describe());
        check_refusal(r, 2);
        CHECK(read_file(out) == before);
        CHECK(fs::last_write_time(out) == mtime);
        INFO("folder holds " << joined(names_in(w.out_dir)));
        CHECK(names_in(w.out_dir) == std::set<std::string>{"out.json"});  // no .out.json.tmp-*
    }
}

TEST_CASE("impact run with a model failure exits 3 and writes nothing", "[scenario][cli]") {
    Workspace w;
    // A flat stock against a moving market: zero-variance abnormal returns, no t-statistic; the
    // step "es" starts at line 12, column 1.
    const fs::path scenario = write_zero_variance_scenario(w.scenarios);
    const fs::path out = w.out_dir / "out.json";
    const CommandResult r = run_impact({"run", scenario.string(), "-o", out.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 3);
    CHECK(starts_with(r.err, "impact: error: " + scenario.string() + ":12:1: step.es: "));
    CHECK(names_in(w.out_dir).empty());
}

TEST_CASE("impact run -o into a missing folder exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path missing = w.out_dir / "no-such-folder";
    const fs::path out = missing / "out.json";
    const CommandResult r = run_impact({"run", w.good.string(), "-o", out.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(starts_with(r.err, "impact: error: " + out.string() + ": cannot write"));
    CHECK(contains(r.err, missing.string()));
    CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("impact run --format xml exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / "out.xml";
    const CommandResult r = run_impact({"run", w.good.string(), "--format", "xml", "-o", out.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(contains(r.err, "--format"));
    CHECK(contains(r.err, "xml"));
    CHECK(names_in(w.out_dir).empty());
}

TEST_CASE("impact run on a missing scenario file exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path missing = w.scenarios / "missing.toml";
    const CommandResult r = run_impact({"run", missing.string()}, w.scratch);
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(contains(r.err, missing.string()));
}

TEST_CASE("impact run --set: the override is used and reported; a bad one is exit 2 with one line and no report",
          "[scenario][cli][set]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "charge.toml";
    write_file(scenario, good_toml);
    const fs::path report = temp.path() / "report.json";
    INFO("scenario:\n" << good_toml);

    // Reference: $5.5B at 1,450 won per dollar is 7,975B won.
    const CommandResult ok =
        run_impact({"run", scenario.string(), "--set", "charge_krw.rate=1450", "--format", "json", "-o", report.string()}, temp.path());
    INFO("stderr: " << ok.err);
    REQUIRE(ok.exit_code == 0);
    const std::string json = read_file(report);
    INFO("report: " << json);
    CHECK(contains(json, "\"value\": 7975000000000"));
    CHECK(contains(json, "\"origin\": \"--set\""));
    CHECK(contains(json, "\"overrides\""));
    CHECK(contains(json, "charge_krw.rate"));

    const CommandResult text = run_impact({"run", scenario.string(), "--set", "charge_krw.rate=1450"}, temp.path());
    CHECK(text.exit_code == 0);
    CHECK(contains(text.out, "₩7,975,000,000,000"));
    CHECK(contains(text.out, "--set charge_krw.rate = 1450"));

    fs::remove(report);
    const CommandResult bad = run_impact(
        {"run", scenario.string(), "--set", "charge_krw.amount=5.5B EUR", "-o", report.string()}, temp.path());
    INFO("stderr: " << bad.err);
    check_refusal(bad, 2);
    CHECK(starts_with(bad.err, "impact: error: --set 'charge_krw.amount=5.5B EUR':1:19: step.charge_krw.amount: "));
    CHECK_FALSE(fs::exists(report));

    const CommandResult validate = run_impact({"validate", scenario.string(), "--set", "nope.rate=1"}, temp.path());
    check_refusal(validate, 2);
    CHECK(contains(validate.err, "--set 'nope.rate=1':1:1: step.nope.rate: expected the id of a step (charge_krw)"));
    // A --set is one value: the scenario file after it is not taken as a second.
    const CommandResult order = run_impact({"run", "--set", "charge_krw.rate=1450", scenario.string()}, temp.path());
    CHECK(order.exit_code == 0);
}

TEST_CASE("impact run with a formula step: exit 3 when the result is not finite, exit 2 for a unit error",
          "[scenario][cli][formula]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "formula.toml";
    const std::string toml = good_toml +
                             "\n"                                              // 10
                             "[[step]]\n"                                      // 11
                             "id = \"per_share\"\n"                            // 12
                             "expr = \"charge_krw.converted / shares\"\n"      // 13
                             "unit = \"KRW/shares\"\n"                         // 14
                             "shares = \"0 shares\"\n";                        // 15
    write_file(scenario, toml);
    INFO("scenario:\n" << toml);
    const fs::path report = temp.path() / "report.txt";
    const CommandResult inf = run_impact({"run", scenario.string(), "-o", report.string()}, temp.path());
    INFO("stderr: " << inf.err);
    check_refusal(inf, 3);
    CHECK(contains(inf.err, ":13:9: step.per_share: formula \"charge_krw.converted / shares\" is +inf with "));
    CHECK_FALSE(fs::exists(report));

    const CommandResult fixed = run_impact({"run", scenario.string(), "--set", "per_share.shares=24.4B shares"}, temp.path());
    INFO("stderr: " << fixed.err);
    CHECK(fixed.exit_code == 0);
    // Reference: 7,858.4B won over 24.4B shares is 322.07 won a share.
    CHECK(contains(fixed.out, "322.0655"));

    // Without its unit the share count would make the result won, not won per share.
    const CommandResult unit = run_impact({"run", scenario.string(), "--set", "per_share.shares=24.4B"}, temp.path());
    check_refusal(unit, 2);
    CHECK(contains(unit.err, "--set 'per_share.shares=24.4B':1:18: step.per_share.shares: expected a value in shares like "
                             "the value it replaces"));
}

namespace {

// A drawn export ban (step h20, lines 5-13) whose lost revenue feeds a formula step (lines 15-19).
const std::string drawn_toml = "[scenario]\n"                                                                      // 1
                               "name = \"Drawn\"\n"                                                                // 2
                               "as_of = 2025-04-16\n"                                                              // 3
                               "\n"                                                                                // 4
                               "[[step]]\n"                                                                        // 5
                               "id = \"h20\"\n"                                                                    // 6
                               "model = \"revenue.export_ban\"\n"                                                  // 7
                               "annual_revenue = { dist = \"uniform\", low = \"12B USD\", high = \"15B USD\" }\n"  // 8
                               "gross_margin = { dist = \"normal\", mean = \"60%\", sd = \"3%\" }\n"               // 9
                               "duration_years = 1\n"                                                              // 10
                               "one_off_charges = \"5.5B USD\"\n"                                                  // 11
                               "thresholds = { total_impact = { above = [\"13B USD\"] } }\n"                       // 12
                               "\n"                                                                                // 13
                               "[[step]]\n"                                                                        // 14
                               "id = \"log\"\n"                                                                    // 15
                               "expr = \"ln(h20.lost_revenue / base - 1)\"\n"                                      // 16
                               "base = \"13B USD\"\n";                                                             // 17

}  // namespace

TEST_CASE("impact run --draws: JSON statistics, the same on 1 and 2 threads, nothing on stderr", "[scenario][cli][monte-carlo]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "drawn.toml";
    // Without the ln step, which fails at some draws (next test).
    write_file(scenario, drawn_toml.substr(0, drawn_toml.find("[[step]]\nid = \"log\"")));
    const CommandResult one = run_impact({"run", scenario.string(), "--draws", "20000", "--seed", "42", "--threads", "1",
                                          "--format", "json"}, temp.path());
    const CommandResult two = run_impact({"run", scenario.string(), "--draws", "20000", "--seed", "42", "--threads", "2",
                                          "--format", "json"}, temp.path());
    INFO(one.describe());
    REQUIRE(one.exit_code == 0);
    REQUIRE(two.exit_code == 0);
    // No progress bar when stderr is not a terminal.
    CHECK(one.err.empty());
    const auto a = impact::test::parse_json(one.out);
    const auto b = impact::test::parse_json(two.out);
    CHECK(a["uncertainty"]["draws"] == 20000);
    CHECK(a["uncertainty"]["seed"] == 42);
    CHECK(a["uncertainty"]["threads"] == 1);
    CHECK(b["uncertainty"]["threads"] == 2);
    const auto& total = a["steps"][0]["outputs"]["total_impact"];
    CHECK(total["drawn"] == true);
    CHECK(total["statistics"]["percentiles"].size() == 9);
    CHECK(total["statistics"]["thresholds"][0]["above"] == "13B USD");
    // Only the thread count differs.
    CHECK(a["steps"] == b["steps"]);
    CHECK(a["steps"][0]["inputs"]["annual_revenue"]["distribution"] == "uniform: low 12B USD, high 15B USD");
}

TEST_CASE("impact run --draws: a formula undefined at a draw exits 3 naming the draw and its inputs", "[scenario][cli][monte-carlo]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "drawn.toml";
    write_file(scenario, drawn_toml);
    const fs::path report = temp.path() / "report.json";
    const CommandResult r = run_impact({"run", scenario.string(), "--draws", "5000", "-o", report.string()}, temp.path());
    INFO(r.describe());
    check_refusal(r, 3);
    // ln of a negative number: lost revenue below $13B happens in about a third of the draws.
    CHECK(contains(r.err, scenario.string() + ":16:9: step.log: formula \"ln(h20.lost_revenue / base - 1)\" is nan at draw "));
    CHECK(contains(r.err, "(seed 1) with log.base = 13000000000, h20.lost_revenue = "));
    CHECK_FALSE(fs::exists(report));
    // The point run is fine: 13.5B / 13B - 1 > 0.
    CHECK(run_impact({"run", scenario.string()}, temp.path()).exit_code == 0);
}

TEST_CASE("impact run --draws and --cases: refusals are one line with exit code 2", "[scenario][cli][monte-carlo]") {
    Workspace w;  // good.toml: one fx.convert step, nothing drawn, no cases
    const auto refused = [&](const std::vector<std::string>& args, const std::string& says) {
        const CommandResult r = run_impact(args, w.scratch);
        INFO(r.describe());
        check_refusal(r, 2);
        CHECK(contains(r.err, says));
    };
    refused({"run", w.good.string(), "--draws", "100"}, "--draws: expected at least one input given as a distribution");
    refused({"run", w.good.string(), "--seed", "3"}, "--seed requires --draws");
    refused({"run", w.good.string(), "--draws", "0"}, "--draws");
    refused({"run", w.good.string(), "--cases"}, "--cases: expected [[case]] tables in the scenario, found none");
    refused({"run", w.good.string(), "--cases", "--draws", "10"}, "excludes");
}

// One drawn formula step: f = x, x ~ normal(100, 10); 0.05 % on the mean needs 153,664 draws.
const std::string normal_toml = "[scenario]\nname = \"Normal\"\n\n[[step]]\nid = \"f\"\nexpr = \"x\"\n"
                                "x = { dist = \"normal\", mean = 100, sd = 10 }\n";

TEST_CASE("impact run --until: exit 0, the convergence lines in text and its JSON members, converged or not",
          "[scenario][cli][monte-carlo]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "normal.toml";
    write_file(scenario, normal_toml);
    const CommandResult text = run_impact({"run", scenario.string(), "--draws", "1000000", "--until", "mean:0.05%", "--threads", "1"}, temp.path());
    INFO(text.describe());
    REQUIRE(text.exit_code == 0);
    CHECK(text.err.empty());
    CHECK(contains(text.out, "  Monte Carlo: 262,144 draws, seed 1, 1 thread, "));
    CHECK(contains(text.out, "\n  Convergence: converged at 262,144 draws (stages 32,768, 65,536, 131,072, 262,144; at most 1,000,000)\n"
                             "    mean:0.05%: met, 95% half-width 0.0"));
    CHECK(contains(text.out, "% of mean f.value (the least precise of 1 drawn output)\n"));

    const CommandResult json = run_impact({"run", scenario.string(), "--draws", "1000000", "--until", "mean:0.05%", "--format", "json"}, temp.path());
    INFO(json.describe());
    REQUIRE(json.exit_code == 0);
    const auto report = impact::test::parse_json(json.out);
    const auto& u = report["uncertainty"];
    CHECK(u["draws"] == 262144);
    const auto& c = u["convergence"];
    CHECK(c["converged"] == true);
    CHECK(c["draws"] == 262144);
    CHECK(c["max_draws"] == 1000000);
    CHECK(c["stages"] == nlohmann::json::array({32768, 65536, 131072, 262144}));
    CHECK(c["draws_evaluated"] == 32768 + 65536 + 131072 + 262144);
    CHECK(c["confidence"] == 0.95);
    REQUIRE(c["targets"].size() == 1);
    const auto& t = c["targets"][0];
    CHECK(t["target"] == "mean:0.05%");
    CHECK(t["statistic"] == "mean");
    CHECK(t["precision"] == 0.0005);
    CHECK(t["applies_to"] == "every drawn output");
    CHECK(t["outputs_checked"] == 1);
    CHECK(t["output"] == "f.value");
    REQUIRE(t["achieved"].is_number());
    CHECK(t["achieved"].get<double>() <= 0.0005);
    CHECK(t["achieved"].get<double>() > 0.0003);
    CHECK_FALSE(t.contains("achieved_unknown"));
    CHECK(t["met"] == true);
    // The statistics are those of --draws 262144.
    const CommandResult plain = run_impact({"run", scenario.string(), "--draws", "262144", "--format", "json"}, temp.path());
    REQUIRE(plain.exit_code == 0);
    const auto plain_report = impact::test::parse_json(plain.out);
    CHECK(report["steps"] == plain_report["steps"]);
    CHECK_FALSE(plain_report["uncertainty"].contains("convergence"));

    // Not met by --draws: still exit 0, and said so; an unknown precision is null with its reason.
    const CommandResult short_text = run_impact({"run", scenario.string(), "--draws", "50000", "--until", "f.value:P50:0.001%"}, temp.path());
    INFO(short_text.describe());
    REQUIRE(short_text.exit_code == 0);
    CHECK(contains(short_text.out, "\n  Convergence: not converged in 50,000 draws (stages 32,768, 50,000; at most 50,000)\n"
                                   "    f.value:P50:0.001%: not met, 95% half-width "));
    const CommandResult few = run_impact({"run", scenario.string(), "--draws", "5000", "--until", "sd:1%", "--format", "json"}, temp.path());
    INFO(few.describe());
    REQUIRE(few.exit_code == 0);
    const auto few_target = impact::test::parse_json(few.out)["uncertainty"]["convergence"]["targets"][0];
    CHECK(few_target["achieved"].is_null());
    CHECK(few_target["achieved_unknown"] == "fewer than 2 full blocks of 4,096 draws for the batch means (1)");
    CHECK(few_target["met"] == false);
}

TEST_CASE("impact run --until: refusals are one line with exit code 2", "[scenario][cli][monte-carlo]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "normal.toml";
    write_file(scenario, normal_toml);
    const auto refused = [&](const std::vector<std::string>& args, const std::string& says) {
        const CommandResult r = run_impact(args, temp.path());
        INFO(r.describe());
        check_refusal(r, 2);
        CHECK(contains(r.err, says));
    };
    refused({"run", scenario.string(), "--until", "P50:1%"}, "--until requires --draws");
    refused({"run", scenario.string(), "--draws", "1000", "--until", "P50:1"},
            "impact: error: --until: target \"P50:1\": expected a precision above 0 in percent, such as \"0.1%\", found \"1\"");
    refused({"run", scenario.string(), "--draws", "1000", "--until", "f.value:P42:1%"},
            "--until: target \"f.value:P42:1%\": expected a statistic: mean, sd or a reported percentile");
    refused({"run", scenario.string(), "--draws", "1000", "--until", "f.x:mean:1%"},
            "--until: target \"f.x:mean:1%\": expected an output of step f (value), found \"x\"");
}

TEST_CASE("impact run --cases: each case's value beside the point run, in text and JSON", "[scenario][cli][monte-carlo]") {
    const fs::path sample = fs::path(IMPACT_SOURCE_DIR) / "samples" / "h200-china-2025-12.toml";
    TempDir temp;
    const CommandResult text = run_impact({"run", sample.string(), "--cases"}, temp.path());
    INFO(text.describe());
    REQUIRE(text.exit_code == 0);
    CHECK(contains(text.out, "  Cases:\n    bear: China refuses H200 imports (Article 2)\n"));
    const CommandResult json = run_impact({"run", sample.string(), "--cases", "--format", "json"}, temp.path());
    REQUIRE(json.exit_code == 0);
    const auto report = impact::test::parse_json(json.out);
    const auto& lost = report["steps"][4]["outputs"]["lost_revenue"];
    REQUIRE(report["steps"][4]["id"] == "h200_decision");
    // lost_revenue = annual revenue x 75% kept x 1 year (facts: $13.5B midpoint, $32B).
    CHECK(lost["cases"]["bear"] == 0.0);
    CHECK(lost["cases"]["base"] == 13.5e9 * 0.75);
    CHECK(lost["cases"]["bull"] == 32e9 * 0.75);
}

TEST_CASE("impact validate checks correlations and thresholds as run does", "[scenario][cli][monte-carlo]") {
    TempDir temp;
    const fs::path scenario = temp.path() / "drawn.toml";
    const std::string base = drawn_toml.substr(0, drawn_toml.find("[[step]]\nid = \"log\""));
    write_file(scenario, base + "[[correlation]]\n"                                        // 14
                                "inputs = [\"h20.annual_revenue\", \"h20.duration_years\"]\n"  // 15
                                "spearman = [[1, 0.3], [0.3, 1]]\n");
    for (const char* command : {"validate", "run"}) {
        std::vector<std::string> args{command, scenario.string()};
        if (std::string(command) == "run") args.insert(args.end(), {"--draws", "100"});
        const CommandResult r = run_impact(args, temp.path());
        INFO(r.describe());
        check_refusal(r, 2);
        CHECK(contains(r.err, scenario.string() + ":15:33: correlation[1].inputs: expected an input given as a distribution"));
    }
    write_file(scenario, replace_all(base, "above = [\"13B USD\"]", "above = [\"13%\"]"));
    const CommandResult r = run_impact({"validate", scenario.string()}, temp.path());
    INFO(r.describe());
    check_refusal(r, 2);
    CHECK(contains(r.err, scenario.string() + ":12:42: step.h20.thresholds.total_impact: expected a value in the output's unit (USD)"));
}
