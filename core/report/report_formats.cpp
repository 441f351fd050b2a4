// Report formats by name, the Markdown rendering through its template, and the tidy CSV.
#include "report/report_formats.hpp"

#include "report/compare_view.hpp"
#include "report/html_report.hpp"
#include "report/mustache.hpp"
#include "report/view_parts.hpp"
#include "io/json_output.hpp"
#include "report/template_check.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace impact::embedded {
std::string_view report_md_template() noexcept;
std::string_view compare_md_template() noexcept;
}  // namespace impact::embedded

namespace impact::report {

namespace {

constexpr std::array<std::pair<ReportFormat, std::string_view>, 6> kFormats{{
    {ReportFormat::text, "text"},
    {ReportFormat::md, "md"},
    {ReportFormat::csv, "csv"},
    {ReportFormat::json, "json"},
    {ReportFormat::xlsx, "xlsx"},
    {ReportFormat::html, "html"},
}};

}  // namespace

std::vector<ReportFormat> parse_formats(std::string_view list) {
    std::vector<ReportFormat> formats;
    std::size_t from = 0;
    while (true) {
        const std::size_t comma = list.find(',', from);
        const std::string_view name = list.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from);
        const auto known = std::find_if(kFormats.begin(), kFormats.end(), [&](const auto& f) { return f.second == name; });
        if (known == kFormats.end())
            throw UserError(fmt::format("--format: expected text, md, csv, json, xlsx or html (several separated by commas), "
                                        "found \"{}\"",
                                        text::printable(name)));
        if (std::find(formats.begin(), formats.end(), known->first) != formats.end())
            throw UserError(fmt::format("--format: expected each format once, found \"{}\" twice", known->second));
        formats.push_back(known->first);
        if (comma == std::string_view::npos) break;
        from = comma + 1;
    }
    return formats;
}

std::string_view format_name(ReportFormat format) noexcept {
    for (const auto& [f, name] : kFormats)
        if (f == format) return name;
    return "text";
}

std::string_view format_extension(ReportFormat format) noexcept {
    switch (format) {
        case ReportFormat::text: return ".txt";
        case ReportFormat::md: return ".md";
        case ReportFormat::csv: return ".csv";
        case ReportFormat::json: return ".json";
        case ReportFormat::xlsx: return ".xlsx";
        case ReportFormat::html: return ".html";
    }
    return ".txt";
}

bool prints_to_terminal(ReportFormat format) noexcept { return format != ReportFormat::xlsx; }

std::string_view default_template(ReportFormat format, ReportKind kind) {
    const bool compare = kind == ReportKind::compare;
    if (format == ReportFormat::md) return compare ? embedded::compare_md_template() : embedded::report_md_template();
    if (format == ReportFormat::html) return compare ? default_compare_html_template() : default_html_template();
    throw std::logic_error("default_template: only md and html have templates");
}

std::string_view default_template_name(ReportFormat format, ReportKind kind) {
    const bool compare = kind == ReportKind::compare;
    if (format == ReportFormat::md) return compare ? "(built-in compare.md.mustache)" : "(built-in report.md.mustache)";
    return compare ? "(built-in compare.html.mustache)" : "(built-in report.html.mustache)";
}

ReportKind kind_of(const View& view) { return is_compare_view(view) ? ReportKind::compare : ReportKind::run; }

const Field& template_fields(ReportFormat format, ReportKind kind) {
    const bool compare = kind == ReportKind::compare;
    if (format == ReportFormat::html) return compare ? compare_html_view_fields() : html_view_fields();
    return compare ? compare_view_fields() : view_fields();
}

std::string render_markdown(const View& view, std::string_view template_text, std::string_view template_name) {
    const ReportKind kind = kind_of(view);
    if (template_text.empty()) {
        template_text = default_template(ReportFormat::md, kind);
        template_name = default_template_name(ReportFormat::md, kind);
    }
    check_template(template_text, template_fields(ReportFormat::md, kind), template_name);
    return render_template(template_text, view, Escaping::markdown);
}

namespace {

// One CSV field: quoted when it holds a comma, quote or line break; text a spreadsheet would run
// as a formula gets a leading apostrophe (numbers are written by number_field, never through here).
std::string text_field(std::string_view text) {
    std::string value(text);
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t' ||
                           value[0] == '\r'))
        value.insert(0, 1, '\'');
    if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
    std::string quoted = "\"";
    for (const char c : value) {
        if (c == '"') quoted += '"';
        quoted += c;
    }
    return quoted + "\"";
}

// Shortest text that reads back to the same double; empty for null.
std::string number_field(const View& value) {
    if (value.is_null()) return {};
    if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
    return fmt::format("{}", value.get<double>());
}

// Rows of the run CSV, handed to `write` about every 256 kB (and at finish()), so that a streamed
// report never holds more than that.
class CsvWriter {
public:
    CsvWriter(std::string_view scenario_name, const scenario::ReportSink& write) : scenario_(text_field(scenario_name)), write_(write) {
        out_ = "scenario,step,model,model_version,output,label,unit,statistic,value\r\n";
    }

