// `impact describe MODEL`: a model's inputs and outputs with kinds, units, defaults and bounds.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/json_output.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace impact::cli {
namespace {

std::string default_text(const host::InputInfo& in) {
    if (in.default_number) return fmt::format("{}", *in.default_number);
    if (in.default_text) return *in.default_text;
    return "-";
}

// Interval notation: "[0, 1]", "(0, 1]"; one-sided bounds as "> 0", ">= 0", "<= 50".
std::string range_text(const host::InputInfo& in) {
    if (in.min_value && in.max_value)
        return fmt::format("{}{}, {}{}", in.min_exclusive ? '(' : '[', *in.min_value, *in.max_value,
                           in.max_exclusive ? ')' : ']');
    if (in.min_value) return fmt::format("{} {}", in.min_exclusive ? ">" : ">=", *in.min_value);
    if (in.max_value) return fmt::format("{} {}", in.max_exclusive ? "<" : "<=", *in.max_value);
    return "-";
}

// The "required" column: an input optional per row (ABI 1.3) may be left out, and then each row
// has no value for it rather than a default.
std::string_view required_text(const host::InputInfo& in) {
    if (in.optional_row) return "optional per row";
    return in.required ? "yes" : "no";
}

// "higher is worse", and ", may be undefined" when NaN is a legitimate result.
std::string direction_text(const host::OutputInfo& out) {
    return fmt::format("{}{}", host::direction_name(out.direction), out.may_be_undefined ? ", may be undefined" : "");
}

std::string unknown_model_message(const host::Registry& registry, const std::string& model_id) {
    const std::vector<std::string> known = registry.model_ids();
    return fmt::format("model: no plugin provides '{}' (known: {}; see 'impact plugins')", model_id,
                       known.empty() ? std::string("none") : fmt::format("{}", fmt::join(known, ", ")));
}

}  // namespace

int run_describe(const GlobalOptions& options, const std::string& model_id, bool json) {
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true);
    const auto model = registry.find_model(model_id);
    if (!model) throw UserError(unknown_model_message(registry, model_id));
    const host::ModelInfo& info = model->info();
    const host::PluginInfo& plugin = model->plugin();

    if (json) {
        io::Json doc = io::Json::object();
        doc["schema"] = "impact.describe/1";
        doc["id"] = io::json_text(info.id);
        doc["name"] = io::json_text(info.name);
        doc["version"] = io::json_text(info.version);
        doc["description"] = io::json_text(info.description);
        doc["references"] = io::json_text(info.references);
        doc["thread_safety"] = host::thread_safety_name(info.thread_safety);
        io::Json& about_plugin = doc["plugin"] = io::Json::object();
        about_plugin["id"] = io::json_text(plugin.id);
        about_plugin["version"] = io::json_text(plugin.version);
        io::put_path(about_plugin, "file", plugin.file);
        io::Json& inputs = doc["inputs"] = io::Json::array();
        for (const auto& in : info.inputs) {
            io::Json i = io::Json::object();
            i["key"] = io::json_text(in.key);
            i["label"] = io::json_text(in.label);
            i["kind"] = host::kind_name(in.kind);
            i["unit"] = io::json_text(in.unit);
            i["required"] = in.required;
            i["prepared"] = in.prepared || !in.is_numeric();
            i["optional_row"] = in.optional_row;
            i["default"] = in.default_number ? io::json_number(*in.default_number)
                           : in.default_text ? io::json_text(*in.default_text)
                                             : io::Json();
            i["min"] = in.min_value ? io::json_number(*in.min_value) : io::Json();
            i["max"] = in.max_value ? io::json_number(*in.max_value) : io::Json();
            i["min_exclusive"] = in.min_value && in.min_exclusive;
            i["max_exclusive"] = in.max_value && in.max_exclusive;
            i["description"] = io::json_text(in.description);
            inputs.push_back(std::move(i));
        }
        io::Json& outputs = doc["outputs"] = io::Json::array();
        for (const auto& out : info.outputs) {
            io::Json o = io::Json::object();
            o["key"] = io::json_text(out.key);
            o["label"] = io::json_text(out.label);
            o["unit"] = io::json_text(out.unit);
            // "neutral", "higher_is_better" or "higher_is_worse": the sign convention in README.md.
            std::string direction(host::direction_name(out.direction));
            std::replace(direction.begin(), direction.end(), ' ', '_');
            o["direction"] = direction;
            o["may_be_undefined"] = out.may_be_undefined;
            o["description"] = io::json_text(out.description);
            outputs.push_back(std::move(o));
        }
        fmt::print("{}", io::json_document(doc));
        return kExitSuccess;
    }

    // The loader refuses control characters in descriptors; printable() keeps this safe anyway.
    fmt::print("{} {}: {}\n", info.id, info.version, text::printable(info.name));
    if (!info.description.empty()) fmt::print("  {}\n", text::printable(info.description));
    if (!info.references.empty()) fmt::print("  References: {}\n", text::printable(info.references));
    fmt::print("  Plugin: {} {} ({})\n", plugin.id, plugin.version, text::printable(plugin.file.string()));
    fmt::print("  Thread safety: {}\n", host::thread_safety_name(info.thread_safety));
    // Columns as wide as their longest entry, so long keys such as abnormal_market_cap align.
    std::size_t key_width = 3, unit_width = 4, default_width = 7, range_width = 5, required_width = 8;
    for (const auto& in : info.inputs) {
        key_width = std::max(key_width, in.key.size());
        unit_width = std::max(unit_width, in.unit.size());
        default_width = std::max(default_width, default_text(in).size());
        range_width = std::max(range_width, range_text(in).size());
        required_width = std::max(required_width, required_text(in).size());
    }
    for (const auto& out : info.outputs) {
        key_width = std::max(key_width, out.key.size());
        unit_width = std::max(unit_width, out.unit.size());
    }
    fmt::print("\nInputs (units in braces name the text input that gives them):\n");
    fmt::print("  {:<{}}  {:<7}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", "key", key_width, "kind", "unit", unit_width,
               "default", default_width, "range", range_width, "required", required_width, "label");
    for (const auto& in : info.inputs)
        fmt::print("  {:<{}}  {:<7}  {:<{}}  {:<{}}  {:<{}}  {:<{}}  {}\n", in.key, key_width, host::kind_name(in.kind),
                   in.unit.empty() ? "-" : in.unit, unit_width, default_text(in), default_width, range_text(in),
                   range_width, required_text(in), required_width, text::printable(in.label));
    std::size_t direction_width = 9;
    for (const auto& out : info.outputs) direction_width = std::max(direction_width, direction_text(out).size());
    fmt::print("\nOutputs (direction: a signed change, where a loss is negative, is higher-is-better; a loss\n"
               "stated as a positive amount is higher-is-worse; see README.md, \"Sign convention\"):\n");
    fmt::print("  {:<{}}  {:<{}}  {:<{}}  {}\n", "key", key_width, "unit", unit_width, "direction", direction_width,
               "label");
    for (const auto& out : info.outputs)
        fmt::print("  {:<{}}  {:<{}}  {:<{}}  {}\n", out.key, key_width, out.unit.empty() ? "-" : out.unit, unit_width,
                   direction_text(out), direction_width, text::printable(out.label));
    return kExitSuccess;
}

}  // namespace impact::cli
