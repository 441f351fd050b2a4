// Inline SVG charts for HTML reports: layout in viewBox units, rounded axis ticks, escaped text.
#include "report/svg_chart.hpp"

#include "text/money_format.hpp"
#include "text/quantity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace impact::report {

namespace {

// The viewBox is this wide: a phone's column (about 350 px) shows 12-unit text at 10.5 px, the
// default template's widest chart (36rem, 576 px) at 17 px.
constexpr double kWidth = 400;
constexpr double kFontSize = 12;
constexpr double kTickFontSize = 11;
constexpr double kRowHeight = 28;
constexpr double kAxisHeight = 26;
constexpr double kTopMargin = 8;
constexpr double kGap = 6;
// Labels take at most this share of the width; longer ones end in "…" (the full text is their <title>).
constexpr double kMaxLabelShare = 0.36;

constexpr std::string_view kBarColour = "#2f5d8a";
constexpr std::string_view kLowColour = "#d9822b";   // orange and blue stay apart for colour-blind readers
constexpr std::string_view kHighColour = "#2f6ea8";
constexpr std::string_view kInkColour = "#222";
constexpr std::string_view kMutedColour = "#666";
constexpr std::string_view kGridColour = "#e3e3e3";

// A coordinate with one fixed decimal ("-0.0" never appears).
std::string coordinate(double value) {
    std::string text = fmt::format("{:.1f}", value);
    if (text == "-0.0") text = "0.0";
    return text;
}

std::optional<double> number_at(const View& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return std::nullopt;
    const double value = it->get<double>();
    if (!std::isfinite(value)) return std::nullopt;
    return value;
}

std::string text_at(const View& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

bool flag_at(const View& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

const View& list_at(const View& object, const char* key) {
    static const View empty = View::array();
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : empty;
}

// Decodes one UTF-8 code point at `at` (advancing it); a stray byte counts as one code point.
char32_t next_code_point(std::string_view text, std::size_t& at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    std::size_t length = 1;
    char32_t cp = lead;
    if (lead >= 0xF0) {
        length = 4;
        cp = lead & 0x07U;
    } else if (lead >= 0xE0) {
        length = 3;
        cp = lead & 0x0FU;
    } else if (lead >= 0xC0) {
        length = 2;
        cp = lead & 0x1FU;
    }
    if (at + length > text.size()) length = 1;
    for (std::size_t i = 1; i < length; ++i) cp = (cp << 6) | (byte(at + i) & 0x3FU);
    at += length;
    return length == 1 ? lead : cp;
}

bool is_wide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60);
}

// An estimate of the drawn width, in ems: Hangul and CJK are one em, Latin letters and digits a
// little over half. SVG text does not wrap, so this decides label columns and shortening.
double text_width_em(std::string_view text) {
    double width = 0;
    for (std::size_t at = 0; at < text.size();) width += is_wide(next_code_point(text, at)) ? 1.0 : 0.6;
    return width;
}

double text_width(std::string_view text, double font_size) { return text_width_em(text) * font_size; }

// `text` cut at a code point so that it fits `max_width` with a trailing "…".
std::string shortened(std::string_view text, double max_width, double font_size) {
    if (text_width(text, font_size) <= max_width) return std::string(text);
    const double room_em = max_width / font_size - 1.0;  // the ellipsis takes about one em
    double width = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t next = at;
        const double advance = is_wide(next_code_point(text, next)) ? 1.0 : 0.6;
        if (width + advance > room_em) break;
        width += advance;
        at = next;
    }
    return std::string(text.substr(0, at)) + "…";
}

// A label drawn at (x, y): shortened if needed, with its full text as a tooltip.
std::string label_text(std::string_view label, double x, double y, std::string_view anchor, double max_width) {
    const std::string shown = shortened(label, max_width, kFontSize);
    std::string out = fmt::format(R"(<text x="{}" y="{}" text-anchor="{}" dominant-baseline="middle">)",
                                  coordinate(x), coordinate(y), anchor);
    if (shown != label) out += "<title>" + escape_xml(label) + "</title>";
    out += escape_xml(shown) + "</text>";
    return out;
}

