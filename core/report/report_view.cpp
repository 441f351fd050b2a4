// Builds the report view: every figure of a run as a raw number and as text for people, best and worst by direction.
#include "report/report_view.hpp"

#include "report/view_parts.hpp"

#include "host/model_info.hpp"
#include "io/json_output.hpp"
#include "text/iso_date.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::report {

namespace {

using detail::actuals_view;
using detail::bar;
using detail::chart;
using detail::figure_text;
using detail::find_percentile;
using detail::number_or_null;
using detail::p5_p95;
using detail::range_text;
using scenario::OutputResult;
using scenario::RangedValue;
using scenario::StepResult;

// Charts: at most this many histograms (one per drawn headline output).
constexpr std::size_t kMaxHistograms = 6;
// Charts: at most this many per compare group (its money and percentage outputs, in order).
constexpr std::size_t kMaxGroupCharts = 6;

constexpr std::string_view kViewFieldSpec = R"spec(
schema kind locale title description as_of currency incomplete is_incomplete
has_headline headline[ step output label unit value value_text has_range best worst best_text worst_text best_name worst_name
          range_text direction has_statistics p5 p5_text p50 p50_text p95 p95_text mean mean_text sd sd_text ]
has_assumptions assumptions[ step input label kind value value_text unit origin origin_text is_override override_text is_drawn
             distribution distribution_note ]
has_overrides overrides[ input value replaces replaced_at ]
steps[ id model model_version plugin is_formula expression ranged status is_ok message
       outputs[ step output label unit value value_text has_range best worst best_text worst_text best_name worst_name
                range_text direction has_statistics p5 p5_text p50 p50_text p95 p95_text mean mean_text sd sd_text
                cases[ name value value_text ] has_cases thresholds[ name probability probability_text draws ]
                percentiles[ name value value_text ci_low ci_high ] has_thresholds ]
       notes[ key value ] has_notes
       tables[ key label description columns[ key label unit is_text ] rows[ cells[ text value is_text column_label ] ] ] has_tables ]
has_simulation simulation{ draws seed threads generator percentile_method has_convergence converged convergence[ text ] }
has_cases cases[ name description ]
has_compare_groups compare_groups[ name steps[ id ] outputs[ key values[ step value value_text ] label unit ] ]
has_actuals actuals[ output label unit estimate estimate_text actual actual_text date error error_text relative_error
                     relative_error_text percentile percentile_text source unavailable ]
has_charts charts[ id kind is_bars is_histogram is_tornado title unit step output bars[ label value value_text has_whisker low high low_text high_text ]
        bins[ from to share density label ]
        rows[ input label low_name high_name output_at_low output_at_high low_text high_text swing swing_text ]
        base base_text ]
has_sensitivity sensitivity{ output label unit point_value point_value_text draws seed rank_status sobol_status
                             rank[ input label spearman spearman_text ] has_rank
                             sobol[ input label first_order total first_order_text total_text ] has_sobol }
provenance{ tool abi generated_at scenario_file scenario_sha256 seed draws plugins[ id version file sha256 ] }
)spec";

std::string direction_key(impact_direction direction) {
    std::string name(host::direction_name(direction));
    std::replace(name.begin(), name.end(), ' ', '_');
    return name;
}

std::string percentile_name(double p) { return fmt::format("P{}", static_cast<int>(std::lround(p * 100))); }

