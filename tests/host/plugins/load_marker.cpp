// Test plugin load_marker: appends a line to $IMPACT_TEST_LOAD_MARKER each time it is loaded, so a test can count loads.
#include <impact/sdk/plugin.hpp>

#include <cstdio>
#include <cstdlib>

namespace {

namespace sdk = impact::sdk;

// Runs when the dynamic linker loads the library (its constructors run), not when the host
// merely lists it from the plugin cache. Plugins do no I/O; this one exists to be counted.
[[gnu::constructor]] void record_load() {
    const char* marker = std::getenv("IMPACT_TEST_LOAD_MARKER");
    if (!marker || !*marker) return;
    if (std::FILE* f = std::fopen(marker, "a")) {
        std::fputs("loaded\n", f);
        std::fclose(f);
    }
}

// y = 2x: an answer the test can check.
class Double {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.marker.double")
            .name("Double a number")
            .version("1.0.0")
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("y", "2x"));
    }
    explicit Double(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2 * batch.input(row, 0);
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.load-marker", "1.0.0", "Host test plugin that counts its loads", Double);
