// Tests the plugin descriptor cache through the built `impact`: hits skip loading, changes invalidate, damage is ignored.
#include "host_test_support.hpp"

#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace host_test;
using impact::test::CommandResult;

const char* const impact_exe = IMPACT_HOST_IMPACT_EXE;
const fs::path load_marker_file{IMPACT_HOST_PLUGIN_LOAD_MARKER};
constexpr const char* marker_plugin_id = "org.impact.test.load-marker";

// One test's folders: plugins, the cache, the load marker and scratch space for each run.
struct CacheWorkspace {
    TempDir temp;
    fs::path plugins = temp.path() / "plugins";
    fs::path cache = temp.path() / "cache";
    fs::path marker = temp.path() / "loads.txt";

    CacheWorkspace() {
        fs::create_directories(plugins);
        copy_file_to(load_marker_file, plugins / "load_marker.so");
        copy_file_to(good_a_file, plugins / "good_a.so");
    }

    // `impact --plugin-dir <plugins> args...` with this workspace's cache (or `cache_dir`).
    CommandResult run(std::vector<std::string> args, std::vector<std::string> environment = {}) const {
        // In-process: the load marker writes a file when loaded, which an isolated worker's sandbox
        // forbids (tests/isolation covers that); here the subject is the cache.
        args.insert(args.begin(), {"--isolate", "none", "--plugin-dir", plugins.string()});
        environment.push_back("IMPACT_TEST_LOAD_MARKER=" + marker.string());
        if (std::none_of(environment.begin(), environment.end(),
                         [](const std::string& e) { return e.rfind("IMPACT_CACHE_DIR=", 0) == 0; }))
            environment.push_back("IMPACT_CACHE_DIR=" + cache.string());
        return impact::test::run_impact(impact_exe, args, temp.path(), environment);
    }

    // How many times load_marker.so has been loaded by all runs so far.
    std::size_t loads() const {
        std::error_code ec;
        if (!fs::exists(marker, ec)) return 0;
        const std::string text = read_file(marker);
        return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    }

    std::vector<fs::path> cache_files() const {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(cache, ec)) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        return files;
    }
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::size_t lines_containing(const std::string& text, std::string_view part) {
    const auto lines = lines_of(text);
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return contains(l, part); }));
}

// A scenario with one step of the marker plugin's model: 21 doubled is 42.
fs::path marker_scenario(const CacheWorkspace& w) {
    return w.temp.write("double.toml", "[scenario]\nname = \"double\"\n\n[[step]]\nid = \"d\"\n"
                                       "model = \"test.marker.double\"\nx = 21\n");
}

// The same FNV-1a the cache file's header uses, so a test can forge a well-formed file.
uint64_t fnv1a64(std::string_view bytes) {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    return hash;
}

// `body` under a header that matches it, as the host writes one.
std::string with_header(const std::string& body) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(body)));
    return "impact-plugin-cache 2 " + std::to_string(body.size()) + " " + hex + "\n" + body;
}