    void set_step(const View& step) {
        step_ = text_field(step["id"].get<std::string>());
        model_ = text_field(step["model"].get<std::string>());
        version_ = text_field(step["model_version"].get<std::string>());
    }
    void set_output(std::string_view key, std::string_view label, std::string_view unit) {
        output_ = text_field(key);
        label_ = text_field(label);
        unit_ = text_field(unit);
    }
    void row(std::string_view statistic, const View& value) {
        out_ += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", scenario_, step_, model_, version_, output_, label_, unit_,
                            text_field(statistic), number_field(value));
        if (out_.size() >= kFlushBytes) finish();
    }
    void finish() {
        if (!out_.empty()) write_(out_);
        out_.clear();
    }

private:
    static constexpr std::size_t kFlushBytes = std::size_t{256} << 10;
    std::string scenario_, step_, model_, version_, output_, label_, unit_;
    const scenario::ReportSink& write_;
    std::string out_;
};

// Every figure of one step (an element of the view's steps[]).
void write_step_rows(CsvWriter& csv, const View& step) {
    csv.set_step(step);
    for (const View& o : step["outputs"]) {
        csv.set_output(o["output"].get<std::string>(), o["label"].get<std::string>(), o["unit"].get<std::string>());
        csv.row("value", o["value"]);
        if (o["has_range"].get<bool>()) {
            const bool neutral = o["best_name"] == "low";
            const View& lo = neutral ? o["best"] : (o["direction"] == "higher_is_worse" ? o["best"] : o["worst"]);
            const View& hi = neutral ? o["worst"] : (o["direction"] == "higher_is_worse" ? o["worst"] : o["best"]);
            csv.row("low", lo);
            csv.row("high", hi);
            if (!neutral) {
                csv.row("best", o["best"]);
                csv.row("worst", o["worst"]);
            }
        }
        if (o["has_statistics"].get<bool>()) {
            csv.row("mean", o["mean"]);
            csv.row("sd", o["sd"]);
            for (const View& p : o["percentiles"]) {
                std::string name = p["name"].get<std::string>();  // "P5" -> "p5"
                name[0] = 'p';
                csv.row(name, p["value"]);
            }
        }
        for (const View& t : o["thresholds"]) csv.row("probability:" + t["name"].get<std::string>(), t["probability"]);
        for (const View& c : o["cases"]) csv.row("case:" + c["name"].get<std::string>(), c["value"]);
    }
}

// One [[actual]] (an element of the view's actuals[]) of the output `key` of `step`.
void write_actual_rows(CsvWriter& csv, const View& step, const std::string& key, const View& actual) {
    csv.set_step(step);
    csv.set_output(key, actual["label"].get<std::string>(), actual["unit"].get<std::string>());
    csv.row("actual", actual["actual"]);
    csv.row("actual_error", actual["error"]);
    csv.row("actual_relative_error", actual["relative_error"]);
    csv.row("actual_percentile", actual["percentile"]);
}

const View* find_step(const View& view, const std::string& id) {
    for (const View& step : view["steps"])
        if (step["id"] == id) return &step;
    return nullptr;
}

const std::string& text_of(const View& object, const char* key) { return object[key].get_ref<const std::string&>(); }

