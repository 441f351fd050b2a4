// Splits a one-line error message into position, key, expected and found, by its standard wording only.
#include "text/error_message.hpp"

#include <charconv>

namespace impact::text {
namespace {

// `text` as a decimal number of at least 1 that fits 64 bits, when it is nothing else.
std::optional<std::uint64_t> whole_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
    return value;
}

// A key as messages write it: one word, no space and no colon.
bool is_key_word(std::string_view word) {
    if (word.empty()) return false;
    for (char c : word)
        if (c == ' ' || c == '\t' || c == ':') return false;
    return true;
}

}  // namespace

ErrorMessageParts parse_error_message(std::string_view message) {
    ErrorMessageParts parts;
    std::string_view rest = message;

    // FILE:LINE:COLUMN: ends at the message's first ": ", so a file name may hold colons but not ": ".
    const std::size_t head_end = message.find(": ");
    const std::string_view head = message.substr(0, head_end == std::string_view::npos ? 0 : head_end);
    const std::size_t column_colon = head.rfind(':');
    const std::size_t line_colon = column_colon == std::string_view::npos || column_colon == 0
                                       ? std::string_view::npos
                                       : head.rfind(':', column_colon - 1);
    if (line_colon != std::string_view::npos && line_colon > 0) {
        const std::string_view line_text = head.substr(line_colon + 1, column_colon - line_colon - 1);
        const std::string_view column_text = head.substr(column_colon + 1);
        const auto line = whole_number(line_text);
        const auto column = whole_number(column_text);
        if (line && column) {
            parts.file = std::string(head.substr(0, line_colon));
            parts.line = *line;
            parts.column = *column;
            rest = message.substr(head_end + 2);
        }
    }

    const std::size_t key_end = rest.find(": ");
    if (key_end != std::string_view::npos) {
        const std::string_view word = rest.substr(0, key_end);
        const bool is_option = word.size() > 2 && word.substr(0, 2) == "--";
        if (is_key_word(word) && (parts.file || is_option)) {
            parts.key = std::string(word);
            rest = rest.substr(key_end + 2);
        }
    }

    for (std::size_t at = rest.find("expected "); at != std::string_view::npos; at = rest.find("expected ", at + 1)) {
        if (at != 0 && rest[at - 1] != ' ') continue;
        const std::size_t what_start = at + 9;
        const std::size_t found_at = rest.find(", found ", what_start);
        if (found_at == std::string_view::npos) break;
        parts.expected = std::string(rest.substr(what_start, found_at - what_start));
        parts.found = std::string(rest.substr(found_at + 8));
        break;
    }
    return parts;
}

}  // namespace impact::text