// Rewrites `file` in place (same inode, same size) with one byte changed, then puts its
// modification time back, as `touch -d` would: only the ctime tells the change.
void rewrite_in_place_keeping_mtime(const fs::path& file, std::string_view from, std::string_view to) {
    REQUIRE(from.size() == to.size());
    struct stat before {};
    REQUIRE(::stat(file.c_str(), &before) == 0);
    std::string bytes = read_file(file);
    const std::size_t at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    bytes.replace(at, from.size(), to);
    {
        std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    const timespec times[2] = {before.st_atim, before.st_mtim};
    REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
    struct stat after {};
    REQUIRE(::stat(file.c_str(), &after) == 0);
    REQUIRE(after.st_ino == before.st_ino);
    REQUIRE(after.st_size == before.st_size);
    REQUIRE(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    REQUIRE(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
}

TEST_CASE("plugin cache: a warm start lists and describes plugins without loading them") {
    CacheWorkspace w;
    const CommandResult cold = w.run({"-v", "plugins"});
    INFO(cold.describe());
    REQUIRE(cold.exit_code == 0);
    CHECK(w.loads() == 1);
    CHECK(contains(cold.err, std::string("loaded ") + marker_plugin_id));
    REQUIRE(w.cache_files().size() == 1);

    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"-v", "plugins"}, std::vector<std::string>{"plugins", "--json"},
          std::vector<std::string>{"describe", "test.marker.double"},
          std::vector<std::string>{"convert", "5.5B", "USD", "KRW", "--rate", "1428.8"}}) {
        const CommandResult warm = w.run(args);
        INFO(warm.describe());
        REQUIRE(warm.exit_code == 0);
        CHECK(w.loads() == 1);  // never loaded again: listed from the cache
    }
    const CommandResult verbose = w.run({"-v", "plugins"});
    INFO(verbose.describe());
    CHECK(contains(verbose.err, std::string("listed ") + marker_plugin_id));
    CHECK(contains(verbose.err, "descriptors from the plugin cache, not loaded"));
    CHECK_FALSE(contains(verbose.err, std::string("loaded ") + marker_plugin_id));

    // A run loads the plugins of its scenario's models, and only those.
    const fs::path scenario = marker_scenario(w);
    const CommandResult run = w.run({"-v", "run", scenario.string()});
    INFO(run.describe());
    REQUIRE(run.exit_code == 0);
    CHECK(contains(run.out, "42"));
    CHECK(w.loads() == 2);
    CHECK(contains(run.err, std::string("loaded ") + marker_plugin_id + " 1.0.0 from"));
    CHECK(contains(run.err, "for model test.marker.double"));
    CHECK_FALSE(contains(run.err, "loaded org.impact.test.good-a"));
    const CommandResult validate = w.run({"validate", scenario.string()});
    INFO(validate.describe());
    CHECK(validate.exit_code == 0);
    CHECK(w.loads() == 3);
}

TEST_CASE("plugin cache: listings are byte for byte the same cold, warm and without the cache") {
    CacheWorkspace w;
    // Refused files and a shadowed id too: good_b shares test.shared_id with good_a.
    copy_file_to(good_b_file, w.plugins / "z_good_b.so");
    copy_file_to(same_id_file, w.plugins / "same_id.so");
    write_file(w.plugins / "junk.so", "not a shared library");
    copy_file_to(missing_entry_file, w.plugins / "missing_entry.so");
    // Every bad descriptor but the freed page, whose refusal names an address that ASLR moves
    // from one run to the next, with or without the cache.
    for (const BadDescriptor& d : bad_descriptors())
        if (d.file != fs::path(IMPACT_HOST_PLUGIN_BAD_FREED_PAGE))
            copy_file_to(d.file, w.plugins / "bad" / d.file.filename());
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"plugins"}, std::vector<std::string>{"plugins", "--json"},
          std::vector<std::string>{"describe", "test.checked"}, std::vector<std::string>{"describe", "fx.convert", "--json"},
          // ABI 1.3's optional-per-row flag must survive the cache (text and JSON).
          std::vector<std::string>{"describe", "test.optional_row"},
          std::vector<std::string>{"describe", "test.optional_row", "--json"},
          std::vector<std::string>{"describe", "test.shared_id"}}) {
        const CommandResult uncached = w.run([&] {
            auto a = args;
            a.insert(a.begin(), "--no-plugin-cache");
            return a;
        }());
        fs::remove_all(w.cache);
        const CommandResult cold = w.run(args);
        const CommandResult warm = w.run(args);
        INFO(uncached.describe() << "\n" << cold.describe() << "\n" << warm.describe());
        REQUIRE(uncached.exit_code == 0);
        CHECK(cold.exit_code == 0);
        CHECK(warm.exit_code == 0);
        CHECK(cold.out == uncached.out);
        CHECK(warm.out == uncached.out);
        CHECK(warm.err == uncached.err);  // the same warnings about refused and shadowed plugins
    }
}

