// Tests that a Model or ModelInstance outliving its Registry keeps the plugin library mapped, and only until the last goes.
#include "host/registry.hpp"
#include "host_test_support.hpp"

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <array>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

// How "still loaded" is observed, and why it is reliable here:
//  - dlopen(RTLD_NOLOAD) asks the dynamic loader whether it holds the file, without loading it;
//    a successful probe takes a reference, which is_loaded() drops at once.
//  - /proc/self/maps shows whether the kernel still maps the file into the process.
//  - dladdr() on the plugin's factory table says which file that address belongs to.
// glibc unmaps a library when its last reference is closed unless it is marked NODELETE (for
// example by STB_GNU_UNIQUE symbols, which good_a does not have: impact_add_plugin hides every
// symbol but the entry). Each test loads its own copy of good_a under a fresh path, so no other
// test and no earlier load holds a reference to it. The "control" test below proves that the
// probes do see an unload, so the positive checks are not vacuous.

namespace {

using namespace host_test;
using impact::host::Model;
using impact::host::ModelInstance;
using impact::host::Registry;

bool is_loaded(const fs::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_NOLOAD);
    if (!handle) return false;
    ::dlclose(handle);  // drop the reference the probe took
    return true;
}

bool is_mapped(const fs::path& file) {
    // The kernel lists the resolved path at the end of each line of a file-backed mapping.
    const std::string wanted = fs::canonical(file).string();
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
        if (line.size() >= wanted.size() && line.compare(line.size() - wanted.size(), wanted.size(), wanted) == 0)
            return true;
    return false;
}

// The file the loader says holds `address`, or "" when no loaded object contains it.
std::string file_holding(const void* address) {
    Dl_info info{};
    if (::dladdr(address, &info) == 0 || !info.dli_fname) return {};
    return info.dli_fname;
}

// A private copy of good_a: its own path and inode, so only this test's objects reference it.
struct PrivatePlugin {
    TempDir dir;
    fs::path file = copy_file_to(good_a_file, dir.path() / "lifetime" / "good_a_copy.so");
    std::vector<impact::host::SearchDir> search_path{{dir.path(), "test"}};
};

// A test.add instance made by a Registry and a Model that are both gone when this returns.
ModelInstance prepare_add(const PrivatePlugin& plugin, const void** factory_address) {
    const Registry registry = Registry::discover(plugin.search_path);
    REQUIRE(registry.plugins().size() == 1);
    // The host keeps a copy of the factory table (read fault-safely at load); the function it
    // points to is the plugin's own code.
    *factory_address = reinterpret_cast<const void*>(registry.plugins()[0].plugin->factory().create);
    const auto model = registry.find_model("test.add");
    REQUIRE(model);
    return model->prepare({});
}

// test.add over two rows, checked against sums computed here.
void check_add(const ModelInstance& instance) {
    const std::array<double, 4> rows{1.25, 2.5, -3.0, 10.0};  // (x, y) per row
    std::array<double, 2> sums{};
    instance.evaluate(rows, sums);
    CHECK(sums[0] == 1.25 + 2.5);
    CHECK(sums[1] == -3.0 + 10.0);
}

}  // namespace

TEST_CASE("host lifetime: control: the library unloads when the Registry goes and nothing else holds it") {
    const PrivatePlugin plugin;
    CAPTURE(plugin.file.string());
    REQUIRE_FALSE(is_loaded(plugin.file));
    std::optional<Registry> registry(Registry::discover(plugin.search_path));
    REQUIRE(registry->plugins().size() == 1);
    CHECK(is_loaded(plugin.file));
    CHECK(is_mapped(plugin.file));
    registry.reset();
    CHECK_FALSE(is_loaded(plugin.file));
    CHECK_FALSE(is_mapped(plugin.file));
}

TEST_CASE("host lifetime: a ModelInstance outliving its Registry and Model keeps the library and evaluates") {
    const PrivatePlugin plugin;
    CAPTURE(plugin.file.string());
    REQUIRE_FALSE(is_loaded(plugin.file));

    const void* factory_address = nullptr;  // the plugin's own code, to ask dladdr about later
    // The Registry and the Model live only inside prepare_add(): only the instance holds the plugin now.
    std::optional<ModelInstance> instance(prepare_add(plugin, &factory_address));
    CHECK(is_loaded(plugin.file));
    CHECK(is_mapped(plugin.file));
    const std::string holder = file_holding(factory_address);
    CAPTURE(holder);
    CHECK((!holder.empty() && fs::equivalent(holder, plugin.file)));
    check_add(*instance);

    instance.reset();
    CHECK_FALSE(is_loaded(plugin.file));
    CHECK_FALSE(is_mapped(plugin.file));
}

TEST_CASE("host lifetime: a Model outliving its Registry can still prepare and the last holder unloads") {
    const PrivatePlugin plugin;
    CAPTURE(plugin.file.string());
    std::optional<Model> model;
    {
        const Registry registry = Registry::discover(plugin.search_path);
        model = registry.find_model("test.add");
        REQUIRE(model);
    }
    CHECK(is_loaded(plugin.file));
    // The Model's info and plugin info are the plugin's copies, still valid.
    CHECK(model->info().id == "test.add");
    CHECK(model->plugin().id == good_a_id);

    std::optional<ModelInstance> instance(model->prepare({}));
    check_add(*instance);

    // Either holder keeps the library: drop the Model first, then the instance.
    model.reset();
    CHECK(is_loaded(plugin.file));
    check_add(*instance);
    instance.reset();
    CHECK_FALSE(is_loaded(plugin.file));
    CHECK_FALSE(is_mapped(plugin.file));
}

TEST_CASE("host lifetime: a moved-from ModelInstance releases nothing and the moved-to one keeps the library") {
    const PrivatePlugin plugin;
    CAPTURE(plugin.file.string());
    std::optional<ModelInstance> moved_to;
    {
        const Registry registry = Registry::discover(plugin.search_path);
        const auto model = registry.find_model("test.add");
        REQUIRE(model);
        ModelInstance original = model->prepare({});
        moved_to.emplace(std::move(original));
        // `original` is destroyed here; it must neither destroy the plugin's instance nor unload.
    }
    CHECK(is_loaded(plugin.file));
    check_add(*moved_to);
    moved_to.reset();
    CHECK_FALSE(is_loaded(plugin.file));
}
