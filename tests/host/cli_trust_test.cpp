// Tests the trust rules of issue 12 through the built `impact`: relative IMPACT_PLUGIN_PATH entries, unsafe permissions, pins, exit() in a plugin.
#include "host_test_support.hpp"

#include "io/sha256.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using namespace host_test;
using impact::test::CommandResult;

const char* const impact_exe = IMPACT_HOST_IMPACT_EXE;
const fs::path exit_in_call_file{IMPACT_HOST_PLUGIN_EXIT_IN_CALL};
const fs::path exit_at_load_file{IMPACT_HOST_PLUGIN_EXIT_AT_LOAD};

CommandResult run(const TempDir& temp, const std::vector<std::string>& args,
                  const std::vector<std::string>& environment = {}) {
    return impact::test::run_impact(impact_exe, args, temp.path(), environment);
}

// Ids of the usable plugins and the reasons of the rejected files, from `impact plugins --json`.
struct Listing {
    std::vector<std::string> ids;
    std::vector<std::string> reasons;
    bool has(const std::string& id) const { return std::find(ids.begin(), ids.end(), id) != ids.end(); }
    bool rejected_with(std::string_view part) const {
        return std::any_of(reasons.begin(), reasons.end(), [&](const std::string& r) { return contains(r, part); });
    }
};

Listing listing_of(const CommandResult& r) {
    Listing listing;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    for (const auto& p : doc.at("plugins")) listing.ids.push_back(p.at("id").get<std::string>());
    for (const auto& x : doc.at("rejected")) listing.reasons.push_back(x.at("reason").get<std::string>());
    return listing;
}

void set_mode(const fs::path& path, mode_t mode) {
    INFO(path.string());
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// Runs the test's body with the working folder changed to `dir`, and changes it back.
class InFolder {
public:
    explicit InFolder(const fs::path& dir) : previous_(fs::current_path()) { fs::current_path(dir); }
    ~InFolder() { fs::current_path(previous_); }
    InFolder(const InFolder&) = delete;
    InFolder& operator=(const InFolder&) = delete;

private:
    fs::path previous_;
};

// 1-based column of the first occurrence of `needle` on the 1-based `line` of `text`.
std::string line_column(const std::string& text, std::size_t line, std::string_view needle) {
    std::size_t start = 0;
    for (std::size_t l = 1; l < line; ++l) start = text.find('\n', start) + 1;
    const std::size_t at = text.find(needle, start);
    return std::to_string(line) + ":" + std::to_string(at - start + 1);
}

}  // namespace

// ---- Relative IMPACT_PLUGIN_PATH entries --------------------------------------------------------

TEST_CASE("trust: relative IMPACT_PLUGIN_PATH entries are ignored with a message, absolute ones still searched") {
    const TempDir temp;
    const fs::path here = temp.path() / "cwd";
    const fs::path absolute = temp.path() / "absolute";
    // The current folder holds good_b, directly and in plugins/: a relative entry would load it.
    copy_file_to(good_b_file, here / "good_b.so");
    copy_file_to(good_b_file, here / "plugins" / "good_b" / "good_b.so");
    copy_file_to(good_a_file, absolute / "good_a.so");
    const std::string plugin_path = ".:plugins::" + absolute.string() + ":";
    INFO("IMPACT_PLUGIN_PATH=" << plugin_path << ", working folder " << here);

    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"plugins", "--json"}, std::vector<std::string>{"describe", "test.add"}}) {
        CommandResult r;
        {
            const InFolder in(here);
            r = run(temp, args, {"IMPACT_PLUGIN_PATH=" + plugin_path});
        }
        INFO(r.describe());
        REQUIRE(r.exited);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.err, "impact: IMPACT_PLUGIN_PATH entry \".\" is relative and was ignored: give an absolute folder"));
        CHECK(contains(r.err,
                       "impact: IMPACT_PLUGIN_PATH entry \"plugins\" is relative and was ignored: give an absolute folder"));
        // Empty entries name no folder: nothing is said about them.
        CHECK_FALSE(contains(r.err, "entry \"\""));
        if (args.front() == "plugins") {
            const Listing listing = listing_of(r);
            CHECK(listing.has(good_a_id));
            CHECK_FALSE(listing.has(good_b_id));
            const nlohmann::json doc = nlohmann::json::parse(r.out);
            for (const auto& dir : doc.at("search_path")) CHECK(fs::path(dir.at("dir").get<std::string>()).is_absolute());
        }
    }
}

