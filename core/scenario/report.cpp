// Text and JSON renderings of a scenario run, with provenance for audit.
#include "scenario/report.hpp"

#include "text/iso_date.hpp"
#include "text/json_writer.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#ifndef IMPACT_VERSION
#define IMPACT_VERSION "0.0.0"
#endif

namespace impact::scenario {

std::string format_value(double value, const std::string& unit) {
    // Only outputs declared may_be_undefined get here non-finite (the host fails the others).
    if (std::isnan(value)) return "undefined (nan)";
    if (std::isinf(value)) return value > 0 ? "undefined (+inf)" : "undefined (-inf)";
    if (text::is_currency_code(unit)) return text::format_money(value, unit);
    if (unit == "%") return text::format_grouped(value * 100, 2) + "%";
    // Ten significant digits: enough for 0.0006998880179 KRW-to-USD rates and for counts.
    const std::string number = text::format_rate(value, 10);
    return unit.empty() ? number : number + " " + unit;
}

namespace {

std::string ranged_text(const RangedValue& v) {
    std::string out = format_value(v.value, v.unit);
    if (v.low && v.high)
        out += fmt::format("  (low {}, high {})", format_value(*v.low, v.unit), format_value(*v.high, v.unit));
    if (v.unit == "KRW" && std::isfinite(v.value)) {
        out += fmt::format("  [{}", text::format_korean_units(v.value));
        if (v.low && v.high)
            out += fmt::format(" ({} to {})", text::format_korean_units(*v.low), text::format_korean_units(*v.high));
        out += "]";
    }
    return out;
}

// A number, or null plus "<name>non_finite": "nan" | "+inf" | "-inf" for one that is not finite,
// so a reader never mistakes a missing value for zero or for another kind of undefined.
void write_number(text::JsonWriter& w, const char* name, double value) {
    w.key(name);
    if (std::isfinite(value)) {
        w.value(value);
        return;
    }
    w.null();
    const std::string key = std::string_view(name) == "value" ? "non_finite" : std::string(name) + "_non_finite";
    w.key(key).value(host::non_finite_name(value));
}

void write_ranged(text::JsonWriter& w, const RangedValue& v) {
    w.begin_object();
    write_number(w, "value", v.value);
    if (v.low && v.high) {
        write_number(w, "low", *v.low);
        write_number(w, "high", *v.high);
    }
    w.key("unit").value(v.unit);
}

}  // namespace

std::string render_text(const Scenario& scenario, const RunResult& result) {
    // Text from the scenario file and from plugins goes through printable(): a report printed on
    // a terminal must not carry control sequences or forge lines.
    std::string out = fmt::format("Scenario: {}\n", text::printable(scenario.name));
    if (!scenario.description.empty()) out += fmt::format("  {}\n", text::printable(scenario.description));
    if (scenario.as_of) out += fmt::format("  As of: {}\n", text::format_iso_date(*scenario.as_of));
    if (scenario.currency) out += fmt::format("  Currency: {}\n", *scenario.currency);
    for (const StepResult& step : result.steps) {
        out += fmt::format("\n[{}] {} {}{}\n", step.id, step.model_id, step.model_version,
                           step.ranged ? "  (evaluated at low, base and high)" : "");
        std::size_t width = 0;
        for (const auto& o : step.outputs) width = std::max(width, o.key.size());
        for (const auto& o : step.outputs)
            out += fmt::format("  {:<{}}  {}\n", o.key, width, ranged_text(o.value));
        if (!step.notes.empty()) {
            out += "  notes:\n";
            for (const auto& [key, value] : step.notes)
                out += fmt::format("    {}: {}\n", text::printable(key), text::printable(value));
        }
    }
    return out;
}

std::string render_json(const Scenario& scenario, const RunResult& result) {
    text::JsonWriter w;
    w.begin_object();
    w.key("schema").value("impact.run/1");
    w.key("scenario").begin_object();
    w.key("name").value(scenario.name);
    if (!scenario.description.empty()) w.key("description").value(scenario.description);
    w.key("file").value(scenario.file.string());
    w.key("as_of");
    scenario.as_of ? w.value(text::format_iso_date(*scenario.as_of)) : w.null();
    w.key("currency");
    scenario.currency ? w.value(*scenario.currency) : w.null();
    w.end_object();

    w.key("steps").begin_array();
    for (const StepResult& step : result.steps) {
        w.begin_object();
        w.key("id").value(step.id).key("model").value(step.model_id).key("model_version").value(step.model_version);
        w.key("plugin").value(step.plugin_id).key("ranged").value(step.ranged);
        w.key("inputs").begin_object();
        for (const InputUsed& in : step.inputs) {
            w.key(in.key).begin_object().key("kind").value(in.kind);
            if (in.number) {
                w.key("value").value(in.number->value);
                if (in.number->low && in.number->high) w.key("low").value(*in.number->low).key("high").value(*in.number->high);
                w.key("unit").value(in.number->unit);
            } else {
                w.key("value").value(in.text);
            }
            w.key("origin").value(in.origin).end_object();
        }
        w.end_object();
        w.key("outputs").begin_object();
        for (const auto& o : step.outputs) {
            w.key(o.key);
            write_ranged(w, o.value);
            // The sign convention (README.md): which way is worse, for thresholds and comparisons.
            std::string direction(host::direction_name(o.direction));
            std::replace(direction.begin(), direction.end(), ' ', '_');
            w.key("direction").value(direction).end_object();
        }
        w.end_object();
        w.key("notes").begin_object();
        for (const auto& [key, value] : step.notes) w.key(key).value(value);
        w.end_object();
        w.end_object();
    }
    w.end_array();

    w.key("provenance").begin_object();
    w.key("tool").value(fmt::format("impact {}", IMPACT_VERSION));
    w.key("abi").value(fmt::format("{}.{}", IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR));
    w.key("scenario_sha256").value(scenario.sha256);
    w.key("plugins").begin_array();
    for (const PluginUsed& p : result.plugins)
        w.begin_object().key("id").value(p.id).key("version").value(p.version).key("file").value(p.file.string())
            .key("sha256").value(p.sha256).end_object();
    w.end_array();
    w.end_object();
    w.end_object();
    return w.str();
}

}  // namespace impact::scenario
