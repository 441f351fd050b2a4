// Text and JSON renderings of a scenario run, with provenance for audit.
#include "scenario/report.hpp"

#include "io/json_output.hpp"
#include "text/iso_date.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <string_view>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::scenario {

// The scenario's compare groups in order of first appearance: name and the positions of its steps.
std::vector<std::pair<std::string, std::vector<std::size_t>>> compare_groups(const Scenario& scenario, const RunResult& result) {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
    for (std::size_t s = 0; s < scenario.steps.size() && s < result.steps.size(); ++s) {
        const std::string& name = scenario.steps[s].compare_group;
        if (name.empty()) continue;
        auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
        if (it == groups.end()) it = groups.insert(groups.end(), {name, {}});
        it->second.push_back(s);
    }
    return groups;
}

// The output keys of a group's steps, each once, in order of first appearance.
std::vector<std::string> group_output_keys(const RunResult& result, const std::vector<std::size_t>& steps) {
    std::vector<std::string> keys;
    for (std::size_t s : steps)
        for (const OutputResult& o : result.steps[s].outputs)
            if (std::find(keys.begin(), keys.end(), o.key) == keys.end()) keys.push_back(o.key);
    return keys;
}

std::optional<BestWorst> best_and_worst(const RangedValue& value, impact_direction direction) {
    if (!value.low || !value.high) return std::nullopt;
    // An end a model may leave undefined (NaN) has no order: both ends stay as evaluated, "low" at
    // the input's low and "high" at its high, and the undefined one says so.
    if (!std::isfinite(*value.low) || !std::isfinite(*value.high)) return BestWorst{*value.low, *value.high, "low", "high"};
    const double lo = std::min(*value.low, *value.high), hi = std::max(*value.low, *value.high);
    if (direction == IMPACT_DIRECTION_HIGHER_IS_WORSE) return BestWorst{lo, hi, "best", "worst"};
    if (direction == IMPACT_DIRECTION_HIGHER_IS_BETTER) return BestWorst{hi, lo, "best", "worst"};
    return BestWorst{lo, hi, "low", "high"};
}

std::vector<std::pair<std::size_t, std::size_t>> headline_outputs(const Scenario& scenario, const RunResult& result) {
    std::vector<std::pair<std::size_t, std::size_t>> picked;
    if (!scenario.headline.empty()) {
        for (const HeadlineOutput& h : scenario.headline)
            for (std::size_t s = 0; s < result.steps.size(); ++s)
                if (result.steps[s].id == h.step)
                    for (std::size_t o = 0; o < result.steps[s].outputs.size(); ++o)
                        if (result.steps[s].outputs[o].key == h.output) picked.emplace_back(s, o);
        return picked;
    }
    for (std::size_t s = 0; s < result.steps.size() && picked.size() < kDefaultHeadlineSteps; ++s)
        if (!result.steps[s].outputs.empty()) picked.emplace_back(s, 0);
    return picked;
}

std::string origin_description(const Scenario& scenario, const InputUsed& in) {
    if (in.kind == "series") {
        // A series' text starts with its [data.<id>] table's id.
        const DataSource* source = scenario.find_data(in.text.substr(0, in.text.find(' ')));
        return source ? "data file " + source->file_as_written : "data file";
    }
    if (in.origin == "scenario") return "written in the scenario";
    if (in.origin == "--set") return "--set (this run only)";
    if (in.origin == "default") return "the model's default";
    if (in.origin.rfind("scenario.", 0) == 0) return "[scenario] " + in.origin.substr(9);
    if (in.origin.rfind("step ", 0) == 0) return "output of " + in.origin;
    return in.origin;
}

std::string iso_utc(long long unix_seconds) {
    const std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buffer;
}

void check_headline(const Scenario& scenario, const RunResult& result) {
    for (const HeadlineOutput& h : scenario.headline) {
        const auto step = std::find_if(result.steps.begin(), result.steps.end(), [&](const StepResult& s) { return s.id == h.step; });
        if (step == result.steps.end())
            throw UserError(fmt::format("{}: scenario.headline: expected STEP.OUTPUT naming a step of the scenario, found no step \"{}\"",
                                        h.pos.str(), text::printable(h.step)));
        if (step->find_output(h.output)) continue;
        std::vector<std::string> keys;
        for (const OutputResult& o : step->outputs) keys.push_back(o.key);
        throw UserError(fmt::format("{}: scenario.headline: expected an output of step {} ({}), found \"{}\"", h.pos.str(), h.step,
                                    fmt::join(keys, ", "), text::printable(h.output)));
    }
}

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