// The members an output has wherever it appears (headline and step sections): value, best and
// worst by its direction, and P5/P50/P95 and the mean when drawn.
View output_view(const StepResult& step, const OutputResult& out, const scenario::OutputStatistics* stats,
                 text::Locale locale) {
    View o = View::object();
    o["step"] = io::json_text(step.id);
    o["output"] = io::json_text(out.key);
    o["label"] = io::json_text(out.label.empty() ? out.key : out.label);
    o["unit"] = io::json_text(out.value.unit);
    const bool available = step.ok();
    const RangedValue& v = out.value;
    o["value"] = available ? number_or_null(v.value) : View();
    o["value_text"] = available ? figure_text(v.value, v.unit, locale)
                                : std::string(step.status == scenario::StepStatus::failed ? "unavailable (the step failed)"
                                                                                           : "unavailable (the step was skipped)");
    const bool has_range = available && v.low && v.high;
    o["has_range"] = has_range;
    // Best and worst follow the output's direction, never the order the input's range was written
    // in; a neutral output keeps "low" and "high", ordered by the output's own value.
    std::optional<double> best, worst;
    std::string best_name = "low", worst_name = "high";
    if (has_range) {
        const scenario::BestWorst bw = *scenario::best_and_worst(v, out.direction);
        best = bw.best, worst = bw.worst, best_name = bw.best_name, worst_name = bw.worst_name;
    }
    o["best"] = best ? number_or_null(*best) : View();
    o["worst"] = worst ? number_or_null(*worst) : View();
    o["best_text"] = best ? figure_text(*best, v.unit, locale) : std::string();
    o["worst_text"] = worst ? figure_text(*worst, v.unit, locale) : std::string();
    o["best_name"] = best_name;
    o["worst_name"] = worst_name;
    const bool finite_ends = has_range && std::isfinite(*best) && std::isfinite(*worst);
    o["range_text"] = !has_range     ? std::string()
                      : finite_ends ? range_text(std::min(*best, *worst), std::max(*best, *worst), v.unit, locale)
                                    : fmt::format("low {}, high {}", figure_text(*best, v.unit, locale), figure_text(*worst, v.unit, locale));
    o["direction"] = direction_key(out.direction);
    const bool drawn = available && stats && stats->drawn;
    o["has_statistics"] = drawn;
    for (const double p : {0.05, 0.50, 0.95}) {
        const uncertainty::PercentileResult* q = drawn ? find_percentile(*stats, p) : nullptr;
        const std::string name = fmt::format("p{}", static_cast<int>(std::lround(p * 100)));
        o[name] = q ? number_or_null(q->value) : View();
        o[name + "_text"] = q ? figure_text(q->value, v.unit, locale) : std::string();
    }
    o["mean"] = drawn ? number_or_null(stats->moments.mean) : View();
    o["mean_text"] = drawn ? figure_text(stats->moments.mean, v.unit, locale) : std::string();
    o["sd"] = drawn ? number_or_null(stats->moments.sd()) : View();
    o["sd_text"] = drawn ? figure_text(stats->moments.sd(), v.unit, locale) : std::string();
    return o;
}

View assumptions_view(const scenario::Scenario& scenario, const scenario::RunResult& result, text::Locale locale) {
    View rows = View::array();
    for (const StepResult& step : result.steps) {
        for (const scenario::InputUsed& in : step.inputs) {
            View a = View::object();
            a["step"] = io::json_text(step.id);
            a["input"] = io::json_text(in.key);
            a["label"] = io::json_text(in.label.empty() ? in.key : in.label);
            a["kind"] = io::json_text(in.kind);
            if (in.number && !std::isfinite(in.number->value)) {
                // --keep-going: a value taken from a step that did not run.
                a["value"] = View();
                a["value_text"] = "unavailable (from a step that did not run)";
                a["unit"] = io::json_text(in.number->unit);
            } else if (in.number) {
                const RangedValue& v = *in.number;
                a["value"] = number_or_null(v.value);
                std::string shown = figure_text(v.value, v.unit, locale);
                if (v.low && v.high) shown += fmt::format(" (range {})", range_text(*v.low, *v.high, v.unit, locale));
                a["value_text"] = shown;
                a["unit"] = io::json_text(v.unit);
            } else {
                a["value"] = View();
                a["value_text"] = io::json_text(in.text);
                a["unit"] = "";
            }
            a["origin"] = io::json_text(in.origin);
            a["origin_text"] = io::json_text(scenario::origin_description(scenario, in));
            const auto o = std::find_if(scenario.overrides.begin(), scenario.overrides.end(), [&](const scenario::Override& x) {
                return x.step == step.id && x.input == in.key;
            });
            a["is_override"] = o != scenario.overrides.end();
            a["override_text"] = o == scenario.overrides.end() ? std::string()
                                 : o->replaced_value.empty()   ? fmt::format("--set {} (not in the file)", text::printable(o->value_as_written))
                                                               : fmt::format("--set {} (replaces {})", text::printable(o->value_as_written),
                                                                             text::printable(o->replaced_value));
            a["is_drawn"] = !in.distribution.empty();
            a["distribution"] = io::json_text(in.distribution);
            a["distribution_note"] = io::json_text(in.distribution_note);
            rows.push_back(std::move(a));
        }
    }
    return rows;
}

