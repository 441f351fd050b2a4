// Isolated plugins: a crashing, hanging, greedy or sandbox-breaking plugin fails its own step and impact says what happened.
#include "host/registry.hpp"
#include "isolation/isolated_plugin.hpp"
#include "support/json_parse.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using impact::test::CommandResult;
using impact::test::TempDir;

const fs::path kImpact = IMPACT_ISOLATION_IMPACT_EXE;
const fs::path kPluginDir = IMPACT_MISBEHAVING_PLUGIN_DIR;

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Three steps: test.fine, then `model`, then test.fine again.
std::string scenario_with(const std::string& model, const std::string& run_table = "") {
    return "[scenario]\nname = \"isolation\"\n" + run_table +
           "\n[[step]]\nid = \"before\"\nmodel = \"test.fine\"\nx = 1\n"
           "\n[[step]]\nid = \"bad\"\nmodel = \"" + model + "\"\nx = 2\n"
           "\n[[step]]\nid = \"after\"\nmodel = \"test.fine\"\nx = 3\n";
}

CommandResult run(const TempDir& dir, const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::vector<std::string> all{"--plugin-dir", kPluginDir.string()};
    all.insert(all.end(), args.begin(), args.end());
    return impact::test::run_impact(kImpact, all, dir.path(), env);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an isolated plugin that misbehaves at evaluate fails its run with exit 3 and says what it did") {
    struct Case {
        std::string model;
        std::string expected;  // in the one-line message
    };
    TempDir dir;
    const fs::path written = dir.path() / "written-by-plugin.txt";
    std::vector<Case> cases{
        {"test.segfault", "crashed with SIGSEGV"},
        {"test.abort", "crashed with SIGABRT"},
        {"test.loop", "evaluate did not return within --plugin-timeout 2 s"},
        {"test.write_file", "the plugin called openat of " + written.string() + " for writing"},
        {"test.socket", "the plugin called socket"},
        {"test.exit", "ended with exit status 0"},
    };
#ifndef IMPACT_TEST_SANITIZED
    cases.push_back({"test.hog", "--plugin-memory limit of 256 MiB"});
#endif
    for (const Case& c : cases) {
        const fs::path scenario = dir.write(c.model + ".toml", scenario_with(c.model));
        const fs::path report = dir.path() / (c.model + ".report.txt");
        impact::test::write_file(report, "the previous report\n");
        const CommandResult r = run(dir,
                                    {"run", scenario.string(), "-o", report.string(), "--plugin-timeout", "2s",
                                     "--plugin-memory", "256M"},
                                    {"IMPACT_TEST_WRITE_PATH=" + written.string()});
        INFO("model " << c.model << "\n" << r.describe());
        CHECK(r.exited);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, c.expected));
        // The message names the model, the call and the plugin.
        CHECK(contains(r.err, "model 'test."));
        CHECK(contains(r.err, "evaluate"));
        CHECK(contains(r.err, "org.impact.test.misbehaving"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        // The report that was there is untouched, and no temporary file is left beside it.
        CHECK(read_text(report) == "the previous report\n");
        CHECK_FALSE(fs::exists(written));
    }
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path()))
        if (entry.is_regular_file()) ++files;
    CHECK(files == 2 * cases.size());  // each scenario and its untouched report, nothing else
}

TEST_CASE("with --keep-going, a crashing isolated plugin fails its step, the others complete and the report shows it") {
    TempDir dir;
    // A fourth step depends on the crashing one and is skipped.
    const fs::path scenario = dir.write(
        "keep.toml", scenario_with("test.segfault") +
                         "\n[[step]]\nid = \"later\"\nmodel = \"test.fine\"\nx = { from = \"bad.y\" }\n");
    for (const bool draws : {false, true}) {
        const fs::path report = dir.path() / (draws ? "drawn.txt" : "point.txt");
        std::vector<std::string> args{"run", scenario.string(), "--keep-going", "-o", report.string()};
        if (draws) args.insert(args.end(), {"--draws", "1000", "-q"});
        const CommandResult r = run(dir, args);
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "crashed with SIGSEGV"));
        REQUIRE(fs::exists(report));
        const std::string text = read_text(report);
        INFO(text);
        CHECK(contains(text, "1 step failed, 1 skipped: the figures below are incomplete"));
        // before (x = 1) and after (x = 3) computed by test.fine: y = 2 x.
        CHECK(contains(text, "[before] test.fine 1.0.0\n  twice x (y)  2\n"));
        CHECK(contains(text, "[after] test.fine 1.0.0\n  twice x (y)  6\n"));
        CHECK(contains(text, "[bad] test.segfault 1.0.0\n  FAILED: "));
        CHECK(contains(text, "crashed with SIGSEGV"));
        CHECK(contains(text, "[later] test.fine 1.0.0\n  skipped: depends on step bad, which failed"));
    }
}

