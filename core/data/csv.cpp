// CSV reading with positions, so that every data error can point at its cell.
#include "data/csv.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>


namespace impact::data {

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i].text != name) continue;
        // Two columns of one name: taking either would be a guess, and a wrong guess is a
        // plausible wrong figure (the open prices used as closes).
        if (found)
            throw UserError(fmt::format("{}: column \"{}\" appears twice in the header (columns {} and {}); "
                                        "expected each column name once",
                                        where(header[i]), name, *found + 1, i + 1));
        found = i;
    }
    return found;
}

std::vector<std::string> CsvTable::header_names() const {
    std::vector<std::string> names;
    for (const CsvCell& cell : header) names.push_back(cell.text);
    return names;
}

std::string CsvTable::where(const CsvCell& cell) const {
    return fmt::format("{}:{}:{}", file.string(), cell.line, cell.column);
}

CsvTable read_csv(const std::filesystem::path& file, std::string_view key, std::uint64_t max_bytes) {
    return parse_csv(io::read_input_file(file, "file", max_bytes), file, key);
}

CsvTable parse_csv(std::string_view text, const std::filesystem::path& file, std::string_view key) {
    // "file:line:column: " then the key, when the caller gave one.
    const auto at = [&](std::size_t line, std::size_t column) {
        return key.empty() ? fmt::format("{}:{}:{}", file.string(), line, column)
                           : fmt::format("{}:{}:{}: {}", file.string(), line, column, key);
    };
    CsvTable table;
    table.file = file;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

    std::size_t pos = 0, line = 1, line_start = 0;
    std::vector<CsvCell> record;
    bool have_header = false;
    std::size_t record_line = 1;
    while (pos <= text.size()) {
        // One record.
        record.clear();
        record_line = line;
        bool blank = true;
        for (;;) {
            CsvCell cell;
            cell.line = line;
            cell.column = pos - line_start + 1;
            if (pos < text.size() && text[pos] == '"') {
                ++pos;
                for (;;) {
                    if (pos >= text.size())
                        throw UserError(fmt::format("{}: unterminated quoted field", at(cell.line, cell.column)));
                    if (text[pos] == '"') {
                        if (pos + 1 < text.size() && text[pos + 1] == '"') {
                            cell.text += '"';
                            pos += 2;
                            continue;
                        }
                        ++pos;
                        break;
                    }
                    if (text[pos] == '\n') {
                        ++line;
                        line_start = pos + 1;
                    }
                    cell.text += text[pos++];
                }
                blank = false;
            }
            while (pos < text.size() && text[pos] != ',' && text[pos] != '\n') cell.text += text[pos++];
            if (!cell.text.empty() && cell.text.back() == '\r') cell.text.pop_back();
            if (!cell.text.empty()) blank = false;
            record.push_back(std::move(cell));
            if (pos < text.size() && text[pos] == ',') {
                blank = false;
                ++pos;
                continue;
            }
            break;
        }
        const bool at_end = pos >= text.size();
        ++pos;  // past '\n' (or past the end)
        ++line;
        line_start = pos;
        if (!blank) {
            if (!have_header) {
                table.header = std::move(record);
                have_header = true;
            } else {
                if (record.size() != table.header.size())
                    throw UserError(fmt::format("{}: expected {} cells as in the header, found {}", at(record_line, 1),
                                                table.header.size(), record.size()));
                table.rows.push_back(std::move(record));
            }
        }
        if (at_end) break;
    }
    if (!have_header) throw UserError(fmt::format("{}: expected a header row, found an empty file", at(1, 1)));
    return table;
}

}  // namespace impact::data
