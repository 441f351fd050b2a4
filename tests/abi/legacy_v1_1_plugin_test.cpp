// Today's host loads and runs a plugin built against the frozen ABI 1.1 header (legacy_v1_1_plugin.c).
#include "host/model.hpp"
#include "host/plugin_library.hpp"

#include <impact/sdk/impact_plugin.h>

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <vector>

// An older plugin in a newer host: with a 1.1 host this would prove nothing.
static_assert(IMPACT_ABI_MAJOR == 1 && IMPACT_ABI_MINOR >= 2, "the current SDK must be newer than ABI 1.1");

namespace {

const std::filesystem::path kLegacyPlugin = IMPACT_ABI_LEGACY_V1_1_PLUGIN;

}  // namespace

TEST_CASE("the current host loads a 1.1 plugin and reports ABI 1.1 with its references", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::PluginInfo& info = plugin->info();
    CHECK(info.abi_major == 1);
    CHECK(info.abi_minor == 1);
    CHECK(info.id == "org.impact.legacy-abi-1-1-test");
    REQUIRE(info.models.size() == 1);
    const impact::host::ModelInfo& model = info.models[0];
    CHECK(model.id == "legacy.split");
    CHECK(model.references == "tests/abi/legacy_v1_1_plugin.c");
    REQUIRE(model.inputs.size() == 1);
    CHECK_FALSE(model.inputs[0].min_exclusive);
    CHECK_FALSE(model.inputs[0].max_exclusive);
    REQUIRE(model.outputs.size() == 2);
    CHECK(model.outputs[0].key == "half");
    CHECK(model.outputs[1].key == "rest");
}

TEST_CASE("1.1 outputs read as neutral with no flags although poison follows them", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact_model_descriptor* raw = plugin->factory().model_descriptor(0);
    REQUIRE(raw != nullptr);
    // The outputs really are 1.1-sized: they end where 1.2 put `flags`.
    CHECK(raw->outputs[0].struct_size == offsetof(impact_output_descriptor, flags));
    // Right after output #1 the plugin placed valid-looking 1.2 values (may be undefined,
    // higher is worse): reading them without checking struct_size would report them.
    const auto* after_last = reinterpret_cast<const unsigned char*>(raw->outputs) + 2 * raw->outputs[0].struct_size;
    const auto* poison = reinterpret_cast<const uint32_t*>(after_last);
    REQUIRE(poison[0] == IMPACT_OUTPUT_MAY_BE_UNDEFINED);
    REQUIRE(poison[1] == IMPACT_DIRECTION_HIGHER_IS_WORSE);
    for (const impact::host::OutputInfo& out : plugin->info().models.at(0).outputs) {
        INFO("output " << out.key);
        CHECK(out.direction == IMPACT_DIRECTION_NEUTRAL);
        CHECK_FALSE(out.may_be_undefined);
    }
}

TEST_CASE("a 1.1 plugin evaluates through Model::prepare and ModelInstance::evaluate", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::Model model(plugin, &plugin->info().models.at(0));
    const impact::host::ModelInstance instance = model.prepare(impact::host::PreparedValues{});
    REQUIRE(instance.input_width() == 1);
    REQUIRE(instance.output_width() == 2);
    const std::vector<double> x = {0.0, 3.0, -7.5, 1e300};
    std::vector<double> out(2 * x.size(), -1.0);
    instance.evaluate(x, out);
    for (std::size_t row = 0; row < x.size(); ++row) {
        INFO("row " << row << ": x = " << x[row]);
        CHECK(out[2 * row] == x[row] / 2.0);
        CHECK(out[2 * row] + out[2 * row + 1] == x[row]);
    }
}