// A result table's cells as the text report shows them, with the raw number beside each.
View table_view(const sdk::Table& table, text::Locale locale) {
    View t = View::object();
    t["key"] = table.key();
    t["label"] = io::json_text(table.label());
    t["description"] = io::json_text(table.text());
    View& columns = t["columns"] = View::array();
    for (const sdk::Table::Column& column : table.columns()) {
        View c = View::object();
        c["key"] = column.key;
        c["label"] = io::json_text(column.label);
        c["unit"] = io::json_text(column.unit);
        c["is_text"] = column.is_text;
        columns.push_back(std::move(c));
    }
    View& rows = t["rows"] = View::array();
    for (std::size_t r = 0; r < table.rows(); ++r) {
        View cells = View::array();
        for (const sdk::Table::Column& column : table.columns()) {
            View cell = View::object();
            if (column.is_text) {
                cell["text"] = io::json_text(column.texts[r]);
                cell["value"] = View();
            } else {
                const double v = column.numbers[r];
                // Four significant digits for percentages in tables: a daily alpha of 0.0512% is not 0.05%.
                cell["text"] = column.unit == "%" && std::isfinite(v) ? text::format_rate(v * 100, 4) + "%"
                                                                      : figure_text(v, column.unit, locale);
                cell["value"] = number_or_null(v);
            }
            cell["is_text"] = column.is_text;
            // A phone shows a row as a card of "label: value" lines (the HTML template).
            cell["column_label"] = io::json_text(column.label);
            cells.push_back(std::move(cell));
        }
        View row = View::object();
        row["cells"] = std::move(cells);
        rows.push_back(std::move(row));
    }
    return t;
}

