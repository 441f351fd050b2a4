// Test plugin for impact compare --plugin-dir-for: model test.scaled in two versions, the second 0.05% higher.
#include <impact/sdk/plugin.hpp>

#ifndef IMPACT_TEST_SCALED_VERSION
#error "IMPACT_TEST_SCALED_VERSION must be 1 or 2"
#endif

namespace {

namespace sdk = impact::sdk;

// Version 1: y = 2 x. Version 2: y = 2.001 x, 0.05% higher: within a 0.1% tolerance, beyond 0.01%.
class Scaled {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.scaled")
            .name("Scaled, version " IMPACT_TEST_SCALED_VERSION_TEXT)
            .version(IMPACT_TEST_SCALED_VERSION == 1 ? "1.0.0" : "2.0.0")
            .input(sdk::Input::number("x", "x"))
            .output(sdk::Output("y", "scaled x"));
    }
    explicit Scaled(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        const double factor = IMPACT_TEST_SCALED_VERSION == 1 ? 2.0 : 2.001;
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = factor * batch.input(row, 0);
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.scaled", IMPACT_TEST_SCALED_VERSION == 1 ? "1.0.0" : "2.0.0", "Compare test model",
              Scaled);
