// Tests the Registry's duplicate handling and the search path: order, IMPACT_PLUGIN_PATH and folder scans.
#include "host/registry.hpp"
#include "host_test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace host_test;
using impact::host::plugin_files_in;
using impact::host::plugin_search_path;
using impact::host::Registry;
using impact::host::SearchDir;

// The one output of a model without inputs (test.shared_id says which plugin answered).
double evaluate_no_input(const impact::host::Model& model) {
    const auto instance = model.prepare({});
    std::array<double, 1> out{};
    instance.evaluate({}, out);
    return out[0];
}

std::vector<std::string> plugin_ids(const Registry& registry) {
    std::vector<std::string> ids;
    for (const auto& entry : registry.plugins()) ids.push_back(entry.plugin->info().id);
    return ids;
}

// "dir (origin)" per entry, to print and to compare in one go.
std::vector<std::string> describe(const std::vector<SearchDir>& path) {
    std::vector<std::string> out;
    for (const auto& d : path) out.push_back(d.dir.string() + " (" + d.origin + ")");
    return out;
}

}  // namespace

TEST_CASE("host registry: the first plugin in search order wins a shared model id and a duplicate plugin id is refused") {
    const std::vector<SearchDir> search_path{{good_a_file.parent_path(), "first"},
                                             {good_b_file.parent_path(), "second"},
                                             {same_id_file.parent_path(), "third"}};
    const Registry registry = Registry::discover(search_path);
    const auto ids = plugin_ids(registry);
    CAPTURE(describe(search_path), ids);
    CHECK(ids == std::vector<std::string>{good_a_id, good_b_id});

    // test.shared_id is good_a's: by the plugin the model reports and by what it computes.
    const auto shared = registry.find_model("test.shared_id");
    REQUIRE(shared);
    CHECK(shared->plugin().id == good_a_id);
    CHECK(evaluate_no_input(*shared) == 1.0);  // good_a answers 1, good_b 2

    // good_b's copy is listed as shadowed, naming both files.
    REQUIRE(registry.shadowed().size() == 1);
    const auto& shadowed = registry.shadowed()[0];
    CHECK(shadowed.model_id == "test.shared_id");
    CHECK(shadowed.file == good_b_file);
    CHECK(shadowed.used_file == good_a_file);

    // good_b itself still loaded: its other model is there.
    const auto b_only = registry.find_model("test.b_only");
    REQUIRE(b_only);
    CHECK(b_only->plugin().id == good_b_id);

    // same_id reuses good_a's plugin id: refused, and the reason names the file already loaded.
    REQUIRE(registry.rejected().size() == 1);
    const auto& rejected = registry.rejected()[0];
    INFO("reason: " << rejected.reason);
    CHECK(rejected.file == same_id_file);
    CHECK(is_one_line(rejected.reason));
    CHECK(contains(rejected.reason, same_id_file.string()));
    CHECK(contains(rejected.reason, good_a_file.string()));
    CHECK(contains(rejected.reason, good_a_id));
    // None of the refused plugin's models may be reachable.
    CHECK_FALSE(registry.find_model("test.same_id_only"));
}

TEST_CASE("host registry: reversing the search order reverses which plugin wins") {
    // Proves the winner is chosen by search order, not by file name or plugin id.
    const std::vector<SearchDir> search_path{{good_b_file.parent_path(), "first"},
                                             {good_a_file.parent_path(), "second"}};
    const Registry registry = Registry::discover(search_path);
    CAPTURE(describe(search_path), plugin_ids(registry));
    const auto shared = registry.find_model("test.shared_id");
    REQUIRE(shared);
    CHECK(shared->plugin().id == good_b_id);
    CHECK(evaluate_no_input(*shared) == 2.0);
    REQUIRE(registry.shadowed().size() == 1);
    CHECK(registry.shadowed()[0].file == good_a_file);
    CHECK(registry.shadowed()[0].used_file == good_b_file);
    CHECK(registry.rejected().empty());
}

TEST_CASE("host registry: the same file reached twice loads once") {
    const TempDir dir;
    const fs::path good_a_dir = good_a_file.parent_path();
    // Three more ways to reach the same file: "dir/.", a symlinked folder and a symlinked file.
    fs::create_directory_symlink(good_a_dir, dir.path() / "linked_dir");
    fs::create_directories(dir.path() / "file_link");
    fs::create_symlink(good_a_file, dir.path() / "file_link" / "alias.so");
    const std::vector<SearchDir> search_path{{good_a_dir, "first"},
                                             {good_a_dir / ".", "dot"},
                                             {dir.path() / "linked_dir", "linked folder"},
                                             {dir.path() / "file_link", "linked file"}};
    const Registry registry = Registry::discover(search_path);
    CAPTURE(describe(search_path), plugin_ids(registry));
    for (const auto& r : registry.rejected()) UNSCOPED_INFO("rejected: " << r.reason);
    REQUIRE(registry.plugins().size() == 1);
    CHECK(registry.plugins()[0].origin == "first");
    // Loaded once means no duplicate-id refusal and no model shadowed by itself.
    CHECK(registry.rejected().empty());
    CHECK(registry.shadowed().empty());
    CHECK(registry.find_model("test.add"));
}

