// Preparing and evaluating model instances through the C ABI, with the host's input checks.
#include "host/model.hpp"
#include "host/result_tables.hpp"

#include "host/error_buffer.hpp"

#include "host/plugin_call_guard.hpp"

#include "text/iso_date.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

namespace impact::host {
namespace {

// ErrorBuffer (host/error_buffer.hpp) with the host's way of turning a failure into a CallError.
struct RaisingErrorBuffer : ErrorBuffer {
    [[noreturn]] void raise(impact_status status, std::string_view model_id) {
        terminate();
        std::string text = message[0] ? std::string(message.data())
                                      : fmt::format("model '{}' failed with status {} and no message", model_id, status);
        // A model failure is reported on its own (exit 3), so it names the model; an input error
        // is placed at the input by the caller, which names the model there.
        const std::string prefix = fmt::format("model '{}'", model_id);
        if (status != IMPACT_STATUS_INVALID_INPUT && text.rfind(prefix, 0) != 0) text = prefix + ": " + text;
        throw CallError(status, text, input_key.data(), error.row);
    }
};

// Runs a call into a plugin; a C++ exception crossing the C ABI is a contract violation
// that must not take the host down.
template <class F>
auto guard_plugin_call(std::string_view model_id, const char* function, F&& f) {
    try {
        return f();
    } catch (const std::exception& e) {
        throw CallError(IMPACT_STATUS_INTERNAL, fmt::format("model '{}': {} threw a C++ exception across the C ABI: {}",
                                                            model_id, function, e.what()));
    } catch (...) {
        throw CallError(IMPACT_STATUS_INTERNAL,
                        fmt::format("model '{}': {} threw a C++ exception across the C ABI", model_id, function));
    }
}

std::string format_bound(double value) { return fmt::format("{}", value); }

void check_bounds(const InputInfo& in, double value, int64_t row) {
    const auto fail = [&](const std::string& expected) {
        throw CallError(IMPACT_STATUS_INVALID_INPUT,
                        fmt::format("must be {}, found {}", expected, format_bound(value)), in.key,
                        row);
    };
    if (!std::isfinite(value)) fail("a finite number");
    if (const auto problem = bound_violation(in, value)) fail(*problem);
}

// True when every value is finite: the exponent bits of a double are all ones exactly for
// NaN and the infinities. Adding one to the exponent field carries into the sign bit only for
// those, so the loop is AND, ADD and OR on integers, which GCC vectorises (it runs on every
// batch; a compare-and-convert form did not vectorise and cost as much as a trivial model).
bool all_finite(const double* values, std::size_t count) noexcept {
    constexpr uint64_t exponent_mask = 0x7FF0000000000000ull;
    constexpr uint64_t exponent_one = 0x0010000000000000ull;
    uint64_t carries = 0;
    for (std::size_t i = 0; i < count; ++i) {
        uint64_t bits;
        std::memcpy(&bits, values + i, sizeof bits);
        carries |= (bits & exponent_mask) + exponent_one;
    }
    return (carries >> 63) == 0;
}

}  // namespace

// ---- Bounds ----------------------------------------------------------------------

std::optional<std::string> bound_violation(const InputInfo& in, double value) {
    if (in.min_value) {
        const double min = *in.min_value;
        if (in.min_exclusive ? !(value > min) : !(value >= min))
            return fmt::format("{} {}", in.min_exclusive ? ">" : ">=", format_bound(min));
    }
    if (in.max_value) {
        const double max = *in.max_value;
        if (in.max_exclusive ? !(value < max) : !(value <= max))
            return fmt::format("{} {}", in.max_exclusive ? "<" : "<=", format_bound(max));
    }
    return std::nullopt;
}

std::string_view non_finite_name(double value) noexcept {
    if (std::isnan(value)) return "nan";
    return value > 0 ? "+inf" : "-inf";
}

// ---- PreparedValues -------------------------------------------------------------

PreparedValues::Entry* PreparedValues::find(std::string_view key) noexcept {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    return it == entries_.end() ? nullptr : &*it;
}
const PreparedValues::Entry* PreparedValues::find(std::string_view key) const noexcept {
    return const_cast<PreparedValues*>(this)->find(key);
}
PreparedValues::Entry& PreparedValues::upsert(std::string key, impact_input_kind kind) {
    Entry* e = find(key);
    if (!e) {
        entries_.emplace_back();
        e = &entries_.back();
        e->key = std::move(key);
    }
    e->kind = kind;
    return *e;
}
void PreparedValues::set_text(std::string key, std::string text) { upsert(std::move(key), IMPACT_KIND_TEXT).text = std::move(text); }
void PreparedValues::set_date(std::string key, impact_date_days date) { upsert(std::move(key), IMPACT_KIND_DATE).date = date; }
void PreparedValues::set_number(std::string key, double number) {
    upsert(std::move(key), IMPACT_KIND_NUMBER).number = number;
}
void PreparedValues::add_series(std::string key, std::string label, std::vector<impact_date_days> dates,
                                std::vector<double> values) {
    Entry* e = find(key);
    if (!e || e->kind != IMPACT_KIND_SERIES) e = &upsert(std::move(key), IMPACT_KIND_SERIES);
    e->series.push_back(Series{std::move(label), std::move(dates), std::move(values)});
}
void PreparedValues::leave_out_row_input(std::string key) {
    if (!row_input_left_out(key)) absent_row_inputs_.push_back(std::move(key));
}
bool PreparedValues::row_input_left_out(std::string_view key) const noexcept {
    return std::find(absent_row_inputs_.begin(), absent_row_inputs_.end(), key) != absent_row_inputs_.end();
}

const impact_prepare_args& PreparedValues::c_args() {
    c_series_.clear();
    c_values_.clear();
    c_absent_row_inputs_.clear();
    for (const std::string& key : absent_row_inputs_) c_absent_row_inputs_.push_back(key.c_str());
    std::size_t series_total = 0;
    for (const Entry& e : entries_) series_total += e.series.size();
    c_series_.reserve(series_total);  // no reallocation: impact_value points into it
    c_values_.reserve(entries_.size());
    for (const Entry& e : entries_) {
        impact_value v{};
        v.struct_size = sizeof v;
        v.key = e.key.c_str();
        v.kind = e.kind;
        v.text = e.kind == IMPACT_KIND_TEXT ? e.text.c_str() : nullptr;
        v.date = e.date;
        v.number = e.number;
        v.series = e.series.empty() ? nullptr : c_series_.data() + c_series_.size();
        v.series_count = static_cast<uint32_t>(e.series.size());
        for (const Series& s : e.series)
            c_series_.push_back(impact_series{sizeof(impact_series), s.label.c_str(), s.dates.data(), s.values.data(),
                                              static_cast<uint64_t>(s.dates.size())});
        c_values_.push_back(v);
    }
    c_args_ = std::make_unique<impact_prepare_args>(impact_prepare_args{
        sizeof(impact_prepare_args), c_values_.empty() ? nullptr : c_values_.data(),
        static_cast<uint32_t>(c_values_.size()),
        c_absent_row_inputs_.empty() ? nullptr : c_absent_row_inputs_.data(),
        static_cast<uint32_t>(c_absent_row_inputs_.size())});
    return *c_args_;
}

const std::string* PreparedValues::text(std::string_view key) const noexcept {
    const Entry* e = find(key);
    return e && e->kind == IMPACT_KIND_TEXT ? &e->text : nullptr;
}

// ---- Model ------------------------------------------------------------------------

ModelInstance Model::prepare(PreparedValues values) const {
    const ModelInfo& model = *info_;
    // A command loads the plugins of the models it runs before it prepares them; reaching this
    // is a host bug, reported rather than dereferencing nothing.
    if (!plugin_)
        throw CallError(IMPACT_STATUS_INTERNAL, fmt::format("model '{}': its plugin {} was listed from the plugin "
                                                            "cache and has not been loaded",
                                                            model.id, descriptors_->file.string()));
    const auto input_error = [&](const std::string& key, const std::string& message) {
        return CallError(IMPACT_STATUS_INVALID_INPUT, message, key);
    };
    for (const PreparedValues::Entry& e : values.entries_) {
        const InputInfo* in = model.find_input(e.key);
        if (!in) throw input_error(e.key, fmt::format("model '{}' has no input '{}'", model.id, e.key));
        if (in->is_row_input())
            throw input_error(e.key, fmt::format("input '{}' of model '{}' is a batch column, not a prepared value",
                                                 e.key, model.id));
        const bool kind_fits = in->is_numeric() ? e.kind == IMPACT_KIND_NUMBER : e.kind == in->kind;
        if (!kind_fits)
            throw input_error(e.key, fmt::format("input '{}' expects {}, found {}", e.key, kind_name(in->kind),
                                                 kind_name(e.kind)));
        if (in->is_numeric()) check_bounds(*in, e.number, -1);
    }
    // Only an input that says it may be left out can be: any other batch column needs a value in
    // every row, and a 1.0 to 1.2 plugin, which cannot declare the flag, never sees NaN there.
    for (const std::string& key : values.absent_row_inputs_) {
        const InputInfo* in = model.find_input(key);
        if (!in) throw input_error(key, fmt::format("model '{}' has no input '{}'", model.id, key));
        if (!in->optional_row)
            throw input_error(key, fmt::format("model '{}' needs input '{}' ({}): only an input optional per row "
                                               "may be left out",
                                               model.id, key, in->label));
    }
    for (const InputInfo& in : model.inputs) {
        if (in.is_row_input() || values.has(in.key)) continue;
        if (in.default_number) {
            values.set_number(in.key, *in.default_number);
        } else if (in.default_text && in.kind == IMPACT_KIND_TEXT) {
            values.set_text(in.key, *in.default_text);
        } else if (in.default_text && in.kind == IMPACT_KIND_DATE) {
            // Checked when the plugin was loaded, so it parses.
            values.set_date(in.key, *text::parse_iso_date(*in.default_text));
        } else if (in.required) {
            throw input_error(in.key, fmt::format("model '{}' needs input '{}' ({})", model.id, in.key, in.label));
        }
    }
    // Re-tag numbers with their declared kind so the plugin sees what it declared.
    for (PreparedValues::Entry& e : values.entries_)
        if (e.kind == IMPACT_KIND_NUMBER) e.kind = model.find_input(e.key)->kind;

    // The C view lives inside `values`, which the instance keeps: the plugin may hold on to
    // every pointer it is given until destroy().
    const impact_prepare_args& args = values.c_args();

    RaisingErrorBuffer error;
    impact_model_instance* instance = nullptr;
    const PluginCallGuard in_flight("prepare", plugin_->info().file.c_str(), model.id.c_str());
    const impact_status status = guard_plugin_call(model.id, "create", [&] {
        return plugin_->create_instance(model.id.c_str(), &args, &instance, &error.error);
    });
    if (status != IMPACT_STATUS_OK) error.raise(status, model.id);
    if (!instance || !instance->evaluate || !instance->destroy)
        throw CallError(IMPACT_STATUS_INTERNAL,
                        fmt::format("model '{}': create returned OK without a usable instance", model.id));
    // The plugin may keep pointers into `values` (the args, strings, series, the C arrays).
    // Moving a vector moves its heap buffer, so no Entry moves and even short strings (kept
    // inside the std::string object) stay where the plugin saw them.
    return ModelInstance(plugin_, info_, std::move(values), instance);
}

// ---- ModelInstance --------------------------------------------------------------

ModelInstance::ModelInstance(std::shared_ptr<const LoadedPlugin> plugin, const ModelInfo* info,
                             PreparedValues values, impact_model_instance* instance)
    : plugin_(std::move(plugin)), info_(info), values_(std::move(values)), instance_(instance),
      row_inputs_(info->row_inputs()) {
    constexpr double largest = std::numeric_limits<double>::max();
    constexpr double infinity = std::numeric_limits<double>::infinity();
    for (uint32_t c = 0; c < row_inputs_.size(); ++c) {
        const InputInfo* in = row_inputs_[c];
        left_out_.push_back(values_.row_input_left_out(in->key));
        if (left_out_.back()) {
            left_out_columns_.push_back(c);
            continue;
        }
        // x > b is x >= nextafter(b, +inf) for doubles, and a finite x is never beyond +-DBL_MAX.
        double lowest = in->min_value.value_or(-largest);
        if (in->min_value && in->min_exclusive) lowest = std::nextafter(lowest, infinity);
        double highest = in->max_value.value_or(largest);
        if (in->max_value && in->max_exclusive) highest = std::nextafter(highest, -infinity);
        bounded_columns_.push_back(c);
        lowest_allowed_.push_back(std::max(lowest, -largest));
        highest_allowed_.push_back(std::min(highest, largest));
    }
}

ModelInstance::ModelInstance(ModelInstance&& other) noexcept
    : plugin_(std::move(other.plugin_)), info_(other.info_), values_(std::move(other.values_)),
      instance_(std::exchange(other.instance_, nullptr)), row_inputs_(std::move(other.row_inputs_)),
      bounded_columns_(std::move(other.bounded_columns_)), lowest_allowed_(std::move(other.lowest_allowed_)),
      highest_allowed_(std::move(other.highest_allowed_)), left_out_columns_(std::move(other.left_out_columns_)),
      left_out_(std::move(other.left_out_)) {}

ModelInstance& ModelInstance::operator=(ModelInstance&& other) noexcept {
    if (this != &other) {
        release();
        plugin_ = std::move(other.plugin_);
        info_ = other.info_;
        values_ = std::move(other.values_);
        instance_ = std::exchange(other.instance_, nullptr);
        row_inputs_ = std::move(other.row_inputs_);
        bounded_columns_ = std::move(other.bounded_columns_);
        lowest_allowed_ = std::move(other.lowest_allowed_);
        highest_allowed_ = std::move(other.highest_allowed_);
        left_out_columns_ = std::move(other.left_out_columns_);
        left_out_ = std::move(other.left_out_);
    }
    return *this;
}

ModelInstance::~ModelInstance() { release(); }

void ModelInstance::release() noexcept {
    if (!instance_) return;
    // Destroy before the library reference drops: the code lives in the library.
    try {
        const PluginCallGuard in_flight("destroy", plugin_->info().file.c_str(), info_->id.c_str());
        instance_->destroy(instance_);
    } catch (...) {
        // A plugin that throws from destroy broke the contract; nothing useful to do here.
    }
    instance_ = nullptr;
}

std::vector<double> ModelInstance::default_row() const {
    std::vector<double> row;
    row.reserve(row_inputs_.size());
    for (const InputInfo* in : row_inputs_)
        row.push_back(in->default_number.value_or(std::numeric_limits<double>::quiet_NaN()));
    return row;
}

void ModelInstance::evaluate(std::span<const double> inputs, std::span<double> outputs) const {
    check_batch(inputs, outputs);
    const std::size_t rows = outputs.size() / std::max<std::size_t>(1, output_width());
    evaluate_unchecked(inputs.data(), input_width() ? inputs.size() / input_width() : rows, outputs.data());
}

BatchArea::~BatchArea() = default;

std::unique_ptr<BatchArea> ModelInstance::batch_area(uint64_t max_rows, unsigned concurrent_callers) const {
    std::unique_ptr<BatchArea> area(new BatchArea());
    area->max_rows_ = max_rows;
    if (plugin_ && plugin_->is_isolated()) {
        RaisingErrorBuffer error;
        area->shared_ = isolation::make_shared_batch(instance_, max_rows, concurrent_callers, &error.error);
        if (!area->shared_) error.raise(IMPACT_STATUS_MODEL_FAILED, info_->id);
        area->inputs_ = area->shared_->inputs();
        area->outputs_ = area->shared_->outputs();
    } else {
        area->owned_inputs_.resize(max_rows * input_width());
        area->owned_outputs_.resize(max_rows * output_width());
        area->inputs_ = area->owned_inputs_.data();
        area->outputs_ = area->owned_outputs_.data();
    }
    return area;
}

void ModelInstance::evaluate(BatchArea& area, uint64_t first_row, uint64_t rows) const {
    if (first_row > area.max_rows() || rows > area.max_rows() - first_row)
        throw CallError(IMPACT_STATUS_INTERNAL, fmt::format("model '{}': rows {} to {} are outside a batch area of {} rows",
                                                            info_->id, first_row, first_row + rows, area.max_rows()));
    const std::span<const double> in(area.inputs() + first_row * input_width(), rows * input_width());
    const std::span<double> out(area.outputs() + first_row * output_width(), rows * output_width());
    if (!area.shared_) return evaluate(in, out);
    check_batch(in, out);
    RaisingErrorBuffer error;
    const impact_status status = isolation::evaluate_shared_batch(instance_, *area.shared_, first_row, rows, &error.error);
    if (status != IMPACT_STATUS_OK) error.raise(status, info_->id);  // rows numbered within this call, as evaluate()'s
    check_outputs(out.data(), rows);
}

void ModelInstance::check_batch(std::span<const double> inputs, std::span<double> outputs) const {
    const std::size_t width = input_width();
    const std::size_t rows = width ? inputs.size() / width : outputs.size() / std::max<std::size_t>(1, output_width());
    if (inputs.size() != rows * width || outputs.size() != rows * output_width())
        throw CallError(IMPACT_STATUS_INTERNAL,
                        fmt::format("model '{}': batch of {} inputs and {} outputs does not fit {} inputs and {} "
                                    "outputs per row",
                                    info_->id, inputs.size(), outputs.size(), width, output_width()));
    // An output the plugin forgets to write stays NaN, so the finite check below catches it,
    // instead of a 0 that looks like a result.
    std::fill(outputs.begin(), outputs.end(), std::numeric_limits<double>::quiet_NaN());
    // One pass over the whole batch, two comparisons per value and no branch on the data (NaN
    // fails both, infinities lie beyond the finite limits); only when some value fails are the
    // rows checked again, in order, to name the first one.
    bool all_ok = true;
    for (std::size_t r = 0; r < rows; ++r) {
        const double* row = inputs.data() + r * width;
        for (std::size_t i = 0; i < bounded_columns_.size(); ++i) {
            const double x = row[bounded_columns_[i]];
            all_ok &= (x >= lowest_allowed_[i]) & (x <= highest_allowed_[i]);
        }
        for (const uint32_t c : left_out_columns_) all_ok &= std::isnan(row[c]);
    }
    if (!all_ok)
        for (std::size_t r = 0; r < rows; ++r) {
            const double* row = inputs.data() + r * width;
            for (std::size_t c = 0; c < width; ++c) {
                // The plugin was told at prepare time that this column is empty; a value here
                // would be a host bug, not the user's input.
                if (left_out_[c] && !std::isnan(row[c]))
                    throw CallError(IMPACT_STATUS_INTERNAL,
                                    fmt::format("model '{}': input '{}' was left out when the model was prepared, "
                                                "but row {} holds {}",
                                                info_->id, row_inputs_[c]->key, r, format_bound(row[c])));
                if (!left_out_[c]) check_bounds(*row_inputs_[c], row[c], static_cast<int64_t>(r));
            }
        }
}

void ModelInstance::evaluate_unchecked(const double* inputs, uint64_t rows, double* outputs) const {
    RaisingErrorBuffer error;
    const PluginCallGuard in_flight("evaluate", plugin_->info().file.c_str(), info_->id.c_str());
    const impact_status status = guard_plugin_call(
        info_->id, "evaluate", [&] { return instance_->evaluate(instance_, inputs, rows, outputs, &error.error); });
    if (status != IMPACT_STATUS_OK) error.raise(status, info_->id);
    check_outputs(outputs, rows);
}

void ModelInstance::check_outputs(const double* outputs, uint64_t rows) const {
    const std::size_t width = output_width();
    if (all_finite(outputs, rows * width)) return;
    // Slow path, only when something is not finite: name the first offending output.
    for (uint64_t r = 0; r < rows; ++r)
        for (std::size_t o = 0; o < width; ++o) {
            const double value = outputs[r * width + o];
            const OutputInfo& out = info_->outputs[o];
            if (std::isfinite(value) || out.may_be_undefined) continue;
            throw CallError(IMPACT_STATUS_MODEL_FAILED,
                            fmt::format("model '{}': output '{}' is {} in row {}: the model overflowed or has no "
                                        "defined result for these inputs (its descriptor does not allow an "
                                        "undefined value)",
                                        info_->id, out.key, non_finite_name(value), r),
                            std::string(), static_cast<int64_t>(r));
        }
}

std::vector<std::pair<std::string, std::string>> ModelInstance::notes() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!instance_->get_note) return out;
    const PluginCallGuard in_flight("get_note", plugin_->info().file.c_str(), info_->id.c_str());
    guard_plugin_call(info_->id, "get_note", [&] {
        for (uint32_t i = 0;; ++i) {
            const char* key = nullptr;
            const char* value = nullptr;
            if (!instance_->get_note(instance_, i, &key, &value)) break;
            out.emplace_back(key ? key : "", value ? value : "");
        }
        return 0;
    });
    return out;
}

std::vector<sdk::Table> ModelInstance::tables() const {
    const PluginCallGuard in_flight("get_extension", plugin_->info().file.c_str(), info_->id.c_str());
    // The host's checks throw CallError, which must reach the caller as it is; anything else came
    // out of the plugin's get_extension, table_count or table (a C++ exception across the C ABI).
    try {
        return read_result_tables(*instance_, info_->id);
    } catch (const CallError&) {
        throw;
    } catch (const std::exception& e) {
        throw CallError(IMPACT_STATUS_INTERNAL,
                        fmt::format("model '{}': its result tables threw a C++ exception across the C ABI: {}", info_->id,
                                    e.what()));
    } catch (...) {
        throw CallError(IMPACT_STATUS_INTERNAL,
                        fmt::format("model '{}': its result tables threw a C++ exception across the C ABI", info_->id));
    }
}

std::string ModelInstance::resolve_unit(std::string_view unit) const {
    return resolve_unit_placeholders(unit, [this](std::string_view key) { return values_.text(key); });
}

}  // namespace impact::host
