// HTML reports: the view gains its charts' SVG and the flags the HTML template needs, then Mustache renders it.
#include "report/html_report.hpp"

#include "report/mustache.hpp"
#include "report/svg_chart.hpp"
#include "report/template_check.hpp"

namespace impact::embedded {
// templates/report.html.mustache, compiled in by impact_embed_text (cmake/ImpactEmbed.cmake).
std::string_view report_html_template() noexcept;
}  // namespace impact::embedded

namespace impact::report {

namespace {

text::Locale view_locale(const View& view) {
    const auto it = view.find("locale");
    return it != view.end() && it->is_string() && it->get<std::string>() == "ko" ? text::Locale::ko : text::Locale::en;
}

// Mustache cannot ask whether a list is empty without entering it, so a section heading over a
// list needs a flag beside it.
void add_presence_flag(View& view, const char* list_key, const char* flag_key) {
    if (view.contains(flag_key)) return;
    const auto it = view.find(list_key);
    view[flag_key] = it != view.end() && it->is_array() && !it->empty();
}

void add_column_labels(View& view) {
    const auto steps = view.find("steps");
    if (steps == view.end() || !steps->is_array()) return;
    for (View& step : *steps) {
        const auto tables = step.find("tables");
        if (tables == step.end() || !tables->is_array()) continue;
        for (View& table : *tables) {
            const View& columns = table.value("columns", View::array());
            const auto rows = table.find("rows");
            if (rows == table.end() || !rows->is_array()) continue;
            for (View& row : *rows) {
                const auto cells = row.find("cells");
                if (cells == row.end() || !cells->is_array()) continue;
                for (std::size_t i = 0; i < cells->size(); ++i) {
                    const bool has_column = i < columns.size() && columns[i].is_object();
                    (*cells)[i]["column_label"] = has_column ? columns[i].value("label", std::string()) : std::string();
                }
            }
        }
    }
}

// Adds a value member to `object` unless it has one of that name.
void add_value_field(Field& object, const char* name) {
    if (!object.find(name)) object.members.push_back(Field{name, Field::Kind::value, {}});
}

Field* member(Field& object, std::string_view name) {
    for (Field& m : object.members)
        if (m.name == name) return &m;
    return nullptr;
}

Field html_fields() {
    Field fields = view_fields();
    for (const char* flag : {"has_headline", "has_assumptions", "has_overrides", "has_compare_groups", "has_charts"})
        add_value_field(fields, flag);
    if (Field* charts = member(fields, "charts")) add_value_field(*charts, "svg");
    if (Field* sensitivity = member(fields, "sensitivity")) {
        add_value_field(*sensitivity, "has_rank");
        add_value_field(*sensitivity, "has_sobol");
    }
    Field* steps = member(fields, "steps");
    Field* tables = steps ? member(*steps, "tables") : nullptr;
    Field* rows = tables ? member(*tables, "rows") : nullptr;
    Field* cells = rows ? member(*rows, "cells") : nullptr;
    if (cells) add_value_field(*cells, "column_label");
    return fields;
}

}  // namespace

const Field& html_view_fields() {
    // Built once; immutable afterwards (a function-local constant, not mutable state).
    static const Field fields = html_fields();
    return fields;
}

std::string_view default_html_template() { return embedded::report_html_template(); }

std::string render_html(const View& view, std::string_view template_text, std::string_view template_name) {
    if (template_text.empty()) {
        template_text = default_html_template();
        template_name = "(built-in report.html.mustache)";
    }
    check_template(template_text, html_view_fields(), template_name);
    View context = view;
    const text::Locale locale = view_locale(view);
    const auto charts = context.find("charts");
    if (charts != context.end() && charts->is_array())
        for (View& chart : *charts) chart["svg"] = render_svg_chart(chart, locale);
    add_presence_flag(context, "headline", "has_headline");
    add_presence_flag(context, "assumptions", "has_assumptions");
    add_presence_flag(context, "overrides", "has_overrides");
    add_presence_flag(context, "compare_groups", "has_compare_groups");
    add_presence_flag(context, "charts", "has_charts");
    const auto sensitivity = context.find("sensitivity");
    if (sensitivity != context.end() && sensitivity->is_object()) {
        add_presence_flag(*sensitivity, "rank", "has_rank");
        add_presence_flag(*sensitivity, "sobol", "has_sobol");
    }
    add_column_labels(context);
    return render_template(template_text, context, Escaping::html);
}

}  // namespace impact::report
