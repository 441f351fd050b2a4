// Failures on stderr: the "impact: error: ..." line, or the same failure as one impact.error/1 JSON object.
#include "cli/error_output.hpp"

#include "io/json_output.hpp"
#include "text/error_message.hpp"
#include "text/printable.hpp"

#include <cstdio>

namespace impact::cli {
namespace {

const char* code_name(FailureKind kind) {
    switch (kind) {
    case FailureKind::usage_error: return "usage_error";
    case FailureKind::input_error: return "input_error";
    case FailureKind::model_failed: return "model_failed";
    case FailureKind::tolerance_exceeded: return "tolerance_exceeded";
    case FailureKind::internal_error: return "internal_error";
    }
    return "internal_error";
}

io::Json text_or_null(const std::optional<std::string>& text) {
    return text ? io::Json(*text) : io::Json(nullptr);
}

}  // namespace

ErrorFormat error_format_in(const std::vector<std::string>& args) {
    ErrorFormat format = ErrorFormat::text;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--") break;
        if (args[i] == "--error-format" && i + 1 < args.size()) {
            format = args[i + 1] == "json" ? ErrorFormat::json : ErrorFormat::text;
            ++i;
        } else if (args[i].rfind("--error-format=", 0) == 0) {
            format = args[i].substr(15) == "json" ? ErrorFormat::json : ErrorFormat::text;
        }
    }
    return format;
}

std::string failure_json(const Failure& failure) {
    // Parsed from the escaped line, so that every part is a substring of "message" and valid UTF-8.
    const std::string message = text::printable(failure.message);
    const text::ErrorMessageParts parts = text::parse_error_message(message);
    io::Json object;
    object["schema"] = "impact.error/1";
    object["code"] = code_name(failure.kind);
    object["exit_code"] = failure.exit_code;
    object["file"] = text_or_null(parts.file);
    object["line"] = parts.line ? io::Json(*parts.line) : io::Json(nullptr);
    object["column"] = parts.column ? io::Json(*parts.column) : io::Json(nullptr);
    object["key"] = failure.key ? io::Json(text::printable(*failure.key)) : text_or_null(parts.key);
    object["expected"] = text_or_null(parts.expected);
    object["found"] = text_or_null(parts.found);
    object["message"] = message;
    return object.dump();
}

void print_failure(ErrorFormat format, const Failure& failure) {
    if (format == ErrorFormat::json) {
        std::fprintf(stderr, "%s\n", failure_json(failure).c_str());
        return;
    }
    if (failure.kind == FailureKind::tolerance_exceeded) return;
    const char* prefix = failure.kind == FailureKind::internal_error ? "impact: internal error: " : "impact: error: ";
    std::fprintf(stderr, "%s%s\n", prefix, text::printable(failure.message).c_str());
}

}  // namespace impact::cli
