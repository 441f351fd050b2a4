// Models offered by loaded plugins, and prepared instances that evaluate batches of rows.
#pragma once

#include "host/model_info.hpp"
#include "host/plugin_library.hpp"

#include <impact/sdk/impact_plugin.h>

#include <cstdint>
#include <memory>
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

// The values given once at prepare time. Owns all memory the plugin will see.
class PreparedValues {
public:
    void set_text(std::string key, std::string text);
    void set_date(std::string key, impact_date_days date);
    void set_number(std::string key, double number);
    void add_series(std::string key, std::string label, std::vector<impact_date_days> dates,
                    std::vector<double> values);

    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }
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
    std::vector<Entry> entries_;
};

class ModelInstance;

// A model offered by a loaded plugin. Cheap to copy; keeps the plugin loaded.
class Model {
public:
    Model(std::shared_ptr<const LoadedPlugin> plugin, const ModelInfo* info) noexcept
        : plugin_(std::move(plugin)), info_(info) {}

    const ModelInfo& info() const noexcept { return *info_; }
    const PluginInfo& plugin() const noexcept { return plugin_->info(); }

    // Applies defaults, checks unknown, missing, wrongly-kinded and out-of-range values,
    // then asks the plugin for an instance. Throws CallError.
    ModelInstance prepare(PreparedValues values) const;

private:
    std::shared_ptr<const LoadedPlugin> plugin_;
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

    // Checks every row input against its bounds, then evaluates. inputs holds
    // rows * input_width() values and outputs receives rows * output_width(). Throws CallError.
    void evaluate(std::span<const double> inputs, std::span<double> outputs) const;

    // Evaluates without the host's bounds checks: for callers that checked already.
    void evaluate_unchecked(const double* inputs, uint64_t rows, double* outputs) const;

    // Facts the model settled at prepare time (key, value).
    std::vector<std::pair<std::string, std::string>> notes() const;

    // A unit with its "{input}" placeholders replaced by the prepared text values.
    std::string resolve_unit(std::string_view unit) const;

private:
    friend class Model;
    ModelInstance(std::shared_ptr<const LoadedPlugin> plugin, const ModelInfo* info, PreparedValues values,
                  impact_model_instance* instance);
    void release() noexcept;

    std::shared_ptr<const LoadedPlugin> plugin_;
    const ModelInfo* info_ = nullptr;
    PreparedValues values_;
    impact_model_instance* instance_ = nullptr;
    std::vector<const InputInfo*> row_inputs_;
    std::vector<double> lower_bounds_;  // per batch column; -inf when none
    std::vector<double> upper_bounds_;  // per batch column; +inf when none
};

}  // namespace impact::host
