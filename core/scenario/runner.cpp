// Scenario evaluation: literal units checked against input kinds, references, ranges, data series.
#include "scenario/runner.hpp"

#include "scenario/distribution_value.hpp"
#include "scenario/earlier_steps.hpp"
#include "scenario/formula_step.hpp"

#include "data/csv.hpp"
#include "io/sha256.hpp"
#include "text/printable.hpp"
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"
#include "uncertainty/distribution.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace impact::scenario {

std::string StepResult::skip_reason() const {
    if (failed_dependencies.size() == 1) return fmt::format("depends on step {}, which failed", failed_dependencies.front());
    return fmt::format("depends on steps {}, which failed", fmt::join(failed_dependencies, ", "));
}

void add_failed_roots(const StepResult& dependency, std::vector<std::string>& roots) {
    const auto add = [&](const std::string& id) {
        if (std::find(roots.begin(), roots.end(), id) == roots.end()) roots.push_back(id);
    };
    if (dependency.status == StepStatus::failed) add(dependency.id);
    for (const std::string& id : dependency.failed_dependencies) add(id);
}

const OutputResult* StepResult::find_output(std::string_view key) const noexcept {
    auto it = std::find_if(outputs.begin(), outputs.end(), [&](const OutputResult& o) { return o.key == key; });
    return it == outputs.end() ? nullptr : &*it;
}

namespace {

// One series of a loaded [data.<id>] table.
struct LoadedSeries {
    std::string label;  // the data id for `value`, the column's name for `columns`
    std::vector<double> values;
};
// Everything one [data.<id>] table gives: its dates, once, and one series for `value` or one per
// column for `columns`.
struct LoadedData {
    std::vector<impact_date_days> dates;
    std::vector<LoadedSeries> series;
};

// Values of one numeric batch input across the rows: low, base, high (equal when not a range).
struct RowValue {
    double low = 0, base = 0, high = 0;
    bool ranged = false;
};

[[noreturn]] void fail(const SourcePos& at, std::string_view key, std::string_view message) {
    throw UserError(fmt::format("{}: {}: {}", at.str(), key, message));
}

// The CSV file of `source`, read and parsed once per run however many [data.<id>] tables name it
// (a panel's firms and its market index are usually columns of one file).
using ParsedFiles = std::map<std::filesystem::path, data::CsvTable>;

const data::CsvTable& parsed_file(const DataSource& source, std::uint64_t max_input_bytes, ParsedFiles& files) {
    if (const auto it = files.find(source.file); it != files.end()) return it->second;
    const std::string key = "data." + source.id;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(source.file, ec))
        fail(source.file_pos, key + ".file",
             fmt::format("cannot read '{}' (resolved to {})", source.file_as_written, source.file.string()));
    return files.emplace(source.file, data::read_csv(source.file, key, max_input_bytes)).first->second;
}

LoadedData load_series(const DataSource& source, std::uint64_t max_input_bytes, ParsedFiles& files) {
    const std::string key = "data." + source.id;
    const data::CsvTable& table = parsed_file(source, max_input_bytes, files);
    const auto column_names = [&] { return fmt::format("{}", fmt::join(table.header_names(), ",")); };
    const auto date_column = table.column(source.date_column);
    if (!date_column)
        fail(source.date_column_pos, key + ".date",
             fmt::format("expected a column \"{}\" in {}, found columns {}", source.date_column, source.file.string(),
                         column_names()));
    // Each series' column in the file and its name as written (for messages about a value).
    struct Wanted {
        std::size_t column;
        std::string name;
    };
    std::vector<Wanted> wanted;
    LoadedData loaded;
    const auto want = [&](const std::string& name, const SourcePos& pos, const std::string& where, std::string label) {
        const auto column = table.column(name);
        if (!column)
            fail(pos, where, fmt::format("expected a column \"{}\" in {}, found columns {}", text::printable(name),
                                         source.file.string(), column_names()));
        wanted.push_back({*column, name});
        loaded.series.push_back(LoadedSeries{std::move(label), {}});
        loaded.series.back().values.reserve(table.rows.size());
    };
    if (source.value_columns.empty())
        want(source.value_column, source.value_column_pos, key + ".value", source.id);
    else
        for (std::size_t i = 0; i < source.value_columns.size(); ++i)
            want(source.value_columns[i], source.value_column_positions[i], key + ".columns", source.value_columns[i]);
    std::vector<impact_date_days>& dates = loaded.dates;
    dates.reserve(table.rows.size());
    for (const auto& row : table.rows) {
        const data::CsvCell& date_cell = row[*date_column];
        const auto date = text::parse_iso_date(date_cell.text);
        if (!date)
            throw UserError(fmt::format("{}: {}.{}: expected a date YYYY-MM-DD, found '{}'", table.where(date_cell), key,
                                        source.date_column, date_cell.text));
        if (!dates.empty() && *date <= dates.back())
            throw UserError(fmt::format("{}: {}.{}: expected dates in increasing order, found {} after {}",
                                        table.where(date_cell), key, source.date_column, date_cell.text,
                                        text::format_iso_date(dates.back())));
        dates.push_back(*date);
        for (std::size_t s = 0; s < wanted.size(); ++s) {
            const data::CsvCell& value_cell = row[wanted[s].column];
            double value = 0;
            try {
                value = text::parse_amount(value_cell.text, key + "." + wanted[s].name);
            } catch (const UserError& e) {
                throw UserError(fmt::format("{}: {}", table.where(value_cell), e.what()));
            }
            loaded.series[s].values.push_back(value);
        }
    }
    if (dates.empty())
        fail(source.file_pos, key + ".file", fmt::format("expected data rows in {}, found none", source.file.string()));
    return loaded;
}