TEST_CASE("plugin cache: refused files are cached with their reason and still listed") {
    CacheWorkspace w;
    write_file(w.plugins / "junk.so", "not a shared library");
    const CommandResult cold = w.run({"-v", "plugins"});
    const CommandResult warm = w.run({"-v", "plugins"});
    INFO(cold.describe() << "\n" << warm.describe());
    REQUIRE(warm.exit_code == 0);
    CHECK(contains(warm.out, "1 rejected"));
    CHECK(contains(warm.out, (w.plugins / "junk.so").string() + ": cannot load"));
    CHECK(contains(warm.err, "(refusal from the plugin cache)"));
    CHECK_FALSE(contains(cold.err, "(refusal from the plugin cache)"));
}

TEST_CASE("plugin cache: a plugin rewritten in place with its size and mtime restored is loaded again") {
    CacheWorkspace w;
    const fs::path plugin = w.plugins / "good_a.so";
    // The plugin's name is a C string in the library's read-only data: one byte of it changes.
    const CommandResult before = w.run({"plugins"});
    INFO(before.describe());
    REQUIRE(before.exit_code == 0);
    REQUIRE(contains(before.out, "Host test plugin A"));
    REQUIRE(contains(w.run({"plugins"}).out, "Host test plugin A"));  // warm

    rewrite_in_place_keeping_mtime(plugin, "Host test plugin A", "Host test plugin Z");
    const CommandResult after = w.run({"-v", "plugins"});
    INFO(after.describe());
    REQUIRE(after.exit_code == 0);
    CHECK(contains(after.out, "Host test plugin Z"));
    CHECK(contains(after.err, "loaded org.impact.test.good-a"));

    // A run's provenance hash is the new file's: the same as with no cache at all.
    const fs::path scenario = w.temp.write("add.toml", "[scenario]\nname = \"add\"\n\n[[step]]\nid = \"a\"\n"
                                                      "model = \"test.add\"\nx = 1\ny = 2\n");
    const CommandResult cached_run = w.run({"run", scenario.string(), "--format", "json"});
    const CommandResult uncached_run = w.run({"--no-plugin-cache", "run", scenario.string(), "--format", "json"});
    INFO(cached_run.describe() << "\n" << uncached_run.describe());
    REQUIRE(cached_run.exit_code == 0);
    CHECK(contains(cached_run.out, "\"sha256\""));
    CHECK(cached_run.out == uncached_run.out);

    // A replaced file (new inode) is noticed too.
    const fs::path replacement = w.temp.path() / "replacement.so";
    fs::copy_file(plugin, replacement);
    rewrite_in_place_keeping_mtime(replacement, "Host test plugin Z", "Host test plugin Y");
    fs::rename(replacement, plugin);
    CHECK(contains(w.run({"plugins"}).out, "Host test plugin Y"));
}

