// Text from input files and plugins made safe to print on a terminal, on one line.
#pragma once

#include <string>
#include <string_view>

namespace impact::text {

// `text` with every byte that could move the cursor, clear the screen or split a line shown
// as an escape: C0 controls and DEL as \n, \r, \t, \e or \xNN, C1 controls (U+0080..U+009F)
// as \u0080.., and bytes that are not valid UTF-8 as \xNN. A backslash stays a backslash.
// Printable UTF-8 (₩, 조) passes through unchanged. Every message, plugin name and note that
// reaches stdout or stderr goes through this, so a crafted scenario or plugin cannot forge
// output lines or send terminal control sequences.
std::string printable(std::string_view text);

// True when printable(text) == text.
bool is_printable(std::string_view text) noexcept;

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD, for formats that
// must be UTF-8 (JSON): a file name or a plugin note with stray bytes cannot make a report
// unreadable.
std::string valid_utf8(std::string_view text);

// Offset of the first byte that is not part of valid UTF-8 (RFC 3629), or npos.
std::size_t invalid_utf8_at(std::string_view text) noexcept;

}  // namespace impact::text