View step_view(const StepResult& step, std::size_t index, const scenario::ReportExtras& extras, text::Locale locale) {
    View s = View::object();
    s["id"] = io::json_text(step.id);
    s["model"] = io::json_text(step.model_id);
    s["model_version"] = io::json_text(step.model_version);
    s["plugin"] = io::json_text(step.plugin_id);
    s["is_formula"] = !step.expression.empty();
    s["expression"] = io::json_text(step.expression);
    s["ranged"] = step.ranged;
    s["status"] = step.status == scenario::StepStatus::ok       ? "ok"
                  : step.status == scenario::StepStatus::failed ? "failed"
                                                                : "skipped";
    s["is_ok"] = step.ok();
    s["message"] = io::json_text(step.status == scenario::StepStatus::failed    ? step.failure
                                 : step.status == scenario::StepStatus::skipped ? step.skip_reason()
                                                                                : std::string());
    View& outputs = s["outputs"] = View::array();
    for (std::size_t k = 0; k < step.outputs.size(); ++k) {
        const OutputResult& out = step.outputs[k];
        const scenario::OutputStatistics* stats = extras.simulation ? &extras.simulation->steps[index][k] : nullptr;
        View o = output_view(step, out, stats, locale);
        View& cases = o["cases"] = View::array();
        if (extras.cases && step.ok())
            for (std::size_t c = 0; c < extras.cases->names.size(); ++c) {
                const double v = extras.cases->steps[index][k][c];
                View entry = View::object();
                entry["name"] = io::json_text(extras.cases->names[c]);
                entry["value"] = number_or_null(v);
                entry["value_text"] = figure_text(v, out.value.unit, locale);
                cases.push_back(std::move(entry));
            }
        o["has_cases"] = !cases.empty();
        View& thresholds = o["thresholds"] = View::array();
        View& percentiles = o["percentiles"] = View::array();
        if (stats && step.ok()) {
            for (const scenario::ThresholdResult& t : stats->thresholds) {
                View th = View::object();
                th["name"] = io::json_text(fmt::format("P({} {})", t.above ? ">" : "<", t.as_written));
                th["probability"] = io::json_number(t.probability);
                th["probability_text"] = text::format_grouped(t.probability * 100, 2) + "%";
                th["draws"] = t.count;
                thresholds.push_back(std::move(th));
            }
            if (stats->drawn)
                for (const auto& q : stats->percentiles) {
                    View p = View::object();
                    p["name"] = percentile_name(q.probability);
                    p["value"] = number_or_null(q.value);
                    p["value_text"] = figure_text(q.value, out.value.unit, locale);
                    p["ci_low"] = number_or_null(q.ci_low);
                    p["ci_high"] = number_or_null(q.ci_high);
                    percentiles.push_back(std::move(p));
                }
        }
        o["has_thresholds"] = !thresholds.empty();
        outputs.push_back(std::move(o));
    }
    View& notes = s["notes"] = View::array();
    for (const auto& [key, value] : step.notes) {
        View n = View::object();
        n["key"] = io::json_text(key);
        n["value"] = io::json_text(value);
        notes.push_back(std::move(n));
    }
    s["has_notes"] = !notes.empty();
    View& tables = s["tables"] = View::array();
    for (const sdk::Table& table : step.tables) tables.push_back(table_view(table, locale));
    s["has_tables"] = !tables.empty();
    return s;
}

// A histogram of a drawn output from its exact percentiles: bins from the minimum to P1, P1 to P5,
// ..., P99 to the maximum. Each bin holds exactly the stated share of the draws (the percentiles
// are exact), so the bars are true masses over unequal widths; their height is the density.
View histogram_bins(const scenario::OutputStatistics& stats, const std::string& unit, text::Locale locale) {
    std::vector<std::pair<double, double>> edges;  // (probability, value)
    edges.emplace_back(0.0, stats.moments.min);
    for (const auto& q : stats.percentiles) edges.emplace_back(q.probability, q.value);
    edges.emplace_back(1.0, stats.moments.max);
    View bins = View::array();
    for (std::size_t i = 0; i + 1 < edges.size(); ++i) {
        const auto [p0, from] = edges[i];
        const auto [p1, to] = edges[i + 1];
        if (!std::isfinite(from) || !std::isfinite(to)) return View::array();
        View b = View::object();
        b["from"] = io::json_number(from);
        b["to"] = io::json_number(to);
        b["share"] = io::json_number(p1 - p0);
        // A bin of zero width (draws tied at one value) has no density; its share still shows.
        b["density"] = to > from ? io::json_number((p1 - p0) / (to - from)) : View();
        b["label"] = fmt::format("{} to {}", figure_text(from, unit, locale), figure_text(to, unit, locale));
        bins.push_back(std::move(b));
    }
    return bins;
}