TEST_CASE("trust: a relative --plugin-dir is taken from the current folder and shown absolute") {
    const TempDir temp;
    copy_file_to(good_a_file, temp.path() / "mine" / "good_a.so");
    CommandResult r;
    {
        const InFolder in(temp.path());
        r = run(temp, {"--plugin-dir", "mine", "plugins", "--json"});
    }
    INFO(r.describe());
    REQUIRE(r.exit_code == 0);
    CHECK(listing_of(r).has(good_a_id));
    bool found = false;
    const nlohmann::json doc = nlohmann::json::parse(r.out);
    for (const auto& dir : doc.at("search_path"))
        if (dir.at("origin") == "--plugin-dir") {
            found = true;
            CHECK(fs::path(dir.at("dir").get<std::string>()) == temp.path() / "mine");
        }
    CHECK(found);
}

// ---- Unsafe permissions ---------------------------------------------------------------------------

TEST_CASE("trust: a world-writable plugin folder is refused, also when the plugin cache lists it") {
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    copy_file_to(good_a_file, dir / "good_a.so");
    set_mode(dir, 0755);
    const std::vector<std::string> args{"--plugin-dir", dir.string(), "plugins", "--json"};
    INFO("impact --plugin-dir " << dir << " plugins --json");

    // First a safe folder, so that the plugin cache (on in run_impact) records a usable entry.
    const CommandResult safe = run(temp, args);
    INFO(safe.describe());
    REQUIRE(safe.exit_code == 0);
    REQUIRE(listing_of(safe).has(good_a_id));

    set_mode(dir, 0777);
    for (int attempt = 1; attempt <= 2; ++attempt) {
        INFO("attempt " << attempt << " with the folder at mode 0777");
        const CommandResult r = run(temp, args);
        INFO(r.describe());
        REQUIRE(r.exit_code == 0);
        const Listing listing = listing_of(r);
        CHECK_FALSE(listing.has(good_a_id));
        CHECK(listing.rejected_with((dir / "good_a.so").string() + ": refused: " + dir.string() +
                                    " is world-writable (mode 0777); anyone could replace a plugin in it. Use "
                                    "--allow-unsafe-plugin-dirs to load it anyway"));
    }
    // A command that needs the plugin fails as for any refused plugin, and loads nothing.
    const fs::path scenario = temp.write("add.toml", "[scenario]\nname = \"add\"\n\n[[step]]\nid = \"a\"\nmodel = \"test.add\"\nx = 1\ny = 2\n");
    const CommandResult refused_run = run(temp, {"--plugin-dir", dir.string(), "run", scenario.string()});
    INFO(refused_run.describe());
    CHECK(refused_run.exit_code == 2);
    CHECK(contains(refused_run.err, "is world-writable"));

    const CommandResult allowed = run(temp, {"--allow-unsafe-plugin-dirs", "--plugin-dir", dir.string(), "plugins", "--json"});
    INFO(allowed.describe());
    REQUIRE(allowed.exit_code == 0);
    CHECK(listing_of(allowed).has(good_a_id));
    set_mode(dir, 0755);
}