// Code points in UTF-8 text: the columns a terminal gives it (ASCII and Latin text; a table of
// CJK names would need East Asian widths).
std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A result table as aligned columns: labels (with units) over cells, numbers right-aligned.
std::string table_text(const sdk::Table& table) {
    std::string out = fmt::format("  table {}: {}\n", table.key(), text::printable(table.label()));
    if (!table.text().empty()) out += fmt::format("    {}\n", text::printable(table.text()));
    const auto& columns = table.columns();
    std::vector<std::vector<std::string>> cells(columns.size());
    std::vector<std::size_t> widths(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const sdk::Table::Column& column = columns[c];
        const bool money = text::is_currency_code(column.unit);
        std::string header = text::printable(column.label);
        if (!column.unit.empty() && column.unit != "%" && !column.is_text) header += " (" + text::printable(column.unit) + ")";
        cells[c].push_back(std::move(header));
        for (std::size_t r = 0; r < table.rows(); ++r) {
            if (column.is_text) {
                cells[c].push_back(text::printable(column.texts[r]));
            } else {
                const double v = column.numbers[r];
                // Money in a column is compact per cell; the unit is in the header.
                cells[c].push_back(!std::isfinite(v) ? std::string("undefined")
                                   : money         ? text::format_money(v, column.unit)
                                   // Four significant digits: a daily alpha of 0.0512% is not 0.05%.
                                   : column.unit == "%" ? text::format_rate(v * 100, 4) + "%"
                                                        : format_value(v, std::string()));
            }
        }
        for (const std::string& cell : cells[c]) widths[c] = std::max(widths[c], code_points(cell));
    }
    for (std::size_t r = 0; r <= table.rows(); ++r) {
        std::string line = "   ";
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const std::string& cell = cells[c][r];
            const std::string pad(widths[c] - code_points(cell), ' ');
            line += "  " + (columns[c].is_text ? cell + pad : pad + cell);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

io::Json table_json(const sdk::Table& table) {
    io::Json t = io::Json::object();
    t["label"] = io::json_text(table.label());
    t["description"] = io::json_text(table.text());
    io::Json& columns = t["columns"] = io::Json::array();
    for (const sdk::Table::Column& column : table.columns()) {
        io::Json c = io::Json::object();
        c["key"] = column.key;
        c["label"] = io::json_text(column.label);
        c["unit"] = io::json_text(column.unit);
        c["kind"] = column.is_text ? "text" : "number";
        columns.push_back(std::move(c));
    }
    // Rows as objects keyed by column: a script reads row["car"] without counting columns. An
    // undefined number (a column that allows it) is null.
    io::Json& rows = t["rows"] = io::Json::array();
    for (std::size_t r = 0; r < table.rows(); ++r) {
        io::Json row = io::Json::object();
        for (const sdk::Table::Column& column : table.columns())
            row[column.key] = column.is_text ? io::json_text(column.texts[r]) : io::json_number(column.numbers[r]);
        rows.push_back(std::move(row));
    }
    return t;
}

// The value, its range's ends named by direction (best/worst, or low/high when neutral), and a won
// amount's Korean reading.
std::string ranged_text(const RangedValue& v, impact_direction direction) {
    std::string out = format_value(v.value, v.unit);
    const auto bw = best_and_worst(v, direction);
    if (bw)
        out += fmt::format("  ({} {}, {} {})", bw->best_name, format_value(bw->best, v.unit), bw->worst_name,
                           format_value(bw->worst, v.unit));
    if (v.unit == "KRW" && std::isfinite(v.value)) {
        out += fmt::format("  [{}", text::format_korean_units(v.value));
        if (bw && std::isfinite(bw->best) && std::isfinite(bw->worst))
            out += fmt::format(" ({} to {})", text::format_korean_units(bw->best), text::format_korean_units(bw->worst));
        out += "]";
    }
    return out;
}

// A figure for a summary: compact money in the report's locale, other units as everywhere.
std::string compact_value(double value, const std::string& unit, text::Locale locale) {
    if (std::isfinite(value) && text::is_currency_code(unit)) return text::format_money_compact(value, unit, locale);
    return format_value(value, unit);
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

}  // namespace

// Every line after the first indented, so that a document written piece by piece reads exactly
// like one dumped whole.
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

namespace {

// --keep-going: "2 steps failed, 3 skipped: the figures below are incomplete", or "" when every step ran.
std::string incomplete_summary(const RunResult& result) {
    const auto [failed, skipped] = failed_and_skipped(result);
    if (failed == 0 && skipped == 0) return {};
    return fmt::format("{} step{} failed, {} skipped: the figures below are incomplete", failed, failed == 1 ? "" : "s",
                       skipped);
}

// In place of a value of a step that did not run to the end.
std::string unavailable_text(const StepResult& step) {
    return step.status == StepStatus::failed ? "unavailable (the step failed)" : "unavailable (the step was skipped)";
}

// "P5" for 0.05, "P50" for 0.5.
std::string percentile_name(double p) { return fmt::format("P{}", static_cast<int>(std::lround(p * 100))); }

// "> 5.5B USD" or "< -100B USD".
std::string threshold_name(const ThresholdResult& t) { return fmt::format("{} {}", t.above ? ">" : "<", t.as_written); }

io::Json thresholds_json(const std::vector<ThresholdResult>& thresholds) {
    io::Json out = io::Json::array();
    for (const ThresholdResult& t : thresholds) {
        io::Json th = io::Json::object();
        th[t.above ? "above" : "below"] = io::json_text(t.as_written);
        th["value"] = io::json_number(t.value);
        th["probability"] = io::json_number(t.probability);
        th["draws"] = t.count;
        out.push_back(std::move(th));
    }
    return out;
}

io::Json statistics_json(const OutputStatistics& stats) {
    io::Json out = io::Json::object();
    out["mean"] = io::json_number(stats.moments.mean);
    out["sd"] = io::json_number(stats.moments.sd());
    out["sem"] = io::json_number(stats.moments.standard_error());
    out["min"] = io::json_number(stats.moments.min);
    out["max"] = io::json_number(stats.moments.max);
    io::Json& percentiles = out["percentiles"] = io::Json::object();
    io::Json& intervals = out["percentile_ci95"] = io::Json::object();
    for (const auto& p : stats.percentiles) {
        percentiles[percentile_name(p.probability)] = io::json_number(p.value);
        io::Json ci = io::Json::array();
        ci.push_back(io::json_number(p.ci_low));
        ci.push_back(io::json_number(p.ci_high));
        intervals[percentile_name(p.probability)] = std::move(ci);
    }
    if (!stats.thresholds.empty()) out["thresholds"] = thresholds_json(stats.thresholds);
    return out;
}

// "0.085%": a precision for people, four significant digits.
std::string precision_text(double relative) { return fmt::format("{:.4g}%", relative * 100); }

std::string draws_text(std::uint64_t draws) { return text::format_grouped(static_cast<double>(draws), 0); }

// --until, under the Monte Carlo line: the verdict, the stages, then each target's precision.
std::string convergence_text(const ConvergenceRecord& c) {
    std::vector<std::string> stages;
    for (const std::uint64_t n : c.stages) stages.push_back(draws_text(n));
    std::string out = fmt::format("  Convergence: {} {} draws (stages {}; at most {})\n",
                                  c.converged ? "converged at" : "not converged in", draws_text(c.stages.back()),
                                  fmt::join(stages, ", "), draws_text(c.max_draws));
    for (const TargetOutcome& t : c.targets) {
        const std::string achieved = t.achieved.unknown.empty() ? precision_text(t.achieved.relative)
                                                                : fmt::format("unknown ({})", t.achieved.unknown);
        const std::string scope = t.target.step.empty()
                                      ? fmt::format(" (the least precise of {} drawn output{})", t.outputs_checked, t.outputs_checked == 1 ? "" : "s")
                                      : std::string();
        out += fmt::format("    {}: {}, 95% half-width {} of {} {}{}\n", text::printable(t.target.as_written),
                           t.met ? "met" : "not met", achieved, statistic_name(t.target), t.output, scope);
    }
    return out;
}

io::Json convergence_json(const ConvergenceRecord& c) {
    io::Json out = io::Json::object();
    out["converged"] = c.converged;
    out["draws"] = c.stages.back();
    out["max_draws"] = c.max_draws;
    out["stages"] = c.stages;
    out["draws_evaluated"] = c.draws_evaluated;
    out["confidence"] = 0.95;
    io::Json& targets = out["targets"] = io::Json::array();
    for (const TargetOutcome& t : c.targets) {
        io::Json target = io::Json::object();
        target["target"] = io::json_text(t.target.as_written);
        target["statistic"] = statistic_name(t.target);
        target["precision"] = io::json_number(t.target.precision);
        target["applies_to"] = t.target.step.empty() ? io::Json("every drawn output") : io::json_text(t.target.step + "." + t.target.output);
        target["outputs_checked"] = t.outputs_checked;
        target["output"] = io::json_text(t.output);
        target["achieved"] = t.achieved.unknown.empty() ? io::json_number(t.achieved.relative) : io::Json();
        if (!t.achieved.unknown.empty()) target["achieved_unknown"] = t.achieved.unknown;
        target["met"] = t.met;
        targets.push_back(std::move(target));
    }
    return out;
}

// The lines under an output's value: mean and sd, percentiles with their intervals, thresholds.
std::string statistics_text(const OutputStatistics& stats, const std::string& unit, std::size_t width) {
    std::string out;
    const std::string pad(width + 4, ' ');
    for (const ThresholdResult& t : stats.thresholds)
        if (!stats.drawn)
            out += fmt::format("{}P({}) = {} (the same at every draw)\n", pad, text::printable(threshold_name(t)),
                               t.count ? "100%" : "0%");
    if (!stats.drawn) return out;
    const auto& m = stats.moments;
    out += fmt::format("{}mean {}  sd {}  (standard error {})\n", pad, format_value(m.mean, unit), format_value(m.sd(), unit),
                       format_value(m.standard_error(), unit));
    out += fmt::format("{}min {}  max {}\n", pad, format_value(m.min, unit), format_value(m.max, unit));
    for (const auto& p : stats.percentiles)
        out += fmt::format("{}{:<4} {}  [{}, {}]\n", pad, percentile_name(p.probability), format_value(p.value, unit),
                           format_value(p.ci_low, unit), format_value(p.ci_high, unit));
    for (const ThresholdResult& t : stats.thresholds)
        out += fmt::format("{}P({}) = {}%  ({} draws)\n", pad, text::printable(threshold_name(t)),
                           text::format_grouped(t.probability * 100, 2), text::format_grouped(static_cast<double>(t.count), 0));
    return out;
}

io::Json step_json(const StepResult& step, std::size_t index, const ReportExtras& extras) {
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
        if (!in.distribution.empty()) i["distribution"] = io::json_text(in.distribution);
        if (!in.distribution_note.empty()) i["distribution_note"] = io::json_text(in.distribution_note);
        inputs[in.key] = std::move(i);
    }
    if (step.status == StepStatus::failed) {
        s["status"] = "failed";
        s["error"] = io::json_text(step.failure);
    } else if (step.status == StepStatus::skipped) {
        s["status"] = "skipped";
        io::Json& because = s["skipped_because"] = io::Json::array();
        for (const std::string& id : step.failed_dependencies) because.push_back(io::json_text(id));
        s["reason"] = io::json_text(step.skip_reason());
    }
    io::Json& outputs = s["outputs"] = io::Json::object();
    for (const auto& o : step.outputs) {
        if (!step.ok()) {
            // No value: never a number a script could take for a result.
            io::Json out = io::Json::object();
            out["value"] = nullptr;
            out["unit"] = io::json_text(o.value.unit);
            out["unavailable"] = true;
            outputs[o.key] = std::move(out);
            continue;
        }
        io::Json out = io::Json::object();
        out["label"] = io::json_text(o.label);
        out.update(ranged_json(o.value));
        // By direction, never by the order the input's range was written in (docs/reports.md); a
        // neutral output has only its low and high.
        if (const auto bw = best_and_worst(o.value, o.direction); bw && o.direction != IMPACT_DIRECTION_NEUTRAL) {
            put_number(out, "best", bw->best);
            put_number(out, "worst", bw->worst);
        }
        // The sign convention (README.md): which way is worse, for thresholds and comparisons.
        std::string direction(host::direction_name(o.direction));
        std::replace(direction.begin(), direction.end(), ' ', '_');
        out["direction"] = direction;
        const std::size_t k = static_cast<std::size_t>(&o - step.outputs.data());
        if (extras.simulation) {
            const OutputStatistics& stats = extras.simulation->steps[index][k];
            out["drawn"] = stats.drawn;
            if (stats.drawn) out["statistics"] = statistics_json(stats);
            // The same at every draw: its thresholds hold at all draws or at none.
            else if (!stats.thresholds.empty()) out["thresholds"] = thresholds_json(stats.thresholds);
        }
        if (extras.cases) {
            io::Json& cases = out["cases"] = io::Json::object();
            for (std::size_t c = 0; c < extras.cases->names.size(); ++c)
                cases[extras.cases->names[c]] = io::json_number(extras.cases->steps[index][k][c]);
        }
        outputs[o.key] = std::move(out);
    }
    io::Json& notes = s["notes"] = io::Json::object();
    for (const auto& [key, value] : step.notes) notes[io::json_text(key).get<std::string>()] = io::json_text(value);
    if (!step.tables.empty()) {
        io::Json& tables = s["tables"] = io::Json::object();
        for (const sdk::Table& table : step.tables) tables[table.key()] = table_json(table);
    }
    return s;
}

}  // namespace

namespace {

// The summary: each headline output by its label, its value, best and worst (or low and high), and
// P5 to P95 when drawn; money compact in the report's locale.
std::string summary_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras) {
    const auto headline = headline_outputs(scenario, result);
    if (headline.empty()) return {};
    std::string out = "\nSummary\n";
    for (const auto& [s, o] : headline) {
        const StepResult& step = result.steps[s];
        const OutputResult& output = step.outputs[o];
        const std::string& unit = output.value.unit;
        std::string line = fmt::format("  {} ({}.{}): ", text::printable(output.label.empty() ? output.key : output.label),
                                       text::printable(step.id), output.key);
        if (!step.ok()) {
            out += line + unavailable_text(step) + "\n";
            continue;
        }
        line += compact_value(output.value.value, unit, extras.locale);
        if (const auto bw = best_and_worst(output.value, output.direction))
            line += fmt::format("  ({} {}, {} {})", bw->best_name, compact_value(bw->best, unit, extras.locale), bw->worst_name,
                                compact_value(bw->worst, unit, extras.locale));
        if (extras.simulation) {
            const OutputStatistics& stats = extras.simulation->steps[s][o];
            const uncertainty::PercentileResult* p5 = nullptr;
            const uncertainty::PercentileResult* p95 = nullptr;
            for (const auto& q : stats.percentiles) {
                if (std::abs(q.probability - 0.05) < 1e-12) p5 = &q;
                if (std::abs(q.probability - 0.95) < 1e-12) p95 = &q;
            }
            if (stats.drawn && p5 && p95)
                line += fmt::format("  P5 {}, P95 {}", compact_value(p5->value, unit, extras.locale),
                                    compact_value(p95->value, unit, extras.locale));
        }
        out += line + "\n";
    }
    return out;
}

// Every input of every step: label, value (or range) and where it came from, one step at a time.
void write_assumptions_text(const Scenario& scenario, const RunResult& result, const ReportSink& write) {
    write("\nAssumptions\n");
    for (const StepResult& step : result.steps) {
        if (step.inputs.empty()) continue;
        std::string out = fmt::format("  [{}]\n", text::printable(step.id));
        for (const InputUsed& in : step.inputs) {
            std::string value;
            if (in.number && !std::isfinite(in.number->value)) {
                // --keep-going: a value taken from a step that failed.
                value = "unavailable (from a step that did not run)";
            } else if (in.number) {
                value = format_value(in.number->value, in.number->unit);
                if (in.number->low && in.number->high)
                    value += fmt::format(" (range {} to {})", format_value(*in.number->low, in.number->unit),
                                         format_value(*in.number->high, in.number->unit));
            } else {
                value = text::printable(in.text);
            }
            if (!in.distribution.empty()) value += fmt::format("; drawn: {}", text::printable(in.distribution));
            out += fmt::format("    {} ({}): {}  ({})\n", text::printable(in.label.empty() ? in.key : in.label), in.key, value,
                               text::printable(origin_description(scenario, in)));
        }
        write(out);
    }
}

}  // namespace

