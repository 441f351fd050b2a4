// `impact run -o` and the inputs of `run` and `convert` as a user meets them: refusals in one line, exit 2, promptly.
#include "io_test_support.hpp"
#include "support/json_parse.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace io_test;

// Long enough for a loaded machine; a run that blocks is killed at this limit and the test fails.
constexpr double kTimeLimitSeconds = 20;

TimedResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return run_impact_timed(IMPACT_IO_IMPACT_EXE, args, scratch, kTimeLimitSeconds);
}

// Exit code 2, nothing on stdout, one line on stderr, and not killed at the time limit.
void check_input_refusal(const TimedResult& r) {
    INFO(r.command.describe());
    CHECK_FALSE(r.timed_out);
    CHECK(r.command.exit_code == 2);
    CHECK(r.command.out.empty());
    CHECK(is_one_line(r.command.err));
}

// A scenario with one data file (read and checked even though no step uses it) and one fx step.
struct Workspace {
    TempDir dir;
    fs::path scratch = dir.path() / "scratch";
    fs::path inputs = dir.path() / "inputs";
    fs::path out_dir = dir.path() / "out";
    fs::path data = inputs / "prices.csv";
    fs::path scenario = inputs / "scenario.toml";
    std::string scenario_text = "[scenario]\n"
                                "name = \"Charge in KRW\"\n"
                                "\n"
                                "[data.prices]\n"
                                "file = \"prices.csv\"\n"
                                "value = \"close\"\n"
                                "\n"
                                "[[step]]\n"
                                "id = \"charge_krw\"\n"
                                "model = \"fx.convert\"\n"
                                "amount = \"5.5B USD\"\n"
                                "to = \"KRW\"\n"
                                "rate = 1428.8\n";
    std::string data_text = "date,close\n2025-04-14,100\n2025-04-15,101\n";

    Workspace() {
        fs::create_directories(scratch);
        fs::create_directories(out_dir);
        write_file(data, data_text);
        write_file(scenario, scenario_text);
    }

    TimedResult run_to(const fs::path& out) const { return run_impact({"run", scenario.string(), "-o", out.string()}, scratch); }
};

// The -o refusal: exit 2, one line "impact: error: OUT: cannot write: ...", nothing on stdout.
void check_output_refusal(const TimedResult& r, const fs::path& out, std::string_view why) {
    check_input_refusal(r);
    INFO(r.command.describe());
    CHECK(r.command.err.rfind("impact: error: " + out.string() + ": cannot write: ", 0) == 0);
    CHECK(contains(r.command.err, why));
}

}  // namespace

TEST_CASE("impact run -o refuses a device and leaves it a device", "[io][cli]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot make a device node; skipped");
        return;
    }
    Workspace w;
    // Our own null device in a temporary folder: the system's /dev/null is never a target.
    const fs::path device = w.out_dir / "null";
    REQUIRE(::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    check_output_refusal(w.run_to(device), device, "it is a character device, not a regular file");
    CHECK(fs::is_character_file(device));
    CHECK(lstat_of(device).st_rdev == makedev(1, 3));
    CHECK(names_in(w.out_dir) == std::set<std::string>{"null"});
}

TEST_CASE("impact run -o refuses a FIFO promptly", "[io][cli]") {
    Workspace w;
    const fs::path fifo = w.out_dir / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    check_output_refusal(w.run_to(fifo), fifo, "it is a FIFO, not a regular file");
    CHECK(fs::is_fifo(fifo));
}

TEST_CASE("impact run -o onto a directory says it is a directory", "[io][cli]") {
    Workspace w;
    check_output_refusal(w.run_to(w.out_dir), w.out_dir, "it is a directory; name a file inside it");
    CHECK(fs::is_directory(w.out_dir));
    CHECK(fs::is_empty(w.out_dir));
}

TEST_CASE("impact run -o refuses the scenario file and its data file, and leaves them unchanged", "[io][cli]") {
    Workspace w;
    SECTION("the scenario file") {
        check_output_refusal(w.run_to(w.scenario), w.scenario,
                             "it is " + w.scenario.string() + ", a file this run reads or runs");
    }
    SECTION("the scenario file through a relative spelling") {
        const fs::path other = w.inputs / ".." / "inputs" / "scenario.toml";
        check_output_refusal(w.run_to(other), other, "a file this run reads or runs");
    }
    SECTION("a [data.*] file") {
        check_output_refusal(w.run_to(w.data), w.data, "it is " + w.data.string() + ", a file this run reads or runs");
    }
    CHECK(read_file(w.scenario) == w.scenario_text);
    CHECK(read_file(w.data) == w.data_text);
    CHECK(names_in(w.inputs) == std::set<std::string>{"prices.csv", "scenario.toml"});
}