TEST_CASE("trust: a group-writable plugin file or plugin subfolder is refused unless allowed") {
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    const fs::path file = copy_file_to(good_a_file, dir / "good_a" / "good_a.so");
    set_mode(dir, 0755);
    set_mode(dir / "good_a", 0755);

    SECTION("the file") {
        set_mode(file, 0775);
        const CommandResult r = run(temp, {"--plugin-dir", dir.string(), "plugins", "--json"});
        INFO(r.describe());
        REQUIRE(r.exit_code == 0);
        const Listing listing = listing_of(r);
        CHECK_FALSE(listing.has(good_a_id));
        CHECK(listing.rejected_with(file.string() + ": refused: " + file.string() + " is group-writable (mode 0775, group "));
        CHECK(listing.rejected_with("could change the code it holds"));
    }
    SECTION("the plugin's own folder") {
        set_mode(dir / "good_a", 0775);
        const CommandResult r = run(temp, {"--plugin-dir", dir.string(), "plugins", "--json"});
        INFO(r.describe());
        REQUIRE(r.exit_code == 0);
        const Listing listing = listing_of(r);
        CHECK_FALSE(listing.has(good_a_id));
        CHECK(listing.rejected_with((dir / "good_a").string() + " is group-writable (mode 0775"));
    }
    SECTION("a symlink to a group-writable file") {
        const fs::path elsewhere = copy_file_to(good_a_file, temp.path() / "elsewhere" / "real.so");
        set_mode(elsewhere, 0664);
        fs::remove(file);
        fs::create_symlink(elsewhere, file);
        const CommandResult r = run(temp, {"--plugin-dir", dir.string(), "plugins", "--json"});
        INFO(r.describe());
        REQUIRE(r.exit_code == 0);
        const Listing listing = listing_of(r);
        CHECK_FALSE(listing.has(good_a_id));
        CHECK(listing.rejected_with("(the target of " + file.string() + ") is group-writable (mode 0664"));
    }
    const CommandResult allowed = run(temp, {"--allow-unsafe-plugin-dirs", "--plugin-dir", dir.string(), "plugins", "--json"});
    INFO(allowed.describe());
    REQUIRE(allowed.exit_code == 0);
    CHECK(listing_of(allowed).has(good_a_id));
}

TEST_CASE("trust: a plugin file owned by another user is refused") {
    if (::geteuid() != 0) {
        WARN("not root: cannot give a file to another user, skipped");
        return;
    }
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    const fs::path file = copy_file_to(good_a_file, dir / "good_a.so");
    set_mode(dir, 0755);
    REQUIRE(::chown(file.c_str(), 54321, 54321) == 0);
    const CommandResult r = run(temp, {"--plugin-dir", dir.string(), "plugins", "--json"});
    INFO(r.describe());
    REQUIRE(r.exit_code == 0);
    const Listing listing = listing_of(r);
    CHECK_FALSE(listing.has(good_a_id));
    CHECK(listing.rejected_with(file.string() + " is owned by uid 54321, neither root nor you"));
}

// ---- Pins -----------------------------------------------------------------------------------------

namespace {

// A one-step scenario of good_a's test.add (1 + 2) under `pins` (a [plugins] table or "").
std::string add_scenario(const std::string& pins) {
    return "[scenario]\nname = \"pinned\"\n\n" + pins + "\n[[step]]\nid = \"a\"\nmodel = \"test.add\"\nx = 1\ny = 2\n";
}

struct PinWorkspace {
    TempDir temp;
    fs::path dir = temp.path() / "plugins";
    fs::path plugin = copy_file_to(good_a_file, dir / "good_a.so");
    std::string sha256 = impact::io::sha256_file_hex(plugin);

    CommandResult run_scenario(const std::string& text, const std::string& command = "run") const {
        const fs::path file = temp.write("pinned.toml", text);
        return run(temp, {"--plugin-dir", dir.string(), command, file.string()});
    }
};

}  // namespace

TEST_CASE("trust: a scenario pinned to the plugin's version and SHA-256 runs") {
    const PinWorkspace w;
    const std::string text =
        add_scenario("[plugins]\n\"org.impact.test.good-a\" = { version = \"1.0.0\", sha256 = \"" + w.sha256 + "\" }\n");
    INFO(text);
    for (const char* command : {"run", "validate"}) {
        const CommandResult r = w.run_scenario(text, command);
        INFO(r.describe());
        CHECK(r.exit_code == 0);
    }
    // Upper-case hex digits are the same hash.
    std::string upper = w.sha256;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    const CommandResult r = w.run_scenario(add_scenario("[plugins]\n\"org.impact.test.good-a\" = { sha256 = \"" + upper + "\" }\n"));
    INFO(r.describe());
    CHECK(r.exit_code == 0);
}

TEST_CASE("trust: a wrong pinned SHA-256 is exit 2 naming the pin's place, the plugin, its file, expected and found") {
    const PinWorkspace w;
    const std::string wrong(64, 'a');
    const std::string text = add_scenario("[plugins]\n\"org.impact.test.good-a\" = { version = \"1.0.0\", sha256 = \"" + wrong + "\" }\n");
    INFO(text);
    for (const char* command : {"run", "validate"}) {
        const CommandResult r = w.run_scenario(text, command);
        INFO(r.describe());
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        const fs::path file = w.temp.path() / "pinned.toml";
        CHECK(contains(r.err, file.string() + ":" + line_column(text, 5, "\"aaaa") +
                                  ": plugins.\"org.impact.test.good-a\".sha256: plugin org.impact.test.good-a in " +
                                  w.plugin.string() + ": expected SHA-256 " + wrong + ", found " + w.sha256));
    }
}

