// The strict JSON reader of json_reader.hpp: a recursive-descent parser over the bytes of RFC 8259.
#include "support/json_reader.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <system_error>

namespace impact::test {

namespace {

// `text` as a JSON string literal: quotes, backslashes and control characters escaped.
std::string quoted(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += hex[static_cast<unsigned char>(c) >> 4];
                out += hex[static_cast<unsigned char>(c) & 0xf];
            } else {
                out += c;
            }
        }
    }
    return out + '"';
}

// The path of member `key` of the value at `parent`: `$.name`, or `$["odd key"]`.
std::string member_path(const std::string& parent, std::string_view key) {
    const auto plain = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    bool simple = !key.empty() && !(key.front() >= '0' && key.front() <= '9');
    for (const char c : key) simple = simple && plain(c);
    return simple ? parent + "." + std::string(key) : parent + "[" + quoted(key) + "]";
}

std::string number_text(double number) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number);
    return std::string(buffer.data(), result.ptr);
}

void dump_to(std::string& out, const JsonValue& value) {
    const auto& data = value.data();
    if (std::holds_alternative<std::nullptr_t>(data)) {
        out += "null";
    } else if (const bool* flag = std::get_if<bool>(&data)) {
        out += *flag ? "true" : "false";
    } else if (const double* number = std::get_if<double>(&data)) {
        out += number_text(*number);
    } else if (const std::string* text = std::get_if<std::string>(&data)) {
        out += quoted(*text);
    } else if (const JsonValue::Array* array = std::get_if<JsonValue::Array>(&data)) {
        out += '[';
        for (std::size_t i = 0; i < array->size(); ++i) {
            if (i != 0) out += ',';
            dump_to(out, (*array)[i]);
        }
        out += ']';
    } else {
        const auto& object = std::get<JsonValue::Object>(data);
        out += '{';
        for (std::size_t i = 0; i < object.size(); ++i) {
            if (i != 0) out += ',';
            out += quoted(object[i].key);
            out += ':';
            dump_to(out, object[i].value);
        }
        out += '}';
    }
}

constexpr std::size_t max_depth = 256;

class Parser {
public:
    explicit Parser(std::string_view text) : text_(text) {}

    JsonValue document() {
        if (text_.substr(0, 3) == "\xEF\xBB\xBF") fail(0, "a byte-order mark is not allowed");
        JsonValue root = value("$", 0);
        skip_whitespace();
        if (pos_ != text_.size()) fail(pos_, "unexpected " + describe(pos_) + " after the JSON value");
        return root;
    }

private:
    [[noreturn]] static void fail(std::size_t offset, const std::string& message) { throw JsonParseError(offset, message); }

