// Host-side copies of a plugin's descriptors: owned C++ values, safe after the C structs go.
#pragma once

#include <impact/sdk/impact_plugin.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impact::host {

struct InputInfo {
    std::string key;
    std::string label;
    std::string description;
    impact_input_kind kind = IMPACT_KIND_NUMBER;
    std::string unit;  // may hold "{text_input}" placeholders
    bool required = false;
    bool prepared = false;  // given once at prepare time, not a batch column
    // ABI 1.3: a batch column the user may leave out; then NaN in every row, not bounds-checked.
    bool optional_row = false;
    std::optional<double> default_number;
    std::optional<std::string> default_text;
    std::optional<double> min_value;
    std::optional<double> max_value;
    bool min_exclusive = false;  // ABI 1.2: value > min_value, not >=
    bool max_exclusive = false;  // ABI 1.2: value < max_value, not <=

    bool is_numeric() const noexcept {
        return kind == IMPACT_KIND_NUMBER || kind == IMPACT_KIND_MONEY || kind == IMPACT_KIND_PERCENT;
    }
    // A column of the evaluation batch (numeric and not prepared).
    bool is_row_input() const noexcept { return is_numeric() && !prepared; }

    // Field by field: a plugin's descriptors from the cache must equal what loading it yields.
    bool operator==(const InputInfo&) const = default;
};

struct OutputInfo {
    std::string key;
    std::string label;
    std::string description;
    std::string unit;
    bool may_be_undefined = false;                       // ABI 1.2; NaN/Inf is a result, not a failure
    impact_direction direction = IMPACT_DIRECTION_NEUTRAL;  // ABI 1.2; neutral for 1.0 and 1.1 plugins

    bool operator==(const OutputInfo&) const = default;
};

struct ModelInfo {
    std::string id;
    std::string name;
    std::string version;
    std::string description;
    std::string references;  // ABI 1.1; empty for 1.0 plugins
    impact_thread_safety thread_safety = IMPACT_THREAD_UNSAFE;
    std::vector<InputInfo> inputs;
    std::vector<OutputInfo> outputs;
    uint32_t descriptor_index = 0;  // position in the plugin's factory

    const InputInfo* find_input(std::string_view key) const noexcept;
    const OutputInfo* find_output(std::string_view key) const noexcept;
    // Batch columns, in declaration order.
    std::vector<const InputInfo*> row_inputs() const;

    bool operator==(const ModelInfo&) const = default;
};

struct PluginInfo {
    std::filesystem::path file;
    std::string id;
    std::string version;
    std::string name;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
    std::vector<ModelInfo> models;

    bool operator==(const PluginInfo&) const = default;
};

// A unit with each "{name}" replaced by text_of(name); a placeholder text_of answers with
// nullptr for stays as written. Used for the host's instances and the scenario runner alike.
std::string resolve_unit_placeholders(std::string_view unit,
                                      const std::function<const std::string*(std::string_view)>& text_of);

std::string_view kind_name(impact_input_kind kind) noexcept;
std::string_view thread_safety_name(impact_thread_safety safety) noexcept;
// "neutral", "higher is better", "higher is worse"
std::string_view direction_name(impact_direction direction) noexcept;

}  // namespace impact::host
