// Runs the built `impact` beside folders of bad plugins: it must list them, keep working, and warn on stderr only.
#include "host_test_support.hpp"

#include "support/json_parse.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace host_test;
using impact::test::CommandResult;
using impact::test::parse_json;

const char* const impact_exe = IMPACT_HOST_IMPACT_EXE;

// The convert example of the brief: 5.5 billion USD at 1428.8 KRW per USD.
constexpr double amount_usd = 5.5e9;
constexpr double rate_krw_per_usd = 1428.8;

// `impact args...` with its stdout and stderr captured in `scratch` (support/process.hpp).
CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return impact::test::run_impact(impact_exe, args, scratch);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A line of `text` naming `bad.file` and holding every word of its reason; "" when none does.
std::string line_about(const std::string& text, const BadFile& bad) {
    for (const std::string& line : lines_of(text)) {
        if (!contains(line, bad.file.string())) continue;
        const std::string rest = without(line, bad.file.string());
        if (std::all_of(bad.reason_parts.begin(), bad.reason_parts.end(),
                        [&](const std::string& part) { return contains(rest, part); }))
            return line;
    }
    return {};
}

// What a BadFolder holds. The 1000-byte truncated copy is kept apart: the loader currently dies
// with SIGBUS on it, and the other checks should still report on their own.
enum class Contents { every_bad_file_but_truncated_copy, truncated_copy_only };

// A folder of bad plugins and scratch space for one test.
struct BadFolder {
    TempDir temp;
    fs::path dir = temp.path() / "bad plugins";  // a space: arguments must pass unsplit
    std::vector<BadFile> bad;

    explicit BadFolder(Contents contents) : bad(fill(dir, contents)) {}

private:
    static std::vector<BadFile> fill(const fs::path& dir, Contents contents) {
        if (contents == Contents::every_bad_file_but_truncated_copy)
            return make_bad_plugin_folder(dir, /*with_truncated_copy=*/false);
        std::vector<BadFile> bad;
        bad.push_back({"good_a cut to 1000 bytes", copy_prefix(good_a_file, dir / "truncated.so", truncated_copy_bytes),
                       {reason_too_short}});
        return bad;
    }
};

// `impact plugins`: exit 0, each bad file listed with its reason, the bundled fx plugin still there.
void check_plugins_listing(const BadFolder& folder) {
    const CommandResult r = run_impact({"--plugin-dir", folder.dir.string(), "plugins"}, folder.temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "org.impact.fx"));
    CHECK(contains(r.out, std::to_string(folder.bad.size()) + " rejected"));
    for (const BadFile& b : folder.bad) {
        INFO("bad file: " << b.kind << " at " << b.file.string());
        CHECK_FALSE(line_about(r.out, b).empty());
    }
}