std::string provenance_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras) {
    std::string out = "\nProvenance\n";
    out += fmt::format("  impact {}, plugin ABI {}.{}{}\n", IMPACT_VERSION, IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR,
                       extras.generated_at_unix ? ", report made " + iso_utc(*extras.generated_at_unix) : std::string());
    out += fmt::format("  scenario {} SHA-256 {}\n", text::printable(scenario.file.string()), scenario.sha256);
    if (extras.simulation) out += fmt::format("  seed {}, {} draws\n", extras.simulation->seed, extras.simulation->draws);
    for (const PluginUsed& p : result.plugins)
        out += fmt::format("  plugin {} {} {} SHA-256 {}\n", text::printable(p.id), text::printable(p.version),
                           text::printable(p.file.string()), p.sha256);
    return out;
}

void write_text(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras) {
    // Text from the scenario file and from plugins goes through printable(): a report printed on
    // a terminal must not carry control sequences or forge lines.
    std::string out;
    if (const std::string summary = incomplete_summary(result); !summary.empty()) out += summary + "\n";
    out += fmt::format("Scenario: {}\n", text::printable(scenario.name));
    if (!scenario.description.empty()) out += fmt::format("  {}\n", text::printable(scenario.description));
    if (scenario.as_of) out += fmt::format("  As of: {}\n", text::format_iso_date(*scenario.as_of));
    if (scenario.currency) out += fmt::format("  Currency: {}\n", *scenario.currency);
    if (!scenario.overrides.empty()) {
        out += "  Overrides (this run only, not the file's values):\n";
        for (const Override& o : scenario.overrides) out += fmt::format("    --set {}\n", text::printable(override_text(o)));
    }
    if (extras.simulation) {
        const SimulationResult& sim = *extras.simulation;
        out += fmt::format("  Monte Carlo: {} draws, seed {}, {} thread{}, {}\n", text::format_grouped(static_cast<double>(sim.draws), 0),
                           sim.seed, sim.threads, sim.threads == 1 ? "" : "s", sim.generator);
        if (sim.convergence) out += convergence_text(*sim.convergence);
        out += "  Percentiles: exact, linear between order statistics (numpy's default); [a, b] is a 95% interval\n";
        for (const std::string& line : sim.correlations) out += fmt::format("  {}\n", text::printable(line));
    }
    if (extras.cases) {
        out += "  Cases:\n";
        for (std::size_t c = 0; c < extras.cases->names.size(); ++c)
            out += fmt::format("    {}{}\n", extras.cases->names[c],
                               extras.cases->descriptions[c].empty() ? "" : ": " + text::printable(extras.cases->descriptions[c]));
    }
    out += summary_text(scenario, result, extras);
    write(out);
    write_assumptions_text(scenario, result, write);
    for (const StepResult& step : result.steps) {
        out.clear();
        if (step.expression.empty())
            out += fmt::format("\n[{}] {} {}{}\n", step.id, step.model_id, step.model_version,
                               step.ranged ? "  (evaluated at low, base and high)" : "");
        else
            out += fmt::format("\n[{}] formula: {}{}\n", step.id, text::printable(step.expression),
                               step.ranged ? "  (evaluated at low, base and high)" : "");
        if (step.status == StepStatus::failed) {
            out += fmt::format("  FAILED: {}\n", text::printable(step.failure));
            write(out);
            continue;
        }
        if (step.status == StepStatus::skipped) {
            out += fmt::format("  skipped: {}\n", text::printable(step.skip_reason()));
            write(out);
            continue;
        }
        // Each output by its label with its key: "Lost revenue (lost_revenue)".
        std::vector<std::string> names;
        std::size_t width = 0;
        for (const auto& o : step.outputs) {
            names.push_back(o.label.empty() ? o.key : fmt::format("{} ({})", text::printable(o.label), o.key));
            width = std::max(width, code_points(names.back()));
        }
        const std::size_t index = static_cast<std::size_t>(&step - result.steps.data());
        if (extras.simulation || extras.cases)
            for (const InputUsed& in : step.inputs)
                if (!in.distribution.empty())
                    out += fmt::format("  drawn: {} ~ {}{}\n", in.key, text::printable(in.distribution),
                                       in.distribution_note.empty() ? "" : fmt::format(" ({})", in.distribution_note));
        for (const auto& o : step.outputs) {
            const std::size_t k = static_cast<std::size_t>(&o - step.outputs.data());
            out += fmt::format("  {}{}  {}\n", names[k], std::string(width - code_points(names[k]), ' '),
                               ranged_text(o.value, o.direction));
            if (extras.simulation) out += statistics_text(extras.simulation->steps[index][k], o.value.unit, width);
            if (extras.cases) {
                for (std::size_t c = 0; c < extras.cases->names.size(); ++c)
                    out += fmt::format("  {:<{}}    {}: {}\n", "", width, extras.cases->names[c],
                                       format_value(extras.cases->steps[index][k][c], o.value.unit));
            }
        }
        if (!step.notes.empty()) {
            out += "  notes:\n";
            for (const auto& [key, value] : step.notes)
                out += fmt::format("    {}: {}\n", text::printable(key), text::printable(value));
        }
        for (const sdk::Table& table : step.tables) out += table_text(table);
        write(out);
    }
    for (const auto& [name, steps] : compare_groups(scenario, result)) {
        std::string section = fmt::format("\nCompare group \"{}\": side by side\n", text::printable(name));
        for (std::size_t s : steps)
            section += fmt::format("  {}  {} {}\n", text::printable(result.steps[s].id), text::printable(result.steps[s].model_id),
                                   result.steps[s].model_version);
        for (const std::string& key : group_output_keys(result, steps)) {
            section += fmt::format("  {}\n", text::printable(key));
            for (std::size_t s : steps) {
                const OutputResult* o = result.steps[s].find_output(key);
                const std::string shown = !o ? std::string("-") : result.steps[s].ok() ? ranged_text(o->value, o->direction) : unavailable_text(result.steps[s]);
                section += fmt::format("    {:<16} {}\n", text::printable(result.steps[s].id), shown);
            }
        }
        write(section);
    }
    if (extras.actuals && !extras.actuals->empty()) {
        std::string section = "\nEstimate against actual\n";
        for (const ActualResult& a : *extras.actuals) {
            section += fmt::format("  {} ({})\n", text::printable(a.output), text::printable(a.label));
            if (!a.unavailable.empty()) {
                section += fmt::format("    estimate unavailable ({})  actual {} ({})\n", text::printable(a.unavailable),
                                       format_value(a.actual, a.unit), text::format_iso_date(a.date));
                section += fmt::format("    source: {}\n", text::printable(a.source));
                continue;
            }
            section += fmt::format("    estimate {}  actual {} ({})\n", format_value(a.estimate, a.unit), format_value(a.actual, a.unit),
                               text::format_iso_date(a.date));
            section += fmt::format("    error {}{}{}\n", a.error >= 0 ? "+" : "", format_value(a.error, a.unit),
                               a.relative_error ? fmt::format(" ({}{:.2f}% of the actual)", *a.relative_error >= 0 ? "+" : "",
                                                              *a.relative_error * 100)
                                                : std::string(" (the actual is 0: no relative error)"));
            if (a.percentile)
                section += fmt::format("    the actual fell at the {:.2f}th percentile of the draws\n", *a.percentile * 100);
            section += fmt::format("    source: {}\n", text::printable(a.source));
        }
        write(section);
    }
    write(provenance_text(scenario, result, extras));
}

