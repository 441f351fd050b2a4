// Today's host loads and runs a plugin built against the frozen ABI 1.2 header (legacy_v1_2_plugin.c).
#include "host/model.hpp"
#include "host/plugin_library.hpp"

#include <impact/sdk/impact_plugin.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

// An older plugin in a newer host: with a 1.2 host this would prove nothing.
static_assert(IMPACT_ABI_MAJOR == 1 && IMPACT_ABI_MINOR >= 3, "the current SDK must be newer than ABI 1.2");

namespace {

const std::filesystem::path kLegacyPlugin = IMPACT_ABI_LEGACY_V1_2_PLUGIN;

}  // namespace

TEST_CASE("the current host loads a 1.2 plugin: ABI 1.2, its exclusive bound, no optional-row input",
          "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::PluginInfo& info = plugin->info();
    CHECK(info.abi_major == 1);
    CHECK(info.abi_minor == 2);
    CHECK(info.id == "org.impact.legacy-abi-1-2-test");
    REQUIRE(info.models.size() == 1);
    const impact::host::ModelInfo& model = info.models[0];
    CHECK(model.id == "legacy.halve");
    REQUIRE(model.inputs.size() == 1);
    CHECK(model.inputs[0].min_exclusive);
    CHECK(model.inputs[0].required);
    CHECK_FALSE(model.inputs[0].optional_row);
}

TEST_CASE("a 1.2 plugin prepares with the larger 1.3 prepare args and evaluates as before", "[abi][legacy]") {
    const auto plugin = impact::host::LoadedPlugin::load(kLegacyPlugin);
    const impact::host::Model model(plugin, &plugin->info().models.at(0));
    const impact::host::ModelInstance instance = model.prepare(impact::host::PreparedValues{});
    // The host passes its own (1.3) struct; the 1.2 plugin reads only the fields it knows.
    const auto notes = instance.notes();
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].first == "prepare_args_size");
    CHECK(notes[0].second == std::to_string(sizeof(impact_prepare_args)));
    REQUIRE(instance.input_width() == 1);
    const std::vector<double> x = {1.0, 3.0, 1e300};
    std::vector<double> out(x.size(), -1.0);
    instance.evaluate(x, out);
    for (std::size_t row = 0; row < x.size(); ++row) {
        INFO("row " << row << ": x = " << x[row]);
        CHECK(out[row] == x[row] / 2.0);
    }
    // Its column is not optional: the host still refuses NaN and the bound there, naming the row.
    const std::vector<double> bad = {2.0, std::numeric_limits<double>::quiet_NaN()};
    std::vector<double> two(2);
    try {
        instance.evaluate(bad, two);
        FAIL("NaN reached a 1.2 plugin's required column");
    } catch (const impact::host::CallError& e) {
        INFO("message: " << e.what());
        CHECK(e.input_key() == "x");
        CHECK(e.row() == 1);
    }
    // Nor may a caller leave it out: only a 1.3 input flagged optional per row can be.
    impact::host::PreparedValues left_out;
    left_out.leave_out_row_input("x");
    CHECK_THROWS_AS(model.prepare(std::move(left_out)), impact::host::CallError);
}
