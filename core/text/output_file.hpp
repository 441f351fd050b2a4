// Writing report files all-or-nothing: a failed run never leaves a partial file behind.
#pragma once

#include <filesystem>
#include <string_view>

namespace impact::text {

// Writes `content` to a temporary file beside `file`, then renames it over `file`, so readers
// see the old file or the whole new one. Throws UserError naming the file on failure (and
// removes the temporary).
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace impact::text
