// A small strict JSON reader (RFC 8259) for tests that check the JSON the project writes.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace impact::test {

struct JsonMember;

// One parsed JSON value. Objects keep their members in document order (keys are unique: the
// reader refuses duplicates). Every value knows its path from the root, such as
// `$.steps[0].outputs`, and accessors that do not fit the value throw std::runtime_error
// naming that path.
class JsonValue {
public:
    using Array = std::vector<JsonValue>;
    using Object = std::vector<JsonMember>;
    using Data = std::variant<std::nullptr_t, bool, double, std::string, Array, Object>;

    JsonValue() = default;  // null at "$"
    JsonValue(Data data, std::string path) : data_(std::move(data)), path_(std::move(path)) {}

    bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(data_); }
    bool is_bool() const noexcept { return std::holds_alternative<bool>(data_); }
    bool is_number() const noexcept { return std::holds_alternative<double>(data_); }
    bool is_string() const noexcept { return std::holds_alternative<std::string>(data_); }
    bool is_array() const noexcept { return std::holds_alternative<Array>(data_); }
    bool is_object() const noexcept { return std::holds_alternative<Object>(data_); }

    bool as_bool() const;
    double as_number() const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;

    // Elements of an array or members of an object; throws for other values.
    std::size_t size() const;
    // Whether an object has `key`; throws for values that are not objects.
    bool contains(std::string_view key) const;
    // The member `key` of an object; throws naming the path when it is missing.
    const JsonValue& at(std::string_view key) const;
    // Element `index` of an array; throws naming the path when it is out of range.
    const JsonValue& operator[](std::size_t index) const;

    // Array iteration (throws for values that are not arrays).
    Array::const_iterator begin() const { return as_array().begin(); }
    Array::const_iterator end() const { return as_array().end(); }

    // "null", "boolean", "number", "string", "array" or "object".
    const char* type_name() const noexcept;
    // Where this value sits in its document: "$" for the root.
    const std::string& path() const noexcept { return path_; }
    const Data& data() const noexcept { return data_; }
    // Compact JSON text of this value, for test messages.
    std::string dump() const;

private:
    [[noreturn]] void wrong_type(const char* wanted) const;
    Data data_;
    std::string path_ = "$";
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

// Lets Catch print values in failed assertions.
std::ostream& operator<<(std::ostream& out, const JsonValue& value);

// A parse failure; what() names the byte offset, also given by offset().
class JsonParseError : public std::runtime_error {
public:
    JsonParseError(std::size_t offset, const std::string& message);
    std::size_t offset() const noexcept { return offset_; }

private:
    std::size_t offset_;
};

// Parses one JSON text per RFC 8259: exactly one value with optional whitespace around it. Strings
// must be valid UTF-8 without raw control characters; escapes (\uXXXX with surrogate pairs too)
// become UTF-8. Numbers follow the RFC grammar (no leading zeros, '+', bare '.', hex, NaN) and must
// fit a double without becoming infinite or zero. Refused as well: trailing commas, duplicate keys,
// a byte-order mark, nesting deeper than 256, anything after the value. Throws JsonParseError.
JsonValue parse_json(std::string_view text);

}  // namespace impact::test
