// Reading a prepared instance's result tables ("impact.tables/1", ABI 1.4) into host-owned copies, checked.
#pragma once

#include <impact/sdk/impact_plugin.h>
#include <impact/sdk/plugin.hpp>

#include <string_view>
#include <vector>

namespace impact::host {

// The host's copy of one table: the SDK's value type (strings and vectors, nothing borrowed).
using ResultTable = sdk::Table;

// Every table `instance` offers through "impact.tables/1", copied and checked against the rules in
// impact_plugin.h: keys [a-z][a-z0-9_]*, unique; 1..IMPACT_MAX_TABLE_COLUMNS columns, at most
// IMPACT_MAX_TABLE_ROWS rows, IMPACT_MAX_TABLES tables; text valid UTF-8 of at most
// IMPACT_MAX_TEXT_BYTES; numbers finite unless the column may be undefined. Empty when the instance
// has no such interface (a plugin older than ABI 1.4 or one without tables). Throws CallError:
// IMPACT_STATUS_MODEL_FAILED for a non-finite number, IMPACT_STATUS_INTERNAL for a broken table;
// the message names the model, the table, the column and the row.
std::vector<ResultTable> read_result_tables(const impact_model_instance& instance, std::string_view model_id);

}  // namespace impact::host

namespace impact::isolation {
class PayloadWriter;
class PayloadReader;
}  // namespace impact::isolation

namespace impact::host {

// The tables through an isolated plugin's channel: the worker writes what read_result_tables()
// returned, the host reads them back (bounds-checked: throws std::runtime_error on a malformed
// payload) and offers them again through "impact.tables/1", where read_result_tables() checks
// them once more, since a worker is not trusted.
void write_result_tables(isolation::PayloadWriter& out, const std::vector<ResultTable>& tables);
std::vector<ResultTable> read_result_tables(isolation::PayloadReader& in);

}  // namespace impact::host
