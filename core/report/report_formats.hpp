// The report formats of `impact run` and `impact sensitivity`, and the renderings made from the report view.
#pragma once

#include "report/report_view.hpp"
#include "report/template_check.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace impact::report {

enum class ReportFormat { text, md, csv, json, xlsx, html };

// "md,xlsx,html" -> the formats, in the order given. UserError "--format: ..." for an unknown or
// repeated name, or an empty list.
std::vector<ReportFormat> parse_formats(std::string_view list);
std::string_view format_name(ReportFormat format) noexcept;       // "md"
std::string_view format_extension(ReportFormat format) noexcept;  // ".md"
// Every format but Excel (binary) may go to standard output.
bool prints_to_terminal(ReportFormat format) noexcept;

// Which document a report renders: a run's (or sensitivity's) report view, or compare's view
// (compare_view.hpp). Each has its own template fields and default templates.
enum class ReportKind { run, compare };

// The default templates (core/report/templates/), compiled into the program: md or html.
std::string_view default_template(ReportFormat format, ReportKind kind = ReportKind::run);
// Its name in messages: "(built-in report.md.mustache)", "(built-in compare.html.mustache)".
std::string_view default_template_name(ReportFormat format, ReportKind kind);
// The kind of a view: compare for a compare view (is_compare_view), run otherwise.
ReportKind kind_of(const View& view);
// The fields a user's md or html template may name, for check_template.
const Field& template_fields(ReportFormat format, ReportKind kind);

// Markdown from a template (checked first with check_template; the default when empty). A compare
// view (is_compare_view) is checked against, and rendered by default with, compare's own template.
std::string render_markdown(const View& view, std::string_view template_text = {}, std::string_view template_name = {});

// CSV in tidy long format, one figure a row (RFC 4180, UTF-8, "\r\n" line ends):
// scenario,step,model,model_version,output,label,unit,statistic,value. statistic is value, low,
// high, best, worst, mean, sd, p1...p99, case:<name>, probability:<threshold>, actual, actual_error,
// actual_relative_error, actual_percentile, and for sensitivity tornado_low:<input>,
// tornado_high:<input>, spearman:<input>, sobol_first:<input>, sobol_total:<input>. value is the
// raw number (shortest text that reads back to the same double), empty when there is none (a
// failed step). Text cells that a spreadsheet would run as a formula (=, +, -, @, tab or CR first)
// start with an apostrophe.
//
// A compare view has its own columns: side,scenario_file,is_baseline,step,output,label,unit,
// statistic,value,difference,ratio,within. One row per output, figure (value, mean, p5, p50, p95)
// and side; difference (side − baseline) and ratio (side ÷ baseline) are empty on the baseline's
// rows and where there is none; within is true or false (empty on the baseline's rows): within
// --tolerance, or without one, present and defined alike on both sides. With per-draw differences,
// rows difference_mean, difference_sd, difference_p5, difference_p50, difference_p95 and
// probability_greater per side other than the baseline; each side's [[actual]]s as actual,
// actual_error, actual_relative_error and actual_percentile.
std::string render_csv(const View& view);

// The same CSV as render_csv(build_run_view(...)), written step by step through `write` (about
// every 256 kB): one step's view at a time, never the whole run's, so that memory stays flat in the
// number of steps. `impact run --format csv` uses it.
void write_run_csv(const scenario::Scenario& scenario, const scenario::RunResult& result, const scenario::ReportExtras& extras,
                   text::Locale locale, const scenario::ReportSink& write);

}  // namespace impact::report
