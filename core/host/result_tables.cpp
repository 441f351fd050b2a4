// Copies and checks an instance's "impact.tables/1" tables (ABI 1.4) so reports never read plugin memory.
#include "host/result_tables.hpp"

#include "host/model.hpp"
#include "host/plugin_library.hpp"
#include "isolation/channel.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace impact::host {
namespace {

[[noreturn]] void broken(std::string_view model_id, const std::string& what) {
    throw CallError(IMPACT_STATUS_INTERNAL, fmt::format("model '{}': result {}", model_id, what));
}

// A NUL-terminated string of at most IMPACT_MAX_TEXT_BYTES valid UTF-8 bytes.
std::string copy_text(const char* text, std::string_view model_id, const std::string& where, bool may_be_null = false) {
    if (!text) {
        if (may_be_null) return {};
        broken(model_id, where + " is NULL");
    }
    const void* nul = std::memchr(text, '\0', IMPACT_MAX_TEXT_BYTES + 1);
    if (!nul) broken(model_id, fmt::format("{} is longer than IMPACT_MAX_TEXT_BYTES ({} bytes)", where, IMPACT_MAX_TEXT_BYTES));
    std::string out(text, static_cast<const char*>(nul));
    if (const std::size_t bad = text::invalid_utf8_at(out); bad != std::string::npos)
        broken(model_id, fmt::format("{} is not valid UTF-8 at byte {}", where, bad));
    return out;
}

std::string checked_key(const char* text, std::string_view model_id, const std::string& where) {
    std::string key = copy_text(text, model_id, where);
    if (!is_key(key))
        broken(model_id, fmt::format("{} '{}' is not [a-z][a-z0-9_]*", where, text::printable(key)));
    return key;
}

// cells_so_far: the cells of the tables copied before this one; this table's are added, and the
// total checked before any cell is copied (256 columns of a million rows in 64 tables would be 131 GB).
ResultTable copy_table(const impact_table& view, std::string_view model_id, uint32_t index, uint64_t& cells_so_far) {
    if (view.struct_size < IMPACT_SDK_END_OF(impact_table, row_count) || view.struct_size > IMPACT_MAX_DESCRIPTOR_SIZE)
        broken(model_id, fmt::format("table #{} has struct_size {}; expected {} (ABI 1.4) to {}", index,
                                     view.struct_size, IMPACT_SDK_END_OF(impact_table, row_count),
                                     IMPACT_MAX_DESCRIPTOR_SIZE));
    const std::string key = checked_key(view.key, model_id, fmt::format("table #{} key", index));
    const std::string where = fmt::format("table '{}'", key);
    ResultTable table(key, copy_text(view.label, model_id, where + " label"));
    table.description(copy_text(view.description, model_id, where + " description", true));
    if (view.column_count > 0 && !view.columns) broken(model_id, where + " has a NULL columns pointer");
    if (view.column_count == 0 || view.column_count > IMPACT_MAX_TABLE_COLUMNS)
        broken(model_id, fmt::format("{} has {} columns; 1 to {} are allowed", where, view.column_count,
                                     IMPACT_MAX_TABLE_COLUMNS));
    if (view.row_count > IMPACT_MAX_TABLE_ROWS)
        broken(model_id, fmt::format("{} has {} rows, more than IMPACT_MAX_TABLE_ROWS ({})", where, view.row_count,
                                     IMPACT_MAX_TABLE_ROWS));
    cells_so_far += view.row_count * view.column_count;
    if (cells_so_far > IMPACT_MAX_TABLE_CELLS)
        broken(model_id, fmt::format("tables hold more than IMPACT_MAX_TABLE_CELLS ({}) cells in all",
                                     IMPACT_MAX_TABLE_CELLS));
    const uint32_t stride = view.columns[0].struct_size;
    // Bounded and aligned, so stepping by it stays near the array and reads whole pointers.
    if (stride < IMPACT_SDK_END_OF(impact_table_column, texts) || stride > IMPACT_MAX_DESCRIPTOR_SIZE ||
        stride % alignof(impact_table_column) != 0)
        broken(model_id, fmt::format("{}: columns have struct_size {}; expected a multiple of {} from {} (ABI 1.4) "
                                     "to {}",
                                     where, stride, alignof(impact_table_column),
                                     IMPACT_SDK_END_OF(impact_table_column, texts), IMPACT_MAX_DESCRIPTOR_SIZE));
    const auto rows = static_cast<std::size_t>(view.row_count);
    for (uint32_t c = 0; c < view.column_count; ++c) {
        // The rule for arrays of growable structs: step by the first element's size.
        const impact_table_column& column = sdk::detail::element(view.columns, c);
        // Every element of an array of growable structs has the first one's size (ABI rules).
        if (column.struct_size != stride)
            broken(model_id, fmt::format("{} column #{} has struct_size {}, but column #0 has {}", where, c,
                                         column.struct_size, stride));
        const std::string column_key = checked_key(column.key, model_id, fmt::format("{} column #{} key", where, c));
        for (const auto& earlier : table.columns())
            if (earlier.key == column_key) broken(model_id, fmt::format("{} has two columns '{}'", where, column_key));
        const std::string named = fmt::format("{} column '{}'", where, column_key);
        const std::string label = copy_text(column.label, model_id, named + " label");
        const std::string unit = copy_text(column.unit, model_id, named + " unit", true);
        if (column.flags & ~IMPACT_COLUMN_MAY_BE_UNDEFINED)
            broken(model_id, fmt::format("{} has unknown flags {:#x}", named, column.flags & ~IMPACT_COLUMN_MAY_BE_UNDEFINED));
        if (column.kind == IMPACT_COLUMN_TEXT) {
            if (rows && !column.texts) broken(model_id, named + " has no texts");
            std::vector<std::string> cells;
            cells.reserve(rows);
            for (std::size_t r = 0; r < rows; ++r)
                cells.push_back(copy_text(column.texts[r], model_id, fmt::format("{} row {}", named, r)));
            table.text_column(column_key, label, std::move(cells));
        } else if (column.kind == IMPACT_COLUMN_NUMBER) {
            if (rows && !column.numbers) broken(model_id, named + " has no numbers");
            const bool may_be_undefined = (column.flags & IMPACT_COLUMN_MAY_BE_UNDEFINED) != 0;
            std::vector<double> cells(column.numbers, column.numbers + rows);
            if (!may_be_undefined)
                for (std::size_t r = 0; r < rows; ++r)
                    if (!std::isfinite(cells[r]))
                        throw CallError(IMPACT_STATUS_MODEL_FAILED,
                                        fmt::format("model '{}': result {} is {} in row {}: the model has no defined "
                                                    "value there (the column does not allow an undefined value)",
                                                    model_id, named, std::isnan(cells[r]) ? "NaN" : "infinite", r));
            table.number_column(column_key, label, unit, std::move(cells), may_be_undefined);
        } else {
            broken(model_id, fmt::format("{} has unknown kind {}", named, column.kind));
        }
    }
    return table;
}

}  // namespace