TEST_CASE("impact run -o keeps a replaced report's mode and gives a new one 0666 less the umask", "[io][cli]") {
    Workspace w;
    const fs::path existing = w.out_dir / "private.txt";
    write_file(existing, "old report\n");
    fs::permissions(existing, fs::perms::owner_read | fs::perms::owner_write);
    const TimedResult replaced = w.run_to(existing);
    INFO(replaced.command.describe());
    CHECK(replaced.command.exit_code == 0);
    CHECK(contains(read_file(existing), "charge_krw"));
    CHECK(mode_of(existing) == 0600);

    const fs::path fresh = w.out_dir / "fresh.txt";
    {
        const UmaskGuard umask(027);
        const TimedResult created = w.run_to(fresh);
        INFO(created.command.describe());
        CHECK(created.command.exit_code == 0);
    }
    CHECK(mode_of(fresh) == 0640);
    INFO("folder holds " << joined(names_in(w.out_dir)));
    CHECK(names_in(w.out_dir) == std::set<std::string>{"fresh.txt", "private.txt"});
}

TEST_CASE("impact run -o refuses a symbolic link and a file with two hard links", "[io][cli]") {
    Workspace w;
    const fs::path real = w.out_dir / "real.txt";
    write_file(real, "real\n");
    SECTION("symbolic link: refused, naming where it points; link and target unchanged") {
        const fs::path link = w.out_dir / "link.txt";
        fs::create_symlink(real, link);
        check_output_refusal(w.run_to(link), link, "it is a symbolic link to " + real.string());
        CHECK(fs::is_symlink(link));
        CHECK(read_file(real) == "real\n");
    }
    SECTION("hard link: refused; both names keep the old content") {
        const fs::path second = w.out_dir / "second.txt";
        fs::create_hard_link(real, second);
        check_output_refusal(w.run_to(real), real, "it has 2 hard links");
        CHECK(read_file(real) == "real\n");
        CHECK(fs::hard_link_count(real) == 2);
    }
}

TEST_CASE("impact run -o writes a 250-character file name and leaves no temporary", "[io][cli]") {
    Workspace w;
    const fs::path out = w.out_dir / (std::string(246, 'n') + ".txt");
    const TimedResult r = w.run_to(out);
    INFO(r.command.describe());
    CHECK(r.command.exit_code == 0);
    CHECK(contains(read_file(out), "charge_krw"));
    INFO("folder holds " << joined(names_in(w.out_dir)));
    CHECK(names_in(w.out_dir) == std::set<std::string>{out.filename().string()});
}

TEST_CASE("impact run on a FIFO or /dev/zero exits 2 at once with one line", "[io][cli]") {
    Workspace w;
    SECTION("FIFO") {
        const fs::path fifo = w.inputs / "scenario.fifo";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        const TimedResult r = run_impact({"run", fifo.string()}, w.scratch);
        check_input_refusal(r);
        CHECK(r.command.err == "impact: error: " + fifo.string() + ": expected a regular file, found a FIFO\n");
    }
    SECTION("/dev/zero, read but never written") {
        const TimedResult r = run_impact({"run", "/dev/zero"}, w.scratch);
        check_input_refusal(r);
        CHECK(r.command.err == "impact: error: /dev/zero: expected a regular file, found a character device\n");
    }
}

TEST_CASE("impact convert --rates FIFO exits 2 at once with one line", "[io][cli]") {
    Workspace w;
    const fs::path fifo = w.inputs / "rates.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const TimedResult r =
        run_impact({"convert", "5.5B", "USD", "KRW", "--rates", fifo.string(), "--date", "2025-04-16"}, w.scratch);
    check_input_refusal(r);
    CHECK(r.command.err == "impact: error: " + fifo.string() + ": expected a regular file, found a FIFO\n");
}