View charts_view(const scenario::Scenario& scenario, const scenario::RunResult& result, const scenario::ReportExtras& extras,
                 const std::vector<std::pair<std::size_t, std::size_t>>& headline, text::Locale locale) {
    View charts = View::array();
    const auto stats_of = [&](std::size_t s, std::size_t o) -> const scenario::OutputStatistics* {
        return extras.simulation ? &extras.simulation->steps[s][o] : nullptr;
    };
    // Cases side by side, one chart per headline output.
    if (extras.cases)
        for (const auto& [s, o] : headline) {
            const StepResult& step = result.steps[s];
            if (!step.ok()) continue;
            const OutputResult& out = step.outputs[o];
            View c = chart(fmt::format("cases-{}-{}", step.id, out.key), "bars",
                           fmt::format("{}: cases", out.label.empty() ? out.key : out.label), out.value.unit, step.id, out.key);
            for (std::size_t k = 0; k < extras.cases->names.size(); ++k)
                c["bars"].push_back(bar(extras.cases->names[k], extras.cases->steps[s][o][k], out.value.unit, std::nullopt, locale));
            charts.push_back(std::move(c));
        }
    // Drawn headline outputs side by side, one chart per unit: the value with P5-P95 whiskers.
    if (extras.simulation) {
        std::vector<std::string> units;
        for (const auto& [s, o] : headline)
            if (p5_p95(stats_of(s, o)) && result.steps[s].ok() &&
                std::find(units.begin(), units.end(), result.steps[s].outputs[o].value.unit) == units.end())
                units.push_back(result.steps[s].outputs[o].value.unit);
        for (const std::string& unit : units) {
            View c = chart(fmt::format("drawn-{}", unit.empty() ? "number" : unit), "bars",
                           fmt::format("Headline outputs{}: value with P5–P95", unit.empty() ? "" : " in " + unit), unit, "", "");
            for (const auto& [s, o] : headline) {
                const OutputResult& out = result.steps[s].outputs[o];
                const auto whisker = p5_p95(stats_of(s, o));
                if (!whisker || out.value.unit != unit || !result.steps[s].ok()) continue;
                c["bars"].push_back(bar(out.label.empty() ? out.key : out.label, out.value.value, unit, whisker, locale));
            }
            charts.push_back(std::move(c));
        }
        std::size_t histograms = 0;
        for (const auto& [s, o] : headline) {
            const scenario::OutputStatistics* stats = stats_of(s, o);
            if (!stats || !stats->drawn || !result.steps[s].ok() || histograms == kMaxHistograms) continue;
            const OutputResult& out = result.steps[s].outputs[o];
            View c = chart(fmt::format("histogram-{}-{}", result.steps[s].id, out.key), "histogram",
                           fmt::format("{}: distribution of {} draws", out.label.empty() ? out.key : out.label,
                                       text::format_grouped(static_cast<double>(extras.simulation->draws), 0)),
                           out.value.unit, result.steps[s].id, out.key);
            c["bins"] = histogram_bins(*stats, out.value.unit, locale);
            if (c["bins"].empty()) continue;
            charts.push_back(std::move(c));
            ++histograms;
        }
    }
    // Compare groups: each shared money or percentage output side by side across the group's steps,
    // at most kMaxGroupCharts a group. Counts, test statistics and p-values stay in the group's table:
    // a chart of them beside the figures says little and buries the ones that matter.
    for (const auto& [group, members] : scenario::compare_groups(scenario, result)) {
        std::size_t group_charts = 0;
        for (const std::string& key : scenario::group_output_keys(result, members)) {
            if (group_charts == kMaxGroupCharts) break;
            std::string unit, label;
            bool comparable = true;
            std::size_t present = 0;
            for (std::size_t t : members)
                if (const OutputResult* o = result.steps[t].find_output(key)) {
                    if (present++ == 0) unit = o->value.unit, label = o->label.empty() ? key : o->label;
                    else if (o->value.unit != unit) comparable = false;
                }
            if (!comparable || present < 2 || !(text::is_currency_code(unit) || unit == "%")) continue;
            View c = chart(fmt::format("compare-{}-{}", group, key), "bars", fmt::format("{} ({})", label, group), unit, "", key);
            for (std::size_t t : members) {
                const OutputResult* o = result.steps[t].find_output(key);
                if (!o || !result.steps[t].ok()) continue;
                const std::size_t k = static_cast<std::size_t>(o - result.steps[t].outputs.data());
                c["bars"].push_back(bar(result.steps[t].id, o->value.value, unit, p5_p95(stats_of(t, k)), locale));
            }
            if (c["bars"].size() >= 2) {
                charts.push_back(std::move(c));
                ++group_charts;
            }
        }
    }
    return charts;
}

