// The Excel rendering of a report view: numbers as numbers in their currency's format, and native charts.
#pragma once

#include "report/report_view.hpp"

#include <string>

namespace impact::report {

// The workbook's bytes (.xlsx, a zip of XML parts). Sheets, in order: "Summary" (title, the
// incomplete warning, the headline table, provenance), "Assumptions", one sheet per step (named
// after its id within Excel's rules), "Actuals" when the view has actuals, "Compare" when it has
// compare groups, "Sensitivity" when it has a sensitivity analysis, and "Charts" with "Charts data"
// when it has charts: each chart reads its cells on "Charts data".
//
// A compare view (compare_view.hpp) makes another workbook: "Compare" (title, outcome, the sides,
// then one row per output and figure with a column per side and, per side other than the baseline,
// its difference and ratio; the plugins of every side), "Per-draw differences" when there are
// some, "Actuals" (with a Side column) when a side has [[actual]]s, and "Charts" with "Charts data".
//
// Every figure is a number cell in the format of its unit: money in its currency with the
// currency's ISO 4217 decimals ([$$-409]#,##0.00, [$₩-412]#,##0), "%" outputs (fractions) as
// 0.00%, other units grouped. A null figure is an empty cell.
//
// Charts, within what libxlsxwriter 1.1.4 (Debian 12) can draw: "bars" is a column chart of the
// values; when a bar has a P5–P95 whisker it is instead a line chart with no lines, the value as a
// marker and the P5–P95 range as an up-down bar (1.1.4 has neither custom error bars nor combined
// charts, and stacked columns break when a range crosses zero). "histogram" is a column chart with
// no gaps, the share of draws per bin. "tornado" is a bar chart of output − base at each end of
// each input's range, both series overlapped.
//
// libxlsxwriter writes only to a path: the workbook is written in a private folder made with
// mkdtemp under the system temporary folder, read back and the folder removed, also when it fails.
// A libxlsxwriter error (a text over Excel's 32,767 characters, more rows than a sheet holds, a
// full disk) is a UserError naming the sheet and cell or the file. A view without a documented
// member, or with one of the wrong type, is a std::logic_error (a bug of the view's builder).
std::string render_xlsx(const View& view);

}  // namespace impact::report
