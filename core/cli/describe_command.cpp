// `impact describe MODEL`: a model's inputs and outputs with kinds, units, defaults and bounds.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "text/json_writer.hpp"
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

std::string range_text(const host::InputInfo& in) {
    if (in.min_value && in.max_value) return fmt::format("[{}, {}]", *in.min_value, *in.max_value);
    if (in.min_value) return fmt::format(">= {}", *in.min_value);
    if (in.max_value) return fmt::format("<= {}", *in.max_value);
    return "-";
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
        text::JsonWriter w;
        w.begin_object();
        w.key("schema").value("impact.describe/1");
        w.key("id").value(info.id).key("name").value(info.name).key("version").value(info.version);
        w.key("description").value(info.description).key("references").value(info.references);
        w.key("thread_safety").value(host::thread_safety_name(info.thread_safety));
        w.key("plugin").begin_object().key("id").value(plugin.id).key("version").value(plugin.version);
        w.key("file").value(plugin.file.string()).end_object();
        w.key("inputs").begin_array();
        for (const auto& in : info.inputs) {
            w.begin_object().key("key").value(in.key).key("label").value(in.label);
            w.key("kind").value(host::kind_name(in.kind)).key("unit").value(in.unit);
            w.key("required").value(in.required).key("prepared").value(in.prepared || !in.is_numeric());
            w.key("default");
            if (in.default_number) w.value(*in.default_number);
            else if (in.default_text) w.value(*in.default_text);
            else w.null();
            w.key("min");
            in.min_value ? w.value(*in.min_value) : w.null();
            w.key("max");
            in.max_value ? w.value(*in.max_value) : w.null();
            w.key("description").value(in.description).end_object();
        }
        w.end_array();
        w.key("outputs").begin_array();
        for (const auto& out : info.outputs)
            w.begin_object().key("key").value(out.key).key("label").value(out.label).key("unit").value(out.unit)
                .key("description").value(out.description).end_object();
        w.end_array().end_object();
        fmt::print("{}", w.str());
        return kExitSuccess;
    }

    fmt::print("{} {}: {}\n", info.id, info.version, info.name);
    if (!info.description.empty()) fmt::print("  {}\n", info.description);
    if (!info.references.empty()) fmt::print("  References: {}\n", info.references);
    fmt::print("  Plugin: {} {} ({})\n", plugin.id, plugin.version, plugin.file.string());
    fmt::print("  Thread safety: {}\n", host::thread_safety_name(info.thread_safety));
    // Columns as wide as their longest entry, so long keys such as abnormal_market_cap align.
    std::size_t key_width = 3, unit_width = 4, default_width = 7, range_width = 5;
    for (const auto& in : info.inputs) {
        key_width = std::max(key_width, in.key.size());
        unit_width = std::max(unit_width, in.unit.size());
        default_width = std::max(default_width, default_text(in).size());
        range_width = std::max(range_width, range_text(in).size());
    }
    for (const auto& out : info.outputs) {
        key_width = std::max(key_width, out.key.size());
        unit_width = std::max(unit_width, out.unit.size());
    }
    fmt::print("\nInputs (units in braces name the text input that gives them):\n");
    fmt::print("  {:<{}}  {:<7}  {:<{}}  {:<{}}  {:<{}}  {:<8}  {}\n", "key", key_width, "kind", "unit", unit_width,
               "default", default_width, "range", range_width, "required", "label");
    for (const auto& in : info.inputs)
        fmt::print("  {:<{}}  {:<7}  {:<{}}  {:<{}}  {:<{}}  {:<8}  {}\n", in.key, key_width, host::kind_name(in.kind),
                   in.unit.empty() ? "-" : in.unit, unit_width, default_text(in), default_width, range_text(in),
                   range_width, in.required ? "yes" : "no", in.label);
    fmt::print("\nOutputs:\n");
    fmt::print("  {:<{}}  {:<{}}  {}\n", "key", key_width, "unit", unit_width, "label");
    for (const auto& out : info.outputs)
        fmt::print("  {:<{}}  {:<{}}  {}\n", out.key, key_width, out.unit.empty() ? "-" : out.unit, unit_width, out.label);
    return kExitSuccess;
}

}  // namespace impact::cli
