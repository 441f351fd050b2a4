// Text and JSON renderings of a scenario run, with provenance for audit.
#include "scenario/report.hpp"

#include "io/json_output.hpp"
#include "text/iso_date.hpp"
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
    return unit.empty() ? number : number + " " + text::printable(unit);
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

// A number, or null plus "<name>_non_finite" ("non_finite" beside "value"): "nan" | "+inf" | "-inf"
// for one that is not finite, so a reader never mistakes a missing value for zero or for another
// kind of undefined.
void put_number(io::Json& object, const std::string& name, double value) {
    object[name] = io::json_number(value);
    if (std::isfinite(value)) return;
    object[name == "value" ? std::string("non_finite") : name + "_non_finite"] = host::non_finite_name(value);
}

io::Json ranged_json(const RangedValue& v) {
    io::Json out = io::Json::object();
    put_number(out, "value", v.value);
    if (v.low && v.high) {
        put_number(out, "low", *v.low);
        put_number(out, "high", *v.high);
    }
    out["unit"] = io::json_text(v.unit);
    return out;
}

// "h20.gross_margin = 55%  (replaces 60% at file:9:16)" for each --set.
std::string override_text(const Override& o) {
    const std::string was = o.replaced                   ? fmt::format("replaces {} at {}", o.replaced_value, o.replaced->str())
                            : !o.replaced_value.empty() ? fmt::format("replaces {}", o.replaced_value)
                                                        : std::string("not in the file");
    return fmt::format("{}.{} = {}  ({})", o.step, o.input, o.value_as_written, was);
}

// A JSON value dumped at nesting depth `depth` (two spaces each): every line after the first
// indented, so that a document written piece by piece reads exactly like one dumped whole.
std::string indented(const io::Json& value, int depth) {
    std::string text = io::json_document(value);
    text.pop_back();  // json_document's final newline
    const std::string indent(static_cast<std::size_t>(2 * depth), ' ');
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t from = 0;
    for (std::size_t newline = text.find('\n'); newline != std::string::npos; newline = text.find('\n', from)) {
        out.append(text, from, newline + 1 - from);
        out += indent;
        from = newline + 1;
    }
    out.append(text, from);
    return out;
}

io::Json step_json(const StepResult& step) {
    io::Json s = io::Json::object();
    s["id"] = io::json_text(step.id);
    s["model"] = io::json_text(step.model_id);
    if (!step.expression.empty()) s["expression"] = io::json_text(step.expression);
    s["model_version"] = io::json_text(step.model_version);
    s["plugin"] = io::json_text(step.plugin_id);
    s["ranged"] = step.ranged;
    io::Json& inputs = s["inputs"] = io::Json::object();
    for (const InputUsed& in : step.inputs) {
        io::Json i = io::Json::object();
        i["kind"] = io::json_text(in.kind);
        if (in.number) {
            i["value"] = io::json_number(in.number->value);
            if (in.number->low && in.number->high) {
                i["low"] = io::json_number(*in.number->low);
                i["high"] = io::json_number(*in.number->high);
            }
            i["unit"] = io::json_text(in.number->unit);
        } else {
            i["value"] = io::json_text(in.text);
        }
        i["origin"] = io::json_text(in.origin);
        inputs[in.key] = std::move(i);
    }
    io::Json& outputs = s["outputs"] = io::Json::object();
    for (const auto& o : step.outputs) {
        io::Json out = ranged_json(o.value);
        // The sign convention (README.md): which way is worse, for thresholds and comparisons.
        std::string direction(host::direction_name(o.direction));
        std::replace(direction.begin(), direction.end(), ' ', '_');
        out["direction"] = direction;
        outputs[o.key] = std::move(out);
    }
    io::Json& notes = s["notes"] = io::Json::object();
    for (const auto& [key, value] : step.notes) notes[io::json_text(key).get<std::string>()] = io::json_text(value);
    return s;
}

}  // namespace