View compare_groups_view(const scenario::Scenario& scenario, const scenario::RunResult& result, text::Locale locale) {
    View groups = View::array();
    for (const auto& [name, members] : scenario::compare_groups(scenario, result)) {
        View g = View::object();
        g["name"] = io::json_text(name);
        View& steps = g["steps"] = View::array();
        for (std::size_t t : members) {
            View id = View::object();
            id["id"] = io::json_text(result.steps[t].id);
            steps.push_back(std::move(id));
        }
        View& outputs = g["outputs"] = View::array();
        for (const std::string& key : scenario::group_output_keys(result, members)) {
            View row = View::object();
            row["key"] = io::json_text(key);
            std::string label, unit;
            View& values = row["values"] = View::array();
            for (std::size_t t : members) {
                const OutputResult* o = result.steps[t].find_output(key);
                if (o && label.empty()) label = o->label.empty() ? key : o->label, unit = o->value.unit;
                View v = View::object();
                v["step"] = io::json_text(result.steps[t].id);
                const bool shown = o && result.steps[t].ok();
                v["value"] = shown ? number_or_null(o->value.value) : View();
                v["value_text"] = !o ? std::string("–") : shown ? figure_text(o->value.value, o->value.unit, locale) : std::string("unavailable");
                values.push_back(std::move(v));
            }
            row["label"] = io::json_text(label);
            row["unit"] = io::json_text(unit);
            outputs.push_back(std::move(row));
        }
        groups.push_back(std::move(g));
    }
    return groups;
}

View provenance_view(const scenario::Scenario& scenario, const scenario::RunResult& result, std::optional<std::uint64_t> seed,
                     std::optional<std::uint64_t> draws, const ViewOptions& options) {
    View p = View::object();
    p["tool"] = fmt::format("impact {}", IMPACT_VERSION);
    p["abi"] = fmt::format("{}.{}", IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR);
    p["generated_at"] = scenario::iso_utc(options.generated_at_unix);
    io::put_path(p, "scenario_file", scenario.file);
    p["scenario_sha256"] = scenario.sha256;
    p["seed"] = seed ? View(*seed) : View();
    p["draws"] = draws ? View(*draws) : View();
    // Each plugin's id, version, file and SHA-256, as the JSON report writes them.
    p["plugins"] = scenario::provenance_json(scenario, result)["plugins"];
    return p;
}