TEST_CASE("trust: a wrong pinned version and a pinned plugin that is absent are exit 2") {
    const PinWorkspace w;
    SECTION("version") {
        const std::string text = add_scenario("[plugins]\n\"org.impact.test.good-a\" = { version = \"1.0.1\" }\n");
        INFO(text);
        const CommandResult r = w.run_scenario(text);
        INFO(r.describe());
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "pinned.toml:" + line_column(text, 5, "\"1.0.1\"") +
                                  ": plugins.\"org.impact.test.good-a\".version: plugin org.impact.test.good-a in " +
                                  w.plugin.string() + ": expected version 1.0.1, found 1.0.0"));
    }
    SECTION("absent") {
        const std::string text = add_scenario("[plugins]\n\"org.impact.test.nowhere\" = { version = \"1.0.0\" }\n");
        INFO(text);
        const CommandResult r = w.run_scenario(text);
        INFO(r.describe());
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "pinned.toml:5:1: plugins.\"org.impact.test.nowhere\": the scenario pins plugin "
                              "org.impact.test.nowhere, which is not on the search path"));
    }
    SECTION("a pin with an unknown key, or with neither key") {
        for (const std::string pin : {"{ version = \"1.0.0\", sha = \"ab\" }", "{ }"}) {
            const std::string text = add_scenario("[plugins]\n\"org.impact.test.good-a\" = " + pin + "\n");
            INFO(text);
            const CommandResult r = w.run_scenario(text, "validate");
            INFO(r.describe());
            CHECK(r.exit_code == 2);
            CHECK(contains(r.err, "pinned.toml:5:"));
            CHECK(contains(r.err, pin.size() > 4 ? "plugins.\"org.impact.test.good-a\".sha: unknown key; expected version and/or sha256"
                                                 : "found neither"));
        }
    }
}

TEST_CASE("trust: impact plugins --pins prints pins that a run accepts") {
    const PinWorkspace w;
    const CommandResult pins = run(w.temp, {"--plugin-dir", w.dir.string(), "plugins", "--pins"});
    INFO(pins.describe());
    REQUIRE(pins.exit_code == 0);
    CHECK(contains(pins.out, "[plugins]\n"));
    CHECK(contains(pins.out, "\"org.impact.test.good-a\" = { version = \"1.0.0\", sha256 = \"" + w.sha256 + "\" }\n"));
    const std::string text = add_scenario(pins.out);
    INFO(text);
    const CommandResult r = w.run_scenario(text);
    INFO(r.describe());
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "3"));
    // The same pins no longer hold once the plugin file changes.
    copy_file_to(good_b_file, w.dir / "good_b.so");
    fs::remove(w.plugin);
    const CommandResult gone = w.run_scenario(text);
    INFO(gone.describe());
    CHECK(gone.exit_code == 2);
    CHECK(contains(gone.err, "which is not on the search path"));
}

// ---- exit() inside a plugin call ------------------------------------------------------------------

namespace {

constexpr const char* old_report = "the report of an earlier run\n";

// Files in `dir` other than `keep`: a left temporary or a new report would show here.
std::vector<std::string> other_files(const fs::path& dir, const std::vector<std::string>& keep) {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().filename().string();
        if (std::find(keep.begin(), keep.end(), name) == keep.end()) found.push_back(name);
    }
    return found;
}

// In-process (--isolate none): an isolated plugin that exits is a worker crash (tests/isolation).
CommandResult run_in_process(const TempDir& temp, std::vector<std::string> args) {
    args.insert(args.begin(), {"--isolate", "none"});
    return run(temp, args);
}

}  // namespace