void write_text(const Scenario& scenario, const RunResult& result, const ReportSink& write) {
    // Text from the scenario file and from plugins goes through printable(): a report printed on
    // a terminal must not carry control sequences or forge lines.
    std::string out = fmt::format("Scenario: {}\n", text::printable(scenario.name));
    if (!scenario.description.empty()) out += fmt::format("  {}\n", text::printable(scenario.description));
    if (scenario.as_of) out += fmt::format("  As of: {}\n", text::format_iso_date(*scenario.as_of));
    if (scenario.currency) out += fmt::format("  Currency: {}\n", *scenario.currency);
    if (!scenario.overrides.empty()) {
        out += "  Overrides (this run only, not the file's values):\n";
        for (const Override& o : scenario.overrides) out += fmt::format("    --set {}\n", text::printable(override_text(o)));
    }
    write(out);
    for (const StepResult& step : result.steps) {
        out.clear();
        if (step.expression.empty())
            out += fmt::format("\n[{}] {} {}{}\n", step.id, step.model_id, step.model_version,
                               step.ranged ? "  (evaluated at low, base and high)" : "");
        else
            out += fmt::format("\n[{}] formula: {}{}\n", step.id, text::printable(step.expression),
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
        write(out);
    }
}

std::string render_text(const Scenario& scenario, const RunResult& result) {
    std::string out;
    write_text(scenario, result, [&](std::string_view piece) { out.append(piece); });
    return out;
}

void write_json(const Scenario& scenario, const RunResult& result, const ReportSink& write) {
    io::Json about = io::Json::object();
    about["name"] = io::json_text(scenario.name);
    if (!scenario.description.empty()) about["description"] = io::json_text(scenario.description);
    io::put_path(about, "file", scenario.file);
    about["as_of"] = scenario.as_of ? io::Json(text::format_iso_date(*scenario.as_of)) : io::Json();
    about["currency"] = scenario.currency ? io::json_text(*scenario.currency) : io::Json();

    io::Json overrides = io::Json::array();
    for (const Override& o : scenario.overrides) {
        io::Json entry = io::Json::object();
        entry["input"] = io::json_text(o.step + "." + o.input);
        entry["value"] = io::json_text(o.value_as_written);
        entry["replaces"] = o.replaced_value.empty() ? io::Json() : io::json_text(o.replaced_value);
        entry["replaced_at"] = o.replaced ? io::json_text(o.replaced->str()) : io::Json();
        overrides.push_back(std::move(entry));
    }

    // The document is written member by member and one step at a time, each dumped at its depth.
    write("{\n  \"schema\": \"impact.run/1\",\n  \"scenario\": ");
    write(indented(about, 1));
    write(",\n  \"overrides\": ");
    write(indented(overrides, 1));
    write(",\n  \"steps\": [");
    for (std::size_t i = 0; i < result.steps.size(); ++i) {
        write(i == 0 ? "\n    " : ",\n    ");
        write(indented(step_json(result.steps[i]), 2));
    }
    write(result.steps.empty() ? "]" : "\n  ]");

    io::Json provenance = io::Json::object();
    provenance["tool"] = fmt::format("impact {}", IMPACT_VERSION);
    provenance["abi"] = fmt::format("{}.{}", IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR);
    provenance["scenario_sha256"] = scenario.sha256;
    io::Json& plugins = provenance["plugins"] = io::Json::array();
    for (const PluginUsed& p : result.plugins) {
        io::Json plugin = io::Json::object();
        plugin["id"] = io::json_text(p.id);
        plugin["version"] = io::json_text(p.version);
        io::put_path(plugin, "file", p.file);
        plugin["sha256"] = p.sha256;
        plugins.push_back(std::move(plugin));
    }
    write(",\n  \"provenance\": ");
    write(indented(provenance, 1));
    write("\n}\n");
}

std::string render_json(const Scenario& scenario, const RunResult& result) {
    std::string out;
    write_json(scenario, result, [&](std::string_view piece) { out.append(piece); });
    return out;
}

}  // namespace impact::scenario