std::string render_compare_csv(const View& view) {
    std::string out = "side,scenario_file,is_baseline,step,output,label,unit,statistic,value,difference,ratio,within\r\n";
    struct SideColumns {
        std::string label, file, is_baseline;
    };
    std::vector<SideColumns> sides;
    for (const View& s : view["sides"])
        sides.push_back({text_field(text_of(s, "label")), text_field(text_of(s, "as_given")), s["is_baseline"].get<bool>() ? "true" : "false"});
    const auto side_of = [&](const View& label) -> const SideColumns& {
        for (const SideColumns& s : sides)
            if (s.label == text_field(label.get<std::string>())) return s;
        throw std::logic_error("compare view: a figure names a side that is not in sides[]");
    };
    const auto row = [&](const SideColumns& side, const std::string& output_columns, std::string_view statistic, const View& value,
                         const View& difference, const View& ratio, std::string_view within) {
        out += fmt::format("{},{},{},{},{},{},{},{},{}\r\n", side.label, side.file, side.is_baseline, output_columns,
                           text_field(statistic), number_field(value), number_field(difference), number_field(ratio), within);
    };
    const View none;
    for (const View& o : view["outputs"]) {
        const std::string columns = fmt::format("{},{},{},{}", text_field(text_of(o, "step")), text_field(text_of(o, "output")),
                                                text_field(text_of(o, "label")), text_field(text_of(o, "unit")));
        for (const View& r : o["rows"]) {
            std::string statistic = text_of(r, "statistic");  // "P5" -> "p5", as in run reports
            if (statistic[0] == 'P') statistic[0] = 'p';
            for (const View& v : r["values"]) {
                const SideColumns& side = side_of(v["side"]);
                const View* change = nullptr;
                for (const View& c : r["changes"])
                    if (c["side"] == v["side"]) change = &c;
                if (!change) {
                    row(side, columns, statistic, v["value"], none, none, "");
                    continue;
                }
                row(side, columns, statistic, v["value"], (*change)["difference"], (*change)["ratio"],
                    (*change)["is_within"].get<bool>() ? "true" : "false");
            }
        }
        for (const View& d : o["per_draw"]) {
            const SideColumns& side = side_of(d["side"]);
            for (const char* figure : {"mean", "sd", "p5", "p50", "p95"})
                row(side, columns, fmt::format("difference_{}", figure), d[figure], none, none, "");
            row(side, columns, "probability_greater", d["probability_greater"], none, none, "");
        }
    }
    for (const View& a : view["actuals"]) {
        const std::string& output = text_of(a, "output");
        const std::size_t dot = output.find('.');
        const std::string columns = fmt::format("{},{},{},{}", text_field(output.substr(0, dot)),
                                                text_field(dot == std::string::npos ? std::string() : output.substr(dot + 1)),
                                                text_field(text_of(a, "label")), text_field(text_of(a, "unit")));
        const SideColumns& side = side_of(a["side"]);
        row(side, columns, "actual", a["actual"], none, none, "");
        row(side, columns, "actual_error", a["error"], none, none, "");
        row(side, columns, "actual_relative_error", a["relative_error"], none, none, "");
        row(side, columns, "actual_percentile", a["percentile"], none, none, "");
    }
    return out;
}

}  // namespace

std::string render_csv(const View& view) {
    if (is_compare_view(view)) return render_compare_csv(view);
    std::string out;
    const scenario::ReportSink append = [&out](std::string_view piece) { out += piece; };
    CsvWriter csv(view["title"].get<std::string>(), append);
    for (const View& step : view["steps"]) write_step_rows(csv, step);
    for (const View& a : view["actuals"]) {
        const std::string& output = a["output"].get_ref<const std::string&>();
        const std::size_t dot = output.find('.');
        if (const View* step = find_step(view, output.substr(0, dot))) write_actual_rows(csv, *step, output.substr(dot + 1), a);
    }
    if (view["has_sensitivity"].get<bool>()) {
        const View& s = view["sensitivity"];
        const std::string& output = s["output"].get_ref<const std::string&>();
        const std::size_t dot = output.find('.');
        if (const View* step = find_step(view, output.substr(0, dot))) {
            csv.set_step(*step);
            csv.set_output(output.substr(dot + 1), s["label"].get<std::string>(), s["unit"].get<std::string>());
            for (const View& chart : view["charts"])
                if (chart["is_tornado"].get<bool>())
                    for (const View& r : chart["rows"]) {
                        csv.row("tornado_low:" + r["input"].get<std::string>(), r["output_at_low"]);
                        csv.row("tornado_high:" + r["input"].get<std::string>(), r["output_at_high"]);
                    }
            // Correlations and indices have no unit.
            csv.set_output(output.substr(dot + 1), s["label"].get<std::string>(), "");
            for (const View& r : s["rank"]) csv.row("spearman:" + r["input"].get<std::string>(), r["spearman"]);
            for (const View& r : s["sobol"]) {
                csv.row("sobol_first:" + r["input"].get<std::string>(), r["first_order"]);
                csv.row("sobol_total:" + r["input"].get<std::string>(), r["total"]);
            }
        }
    }
    csv.finish();
    return out;
}

void write_run_csv(const scenario::Scenario& scenario, const scenario::RunResult& result, const scenario::ReportExtras& extras,
                   text::Locale locale, const scenario::ReportSink& write) {
    CsvWriter csv(io::json_text(scenario.name).get<std::string>(), write);  // the view's title, byte for byte
    for (std::size_t i = 0; i < result.steps.size(); ++i) write_step_rows(csv, build_step_view(result, i, extras, locale));
    if (extras.actuals) {
        const View actuals = detail::actuals_view(*extras.actuals, locale);
        for (const View& a : actuals) {
            const std::string& output = a["output"].get_ref<const std::string&>();
            const std::size_t dot = output.find('.');
            const auto step = std::find_if(result.steps.begin(), result.steps.end(),
                                           [&](const scenario::StepResult& s) { return s.id == output.substr(0, dot); });
            if (step == result.steps.end()) continue;
            // That step's view again (a scenario has a handful of actuals): its id, model and version
            // columns are then the render_csv ones by construction.
            const auto index = static_cast<std::size_t>(step - result.steps.begin());
            write_actual_rows(csv, build_step_view(result, index, extras, locale), output.substr(dot + 1), a);
        }
    }
    csv.finish();
}

}  // namespace impact::report