std::vector<std::string> convergence_lines(const ConvergenceRecord& record) {
    std::vector<std::string> lines;
    const std::string text = convergence_text(record);
    std::size_t from = 0;
    for (std::size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
        const std::string line = text.substr(from, nl - from);
        lines.push_back(line.substr(std::min(line.find_first_not_of(' '), line.size())));
        from = nl + 1;
    }
    return lines;
}

std::string render_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras) {
    std::string out;
    write_text(scenario, result, [&](std::string_view piece) { out.append(piece); }, extras);
    return out;
}

io::Json scenario_json(const Scenario& scenario) {
    io::Json about = io::Json::object();
    about["name"] = io::json_text(scenario.name);
    if (!scenario.description.empty()) about["description"] = io::json_text(scenario.description);
    io::put_path(about, "file", scenario.file);
    about["as_of"] = scenario.as_of ? io::Json(text::format_iso_date(*scenario.as_of)) : io::Json();
    about["currency"] = scenario.currency ? io::json_text(*scenario.currency) : io::Json();
    return about;
}

io::Json overrides_json(const Scenario& scenario) {
    io::Json overrides = io::Json::array();
    for (const Override& o : scenario.overrides) {
        io::Json entry = io::Json::object();
        entry["input"] = io::json_text(o.step + "." + o.input);
        entry["value"] = io::json_text(o.value_as_written);
        entry["replaces"] = o.replaced_value.empty() ? io::Json() : io::json_text(o.replaced_value);
        entry["replaced_at"] = o.replaced ? io::json_text(o.replaced->str()) : io::Json();
        overrides.push_back(std::move(entry));
    }
    return overrides;
}

