// Today's host loads and runs a plugin built against the frozen ABI 1.0 header (legacy_double_plugin.c).
#include "host/model.hpp"
#include "host/plugin_library.hpp"

#include <impact/sdk/impact_plugin.h>

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

// The point of this test is an older plugin in a newer host; if the current header were still
// 1.0 it would prove nothing.
static_assert(IMPACT_ABI_MAJOR == 1 && IMPACT_ABI_MINOR >= 1, "the current SDK must be newer than ABI 1.0");

namespace {

const std::filesystem::path kLegacyPlugin = IMPACT_ABI_LEGACY_PLUGIN;

}  // namespace

TEST_CASE("the current host loads a 1.0 plugin and reports ABI 1.0", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::PluginInfo& info = plugin->info();
    CHECK(info.abi_major == 1);
    CHECK(info.abi_minor == 0);
    CHECK(info.id == "org.impact.legacy-abi-test");
    CHECK(info.version == "1.0.0");
    CHECK(info.name == "Legacy ABI 1.0 test plugin");
    REQUIRE(info.models.size() == 1);
    const impact::host::ModelInfo& model = info.models[0];
    CHECK(model.id == "legacy.double");
    CHECK(model.version == "1.0.0");
    CHECK(model.thread_safety == IMPACT_THREAD_FULLY_SAFE);
    REQUIRE(model.inputs.size() == 1);
    CHECK(model.inputs[0].key == "x");
    CHECK(model.inputs[0].kind == IMPACT_KIND_NUMBER);
    CHECK(model.inputs[0].required);
    REQUIRE(model.outputs.size() == 1);
    CHECK(model.outputs[0].key == "y");
}

TEST_CASE("a 1.0 descriptor has no references and the host does not read past its struct_size", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    // The descriptor really is 1.0-sized: it ends where 1.1 put `references`.
    const impact_model_descriptor* raw = plugin->factory().model_descriptor(0);
    REQUIRE(raw != nullptr);
    CHECK(raw->struct_size == offsetof(impact_model_descriptor, references));
    CHECK(raw->struct_size < sizeof(impact_model_descriptor));
    // The plugin placed a poison string right after its descriptor: reading `references`
    // without checking struct_size would return it.
    INFO("references = '" << plugin->info().models.at(0).references << "'");
    CHECK(plugin->info().models.at(0).references.empty());
}

TEST_CASE("a 1.0 plugin evaluates y = 2x through Model::prepare and ModelInstance::evaluate", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::Model model(plugin, &plugin->info().models.at(0));
    const impact::host::ModelInstance instance = model.prepare(impact::host::PreparedValues{});
    REQUIRE(instance.input_width() == 1);
    REQUIRE(instance.output_width() == 1);

    // Zero, fractions, negatives and large magnitudes: doubling is exact for all of them.
    const std::vector<double> x = {0.0, 1.5, -3.25, 1e-300, 4.0e300, 123456789.0};
    std::vector<double> y(x.size(), -1.0);
    instance.evaluate(x, y);
    for (std::size_t row = 0; row < x.size(); ++row) {
        INFO("row " << row << ": x = " << x[row]);
        CHECK(y[row] == x[row] + x[row]);
    }

    const auto notes = instance.notes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].first == "built_against");
    CHECK(notes[0].second == "SDK ABI 1.0");
}

TEST_CASE("the host refuses an unknown model id from a 1.0 plugin with the plugin's status", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    impact_model_instance* instance = nullptr;
    char message[64] = "";
    char key[16] = "unchanged";
    impact_error error{sizeof(impact_error), message, sizeof message, key, sizeof key, 5};
    CHECK(plugin->factory().create("legacy.triple", nullptr, &instance, &error) == IMPACT_STATUS_UNKNOWN_MODEL);
    CHECK(instance == nullptr);
    CHECK(std::string(message) == "no such model in the legacy plugin");
    CHECK(std::string(key).empty());
    CHECK(error.row == -1);
}