TEST_CASE("a failing draw in an isolated plugin is named with its own input values, and a bogus row is no row") {
    TempDir dir;
    const std::string drawn = "[scenario]\nname = \"draws\"\n\n[[step]]\nid = \"bad\"\nmodel = \"MODEL\"\n"
                              "x = { dist = \"uniform\", low = 0, high = 10 }\n";
    const auto with_model = [&](const std::string& model) {
        std::string text = drawn;
        text.replace(text.find("MODEL"), 5, model);
        return text;
    };
    {
        const fs::path scenario = dir.write("above.toml", with_model("test.fails_above_9"));
        const CommandResult r = run(dir, {"run", scenario.string(), "--draws", "5000", "--threads", "1", "-q"});
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "x is above 9"));
        // The value shown is the failing draw's, read back from the batch after the failure: above 9.
        const std::size_t at = r.err.find("bad.x = ");
        REQUIRE(at != std::string::npos);
        CHECK(std::stod(r.err.substr(at + 8)) > 9.0);
    }
    {
        const fs::path scenario = dir.write("bogus.toml", with_model("test.bogus_row"));
        const CommandResult r = run(dir, {"run", scenario.string(), "--draws", "5000", "-q"});
        INFO(r.describe());
        CHECK(r.exited);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "failed somewhere"));
        CHECK_FALSE(contains(r.err, "row 1099511627776"));
    }
}

TEST_CASE("in-process, the same crash takes impact down: what isolation is for") {
    TempDir dir;
    const fs::path scenario = dir.write("segfault.toml", scenario_with("test.segfault"));
    const CommandResult r = run(dir, {"--isolate", "none", "run", scenario.string()});
    INFO(r.describe());
#ifdef IMPACT_TEST_SANITIZED
    // AddressSanitizer catches the signal in-process, reports it and exits 1 (or aborts, with
    // abort_on_error=1 as the asan test preset sets).
    CHECK((r.exited ? r.exit_code == 1 : r.signal == SIGABRT));
    CHECK(contains(r.err, "AddressSanitizer: SEGV"));
#else
    CHECK_FALSE(r.exited);
    CHECK(r.signal == SIGSEGV);
#endif
}

TEST_CASE("a scenario's [run] isolate raises --isolate and cannot lower it") {
    TempDir dir;
    SECTION("isolate = \"all\" overrides --isolate none") {
        const fs::path scenario = dir.write("raise.toml", scenario_with("test.segfault", "\n[run]\nisolate = \"all\"\n"));
        const CommandResult r = run(dir, {"--isolate", "none", "run", scenario.string()});
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "crashed with SIGSEGV"));
    }
    SECTION("isolate = \"none\" leaves the default untrusted isolation in place") {
        const fs::path scenario = dir.write("lower.toml", scenario_with("test.segfault", "\n[run]\nisolate = \"none\"\n"));
        const CommandResult r = run(dir, {"run", scenario.string()});
        INFO(r.describe());
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "crashed with SIGSEGV"));
    }
    SECTION("an unknown policy is an input error at its position") {
        const fs::path scenario = dir.write("bad.toml", scenario_with("test.fine", "\n[run]\nisolate = \"some\"\n"));
        const CommandResult r = run(dir, {"run", scenario.string()});
        INFO(r.describe());
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "bad.toml:5:11: run.isolate: expected \"none\", \"untrusted\" or \"all\", found \"some\""));
    }
}

