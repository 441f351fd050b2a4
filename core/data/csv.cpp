// CSV reading with positions, so that every data error can point at its cell.
#include "data/csv.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>


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
    for (const CsvCell& cell : header) names.emplace_back(cell.text);
    return names;
}

std::string CsvTable::where(const CsvCell& cell) const {
    return fmt::format("{}:{}:{}", file.string(), cell.line, cell.column);
}

CsvTable read_csv(const std::filesystem::path& file, std::string_view key, std::uint64_t max_bytes) {
    return parse_csv(io::read_input_file(file, "file", max_bytes), file, key);
}

CsvTable parse_csv(std::string owned_text, const std::filesystem::path& file, std::string_view key) {
    // "file:line:column: " then the key, when the caller gave one.
    const auto at = [&](std::size_t line, std::size_t column) {
        return key.empty() ? fmt::format("{}:{}:{}", file.string(), line, column)
                           : fmt::format("{}:{}:{}: {}", file.string(), line, column, key);
    };
    CsvTable table;
    table.file = file;
    table.content = std::make_unique<const std::string>(std::move(owned_text));
    std::string_view text = *table.content;
    if (text.size() > std::numeric_limits<std::uint32_t>::max() - 1)  // positions fit 32 bits
        throw UserError(fmt::format("{}: the file is {} bytes; expected a CSV file under 4 GiB", at(1, 1), text.size()));
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

    // Where the unquoted part of a cell that goes on at `from` ends: its separator, or the end.
    const auto field_end = [&text](std::size_t from) { return std::min(text.find_first_of(",\n", from), text.size()); };
    std::size_t pos = 0, line = 1, line_start = 0;
    std::vector<CsvCell> record;
    bool have_header = false;
    std::size_t record_line = 1;
    while (pos <= text.size()) {
        // One record.
        record.clear();
        // A moved-from record has no capacity: give each row its width at once rather than growing
        // it cell by cell (a panel has hundreds of columns).
        if (have_header) record.reserve(table.header.size());
        record_line = line;
        bool blank = true;
        for (;;) {
            CsvCell cell;
            cell.line = static_cast<std::uint32_t>(line);
            cell.column = static_cast<std::uint32_t>(pos - line_start + 1);
            if (pos < text.size() && text[pos] == '"') {
                ++pos;
                const std::size_t content_start = pos;
                std::string decoded;            // the text with each "" made one ", when there is one
                std::size_t start = pos;        // where the part not yet in `decoded` starts
                bool escaped = false;
                for (;;) {
                    if (pos >= text.size())
                        throw UserError(fmt::format("{}: unterminated quoted field", at(cell.line, cell.column)));
                    if (text[pos] == '"') {
                        if (pos + 1 < text.size() && text[pos + 1] == '"') {
                            decoded.append(text.data() + start, pos + 1 - start);  // up to one '"'
                            pos += 2;
                            start = pos;
                            escaped = true;
                            continue;
                        }
                        break;
                    }
                    if (text[pos] == '\n') {
                        ++line;
                        line_start = pos + 1;
                    }
                    ++pos;
                }
                const std::size_t content_end = pos;
                ++pos;  // past the closing quote
                blank = false;
                // Anything between the closing quote and the separator joins the cell.
                const std::size_t rest_end = field_end(pos);
                const std::string_view rest = text.substr(pos, rest_end - pos);
                pos = rest_end;
                if (!escaped && (rest.empty() || rest == "\r")) {
                    // The usual quoted cell ("a, b" or a quoted number): viewed in place. One final
                    // '\r' of the cell is dropped, as for an unquoted cell: the CRLF's, or, with
                    // nothing after the quote, the quoted text's own last character.
                    std::string_view view = text.substr(content_start, content_end - content_start);
                    if (rest.empty() && !view.empty() && view.back() == '\r') view.remove_suffix(1);
                    cell.text = view;
                } else {
                    // "" inside, or text after the closing quote: a decoded copy the table keeps.
                    decoded.append(text.data() + start, content_end - start);
                    decoded.append(rest);
                    if (!decoded.empty() && decoded.back() == '\r') decoded.pop_back();
                    table.decoded.push_back(std::make_unique<const std::string>(std::move(decoded)));
                    cell.text = *table.decoded.back();
                }
            } else {
                // An unquoted cell: a view of the file's bytes up to the separator.
                const std::size_t end = field_end(pos);
                std::string_view view = text.substr(pos, end - pos);
                if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
                cell.text = view;
                pos = end;
            }
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
