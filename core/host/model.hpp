// Models offered by loaded plugins, and prepared instances that evaluate batches of rows.
#pragma once

#include "host/model_info.hpp"
#include "host/plugin_library.hpp"
#include "isolation/isolated_plugin.hpp"

#include <impact/sdk/impact_plugin.h>
#include <impact/sdk/plugin.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace impact::host {

// A plugin call that failed: the status, the plugin's one-line message, the input it
// concerns (may be empty) and the batch row (-1 when none).
class CallError : public std::runtime_error {
public:
    CallError(impact_status status, const std::string& message, std::string input_key = {}, int64_t row = -1)
        : std::runtime_error(message), status_(status), input_key_(std::move(input_key)), row_(row) {}
    impact_status status() const noexcept { return status_; }
    const std::string& input_key() const noexcept { return input_key_; }
    int64_t row() const noexcept { return row_; }
    bool is_input_error() const noexcept { return status_ == IMPACT_STATUS_INVALID_INPUT; }

private:
    impact_status status_;
    std::string input_key_;
    int64_t row_;
};

// The values given once at prepare time. Owns all memory the plugin will see: the strings,
// the series and, once prepared, the C arrays (impact_value, impact_series) that point into
// them. A ModelInstance keeps its PreparedValues, so every byte handed to the plugin lives
// exactly as long as the plugin's instance, as the C header promises.
class PreparedValues {
public:
    void set_text(std::string key, std::string text);
    void set_date(std::string key, impact_date_days date);
    void set_number(std::string key, double number);
    void add_series(std::string key, std::string label, std::vector<impact_date_days> dates,
                    std::vector<double> values);

    // ABI 1.3: the optional-per-row batch input `key` was not given. The plugin learns it at
    // prepare time (impact_prepare_args.absent_row_inputs), and the instance expects NaN in that
    // column in every row and skips its bounds check. Model::prepare refuses any other key.
    void leave_out_row_input(std::string key);
    bool row_input_left_out(std::string_view key) const noexcept;

    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }
    // The same values, not yet handed to a plugin: to prepare a second instance of a model
    // (one per thread for a model that declares IMPACT_THREAD_INSTANCE_SAFE).
    PreparedValues copy() const {
        PreparedValues values;
        values.entries_ = entries_;
        return values;
    }
    // The text value of `key`, or nullptr.
    const std::string* text(std::string_view key) const noexcept;

private:
    friend class Model;
    friend class ModelInstance;
    struct Series {
        std::string label;
        std::vector<impact_date_days> dates;
        std::vector<double> values;
    };
    struct Entry {
        std::string key;
        impact_input_kind kind = IMPACT_KIND_TEXT;
        std::string text;
        impact_date_days date = 0;
        double number = 0;
        std::vector<Series> series;
    };
    Entry* find(std::string_view key) noexcept;
    const Entry* find(std::string_view key) const noexcept;
    Entry& upsert(std::string key, impact_input_kind kind);
    // Builds the C view of entries_ (once no entry will be added). Vectors keep their heap
    // buffers when moved, so the pointers survive the move into the ModelInstance.
    const impact_prepare_args& c_args();

    std::vector<Entry> entries_;
    std::vector<std::string> absent_row_inputs_;
    std::vector<impact_series> c_series_;
    std::vector<impact_value> c_values_;
    std::vector<const char*> c_absent_row_inputs_;  // points into absent_row_inputs_
    std::unique_ptr<impact_prepare_args> c_args_;  // on the heap, so it too stays put when moved
};

class ModelInstance;

// Memory for batches of one instance, up to max_rows() rows: row-major inputs and outputs. For an
// isolated plugin it is shared with the worker, so evaluate(BatchArea&, ...) copies nothing; in
// process it is plain memory. Used by one thread at a time; made by ModelInstance::batch_area.
class BatchArea {
public:
    ~BatchArea();
    BatchArea(const BatchArea&) = delete;
    BatchArea& operator=(const BatchArea&) = delete;
    double* inputs() noexcept { return inputs_; }
    double* outputs() noexcept { return outputs_; }
    uint64_t max_rows() const noexcept { return max_rows_; }

private:
    friend class ModelInstance;
    BatchArea() = default;
    std::vector<double> owned_inputs_;
    std::vector<double> owned_outputs_;
    std::unique_ptr<isolation::SharedBatch> shared_;
    double* inputs_ = nullptr;
    double* outputs_ = nullptr;
    uint64_t max_rows_ = 0;
};

// Why `value` breaks in's declared min/max (">= 0", "> 0", "<= 1"), or nullopt when it does not.
// Inclusive or exclusive as declared (ABI 1.2). The one bounds rule, for the host and the runner.
std::optional<std::string> bound_violation(const InputInfo& in, double value);

// "nan", "+inf" or "-inf", for a value that is not finite (reports and messages).
std::string_view non_finite_name(double value) noexcept;