TEST_CASE("plugin cache: a damaged cache file is ignored with one -v line and rewritten") {
    CacheWorkspace w;
    const CommandResult reference = w.run({"--no-plugin-cache", "plugins", "--json"});
    REQUIRE(reference.exit_code == 0);
    REQUIRE(w.run({"plugins"}).exit_code == 0);
    const std::vector<fs::path> files = w.cache_files();
    REQUIRE(files.size() == 1);
    const std::string good = read_file(files[0]);
    const std::size_t newline = good.find('\n');
    REQUIRE(newline != std::string::npos);
    const std::string body = good.substr(newline + 1);

    struct Damage {
        std::string name;
        std::string content;
        bool whole_file_ignored;
    };
    std::string flipped = good;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x20);
    // Well-formed files whose entries break the loader's rules: only those entries are dropped.
    std::string bad_id = body;
    REQUIRE(bad_id.find("\"org.impact.test.good-a\"") != std::string::npos);
    bad_id.replace(bad_id.find("\"org.impact.test.good-a\""), 24, "\"ORG impact test good-a\"");
    std::string bad_sha = body;
    const std::size_t sha_at = bad_sha.find("\"sha256\":\"");
    REQUIRE(sha_at != std::string::npos);
    bad_sha.replace(sha_at + 10, 4, "zzzz");
    std::string escape_text = body;
    REQUIRE(escape_text.find("Add two numbers") != std::string::npos);
    escape_text.replace(escape_text.find("Add two numbers"), 15, "Add\\u001b[2Jnumb");
    const std::vector<Damage> damages{
        {"empty", "", true},
        {"truncated", good.substr(0, good.size() / 2), true},
        {"one bit flipped", flipped, true},
        {"not JSON under a good header", with_header("{\"key\": [[[[[["), true},
        {"JSON of the wrong shape", with_header("[1, 2, 3]"), true},
        {"deep nesting", with_header(std::string(100000, '[') + std::string(100000, ']')), true},
        {"another host's key", with_header("{\"key\": \"someone else\", \"entries\": []}"), true},
        {"binary noise", std::string("\x7f" "ELF\x00\x01\xff\xfe", 8), true},
        {"plugin id that is not reverse-DNS", with_header(bad_id), false},
        {"sha256 that is not hex", with_header(bad_sha), false},
        {"escape sequence in a model name", with_header(escape_text), false},
    };
    for (const Damage& d : damages) {
        INFO("damage: " << d.name);
        write_file(files[0], d.content);
        const CommandResult r = w.run({"-v", "plugins", "--json"});
        INFO(r.describe());
        REQUIRE(r.exited);
        CHECK(r.exit_code == 0);
        CHECK(r.out == reference.out);
        if (d.whole_file_ignored) CHECK(lines_containing(r.err, "plugin cache " + files[0].string() + ": ignored") == 1);
        else CHECK(contains(r.err, "invalid ones dropped"));
        // Rewritten whole: the next start reads it without complaint.
        const CommandResult next = w.run({"-v", "plugins", "--json"});
        INFO(next.describe());
        CHECK(next.out == reference.out);
        CHECK_FALSE(contains(next.err, "ignored"));
        CHECK_FALSE(contains(next.err, "dropped"));
        CHECK_FALSE(contains(next.err, "Add\\e"));
    }
}

TEST_CASE("plugin cache: an unwritable cache folder changes nothing but one -v line") {
    CacheWorkspace w;
    const CommandResult reference = w.run({"--no-plugin-cache", "plugins"});
    REQUIRE(reference.exit_code == 0);
    fs::remove(w.marker);  // count the loads of the runs below only
    // A regular file where the cache folder's parent should be: no user, root included, can
    // create a folder there.
    write_file(w.temp.path() / "a-file", "x");
    const std::string cache_env = "IMPACT_CACHE_DIR=" + (w.temp.path() / "a-file" / "cache").string();
    for (int round = 0; round < 2; ++round) {
        const CommandResult r = w.run({"-v", "plugins"}, {cache_env});
        INFO(r.describe());
        REQUIRE(r.exit_code == 0);
        CHECK(r.out == reference.out);
        // One line says why the cache is not used; nothing else mentions it.
        CHECK(lines_containing(r.err, "plugin cache") == 1);
        CHECK(lines_containing(r.err, "Not a directory") == 1);
        const CommandResult convert = w.run({"convert", "1", "USD", "KRW", "--rate", "1428.8"}, {cache_env});
        INFO(convert.describe());
        CHECK(convert.exit_code == 0);
        CHECK(convert.err.empty());
    }
    CHECK(w.loads() == 4);  // nothing cached: every start loads it
}

