// Builds the compare view: every side, every matched output's figures per side with differences and ratios, per-draw differences, actuals and charts.
#include "report/compare_view.hpp"

#include "io/json_output.hpp"
#include "report/html_report.hpp"
#include "report/view_parts.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"

#include <impact/sdk/impact_plugin.h>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::report {

namespace {

using detail::figure_text;
using detail::number_or_null;
using scenario::ComparedFigure;
using scenario::ComparedOutput;
using scenario::side_letter;

constexpr std::string_view kCompareViewFieldSpec = R"spec(
schema kind locale title
sides[ label as_given scenario_name scenario_file scenario_sha256 is_baseline is_drawn draws seed draws_text
       plugins[ id version sha256 ] ]
baseline baseline_file has_tolerance tolerance_text is_within beyond outcome_text
columns[ heading ]
outputs[ name step output label unit is_within status_text has_missing missing_text
         rows[ statistic status_text values[ side value value_text is_baseline ]
               changes[ side difference difference_text ratio ratio_text is_within is_beyond ] ]
         has_per_draw per_draw[ side versus draws mean mean_text sd sd_text p5 p5_text p50 p50_text p95 p95_text
                                probability_greater probability_greater_text ]
         per_draw_note ]
has_per_draw
has_actuals actuals[ side output label unit estimate estimate_text actual actual_text date error error_text relative_error
                     relative_error_text percentile percentile_text source unavailable ]
has_charts charts[ id kind is_bars is_histogram is_tornado title unit step output bars[ label value value_text has_whisker low high low_text high_text ]
        bins[ from to share density label ]
        rows[ input label low_name high_name output_at_low output_at_high low_text high_text swing swing_text ]
        base base_text ]
charts_note
provenance{ tool abi generated_at }
)spec";

// A difference for people: of two percentages in percentage points ("0.0312 pp"), never "%",
// which would read as relative; other units as their figures.
std::string difference_text(double value, const std::string& unit, text::Locale locale) {
    return unit == "%" && std::isfinite(value) ? text::format_rate(value * 100, 4) + " pp" : figure_text(value, unit, locale);
}

// "+$1.00B", "-0.0312 pp": a difference with its sign, except an exact zero.
std::string signed_text(double value, const std::string& unit, text::Locale locale) {
    const std::string shown = difference_text(value, unit, locale);
    return std::isfinite(value) && value > 0 ? "+" + shown : shown;
}

const ComparedFigure* find_figure(const ComparedOutput& output, std::string_view statistic) {
    for (const ComparedFigure& f : output.figures)
        if (f.statistic == statistic) return &f;
    return nullptr;
}

View side_view(const scenario::CompareSide& side, std::size_t index, std::size_t baseline) {
    View s = View::object();
    s["label"] = side_letter(index);
    s["as_given"] = io::json_text(side.name);
    s["scenario_name"] = io::json_text(side.scenario->name);
    io::put_path(s, "scenario_file", side.scenario->file);
    s["scenario_sha256"] = side.scenario->sha256;
    s["is_baseline"] = index == baseline;
    s["is_drawn"] = side.simulation != nullptr;
    s["draws"] = side.simulation ? View(side.simulation->draws) : View();
    s["seed"] = side.simulation ? View(side.simulation->seed) : View();
    s["draws_text"] = side.simulation ? fmt::format("{} draws, seed {}", text::format_grouped(static_cast<double>(side.simulation->draws), 0),
                                                    side.simulation->seed)
                                      : std::string("not drawn");
    View& plugins = s["plugins"] = View::array();
    for (const scenario::PluginUsed& plugin : side.run->plugins) {
        View p = View::object();
        p["id"] = io::json_text(plugin.id);
        p["version"] = io::json_text(plugin.version);
        p["sha256"] = plugin.sha256;
        plugins.push_back(std::move(p));
    }
    return s;
}

