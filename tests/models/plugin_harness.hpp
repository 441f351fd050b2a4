// Test helper: loads a built model plugin with dlopen and drives it through the C ABI only.
#ifndef IMPACT_TESTS_MODELS_PLUGIN_HARNESS_HPP
#define IMPACT_TESTS_MODELS_PLUGIN_HARNESS_HPP

// Nothing from the SDK's C++ wrapper or from core/ is used here, so these tests see the
// plugins exactly as any host would: the entry symbol, the factory table and C structs.

#include <impact/sdk/impact_plugin.h>

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact_test {

// Days since 1970-01-01 from the standard library, independent of the plugins' own dates.
inline int32_t days(int year, unsigned month, unsigned day) {
    const std::chrono::sys_days d{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
    return static_cast<int32_t>(d.time_since_epoch().count());
}

inline bool close_relative(double actual, double expected, double tolerance) {
    if (expected == 0.0) return std::abs(actual) <= tolerance;
    return std::abs(actual - expected) <= tolerance * std::abs(expected);
}

// A plugin loaded once per path for the whole run and never unloaded: its descriptors
// and note strings point into it.
struct LoadedPlugin {
    std::string path;
    const impact_plugin_entry* entry = nullptr;
    const impact_model_factory_v1* factory = nullptr;
    std::string load_error;

    explicit LoadedPlugin(std::string plugin_path) : path(std::move(plugin_path)) {
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            load_error = dlerror();
            return;
        }
        entry = static_cast<const impact_plugin_entry*>(dlsym(handle, IMPACT_PLUGIN_ENTRY_SYMBOL));
        if (!entry) {
            load_error = "no symbol " IMPACT_PLUGIN_ENTRY_SYMBOL;
            return;
        }
        factory = static_cast<const impact_model_factory_v1*>(entry->get_interface(IMPACT_MODEL_FACTORY_V1));
        if (!factory) load_error = "no interface " IMPACT_MODEL_FACTORY_V1;
    }

    const impact_model_descriptor* descriptor(std::string_view model_id) const {
        for (uint32_t i = 0; i < factory->model_count(); ++i) {
            const impact_model_descriptor* d = factory->model_descriptor(i);
            if (d && model_id == d->id) return d;
        }
        return nullptr;
    }
};

// Host-side error storage, as a host provides it.
struct ErrorStorage {
    char message[1024] = {};
    char key[64] = {};
    impact_error error{};

    ErrorStorage() {
        error.struct_size = sizeof error;
        error.message = message;
        error.message_capacity = sizeof message;
        error.input_key = key;
        error.input_key_capacity = sizeof key;
        error.row = -1;
    }
    ErrorStorage(const ErrorStorage&) = delete;
    ErrorStorage& operator=(const ErrorStorage&) = delete;
};

inline impact_value make_value(const char* key, impact_input_kind kind) {
    impact_value v{};
    v.struct_size = sizeof v;
    v.key = key;
    v.kind = kind;
    return v;
}
inline impact_value text_value(const char* key, const char* text) {
    impact_value v = make_value(key, IMPACT_KIND_TEXT);
    v.text = text;
    return v;
}
// A prepared numeric input, tagged with its declared kind as the host does.
inline impact_value number_value(const char* key, double number, impact_input_kind kind = IMPACT_KIND_NUMBER) {
    impact_value v = make_value(key, kind);
    v.number = number;
    return v;
}
inline impact_value date_value(const char* key, int32_t date_days) {
    impact_value v = make_value(key, IMPACT_KIND_DATE);
    v.date = date_days;
    return v;
}
inline impact_value series_value(const char* key, const impact_series* series, uint32_t count) {
    impact_value v = make_value(key, IMPACT_KIND_SERIES);
    v.series = series;
    v.series_count = count;
    return v;
}

// One dated series whose storage the test keeps alive.
struct OwnedSeries {
    std::string label;
    std::vector<impact_date_days> dates;
    std::vector<double> values;

    impact_series view() const {
        impact_series s{};
        s.struct_size = sizeof s;
        s.label = label.c_str();
        s.dates = dates.data();
        s.values = values.data();
        s.count = dates.size();
        return s;
    }
};

// An instance created through the factory and destroyed with the C destroy().
struct Instance {
    const LoadedPlugin& plugin;
    impact_model_instance* instance = nullptr;
    impact_status status = IMPACT_STATUS_INTERNAL;
    ErrorStorage create_error;
    uint32_t input_width = 0;
    uint32_t output_width = 0;

    Instance(const LoadedPlugin& loaded, const char* model_id, const std::vector<impact_value>& values)
        : plugin(loaded) {
        const impact_model_descriptor* d = loaded.descriptor(model_id);
        REQUIRE(d != nullptr);
        for (uint32_t i = 0; i < d->input_count; ++i) {
            const impact_input_descriptor& in = d->inputs[i];
            const bool numeric =
                in.kind == IMPACT_KIND_NUMBER || in.kind == IMPACT_KIND_MONEY || in.kind == IMPACT_KIND_PERCENT;
            if (numeric && !(in.flags & IMPACT_INPUT_PREPARED)) ++input_width;
        }
        output_width = d->output_count;
        impact_prepare_args args{};
        args.struct_size = sizeof args;
        args.values = values.data();
        args.value_count = static_cast<uint32_t>(values.size());
        status = loaded.factory->create(model_id, &args, &instance, &create_error.error);
    }
    ~Instance() {
        if (instance) instance->destroy(instance);
    }
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    // Notes in the order the plugin gives them.
    std::vector<std::pair<std::string, std::string>> notes() const {
        std::vector<std::pair<std::string, std::string>> out;
        const char* key = nullptr;
        const char* value = nullptr;
        for (uint32_t i = 0; instance->get_note(instance, i, &key, &value); ++i) out.emplace_back(key, value);
        return out;
    }
    std::map<std::string, std::string> note_map() const {
        const auto list = notes();
        return {list.begin(), list.end()};
    }

    // Evaluates `rows` rows of row-major inputs (input_width per row); outputs are resized
    // to rows x output_width and pre-filled with NaN so that an unwritten cell shows.
    impact_status evaluate(const std::vector<double>& inputs, uint64_t rows, std::vector<double>& outputs,
                           ErrorStorage& error) const {
        outputs.assign(static_cast<std::size_t>(rows) * output_width, std::numeric_limits<double>::quiet_NaN());
        return instance->evaluate(instance, inputs.empty() ? nullptr : inputs.data(), rows, outputs.data(),
                                  &error.error);
    }
};

}  // namespace impact_test

#endif  // IMPACT_TESTS_MODELS_PLUGIN_HARNESS_HPP