// Replaces "{name}" in a unit with the text input `name`; unresolved placeholders stay.
std::string resolve_unit(std::string_view unit, const std::map<std::string, std::string>& texts) {
    return host::resolve_unit_placeholders(unit, [&](std::string_view key) -> const std::string* {
        const auto it = texts.find(std::string(key));
        return it == texts.end() ? nullptr : &it->second;
    });
}

// "{from}" -> "from"; "" when the unit is not a single placeholder.
std::string placeholder_name(std::string_view unit) {
    if (unit.size() > 2 && unit.front() == '{' && unit.back() == '}' && unit.find('{', 1) == std::string_view::npos)
        return std::string(unit.substr(1, unit.size() - 2));
    return {};
}

std::string describe_unit(const host::InputInfo& in, const std::string& resolved) {
    switch (in.kind) {
    case IMPACT_KIND_MONEY:
        return resolved.empty() || resolved.front() == '{' ? "an amount of money such as \"5.5B USD\""
                                                           : fmt::format("an amount in {} such as \"5.5B {}\"", resolved, resolved);
    case IMPACT_KIND_PERCENT: return "a percentage such as \"60%\" or \"25bp\"";
    default: return resolved.empty() ? std::string("a number") : fmt::format("a number in {}", resolved);
    }
}

// How a report names where a written value came from: the file, or an override.
std::string written_origin(const InputSpec& spec) { return spec.from_command_line ? "--set" : "scenario"; }

// Units a number input accepts as written: its own ("years"), or its singular ("1 year").
bool number_unit_fits(std::string_view written, std::string_view declared) {
    if (written.empty() || written == declared) return true;
    return !declared.empty() && declared.back() == 's' && written == declared.substr(0, declared.size() - 1);
}

class StepRunner {
public:
    StepRunner(const Scenario& scenario, const Step& step, const host::Model& model, const EarlierSteps& earlier,
               const std::map<std::string, LoadedData>& series_cache, const RunOptions& options)
        : scenario_(scenario), step_(step), model_(model), info_(model.info()), earlier_(earlier),
          series_cache_(series_cache), options_(options) {}

    // Filled by run() when the options keep plans.
    StepPlan plan;

