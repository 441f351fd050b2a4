// The template check: every kind of broken Mustache template refused at its line and column, valid ones accepted.
#include "report/html_report.hpp"
#include "report/report_formats.hpp"
#include "report/report_view.hpp"
#include "report/template_check.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <string>

using impact::report::check_template;
using impact::report::Field;
using impact::report::parse_field_spec;

namespace {

// A small view: a title, a flag, a list of steps with outputs, and an object.
const Field& fields() {
    static const Field f = parse_field_spec("title has_x steps[ id outputs[ label value_text ] ] provenance{ tool plugins[ id ] }");
    return f;
}

// The message check_template throws, or "" when it accepts the template.
std::string refusal(const std::string& text) {
    try {
        check_template(text, fields(), "t.mustache");
        return {};
    } catch (const impact::UserError& e) {
        return e.what();
    }
}

}  // namespace

TEST_CASE("template check: valid templates are accepted", "[report][template]") {
    const char* valid[] = {
        "# {{title}}\n",
        "{{#has_x}}x{{/has_x}}{{^has_x}}no x{{/has_x}}",
        "{{#steps}}{{id}}: {{#outputs}}{{label}} {{value_text}} ({{id}}, {{title}}){{/outputs}}{{/steps}}",
        "{{! a comment with {{braces}} inside is not a field }}",
        "{{provenance.tool}} {{#provenance}}{{tool}}{{#plugins}}{{id}}{{/plugins}}{{/provenance}}",
        "{{{title}}} {{&title}}",
        "{{#title}}[{{.}}]{{/title}}",  // a value section: {{.}} is the value
        "{{ #steps }}{{ id }}{{ /steps }}{{ ! blanks before the sigil, as mstch allows }}",
        "{{ title }} {{# steps }}{{ id }}{{/ steps }}",  // spaces inside tags
        "no tags at all, and a single { brace }",
    };
    for (const char* text : valid) {
        INFO("template: " << text);
        CHECK(refusal(text).empty());
    }
}

TEST_CASE("template check: each broken template is refused at its position", "[report][template]") {
    struct Case {
        const char* text;
        const char* message;  // the whole one-line message
    };
    const Case cases[] = {
        {"a\n{{#steps}}{{id}}\n", "t.mustache:2:1: template: expected {{/steps}} to close the section opened here, found the end of the template"},
        {"{{#steps}}{{#outputs}}{{/steps}}{{/outputs}}",
         "t.mustache:1:23: template: expected {{/outputs}} to close the section opened at 1:11, found {{/steps}}"},
        {"x {{/steps}}", "t.mustache:1:3: template: expected no closing tag here, found {{/steps}} with no section open"},
        {"{{title", "t.mustache:1:1: template: expected }} to close the tag opened here, found the end of the template"},
        {"{{{title}}", "t.mustache:1:1: template: expected }}} to close the tag opened here, found the end of the template"},
        {"\n\n  {{titel}}", "t.mustache:3:3: template: expected a field of the report view (docs/reports.md), found unknown "
                          "\"titel\"; fields here: title, has_x, steps, provenance"},
        // A member of a list item is not visible outside its section.
        {"{{label}}", "t.mustache:1:1: template: expected a field of the report view (docs/reports.md), found unknown "
                      "\"label\"; fields here: title, has_x, steps, provenance"},
        {"{{#steps}}{{lable}}{{/steps}}", "t.mustache:1:11: template: expected a field of the report view inside \"steps\" "
                                         "(docs/reports.md), found unknown \"lable\"; fields here: id, outputs"},
        {"{{provenance.tol}}", "t.mustache:1:1: template: expected a member of \"provenance\", found unknown \"tol\""},
        {"{{> header}}", "t.mustache:1:1: template: expected a field, a section or a comment, found a partial ({{> ...}}); "
                         "reports have no partials"},
        {"{{=<% %>=}}", "t.mustache:1:1: template: expected a field, a section or a comment, found a change of delimiters; "
                        "reports keep {{ }}"},
        {"{{}}", "t.mustache:1:1: template: expected a field name inside the tag, found nothing"},
        {"{{.}}", "t.mustache:1:1: template: expected {{.}} inside a section, found it at the top level"},
        // mstch prints a list or an object as nothing: naming one where a value is printed is refused.
        {"{{#steps}}{{.}}{{/steps}}", "t.mustache:1:11: template: expected a value to print, found {{.}} inside \"steps\", "
                                      "whose items are objects; name one of their fields"},
        {"x {{steps}}", "t.mustache:1:3: template: expected a value to print, found the list \"steps\"; open it as a "
                        "section: {{#steps}}...{{/steps}}"},
        {"{{{provenance}}}", "t.mustache:1:1: template: expected a value to print, found the object \"provenance\"; open it "
                             "as a section: {{#provenance}}...{{/provenance}}"},
    };
    for (const Case& c : cases) {
        INFO("template: " << c.text);
        CHECK(refusal(c.text) == c.message);
    }
}

TEST_CASE("template check: the built-in templates use only fields of the report view", "[report][template]") {
    // The check the CLI makes on a user's template, made on the program's own: a field renamed in
    // the view without the template fails here, not as an empty cell in someone's report.
    CHECK_NOTHROW(check_template(impact::report::default_template(impact::report::ReportFormat::md), impact::report::view_fields(),
                                 "built-in md"));
    CHECK_NOTHROW(check_template(impact::report::default_template(impact::report::ReportFormat::html),
                                 impact::report::html_view_fields(), "built-in html"));
    // charts[].svg is the HTML report's only: a Markdown template naming it would print nothing.
    CHECK_THROWS_WITH(check_template("{{#charts}}{{{svg}}}{{/charts}}", impact::report::view_fields(), "md"),
                      Catch::Contains("found unknown \"svg\""));
}

TEST_CASE("template check: the field notation parses lists, objects and values", "[report][template]") {
    const Field& f = fields();
    REQUIRE(f.members.size() == 4);
    const Field* steps = f.find("steps");
    REQUIRE(steps);
    CHECK(steps->kind == Field::Kind::list);
    REQUIRE(steps->find("outputs"));
    CHECK(steps->find("outputs")->find("value_text"));
    CHECK(f.find("provenance")->kind == Field::Kind::object);
    CHECK(f.find("title")->kind == Field::Kind::value);
    CHECK_THROWS_AS(parse_field_spec("steps[ id "), std::logic_error);
    CHECK_THROWS_AS(parse_field_spec("a ] b"), std::logic_error);
}