TEST_CASE("trust: a plugin that calls exit() in evaluate or prepare, or quick_exit(), ends impact with exit 3, the old report kept") {
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    const fs::path plugin = copy_file_to(exit_in_call_file, dir / "exit_in_call.so");
    const fs::path out = temp.path() / "out";
    fs::create_directories(out);
    struct Case {
        const char* model;
        std::string message;
    };
    for (const Case& c : {Case{"test.exit.evaluate", "impact: plugin " + plugin.string() +
                                                         " called exit(0) during evaluate of model test.exit.evaluate; "
                                                         "the run was stopped (exit 3)"},
                          Case{"test.exit.prepare", "impact: plugin " + plugin.string() +
                                                        " called exit(5) during prepare of model test.exit.prepare; "
                                                        "the run was stopped (exit 3)"},
                          Case{"test.exit.quick", "impact: plugin " + plugin.string() +
                                                      " called quick_exit() during evaluate of model test.exit.quick; "
                                                      "the run was stopped (exit 3)"}}) {
        const fs::path scenario = temp.write(
            "exit.toml", std::string("[scenario]\nname = \"exit\"\n\n[[step]]\nid = \"e\"\nmodel = \"") + c.model + "\"\nx = 1\n");
        const fs::path report = out / "report.txt";
        write_file(report, old_report);
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"--plugin-dir", dir.string(), "run", scenario.string(), "-o", report.string()},
              std::vector<std::string>{"--plugin-dir", dir.string(), "run", scenario.string()}}) {
            const CommandResult r = run_in_process(temp, args);
            INFO(c.model << ": " << r.describe());
            REQUIRE(r.exited);
            CHECK(r.exit_code == 3);
            CHECK(r.out.empty());
            CHECK(r.err == c.message + "\n");
            CHECK(read_file(report) == old_report);
            CHECK(other_files(out, {"report.txt"}).empty());
        }
    }
}

TEST_CASE("trust: a plugin that calls exit() on a Monte Carlo worker thread ends impact with exit 3") {
    const TempDir temp;
    const fs::path plugin = copy_file_to(exit_in_call_file, temp.path() / "plugins" / "exit_in_call.so");
    const fs::path report = temp.path() / "out" / "report.json";
    write_file(report, old_report);
    const fs::path scenario = temp.write("draws.toml", "[scenario]\nname = \"draws\"\n\n[[step]]\nid = \"d\"\nmodel = "
                                                       "\"test.exit.draws\"\nx = { dist = \"uniform\", low = 0, high = 200 }\n");
    const CommandResult point = run_in_process(temp, {"--plugin-dir", plugin.parent_path().string(), "run", scenario.string()});
    INFO(point.describe());
    REQUIRE(point.exit_code == 0);  // the point value, 100 at most, does not exit
    const CommandResult r = run_in_process(temp, {"--plugin-dir", plugin.parent_path().string(), "run", scenario.string(), "--draws",
                                       "100000", "--threads", "4", "--quiet", "--format", "json", "-o", report.string()});
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err == "impact: plugin " + plugin.string() +
                       " called exit(7) during evaluate of model test.exit.draws; the run was stopped (exit 3)\n");
    CHECK(read_file(report) == old_report);
    CHECK(other_files(report.parent_path(), {"report.json"}).empty());
}

TEST_CASE("trust: a plugin whose constructor calls exit(0) ends impact with exit 3 naming the load") {
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    const fs::path plugin = copy_file_to(exit_at_load_file, dir / "exit_at_load.so");
    const fs::path report = temp.path() / "report.txt";
    write_file(report, old_report);
    const fs::path scenario = temp.write("fx.toml", "[scenario]\nname = \"fx\"\n\n[[step]]\nid = \"c\"\nmodel = "
                                                    "\"fx.convert\"\namount = \"1 USD\"\nfrom = \"USD\"\nto = \"KRW\"\nrate = 1400\n");
    const std::string message =
        "impact: plugin " + plugin.string() + " called exit(0) during load; the run was stopped (exit 3)\n";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--plugin-dir", dir.string(), "plugins"},
          std::vector<std::string>{"--plugin-dir", dir.string(), "run", scenario.string(), "-o", report.string()}}) {
        const CommandResult r = run_in_process(temp, args);
        INFO(r.describe());
        REQUIRE(r.exited);
        CHECK(r.exit_code == 3);
        CHECK(r.out.empty());
        CHECK(r.err == message);
        CHECK(read_file(report) == old_report);
        CHECK(other_files(temp.path(), {"report.txt", "fx.toml", "plugins", "impact-cache"}).empty());
    }
}