// `impact plugins --json`: valid JSON whose "rejected" array holds one entry per bad file.
void check_plugins_json(const BadFolder& folder) {
    const CommandResult r = run_impact({"--plugin-dir", folder.dir.string(), "plugins", "--json"}, folder.temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    REQUIRE(r.exit_code == 0);
    nlohmann::json doc;
    REQUIRE_NOTHROW(doc = parse_json(r.out));
    REQUIRE(doc.at("rejected").is_array());
    CHECK(doc.at("rejected").size() == folder.bad.size());
    for (const BadFile& b : folder.bad) {
        INFO("bad file: " << b.kind << " at " << b.file.string());
        const nlohmann::json& rejected = doc.at("rejected");
        const auto it = std::find_if(rejected.begin(), rejected.end(),
                                     [&](const nlohmann::json& e) { return e.at("file").get<std::string>() == b.file.string(); });
        REQUIRE(it != rejected.end());
        const std::string reason = it->at("reason").get<std::string>();
        INFO("reason: " << reason);
        CHECK(is_one_line(reason));
        for (const std::string& part : b.reason_parts) CHECK(contains(without(reason, b.file.string()), part));
    }
    const nlohmann::json& plugins = doc.at("plugins");
    CHECK(std::any_of(plugins.begin(), plugins.end(),
                      [](const nlohmann::json& p) { return p.at("id").get<std::string>() == "org.impact.fx"; }));
    const nlohmann::json& search_path = doc.at("search_path");
    CHECK(std::any_of(search_path.begin(), search_path.end(), [&](const nlohmann::json& d) {
        return d.at("dir").get<std::string>() == folder.dir.string() && d.at("origin").get<std::string>() == "--plugin-dir";
    }));
}

// `impact convert`: the right answer on stdout, one warning per bad file on stderr and none on stdout.
void check_convert(const BadFolder& folder, const std::vector<std::string>& args) {
    const CommandResult r = run_impact(args, folder.temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    REQUIRE(r.exit_code == 0);
    // 5.5e9 * 1428.8 = 7,858,400,000,000 KRW; the rate is printed as given.
    CHECK(contains(r.out, "7,858,400,000,000 KRW"));
    CHECK(contains(r.out, "1,428.8"));
    CHECK_FALSE(contains(r.out, "warning"));
    for (const BadFile& b : folder.bad) {
        INFO("bad file: " << b.kind << " at " << b.file.string());
        CHECK_FALSE(contains(r.out, b.file.string()));
        const std::string line = line_about(r.err, b);
        CHECK(contains(line, "warning"));
    }
    const auto err_lines = lines_of(r.err);
    CHECK(std::count_if(err_lines.begin(), err_lines.end(), [](const std::string& l) { return contains(l, "warning"); }) ==
          static_cast<std::ptrdiff_t>(folder.bad.size()));
}

}  // namespace

TEST_CASE("host cli: impact plugins exits 0 and lists each rejected file with its reason and still lists org.impact.fx") {
    const BadFolder folder(Contents::every_bad_file_but_truncated_copy);
    check_plugins_listing(folder);
}

TEST_CASE("host cli: impact plugins --json parses and has one rejected entry per bad file") {
    const BadFolder folder(Contents::every_bad_file_but_truncated_copy);
    check_plugins_json(folder);
}

TEST_CASE("host cli: impact convert answers beside bad plugins and warns about each on stderr only") {
    const BadFolder folder(Contents::every_bad_file_but_truncated_copy);
    check_convert(folder, {"--plugin-dir", folder.dir.string(), "convert", "5.5B", "USD", "KRW", "--rate", "1428.8"});
}

TEST_CASE("host cli: impact convert --json gives the product of amount and rate beside bad plugins") {
    const BadFolder folder(Contents::every_bad_file_but_truncated_copy);
    const CommandResult r = run_impact(
        {"--plugin-dir", folder.dir.string(), "convert", "5.5B", "USD", "KRW", "--rate", "1428.8", "--json"},
        folder.temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    REQUIRE(r.exit_code == 0);
    nlohmann::json doc;
    REQUIRE_NOTHROW(doc = parse_json(r.out));
    const double converted_krw = doc.at("converted").at("value").get<double>();
    const double expected_krw = amount_usd * rate_krw_per_usd;
    CAPTURE(converted_krw, expected_krw);
    CHECK(std::abs(converted_krw - expected_krw) <= 1e-12 * expected_krw);
    CHECK(doc.at("converted").at("currency").get<std::string>() == "KRW");
}

TEST_CASE("host cli: --plugin-dir is accepted after the subcommand as the usage examples write it") {
    // `impact convert 5.5B USD KRW --rate 1428.8 --plugin-dir DIR`: --plugin-dir is a global option
    // and users put it last; the command must not refuse it as an unexpected argument.
    const BadFolder folder(Contents::every_bad_file_but_truncated_copy);
    check_convert(folder, {"convert", "5.5B", "USD", "KRW", "--rate", "1428.8", "--plugin-dir", folder.dir.string()});
    const CommandResult r = run_impact({"plugins", "--plugin-dir", folder.dir.string()}, folder.temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, std::to_string(folder.bad.size()) + " rejected"));
}

TEST_CASE("host cli: a plugin copy cut to 1000 bytes does not crash impact") {
    const BadFolder folder(Contents::truncated_copy_only);
    SECTION("plugins") { check_plugins_listing(folder); }
    SECTION("plugins --json") { check_plugins_json(folder); }
    SECTION("convert") {
        check_convert(folder, {"--plugin-dir", folder.dir.string(), "convert", "5.5B", "USD", "KRW", "--rate", "1428.8"});
    }
}

// ---- Descriptors the host must not trust, escaped output, missing folders (issue #6) ---------

namespace {

// `impact args...` with IMPACT_PLUGIN_PATH set: run_impact clears that variable, so the command
// goes through env(1), which sets it and then runs impact (still no shell).
CommandResult run_impact_with_plugin_path(const std::string& plugin_path, const std::vector<std::string>& args,
                                          const fs::path& scratch) {
    std::vector<std::string> env_args{"IMPACT_PLUGIN_PATH=" + plugin_path, impact_exe};
    env_args.insert(env_args.end(), args.begin(), args.end());
    return impact::test::run_impact("/usr/bin/env", env_args, scratch);
}

bool has_control_bytes(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\n') || byte == 0x7F;
    });
}

}  // namespace