View base_view(const scenario::Scenario& scenario, const scenario::RunResult& result, const scenario::ReportExtras& extras,
               const ViewOptions& options, const char* kind) {
    const text::Locale locale = options.locale;
    View v = View::object();
    v["schema"] = "impact.report-view/1";
    v["kind"] = kind;
    v["locale"] = std::string(text::locale_name(locale));
    v["title"] = io::json_text(scenario.name);
    v["description"] = io::json_text(scenario.description);
    v["as_of"] = scenario.as_of ? text::format_iso_date(*scenario.as_of) : std::string();
    v["currency"] = scenario.currency ? *scenario.currency : std::string();
    const auto [failed, skipped] = scenario::failed_and_skipped(result);
    v["incomplete"] = failed + skipped == 0 ? std::string()
                                            : fmt::format("{} step{} failed, {} skipped: the figures below are incomplete", failed,
                                                          failed == 1 ? "" : "s", skipped);
    v["is_incomplete"] = failed + skipped != 0;
    const auto headline = scenario::headline_outputs(scenario, result);
    v["has_headline"] = !headline.empty();
    View& heads = v["headline"] = View::array();
    for (const auto& [s, o] : headline)
        heads.push_back(output_view(result.steps[s], result.steps[s].outputs[o],
                                    extras.simulation ? &extras.simulation->steps[s][o] : nullptr, locale));
    View assumptions = assumptions_view(scenario, result, locale);
    v["has_assumptions"] = !assumptions.empty();
    v["assumptions"] = std::move(assumptions);
    v["has_overrides"] = !scenario.overrides.empty();
    v["overrides"] = scenario::overrides_json(scenario);
    View& steps = v["steps"] = View::array();
    for (std::size_t i = 0; i < result.steps.size(); ++i) steps.push_back(step_view(result.steps[i], i, extras, locale));
    v["has_simulation"] = extras.simulation != nullptr;
    View& sim = v["simulation"] = View::object();
    sim["draws"] = extras.simulation ? View(extras.simulation->draws) : View();
    sim["seed"] = extras.simulation ? View(extras.simulation->seed) : View();
    sim["threads"] = extras.simulation ? View(extras.simulation->threads) : View();
    sim["generator"] = extras.simulation ? extras.simulation->generator : std::string();
    sim["percentile_method"] = extras.simulation ? extras.simulation->percentile_method : std::string();
    const scenario::ConvergenceRecord* convergence =
        extras.simulation && extras.simulation->convergence ? &*extras.simulation->convergence : nullptr;
    sim["has_convergence"] = convergence != nullptr;
    sim["converged"] = convergence && convergence->converged;
    View& lines = sim["convergence"] = View::array();
    if (convergence)
        for (const std::string& line : scenario::convergence_lines(*convergence)) lines.push_back(View{{"text", io::json_text(line)}});
    v["has_cases"] = extras.cases != nullptr;
    View& cases = v["cases"] = View::array();
    if (extras.cases)
        for (std::size_t c = 0; c < extras.cases->names.size(); ++c) {
            View entry = View::object();
            entry["name"] = io::json_text(extras.cases->names[c]);
            entry["description"] = io::json_text(extras.cases->descriptions[c]);
            cases.push_back(std::move(entry));
        }
    View groups = compare_groups_view(scenario, result, locale);
    v["has_compare_groups"] = !groups.empty();
    v["compare_groups"] = std::move(groups);
    const bool has_actuals = extras.actuals && !extras.actuals->empty();
    v["has_actuals"] = has_actuals;
    v["actuals"] = has_actuals ? actuals_view(*extras.actuals, locale) : View::array();
    View charts = charts_view(scenario, result, extras, headline, locale);
    v["has_charts"] = !charts.empty();
    v["charts"] = std::move(charts);
    v["has_sensitivity"] = false;
    View& sensitivity = v["sensitivity"] = View::object();
    for (const char* member : {"output", "label", "unit"}) sensitivity[member] = "";
    sensitivity["point_value"] = View();
    sensitivity["point_value_text"] = "";
    sensitivity["draws"] = View();
    sensitivity["seed"] = View();
    sensitivity["rank_status"] = "";
    sensitivity["sobol_status"] = "";
    sensitivity["rank"] = View::array();
    sensitivity["has_rank"] = false;
    sensitivity["sobol"] = View::array();
    sensitivity["has_sobol"] = false;
    v["provenance"] = provenance_view(scenario, result,
                                      extras.simulation ? std::optional(extras.simulation->seed) : std::nullopt,
                                      extras.simulation ? std::optional(extras.simulation->draws) : std::nullopt, options);
    return v;
}

}  // namespace

std::string_view view_field_spec() noexcept { return kViewFieldSpec; }

const Field& view_fields() {
    // Parsed once; immutable afterwards (a function-local constant, not mutable state).
    static const Field fields = parse_field_spec(kViewFieldSpec);
    return fields;
}

View build_step_view(const scenario::RunResult& result, std::size_t index, const scenario::ReportExtras& extras,
                     text::Locale locale) {
    return step_view(result.steps.at(index), index, extras, locale);
}