    StepResult run(RunMode mode) {
        expand_and_match();
        settle_texts();
        host::PreparedValues prepared;
        result_.inputs.reserve(info_.inputs.size());
        result_.outputs.reserve(info_.outputs.size());
        std::vector<const host::InputInfo*> columns = info_.row_inputs();
        std::vector<RowValue> rows(columns.size());
        std::vector<bool> given(columns.size(), false);
        std::vector<ColumnSource> sources(columns.size());
        bool deferred = false;  // a prepared input waits for an earlier step's value

        for (Matched& m : matched_) {
            const host::InputInfo& in = *m.input;
            const std::string key = "step." + step_.id + "." + in.key;
            InputUsed used{in.key, in.label, std::string(host::kind_name(in.kind)), std::nullopt, {}, m.origin};
            if (in.is_numeric()) {
                const std::string unit = resolve_unit(in.unit, texts_);
                RowValue value = numeric(m, unit);
                if (value.ranged && in.prepared)
                    fail(m.pos, key, "expected one value: this input is fixed per model instance, so it cannot be a range");
                if (m.distribution && in.prepared)
                    fail(m.pos, key,
                         "expected one value: this input is fixed per model instance, so it cannot be a distribution");
                // Checked here too, so that validate (which does not evaluate) catches it.
                // A value from a failed step has none to check: the step is skipped below.
                if (!(m.pending && mode == RunMode::validate) && !m.blocked) check_bounds(in, value, m);
                if (m.pending && in.prepared) deferred = true;
                used.number = RangedValue{value.base, value.ranged ? std::optional(value.low) : std::nullopt,
                                          value.ranged ? std::optional(value.high) : std::nullopt,
                                          in.kind == IMPACT_KIND_PERCENT ? "%" : unit};
                used.distribution = m.distribution_written;
                used.distribution_note = m.distribution_note;
                if (in.prepared) {
                    prepared.set_number(in.key, value.base);
                    if (m.earlier)
                        plan.fixed_references.push_back(
                            FixedReference{step_.id + "." + in.key, m.pos, m.earlier->first, m.earlier->second});
                } else {
                    const auto col = static_cast<std::size_t>(
                        std::find(columns.begin(), columns.end(), &in) - columns.begin());
                    rows[col] = value;
                    given[col] = true;
                    sources[col] = column_source(m, value);
                }
            } else if (in.kind == IMPACT_KIND_TEXT) {
                prepared.set_text(in.key, texts_.at(in.key));
                used.text = texts_.at(in.key);
            } else if (in.kind == IMPACT_KIND_DATE) {
                const impact_date_days days = date(m);
                prepared.set_date(in.key, days);
                used.text = text::format_iso_date(days);
            } else if (in.kind == IMPACT_KIND_SERIES) {
                const auto* ref = std::get_if<DataReference>(m.spec);
                if (!ref) fail(m.pos, key, "expected a data reference such as { data = \"nvda\" }, found another value");
                const DataSource* source = scenario_.find_data(ref->data_id);
                if (!source) {
                    std::vector<std::string> ids;
                    for (const auto& d : scenario_.data) ids.push_back(d.id);
                    fail(m.pos, key, fmt::format("expected the id of a [data.<id>] table ({}), found \"{}\"",
                                                 ids.empty() ? "none defined" : fmt::format("{}", fmt::join(ids, ", ")),
                                                 ref->data_id));
                }
                // run_scenario loaded every [data.<id>] table before any step ran.
                const LoadedData& loaded = series_cache_.at(source->id);
                for (const LoadedSeries& series : loaded.series)
                    prepared.add_series(in.key, series.label, loaded.dates, series.values);
                const std::string span = fmt::format("{}..{}", text::format_iso_date(loaded.dates.front()),
                                                     text::format_iso_date(loaded.dates.back()));
                if (source->value_columns.empty()) {
                    used.text = fmt::format("{} ({} points, {})", source->id, loaded.dates.size(), span);
                } else {
                    // Up to eight names: enough to recognise the panel; the count says the rest.
                    std::vector<std::string> names;
                    for (std::size_t i = 0; i < loaded.series.size() && i < 8; ++i)
                        names.push_back(text::printable(loaded.series[i].label));
                    used.text = fmt::format("{} ({} series: {}{}; {} points each, {})", source->id, loaded.series.size(),
                                            fmt::join(names, ", "), loaded.series.size() > 8 ? ", ..." : "",
                                            loaded.dates.size(), span);
                }
            }
            result_.inputs.push_back(std::move(used));
        }
        // Batch inputs not given: their defaults, or a clear error when required. One optional per
        // row (ABI 1.3) is NaN in every row instead, and the model learns at prepare time that it
        // was left out (so validate refuses what run would); the report lists no value for it.
        for (std::size_t c = 0; c < columns.size(); ++c) {
            if (given[c]) continue;
            const host::InputInfo& in = *columns[c];
            if (in.optional_row) {
                rows[c] = RowValue{std::nan(""), std::nan(""), std::nan(""), false};
                sources[c] = ColumnSource{ColumnSource::Kind::fixed, std::nan(""), nullptr, 0, 0, step_.id + "." + in.key,
                                          step_.pos, {}};
                prepared.leave_out_row_input(in.key);
                continue;
            }
            if (!in.default_number)
                fail(step_.pos, "step." + step_.id + "." + in.key,
                     fmt::format("expected input '{}' ({}) for model {}, found none", in.key, in.label, info_.id));
            rows[c] = RowValue{*in.default_number, *in.default_number, *in.default_number, false};
            sources[c] = ColumnSource{ColumnSource::Kind::fixed, *in.default_number, nullptr, 0, 0,
                                      step_.id + "." + in.key, step_.pos, {}};
            result_.inputs.push_back(default_used(in));
        }
        for (const host::InputInfo& in : info_.inputs) {
            if (in.is_row_input() || prepared.has(in.key)) continue;
            if (in.required && !in.default_number && !in.default_text)
                fail(step_.pos, "step." + step_.id + "." + in.key,
                     fmt::format("expected input '{}' ({}) for model {}, found none", in.key, in.label, info_.id));
            // The host gives the model this default; the report says so.
            if (in.default_number || in.default_text) result_.inputs.push_back(default_used(in));
        }

        result_.id = step_.id;
        result_.model_id = info_.id;
        result_.model_version = info_.version;
        result_.plugin_id = model_.plugin().id;
        result_.plugin_version = model_.plugin().version;
        result_.ranged = std::any_of(rows.begin(), rows.end(), [](const RowValue& r) { return r.ranged; });
        if (!blocked_by_.empty()) {
            // --keep-going: a value it takes comes from a failed step. Checked like a validated
            // step (so its output units are known to the steps below), neither prepared nor run.
            result_.status = StepStatus::skipped;
            result_.failed_dependencies = std::move(blocked_by_);
            for (const auto& out : info_.outputs)
                result_.outputs.push_back(OutputResult{out.key, out.label, RangedValue{std::nan(""), {}, {}, resolve_unit(out.unit, texts_)}, out.direction});
            return std::move(result_);
        }
        if (mode == RunMode::validate && deferred) {
            // Its values come from earlier steps, which validation does not evaluate.
            for (const auto& out : info_.outputs)
                result_.outputs.push_back(OutputResult{out.key, out.label, RangedValue{0, {}, {}, resolve_unit(out.unit, texts_)}, out.direction});
            return std::move(result_);
        }

        if (options_.keep_plans) {
            plan.prepared = std::make_shared<const host::PreparedValues>(prepared.copy());
            plan.model = model_;
            plan.thread_safety = info_.thread_safety;
            for (const auto& out : info_.outputs) {
                plan.output_keys.push_back(out.key);
                plan.output_may_be_undefined.push_back(out.may_be_undefined);
            }
            if (options_.cases) fill_cases(columns, sources);
            plan.columns = std::move(sources);
        }
        std::shared_ptr<const host::ModelInstance> shared_instance;
        try {
            shared_instance = std::make_shared<const host::ModelInstance>(model_.prepare(std::move(prepared)));
        } catch (const host::CallError& e) {
            if (!options_.keep_going || e.is_input_error()) rethrow_with_position(e);
            return failed(positioned_message(e), nullptr);
        }
        const host::ModelInstance& instance = *shared_instance;
        if (options_.keep_plans) plan.instance = shared_instance;
        result_.notes = instance.notes();
        try {
            result_.tables = instance.tables();
        } catch (const host::CallError& e) {
            if (!options_.keep_going) rethrow_with_position(e);
            return failed(positioned_message(e), nullptr);
        }
        for (sdk::Table& table : result_.tables)
            for (sdk::Table::Column& column : table.columns()) column.unit = instance.resolve_unit(column.unit);
        if (mode == RunMode::validate) {
            for (const auto& out : info_.outputs)
                result_.outputs.push_back(OutputResult{out.key, out.label, RangedValue{0, {}, {}, instance.resolve_unit(out.unit)}, out.direction});
            return std::move(result_);
        }
        const std::size_t n_rows = result_.ranged ? 3 : 1;
        std::vector<double> inputs(n_rows * columns.size());
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const RowValue& v = rows[c];
            if (n_rows == 1) {
                inputs[c] = v.base;
            } else {
                inputs[0 * columns.size() + c] = v.low;
                inputs[1 * columns.size() + c] = v.base;
                inputs[2 * columns.size() + c] = v.high;
            }
        }
        std::vector<double> outputs(n_rows * info_.outputs.size());
        try {
            instance.evaluate(inputs, outputs);
        } catch (const host::CallError& e) {
            if (!options_.keep_going || e.is_input_error()) rethrow_with_position(e);
            return failed(positioned_message(e), &instance);
        }
        const std::size_t width = info_.outputs.size();
        for (std::size_t o = 0; o < width; ++o) {
            const auto& out = info_.outputs[o];
            RangedValue value{outputs[n_rows == 1 ? o : width + o], {}, {}, instance.resolve_unit(out.unit)};
            // NaN equals NaN here: an output undefined at all three rows has no range to show.
            const auto differs = [](double a, double b) { return !(a == b || (std::isnan(a) && std::isnan(b))); };
            if (n_rows == 3 && (differs(outputs[o], value.value) || differs(outputs[2 * width + o], value.value))) {
                value.low = outputs[o];
                value.high = outputs[2 * width + o];
            }
            result_.outputs.push_back(OutputResult{out.key, out.label, value, out.direction});
        }
        return std::move(result_);
    }

