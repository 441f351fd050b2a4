// The report formats of `impact run` and `impact sensitivity`, and the renderings made from the report view.
#pragma once

#include "report/report_view.hpp"

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

// The default templates (core/report/templates/), compiled into the program.
std::string_view default_template(ReportFormat format);  // md or html

// Markdown from a template (checked first with check_template; the default when empty).
std::string render_markdown(const View& view, std::string_view template_text = {}, std::string_view template_name = {});

// CSV in tidy long format, one figure a row (RFC 4180, UTF-8, "\r\n" line ends):
// scenario,step,model,model_version,output,label,unit,statistic,value. statistic is value, low,
// high, best, worst, mean, sd, p1...p99, case:<name>, probability:<threshold>, actual, actual_error,
// actual_relative_error, actual_percentile, and for sensitivity tornado_low:<input>,
// tornado_high:<input>, spearman:<input>, sobol_first:<input>, sobol_total:<input>. value is the
// raw number (shortest text that reads back to the same double), empty when there is none (a
// failed step). Text cells that a spreadsheet would run as a formula (=, +, -, @, tab or CR first)
// start with an apostrophe.
std::string render_csv(const View& view);

}  // namespace impact::report