TEST_CASE("host search path: bundled folder then IMPACT_PLUGIN_PATH entries then each --plugin-dir") {
    const auto path = plugin_search_path("/opt/impact/lib/impact/plugins", std::string_view("/env/one::/env/two:"),
                                         {"/cli/one", "/cli/two"});
    CAPTURE(describe(path));
    CHECK(describe(path) == std::vector<std::string>{"/opt/impact/lib/impact/plugins (bundled)",
                                                     "/env/one (IMPACT_PLUGIN_PATH)",
                                                     "/env/two (IMPACT_PLUGIN_PATH)",
                                                     "/cli/one (--plugin-dir)",
                                                     "/cli/two (--plugin-dir)"});
}

TEST_CASE("host search path: empty IMPACT_PLUGIN_PATH entries and an unknown bundled folder are skipped") {
    SECTION("variable unset") {
        const auto path = plugin_search_path("/bundled", std::nullopt, {});
        CAPTURE(describe(path));
        CHECK(describe(path) == std::vector<std::string>{"/bundled (bundled)"});
    }
    SECTION("variable empty or only separators") {
        for (const char* env : {"", ":", ":::"}) {
            const auto path = plugin_search_path("/bundled", std::string_view(env), {});
            CAPTURE(env, describe(path));
            CHECK(describe(path) == std::vector<std::string>{"/bundled (bundled)"});
        }
    }
    SECTION("leading, doubled and trailing separators") {
        const auto path = plugin_search_path("/bundled", std::string_view(":/a::/b:"), {});
        CAPTURE(describe(path));
        CHECK(describe(path) ==
              std::vector<std::string>{"/bundled (bundled)", "/a (IMPACT_PLUGIN_PATH)", "/b (IMPACT_PLUGIN_PATH)"});
    }
    SECTION("no bundled folder (program location unknown)") {
        const auto path = plugin_search_path("", std::string_view("/a"), {"/c"});
        CAPTURE(describe(path));
        CHECK(describe(path) == std::vector<std::string>{"/a (IMPACT_PLUGIN_PATH)", "/c (--plugin-dir)"});
    }
}

TEST_CASE("host search path: relative IMPACT_PLUGIN_PATH entries are left out, each with one line") {
    std::vector<std::string> ignored;
    const auto path = plugin_search_path("/bundled", std::string_view(".:/a:plugins::./x:/b"), {}, &ignored);
    CAPTURE(describe(path), ignored);
    CHECK(describe(path) ==
          std::vector<std::string>{"/bundled (bundled)", "/a (IMPACT_PLUGIN_PATH)", "/b (IMPACT_PLUGIN_PATH)"});
    CHECK(ignored == std::vector<std::string>{
                         "impact: IMPACT_PLUGIN_PATH entry \".\" is relative and was ignored: give an absolute folder",
                         "impact: IMPACT_PLUGIN_PATH entry \"plugins\" is relative and was ignored: give an absolute folder",
                         "impact: IMPACT_PLUGIN_PATH entry \"./x\" is relative and was ignored: give an absolute folder"});
    // Without a list to fill, the entries are still left out.
    CHECK(describe(plugin_search_path("/bundled", std::string_view("rel"), {})) ==
          std::vector<std::string>{"/bundled (bundled)"});
}

TEST_CASE("host search path: plugin_files_in finds .so files directly and one folder down in sorted order") {
    const TempDir dir;
    const fs::path& root = dir.path();
    // Written out of order, so that sorting is what puts them in order.
    write_file(root / "zeta.so", "z");
    write_file(root / "alpha.so", "a");
    write_file(root / "middle" / "inner.so", "i");
    // Not plugin files: other extensions, a versioned library name, a folder two levels down.
    write_file(root / "readme.txt", "r");
    write_file(root / "libsomething.so.1", "v");
    write_file(root / "alpha.so.bak", "b");
    write_file(root / "middle" / "notes.md", "n");
    write_file(root / "middle" / "deeper" / "too_deep.so", "d");

    const auto files = plugin_files_in(root);
    std::vector<std::string> found;
    for (const auto& f : files) found.push_back(fs::relative(f, root).string());
    CAPTURE(found);
    CHECK(found == std::vector<std::string>{"alpha.so", "middle/inner.so", "zeta.so"});
}

TEST_CASE("host search path: a missing folder yields no files and no error") {
    const TempDir dir;
    CHECK(plugin_files_in(dir.path() / "does-not-exist").empty());
    const Registry registry = Registry::discover({{dir.path() / "does-not-exist", "test"}});
    CHECK(registry.plugins().empty());
    CHECK(registry.rejected().empty());
}
