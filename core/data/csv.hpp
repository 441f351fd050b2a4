// A small CSV reader (RFC 4180 quoting) that remembers where every cell came from.
#pragma once

#include "io/input_file.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impact::data {

// A cell's text is a view into its table (the file's bytes, or a decoded copy of a quoted cell
// with "" in it or text after its closing quote): valid as long as the CsvTable, also after the table is moved. 24 bytes, so a
// 500-column panel of 2,500 days is 30 MB of cells rather than twice that.
struct CsvCell {
    std::string_view text;
    std::uint32_t line = 0;    // 1-based
    std::uint32_t column = 0;  // 1-based byte column where the cell starts
};

struct CsvTable {
    std::filesystem::path file;
    std::vector<CsvCell> header;
    std::vector<std::vector<CsvCell>> rows;
    // What the cells view: the text parsed, and decoded quoted cells. Each behind its own pointer,
    // so that moving the table moves no byte a cell points at.
    std::unique_ptr<const std::string> content;
    std::vector<std::unique_ptr<const std::string>> decoded;

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

// Parses text already in memory (the table keeps it); `file` and `key` are only used in messages.
CsvTable parse_csv(std::string text, const std::filesystem::path& file, std::string_view key = {});

}  // namespace impact::data