TEST_CASE("plugin cache: --no-plugin-cache and IMPACT_NO_PLUGIN_CACHE load every plugin and write nothing") {
    CacheWorkspace w;
    const CommandResult flag = w.run({"-v", "--no-plugin-cache", "plugins"});
    INFO(flag.describe());
    REQUIRE(flag.exit_code == 0);
    CHECK(contains(flag.err, "plugin cache off"));
    CHECK(w.loads() == 1);
    const CommandResult env = w.run({"plugins"}, {"IMPACT_NO_PLUGIN_CACHE=1"});
    INFO(env.describe());
    CHECK(env.exit_code == 0);
    CHECK(w.loads() == 2);
    CHECK(w.cache_files().empty());
    // "0" means on.
    CHECK(w.run({"plugins"}, {"IMPACT_NO_PLUGIN_CACHE=0"}).exit_code == 0);
    CHECK(w.cache_files().size() == 1);
}

TEST_CASE("plugin cache: XDG_CACHE_HOME, then HOME, when IMPACT_CACHE_DIR is not set") {
    CacheWorkspace w;
    const fs::path xdg = w.temp.path() / "xdg";
    const fs::path home = w.temp.path() / "home";
    CHECK(w.run({"plugins"}, {"IMPACT_CACHE_DIR=", "XDG_CACHE_HOME=" + xdg.string()}).exit_code == 0);
    CHECK(fs::is_directory(xdg / "impact"));
    CHECK_FALSE(fs::is_empty(xdg / "impact"));
    CHECK(w.run({"plugins"}, {"IMPACT_CACHE_DIR=", "HOME=" + home.string()}).exit_code == 0);
    CHECK(fs::is_directory(home / ".cache" / "impact"));
    CHECK_FALSE(fs::exists(w.cache));
}

TEST_CASE("plugin cache: concurrent starts never corrupt it or answer differently") {
    CacheWorkspace w;
    for (int i = 0; i < 200; ++i) write_file(w.plugins / "junk" / ("junk" + std::to_string(i) + ".so"), "junk");
    const CommandResult reference = w.run({"--no-plugin-cache", "plugins", "--json"});
    REQUIRE(reference.exit_code == 0);
    constexpr int kProcesses = 6;
    constexpr int kRounds = 3;
    for (int round = 0; round < kRounds; ++round) {
        // Each round changes the folder, so every process has something to write.
        write_file(w.plugins / "junk" / ("round" + std::to_string(round) + ".so"), "new junk");
        const CommandResult round_reference = w.run({"--no-plugin-cache", "plugins", "--json"});
        std::vector<CommandResult> results(kProcesses);
        std::vector<std::unique_ptr<TempDir>> scratch;
        for (int p = 0; p < kProcesses; ++p) scratch.push_back(std::make_unique<TempDir>());
        std::vector<std::thread> threads;
        for (int p = 0; p < kProcesses; ++p)
            threads.emplace_back([&, p] {
                results[p] = impact::test::run_impact(
                    impact_exe, {"--isolate", "none", "--plugin-dir", w.plugins.string(), "plugins", "--json"}, scratch[p]->path(),
                    {"IMPACT_CACHE_DIR=" + w.cache.string(), "IMPACT_TEST_LOAD_MARKER=" + w.marker.string()});
            });
        for (auto& t : threads) t.join();
        for (const CommandResult& r : results) {
            INFO("round " << round << "\n" << r.describe());
            CHECK(r.exit_code == 0);
            CHECK(r.out == round_reference.out);
        }
    }
    const CommandResult after = w.run({"-v", "plugins", "--json"});
    INFO(after.describe());
    CHECK_FALSE(contains(after.err, "ignored"));
    CHECK_FALSE(contains(after.err, "dropped"));
    CHECK(contains(after.err, std::string("listed ") + marker_plugin_id));
    // Only the cache file: no temporary left behind.
    CHECK(w.cache_files().size() == 1);
}

}  // namespace