// A value axis from lo to hi: ticks at multiples of a 1, 2, 2.5 or 5 step.
struct Axis {
    double lo = 0;
    double hi = 1;
    double step = 1;
    double left = 0;   // viewBox x of lo
    double right = 1;  // viewBox x of hi

    double x(double value) const { return left + (value - lo) / (hi - lo) * (right - left); }
    std::vector<double> ticks() const {
        std::vector<double> out;
        const auto first = static_cast<long long>(std::ceil(lo / step - 1e-9));
        const auto last = static_cast<long long>(std::floor(hi / step + 1e-9));
        for (long long k = first; k <= last && out.size() < 32; ++k) out.push_back(static_cast<double>(k) * step);
        return out;
    }
};

double rounded_step(double span, int target_ticks) {
    const double raw = span / target_ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double normalised = raw / magnitude;
    const double nice = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 2.5 ? 2.5 : normalised <= 5 ? 5 : 10;
    return nice * magnitude;
}

// An axis over [lo, hi]; `widen` moves the ends out to the next tick, as bar charts want.
Axis make_axis(double lo, double hi, double left, double right, bool widen) {
    if (!(hi > lo)) {
        const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
        lo -= pad;
        hi += pad;
    }
    Axis axis;
    axis.step = rounded_step(hi - lo, 4);
    axis.lo = widen ? std::floor(lo / axis.step + 1e-9) * axis.step : lo;
    axis.hi = widen ? std::ceil(hi / axis.step - 1e-9) * axis.step : hi;
    axis.left = left;
    axis.right = right;
    return axis;
}

// The fewest decimals (at most 6) that write every multiple of `step` exactly: 0.25 needs two, 5 none.
int decimals_for_step(double step) {
    int decimals = 0;
    while (decimals < 6) {
        const double shifted = step * std::pow(10.0, decimals);
        if (std::fabs(shifted - std::round(shifted)) <= 1e-6 * shifted) break;
        ++decimals;
    }
    return decimals;
}

// Tick labels of one axis. Money reads as the report's figures do (text::format_money_compact:
// "$12.5B", "125억 달러"), zero without decimals ("$0", "0 달러"); a "%" unit holds fractions and
// shows percent; other units are grouped numbers with one number of decimals on every tick, in
// millions ("12.5M") from a million up.
std::vector<std::string> tick_labels(const std::vector<double>& ticks, double step, std::string_view unit,
                                     text::Locale locale) {
    std::vector<std::string> labels;
    if (text::is_currency_code(unit)) {
        for (double tick : ticks) {
            std::string label = text::format_money_compact(std::fabs(tick) < step * 1e-9 ? 0.0 : tick, unit, locale);
            if (std::fabs(tick) < step * 1e-9) {  // "$0.00" -> "$0", "0.00 달러" -> "0 달러"
                const std::size_t dot = label.find('.');
                if (dot != std::string::npos) label.erase(dot, label.find_first_not_of('0', dot + 1) - dot);
            }
            labels.push_back(std::move(label));
        }
        return labels;
    }
    const bool percent = unit == "%";
    const double scale = percent ? 100.0 : 1.0;
    double magnitude = 0;
    for (double tick : ticks) magnitude = std::max(magnitude, std::fabs(tick * scale));
    const bool millions = !percent && magnitude >= 1e6;
    const double divisor = millions ? 1e6 : 1.0;
    const int decimals = decimals_for_step(step * scale / divisor);
    for (double tick : ticks) {
        const std::string number = std::fabs(tick) < step * 1e-9
                                       ? std::string("0")
                                       : text::format_grouped(tick * scale / divisor, decimals) + (millions ? "M" : "");
        labels.push_back(number + (percent ? "%" : ""));
    }
    return labels;
}