TEST_CASE("a plugin that misbehaves while loading is listed as rejected and every other plugin keeps working") {
    struct Case {
        std::string at_load;
        std::string expected;
    };
    TempDir dir;
    const fs::path written = dir.path() / "written-at-load.txt";
    const std::vector<Case> cases{
        {"segfault", "crashed with SIGSEGV"},
        {"socket", "the plugin called socket"},
        {"write", "the plugin called openat of " + written.string() + " for writing"},
        {"exit", "ended with exit status 0"},
    };
    for (const Case& c : cases) {
        const std::vector<std::string> env{"IMPACT_TEST_MISBEHAVE_AT_LOAD=" + c.at_load,
                                           "IMPACT_TEST_WRITE_PATH=" + written.string()};
        const CommandResult listed = run(dir, {"plugins"}, env);
        INFO("at load: " << c.at_load << "\n" << listed.describe());
        CHECK(listed.exit_code == 0);
        CHECK(contains(listed.out, "Rejected:"));
        CHECK(contains(listed.out, c.expected));
        CHECK(contains(listed.out, "org.impact.fx"));
        CHECK_FALSE(fs::exists(written));
        // A refusal caused by a dead worker is not cached: the same start again reports it again,
        // and a command that does not need the plugin works.
        const CommandResult converted = run(dir, {"convert", "5.5B", "USD", "KRW", "--rate", "1428.8"}, env);
        INFO(converted.describe());
        CHECK(converted.exit_code == 0);
        CHECK(contains(converted.out, "7,858,400,000,000"));
    }
}

TEST_CASE("impact plugins says how each plugin runs") {
    TempDir dir;
    const CommandResult r = run(dir, {"plugins", "--json"});
    INFO(r.describe());
    REQUIRE(r.exit_code == 0);
    const auto doc = impact::test::parse_json(r.out);
    bool saw_bundled = false, saw_misbehaving = false;
    for (const auto& p : doc.at("plugins")) {
        const std::string id = p.at("id").get<std::string>();
        const std::string runs = p.at("runs").get<std::string>();
        if (p.at("origin") == "bundled") {
            saw_bundled = true;
            CHECK(runs == "in-process");
        }
        if (id == "org.impact.test.misbehaving") {
            saw_misbehaving = true;
            CHECK(runs == "isolated");
        }
    }
    CHECK(saw_bundled);
    CHECK(saw_misbehaving);
    const CommandResult all = run(dir, {"--isolate", "all", "plugins", "--json"});
    INFO(all.describe());
    const auto every = impact::test::parse_json(all.out);
    for (const auto& p : every.at("plugins")) CHECK(p.at("runs") == "isolated");
}

TEST_CASE("isolated and in-process runs give the same bits, Monte Carlo on one and two threads included") {
    TempDir dir;
    const fs::path sample = fs::path(IMPACT_SOURCE_DIR) / "samples" / "h20-export-licence-2025-04.toml";
    for (const char* threads : {"1", "2"}) {
        std::vector<nlohmann::json> reports;
        for (const char* policy : {"none", "all"}) {
            const CommandResult r = run(dir, {"--isolate", policy, "run", sample.string(), "--format", "json", "--draws",
                                              "20000", "--threads", threads, "-q"});
            INFO(r.describe());
            REQUIRE(r.exit_code == 0);
            reports.push_back(impact::test::parse_json(r.out));
        }
        INFO("threads " << threads);
        // Everything the models computed; provenance (times, hashes of the plugin files) aside.
        CHECK(reports[0].at("steps") == reports[1].at("steps"));
        CHECK(reports[0].at("uncertainty").at("draws") == reports[1].at("uncertainty").at("draws"));
    }
}