private:
    // --keep-going: the step's model failed with `message`; its outputs keep their keys and units
    // (for the steps below, which are skipped) and have no value.
    StepResult failed(std::string message, const host::ModelInstance* instance) {
        result_.status = StepStatus::failed;
        result_.failure = std::move(message);
        result_.outputs.clear();
        for (const auto& out : info_.outputs) {
            const std::string unit = instance ? instance->resolve_unit(out.unit) : resolve_unit(out.unit, texts_);
            result_.outputs.push_back(OutputResult{out.key, out.label, RangedValue{std::nan(""), {}, {}, unit}, out.direction});
        }
        return std::move(result_);
    }

    struct Matched {
        const host::InputInfo* input;
        const ValueSpec* spec;  // nullptr when the value comes from the scenario header
        SourcePos pos;
        std::string origin;
        double number_from_list = 0;  // for window = [a, b] split into window_start/window_end
        bool from_list = false;
        bool pending = false;  // set while resolving a reference in validate mode
        bool blocked = false;  // a reference to a step that failed or was skipped (--keep-going)
        std::shared_ptr<const uncertainty::Distribution> distribution{};  // a drawn value
        std::string distribution_written{};                                // as InputUsed::distribution
        std::string distribution_note{};
        std::optional<std::pair<std::size_t, std::size_t>> earlier{};      // a reference: (step, output) positions
    };

    // Matches every written key to an input; [a, b] for K fills K_start and K_end.
    void expand_and_match() {
        for (const InputSpec& spec : step_.inputs) {
            const std::string key = "step." + step_.id + "." + spec.key;
            if (const auto* list = std::get_if<NumberList>(&spec.value)) {
                const host::InputInfo* start = info_.find_input(spec.key + "_start");
                const host::InputInfo* end = info_.find_input(spec.key + "_end");
                if (!start || !end || info_.find_input(spec.key))
                    fail(spec.pos, key,
                         fmt::format("expected a single value (arrays [a, b] fill inputs {0}_start and {0}_end, which "
                                     "model {1} does not have), found an array",
                                     spec.key, info_.id));
                if (list->values.size() != 2)
                    fail(spec.pos, key, fmt::format("expected two numbers [start, end], found {}", list->values.size()));
                add(start, nullptr, spec.pos, written_origin(spec), list->values[0]);
                add(end, nullptr, spec.pos, written_origin(spec), list->values[1]);
                continue;
            }
            const host::InputInfo* in = info_.find_input(spec.key);
            if (!in) {
                std::vector<std::string> keys;
                for (const auto& i : info_.inputs) keys.push_back(i.key);
                fail(spec.pos, key, fmt::format("model {} has no input '{}'; its inputs are {}", info_.id, spec.key,
                                                fmt::join(keys, ", ")));
            }
            const auto* ref = std::get_if<Reference>(&spec.value);
            add(in, &spec.value, spec.pos,
                ref ? fmt::format("step {}.{}{}", ref->step, ref->output, spec.from_command_line ? " (--set)" : "")
                    : written_origin(spec));
        }
        // The scenario header gives `currency` and `as_of` to models that take them.
        if (const host::InputInfo* in = info_.find_input("currency");
            in && in->kind == IMPACT_KIND_TEXT && scenario_.currency && !find_matched(in->key))
        {
            texts_["currency"] = *scenario_.currency;
            header_currency_ = true;
        }
        if (const host::InputInfo* in = info_.find_input("as_of");
            in && in->kind == IMPACT_KIND_DATE && scenario_.as_of && !find_matched(in->key))
            matched_.push_back(Matched{in, nullptr, step_.pos, "scenario.as_of"});
    }

    void add(const host::InputInfo* in, const ValueSpec* spec, const SourcePos& pos, const std::string& origin,
             std::optional<double> list_value = std::nullopt) {
        if (const Matched* first = find_matched(in->key))
            fail(pos, "step." + step_.id + "." + in->key, fmt::format("given twice (first at {})", first->pos.str()));
        Matched m{in, spec, pos, origin};
        if (list_value) {
            m.from_list = true;
            m.number_from_list = *list_value;
        }
        matched_.push_back(m);
    }

    const Matched* find_matched(std::string_view key) const {
        for (const Matched& m : matched_)
            if (m.input->key == key) return &m;
        return nullptr;
    }

    // Text inputs: as written, else from the header, else the currency a money value carries
    // (amount = "5.5B USD" or a reference to a USD output sets `from` = USD), else the default.
    void settle_texts() {
        for (const Matched& m : matched_) {
            if (m.input->kind != IMPACT_KIND_TEXT) continue;
            const auto* scalar = m.spec ? std::get_if<Scalar>(m.spec) : nullptr;
            const auto* text = scalar ? std::get_if<std::string>(&scalar->value) : nullptr;
            if (!text)
                fail(m.pos, "step." + step_.id + "." + m.input->key,
                     fmt::format("expected text such as \"KRW\", found {}", m.spec ? describe_value(*m.spec) : "nothing"));
            texts_[m.input->key] = *text;
        }
        for (const Matched& m : matched_) {
            if (m.input->kind != IMPACT_KIND_MONEY) continue;
            const std::string placeholder = placeholder_name(m.input->unit);
            if (placeholder.empty()) continue;
            const auto currency = currency_carried(m);
            if (!currency) continue;
            const auto it = texts_.find(placeholder);
            if (it == texts_.end()) {
                texts_[placeholder] = *currency;
                inferred_.push_back(placeholder);
            } else if (it->second != *currency) {
                const bool inferred = std::find(inferred_.begin(), inferred_.end(), placeholder) != inferred_.end();
                const std::string source = find_matched(placeholder) ? fmt::format("the input '{}'", placeholder)
                                           : inferred                ? std::string("another money input")
                                                                     : std::string("the scenario currency");
                fail(m.pos, "step." + step_.id + "." + m.input->key,
                     fmt::format("expected an amount in {} ({}), found {}", it->second, source, *currency));
            }
        }
        for (const auto& in : info_.inputs)
            if (in.kind == IMPACT_KIND_TEXT && !texts_.count(in.key) && in.default_text) texts_[in.key] = *in.default_text;
        // Inferred and header texts go to the model like written ones.
        for (const auto& in : info_.inputs) {
            if (in.kind != IMPACT_KIND_TEXT || find_matched(in.key) || !texts_.count(in.key)) continue;
            const bool inferred = std::find(inferred_.begin(), inferred_.end(), in.key) != inferred_.end();
            const bool from_header = in.key == "currency" && header_currency_ && !inferred;
            if (inferred || from_header)
                matched_.push_back(Matched{&in, nullptr, step_.pos, inferred ? "inferred from a money value" : "scenario.currency"});
        }
    }

    // The currency code a money value is written in, or the unit of the output it refers to.
    std::optional<std::string> currency_carried(const Matched& m) const {
        if (!m.spec) return std::nullopt;
        std::vector<const Scalar*> scalars;
        if (const auto* s = std::get_if<Scalar>(m.spec)) scalars.push_back(s);
        if (const Range* r = as_range(*m.spec)) {
            scalars.push_back(&r->low);
            scalars.push_back(&r->high);
            if (r->base) scalars.push_back(&*r->base);
        }
        if (const DistributionSpec* d = as_distribution(*m.spec))
            for (const DistributionParam& p : d->params)
                if (in_input_unit(p.name))
                    for (const Scalar& s : p.list) scalars.push_back(&s);
        if (const auto* ref = std::get_if<Reference>(m.spec)) {
            const StepResult& target = referenced_step(m, *ref);
            const OutputResult& output = referenced_output(m, target, *ref);
            if (text::is_currency_code(output.value.unit)) return output.value.unit;
            fail(m.pos, "step." + step_.id + "." + m.input->key,
                 fmt::format("expected an amount of money, found {}.{} in '{}'", ref->step, ref->output, output.value.unit));
        }
        std::optional<std::string> found;
        for (const Scalar* s : scalars) {
            const auto* text = std::get_if<std::string>(&s->value);
            if (!text) continue;
            const text::Quantity q = quantity(*text, m);
            if (!text::is_currency_code(q.unit)) continue;
            if (found && *found != q.unit)
                fail(m.pos, "step." + step_.id + "." + m.input->key,
                     fmt::format("expected one currency in {}, found {} and {}", describe_value(*m.spec), *found, q.unit));
            found = q.unit;
        }
        return found;
    }

    text::Quantity quantity(const std::string& written, const Matched& m) const {
        try {
            return text::parse_quantity(written, m.input->key);
        } catch (const UserError& e) {
            throw UserError(fmt::format("{}: step.{}.{}", m.pos.str(), step_.id, e.what()));
        }
    }

    // How the report lists an input the model gets its default for.
    InputUsed default_used(const host::InputInfo& in) const {
        InputUsed used{in.key, in.label, std::string(host::kind_name(in.kind)), std::nullopt, {}, "default"};
        if (in.default_number)
            used.number = RangedValue{*in.default_number, std::nullopt, std::nullopt, resolve_unit(in.unit, texts_)};
        else
            used.text = in.default_text.value_or("");
        return used;
    }

    // Where the value of row `row` (0 low, 1 base, 2 high) of a ranged input was written, and
    // how to name it; the input's own position and "" when it is not a range literal.
    std::pair<SourcePos, std::string> row_origin(const Matched& m, int64_t row, bool ranged) const {
        if (!ranged || row < 0 || row > 2) return {m.pos, ""};
        static constexpr const char* names[] = {" as the range's low", " as the range's base", " as the range's high"};
        if (const Range* r = m.spec ? as_range(*m.spec) : nullptr) {
            const SourcePos& at = row == 0 ? r->low_pos : row == 2 ? r->high_pos : (r->base ? r->base_pos : m.pos);
            return {at, row == 1 && !r->base ? " as the range's base (the midpoint of low and high)" : names[row]};
        }
        return {m.pos, names[row]};
    }

    // The model's declared bounds (inclusive or exclusive), for each of low, base and high,
    // reported where that end of the range was written.
    void check_bounds(const host::InputInfo& in, const RowValue& v, const Matched& m) const {
        const auto shown = [&](double x) {
            return in.kind == IMPACT_KIND_PERCENT ? fmt::format("{} ({}%)", x, x * 100) : fmt::format("{}", x);
        };
        const double values[] = {v.low, v.base, v.high};
        for (int64_t row = 0; row < 3; ++row) {
            const double value = values[row];
            const auto [at, which] = row_origin(m, row, v.ranged);
            if (!std::isfinite(value)) {
                // Only a reference can carry one: an output its model may leave undefined.
                const auto* ref = m.spec ? std::get_if<Reference>(m.spec) : nullptr;
                const std::string origin =
                    ref ? fmt::format(": {}.{} is undefined for its inputs (its model declares that it may be)",
                                      ref->step, ref->output)
                        : std::string();
                fail(at, "step." + step_.id + "." + in.key,
                     fmt::format("must be a finite number, found {}{}{} ({})", value, which, origin, info_.id));
            }
            const auto problem = host::bound_violation(in, value);
            if (!problem) continue;
            // Bounds print as the model declared them; percent inputs also as percentages.
            const auto space = problem->find(' ');
            const std::string relation = problem->substr(0, space);
            const double bound = relation.front() == '>' ? *in.min_value : *in.max_value;
            fail(at, "step." + step_.id + "." + in.key,
                 fmt::format("must be {} {}, found {}{} ({})", relation, shown(bound), shown(value), which, info_.id));
        }
    }

    // One scalar converted to the input's kind and unit.
    double scalar_value(const Scalar& scalar, const Matched& m, const std::string& unit, const SourcePos& at) const {
        const host::InputInfo& in = *m.input;
        const std::string key = "step." + step_.id + "." + in.key;
        if (const double* number = std::get_if<double>(&scalar.value)) {
            if (in.kind == IMPACT_KIND_PERCENT)
                fail(at, key, fmt::format("expected {}, found the number {} (write \"{}%\" or \"{}bp\" to say which)",
                                          describe_unit(in, unit), *number, *number, *number));
            return *number;
        }
        const std::string& written = std::get<std::string>(scalar.value);
        const text::Quantity q = quantity(written, m);
        const std::string mismatch = fmt::format("expected {}, found \"{}\"", describe_unit(in, unit), written);
        switch (in.kind) {
        case IMPACT_KIND_PERCENT:
            if (q.unit == "%") return q.value / 100;
            if (q.unit == "bp") return q.value / 10'000;
            fail(at, key, mismatch);
        case IMPACT_KIND_MONEY:
            if (q.unit.empty()) return q.value;
            if (!text::is_currency_code(q.unit) || (unit.front() != '{' && q.unit != unit)) fail(at, key, mismatch);
            return q.value;
        default:
            if (!number_unit_fits(q.unit, unit)) fail(at, key, mismatch);
            return q.value;
        }
    }

    RowValue numeric(Matched& m, const std::string& unit) {
        const std::string key = "step." + step_.id + "." + m.input->key;
        if (m.from_list) return RowValue{m.number_from_list, m.number_from_list, m.number_from_list, false};
        if (!m.spec) fail(m.pos, key, "expected a number");
        if (const auto* s = std::get_if<Scalar>(m.spec)) {
            const double v = scalar_value(*s, m, unit, m.pos);
            return RowValue{v, v, v, false};
        }
        if (const Range* r = as_range(*m.spec)) {
            RowValue v;
            v.low = scalar_value(r->low, m, unit, r->low_pos);
            v.high = scalar_value(r->high, m, unit, r->high_pos);
            v.base = r->base ? scalar_value(*r->base, m, unit, r->base_pos) : (v.low + v.high) / 2;
            v.ranged = true;
            if (!(v.low <= v.base && v.base <= v.high))
                fail(m.pos, key, fmt::format("expected low <= base <= high, found low {}, base {}, high {}", v.low, v.base, v.high));
            return v;
        }
        if (const DistributionSpec* dist = as_distribution(*m.spec)) {
            const double point = drawn(m, *dist, unit);
            return RowValue{point, point, point, false};
        }
        if (const auto* ref = std::get_if<Reference>(m.spec)) {
            const StepResult& target = referenced_step(m, *ref);
            const OutputResult& output = referenced_output(m, target, *ref);
            const std::string expected_unit = m.input->kind == IMPACT_KIND_PERCENT ? "%" : unit;
            const bool fits = output.value.unit == expected_unit ||
                              (m.input->kind == IMPACT_KIND_NUMBER && (expected_unit.empty() || output.value.unit.empty()));
            if (!fits)
                fail(m.pos, key, fmt::format("expected {}, found {}.{} in '{}'", describe_unit(*m.input, expected_unit),
                                             ref->step, ref->output, output.value.unit));
            m.pending = true;  // its value exists only once the earlier step has been evaluated
            if (!target.ok()) {
                m.blocked = true;
                add_failed_roots(target, blocked_by_);
            }
            m.earlier = std::pair{*earlier_.position(target.id),
                                  static_cast<std::size_t>(&output - target.outputs.data())};
            const RangedValue& v = output.value;
            return RowValue{v.low.value_or(v.value), v.value, v.high.value_or(v.value), v.low.has_value()};
        }
        fail(m.pos, key, fmt::format("expected {}, found {}", describe_unit(*m.input, unit), describe_value(*m.spec)));
    }

    // A distribution: its parameters in the input's unit, checked; the input's declared bounds
    // applied (docs/scenarios.md, "Distributions"). Sets m.distribution and returns the point value.
    double drawn(Matched& m, const DistributionSpec& spec, const std::string& unit) {
        const host::InputInfo& in = *m.input;
        const std::string key = "step." + step_.id + "." + in.key;
        DrawnValue value = read_distribution(
            spec, key, &in, [&](const Scalar& scalar, const SourcePos& at) { return scalar_value(scalar, m, unit, at); });
        m.distribution = std::move(value.distribution);
        m.distribution_written = std::move(value.written);
        m.distribution_note = std::move(value.note);
        return m.distribution->point_value();
    }

    // A column's source for the simulation.
    ColumnSource column_source(const Matched& m, const RowValue& value) const {
        ColumnSource source;
        source.value = value.base;
        source.name = step_.id + "." + m.input->key;
        source.pos = m.pos;
        if (m.distribution) {
            source.kind = ColumnSource::Kind::drawn;
            source.distribution = m.distribution;
        } else if (m.earlier) {
            source.kind = ColumnSource::Kind::earlier;
            std::tie(source.step, source.output) = *m.earlier;
        }
        return source;
    }

    // --cases: each column's value in each case, converted like the step's own values.
    void fill_cases(const std::vector<const host::InputInfo*>& columns, std::vector<ColumnSource>& sources) {
        for (ColumnSource& source : sources) source.per_case.assign(scenario_.cases.size(), source.value);
        for (std::size_t k = 0; k < scenario_.cases.size(); ++k) {
            for (const CaseValue& value : scenario_.cases[k].values) {
                if (value.step != step_.id) continue;
                const std::string key = "case." + scenario_.cases[k].name + "." + value.step + "." + value.input;
                const auto column = std::find_if(columns.begin(), columns.end(),
                                                 [&](const host::InputInfo* in) { return in->key == value.input; });
                if (column == columns.end()) {
                    const host::InputInfo* in = info_.find_input(value.input);
                    fail(value.pos, key,
                         in ? fmt::format("expected an input that varies per row; '{}' is fixed per model instance, so a "
                                          "case cannot set it",
                                          value.input)
                            : fmt::format("model {} has no input '{}'", info_.id, value.input));
                }
                Matched m{*column, &value.value, value.pos, "case"};
                const std::string unit = resolve_unit((*column)->unit, texts_);
                const RowValue v = numeric(m, unit);
                if (v.ranged || m.distribution || m.earlier)
                    fail(value.pos, key, fmt::format("expected one value for the case, found {}", describe_value(value.value)));
                check_bounds(**column, v, m);
                sources[static_cast<std::size_t>(column - columns.begin())].per_case[k] = v.base;
            }
        }
    }

    const StepResult& referenced_step(const Matched& m, const Reference& ref) const {
        const std::string key = "step." + step_.id + "." + m.input->key;
        if (ref.step == step_.id) fail(m.pos, key, fmt::format("a step cannot use its own output ({}.{})", ref.step, ref.output));
        if (const StepResult* earlier = earlier_.find(ref.step)) return *earlier;
        if (const Step* later = scenario_.find_step(ref.step))
            fail(m.pos, key, fmt::format("expected a step above this one, found step \"{}\" defined below at {} (a step "
                                         "can use only outputs of earlier steps, so references cannot form a cycle)",
                                         ref.step, later->pos.str()));
        fail(m.pos, key, fmt::format("expected an earlier step ({}), found unknown step \"{}\"", earlier_.some_ids(),
                                     ref.step));
    }

    const OutputResult& referenced_output(const Matched& m, const StepResult& target, const Reference& ref) const {
        if (const OutputResult* out = target.find_output(ref.output)) return *out;
        std::vector<std::string> keys;
        for (const auto& o : target.outputs) keys.push_back(o.key);
        fail(m.pos, "step." + step_.id + "." + m.input->key,
             fmt::format("expected an output of step {} ({}: {}), found \"{}\"", target.id, target.model_id,
                         fmt::join(keys, ", "), ref.output));
    }

    impact_date_days date(const Matched& m) const {
        const std::string key = "step." + step_.id + "." + m.input->key;
        if (!m.spec) {
            if (m.origin == "scenario.as_of" && scenario_.as_of) return *scenario_.as_of;
            fail(m.pos, key, "expected a date");
        }
        if (const auto* d = std::get_if<DateLiteral>(m.spec)) return d->days;
        if (const auto* s = std::get_if<Scalar>(m.spec))
            if (const auto* text = std::get_if<std::string>(&s->value))
                if (const auto days = text::parse_iso_date(*text)) return *days;
        fail(m.pos, key, fmt::format("expected a date such as 2025-04-16, found {}", describe_value(*m.spec)));
    }

    [[noreturn]] void rethrow_with_position(const host::CallError& e) const {
        const std::string message = positioned_message(e);
        if (e.is_input_error()) throw UserError(message);
        throw host::CallError(e.status(), message, e.input_key(), e.row());
    }

    // A plugin's error as one line naming where the step (or the offending value) was written.
    std::string positioned_message(const host::CallError& e) const {
        SourcePos at = step_.pos;
        std::string which;
        if (const Matched* m = find_matched(e.input_key()); m && (m->spec || m->from_list))
            std::tie(at, which) = row_origin(*m, e.row(), result_.ranged);
        else if (result_.ranged && e.row() >= 0 && e.row() <= 2)
            which = std::array{" (in the range's low row)", " (in the base row)", " (in the range's high row)"}[e.row()];
        const std::string key = e.input_key().empty() ? "step." + step_.id : "step." + step_.id + "." + e.input_key();
        // A model failure's message names its model already ("model 'x': ..."); say it once.
        const bool names_model = std::string_view(e.what()).rfind("model '" + info_.id + "'", 0) == 0;
        return names_model ? fmt::format("{}: {}: {}{}", at.str(), key, e.what(), which)
                           : fmt::format("{}: {}: {}{} ({})", at.str(), key, e.what(), which, info_.id);
    }

    const Scenario& scenario_;
    const Step& step_;
    const host::Model& model_;
    const host::ModelInfo& info_;
    const EarlierSteps& earlier_;
    const std::map<std::string, LoadedData>& series_cache_;
    const RunOptions& options_;
    std::vector<Matched> matched_;
    std::map<std::string, std::string> texts_;
    std::vector<std::string> inferred_;
    bool header_currency_ = false;
    std::vector<std::string> blocked_by_;  // --keep-going: the failed steps a referenced value comes from
    StepResult result_;
};

}  // namespace