std::vector<ResultTable> read_result_tables(const impact_model_instance& instance, std::string_view model_id) {
    std::vector<ResultTable> out;
    if (!instance.get_extension) return out;
    const auto* tables = static_cast<const impact_tables_v1*>(instance.get_extension(&instance, IMPACT_TABLES_V1));
    if (!tables) return out;
    if (!tables->table_count || !tables->table) broken(model_id, "tables interface has a NULL function");
    const uint32_t count = tables->table_count(&instance);
    if (count > IMPACT_MAX_TABLES)
        broken(model_id, fmt::format("tables: {} of them, more than IMPACT_MAX_TABLES ({})", count, IMPACT_MAX_TABLES));
    uint64_t cells = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const impact_table* view = tables->table(&instance, i);
        if (!view) broken(model_id, fmt::format("table #{} is NULL though table_count is {}", i, count));
        ResultTable table = copy_table(*view, model_id, i, cells);
        for (const ResultTable& earlier : out)
            if (earlier.key() == table.key()) broken(model_id, fmt::format("tables: two named '{}'", table.key()));
        out.push_back(std::move(table));
    }
    return out;
}

void write_result_tables(isolation::PayloadWriter& out, const std::vector<ResultTable>& tables) {
    out.u32(static_cast<uint32_t>(tables.size()));
    for (const ResultTable& table : tables) {
        out.text(table.key());
        out.text(table.label());
        out.text(table.text());
        out.u32(static_cast<uint32_t>(table.columns().size()));
        out.u64(table.rows());
        for (const ResultTable::Column& column : table.columns()) {
            out.text(column.key);
            out.text(column.label);
            out.text(column.unit);
            out.u32(column.is_text ? 1u : 0u);
            out.u32(column.may_be_undefined ? 1u : 0u);
            if (column.is_text)
                for (const std::string& cell : column.texts) out.text(cell);
            else if (!column.numbers.empty())
                out.raw(column.numbers.data(), column.numbers.size() * sizeof(double));
        }
    }
}

std::vector<ResultTable> read_result_tables(isolation::PayloadReader& in) {
    const auto bounded = [](uint64_t value, uint64_t limit, const char* what) {
        if (value > limit) throw std::runtime_error(fmt::format("{} {} is over the limit {}", what, value, limit));
        return static_cast<std::size_t>(value);
    };
    std::vector<ResultTable> tables;
    const auto flag = [&in](const char* what) {
        const uint32_t value = in.u32();
        if (value > 1) throw std::runtime_error(fmt::format("{} flag {} is neither 0 nor 1", what, value));
        return value == 1;
    };
    uint64_t cells = 0;
    const std::size_t count = bounded(in.u32(), IMPACT_MAX_TABLES, "table count");
    for (std::size_t t = 0; t < count; ++t) {
        std::string key = in.text();
        std::string label = in.text();
        ResultTable table(std::move(key), std::move(label));
        table.description(in.text());
        const std::size_t columns = bounded(in.u32(), IMPACT_MAX_TABLE_COLUMNS, "column count");
        const std::size_t rows = bounded(in.u64(), IMPACT_MAX_TABLE_ROWS, "row count");
        cells += uint64_t{rows} * columns;
        bounded(cells, IMPACT_MAX_TABLE_CELLS, "cell count");
        for (std::size_t c = 0; c < columns; ++c) {
            std::string column_key = in.text();
            std::string column_label = in.text();
            std::string unit = in.text();
            const bool is_text = flag("text column");
            const bool may_be_undefined = flag("may-be-undefined");
            if (is_text) {
                std::vector<std::string> texts;
                texts.reserve(std::min<std::size_t>(rows, in.remaining() / sizeof(uint64_t)));
                for (std::size_t r = 0; r < rows; ++r) texts.push_back(in.text());
                table.text_column(std::move(column_key), std::move(column_label), std::move(texts));
            } else {
                if (in.remaining() / sizeof(double) < rows) throw std::runtime_error("truncated payload");
                std::vector<double> numbers(rows);
                if (rows) in.raw(numbers.data(), rows * sizeof(double));
                table.number_column(std::move(column_key), std::move(column_label), std::move(unit), std::move(numbers),
                                    may_be_undefined);
            }
        }
        tables.push_back(std::move(table));
    }
    return tables;
}

}  // namespace impact::host