TEST_CASE("the stock plugin's result tables come through isolation unchanged") {
    // stock.event_panel offers its tables through "impact.tables/1" (ABI 1.4); isolated, the worker
    // sends them with its create reply and the host offers them again. The sample reads the shared
    // data beside the repository (../../shared/data from samples/).
    TempDir dir;
    const fs::path sample = fs::path(IMPACT_SOURCE_DIR) / "samples" / "semis-h20-h200-2025.toml";
    std::vector<nlohmann::json> reports;
    for (const char* policy : {"none", "all"}) {
        const CommandResult r = run(dir, {"--isolate", policy, "run", sample.string(), "--format", "json", "-q"});
        INFO("--isolate " << policy << "\n" << r.describe());
        REQUIRE(r.exit_code == 0);
        reports.push_back(impact::test::parse_json(r.out));
    }
    // Everything the models computed, tables included; provenance (times, hashes of the plugin
    // files) aside, as in the bit-identical test above. The rest of the report is equal too.
    CHECK(reports[0].at("steps") == reports[1].at("steps"));
    nlohmann::json without_provenance[2] = {reports[0], reports[1]};
    for (nlohmann::json& report : without_provenance) report.erase("provenance");
    CHECK(without_provenance[0] == without_provenance[1]);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        INFO((i == 0 ? "in-process" : "isolated"));
        const auto& steps = reports[i].at("steps");
        REQUIRE(steps.is_array());
        REQUIRE(steps.size() >= 1);
        const auto& tables = steps[0].at("tables");
        for (const char* key : {"firms", "tests", "events", "caar"}) {
            INFO("table " << key);
            CHECK(tables.contains(key));
        }
        const auto& rows = tables.at("firms").at("rows");
        REQUIRE(rows.is_array());
        // 12 firms, 2 events: NVDA's H20 row first.
        REQUIRE(rows.size() == 24);
        CHECK(rows[0].at("firm") == "NVDA");
        CHECK(rows[0].at("event") == "h20");
        // Only NVDA has shares outstanding: its dollar value is a number, the others' undefined
        // (NaN in a may-be-undefined column, null in JSON), on both sides of the channel.
        CHECK(rows[0].at("abnormal_value").is_number());
        CHECK(rows[1].at("firm") == "AMD");
        CHECK(rows[1].at("abnormal_value").is_null());
        CHECK(rows[0].at("car").is_number());
        CHECK(rows[0].at("day0") == "2025-04-16");
    }
}

TEST_CASE("result tables that break a rule fail the step the same way in-process and isolated") {
    // test.nan_table offers a table whose column v has NaN in row 1 without allowing it: the host
    // refuses the tables in-process, the worker refuses them before replying when isolated.
    TempDir dir;
    const fs::path scenario = dir.write("nan-table.toml", scenario_with("test.nan_table"));
    std::vector<std::string> messages;
    for (const char* policy : {"none", "all"}) {
        const CommandResult r = run(dir, {"--isolate", policy, "run", scenario.string()});
        INFO("--isolate " << policy << "\n" << r.describe());
        CHECK(r.exited);
        CHECK(r.exit_code == 3);
        CHECK(contains(r.err, "model 'test.nan_table'"));
        CHECK(contains(r.err, "table 'cells' column 'v' is NaN in row 1"));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        messages.push_back(r.err);
    }
    CHECK(messages[0] == messages[1]);  // one message, wherever the plugin ran
    // With --keep-going the other steps complete and the report names the failure, on both sides.
    std::vector<nlohmann::json> reports;
    for (const char* policy : {"none", "all"}) {
        const CommandResult r =
            run(dir, {"--isolate", policy, "run", scenario.string(), "--keep-going", "--format", "json", "-q"});
        INFO("--isolate " << policy << "\n" << r.describe());
        REQUIRE_FALSE(r.out.empty());
        reports.push_back(impact::test::parse_json(r.out));
        const auto& steps = reports.back().at("steps");
        REQUIRE(steps.size() == 3);
        CHECK(steps[0].at("outputs").at("y").at("value") == 2);
        CHECK(steps[2].at("outputs").at("y").at("value") == 6);
        CHECK(contains(steps[1].dump(), "table 'cells' column 'v' is NaN in row 1"));
        CHECK_FALSE(steps[1].contains("tables"));
    }
}