RunResult run_scenario(const Scenario& scenario, const host::Registry& registry, RunMode mode, const RunOptions& options) {
    RunResult result;
    EarlierSteps earlier(scenario.steps.size());
    // Every [data.<id>] is read and checked, used or not, before any step runs.
    std::map<std::string, LoadedData> series_cache;
    {
        ParsedFiles files;  // freed once every series is loaded
        for (const DataSource& source : scenario.data)
            series_cache.emplace(source.id, load_series(source, scenario.max_input_bytes, files));
    }
    for (const Step& step : scenario.steps) {
        if (step.formula) {
            StepPlan plan;
            earlier.add(run_formula_step(scenario, step, earlier, mode, options.keep_plans ? &plan : nullptr, options.cases,
                                         options.keep_going));
            // A step that failed or was skipped is left out of any simulation: it has no plan.
            if (options.keep_plans) result.plans.push_back(earlier.last().ok() ? std::move(plan) : StepPlan{});
            continue;
        }
        const auto model = registry.find_model(step.model);
        if (!model) {
            const std::vector<std::string> known = registry.model_ids();
            fail(step.model_pos, "step." + step.id + ".model",
                 fmt::format("expected a model a loaded plugin provides ({}), found \"{}\"",
                             known.empty() ? "none loaded" : fmt::format("{}", fmt::join(known, ", ")), step.model));
        }
        StepRunner runner(scenario, step, *model, earlier, series_cache, options);
        earlier.add(runner.run(mode));
        if (options.keep_plans) result.plans.push_back(earlier.last().ok() ? std::move(runner.plan) : StepPlan{});
        const host::PluginInfo& plugin = model->plugin();
        const bool listed = std::any_of(result.plugins.begin(), result.plugins.end(),
                                        [&](const PluginUsed& p) { return p.file == plugin.file; });
        // Provenance is part of a run's report only; validate need not read every plugin file.
        if (!listed)
            result.plugins.push_back(PluginUsed{plugin.id, plugin.version, plugin.file,
                                                mode == RunMode::run ? registry.file_sha256(plugin.file) : std::string()});
    }
    result.steps = std::move(earlier).take();
    return result;
}

