// The error for bad user input (command-line values, files): one line that says where and what.
#pragma once

#include <stdexcept>
#include <string>

namespace impact {

// Bad input from the user; the command line maps it to exit code 2. The message is one
// line: location first ("rates.csv:4:12: " or "amount: "), then what was expected and found.
class UserError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace impact
