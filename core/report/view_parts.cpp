// Pieces every report view is built from: figures as number and text, bars, charts, actuals (view_parts.hpp).
#include "report/view_parts.hpp"

#include "io/json_output.hpp"
#include "text/iso_date.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"

#include <fmt/format.h>

#include <cmath>

namespace impact::report::detail {

View number_or_null(double value) { return std::isfinite(value) ? io::json_number(value) : View(); }

std::string figure_text(double value, const std::string& unit, text::Locale locale) {
    if (!std::isfinite(value)) return "undefined";
    if (text::is_currency_code(unit)) return text::format_money_compact(value, unit, locale);
    if (unit == "%") return text::format_rate(value * 100, 4) + "%";
    return scenario::format_value(value, unit);
}

std::string range_text(double low, double high, const std::string& unit, text::Locale locale) {
    if (!std::isfinite(low) || !std::isfinite(high)) return "undefined";
    if (text::is_currency_code(unit)) return text::format_money_range_compact(low, high, unit, locale);
    return figure_text(low, unit, locale) + (locale == text::Locale::ko ? "~" : " – ") + figure_text(high, unit, locale);
}

const uncertainty::PercentileResult* find_percentile(const scenario::OutputStatistics& stats, double p) {
    for (const auto& q : stats.percentiles)
        if (std::abs(q.probability - p) < 1e-12) return &q;
    return nullptr;
}

View bar(const std::string& label, double value, const std::string& unit, std::optional<std::pair<double, double>> whisker,
         text::Locale locale) {
    View b = View::object();
    b["label"] = io::json_text(label);
    b["value"] = number_or_null(value);
    b["value_text"] = figure_text(value, unit, locale);
    b["has_whisker"] = whisker.has_value();
    b["low"] = whisker ? number_or_null(whisker->first) : View();
    b["high"] = whisker ? number_or_null(whisker->second) : View();
    b["low_text"] = whisker ? figure_text(whisker->first, unit, locale) : std::string();
    b["high_text"] = whisker ? figure_text(whisker->second, unit, locale) : std::string();
    return b;
}

View chart(const std::string& id, const std::string& kind, const std::string& title, const std::string& unit,
           const std::string& step, const std::string& output) {
    View c = View::object();
    c["id"] = id;
    c["kind"] = kind;
    c["is_bars"] = kind == "bars";
    c["is_histogram"] = kind == "histogram";
    c["is_tornado"] = kind == "tornado";
    c["title"] = io::json_text(title);
    c["unit"] = io::json_text(unit);
    c["step"] = io::json_text(step);
    c["output"] = io::json_text(output);
    c["bars"] = View::array();
    c["bins"] = View::array();
    c["rows"] = View::array();
    c["base"] = View();
    c["base_text"] = "";
    return c;
}

std::optional<std::pair<double, double>> p5_p95(const scenario::OutputStatistics* stats) {
    if (!stats || !stats->drawn) return std::nullopt;
    const auto* p5 = find_percentile(*stats, 0.05);
    const auto* p95 = find_percentile(*stats, 0.95);
    if (!p5 || !p95 || !std::isfinite(p5->value) || !std::isfinite(p95->value)) return std::nullopt;
    return std::pair{p5->value, p95->value};
}

View actuals_view(const std::vector<scenario::ActualResult>& actuals, text::Locale locale) {
    View rows = View::array();
    for (const scenario::ActualResult& a : actuals) {
        View r = View::object();
        r["output"] = io::json_text(a.output);
        r["label"] = io::json_text(a.label);
        r["unit"] = io::json_text(a.unit);
        const bool available = a.unavailable.empty();
        r["estimate"] = available ? number_or_null(a.estimate) : View();
        r["estimate_text"] = available ? figure_text(a.estimate, a.unit, locale) : "unavailable (" + text::printable(a.unavailable) + ")";
        r["actual"] = io::json_number(a.actual);
        r["actual_text"] = figure_text(a.actual, a.unit, locale);
        r["date"] = text::format_iso_date(a.date);
        r["error"] = available ? number_or_null(a.error) : View();
        r["error_text"] = available ? (a.error >= 0 ? "+" : "") + figure_text(a.error, a.unit, locale) : std::string();
        r["relative_error"] = available && a.relative_error ? number_or_null(*a.relative_error) : View();
        r["relative_error_text"] = available && a.relative_error
                                       ? fmt::format("{}{:.2f}%", *a.relative_error >= 0 ? "+" : "", *a.relative_error * 100)
                                       : std::string();
        r["percentile"] = a.percentile ? number_or_null(*a.percentile) : View();
        r["percentile_text"] = a.percentile ? fmt::format("{:.2f}th", *a.percentile * 100) : std::string();
        r["source"] = io::json_text(a.source);
        r["unavailable"] = io::json_text(a.unavailable);
        rows.push_back(std::move(r));
    }
    return rows;
}

}  // namespace impact::report::detail