View output_rows(const ComparedOutput& c, std::size_t baseline, bool check, text::Locale locale) {
    View rows = View::array();
    for (const ComparedFigure& f : c.figures) {
        View row = View::object();
        row["statistic"] = f.statistic;
        std::string beyond_sides;
        for (std::size_t s = 0; s < f.values.size(); ++s)
            if (s != baseline && !f.within[s]) beyond_sides += (beyond_sides.empty() ? "" : ", ") + side_letter(s);
        row["status_text"] = check ? (beyond_sides.empty() ? "within" : "beyond: " + beyond_sides) : std::string();
        View& values = row["values"] = View::array();
        for (std::size_t s = 0; s < f.values.size(); ++s) {
            View v = View::object();
            v["side"] = side_letter(s);
            v["value"] = f.values[s] ? number_or_null(*f.values[s]) : View();
            v["value_text"] = f.values[s] ? figure_text(*f.values[s], c.unit, locale) : std::string("–");
            v["is_baseline"] = s == baseline;
            values.push_back(std::move(v));
        }
        View& changes = row["changes"] = View::array();
        for (std::size_t s = 0; s < f.values.size(); ++s) {
            if (s == baseline) continue;
            View d = View::object();
            d["side"] = side_letter(s);
            d["difference"] = f.differences[s] ? number_or_null(*f.differences[s]) : View();
            d["difference_text"] = f.differences[s] ? signed_text(*f.differences[s], c.unit, locale) : std::string("–");
            d["ratio"] = f.ratios[s] ? number_or_null(*f.ratios[s]) : View();
            d["ratio_text"] = f.ratios[s] && std::isfinite(*f.ratios[s]) ? fmt::format("×{:.6g}", *f.ratios[s]) : std::string("–");
            d["is_within"] = static_cast<bool>(f.within[s]);
            d["is_beyond"] = check && !f.within[s];
            changes.push_back(std::move(d));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

View per_draw_view(const ComparedOutput& c, std::size_t baseline, text::Locale locale) {
    View list = View::array();
    for (std::size_t s = 0; s < c.differences.size(); ++s) {
        if (!c.differences[s]) continue;
        const scenario::DrawDifference& d = *c.differences[s];
        View e = View::object();
        e["side"] = side_letter(s);
        e["versus"] = side_letter(baseline);
        e["draws"] = d.draws;
        const std::pair<const char*, double> figures[] = {{"mean", d.mean}, {"sd", d.sd}, {"p5", d.p5}, {"p50", d.p50}, {"p95", d.p95}};
        for (const auto& [name, value] : figures) {
            e[name] = number_or_null(value);
            e[std::string(name) + "_text"] = std::string_view(name) == "sd" ? difference_text(value, c.unit, locale)
                                                                            : signed_text(value, c.unit, locale);
        }
        e["probability_greater"] = number_or_null(d.probability_greater);
        e["probability_greater_text"] = fmt::format("{:.2f}%", d.probability_greater * 100);
        list.push_back(std::move(e));
    }
    return list;
}

// One chart per output (the first kMaxCompareCharts with a finite value on two sides or more): its value on
// each side, with the side's P5–P95 as a whisker when drawn; and one per output with per-draw
// differences: each side's difference from the baseline, its mean with P5–P95.
View charts_view(const scenario::CompareResult& r, std::string& note, text::Locale locale) {
    View value_charts = View::array();
    View difference_charts = View::array();
    std::size_t chartable = 0, with_differences = 0;
    for (const ComparedOutput& c : r.outputs) {
        const ComparedFigure* value = find_figure(c, "value");
        const ComparedFigure* p5 = find_figure(c, "P5");
        const ComparedFigure* p95 = find_figure(c, "P95");
        const std::string title = c.label.empty() ? c.name : fmt::format("{} ({})", c.label, c.name);
        // A chart compares: only outputs with a finite value on at least two sides get one.
        std::size_t finite_sides = 0;
        for (const auto& v : value->values) finite_sides += v && std::isfinite(*v) ? 1 : 0;
        if (finite_sides >= 2 && chartable++ < kMaxCompareCharts) {
            View chart = detail::chart(fmt::format("compare-{}", c.name), "bars",
                                       fmt::format("{}: value by side{}", title, p5 ? " (whiskers P5–P95)" : ""), c.unit, c.step, c.output);
            for (std::size_t s = 0; s < value->values.size(); ++s) {
                if (!value->values[s] || !std::isfinite(*value->values[s])) continue;  // no bar for nothing
                std::optional<std::pair<double, double>> whisker;
                if (p5 && p95 && p5->values[s] && p95->values[s] && std::isfinite(*p5->values[s]) && std::isfinite(*p95->values[s]))
                    whisker = std::pair{*p5->values[s], *p95->values[s]};
                const std::string label = fmt::format("{}{} {}", side_letter(s), s == r.baseline ? " (baseline)" : "",
                                                      std::filesystem::path(r.sides[s]).stem().string());
                chart["bars"].push_back(detail::bar(label, *value->values[s], c.unit, whisker, locale));
            }
            value_charts.push_back(std::move(chart));
        }
        bool any_difference = false;
        for (const auto& d : c.differences) any_difference = any_difference || d.has_value();
        if (any_difference && with_differences++ < kMaxCompareCharts) {
            // Differences of two percentages are charted in percentage points, as the tables show
            // them: the bars hold points (×100) in unit "pp", so that no axis or label reads "%".
            const bool points = c.unit == "%";
            const double scale = points ? 100.0 : 1.0;
            const std::string unit = points ? "pp" : c.unit;
            View chart = detail::chart(fmt::format("per-draw-{}", c.name), "bars",
                                       fmt::format("{}: difference per draw from {} (mean, P5–P95{})", title, side_letter(r.baseline),
                                                   points ? ", percentage points" : ""),
                                       unit, c.step, c.output);
            for (std::size_t s = 0; s < c.differences.size(); ++s) {
                if (!c.differences[s]) continue;
                const scenario::DrawDifference& d = *c.differences[s];
                View bar = detail::bar(fmt::format("{} − {}", side_letter(s), side_letter(r.baseline)), d.mean * scale, unit,
                                       std::pair{d.p5 * scale, d.p95 * scale}, locale);
                bar["value_text"] = signed_text(d.mean, c.unit, locale);
                bar["low_text"] = signed_text(d.p5, c.unit, locale);
                bar["high_text"] = signed_text(d.p95, c.unit, locale);
                chart["bars"].push_back(std::move(bar));
            }
            difference_charts.push_back(std::move(chart));
        }
    }
    if (chartable > kMaxCompareCharts || with_differences > kMaxCompareCharts)
        note = fmt::format("Charts show the first {} of the {} outputs that two sides or more have; the tables hold them all.",
                           kMaxCompareCharts, std::max(chartable, with_differences));
    for (View& chart : difference_charts) value_charts.push_back(std::move(chart));
    return value_charts;
}

}  // namespace

std::string_view compare_view_field_spec() noexcept { return kCompareViewFieldSpec; }

const Field& compare_view_fields() {
    // Parsed once; immutable afterwards (a function-local constant, not mutable state).
    static const Field fields = parse_field_spec(kCompareViewFieldSpec);
    return fields;
}

const Field& compare_html_view_fields() {
    static const Field fields = with_chart_svg(compare_view_fields());
    return fields;
}

bool is_compare_view(const View& view) {
    const auto kind = view.find("kind");
    return kind != view.end() && kind->is_string() && kind->get<std::string>() == "compare";
}

View build_compare_view(const std::vector<scenario::CompareSide>& sides, const scenario::CompareResult& r,
                        const std::vector<std::vector<scenario::ActualResult>>& actuals, const ViewOptions& options) {
    const text::Locale locale = options.locale;
    const bool check = r.tolerance.has_value();
    View v = View::object();
    v["schema"] = "impact.compare-view/1";
    v["kind"] = "compare";
    v["locale"] = std::string(text::locale_name(locale));
    std::string title = "Compare:";
    for (std::size_t s = 0; s < sides.size(); ++s)
        title += fmt::format("{} {}", s == 0 ? "" : " vs", text::printable(sides[s].scenario->name));
    v["title"] = io::json_text(title);
    View& side_list = v["sides"] = View::array();
    for (std::size_t s = 0; s < sides.size(); ++s) side_list.push_back(side_view(sides[s], s, r.baseline));
    v["baseline"] = side_letter(r.baseline);
    v["baseline_file"] = io::json_text(sides[r.baseline].name);
    v["has_tolerance"] = check;
    v["tolerance_text"] = check ? fmt::format("{} ({})", text::printable(r.tolerance->as_written),
                                              r.tolerance->relative ? "of the baseline's figure" : "absolute, in each output's unit")
                                : std::string("none (a report, not a check)");
    v["is_within"] = r.beyond == 0;
    v["beyond"] = r.beyond;
    const std::size_t n = r.outputs.size();
    v["outcome_text"] = check ? (r.beyond == 0 ? fmt::format("All {} output{} within {}", n, n == 1 ? "" : "s",
                                                             text::printable(r.tolerance->as_written))
                                               : fmt::format("{} of {} output{} beyond {} (exit 4)", r.beyond, n, n == 1 ? "" : "s",
                                                             text::printable(r.tolerance->as_written)))
                              : fmt::format("{} output{} compared; {} on one side only or undefined on one side", n,
                                            n == 1 ? "" : "s", r.beyond);
    View& columns = v["columns"] = View::array();
    for (std::size_t s = 0; s < sides.size(); ++s) columns.push_back(View{{"heading", side_letter(s)}});
    for (std::size_t s = 0; s < sides.size(); ++s) {
        if (s == r.baseline) continue;
        columns.push_back(View{{"heading", fmt::format("{} − {}", side_letter(s), side_letter(r.baseline))}});
        columns.push_back(View{{"heading", fmt::format("{} ÷ {}", side_letter(s), side_letter(r.baseline))}});
    }
    View& outputs = v["outputs"] = View::array();
    bool any_per_draw = false;
    for (const ComparedOutput& c : r.outputs) {
        View o = View::object();
        o["name"] = io::json_text(c.name);
        o["step"] = io::json_text(c.step);
        o["output"] = io::json_text(c.output);
        o["label"] = io::json_text(c.label.empty() ? c.output : c.label);
        o["unit"] = io::json_text(c.unit);
        o["is_within"] = c.within;
        std::string missing;
        for (std::size_t s = 0; s < c.present.size(); ++s)
            if (!c.present[s])
                missing += fmt::format("{}not in {} ({})", missing.empty() ? "" : "; ", side_letter(s), text::printable(sides[s].name));
        // Without --tolerance every gap is shown, none judged: only an output that is not on every
        // side, or defined on one side only, is marked.
        o["status_text"] = check       ? (c.within ? "within" : "BEYOND")
                           : c.within ? ""
                           : !missing.empty() ? "not on every side"
                                              : "undefined on one side";
        o["has_missing"] = !missing.empty();
        o["missing_text"] = missing;
        o["rows"] = output_rows(c, r.baseline, check, locale);
        View per_draw = per_draw_view(c, r.baseline, locale);
        o["has_per_draw"] = !per_draw.empty();
        any_per_draw = any_per_draw || !per_draw.empty();
        o["per_draw"] = std::move(per_draw);
        o["per_draw_note"] = c.differences_note.empty() ? std::string() : "per-draw difference " + text::printable(c.differences_note);
        outputs.push_back(std::move(o));
    }
    v["has_per_draw"] = any_per_draw;
    View& actual_list = v["actuals"] = View::array();
    for (std::size_t s = 0; s < actuals.size(); ++s)
        for (View a : detail::actuals_view(actuals[s], locale)) {
            View item = View::object();
            item["side"] = side_letter(s);
            for (auto& [key, value] : a.items()) item[key] = std::move(value);
            actual_list.push_back(std::move(item));
        }
    v["has_actuals"] = !actual_list.empty();
    std::string charts_note;
    View charts = charts_view(r, charts_note, locale);
    v["has_charts"] = !charts.empty();
    v["charts"] = std::move(charts);
    v["charts_note"] = charts_note;
    View& p = v["provenance"] = View::object();
    p["tool"] = fmt::format("impact {}", IMPACT_VERSION);
    p["abi"] = fmt::format("{}.{}", IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR);
    p["generated_at"] = scenario::iso_utc(options.generated_at_unix);
    return v;
}

}  // namespace impact::report