// The worker sends the tables in its create reply through the data channel, which starts at 1 MiB
// and which only the host can grow: a reply too large says its size, the host grows the channel and
// the instance is created again. 200,000 numbers (1.6 MB) need that path.
TEST_CASE("a result table larger than the worker's first channel comes through isolation") {
    TempDir dir;
    const fs::path scenario = dir.write("big-table.toml", scenario_with("test.big_table"));
    for (const char* policy : {"none", "all"}) {
        // The report (about 10 MB of JSON) goes to a file and is searched, not parsed.
        const fs::path report = dir.path() / (std::string(policy) + ".json");
        const CommandResult r =
            run(dir, {"--isolate", policy, "run", scenario.string(), "--format", "json", "-q", "-o", report.string()});
        INFO("--isolate " << policy << "\n" << r.describe());
        REQUIRE(r.exit_code == 0);
        const std::string text = read_text(report);
        CHECK(contains(text, "\"big\": {"));
        CHECK(contains(text, "\"v\": 49999.75"));  // the last row, 199,999 / 4
    }
}

TEST_CASE("a worker that died is started again for the next instance, up to the restart limit") {
    namespace host = impact::host;
    namespace isolation = impact::isolation;
    host::DiscoverOptions options;
    options.isolation = isolation::IsolationPolicy::all;
    options.limits.worker_executable = IMPACT_ISOLATION_WORKER_EXE;
    options.limits.max_restarts = 2;
    host::Registry registry = host::Registry::discover({{kPluginDir, "--plugin-dir"}}, std::move(options));
    registry.load_plugins_for({"test.fine", "test.segfault"});
    const auto fine = registry.find_model("test.fine");
    const auto segfault = registry.find_model("test.segfault");
    REQUIRE(fine);
    REQUIRE(segfault);
    const std::vector<double> x{21.0};
    std::vector<double> y(1);

    const auto crash = [&](const std::string& expected) {
        const host::ModelInstance bad = segfault->prepare(host::PreparedValues{});
        try {
            bad.evaluate(x, y);
            FAIL("test.segfault returned");
        } catch (const host::CallError& e) {
            INFO(e.what());
            CHECK(contains(e.what(), "crashed with SIGSEGV"));
            CHECK(contains(e.what(), expected));
        }
    };
    const auto works = [&] {
        const host::ModelInstance good = fine->prepare(host::PreparedValues{});
        y[0] = 0;
        good.evaluate(x, y);
        CHECK(y[0] == 42.0);
    };
    crash("");
    works();  // a second worker
    crash("has now died 2 times");
    works();  // a third
    crash("has now died 3 times");
    try {
        (void)fine->prepare(host::PreparedValues{});
        FAIL("a fourth worker was started");
    } catch (const host::CallError& e) {
        INFO(e.what());
        CHECK(contains(e.what(), "died 3 times in this run and is not started again"));
    }
}

TEST_CASE("plugin timeouts and memory limits read durations and sizes, and refuse anything else") {
    using impact::isolation::parse_byte_size;
    using impact::isolation::parse_duration;
    using std::chrono::milliseconds;
    CHECK(parse_duration("60s") == milliseconds(60'000));
    CHECK(parse_duration("60") == milliseconds(60'000));
    CHECK(parse_duration("1.5s") == milliseconds(1'500));
    CHECK(parse_duration("500ms") == milliseconds(500));
    CHECK(parse_duration("2m") == milliseconds(120'000));
    CHECK(parse_duration("0") == milliseconds(0));
    for (const char* bad : {"", "-1s", "abc", "5h", "1e300", "nan", "s"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad));
    }
    CHECK(parse_byte_size("4G") == (uint64_t{4} << 30));
    CHECK(parse_byte_size("512M") == (uint64_t{512} << 20));
    CHECK(parse_byte_size("512MiB") == (uint64_t{512} << 20));
    CHECK(parse_byte_size("1.5GiB") == (uint64_t{3} << 29));
    CHECK(parse_byte_size("256") == (uint64_t{256} << 20));
    CHECK(parse_byte_size("0") == uint64_t{0});
    for (const char* bad : {"", "-1G", "4T", "lots", "inf"}) {
        INFO(bad);
        CHECK_FALSE(parse_byte_size(bad));
    }
}
