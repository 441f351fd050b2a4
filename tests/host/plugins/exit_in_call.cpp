// Test plugin exit_in_call: valid descriptors, but it ends the process with exit() while the host calls it.
#include <impact/sdk/plugin.hpp>

#include <cstdlib>

namespace {

namespace sdk = impact::sdk;

// Calls exit(0) in evaluate: in-process, `impact` must end with exit 3 and say so, not exit 0.
class ExitInEvaluate {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.exit.evaluate")
            .name("Calls exit(0) in evaluate")
            .version("1.0.0")
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("y", "never computed"));
    }
    explicit ExitInEvaluate(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const { std::exit(0); }
};

// Calls exit(5) when prepared (the factory's create): the message carries the status given.
class ExitInPrepare {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.exit.prepare")
            .name("Calls exit(5) when prepared")
            .version("1.0.0")
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("y", "never computed"));
    }
    explicit ExitInPrepare(const sdk::PreparedInputs&) { std::exit(5); }
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = batch.input(row, 0);
    }
};

// Calls quick_exit(0) in evaluate: at_quick_exit handlers run, so this is caught as well.
class QuickExitInEvaluate {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.exit.quick")
            .name("Calls quick_exit(0) in evaluate")
            .version("1.0.0")
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("y", "never computed"));
    }
    explicit QuickExitInEvaluate(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const { std::quick_exit(0); }
};

// Calls exit(7) only for x above 100, which Monte Carlo draws reach and the point value (the
// median, 100) does not: the exit then comes from one of the host's worker threads.
class ExitInDraws {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.exit.draws")
            .name("Calls exit(7) for x above 100")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("y", "x"));
    }
    explicit ExitInDraws(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            if (batch.input(row, 0) > 100) std::exit(7);
            batch.output(row, 0) = batch.input(row, 0);
        }
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.exit-in-call", "1.0.0", "Host test plugin that calls exit() during calls",
              ExitInEvaluate, ExitInPrepare, QuickExitInEvaluate, ExitInDraws);