io::Json provenance_json(const Scenario& scenario, const RunResult& result, std::optional<long long> generated_at_unix) {
    io::Json provenance = io::Json::object();
    provenance["tool"] = fmt::format("impact {}", IMPACT_VERSION);
    provenance["abi"] = fmt::format("{}.{}", IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR);
    if (generated_at_unix) provenance["generated_at"] = iso_utc(*generated_at_unix);
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
    return provenance;
}

void write_json(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras) {
    const io::Json about = scenario_json(scenario);
    const io::Json overrides = overrides_json(scenario);

    // The document is written member by member and one step at a time, each dumped at its depth.
    write("{\n  \"schema\": \"impact.run/1\",\n");
    if (const std::string summary = incomplete_summary(result); !summary.empty()) {
        // --keep-going: only in a report where some step failed, so a complete report is unchanged.
        const auto [failed, skipped] = failed_and_skipped(result);
        io::Json incomplete = io::Json::object();
        incomplete["failed"] = failed;
        incomplete["skipped"] = skipped;
        incomplete["summary"] = summary;
        write("  \"incomplete\": ");
        write(indented(incomplete, 1));
        write(",\n");
    }
    write("  \"scenario\": ");
    write(indented(about, 1));
    write(",\n  \"overrides\": ");
    write(indented(overrides, 1));
    io::Json headline = io::Json::array();
    for (const auto& [s, o] : headline_outputs(scenario, result)) {
        io::Json h = io::Json::object();
        h["step"] = io::json_text(result.steps[s].id);
        h["output"] = io::json_text(result.steps[s].outputs[o].key);
        h["label"] = io::json_text(result.steps[s].outputs[o].label);
        headline.push_back(std::move(h));
    }
    write(",\n  \"headline\": ");
    write(indented(headline, 1));
    if (extras.simulation) {
        const SimulationResult& sim = *extras.simulation;
        io::Json u = io::Json::object();
        u["draws"] = sim.draws;
        u["seed"] = sim.seed;
        u["threads"] = sim.threads;
        u["generator"] = sim.generator;
        u["percentile_method"] = sim.percentile_method;
        u["percentile_ci95"] = "order statistics at ranks N*p -/+ 1.96*sqrt(N*p*(1-p)), rounded outward";
        u["passes"] = sim.passes;
        u["correlations"] = sim.correlations;
        if (sim.convergence) u["convergence"] = convergence_json(*sim.convergence);
        write(",\n  \"uncertainty\": ");
        write(indented(u, 1));
    }
    if (extras.cases) {
        io::Json cases = io::Json::array();
        for (std::size_t c = 0; c < extras.cases->names.size(); ++c) {
            io::Json entry = io::Json::object();
            entry["name"] = io::json_text(extras.cases->names[c]);
            entry["description"] = io::json_text(extras.cases->descriptions[c]);
            cases.push_back(std::move(entry));
        }
        write(",\n  \"cases\": ");
        write(indented(cases, 1));
    }
    write(",\n  \"steps\": [");
    for (std::size_t i = 0; i < result.steps.size(); ++i) {
        write(i == 0 ? "\n    " : ",\n    ");
        write(indented(step_json(result.steps[i], i, extras), 2));
    }
    write(result.steps.empty() ? "]" : "\n  ]");
    if (const auto groups = compare_groups(scenario, result); !groups.empty()) {
        io::Json list = io::Json::array();
        for (const auto& [name, steps] : groups) {
            io::Json group = io::Json::object();
            group["name"] = io::json_text(name);
            io::Json& ids = group["steps"] = io::Json::array();
            for (std::size_t s : steps) ids.push_back(io::json_text(result.steps[s].id));
            io::Json& outputs = group["outputs"] = io::Json::array();
            for (const std::string& key : group_output_keys(result, steps)) {
                io::Json row = io::Json::object();
                row["key"] = io::json_text(key);
                io::Json& values = row["values"] = io::Json::array();
                for (std::size_t s : steps) {
                    const OutputResult* o = result.steps[s].find_output(key);
                    values.push_back(o && result.steps[s].ok() ? io::json_number(o->value.value) : io::Json());
                }
                outputs.push_back(std::move(row));
            }
            io::Json unavailable = io::Json::array();
            for (std::size_t s : steps)
                if (!result.steps[s].ok()) unavailable.push_back(io::json_text(result.steps[s].id));
            if (!unavailable.empty()) group["unavailable"] = std::move(unavailable);
            list.push_back(std::move(group));
        }
        write(",\n  \"compare_groups\": ");
        write(indented(list, 1));
    }
    if (extras.actuals) {
        io::Json actuals = io::Json::array();
        for (const ActualResult& a : *extras.actuals) {
            io::Json entry = io::Json::object();
            entry["output"] = io::json_text(a.output);
            entry["label"] = io::json_text(a.label);
            entry["unit"] = io::json_text(a.unit);
            entry["estimate"] = io::json_number(a.estimate);
            entry["actual"] = io::json_number(a.actual);
            entry["actual_as_written"] = io::json_text(a.as_written);
            entry["date"] = text::format_iso_date(a.date);
            entry["error"] = io::json_number(a.error);
            entry["relative_error"] = a.relative_error ? io::json_number(*a.relative_error) : io::Json();
            entry["percentile"] = a.percentile ? io::json_number(*a.percentile) : io::Json();
            entry["source"] = io::json_text(a.source);
            if (!a.unavailable.empty()) entry["unavailable"] = io::json_text(a.unavailable);
            actuals.push_back(std::move(entry));
        }
        write(",\n  \"actuals\": ");
        write(indented(actuals, 1));
    }

    write(",\n  \"provenance\": ");
    write(indented(provenance_json(scenario, result, extras.generated_at_unix), 1));
    write("\n}\n");
}

std::string render_json(const Scenario& scenario, const RunResult& result, const ReportExtras& extras) {
    std::string out;
    write_json(scenario, result, [&](std::string_view piece) { out.append(piece); }, extras);
    return out;
}

}  // namespace impact::scenario
