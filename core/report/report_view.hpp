// The report view: one format-neutral document of a run that every report format (Markdown, CSV, Excel, HTML) renders.
#pragma once

#include "scenario/report.hpp"
#include "scenario/sensitivity.hpp"
#include "text/money_locale.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace impact::report {

// The view is a JSON tree (nlohmann::ordered_json, members in the order below) because the
// Markdown and HTML templates render it as their Mustache context as it is, and because its
// field names are then the documented template fields (docs/reports.md). Every member is always
// present, so that a template never depends on which run made the view: a list may be empty, a
// flag false, a number null (never NaN: JSON cannot hold one, and a report never shows one).
//
// Each figure comes twice: as the number (for CSV and Excel cells, which carry raw numbers) and as
// "<name>_text", already formatted for people in the report's locale (compact money "$13.6B",
// "₩7.86조"... see text/money_locale.hpp). Ranges also come as "<name>_text" ("$12.0–15.0B").
//
// Shape (`[ ]` is a list of objects, `{ }` an object; "?" a value that may be null):
//   schema "impact.report-view/1", kind "run" | "sensitivity", locale "en" | "ko"
//   title, description, as_of (ISO date or ""), currency ("" if none)
//   incomplete ("" or "2 steps failed, 1 skipped: the figures below are incomplete"), is_incomplete
//   headline [ step, output, label, unit, value?, value_text, has_range, best?, worst?,
//              best_text, worst_text, best_name, worst_name, range_text, direction,
//              has_statistics, p5?, p50?, p95?, p5_text, p50_text, p95_text, mean?, mean_text ]
//   assumptions [ step, input, label, kind, value?, value_text, unit, origin, origin_text,
//                 is_override, override_text, is_drawn, distribution, distribution_note ]
//   overrides [ input, value, replaces, replaced_at ]
//   steps [ id, model, model_version, plugin, is_formula, expression, ranged,
//           status ("ok" | "failed" | "skipped"), is_ok, message,
//           outputs [ <same members as headline> ,
//                     cases [ name, value?, value_text ], has_cases,
//                     thresholds [ name, probability, probability_text, draws ], has_thresholds,
//                     percentiles [ name, value?, value_text, ci_low?, ci_high? ] ],
//           notes [ key, value ], has_notes,
//           tables [ key, label, description, columns [ key, label, unit, is_text ],
//                    rows [ cells [ text, value?, is_text ] ] ], has_tables ]
//   has_simulation, simulation { draws, seed, threads, generator, percentile_method }
//   has_cases, cases [ name, description ]
//   compare_groups [ name, steps [ id ], outputs [ key, label, unit, values [ step, value?, value_text ] ] ]
//   has_actuals, actuals [ output, label, unit, estimate?, estimate_text, actual, actual_text, date,
//                          error?, error_text, relative_error?, relative_error_text, percentile?,
//                          percentile_text, source, unavailable ]
//   charts [ id, kind ("bars" | "histogram" | "tornado"), title, unit, step, output,
//            bars [ label, value, value_text, has_whisker, low?, high?, low_text, high_text ]      (bars)
//            bins [ from, to, share, density, label ]                                            (histogram)
//            rows [ input, label, low_name, high_name, output_at_low, output_at_high,
//                   low_text, high_text, swing, swing_text ]  (tornado; base = the point value)
//            base?, base_text ]
//   has_sensitivity, sensitivity { output, label, unit, point_value, point_value_text, draws, seed,
//                                  rank [ input, label, spearman?, spearman_text ],
//                                  sobol [ input, label, first_order, total, first_order_text, total_text ] }
//   provenance { tool, abi, generated_at (UTC, ISO 8601), scenario_file, scenario_sha256, seed?, draws?,
//                plugins [ id, version, file, sha256 ] }
using View = nlohmann::ordered_json;

struct ViewOptions {
    text::Locale locale = text::Locale::en;
    // The time the report says it was made, seconds since 1970 UTC. Reports take SOURCE_DATE_EPOCH
    // when it is set (the reproducible-builds convention), so golden files have a fixed clock.
    long long generated_at_unix = 0;
};

View build_run_view(const scenario::Scenario& scenario, const scenario::RunResult& result,
                    const scenario::ReportExtras& extras, const ViewOptions& options);
View build_sensitivity_view(const scenario::Scenario& scenario, const scenario::RunResult& run,
                            const scenario::SensitivityResult& sensitivity, const ViewOptions& options);

}  // namespace impact::report
