// A small CSV reader (RFC 4180 quoting) that remembers where every cell came from.
#pragma once

#include "io/input_file.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impact::data {

struct CsvCell {
    std::string text;
    std::size_t line = 0;    // 1-based
    std::size_t column = 0;  // 1-based byte column where the cell starts
};

struct CsvTable {
    std::filesystem::path file;
    std::vector<CsvCell> header;
    std::vector<std::vector<CsvCell>> rows;

    // Index of the header column named `name`, or nullopt. Throws UserError when two columns
    // have that name.
    std::optional<std::size_t> column(std::string_view name) const;
    // The header's column names, in order.
    std::vector<std::string> header_names() const;
    // "file:line:column" of a cell, for error messages.
    std::string where(const CsvCell& cell) const;
};

// Reads a whole file. Blank lines are skipped. Throws UserError with file:line:column (then
// `key`, when given, such as "data.nvda") when the file cannot be read, is empty, has an
// unterminated quote, or a row has the wrong number of cells; and, without reading it, when it is
// not a regular file (a FIFO, a device) or is larger than `max_bytes` (io/input_file.hpp).
CsvTable read_csv(const std::filesystem::path& file, std::string_view key = {},
                  std::uint64_t max_bytes = io::kDefaultMaxInputBytes);

// Parses text already in memory; `file` and `key` are only used in messages.
CsvTable parse_csv(std::string_view text, const std::filesystem::path& file, std::string_view key = {});

}  // namespace impact::data
