// Pieces every report view is built from (run, sensitivity and compare views): figures as number and text, bars, charts, actuals.
#pragma once

#include "report/report_view.hpp"
#include "scenario/report.hpp"
#include "scenario/simulation.hpp"
#include "text/money_locale.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace impact::report::detail {

// A finite number, or null: a view never holds NaN or an infinity.
View number_or_null(double value);

// One figure for people in the report's locale: compact money ("$13.6B", "₩7.86조"), "%" outputs
// (fractions) as percentages with four significant digits, other units as the text report writes
// them; "undefined" when not finite.
std::string figure_text(double value, const std::string& unit, text::Locale locale);
// "$12.0–15.0B", "1.2 – 3.4 units"; "undefined" when an end is not finite.
std::string range_text(double low, double high, const std::string& unit, text::Locale locale);

// The percentile at probability `p` of a drawn output, or null when it was not computed.
const uncertainty::PercentileResult* find_percentile(const scenario::OutputStatistics& stats, double p);
// (P5, P95) of a drawn output when both are finite.
std::optional<std::pair<double, double>> p5_p95(const scenario::OutputStatistics* stats);

// One item of a "bars" chart, with a P5–P95 whisker when given.
View bar(const std::string& label, double value, const std::string& unit, std::optional<std::pair<double, double>> whisker,
         text::Locale locale);
// An empty chart of `kind` ("bars", "histogram", "tornado") with every member of charts[] present.
View chart(const std::string& id, const std::string& kind, const std::string& title, const std::string& unit,
           const std::string& step, const std::string& output);

// The members of actuals[]: estimate, actual, error, relative error and percentile, each as number and text.
View actuals_view(const std::vector<scenario::ActualResult>& actuals, text::Locale locale);

}  // namespace impact::report::detail