// A model offered by a plugin. Cheap to copy; keeps the plugin loaded. A model listed from the
// plugin cache (host/plugin_cache.hpp) has its descriptors but no code: it can be described and
// validated against, and prepare() needs the plugin loaded first (Registry::load_plugins_for).
class Model {
public:
    Model(std::shared_ptr<const LoadedPlugin> plugin, const ModelInfo* info) noexcept
        : descriptors_(plugin, &plugin->info()), plugin_(std::move(plugin)), info_(info) {}
    // Descriptors only: `info` points into `descriptors`.
    Model(std::shared_ptr<const PluginInfo> descriptors, const ModelInfo* info) noexcept
        : descriptors_(std::move(descriptors)), info_(info) {}

    const ModelInfo& info() const noexcept { return *info_; }
    const PluginInfo& plugin() const noexcept { return *descriptors_; }
    // False for a model listed from the plugin cache whose plugin has not been loaded.
    bool is_loaded() const noexcept { return plugin_ != nullptr; }

    // Applies defaults, checks unknown, missing, wrongly-kinded and out-of-range values,
    // then asks the plugin for an instance. Throws CallError.
    ModelInstance prepare(PreparedValues values) const;

private:
    std::shared_ptr<const PluginInfo> descriptors_;  // shares ownership with plugin_ when loaded
    std::shared_ptr<const LoadedPlugin> plugin_;     // null: descriptors from the cache only
    const ModelInfo* info_;
};

// A prepared model. Move-only; destroys the plugin's instance and keeps the library
// loaded until then, even if the registry that found it is gone.
class ModelInstance {
public:
    ModelInstance(ModelInstance&& other) noexcept;
    ModelInstance& operator=(ModelInstance&& other) noexcept;
    ModelInstance(const ModelInstance&) = delete;
    ModelInstance& operator=(const ModelInstance&) = delete;
    ~ModelInstance();

    const ModelInfo& info() const noexcept { return *info_; }
    std::size_t input_width() const noexcept { return row_inputs_.size(); }
    std::size_t output_width() const noexcept { return info_->outputs.size(); }
    const std::vector<const InputInfo*>& row_inputs() const noexcept { return row_inputs_; }

    // A row holding each batch input's default (NaN where there is none).
    std::vector<double> default_row() const;

    // Checks every row input against its bounds (a column left out at prepare time must hold
    // NaN instead, and nothing else is checked there), then evaluates. inputs holds
    // rows * input_width() values and outputs receives rows * output_width(). Throws CallError;
    // IMPACT_STATUS_MODEL_FAILED when an output is NaN or infinite and its descriptor does not
    // say it may be undefined (a plugin's overflow never reaches a report as a number).
    void evaluate(std::span<const double> inputs, std::span<double> outputs) const;

    // Evaluates without the host's input bounds checks, for callers that checked already. The
    // outputs are still checked for non-finite values.
    void evaluate_unchecked(const double* inputs, uint64_t rows, double* outputs) const;

    // A place for batches of up to max_rows rows that evaluate(BatchArea&, ...) reads and writes
    // in place: shared with the worker for an isolated plugin. Throws CallError.
    // concurrent_callers: how many threads will evaluate through areas of this plugin at once.
    std::unique_ptr<BatchArea> batch_area(uint64_t max_rows, unsigned concurrent_callers = 1) const;
    // evaluate() on rows [first_row, first_row + rows) of `area`, whose inputs the caller wrote:
    // the same checks, the same results, no copy of the batch for an isolated plugin.
    void evaluate(BatchArea& area, uint64_t first_row, uint64_t rows) const;

    // Facts the model settled at prepare time (key, value).
    std::vector<std::pair<std::string, std::string>> notes() const;

    // The result tables the model settled at prepare time ("impact.tables/1", ABI 1.4), copied
    // and checked (host/result_tables.hpp); empty for a model without any. Throws CallError.
    std::vector<sdk::Table> tables() const;

    // A unit with its "{input}" placeholders replaced by the prepared text values.
    std::string resolve_unit(std::string_view unit) const;

private:
    friend class Model;
    ModelInstance(std::shared_ptr<const LoadedPlugin> plugin, const ModelInfo* info, PreparedValues values,
                  impact_model_instance* instance);
    void release() noexcept;
    // The size and bounds checks of evaluate(); fills outputs with NaN first.
    void check_batch(std::span<const double> inputs, std::span<double> outputs) const;
    // The non-finite output check after a successful evaluate.
    void check_outputs(const double* outputs, uint64_t rows) const;

    std::shared_ptr<const LoadedPlugin> plugin_;
    const ModelInfo* info_ = nullptr;
    PreparedValues values_;
    impact_model_instance* instance_ = nullptr;
    std::vector<const InputInfo*> row_inputs_;
    // The batch columns evaluate() checks against their bounds, and each one's lowest and highest
    // allowed value: inclusive and finite (an exclusive bound is moved to the next double inward,
    // a missing one is +-DBL_MAX), so that two comparisons per value also refuse NaN and infinities.
    std::vector<uint32_t> bounded_columns_;
    std::vector<double> lowest_allowed_;
    std::vector<double> highest_allowed_;
    std::vector<uint32_t> left_out_columns_;  // ABI 1.3: NaN in every row, not checked against bounds
    std::vector<bool> left_out_;  // per batch column
};

}  // namespace impact::host