void mark_failed(RunResult& run, std::size_t step, const std::string& message) {
    if (run.plans.size() != run.steps.size()) throw std::logic_error("mark_failed: the run kept no plans");
    const auto drop = [&](std::size_t s) {
        for (OutputResult& o : run.steps[s].outputs) o.value = RangedValue{std::nan(""), std::nullopt, std::nullopt, o.value.unit};
        run.plans[s] = StepPlan{};
    };
    run.steps[step].status = StepStatus::failed;
    run.steps[step].failure = message;
    drop(step);
    // A later step that takes a value of a failed or skipped one, row by row or fixed per instance.
    for (std::size_t s = step + 1; s < run.steps.size(); ++s) {
        if (!run.steps[s].ok()) continue;
        std::vector<std::string> roots;
        for (const ColumnSource& c : run.plans[s].columns)
            if (c.kind == ColumnSource::Kind::earlier && !run.steps[c.step].ok()) add_failed_roots(run.steps[c.step], roots);
        for (const FixedReference& ref : run.plans[s].fixed_references)
            if (!run.steps[ref.step].ok()) add_failed_roots(run.steps[ref.step], roots);
        if (roots.empty()) continue;
        run.steps[s].status = StepStatus::skipped;
        run.steps[s].failed_dependencies = std::move(roots);
        drop(s);
    }
}

std::pair<std::size_t, std::size_t> failed_and_skipped(const RunResult& run) {
    std::pair<std::size_t, std::size_t> counts{0, 0};
    for (const StepResult& step : run.steps) {
        if (step.status == StepStatus::failed) ++counts.first;
        if (step.status == StepStatus::skipped) ++counts.second;
    }
    return counts;
}

}  // namespace impact::scenario
