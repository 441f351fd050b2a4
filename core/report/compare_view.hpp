// The compare view: `impact compare`'s sides, matched outputs, differences and charts as one document for Markdown, CSV, Excel and HTML.
#pragma once

#include "report/report_view.hpp"
#include "scenario/compare.hpp"

#include <string_view>
#include <vector>

namespace impact::report {

// Like the run view (report_view.hpp): a JSON tree whose members are always present, every figure
// as a raw number (null when there is none, never NaN) and as "<name>_text" for people in the
// report's locale. "schema" is "impact.compare-view/1" and "kind" "compare": the renderers
// (report_formats.hpp, xlsx_report.hpp, html_report.hpp) tell the two views apart by it.
//
// The table of a compare report: per output, one row per figure (value; mean, P5, P50, P95 when
// drawn), with one value per side (`values`, command-line order) and, per side other than the
// baseline, its difference and ratio (`changes`). `columns` are the table's headings for those
// cells, in the same order ("A", "B", "B − A", "B ÷ A"). docs/reports.md lists every field.
std::string_view compare_view_field_spec() noexcept;
const Field& compare_view_fields();
// What an HTML compare template may name: the fields above and charts[].svg.
const Field& compare_html_view_fields();

// `actuals[s]`: side s's [[actual]] results (scenario::actual_results), empty when it has none.
View build_compare_view(const std::vector<scenario::CompareSide>& sides, const scenario::CompareResult& result,
                        const std::vector<std::vector<scenario::ActualResult>>& actuals, const ViewOptions& options);

// True when `view` was made by build_compare_view.
bool is_compare_view(const View& view);

// Charts of a compare view: at most this many outputs get a chart of their value per side (and as
// many a chart of their per-draw differences); the view's charts_note says when outputs were left out.
inline constexpr std::size_t kMaxCompareCharts = 12;

}  // namespace impact::report
