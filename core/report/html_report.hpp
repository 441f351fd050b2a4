// HTML reports: a report view rendered through a Mustache template, its charts as inline SVG.
#pragma once

#include "report/report_view.hpp"

#include <string>
#include <string_view>

namespace impact::report {

// The bundled template (core/report/templates/report.html.mustache, compiled into the binary so
// that `impact` needs no data files): one self-contained page, no script, nothing fetched.
std::string_view default_html_template();
// The same for `impact compare` (core/report/templates/compare.html.mustache).
std::string_view default_compare_html_template();

// Renders `template_text` (the default when empty: compare's own for a compare view, or a user's copy given with --template, named
// `template_name` in messages) with a copy of `view` as its context, escaped for HTML. The template
// is checked first (check_template against view_fields()): a UserError names the line of an unknown
// field or an unclosed section. The copy gains charts[].svg, each chart as inline SVG
// (render_svg_chart), which a template writes as {{{svg}}}.
// What an HTML template may name: the view's fields (view_fields()) and charts[].svg.
const Field& html_view_fields();
// `fields` with charts[].svg added: what an HTML template of a view with these fields may name.
Field with_chart_svg(Field fields);

std::string render_html(const View& view, std::string_view template_text,
                        std::string_view template_name = "(built-in report.html.mustache)");


}  // namespace impact::report
