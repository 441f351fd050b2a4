// Test plugin for sensitivity analysis: the Ishigami function (closed-form Sobol indices) and linear models with a bounded input.
#include <impact/sdk/plugin.hpp>

#include <cmath>

namespace {

namespace sdk = impact::sdk;

// f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1 (Ishigami and Homma 1990), the usual test of
// variance-based sensitivity: with x_i uniform on (-pi, pi) its first-order and total Sobol
// indices have closed forms (tests/sensitivity/sensitivity_test.cpp).
class Ishigami {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.ishigami")
            .name("Ishigami function")
            .version("1.0.0")
            .input(sdk::Input::number("x1", "x1"))
            .input(sdk::Input::number("x2", "x2"))
            .input(sdk::Input::number("x3", "x3"))
            .input(sdk::Input::number("a", "a").default_value(7))
            .input(sdk::Input::number("b", "b").default_value(0.1))
            .output(sdk::Output("y", "sin x1 + a sin^2 x2 + b x3^4 sin x1"));
    }
    explicit Ishigami(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            const double x1 = batch.input(row, 0), x2 = batch.input(row, 1), x3 = batch.input(row, 2);
            const double a = batch.input(row, 3), b = batch.input(row, 4);
            const double s2 = std::sin(x2);
            batch.output(row, 0) = std::sin(x1) + a * s2 * s2 + b * x3 * x3 * x3 * x3 * std::sin(x1);
        }
    }
};

// y = 3 share + 1 with share at most 1: at a point value of exactly 1 only a one-sided difference
// below it can give the elasticity (3 / 4 there).
class Capped {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.capped_linear")
            .name("Linear in a share capped at 100%")
            .version("1.0.0")
            .input(sdk::Input::percent("share", "Share").min(0).max(1))
            .output(sdk::Output("y", "3 share + 1"));
    }
    explicit Capped(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 3 * batch.input(row, 0) + 1;
    }
};

// y = 3 level + 10 with level at least -2: at a point value of exactly -2 (negative) only a
// one-sided difference above it can give the elasticity (3 x -2 / 4 = -1.5 there).
class Floored {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.floored_linear")
            .name("Linear in a level floored at -2")
            .version("1.0.0")
            .input(sdk::Input::number("level", "Level").min(-2))
            .output(sdk::Output("y", "3 level + 10"));
    }
    explicit Floored(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 3 * batch.input(row, 0) + 10;
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.sensitivity", "1.0.0", "Sensitivity test models", Ishigami, Capped, Floored);
