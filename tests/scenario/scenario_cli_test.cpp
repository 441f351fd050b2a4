// `impact run` and `impact validate` as a user runs them: exit codes, one-line errors, and -o written all or nothing.
#include "scenario_test_support.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <vector>

extern char** environ;

namespace {

using namespace scenario_test;

struct CommandResult {
    std::vector<std::string> args;
    bool exited = false;
    int exit_code = -1;
    int signal = 0;
    std::string out;
    std::string err;

    std::string describe() const {
        std::string text = "impact";
        for (const auto& a : args) text += " " + a;
        text += exited ? "\nexit code " + std::to_string(exit_code) : "\nkilled by signal " + std::to_string(signal);
        return text + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
};

// Runs the built `impact` with posix_spawn (no shell), stdout and stderr to files in `scratch`,
// without IMPACT_PLUGIN_PATH so that only the bundled plugins are loaded.
CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    CommandResult result;
    result.args = args;
    const std::string out_file = (scratch / "stdout.txt").string();
    const std::string err_file = (scratch / "stderr.txt").string();
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_text{IMPACT_SCENARIO_IMPACT_EXE};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).rfind("IMPACT_PLUGIN_PATH=", 0) != 0) envp.push_back(*e);
    envp.push_back(nullptr);
    pid_t pid = 0;
    const int spawn_error =
        ::posix_spawn(&pid, IMPACT_SCENARIO_IMPACT_EXE, &actions, nullptr, argv.data(), envp.data());
    ::posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0)
        throw std::runtime_error(std::string("posix_spawn " IMPACT_SCENARIO_IMPACT_EXE ": ") + std::strerror(spawn_error));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.out = read_file(out_file);
    result.err = read_file(err_file);
    fs::remove(out_file);
    fs::remove(err_file);
    return result;
}

// Exactly one line, ending in '\n'.
bool is_one_line(const std::string& text) {
    return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
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
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
    CHECK(starts_with(r.err, w.bad_message_prefix()));
}

TEST_CASE("impact run on a bad scenario exits 2: one line on stderr, nothing on stdout", "[scenario][cli]") {
    Workspace w;
    const CommandResult r = run_impact({"run", w.bad.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
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
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(is_one_line(r.err));
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
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(is_one_line(r.err));
        CHECK(read_file(out) == before);
        CHECK(fs::last_write_time(out) == mtime);
        INFO("folder holds " << joined(names_in(w.out_dir)));
        CHECK(names_in(w.out_dir) == std::set<std::string>{"out.json"});  // no .out.json.tmp-*
    }
}

TEST_CASE("impact run with a model failure exits 3 and writes nothing", "[scenario][cli]") {
    Workspace w;
    // A flat stock against a moving market: zero-variance abnormal returns, no t-statistic.
    std::string flat = "date,close\n", market = "date,close\n";
    for (int day = 1; day <= 28; ++day) {
        char date[16];
        std::snprintf(date, sizeof date, "2025-02-%02d", day);
        flat += std::string(date) + ",100\n";
        market += std::string(date) + "," + std::to_string(100 + day % 5 + day * 0.3) + "\n";
    }
    write_file(w.scenarios / "flat.csv", flat);
    write_file(w.scenarios / "market.csv", market);
    const fs::path scenario = w.scenarios / "zero-variance.toml";
    write_file(scenario, "[scenario]\n"
                         "name = \"Zero variance\"\n"
                         "\n"
                         "[data.flat]\n"
                         "file = \"flat.csv\"\n"
                         "value = \"close\"\n"
                         "\n"
                         "[data.market]\n"
                         "file = \"market.csv\"\n"
                         "value = \"close\"\n"
                         "\n"
                         "[[step]]\n"  // 12
                         "id = \"es\"\n"
                         "model = \"stock.event_study\"\n"
                         "stock = { data = \"flat\" }\n"
                         "market = { data = \"market\" }\n"
                         "event_date = 2025-02-20\n"
                         "estimation_days = 10\n"
                         "gap_days = 0\n");
    const fs::path out = w.out_dir / "out.json";
    const CommandResult r = run_impact({"run", scenario.string(), "-o", out.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
    CHECK(starts_with(r.err, "impact: error: " + scenario.string() + ":12:1: step.es: "));
    CHECK(names_in(w.out_dir).empty());
}

TEST_CASE("impact run -o into a missing folder exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path missing = w.out_dir / "no-such-folder";
    const fs::path out = missing / "out.json";
    const CommandResult r = run_impact({"run", w.good.string(), "-o", out.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
    CHECK(starts_with(r.err, "impact: error: " + out.string() + ": cannot write"));
    CHECK(contains(r.err, missing.string()));
    CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("impact run --format xml exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / "out.xml";
    const CommandResult r = run_impact({"run", w.good.string(), "--format", "xml", "-o", out.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
    CHECK(contains(r.err, "--format"));
    CHECK(contains(r.err, "xml"));
    CHECK(names_in(w.out_dir).empty());
}

TEST_CASE("impact run on a missing scenario file exits 2 with one line", "[scenario][cli]") {
    Workspace w;
    const fs::path missing = w.scenarios / "missing.toml";
    const CommandResult r = run_impact({"run", missing.string()}, w.scratch);
    INFO(r.describe());
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(is_one_line(r.err));
    CHECK(contains(r.err, missing.string()));
}
