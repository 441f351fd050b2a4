// Inline SVG for one chart of a report view (bars with P5–P95 whiskers, histogram, tornado), for HTML reports.
#pragma once

#include "report/report_view.hpp"
#include "text/money_locale.hpp"

#include <string>

namespace impact::report {

// One element of view["charts"] as an inline <svg> (no xmlns: it sits inside HTML, and the page
// must hold no URL). The svg has a viewBox and width="100%", so it scales to the column it sits in
// (a phone's included); text inherits the page's font (Korean labels need its CJK fonts) and is
// sized in viewBox units. It carries <title> and aria-label (the chart's title) and no script, no
// link, no id (a page holds many charts). Output depends on the chart only, with coordinates
// written with one fixed decimal, so golden files are stable.
//
// What each kind draws (marks carry a class, which the tests count):
//   "bars"      one horizontal rect.bar per item from 0 to its value, labels left, value_text at the
//               end; a path.whisker from low to high (P5–P95) with end caps where has_whisker.
//   "histogram" one rect.bin per bin, x from `from` to `to` on a value axis (bins may have unequal
//               widths), height proportional to density; a dashed line.base at `base` when it is a number.
//   "tornado"   per row, in the order given, rect.bar.low and rect.bar.high from `base` to the output
//               at the input's low and high value, labels left, low_text and high_text at the bars'
//               ends; line.base at the base value.
// Every kind has a value axis with a few rounded ticks (g.axis, steps of 1, 2, 2.5 or 5 times a
// power of ten); money ticks read as the report's figures do ("$12.5B", "125억 달러"). A chart of
// another kind, or one without items, is an svg that says "No data".
std::string render_svg_chart(const View& chart, text::Locale locale = text::Locale::en);

// `text` with & < > " ' escaped and control characters (which XML cannot hold) made spaces.
std::string escape_xml(std::string_view text);

}  // namespace impact::report
