// Mustache rendering of a report view: the JSON view becomes mstch's context, escaped for the format.
#include "report/mustache.hpp"

#include <mstch/mstch.hpp>

namespace impact::report {

namespace {

// mstch HTML-escapes every {{name}} itself. For Markdown the values are escaped here, before
// mstch sees them, and its HTML escaping is undone by rendering with a template whose {{name}}
// tags were turned into {{{name}}} (see render_template).
std::string escape_markdown(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
            case '|': case '*': case '_': case '`': case '[': case ']': case '<': case '>': case '\\': case '~':
                out += '\\';
                out += c;
                break;
            case '#':
                if (i == 0) out += '\\';
                out += c;
                break;
            default:
                // A line break (\n, \r) would end the table row; no control character belongs in a cell.
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) out += ' ';
                else out += c;
        }
    }
    return out;
}

mstch::node to_node(const View& value, Escaping escaping) {
    switch (value.type()) {
        case View::value_t::null: return std::string();  // an empty cell, never the text "null"
        case View::value_t::boolean: return value.get<bool>();
        case View::value_t::string: {
            const std::string& s = value.get_ref<const std::string&>();
            return escaping == Escaping::markdown ? escape_markdown(s) : s;
        }
        case View::value_t::number_integer:
        case View::value_t::number_unsigned:
        case View::value_t::number_float: return value.dump();
        case View::value_t::array: {
            mstch::array items;
            items.reserve(value.size());
            for (const View& item : value) items.push_back(to_node(item, escaping));
            return items;
        }
        case View::value_t::object: {
            mstch::map members;
            for (auto it = value.begin(); it != value.end(); ++it) members.emplace(it.key(), to_node(it.value(), escaping));
            return members;
        }
        default: return std::string();
    }
}

// "{{name}}" -> "{{{name}}}" outside other tag kinds, so that mstch does not HTML-escape text that
// the Markdown escaping already made safe.
std::string unescaped_variables(std::string_view template_text) {
    std::string out;
    out.reserve(template_text.size() + 64);
    std::size_t from = 0;
    for (std::size_t open = template_text.find("{{"); open != std::string_view::npos; open = template_text.find("{{", from)) {
        out.append(template_text.substr(from, open - from));
        const std::size_t close = template_text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            from = open;
            break;
        }
        const std::string_view inside = template_text.substr(open + 2, close - open - 2);
        const char first = inside.empty() ? '\0' : inside.front();
        const bool plain = first != '{' && first != '#' && first != '^' && first != '/' && first != '!' &&
                           first != '>' && first != '&' && first != '=';
        if (plain) {
            out += "{{{";
            out.append(inside);
            out += "}}}";
        } else {
            out.append(template_text.substr(open, close + 2 - open));
        }
        from = close + 2;
    }
    out.append(template_text.substr(from));
    return out;
}

}  // namespace

std::string render_template(std::string_view template_text, const View& view, Escaping escaping) {
    const mstch::node context = to_node(view, escaping);
    if (escaping == Escaping::html) return mstch::render(std::string(template_text), context);
    return mstch::render(unescaped_variables(template_text), context);
}

}  // namespace impact::report