// Grid lines at every tick, and tick labels under a plot that spans [top, bottom]: every label
// when they fit side by side, else every second one (third...), so that long Korean amounts
// ("7조 5,000억 원") never overlap. The end labels keep inside the viewBox.
std::string draw_axis(const Axis& axis, double top, double bottom, std::string_view unit, text::Locale locale) {
    const std::vector<double> ticks = axis.ticks();
    const std::vector<std::string> labels = tick_labels(ticks, axis.step, unit, locale);
    std::vector<double> xs, widths;
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        xs.push_back(axis.x(ticks[i]));
        widths.push_back(text_width(labels[i], kTickFontSize));
    }
    std::size_t stride = 1;
    const auto fits = [&](std::size_t every) {
        for (std::size_t i = every; i < ticks.size(); i += every)
            if (xs[i] - xs[i - every] < (widths[i] + widths[i - every]) / 2 + kGap) return false;
        return true;
    };
    while (stride < ticks.size() && !fits(stride)) ++stride;

    std::string out = R"(<g class="axis">)";
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        const bool is_zero = std::fabs(ticks[i]) < axis.step * 1e-9;
        out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>)",
                           coordinate(xs[i]), coordinate(top), coordinate(bottom + 4), is_zero ? kMutedColour : kGridColour);
        if (i % stride != 0) continue;
        const std::string_view anchor = xs[i] - widths[i] / 2 < 0 ? "start" : xs[i] + widths[i] / 2 > kWidth ? "end" : "middle";
        out += fmt::format(R"(<text class="tick" x="{}" y="{}" text-anchor="{}" font-size="{}" fill="{}">{}</text>)",
                           coordinate(xs[i]), coordinate(bottom + 16), anchor, coordinate(kTickFontSize), kMutedColour,
                           escape_xml(labels[i]));
    }
    out += "</g>";
    return out;
}

std::string open_svg(std::string_view kind, std::string_view title, double height) {
    const std::string escaped_title = escape_xml(title);
    return fmt::format(R"(<svg class="chart chart-{}" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" )"
                       R"(font-size="{}" fill="{}"><title>{}</title>)",
                       kind, coordinate(kWidth), coordinate(height), escaped_title, coordinate(kFontSize), kInkColour,
                       escaped_title);
}

std::string no_data(std::string_view kind, std::string_view title) {
    return open_svg(kind, title, 40) +
           fmt::format(R"(<text x="{}" y="20" text-anchor="middle" dominant-baseline="middle" fill="{}">No data</text></svg>)",
                       coordinate(kWidth / 2), kMutedColour);
}

// The width of the label column: the longest label, within limits.
double label_column_width(const View& items, const char* key) {
    double widest = 0;
    for (const View& item : items) widest = std::max(widest, text_width(text_at(item, key), kFontSize));
    return std::clamp(widest + kGap, 40.0, kWidth * kMaxLabelShare);
}

