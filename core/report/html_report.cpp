// HTML reports: the view gains its charts' SVG, then Mustache renders it through the HTML template.
#include "report/html_report.hpp"

#include "report/report_formats.hpp"
#include "report/mustache.hpp"
#include "report/svg_chart.hpp"
#include "report/template_check.hpp"

namespace impact::embedded {
// templates/report.html.mustache, compiled in by impact_embed_text (cmake/ImpactEmbed.cmake).
std::string_view report_html_template() noexcept;
std::string_view compare_html_template() noexcept;
}  // namespace impact::embedded

namespace impact::report {

namespace {

text::Locale view_locale(const View& view) {
    const auto it = view.find("locale");
    return it != view.end() && it->is_string() && it->get<std::string>() == "ko" ? text::Locale::ko : text::Locale::en;
}

}  // namespace

Field with_chart_svg(Field fields) {
    for (Field& member : fields.members)
        if (member.name == "charts") member.members.push_back(Field{"svg", Field::Kind::value, {}});
    return fields;
}

const Field& html_view_fields() {
    // Built once; immutable afterwards (a function-local constant, not mutable state).
    static const Field fields = with_chart_svg(view_fields());
    return fields;
}

std::string_view default_html_template() { return embedded::report_html_template(); }
std::string_view default_compare_html_template() { return embedded::compare_html_template(); }

std::string render_html(const View& view, std::string_view template_text, std::string_view template_name) {
    const ReportKind kind = kind_of(view);
    if (template_text.empty()) {
        template_text = default_template(ReportFormat::html, kind);
        template_name = default_template_name(ReportFormat::html, kind);
    }
    check_template(template_text, template_fields(ReportFormat::html, kind), template_name);
    View context = view;
    const text::Locale locale = view_locale(view);
    const auto charts = context.find("charts");
    if (charts != context.end() && charts->is_array())
        for (View& chart : *charts) chart["svg"] = render_svg_chart(chart, locale);
    return render_template(template_text, context, Escaping::html);
}

}  // namespace impact::report