TEST_CASE("input files over --max-input-mb are refused, and a higher limit reads them", "[io][cli]") {
    Workspace w;
    SECTION("over the default 64 MB") {
        const fs::path big = w.inputs / "big.toml";
        write_file(big, "");
        fs::resize_file(big, 65 * 1024 * 1024);  // a hole: no disk space used
        const TimedResult r = run_impact({"run", big.string()}, w.scratch);
        check_input_refusal(r);
        CHECK(r.command.err == "impact: error: " + big.string() + ": is 65.0 MB; the input limit is 64 MB (--max-input-mb)\n");
    }
    // The scenario padded with a comment to just over 1 MB.
    const std::string padded = w.scenario_text + "# " + std::string(1024 * 1024, 'x') + "\n";
    write_file(w.scenario, padded);
    SECTION("the scenario file") {
        const TimedResult refused = run_impact({"--max-input-mb", "1", "run", w.scenario.string()}, w.scratch);
        check_input_refusal(refused);
        CHECK(contains(refused.command.err, w.scenario.string() + ": is 1.0 MB; the input limit is 1 MB (--max-input-mb)"));
        const TimedResult read = run_impact({"--max-input-mb", "2", "run", w.scenario.string()}, w.scratch);
        INFO(read.command.describe());
        CHECK(read.command.exit_code == 0);
        CHECK(contains(read.command.out, "charge_krw"));
    }
    SECTION("a data file, with the option after the subcommand") {
        write_file(w.scenario, w.scenario_text);
        write_file(w.data, w.data_text + std::string(1024 * 1024, '\n'));
        const TimedResult refused = run_impact({"validate", w.scenario.string(), "--max-input-mb", "1"}, w.scratch);
        check_input_refusal(refused);
        CHECK(contains(refused.command.err, w.data.string() + ": is 1.0 MB; the input limit is 1 MB (--max-input-mb)"));
        const TimedResult read = run_impact({"validate", w.scenario.string(), "--max-input-mb", "2"}, w.scratch);
        INFO(read.command.describe());
        CHECK(read.command.exit_code == 0);
    }
    SECTION("a quote file") {
        const fs::path rates = w.inputs / "rates.csv";
        write_file(rates, "date,base,quote,rate\n2025-04-14,USD,KRW,1428.8\n" + std::string(1024 * 1024, '\n'));
        const std::vector<std::string> convert{"convert", "5.5B", "USD", "KRW", "--rates", rates.string(), "--date",
                                               "2025-04-14"};
        std::vector<std::string> args{"--max-input-mb", "1"};
        args.insert(args.end(), convert.begin(), convert.end());
        check_input_refusal(run_impact(args, w.scratch));
        args[1] = "2";
        const TimedResult read = run_impact(args, w.scratch);
        INFO(read.command.describe());
        CHECK(read.command.exit_code == 0);
    }
    SECTION("a limit of 0 is refused as a usage error") {
        check_input_refusal(run_impact({"--max-input-mb", "0", "run", w.scenario.string()}, w.scratch));
    }
}

TEST_CASE("a SIGTERM at any moment of impact run -o leaves no temporary behind", "[io][cli]") {
    // Not deterministic about where the signal lands, so it lands at many moments, from start-up to
    // after the write; whatever the moment, the folder may hold the whole report or nothing else.
    // A fixed clock: the report says when it was made, and every run must make the same bytes.
    ::setenv("SOURCE_DATE_EPOCH", "1764460800", 1);
    Workspace w;
    const fs::path out = w.out_dir / "report.txt";
    const TimedResult timed = w.run_to(out);
    REQUIRE(timed.command.exit_code == 0);
    const std::string whole = read_file(out);
    fs::remove(out);
    const int kRuns = 24;
    for (int i = 0; i < kRuns; ++i) {
        const double delay = timed.seconds * 1.2 * i / kRuns;
        const TimedResult r = run_impact_timed(IMPACT_IO_IMPACT_EXE, {"run", w.scenario.string(), "-o", out.string()},
                                               w.scratch, kTimeLimitSeconds, SIGTERM, delay);
        INFO(r.command.describe() << "\nsignal after " << delay << " s");
        CHECK_FALSE(r.timed_out);
        const std::set<std::string> names = names_in(w.out_dir);
        INFO("folder holds " << joined(names));
        CHECK((names.empty() || names == std::set<std::string>{"report.txt"}));
        if (!names.empty()) CHECK(read_file(out) == whole);
        fs::remove(out);
    }
}

