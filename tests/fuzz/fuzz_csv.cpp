// Fuzz target: the CSV reader (impact::data::parse_csv) on arbitrary bytes.
// Expected refusal: impact::UserError. Also checks what parse_csv promises of a table it returns.
#include "fuzz_support.hpp"

#include "data/csv.hpp"
#include "text/user_error.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = impact::fuzz::as_text(data, size);
    try {
        const impact::data::CsvTable table = impact::data::parse_csv(std::string(text), "fuzz.csv", "data.x");
        if (table.header.empty()) impact::fuzz::finding("a table has a header row");
        for (const auto& row : table.rows)
            if (row.size() != table.header.size())
                impact::fuzz::finding("every row has as many cells as the header",
                                      std::to_string(row.size()) + " vs " + std::to_string(table.header.size()));
        const auto check_position = [&](const impact::data::CsvCell& cell) {
            if (cell.line == 0 || cell.column == 0) impact::fuzz::finding("cell positions are 1-based", table.where(cell));
            if (cell.column > text.size() + 1) impact::fuzz::finding("a cell starts inside the text", table.where(cell));
        };
        for (const auto& cell : table.header) check_position(cell);
        for (const auto& row : table.rows)
            for (const auto& cell : row) check_position(cell);
    } catch (const impact::UserError&) {
        // A malformed file, refused with a message: expected.
    }
    return 0;
}
