// Test plugin good_b: a valid plugin with another plugin id that also declares test.shared_id.
#include <impact/sdk/plugin.hpp>

namespace {

namespace sdk = impact::sdk;

// Same model id as good_a's: the output says which plugin answered (good_b = 2).
class SharedId {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.shared_id")
            .name("Shared id, good_b's")
            .version("2.0.0")
            .output(sdk::Output("provider", "Which test plugin answered (2 = good_b)"));
    }
    explicit SharedId(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2.0;
    }
};

// A model only good_b has: proves good_b itself loaded although one of its models is shadowed.
class BOnly {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.b_only")
            .name("Only in good_b")
            .version("1.0.0")
            .input(sdk::Input::number("x", "X"))
            .output(sdk::Output("doubled", "2 x"));
    }
    explicit BOnly(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2.0 * batch.input(row, 0);
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.good-b", "1.0.0", "Host test plugin B", SharedId, BOnly);
