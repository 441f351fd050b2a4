// The dlopen loader, value builders and model instance of plugin_abi.hpp.
#include "support/plugin_abi.hpp"

#include <catch2/catch.hpp>

#include <dlfcn.h>

#include <limits>
#include <memory>
#include <mutex>

namespace impact::test {

LoadedPlugin::LoadedPlugin(std::string plugin_path) : path(std::move(plugin_path)) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        load_error = ::dlerror();
        return;
    }
    entry = static_cast<const impact_plugin_entry*>(::dlsym(handle, IMPACT_PLUGIN_ENTRY_SYMBOL));
    if (!entry) {
        load_error = "no symbol " IMPACT_PLUGIN_ENTRY_SYMBOL;
        return;
    }
    factory = static_cast<const impact_model_factory_v1*>(entry->get_interface(IMPACT_MODEL_FACTORY_V1));
    if (!factory) load_error = "no interface " IMPACT_MODEL_FACTORY_V1;
}

const impact_model_descriptor* LoadedPlugin::descriptor(std::string_view model_id) const {
    for (std::uint32_t i = 0; i < factory->model_count(); ++i) {
        const impact_model_descriptor* d = factory->model_descriptor(i);
        if (d && model_id == d->id) return d;
    }
    return nullptr;
}

const LoadedPlugin& require_loaded_plugin(const std::string& path) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<const LoadedPlugin>> loaded_by_path;
    const LoadedPlugin* loaded = nullptr;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        auto& slot = loaded_by_path[path];
        if (!slot) slot = std::make_unique<const LoadedPlugin>(path);
        loaded = slot.get();
    }
    INFO("plugin: " << loaded->path << "\nerror: " << loaded->load_error);
    REQUIRE(loaded->factory != nullptr);
    return *loaded;
}

ErrorStorage::ErrorStorage() {
    error.struct_size = sizeof error;
    error.message = message;
    error.message_capacity = sizeof message;
    error.input_key = key;
    error.input_key_capacity = sizeof key;
    error.row = -1;
}

impact_value make_value(const char* key, impact_input_kind kind) {
    impact_value v{};
    v.struct_size = sizeof v;
    v.key = key;
    v.kind = kind;
    return v;
}

impact_value text_value(const char* key, const char* text) {
    impact_value v = make_value(key, IMPACT_KIND_TEXT);
    v.text = text;
    return v;
}

impact_value number_value(const char* key, double number, impact_input_kind kind) {
    impact_value v = make_value(key, kind);
    v.number = number;
    return v;
}

impact_value date_value(const char* key, std::int32_t date_days) {
    impact_value v = make_value(key, IMPACT_KIND_DATE);
    v.date = date_days;
    return v;
}

impact_value series_value(const char* key, const impact_series* series, std::uint32_t count) {
    impact_value v = make_value(key, IMPACT_KIND_SERIES);
    v.series = series;
    v.series_count = count;
    return v;
}

impact_value series_value(const char* key, const std::vector<impact_series>& series) {
    return series_value(key, series.data(), static_cast<std::uint32_t>(series.size()));
}

impact_series OwnedSeries::view() const {
    impact_series s{};
    s.struct_size = sizeof s;
    s.label = label.c_str();
    s.dates = dates.data();
    s.values = values.data();
    s.count = dates.size();
    return s;
}

ModelInstance::ModelInstance(const LoadedPlugin& loaded, const char* model_id,
                             const std::vector<impact_value>& values, std::vector<const char*> absent)
    : absent_row_inputs(std::move(absent)) {
    const impact_model_descriptor* d = loaded.descriptor(model_id);
    REQUIRE(d != nullptr);
    for (std::uint32_t i = 0; i < d->input_count; ++i) {
        const impact_input_descriptor& in = d->inputs[i];
        const bool numeric =
            in.kind == IMPACT_KIND_NUMBER || in.kind == IMPACT_KIND_MONEY || in.kind == IMPACT_KIND_PERCENT;
        if (numeric && !(in.flags & IMPACT_INPUT_PREPARED)) ++input_width;
    }
    output_width = d->output_count;
    impact_prepare_args args{};
    args.struct_size = sizeof args;
    args.values = values.data();
    args.value_count = static_cast<std::uint32_t>(values.size());
    args.absent_row_inputs = absent_row_inputs.empty() ? nullptr : absent_row_inputs.data();
    args.absent_row_input_count = static_cast<std::uint32_t>(absent_row_inputs.size());
    status = loaded.factory->create(model_id, &args, &instance, &create_error.error);
}

ModelInstance::~ModelInstance() {
    if (instance) instance->destroy(instance);
}

std::vector<std::pair<std::string, std::string>> ModelInstance::notes() const {
    std::vector<std::pair<std::string, std::string>> out;
    const char* key = nullptr;
    const char* value = nullptr;
    for (std::uint32_t i = 0; instance->get_note(instance, i, &key, &value); ++i) out.emplace_back(key, value);
    return out;
}

std::map<std::string, std::string> ModelInstance::note_map() const {
    const auto list = notes();
    return {list.begin(), list.end()};
}

impact_status ModelInstance::evaluate(const std::vector<double>& inputs, std::uint64_t rows,
                                      std::vector<double>& outputs, ErrorStorage& error) const {
    outputs.assign(static_cast<std::size_t>(rows) * output_width, std::numeric_limits<double>::quiet_NaN());
    return instance->evaluate(instance, inputs.empty() ? nullptr : inputs.data(), rows, outputs.data(), &error.error);
}

}  // namespace impact::test
