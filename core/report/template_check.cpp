// Mustache template checks: tags, sections and field names against the report view's documented fields.
#include "report/template_check.hpp"

#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace impact::report {

const Field* Field::find(std::string_view member) const noexcept {
    for (const Field& f : members)
        if (f.name == member) return &f;
    return nullptr;
}

namespace {

// Members up to the closing bracket `close` ('\0' at the end of the text).
std::vector<Field> parse_members(std::string_view spec, std::size_t& at, char close) {
    std::vector<Field> members;
    const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
    while (true) {
        while (at < spec.size() && is_space(spec[at])) ++at;
        if (at == spec.size()) {
            if (close != '\0') throw std::logic_error(fmt::format("field spec: '{}' never closed", close));
            return members;
        }
        if (spec[at] == close) {
            ++at;
            return members;
        }
        const std::size_t start = at;
        while (at < spec.size() && !is_space(spec[at]) && spec[at] != '[' && spec[at] != '{' && spec[at] != ']' && spec[at] != '}')
            ++at;
        if (at == start) throw std::logic_error(fmt::format("field spec: unexpected '{}' at {}", spec[at], at));
        Field field;
        field.name = std::string(spec.substr(start, at - start));
        if (at < spec.size() && (spec[at] == '[' || spec[at] == '{')) {
            const char open = spec[at++];
            field.kind = open == '[' ? Field::Kind::list : Field::Kind::object;
            field.members = parse_members(spec, at, open == '[' ? ']' : '}');
        }
        members.push_back(std::move(field));
    }
}

struct Position {
    std::size_t line = 1, column = 1;
};

// Line and column (in bytes, from 1) of `offset`.
Position position_of(std::string_view text, std::size_t offset) {
    Position p;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

std::string trimmed(std::string_view s) {
    const std::size_t first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const std::size_t last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

struct OpenSection {
    std::string name;
    std::size_t offset;
    const Field* scope;  // the members it makes visible (nullptr: no new scope, as for a flag)
};

class Checker {
public:
    Checker(std::string_view text, const Field& root, std::string_view name) : text_(text), root_(root), name_(name) {}

    void run() {
        std::size_t from = 0;
        while (true) {
            const std::size_t open = text_.find("{{", from);
            if (open == std::string_view::npos) break;
            const bool triple = text_.substr(open, 3) == "{{{";
            const std::string_view closing = triple ? "}}}" : "}}";
            const std::size_t close = text_.find(closing, open + closing.size());
            if (close == std::string_view::npos)
                fail(open, fmt::format("expected {} to close the tag opened here, found the end of the template", closing));
            const std::string_view inside = text_.substr(open + closing.size(), close - open - closing.size());
            tag(open, inside, triple);
            from = close + closing.size();
        }
        if (!open_.empty())
            fail(open_.back().offset, fmt::format("expected {{{{/{}}}}} to close the section opened here, found the end of the template",
                                                  open_.back().name));
    }

private:
    [[noreturn]] void fail(std::size_t offset, const std::string& what) const {
        const Position p = position_of(text_, offset);
        throw UserError(fmt::format("{}:{}:{}: template: {}", text::printable(name_), p.line, p.column, what));
    }

    void tag(std::size_t offset, std::string_view raw_inside, bool triple) {
        if (triple) {
            value_of(offset, trimmed(raw_inside));
            return;
        }
        // mstch skips blanks before the sigil too: "{{ #steps }}" opens a section.
        const std::string inside_text = trimmed(raw_inside);
        const std::string_view inside = inside_text;
        const char kind = inside.empty() ? '\0' : inside.front();
        switch (kind) {
            case '!': return;  // a comment
            case '>': fail(offset, "expected a field, a section or a comment, found a partial ({{> ...}}); reports have no partials");
            case '=': fail(offset, "expected a field, a section or a comment, found a change of delimiters; reports keep {{ }}");
            case '#':
            case '^': {
                const std::string name = trimmed(inside.substr(1));
                const Field* field = lookup(offset, name);
                // A list or object section makes its members visible; a value section (a flag,
                // or a text shown only when not empty) keeps the scope it is in.
                const Field* scope = field && field->kind != Field::Kind::value && kind == '#' ? field : nullptr;
                open_.push_back({name, offset, scope});
                return;
            }
            case '/': {
                const std::string name = trimmed(inside.substr(1));
                if (open_.empty()) fail(offset, fmt::format("expected no closing tag here, found {{{{/{}}}}} with no section open", name));
                if (open_.back().name != name) {
                    const Position p = position_of(text_, open_.back().offset);
                    fail(offset, fmt::format("expected {{{{/{}}}}} to close the section opened at {}:{}, found {{{{/{}}}}}",
                                             open_.back().name, p.line, p.column, name));
                }
                open_.pop_back();
                return;
            }
            case '&': value_of(offset, trimmed(inside.substr(1))); return;
            case '{': value_of(offset, trimmed(inside.substr(1))); return;  // "{{{" split oddly
            default: value_of(offset, std::string(inside)); return;
        }
    }

    // A tag that prints: its field must be a value. mstch prints a list or an object as nothing.
    void value_of(std::size_t offset, const std::string& name) {
        if (name == ".") {
            if (open_.empty()) fail(offset, "expected {{.}} inside a section, found it at the top level");
            // Inside a list or object section the current item is an object, which prints as nothing.
            if (open_.back().scope)
                fail(offset, fmt::format("expected a value to print, found {{{{.}}}} inside \"{}\", whose items are objects; "
                                         "name one of their fields",
                                         open_.back().name));
            return;
        }
        const Field* field = lookup(offset, name);
        if (field && field->kind != Field::Kind::value)
            fail(offset, fmt::format("expected a value to print, found the {} \"{}\"; open it as a section: {{{{#{}}}}}...{{{{/{}}}}}",
                                     field->kind == Field::Kind::list ? "list" : "object", name, name, name));
    }

    // The field `name` resolves to where it is used, or a failure naming what is available there.
    const Field* lookup(std::size_t offset, const std::string& name) {
        if (name.empty()) fail(offset, "expected a field name inside the tag, found nothing");
        if (name == ".") {
            if (open_.empty()) fail(offset, "expected {{.}} inside a section, found it at the top level");
            return nullptr;
        }
        const std::size_t dot = name.find('.');
        const std::string first = name.substr(0, dot);
        const Field* found = nullptr;
        for (auto it = open_.rbegin(); it != open_.rend() && !found; ++it)
            if (it->scope) found = it->scope->find(first);
        if (!found) found = root_.find(first);
        if (!found) {
            const Field& here = innermost();
            std::string names;
            for (const Field& f : here.members) names += (names.empty() ? "" : ", ") + f.name;
            fail(offset, fmt::format("expected a field of the report view{} (docs/reports.md), found unknown \"{}\"; fields here: {}",
                                     &here == &root_ ? std::string() : fmt::format(" inside \"{}\"", here.name),
                                     text::printable(first), names));
        }
        std::size_t from = dot;
        while (from != std::string::npos) {
            const std::size_t next = name.find('.', from + 1);
            const std::string member = name.substr(from + 1, next == std::string::npos ? std::string::npos : next - from - 1);
            const Field* inner = found->kind == Field::Kind::object ? found->find(member) : nullptr;
            if (!inner)
                fail(offset, fmt::format("expected a member of \"{}\", found unknown \"{}\"", found->name, text::printable(member)));
            found = inner;
            from = next;
        }
        return found;
    }

    const Field& innermost() const {
        for (auto it = open_.rbegin(); it != open_.rend(); ++it)
            if (it->scope) return *it->scope;
        return root_;
    }

    std::string_view text_;
    const Field& root_;
    std::string_view name_;
    std::vector<OpenSection> open_;
};

}  // namespace

Field parse_field_spec(std::string_view spec) {
    std::size_t at = 0;
    Field root;
    root.name = "view";
    root.kind = Field::Kind::object;
    root.members = parse_members(spec, at, '\0');
    return root;
}

void check_template(std::string_view template_text, const Field& view_fields, std::string_view template_name) {
    Checker(template_text, view_fields, template_name).run();
}

}  // namespace impact::report
