// Runs a scenario: matches each step's values to its model's inputs, prepares, evaluates.
#pragma once

#include "host/registry.hpp"
#include "scenario/scenario.hpp"
#include "scenario/step_plan.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace impact::scenario {

// A number with its unit, and low/high when it comes from a range.
struct RangedValue {
    double value = 0;
    std::optional<double> low;
    std::optional<double> high;
    std::string unit;  // resolved: "USD", "%", "shares", ""
};

struct InputUsed {
    std::string key;
    std::string label;
    std::string kind;
    std::optional<RangedValue> number;  // numeric kinds
    std::string text;                   // text, date (ISO), series (data id and points)
    std::string origin;                 // "scenario", "default", "scenario.currency", "step h20"...
    // A drawn input: its distribution as written ("triangular: low 12B USD, mode 13.5B USD,
    // high 15B USD"), and what the host did to it ("truncated to the input's bounds [0, 1]...").
    std::string distribution{};
    std::string distribution_note{};
};

struct OutputResult {
    std::string key;
    std::string label;
    RangedValue value;
    impact_direction direction = IMPACT_DIRECTION_NEUTRAL;  // from the model's descriptor (ABI 1.2)
};

// How a step ended. Only `impact run --keep-going` leaves a step failed or skipped; without it the
// first failure stops the run.
enum class StepStatus {
    ok,
    failed,   // its model (or formula) failed: `failure` says how; its outputs have no value
    skipped,  // it takes a value from a failed step, directly or through skipped steps: not run
};

struct StepResult {
    std::string id;
    std::string model_id;
    std::string model_version;
    std::string plugin_id;
    std::string plugin_version;
    std::string expression;  // a formula step's expr (model_id "formula"); empty for a model step
    bool ranged = false;     // evaluated at low, base and high
    std::vector<InputUsed> inputs;
    std::vector<OutputResult> outputs;  // empty when validating
    std::vector<std::pair<std::string, std::string>> notes;
    // Result tables the model settled at prepare time (ABI 1.4), units resolved ("{currency}" -> "USD").
    std::vector<sdk::Table> tables;
    StepStatus status = StepStatus::ok;
    // Failed: the one-line message the run would have stopped with (file:line:column: step.id: ...).
    std::string failure{};
    // Skipped: the failed steps it depends on, in scenario order, each once.
    std::vector<std::string> failed_dependencies{};

    bool ok() const noexcept { return status == StepStatus::ok; }
    // "depends on step h20, which failed": why a skipped step was not run.
    std::string skip_reason() const;
    const OutputResult* find_output(std::string_view key) const noexcept;
};

struct PluginUsed {
    std::string id;
    std::string version;
    std::filesystem::path file;
    std::string sha256;  // of the plugin file; empty when validating
};

struct RunResult {
    std::vector<StepResult> steps;
    std::vector<PluginUsed> plugins;
    // One per step, in order, when run with RunOptions::keep_plans: what the simulation
    // (scenario/simulation.hpp) needs to evaluate the steps again for many rows.
    std::vector<StepPlan> plans;
};

struct RunOptions {
    bool keep_plans = false;  // --draws or --cases
    bool cases = false;       // --cases: fill ColumnSource::per_case from the scenario's [[case]] tables
    // --keep-going: a step whose model or formula fails (host::CallError that is not an input
    // error) is recorded as failed and the steps that take its outputs as skipped, instead of
    // stopping the run. Input errors (UserError) still stop it.
    bool keep_going = false;
};

enum class RunMode {
    validate,  // everything up to preparing each model; nothing evaluated
    run,
};

// Throws UserError (file:line:column: key: expected/found) for any problem in the scenario or
// its data, and host::CallError for a model that fails while computing (unless keep_going).
RunResult run_scenario(const Scenario& scenario, const host::Registry& registry, RunMode mode,
                       const RunOptions& options = {});

// --keep-going, when step `step` fails after the run (at a draw or a case): marks it failed with
// `message`, drops its plan and its outputs' values, and marks every later step that takes a value
// from a failed or skipped step (by its plan) skipped. The run must hold its plans.
void mark_failed(RunResult& run, std::size_t step, const std::string& message);

// Adds to `roots` (each once) the failed steps a value of `dependency` comes from: itself when it
// failed, the steps it was skipped for when it was skipped.
void add_failed_roots(const StepResult& dependency, std::vector<std::string>& roots);

// How many steps of the run failed and how many were skipped.
std::pair<std::size_t, std::size_t> failed_and_skipped(const RunResult& run);

}  // namespace impact::scenario
