// The error for bad user input (command-line values, files): one line that says where and what.
#pragma once

#include <stdexcept>
#include <string>

namespace impact {

// Bad input from the user; the command line maps it to exit code 2. The message is one
// line: location first ("rates.csv:4:12: " or "amount: "), then what was expected and found.
class UserError : public std::runtime_error {
public:
    // what() is a C string: a NUL quoted from the input (a CSV cell, a TOML key) would cut the
    // message short there, so it is written as \x00. Other control characters are escaped where
    // the message is printed (text::printable).
    explicit UserError(const std::string& message) : std::runtime_error(without_nul(message)) {}
    explicit UserError(const char* message) : std::runtime_error(message) {}

private:
    static std::string without_nul(const std::string& message) {
        if (message.find('\0') == std::string::npos) return message;
        std::string out;
        out.reserve(message.size() + 8);
        for (char c : message) c == '\0' ? out += "\\x00" : out += c;
        return out;
    }
};

}  // namespace impact