    // The byte at `offset` as a message shows it.
    std::string describe(std::size_t offset) const {
        if (offset >= text_.size()) return "end of input";
        const auto byte = static_cast<unsigned char>(text_[offset]);
        if (byte >= 0x20 && byte < 0x7f) return std::string("'") + static_cast<char>(byte) + "'";
        static constexpr char hex[] = "0123456789ABCDEF";
        return std::string("byte 0x") + hex[byte >> 4] + hex[byte & 0xf];
    }

    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }

    void skip_whitespace() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
    }

    JsonValue value(const std::string& path, std::size_t depth) {
        skip_whitespace();
        if (at_end()) fail(pos_, "unexpected end of input where a value was expected");
        switch (peek()) {
        case '{': return object(path, depth + 1);
        case '[': return array(path, depth + 1);
        case '"': return JsonValue(string_value(), path);
        case 't': return literal("true", true, path);
        case 'f': return literal("false", false, path);
        case 'n': return literal("null", nullptr, path);
        default:
            if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return JsonValue(number(), path);
            fail(pos_, "unexpected " + describe(pos_) + " where a value was expected");
        }
    }

    JsonValue literal(std::string_view word, JsonValue::Data data, const std::string& path) {
        if (text_.substr(pos_, word.size()) != word) fail(pos_, "invalid literal; expected " + std::string(word));
        pos_ += word.size();
        return JsonValue(std::move(data), path);
    }

    void enter(std::size_t depth) const {
        if (depth > max_depth) fail(pos_, "nesting deeper than " + std::to_string(max_depth) + " levels");
    }

    JsonValue object(const std::string& path, std::size_t depth) {
        enter(depth);
        ++pos_;  // '{'
        JsonValue::Object members;
        skip_whitespace();
        if (peek() == '}') {
            ++pos_;
            return JsonValue(std::move(members), path);
        }
        while (true) {
            skip_whitespace();
            if (peek() != '"') {
                if (peek() == '}' && !members.empty()) fail(pos_, "trailing comma before '}'");
                fail(pos_, "expected a string key but found " + describe(pos_));
            }
            const std::size_t key_offset = pos_;
            std::string key = string_value();
            for (const JsonMember& m : members)
                if (m.key == key) fail(key_offset, "duplicate key " + quoted(key) + " in the object at " + path);
            skip_whitespace();
            if (peek() != ':') fail(pos_, "expected ':' after key " + quoted(key) + " but found " + describe(pos_));
            ++pos_;
            JsonValue member = value(member_path(path, key), depth);
            members.push_back({std::move(key), std::move(member)});
            skip_whitespace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return JsonValue(std::move(members), path);
            }
            fail(pos_, "expected ',' or '}' in the object at " + path + " but found " + describe(pos_));
        }
    }

    JsonValue array(const std::string& path, std::size_t depth) {
        enter(depth);
        ++pos_;  // '['
        JsonValue::Array elements;
        skip_whitespace();
        if (peek() == ']') {
            ++pos_;
            return JsonValue(std::move(elements), path);
        }
        while (true) {
            skip_whitespace();
            if (peek() == ']' && !elements.empty()) fail(pos_, "trailing comma before ']'");
            elements.push_back(value(path + "[" + std::to_string(elements.size()) + "]", depth));
            skip_whitespace();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return JsonValue(std::move(elements), path);
            }
            fail(pos_, "expected ',' or ']' in the array at " + path + " but found " + describe(pos_));
        }
    }

    // number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT )
    double number() {
        const std::size_t start = pos_;
        const auto digit = [this] { return !at_end() && peek() >= '0' && peek() <= '9'; };
        const auto digits = [&](const char* after) {
            if (!digit()) fail(pos_, std::string("expected a digit after ") + after + " but found " + describe(pos_));
            while (digit()) ++pos_;
        };
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
            if (digit()) fail(start, "leading zeros are not allowed in numbers");
        } else {
            digits(pos_ == start ? "the start of a number" : "'-'");
        }
        if (peek() == '.') {
            ++pos_;
            digits("'.'");
        }
        if (peek() == 'e' || peek() == 'E') {
            ++pos_;
            if (peek() == '+' || peek() == '-') ++pos_;
            digits("the exponent mark");
        }
        double result = 0;
        const char* first = text_.data() + start;
        const char* last = text_.data() + pos_;
        const auto [end, error] = std::from_chars(first, last, result);
        if (error == std::errc::result_out_of_range)
            fail(start, "number " + std::string(first, last) + " is out of range for a double");
        if (error != std::errc() || end != last || !std::isfinite(result))
            fail(start, "number " + std::string(first, last) + " could not be converted");
        return result;
    }

    unsigned hex4() {
        if (text_.size() - pos_ < 4) fail(pos_, "expected 4 hex digits after \\u");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_];
            unsigned digit = 0;
            if (c >= '0' && c <= '9') digit = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') digit = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') digit = static_cast<unsigned>(c - 'A' + 10);
            else fail(pos_, "expected 4 hex digits after \\u but found " + describe(pos_));
            code = code * 16 + digit;
            ++pos_;
        }
        return code;
    }

    static void append_utf8(std::string& out, std::uint32_t code) {
        const auto byte = [](std::uint32_t b) { return static_cast<char>(static_cast<unsigned char>(b)); };
        if (code < 0x80) {
            out += byte(code);
        } else if (code < 0x800) {
            out += byte(0xC0 | (code >> 6));
            out += byte(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += byte(0xE0 | (code >> 12));
            out += byte(0x80 | ((code >> 6) & 0x3F));
            out += byte(0x80 | (code & 0x3F));
        } else {
            out += byte(0xF0 | (code >> 18));
            out += byte(0x80 | ((code >> 12) & 0x3F));
            out += byte(0x80 | ((code >> 6) & 0x3F));
            out += byte(0x80 | (code & 0x3F));
        }
    }

    // After a backslash: one escape, appended to `out` as UTF-8.
    void escape(std::string& out) {
        const std::size_t backslash = pos_ - 1;
        if (at_end()) fail(pos_, "end of input inside an escape");
        const char c = text_[pos_++];
        switch (c) {
        case '"': out += '"'; return;
        case '\\': out += '\\'; return;
        case '/': out += '/'; return;
        case 'b': out += '\b'; return;
        case 'f': out += '\f'; return;
        case 'n': out += '\n'; return;
        case 'r': out += '\r'; return;
        case 't': out += '\t'; return;
        case 'u': break;
        default: fail(backslash, "invalid escape: a backslash followed by " + describe(pos_ - 1));
        }
        std::uint32_t code = hex4();
        if (code >= 0xDC00 && code <= 0xDFFF) fail(backslash, "low surrogate without a high surrogate before it");
        if (code >= 0xD800 && code <= 0xDBFF) {
            if (text_.substr(pos_, 2) != "\\u") fail(backslash, "high surrogate not followed by a \\u low surrogate");
            pos_ += 2;
            const std::uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail(backslash, "high surrogate not followed by a low surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(out, code);
    }

    // A raw UTF-8 sequence starting with `lead` (>= 0x80) at pos_ - 1, validated and copied.
    void utf8_sequence(std::string& out, unsigned char lead) {
        const std::size_t start = pos_ - 1;
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0) low = 0xA0;   // no overlong forms
            if (lead == 0xED) high = 0x9F;  // no UTF-16 surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0) low = 0x90;   // no overlong forms
            if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
        } else {
            fail(start, "invalid UTF-8 lead " + describe(start) + " in a string");
        }
        for (std::size_t i = 1; i < length; ++i) {
            if (at_end()) fail(pos_, "end of input inside a UTF-8 sequence");
            const auto byte = static_cast<unsigned char>(text_[pos_]);
            const unsigned char min = i == 1 ? low : 0x80, max = i == 1 ? high : 0xBF;
            if (byte < min || byte > max) fail(start, "invalid UTF-8 sequence in a string");
            ++pos_;
        }
        out.append(text_.substr(start, length));
    }

    std::string string_value() {
        const std::size_t open = pos_;
        ++pos_;  // '"'
        std::string out;
        while (true) {
            if (at_end()) fail(pos_, "end of input inside the string that starts at byte " + std::to_string(open));
            const auto byte = static_cast<unsigned char>(text_[pos_++]);
            if (byte == '"') return out;
            if (byte == '\\') escape(out);
            else if (byte < 0x20) fail(pos_ - 1, "unescaped control character " + describe(pos_ - 1) + " in a string");
            else if (byte < 0x80) out += static_cast<char>(byte);
            else utf8_sequence(out, byte);
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

void JsonValue::wrong_type(const char* wanted) const {
    throw std::runtime_error("JSON " + path_ + " is " + type_name() + ", not " + wanted);
}

const char* JsonValue::type_name() const noexcept {
    switch (data_.index()) {
    case 0: return "null";
    case 1: return "a boolean";
    case 2: return "a number";
    case 3: return "a string";
    case 4: return "an array";
    default: return "an object";
    }
}

bool JsonValue::as_bool() const {
    if (!is_bool()) wrong_type("a boolean");
    return std::get<bool>(data_);
}

double JsonValue::as_number() const {
    if (!is_number()) wrong_type("a number");
    return std::get<double>(data_);
}

const std::string& JsonValue::as_string() const {
    if (!is_string()) wrong_type("a string");
    return std::get<std::string>(data_);
}

const JsonValue::Array& JsonValue::as_array() const {
    if (!is_array()) wrong_type("an array");
    return std::get<Array>(data_);
}

const JsonValue::Object& JsonValue::as_object() const {
    if (!is_object()) wrong_type("an object");
    return std::get<Object>(data_);
}

std::size_t JsonValue::size() const {
    if (is_array()) return std::get<Array>(data_).size();
    if (is_object()) return std::get<Object>(data_).size();
    wrong_type("an array or an object");
}

bool JsonValue::contains(std::string_view key) const {
    for (const JsonMember& m : as_object())
        if (m.key == key) return true;
    return false;
}

const JsonValue& JsonValue::at(std::string_view key) const {
    const Object& object = as_object();
    for (const JsonMember& m : object)
        if (m.key == key) return m.value;
    std::string keys;
    for (const JsonMember& m : object) keys += (keys.empty() ? "" : ", ") + quoted(m.key);
    throw std::runtime_error("JSON " + path_ + " has no key " + quoted(key) + " (keys: " + (keys.empty() ? "none" : keys) +
                             ")");
}

const JsonValue& JsonValue::operator[](std::size_t index) const {
    const Array& array = as_array();
    if (index >= array.size())
        throw std::runtime_error("JSON " + path_ + " has " + std::to_string(array.size()) + " elements; no index " +
                                 std::to_string(index));
    return array[index];
}

std::string JsonValue::dump() const {
    std::string out;
    dump_to(out, *this);
    return out;
}

std::ostream& operator<<(std::ostream& out, const JsonValue& value) { return out << value.dump(); }

JsonParseError::JsonParseError(std::size_t offset, const std::string& message)
    : std::runtime_error("JSON parse error at byte " + std::to_string(offset) + ": " + message), offset_(offset) {}

JsonValue parse_json(std::string_view text) { return Parser(text).document(); }

}  // namespace impact::test