std::string bars_chart(const View& chart, std::string_view title, std::string_view unit, text::Locale locale) {
    const View& bars = list_at(chart, "bars");
    struct Bar {
        std::string label, value_text;
        double value;
        std::optional<double> low, high;
    };
    std::vector<Bar> items;
    double lo = 0, hi = 0, widest_value_text = 0;
    for (const View& bar : bars) {
        const std::optional<double> value = number_at(bar, "value");
        if (!value) continue;
        Bar item{text_at(bar, "label"), text_at(bar, "value_text"), *value, std::nullopt, std::nullopt};
        if (flag_at(bar, "has_whisker")) {
            item.low = number_at(bar, "low");
            item.high = number_at(bar, "high");
            if (!item.low || !item.high) item.low = item.high = std::nullopt;
        }
        for (double v : {item.value, item.low.value_or(item.value), item.high.value_or(item.value)}) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        widest_value_text = std::max(widest_value_text, text_width(item.value_text, kFontSize));
        items.push_back(std::move(item));
    }
    if (items.empty()) return no_data("bars", title);

    const double label_width = label_column_width(bars, "label");
    const double value_room = std::min(widest_value_text + kGap, kWidth * 0.25);
    const Axis axis = make_axis(lo, hi, label_width + kGap, kWidth - value_room - kGap, true);
    const double plot_bottom = kTopMargin + kRowHeight * static_cast<double>(items.size());
    const double height = plot_bottom + kAxisHeight;

    std::string out = open_svg("bars", title, height);
    out += draw_axis(axis, kTopMargin, plot_bottom, unit, locale);
    std::string marks = R"(<g class="marks">)";
    std::string whiskers = R"(<g class="whiskers" stroke=")" + std::string(kInkColour) + R"(" stroke-width="1.5" fill="none">)";
    std::string labels = "<g class=\"labels\">";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Bar& item = items[i];
        const double centre = kTopMargin + kRowHeight * (static_cast<double>(i) + 0.5);
        const double x0 = axis.x(std::min(0.0, item.value));
        const double x1 = axis.x(std::max(0.0, item.value));
        marks += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="14" fill="{}"><title>{}: {}</title></rect>)",
                             coordinate(x0), coordinate(centre - 7), coordinate(std::max(x1 - x0, 0.5)), kBarColour,
                             escape_xml(item.label), escape_xml(item.value_text));
        double text_x = std::max(x1, axis.x(0));
        if (item.low && item.high) {
            const double wl = axis.x(std::min(*item.low, *item.high));
            const double wh = axis.x(std::max(*item.low, *item.high));
            whiskers += fmt::format(R"(<path class="whisker" d="M{0} {2}H{1}M{0} {3}V{4}M{1} {3}V{4}"/>)", coordinate(wl),
                                    coordinate(wh), coordinate(centre), coordinate(centre - 5), coordinate(centre + 5));
            text_x = std::max(text_x, wh);
        }
        labels += label_text(item.label, label_width, centre, "end", label_width - kGap);
        labels += fmt::format(R"(<text class="value" x="{}" y="{}" dominant-baseline="middle">{}</text>)",
                              coordinate(text_x + 4), coordinate(centre), escape_xml(item.value_text));
    }
    out += marks + "</g>" + whiskers + "</g>" + labels + "</g></svg>";
    return out;
}

std::string histogram_chart(const View& chart, std::string_view title, std::string_view unit, text::Locale locale) {
    struct Bin {
        double from, to, density, share;
        std::string label;
    };
    std::vector<Bin> bins;
    double lo = 0, hi = 0, top_density = 0;
    for (const View& bin : list_at(chart, "bins")) {
        const std::optional<double> from = number_at(bin, "from"), to = number_at(bin, "to"),
                                    density = number_at(bin, "density");
        if (!from || !to || !density || !(*to > *from)) continue;
        if (bins.empty()) lo = *from, hi = *to;
        lo = std::min(lo, *from);
        hi = std::max(hi, *to);
        top_density = std::max(top_density, *density);
        bins.push_back({*from, *to, std::max(*density, 0.0), number_at(bin, "share").value_or(0), text_at(bin, "label")});
    }
    if (bins.empty() || !(top_density > 0)) return no_data("histogram", title);

    const std::optional<double> base = number_at(chart, "base");
    const std::string base_text = text_at(chart, "base_text");
    const double plot_top = kTopMargin + (base ? 16 : 0);
    constexpr double kPlotHeight = 150;
    const double plot_bottom = plot_top + kPlotHeight;
    const Axis axis = make_axis(lo, hi, 24, kWidth - 24, false);

    std::string out = open_svg("histogram", title, plot_bottom + kAxisHeight);
    out += draw_axis(axis, plot_top, plot_bottom, unit, locale);
    out += fmt::format(R"(<g class="marks" fill="{}" stroke="#fff" stroke-width="0.5">)", kBarColour);
    for (const Bin& bin : bins) {
        const double height = bin.density / top_density * kPlotHeight;
        out += fmt::format(R"(<rect class="bin" x="{}" y="{}" width="{}" height="{}"><title>{}: {}%</title></rect>)",
                           coordinate(axis.x(bin.from)), coordinate(plot_bottom - height),
                           coordinate(axis.x(bin.to) - axis.x(bin.from)), coordinate(height), escape_xml(bin.label),
                           fmt::format("{:.1f}", bin.share * 100));
    }
    out += "</g>";
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>)", coordinate(axis.left),
                       coordinate(plot_bottom), coordinate(axis.right), kMutedColour);
    if (base && *base >= lo && *base <= hi) {
        const double x = axis.x(*base);
        out += fmt::format(R"(<line class="base" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1.5" )"
                           R"(stroke-dasharray="4 3"/>)",
                           coordinate(x), coordinate(plot_top - 2), coordinate(plot_bottom), kInkColour);
        const std::string_view anchor = x < kWidth * 0.25 ? "start" : x > kWidth * 0.75 ? "end" : "middle";
        out += fmt::format(R"(<text x="{}" y="{}" text-anchor="{}">{}</text>)", coordinate(x), coordinate(plot_top - 6),
                           anchor, escape_xml(base_text));
    }
    out += "</svg>";
    return out;
}