View build_run_view(const scenario::Scenario& scenario, const scenario::RunResult& result,
                    const scenario::ReportExtras& extras, const ViewOptions& options) {
    return base_view(scenario, result, extras, options, "run");
}

View build_sensitivity_view(const scenario::Scenario& scenario, const scenario::RunResult& run,
                            const scenario::SensitivityResult& sensitivity, const ViewOptions& options) {
    const text::Locale locale = options.locale;
    View v = base_view(scenario, run, {}, options, "sensitivity");
    const std::string& unit = sensitivity.unit;
    View tornado = chart("tornado", "tornado", fmt::format("{}: tornado", sensitivity.label), unit,
                         run.steps[sensitivity.step].id, sensitivity.output_name);
    tornado["base"] = number_or_null(sensitivity.point_value);
    tornado["base_text"] = figure_text(sensitivity.point_value, unit, locale);
    for (const scenario::TornadoBar& b : sensitivity.tornado) {
        View r = View::object();
        r["input"] = io::json_text(b.input);
        r["label"] = io::json_text(b.label.empty() ? b.input : b.label);
        r["low_name"] = io::json_text(b.low_name);
        r["high_name"] = io::json_text(b.high_name);
        r["output_at_low"] = number_or_null(b.output_at_low);
        r["output_at_high"] = number_or_null(b.output_at_high);
        r["low_text"] = figure_text(b.output_at_low, unit, locale);
        r["high_text"] = figure_text(b.output_at_high, unit, locale);
        r["swing"] = number_or_null(b.swing);
        r["swing_text"] = figure_text(b.swing, unit, locale);
        tornado["rows"].push_back(std::move(r));
    }
    if (!tornado["rows"].empty()) {
        v["charts"].push_back(std::move(tornado));
        v["has_charts"] = true;
    }
    View& s = v["sensitivity"];
    s["output"] = io::json_text(sensitivity.output_name);
    s["label"] = io::json_text(sensitivity.label);
    s["unit"] = io::json_text(unit);
    s["point_value"] = number_or_null(sensitivity.point_value);
    s["point_value_text"] = figure_text(sensitivity.point_value, unit, locale);
    s["draws"] = sensitivity.draws;
    s["seed"] = sensitivity.seed;
    s["rank_status"] = io::json_text(sensitivity.rank_status);  // "computed", or why not
    s["sobol_status"] = io::json_text(sensitivity.sobol_status);
    View& rank = s["rank"] = View::array();
    for (const scenario::RankCorrelation& r : sensitivity.rank) {
        View e = View::object();
        e["input"] = io::json_text(r.input);
        e["label"] = io::json_text(r.label);
        e["spearman"] = r.spearman ? number_or_null(*r.spearman) : View();
        e["spearman_text"] = r.spearman ? fmt::format("{:+.3f}", *r.spearman) : std::string("constant");
        rank.push_back(std::move(e));
    }
    s["has_rank"] = !rank.empty();
    View& sobol = s["sobol"] = View::array();
    for (const scenario::SobolIndex& i : sensitivity.sobol) {
        View e = View::object();
        e["input"] = io::json_text(i.input);
        e["label"] = io::json_text(i.label);
        e["first_order"] = number_or_null(i.first_order);
        e["total"] = number_or_null(i.total);
        e["first_order_text"] = fmt::format("{:.3f} [{:.3f}, {:.3f}]", i.first_order, i.first_order_low, i.first_order_high);
        e["total_text"] = fmt::format("{:.3f} [{:.3f}, {:.3f}]", i.total, i.total_low, i.total_high);
        sobol.push_back(std::move(e));
    }
    s["has_sobol"] = !sobol.empty();
    v["has_sensitivity"] = true;
    v["provenance"]["seed"] = sensitivity.seed;
    v["provenance"]["draws"] = sensitivity.draws;
    return v;
}

}  // namespace impact::report
