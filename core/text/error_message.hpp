// The parts of a one-line error message ("FILE:LINE:COLUMN: KEY: ... expected X, found Y") that its wording establishes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace impact::text {

// What a message says about where and what, each part only when the message has the standard
// shape for it (docs/schemas/README.md, "impact.error/1"); a part it does not establish is empty,
// never guessed. Every part is a substring of the message (line and column as numbers).
struct ErrorMessageParts {
    std::optional<std::string> file;
    std::optional<std::uint64_t> line;
    std::optional<std::uint64_t> column;
    std::optional<std::string> key;
    std::optional<std::string> expected;
    std::optional<std::string> found;
};

// Reads `message` (as UserError words it, see core/text/user_error.hpp):
// - file, line, column: a leading "FILE:LINE:COLUMN: ", FILE non-empty, LINE and COLUMN decimal
//   numbers from 1, ending at the first ": " (a file name may hold colons, but not ": ");
// - key: after that prefix, the name up to the next ": ", when it holds no space and no colon
//   ("step.h20.gross_margin", "plugins.\"org.impact.fx\".version"). Without a prefix only a
//   command-line option ("--rate: ") is a key: a leading "NAME: " may be a file there
//   ("prices.csv: is 300.0 MB ...") as well as a key ("amount: ..."), so it is left out;
// - expected, found: the text after the first "expected " (at the start of the rest or after a
//   space) up to the first ", found " after it, and everything after that, both only when the
//   message has both.
ErrorMessageParts parse_error_message(std::string_view message);

}  // namespace impact::text
