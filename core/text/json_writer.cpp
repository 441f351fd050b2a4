// JSON writing: escaping per RFC 8259, shortest round-trip numbers via fmt.
#include "text/json_writer.hpp"

#include "text/printable.hpp"

#include <fmt/format.h>

#include <cmath>

namespace impact::text {

std::string JsonWriter::quote(std::string_view raw) {
    // JSON text is UTF-8 (RFC 8259, section 8.1): stray bytes become U+FFFD, never raw.
    const std::string text = valid_utf8(raw);
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20)
                out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            else
                out += c;  // valid UTF-8 passes through unchanged
        }
    }
    return out + "\"";
}

void JsonWriter::newline() {
    out_ += '\n';
    out_.append(stack_.size() * 2, ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!stack_.empty()) {
        if (!stack_.back().empty) out_ += ',';
        stack_.back().empty = false;
        newline();
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    out_ += '{';
    stack_.push_back({true});
    return *this;
}
JsonWriter& JsonWriter::close(char bracket) {
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_ += bracket;
    return *this;
}
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() {
    before_value();
    out_ += '[';
    stack_.push_back({false});
    return *this;
}
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    out_ += quote(name);
    out_ += ": ";
    after_key_ = true;
    return *this;
}
JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    out_ += quote(text);
    return *this;
}
JsonWriter& JsonWriter::value(double number) {
    before_value();
    out_ += std::isfinite(number) ? fmt::format("{}", number) : "null";
    return *this;
}
JsonWriter& JsonWriter::value(long long number) {
    before_value();
    out_ += fmt::format("{}", number);
    return *this;
}
JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    out_ += flag ? "true" : "false";
    return *this;
}
JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

}  // namespace impact::text