TEST_CASE("impact run -o refuses a plugin file on the search path, and leaves it unchanged", "[io][cli]") {
    // A copy of the bundled fx plugin in a folder of its own, on the path with --plugin-dir (it is
    // listed as a duplicate of the bundled one). Review finding: -o onto a plugin replaced it.
    Workspace w;
    const fs::path plugin_dir = w.dir.path() / "plugins";
    fs::create_directories(plugin_dir);
    const fs::path plugin = plugin_dir / "copied-fx.so";
    fs::copy_file(fs::path(IMPACT_IO_PLUGIN_OUTPUT_DIR) / "impact-fx.so", plugin);
    const std::string before = read_file(plugin);
    const auto r = run_impact({"--plugin-dir", plugin_dir.string(), "run", w.scenario.string(), "-o", plugin.string()},
                              w.scratch);
    // stderr also holds the warning that the copy duplicates the bundled plugin id.
    INFO(r.command.describe());
    CHECK(r.command.exit_code == 2);
    CHECK(r.command.out.empty());
    CHECK(contains(r.command.err, "impact: error: " + plugin.string() + ": cannot write: it is " + plugin.string() +
                                      ", a file this run reads or runs"));
    CHECK(read_file(plugin) == before);
}

TEST_CASE("a report that cannot be written to stdout fails the run (exit 2), for text and JSON", "[io][cli]") {
    // /dev/full takes no byte (ENOSPC): before, `impact run > /dev/full` exited 0 with no report.
    Workspace w;
    for (const std::string format : {"text", "json"}) {
        const fs::path err = w.scratch / "stderr.txt";
        const std::string command = "IMPACT_CACHE_DIR='" + (w.scratch / "impact-cache").string() + "' '" +
                                    std::string(IMPACT_IO_IMPACT_EXE) + "' run '" + w.scenario.string() +
                                    "' --format " + format + " >/dev/full 2>'" + err.string() + "'";
        const int status = std::system(command.c_str());
        INFO(command << "\nstderr: " << read_file(err));
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 2);
        const std::string message = read_file(err);
        CHECK(is_one_line(message));
        CHECK(contains(message, "cannot write the output to standard output: No space left on device"));
    }
}

// docs/scenarios.md, "JSON text": a path that is not UTF-8 is written with U+FFFD and its bytes in hex.
TEST_CASE("JSON output (run, plugins) stays valid and says the bytes of a path that is not UTF-8", "[io][cli][json]") {
    TempDir dir;
    // "caf\xe9": Latin-1 é, a byte that is not UTF-8 on its own.
    const fs::path odd = dir.path() / "caf\xe9";
    const fs::path scratch = dir.path() / "scratch";
    fs::create_directories(scratch);
    const auto hex_of = [](const std::string& bytes) {
        std::string hex;
        for (const unsigned char c : bytes) {
            hex += "0123456789abcdef"[c >> 4];
            hex += "0123456789abcdef"[c & 0x0f];
        }
        return hex;
    };
    const auto with_replacement = [&](const fs::path& path) {
        std::string text = path.native();
        text.replace(text.find('\xe9'), 1, "\xEF\xBF\xBD");  // U+FFFD
        return text;
    };

    SECTION("impact run --format json: the scenario's file") {
        const fs::path scenario = odd / "scenario.toml";
        write_file(scenario, "[scenario]\nname = \"Charge in KRW\"\n\n[[step]]\nid = \"charge_krw\"\n"
                             "model = \"fx.convert\"\namount = \"5.5B USD\"\nto = \"KRW\"\nrate = 1428.8\n");
        const TimedResult r = run_impact({"run", scenario.string(), "--format", "json"}, scratch);
        INFO(r.command.describe());
        REQUIRE(r.command.exit_code == 0);
        nlohmann::json doc;
        REQUIRE_NOTHROW(doc = impact::test::parse_json(r.command.out));
        CHECK(doc.at("scenario").at("file").get<std::string>() == with_replacement(scenario));
        CHECK(doc.at("scenario").at("file_hex").get<std::string>() == hex_of(scenario.native()));
        CHECK_FALSE(doc.at("provenance").at("plugins").at(0).contains("file_hex"));
    }
    SECTION("impact plugins --json: a --plugin-dir and a rejected file in it") {
        // A second copy of the fx plugin: its plugin id is already loaded, so it is rejected.
        const fs::path copy = odd / "fx-again.so";
        fs::create_directories(odd);
        fs::copy_file(fs::path(IMPACT_IO_PLUGIN_OUTPUT_DIR) / "impact-fx.so", copy);
        const TimedResult r = run_impact({"--plugin-dir", odd.string(), "plugins", "--json"}, scratch);
        INFO(r.command.describe());
        REQUIRE(r.command.exit_code == 0);
        nlohmann::json doc;
        REQUIRE_NOTHROW(doc = impact::test::parse_json(r.command.out));
        const nlohmann::json& dirs = doc.at("search_path");
        const auto dir_entry = std::find_if(dirs.begin(), dirs.end(), [](const nlohmann::json& d) {
            return d.at("origin").get<std::string>() == "--plugin-dir";
        });
        REQUIRE(dir_entry != dirs.end());
        CHECK(dir_entry->at("dir").get<std::string>() == with_replacement(odd));
        CHECK(dir_entry->at("dir_hex").get<std::string>() == hex_of(odd.native()));
        REQUIRE(doc.at("rejected").size() == 1);
        CHECK(doc.at("rejected").at(0).at("file").get<std::string>() == with_replacement(copy));
        CHECK(doc.at("rejected").at(0).at("file_hex").get<std::string>() == hex_of(copy.native()));
        // The reason quotes the name as the terminal shows it.
        CHECK(contains(doc.at("rejected").at(0).at("reason").get<std::string>(), "\\xe9"));
    }
}