std::string tornado_chart(const View& chart, std::string_view title, std::string_view unit, text::Locale locale) {
    const std::optional<double> base = number_at(chart, "base");
    const View& rows = list_at(chart, "rows");
    struct Row {
        std::string label, low_name, high_name, low_text, high_text;
        double at_low, at_high;
    };
    std::vector<Row> items;
    double lo = base.value_or(0), hi = base.value_or(0), widest_text = 0;
    for (const View& row : rows) {
        const std::optional<double> at_low = number_at(row, "output_at_low"), at_high = number_at(row, "output_at_high");
        if (!at_low || !at_high) continue;
        Row item{text_at(row, "label"),    text_at(row, "low_name"), text_at(row, "high_name"),
                 text_at(row, "low_text"), text_at(row, "high_text"), *at_low, *at_high};
        lo = std::min({lo, *at_low, *at_high});
        hi = std::max({hi, *at_low, *at_high});
        widest_text = std::max({widest_text, text_width(item.low_text, kFontSize), text_width(item.high_text, kFontSize)});
        items.push_back(std::move(item));
    }
    if (!base || items.empty()) return no_data("tornado", title);

    const double label_width = label_column_width(rows, "label");
    const double text_room = std::min(widest_text + kGap, kWidth * 0.18);
    const Axis axis = make_axis(lo, hi, label_width + kGap + text_room, kWidth - text_room - kGap, false);
    constexpr double kLegendHeight = 34;  // the legend and the base value's label
    const double plot_top = kTopMargin + kLegendHeight;
    const double plot_bottom = plot_top + kRowHeight * static_cast<double>(items.size());

    std::string out = open_svg("tornado", title, plot_bottom + kAxisHeight);
    out += draw_axis(axis, plot_top, plot_bottom, unit, locale);
    // Legend: which colour is the input at its low value, which at its high value.
    const std::string low_name = items.front().low_name.empty() ? "low" : items.front().low_name;
    const std::string high_name = items.front().high_name.empty() ? "high" : items.front().high_name;
    out += fmt::format(R"(<g class="legend"><rect x="{0}" y="{1}" width="10" height="10" fill="{2}"/>)"
                       R"(<text x="{3}" y="{4}" dominant-baseline="middle">{5}</text>)",
                       coordinate(label_width + kGap), coordinate(kTopMargin), kLowColour,
                       coordinate(label_width + kGap + 14), coordinate(kTopMargin + 5),
                       escape_xml("input at " + low_name));
    const double second = label_width + kGap + 14 + text_width("input at " + low_name, kFontSize) + 16;
    out += fmt::format(R"(<rect x="{0}" y="{1}" width="10" height="10" fill="{2}"/>)"
                       R"(<text x="{3}" y="{4}" dominant-baseline="middle">{5}</text></g>)",
                       coordinate(second), coordinate(kTopMargin), kHighColour, coordinate(second + 14),
                       coordinate(kTopMargin + 5), escape_xml("input at " + high_name));

    const double base_x = axis.x(*base);
    std::string marks = R"(<g class="marks">)";
    std::string labels = "<g class=\"labels\">";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Row& item = items[i];
        const double centre = plot_top + kRowHeight * (static_cast<double>(i) + 0.5);
        // The bar farther from the base first, so that a nearer one on the same side stays visible.
        struct End {
            double value;
            std::string_view colour, side;
            const std::string* name;
            const std::string* text;
        };
        End low_end{item.at_low, kLowColour, "low", &item.low_name, &item.low_text};
        End high_end{item.at_high, kHighColour, "high", &item.high_name, &item.high_text};
        const bool low_farther = std::fabs(item.at_low - *base) >= std::fabs(item.at_high - *base);
        for (const End* end : {low_farther ? &low_end : &high_end, low_farther ? &high_end : &low_end}) {
            const double x = axis.x(end->value);
            marks += fmt::format(R"(<rect class="bar {}" x="{}" y="{}" width="{}" height="16" fill="{}"><title>{}: {} {}</title></rect>)",
                                 end->side, coordinate(std::min(x, base_x)), coordinate(centre - 8),
                                 coordinate(std::max(std::fabs(x - base_x), 0.5)), end->colour, escape_xml(item.label),
                                 escape_xml(*end->name), escape_xml(*end->text));
        }
        // Each end's figure sits beyond its bar; two ends on one side share the outer place.
        const bool low_left = item.at_low < *base || (item.at_low == *base && item.at_high > *base);
        const bool high_left = !low_left ? item.at_high < *base : item.at_high < item.at_low;
        const auto figure = [&](double value, bool left, const std::string& figure_text) {
            const double x = axis.x(value);
            return fmt::format(R"(<text class="value" x="{}" y="{}" text-anchor="{}" dominant-baseline="middle" fill="{}">{}</text>)",
                               coordinate(left ? std::min(x, base_x) - 4 : std::max(x, base_x) + 4), coordinate(centre),
                               left ? "end" : "start", kMutedColour, escape_xml(figure_text));
        };
        labels += label_text(item.label, label_width, centre, "end", label_width - kGap);
        if (low_left != high_left) {
            labels += figure(item.at_low, low_left, item.low_text);
            labels += figure(item.at_high, high_left, item.high_text);
        } else {
            const bool low_outer = low_farther;
            labels += figure(low_outer ? item.at_low : item.at_high, low_left, low_outer ? item.low_text : item.high_text);
        }
    }
    out += marks + "</g>" + labels + "</g>";
    out += fmt::format(R"(<line class="base" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1.5"/>)",
                       coordinate(base_x), coordinate(plot_top - 4), coordinate(plot_bottom), kInkColour);
    const std::string base_label = "base " + text_at(chart, "base_text");
    const std::string_view anchor = base_x < kWidth * 0.3 ? "start" : base_x > kWidth * 0.7 ? "end" : "middle";
    out += fmt::format(R"(<text x="{}" y="{}" text-anchor="{}" font-weight="600">{}</text></svg>)", coordinate(base_x),
                       coordinate(plot_top - 8), anchor, escape_xml(base_label));
    return out;
}

}  // namespace

std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += ' ';
                else out += c;
        }
    }
    return out;
}

std::string render_svg_chart(const View& chart, text::Locale locale) {
    const std::string kind = text_at(chart, "kind");
    const std::string title = text_at(chart, "title");
    const std::string unit = text_at(chart, "unit");
    if (kind == "bars") return bars_chart(chart, title, unit, locale);
    if (kind == "histogram") return histogram_chart(chart, title, unit, locale);
    if (kind == "tornado") return tornado_chart(chart, title, unit, locale);
    return no_data("unknown", title);
}

}  // namespace impact::report