TEST_CASE("host cli: ESC sequences and line breaks from plugins and file names print escaped, one line each") {
    const TempDir temp;
    const fs::path dir = temp.path() / "plugins";
    const BadDescriptor* esc = nullptr;
    const BadDescriptor* newline = nullptr;
    for (const BadDescriptor& d : bad_descriptors()) {
        if (d.file.filename() == "bad_esc_name.so") esc = &d;
        if (d.file.filename() == "bad_newline.so") newline = &d;
    }
    REQUIRE(esc);
    REQUIRE(newline);
    copy_file_to(esc->file, dir / "bad_esc_name.so");
    copy_file_to(newline->file, dir / "bad_newline.so");
    // A good plugin under a file name that would clear the screen and forge a line.
    const std::string evil_name = "good\x1b[2J\nRejected: none.so";
    copy_file_to(good_a_file, dir / evil_name);

    for (const std::vector<std::string>& args : {std::vector<std::string>{"--plugin-dir", dir.string(), "plugins"},
                                                 std::vector<std::string>{"--plugin-dir", dir.string(), "-v", "plugins"}}) {
        const CommandResult r = run_impact(args, temp.path());
        INFO(r.describe());
        REQUIRE(r.exited);
        REQUIRE(r.exit_code == 0);
        CHECK_FALSE(has_control_bytes(r.out));
        CHECK_FALSE(has_control_bytes(r.err));
        CHECK(contains(r.out, "2 rejected"));
        CHECK(contains(r.out, "\\e[2J\\e[HCleared your screen"));
        CHECK(contains(r.out, "Looks fine\\nRejected: none, every plugin is safe"));
        CHECK(contains(r.out, "good\\e[2J\\nRejected: none.so"));
        // No line of output starts with the text a plugin or a file name tried to forge.
        for (const std::string& line : lines_of(r.out + r.err)) {
            CHECK_FALSE(line.rfind("Rejected: none", 0) == 0);
            CHECK_FALSE(line.rfind("Cleared your screen", 0) == 0);
        }
    }
    const CommandResult verbose = run_impact({"--plugin-dir", dir.string(), "-v", "plugins"}, temp.path());
    // Loaded on the first run; listed from the plugin cache (tests/support/process.hpp) after.
    CHECK((contains(verbose.err, "loaded org.impact.test.good-a") || contains(verbose.err, "listed org.impact.test.good-a")));
    CHECK(contains(verbose.err, "good\\e[2J\\nRejected: none.so"));
}

