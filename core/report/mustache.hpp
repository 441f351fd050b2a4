// Mustache rendering of a report view (mstch), for the Markdown and HTML report templates.
#pragma once

#include "report/report_view.hpp"

#include <string>
#include <string_view>

namespace impact::report {

// How {{name}} is escaped: HTML escapes & < > " ' (mstch's own rule), Markdown escapes the
// characters that would start markup in a table cell (| * _ ` [ ] < > \ and a leading #).
enum class Escaping { html, markdown };

// Renders `template_text` with `view` as its context. Call check_template first: mstch reports no
// errors of its own (an unclosed section silently drops the rest of the template).
// Numbers render as JSON writes them (shortest round trip); templates show the "_text" members.
std::string render_template(std::string_view template_text, const View& view, Escaping escaping);

}  // namespace impact::report
