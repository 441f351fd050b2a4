// Test plugin same_id: valid on its own, but reuses good_a's plugin id, so a registry that
// already holds good_a must refuse it.
#include <impact/sdk/plugin.hpp>

namespace {

namespace sdk = impact::sdk;

// A model id nobody else declares: if it is findable, the duplicate plugin was wrongly accepted.
class SameIdOnly {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.same_id_only")
            .name("Only in same_id")
            .version("1.0.0")
            .output(sdk::Output("value", "Always 3"));
    }
    explicit SameIdOnly(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 3.0;
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.good-a", "9.9.9", "Host test plugin reusing good_a's id", SameIdOnly);
