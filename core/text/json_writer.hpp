// A small streaming JSON writer for the command line's --json output (no DOM needed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace impact::text {

// Writes compact-but-readable JSON (two-space indentation). Keys and values are added in
// order; numbers use the shortest text that reads back to the same double; NaN and
// infinities become null.
class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(double number);
    JsonWriter& value(int number) { return value(static_cast<long long>(number)); }
    JsonWriter& value(unsigned number) { return value(static_cast<long long>(number)); }
    JsonWriter& value(long long number);
    JsonWriter& value(bool flag);
    JsonWriter& null();

    // The document, with a final newline.
    std::string str() const { return out_ + "\n"; }

    static std::string quote(std::string_view text);

private:
    void before_value();
    JsonWriter& close(char bracket);
    void newline();
    std::string out_;
    struct Level {
        bool is_object;
        bool empty = true;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

}  // namespace impact::text
