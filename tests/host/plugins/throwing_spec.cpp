// Test plugin throwing_spec: built with the SDK wrapper; its model's spec() throws, so
// model_descriptor returns NULL and only "impact.descriptor-diagnostics/1" can say why.
#include <impact/sdk/plugin.hpp>

#include <stdexcept>

namespace {

namespace sdk = impact::sdk;

class ThrowingSpec {
public:
    static sdk::ModelSpec spec() { throw std::runtime_error("my spec failed"); }
    explicit ThrowingSpec(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const {}
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.throwing-spec", "1.0.0", "Host test plugin whose spec() throws", ThrowingSpec);
