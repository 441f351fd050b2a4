// Runs a scenario: matches each step's values to its model's inputs, prepares, evaluates.
#pragma once

#include "host/registry.hpp"
#include "scenario/scenario.hpp"

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
};

struct OutputResult {
    std::string key;
    std::string label;
    RangedValue value;
    impact_direction direction = IMPACT_DIRECTION_NEUTRAL;  // from the model's descriptor (ABI 1.2)
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
};

enum class RunMode {
    validate,  // everything up to preparing each model; nothing evaluated
    run,
};

// Throws UserError (file:line:column: key: expected/found) for any problem in the scenario or
// its data, and host::CallError for a model that fails while computing.
RunResult run_scenario(const Scenario& scenario, const host::Registry& registry, RunMode mode);

}  // namespace impact::scenario
