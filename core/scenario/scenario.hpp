// A scenario as written in its TOML file: data sources and steps, each value with its position.
#pragma once

#include "io/input_file.hpp"
#include "isolation/isolated_plugin.hpp"

#include <impact/sdk/impact_plugin.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace impact::scenario {

// Where something was written: "file:line:column". Every value of a scenario keeps one, so the
// file name is shared rather than copied into each (a 60,000-step file has ~500,000 of them).
struct SourcePos {
    std::shared_ptr<const std::string> file;
    uint32_t line = 0;
    uint32_t column = 0;
    std::string str() const;
};

// A value as written, before it is matched to a model input's kind.
struct Scalar {
    std::variant<double, std::string> value;  // TOML number, or string such as "5.5B USD"
    std::string as_written() const;
};
struct DateLiteral {
    impact_date_days days = 0;
};
struct NumberList {
    std::vector<double> values;  // window = [0, 1]
};
struct Reference {
    std::string step;    // { from = "h20.one_off_charges" }
    std::string output;
};
struct DataReference {
    std::string data_id;  // { data = "nvda" }
};
// { low = "12B USD", high = "15B USD" [, base = ...] }: evaluated at low, base and high.
struct Range {
    Scalar low;
    std::optional<Scalar> base;  // default: the midpoint of low and high
    Scalar high;
    SourcePos low_pos, base_pos, high_pos;
};

// One parameter of a distribution as written: `low = "12B USD"`, or a list such as
// `values = ["0 USD", "32B USD"]` (then `list` holds each element and its position).
struct DistributionParam {
    std::string name;
    std::vector<Scalar> list;          // one element unless is_list
    std::vector<SourcePos> list_pos;   // where each element was written
    bool is_list = false;
    SourcePos pos;                     // of the value (the list's '[' for a list)
};

// { dist = "triangular", low = "12B USD", mode = "13.5B USD", high = "15B USD" }: drawn per
// Monte Carlo draw, and at its point value (`base`, else the median) otherwise. The parameters
// are checked against the input's unit and the distribution's rules by the runner, which knows
// the input (docs/scenarios.md, "Distributions").
struct DistributionSpec {
    std::string dist;  // "uniform", "triangular", "pert", "normal", "lognormal", "discrete", "bernoulli"
    SourcePos dist_pos;
    SourcePos pos;     // of the inline table
    std::vector<DistributionParam> params;  // in the order written, without `dist`

    const DistributionParam* find(std::string_view name) const noexcept {
        for (const auto& p : params)
            if (p.name == name) return &p;
        return nullptr;
    }
};

// Ranges and distributions are held by pointer: they are the largest value forms and the
// rarest, and every input of every step carries a ValueSpec.
using ValueSpec = std::variant<Scalar, DateLiteral, NumberList, Reference, DataReference, std::shared_ptr<const Range>,
                               std::shared_ptr<const DistributionSpec>>;

// The range a value is, or nullptr.
inline const Range* as_range(const ValueSpec& value) noexcept {
    const auto* range = std::get_if<std::shared_ptr<const Range>>(&value);
    return range ? range->get() : nullptr;
}
// The distribution a value is, or nullptr.
inline const DistributionSpec* as_distribution(const ValueSpec& value) noexcept {
    const auto* dist = std::get_if<std::shared_ptr<const DistributionSpec>>(&value);
    return dist ? dist->get() : nullptr;
}

struct InputSpec {
    std::string key;
    ValueSpec value;
    SourcePos pos;
    bool from_command_line = false;  // set by apply_overrides (--set)
};

// "the number 5", "\"60%\"", "a range", ...: how a message or report names a value as written.
std::string describe_value(const ValueSpec& value);

// One --set STEP.INPUT=VALUE, kept so that reports list every value the file did not say.
struct Override {
    std::string step;
    std::string input;
    std::string value_as_written;       // VALUE as given
    SourcePos pos;                      // names the --set
    std::optional<SourcePos> replaced;  // where the file wrote the value it replaces, if it did
    // That value as written (60%) or described (describe_value); or, for an input the step
    // does not write but [scenario] gives (as_of, currency), "the scenario's as_of, 2025-04-16".
    std::string replaced_value;
};

// expr = "h20.total_impact + tariff.margin_hit": a step computed by the host from earlier
// outputs and its own inputs (scenario/formula_step.cpp) instead of by a model.
struct FormulaSpec {
    std::string expression;
    // Where the expression's first character was written. When it was written on one line
    // without escapes, character N of the expression is N columns further (`at`).
    SourcePos start;
    bool columns_exact = false;
    std::optional<std::string> unit;  // unit = "USD", "%" or ""
    SourcePos unit_pos;

    SourcePos at(std::size_t offset) const {
        SourcePos pos = start;
        if (columns_exact) pos.column += static_cast<uint32_t>(offset);
        return pos;
    }
};

// thresholds = { total_impact = { above = ["5.5B USD", "8B USD"] } }: for each, the report
// gives the share of draws beyond it (P(X > t) or P(X < t)).
struct Threshold {
    std::string output;   // output key of the step
    bool above = true;    // false: below
    Scalar value;         // as written; converted to the output's unit by the runner
    SourcePos pos;
};

