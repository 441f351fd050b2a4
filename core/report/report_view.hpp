// The report view: one format-neutral document of a run that every report format (Markdown, CSV, Excel, HTML) renders.
#pragma once

#include "scenario/report.hpp"
#include "scenario/sensitivity.hpp"
#include "report/template_check.hpp"
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
// Shape: view_field_spec() below lists every member ("name[ ... ]" a list of objects with these
// members, "name{ ... }" an object); docs/reports.md says what each one holds.
using View = nlohmann::ordered_json;

struct ViewOptions {
    text::Locale locale = text::Locale::en;
    // The time the report says it was made, seconds since 1970 UTC. Reports take SOURCE_DATE_EPOCH
    // when it is set (the reproducible-builds convention), so golden files have a fixed clock.
    long long generated_at_unix = 0;
};

// Every field of the view, in the notation above: the template check's reference and the source of
// docs/reports.md's field list (a test checks that built views have exactly these members).
// Charts carry one more member in the HTML report only: "svg", the chart drawn (html_view_fields()
// in html_report.hpp).
std::string_view view_field_spec() noexcept;
const Field& view_fields();

View build_run_view(const scenario::Scenario& scenario, const scenario::RunResult& result,
                    const scenario::ReportExtras& extras, const ViewOptions& options);
// One element of the run view's steps[]: what build_run_view holds for step `index`, for renderers
// that go step by step (the streamed CSV) instead of holding the whole view.
View build_step_view(const scenario::RunResult& result, std::size_t index, const scenario::ReportExtras& extras,
                     text::Locale locale);
View build_sensitivity_view(const scenario::Scenario& scenario, const scenario::RunResult& run,
                            const scenario::SensitivityResult& sensitivity, const ViewOptions& options);

}  // namespace impact::report