TEST_CASE("impact run --format md,csv,json -o DIR: every report or none, the old ones kept whole", "[io][cli][report]") {
    Workspace w;
    const fs::path reports = w.out_dir / "reports";
    const auto run_formats = [&](const std::string& formats) {
        return run_impact({"run", w.scenario.string(), "--format", formats, "-o", reports.string()}, w.scratch);
    };
    // The first run makes the folder and one file per format, named after the scenario.
    {
        const TimedResult r = run_formats("md,csv,json");
        INFO(r.command.describe());
        REQUIRE(r.command.exit_code == 0);
        CHECK(names_in(reports) == std::set<std::string>{"scenario.csv", "scenario.json", "scenario.md"});
        CHECK(contains(read_file(reports / "scenario.md"), "# Charge in KRW\n"));
        CHECK(contains(read_file(reports / "scenario.csv"), "charge_krw,fx.convert,"));
    }
    // A folder where the CSV would go: the run is refused and neither other report is replaced.
    write_file(reports / "scenario.md", "old markdown\n");
    write_file(reports / "scenario.json", "old json\n");
    fs::remove(reports / "scenario.csv");
    fs::create_directory(reports / "scenario.csv");
    const TimedResult r = run_formats("md,csv,json");
    check_output_refusal(r, reports / "scenario.csv", "it is a directory");
    CHECK(read_file(reports / "scenario.md") == "old markdown\n");
    CHECK(read_file(reports / "scenario.json") == "old json\n");
    // No temporary left behind.
    CHECK(names_in(reports) == std::set<std::string>{"scenario.csv", "scenario.json", "scenario.md"});
}

TEST_CASE("impact run: report options refused before anything runs or any folder is made", "[io][cli][report]") {
    Workspace w;
    const fs::path reports = w.out_dir / "new-folder";
    write_file(w.inputs / "bad.md.mustache", "# {{title}}\n{{#steps}}{{id}}\n");
    struct Case {
        std::vector<std::string> args;
        std::string message;  // the one line after "impact: error: "
    };
    const std::vector<Case> cases{
        {{"--format", "md,pdf", "-o", reports.string()},
         "--format: expected text, md, csv, json, xlsx or html (several separated by commas), found \"pdf\""},
        {{"--format", "md,md", "-o", reports.string()}, "--format: expected each format once, found \"md\" twice"},
        {{"--format", "md,csv"}, "--format md,csv: expected -o FOLDER for several formats (one file each), found none"},
        {{"--format", "xlsx"},
         "--format xlsx: expected -o FILE, found none (an Excel workbook is not written to standard output)"},
        {{"--format", "md,csv", "-o", reports.string(), "--template", (w.inputs / "bad.md.mustache").string()},
         (w.inputs / "bad.md.mustache").string() +
             ":2:1: template: expected {{/steps}} to close the section opened here, found the end of the template"},
        {{"--format", "md,html", "-o", reports.string(), "--template", (w.inputs / "bad.md.mustache").string()},
         "--template " + (w.inputs / "bad.md.mustache").string() +
             ": expected md=FILE or html=FILE when both md and html are written, found a plain file name"},
        {{"--format", "md", "--locale", "fr"}, "--locale: expected en or ko, found 'fr'"},
    };
    for (const Case& c : cases) {
        std::vector<std::string> args{"run", w.scenario.string()};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const TimedResult r = run_impact(args, w.scratch);
        INFO(r.command.describe());
        check_input_refusal(r);
        CHECK(r.command.err == "impact: error: " + c.message + "\n");
        CHECK_FALSE(fs::exists(reports));
    }
}
