// Lookups and names for the host's copies of plugin descriptors.
#include "host/model_info.hpp"

#include <algorithm>

namespace impact::host {

const InputInfo* ModelInfo::find_input(std::string_view key) const noexcept {
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](const InputInfo& in) { return in.key == key; });
    return it == inputs.end() ? nullptr : &*it;
}

const OutputInfo* ModelInfo::find_output(std::string_view key) const noexcept {
    auto it = std::find_if(outputs.begin(), outputs.end(), [&](const OutputInfo& out) { return out.key == key; });
    return it == outputs.end() ? nullptr : &*it;
}

std::vector<const InputInfo*> ModelInfo::row_inputs() const {
    std::vector<const InputInfo*> columns;
    for (const InputInfo& in : inputs)
        if (in.is_row_input()) columns.push_back(&in);
    return columns;
}

std::string resolve_unit_placeholders(std::string_view unit,
                                      const std::function<const std::string*(std::string_view)>& text_of) {
    std::string out;
    std::size_t pos = 0;
    while (pos < unit.size()) {
        const std::size_t open = unit.find('{', pos);
        const std::size_t close = open == std::string_view::npos ? open : unit.find('}', open);
        if (close == std::string_view::npos) {
            out.append(unit.substr(pos));
            break;
        }
        out.append(unit.substr(pos, open - pos));
        const std::string* text = text_of(unit.substr(open + 1, close - open - 1));
        out.append(text ? std::string_view(*text) : unit.substr(open, close - open + 1));
        pos = close + 1;
    }
    return out;
}

std::string_view kind_name(impact_input_kind kind) noexcept {
    switch (kind) {
    case IMPACT_KIND_NUMBER: return "number";
    case IMPACT_KIND_MONEY: return "money";
    case IMPACT_KIND_PERCENT: return "percent";
    case IMPACT_KIND_DATE: return "date";
    case IMPACT_KIND_TEXT: return "text";
    case IMPACT_KIND_SERIES: return "series";
    default: return "unknown";
    }
}

std::string_view thread_safety_name(impact_thread_safety safety) noexcept {
    switch (safety) {
    case IMPACT_THREAD_UNSAFE: return "unsafe";
    case IMPACT_THREAD_INSTANCE_SAFE: return "instance-safe";
    case IMPACT_THREAD_FULLY_SAFE: return "fully-safe";
    default: return "unknown";
    }
}

std::string_view direction_name(impact_direction direction) noexcept {
    switch (direction) {
    case IMPACT_DIRECTION_NEUTRAL: return "neutral";
    case IMPACT_DIRECTION_HIGHER_IS_BETTER: return "higher is better";
    case IMPACT_DIRECTION_HIGHER_IS_WORSE: return "higher is worse";
    default: return "unknown";
    }
}

}  // namespace impact::host