struct Step {
    std::string id;
    // compare = "name": reports put this step's outputs beside those of the other steps of that
    // group (a reserved key, like id and model).
    std::string compare_group;
    SourcePos compare_pos;
    std::string model;                   // empty for a formula step
    std::shared_ptr<const FormulaSpec> formula;  // set for a formula step (held by pointer: most steps have none)
    SourcePos pos;        // of the [[step]] table
    SourcePos model_pos;  // of its model key
    std::vector<InputSpec> inputs;
    std::vector<Threshold> thresholds;  // `thresholds` table of the step
    SourcePos thresholds_pos;
};

// [[correlation]]: a Spearman rank-correlation matrix over drawn inputs, applied through a
// Gaussian copula (docs/scenarios.md, "Correlation").
struct Correlation {
    std::vector<std::string> inputs;      // "step.input"
    std::vector<SourcePos> input_pos;
    std::vector<double> matrix;           // n x n, row-major, as written
    std::vector<SourcePos> matrix_pos;    // of each entry
    SourcePos pos;                        // of the table
};

// [[case]]: a named set of input values (bear, base, bull), evaluated with `impact run --cases`.
struct CaseValue {
    std::string step;
    std::string input;
    ValueSpec value;
    SourcePos pos;
};
struct Case {
    std::string name;
    std::string description;
    std::vector<CaseValue> values;
    SourcePos pos;
};

// [[actual]]: a reported figure that an output of the scenario estimated, such as the charge a
// company later reported; reports put estimate and actual side by side.
struct Actual {
    std::string step, output;  // output = "step.output", split
    Scalar value;              // converted to the output's unit by the runner
    impact_date_days date = 0;
    std::string source;
    SourcePos pos, output_pos, value_pos;
};

// [data.<id>]: a dated series read from a CSV file by the host.
struct DataSource {
    std::string id;
    std::filesystem::path file;  // resolved against the scenario file's folder
    std::string file_as_written;
    std::string date_column = "date";
    std::string value_column;  // `value = "close"`: one series, labelled with the id
    // `columns = ["NVDA", "AMD"]` instead: one series per column, each labelled with its column's
    // name, read in one parse of the file (a panel of firms for stock.event_panel).
    std::vector<std::string> value_columns;
    std::vector<SourcePos> value_column_positions;
    SourcePos pos;
    SourcePos file_pos;
    SourcePos date_column_pos;
    SourcePos value_column_pos;
};

// [plugins] "org.impact.fx" = { version = "1.0.0", sha256 = "..." }: the scenario runs only with
// that plugin, at that version and/or with that file hash (docs/scenarios.md, "Plugin pins").
struct PluginPin {
    std::string plugin_id;
    std::optional<std::string> version;  // semver, compared as text
    std::optional<std::string> sha256;   // 64 lower-case hex digits (written in either case)
    SourcePos pos;                        // of the pin's key
    SourcePos version_pos, sha256_pos;
};

// headline = ["h20.total_impact", ...]: an output the reports put first, in their summary.
struct HeadlineOutput {
    std::string step, output;
    SourcePos pos;
};

struct Scenario {
    std::filesystem::path file;
    std::string name;
    std::string description;
    std::vector<HeadlineOutput> headline;  // [scenario] headline, in the order written; may be empty
    std::optional<impact_date_days> as_of;  // given to models with an `as_of` input
    std::optional<std::string> currency;    // given to models with a `currency` input
    std::vector<DataSource> data;
    std::vector<Step> steps;
    std::vector<Correlation> correlations;
    std::vector<Case> cases;
    std::vector<Actual> actuals;
    // [run] isolate: the least isolation this scenario accepts (--isolate may only go higher).
    std::optional<isolation::IsolationPolicy> isolate;
    std::vector<PluginPin> pins;  // [plugins], in the order written
    // Step id -> its position in `steps`, kept by read_scenario_file: references and the
    // duplicate-id check look steps up by id, and a scan per lookup made a run of n steps
    // cost O(n^2) string comparisons.
    std::unordered_map<std::string, std::size_t> step_index;
    std::string sha256;  // of the file's bytes, for provenance
    // The cap on this file and on its data files (--max-input-mb), in bytes.
    std::uint64_t max_input_bytes = io::kDefaultMaxInputBytes;

    std::vector<Override> overrides;  // --set, in the order given

    const DataSource* find_data(std::string_view id) const noexcept;
    const Step* find_step(std::string_view id) const noexcept;
};

// Reads and checks the structure of a scenario file. Throws UserError with file:line:column,
// the key, what was expected and what was found; refuses, unread, a file that is not a regular
// file or is larger than `max_input_bytes`, which the scenario keeps for its data files.
Scenario read_scenario_file(const std::filesystem::path& file, std::uint64_t max_input_bytes = io::kDefaultMaxInputBytes);

// Applies `impact run --set STEP.INPUT=VALUE` assignments, in order: VALUE replaces the input's
// value for this run, or adds it when the file does not give one. VALUE is read as a TOML value
// when it is one (1450, "5.5B USD", 2025-04-16, { low = "50%", high = "60%" }), else as the
// text written ("55%", "5.5B USD", "KRW"), and then checked like a value in the file, with
// positions naming the --set. Throws UserError for a malformed assignment, an unknown step or
// the same input set twice.
void apply_overrides(Scenario& scenario, const std::vector<std::string>& assignments);

}  // namespace impact::scenario
