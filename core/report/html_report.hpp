// HTML reports: a report view rendered through a Mustache template, its charts as inline SVG.
#pragma once

#include "report/report_view.hpp"

#include <string>
#include <string_view>

namespace impact::report {

// The bundled template (core/report/templates/report.html.mustache, compiled into the binary so
// that `impact` needs no data files): one self-contained page, no script, nothing fetched.
std::string_view default_html_template();

// Renders `template_text` (the default when empty, or a user's copy given with --template, named
// `template_name` in messages) with a copy of `view` as its context, escaped for HTML. The template
// is checked first (check_template, against html_view_fields()): a UserError names the line of an
// unknown field or an unclosed section. The copy gains what only HTML needs:
//   charts[].svg                      the chart as inline SVG (render_svg_chart); write it {{{svg}}}
//   steps[].tables[].rows[].cells[].column_label
//                                     the label of the cell's column, so that a phone can show a
//                                     row as a card of "label: value" lines (data-label)
//   has_headline, has_assumptions, has_overrides, has_compare_groups, has_charts,
//   sensitivity.has_rank, sensitivity.has_sobol
//                                     true when that list has items (unless the view has them)
std::string render_html(const View& view, std::string_view template_text,
                        std::string_view template_name = "(built-in report.html.mustache)");

// The view's fields (view_fields()) with those render_html adds: what an HTML template may name.
const Field& html_view_fields();

}  // namespace impact::report
