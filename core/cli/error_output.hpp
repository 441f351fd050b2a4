// How `impact` reports a failure on stderr: the text line, or one impact.error/1 JSON object (--error-format json).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impact::cli {

enum class ErrorFormat { text, json };

// What kind of failure ended the command; impact.error/1's "code" (docs/schemas/README.md).
enum class FailureKind {
    usage_error,         // the command line itself (CLI11): exit 2
    input_error,         // a scenario, data or quote file, a value, an unknown model: exit 2
    model_failed,        // a model could not produce a result: exit 3
    tolerance_exceeded,  // impact compare --tolerance: exit 4, the report is written
    internal_error,      // a bug in impact: exit 1
};

struct Failure {
    FailureKind kind = FailureKind::internal_error;
    int exit_code = 1;
    std::string message;  // one line, without the "impact: error: " that the text format puts first
    // The key when the caller knows it for certain (a plugin's input, host::CallError::input_key);
    // otherwise the key is what the message's wording establishes, if anything.
    std::optional<std::string> key{};
};

// The format asked for by `--error-format FORMAT` or `--error-format=FORMAT` among the arguments
// (program name excluded), looked for before CLI11 parses them so that its own errors come out in
// that format too. Arguments after a lone "--" are values, not options. Text unless "json" is given.
ErrorFormat error_format_in(const std::vector<std::string>& args);

// The failure as one impact.error/1 object on one line, without the newline.
std::string failure_json(const Failure& failure);

// Writes the failure on stderr as one line: "impact: error: MESSAGE" ("impact: internal error: "
// for an internal error; nothing for tolerance_exceeded, whose report says it) or the JSON object.
// Control characters and bytes that are not UTF-8 in the message are escaped (text::printable).
void print_failure(ErrorFormat format, const Failure& failure);

}  // namespace impact::cli