TEST_CASE("host cli: each bad descriptor is rejected and impact convert still answers beside all of them") {
    const TempDir temp;
    const fs::path dir = temp.path() / "descriptors";
    for (const BadDescriptor& d : bad_descriptors()) copy_file_to(d.file, dir / d.file.filename());
    const CommandResult r = run_impact({"--plugin-dir", dir.string(), "plugins"}, temp.path());
    INFO(r.describe());
    REQUIRE(r.exited);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, std::to_string(bad_descriptors().size()) + " rejected"));
    for (const BadDescriptor& d : bad_descriptors()) {
        INFO("bad descriptor: " << d.kind);
        CHECK_FALSE(line_about(r.out, BadFile{d.kind, dir / d.file.filename(), d.reason_parts}).empty());
    }
    const CommandResult convert =
        run_impact({"--plugin-dir", dir.string(), "convert", "5.5B", "USD", "KRW", "--rate", "1428.8"}, temp.path());
    INFO(convert.describe());
    REQUIRE(convert.exited);
    CHECK(convert.exit_code == 0);
    CHECK(contains(convert.out, "7,858,400,000,000 KRW"));
}

// (A missing --plugin-dir folder is already refused by the command line with exit code 2.)
TEST_CASE("host cli: a missing IMPACT_PLUGIN_PATH folder is shown in text, JSON and -v") {
    const TempDir temp;
    const fs::path absent_env = temp.path() / "no such env folder";
    const fs::path present = temp.path() / "present";
    fs::create_directories(present);
    const std::string plugin_path = absent_env.string() + ":" + present.string();

    const CommandResult text =
        run_impact_with_plugin_path(plugin_path, {"plugins"}, temp.path());
    INFO(text.describe());
    REQUIRE(text.exited);
    REQUIRE(text.exit_code == 0);
    const auto search_line = [&](const fs::path& dir) {
        for (const std::string& line : lines_of(text.out))
            if (contains(line, dir.string())) return line;
        return std::string();
    };
    CHECK(contains(search_line(absent_env), "IMPACT_PLUGIN_PATH"));
    CHECK(contains(search_line(absent_env), "(missing)"));
    CHECK(contains(search_line(present), "IMPACT_PLUGIN_PATH"));
    CHECK_FALSE(contains(search_line(present), "(missing)"));

    const CommandResult json = run_impact_with_plugin_path(plugin_path, {"plugins", "--json"}, temp.path());
    INFO(json.describe());
    REQUIRE(json.exit_code == 0);
    nlohmann::json doc;
    REQUIRE_NOTHROW(doc = parse_json(json.out));
    const nlohmann::json& search_path = doc.at("search_path");
    const auto entry = [&](const fs::path& dir) {
        return std::find_if(search_path.begin(), search_path.end(),
                            [&](const nlohmann::json& d) { return d.at("dir").get<std::string>() == dir.string(); });
    };
    REQUIRE(entry(absent_env) != search_path.end());
    CHECK(entry(absent_env)->at("origin").get<std::string>() == "IMPACT_PLUGIN_PATH");
    CHECK(entry(absent_env)->at("missing").get<bool>());
    REQUIRE(entry(present) != search_path.end());
    CHECK_FALSE(entry(present)->at("missing").get<bool>());

    const CommandResult verbose = run_impact_with_plugin_path(
        plugin_path, {"-v", "convert", "5.5B", "USD", "KRW", "--rate", "1428.8"}, temp.path());
    INFO(verbose.describe());
    REQUIRE(verbose.exit_code == 0);
    CHECK(contains(verbose.out, "7,858,400,000,000 KRW"));
    bool said_missing = false;
    for (const std::string& line : lines_of(verbose.err))
        said_missing = said_missing || (contains(line, absent_env.string()) && contains(line, "no such folder"));
    CHECK(said_missing);
}
