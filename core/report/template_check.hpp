// Checks a Mustache report template before it is rendered: balanced sections and known field names, by line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace impact::report {

// A field of the report view as templates see it: a value, a list of objects or an object.
struct Field {
    enum class Kind { value, list, object };
    std::string name;
    Kind kind = Kind::value;
    std::vector<Field> members;  // of each list item, or of the object

    const Field* find(std::string_view member) const noexcept;
};

// Parses the notation of report_view.hpp: names separated by spaces, "name[ ... ]" a list of
// objects with the members inside, "name{ ... }" an object. Throws std::logic_error when the
// notation is malformed (it is the program's own text).
Field parse_field_spec(std::string_view spec);

// mstch renders whatever it is given: an unclosed section silently drops the rest of the template
// and an unknown name renders as nothing. This check refuses both before anything is rendered.
// Throws UserError "TEMPLATE:LINE:COLUMN: template: ..." for: a tag opened with {{ and never
// closed; a section closed that is not the innermost open one; a section never closed; a name
// that is not a field of the view where it is used (names resolve as Mustache resolves them: in
// the innermost section's item first, then outwards; "a.b" looks b up in a; "." is the current
// item); a partial ({{> name}}) or a change of delimiters ({{=<% %>=}}), which reports do not
// support. `template_name` is the path shown in messages.
void check_template(std::string_view template_text, const Field& view_fields, std::string_view template_name);

}  // namespace impact::report
