// Loads a built plugin with dlopen and drives its models through the C ABI only, as any host would.
#pragma once

// Nothing from the SDK's C++ wrapper or from core/ is used here, so tests built on this see a
// plugin exactly as a host does: the entry symbol, the factory table and the C structs.

#include <impact/sdk/impact_plugin.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact::test {

// A plugin opened with dlopen and never unloaded: its descriptors and note strings point into it.
// On failure `factory` is null and `load_error` says why.
struct LoadedPlugin {
    std::string path;
    const impact_plugin_entry* entry = nullptr;
    const impact_model_factory_v1* factory = nullptr;
    std::string load_error;

    explicit LoadedPlugin(std::string plugin_path);

    // The descriptor of `model_id`, or null when the plugin has no such model.
    const impact_model_descriptor* descriptor(std::string_view model_id) const;
};

// The plugin at `path`, loaded once per path for the whole test run. REQUIREs that it loaded and
// offers the model factory (the path and the loader's error are the failure message).
const LoadedPlugin& require_loaded_plugin(const std::string& path);

// Host-side error storage, as a host provides it: room for the message and the input key, row -1.
struct ErrorStorage {
    char message[1024] = {};
    char key[64] = {};
    impact_error error{};

    ErrorStorage();
    ErrorStorage(const ErrorStorage&) = delete;
    ErrorStorage& operator=(const ErrorStorage&) = delete;
};

// Prepared values as a host passes them to create(): struct_size, key and kind set, one payload each.
impact_value make_value(const char* key, impact_input_kind kind);
impact_value text_value(const char* key, const char* text);
// A numeric input, tagged with its declared kind as the host does.
impact_value number_value(const char* key, double number, impact_input_kind kind = IMPACT_KIND_NUMBER);
impact_value date_value(const char* key, std::int32_t date_days);
impact_value series_value(const char* key, const impact_series* series, std::uint32_t count);
impact_value series_value(const char* key, const std::vector<impact_series>& series);

// One dated series whose storage the test keeps alive; view() is what a host passes.
struct OwnedSeries {
    std::string label;
    std::vector<impact_date_days> dates;
    std::vector<double> values;

    impact_series view() const;
};

// A model instance created through a loaded plugin's factory (REQUIREs that the model exists) and
// destroyed with the C destroy(). `status` and `create_error` are what create() returned.
struct ModelInstance {
    impact_model_instance* instance = nullptr;
    impact_status status = IMPACT_STATUS_INTERNAL;
    ErrorStorage create_error;
    std::uint32_t input_width = 0;   // batch columns: numeric inputs that are not prepared
    std::uint32_t output_width = 0;  // outputs per row
    std::vector<const char*> absent_row_inputs;  // kept for the instance's life, as the ABI asks

    // absent_row_inputs: the optional-per-row inputs left out (impact_prepare_args, ABI 1.3); their
    // columns must then hold NaN. The keys must outlive the instance (string literals do).
    ModelInstance(const LoadedPlugin& loaded, const char* model_id, const std::vector<impact_value>& values,
                  std::vector<const char*> absent_row_inputs = {});
    ~ModelInstance();
    ModelInstance(const ModelInstance&) = delete;
    ModelInstance& operator=(const ModelInstance&) = delete;

    // Notes in the order the plugin gives them.
    std::vector<std::pair<std::string, std::string>> notes() const;
    // The notes by key (the first value of a key repeated).
    std::map<std::string, std::string> note_map() const;

    // Evaluates `rows` rows of row-major inputs (input_width per row); `outputs` is resized to
    // rows x output_width and pre-filled with NaN so that an unwritten cell shows.
    impact_status evaluate(const std::vector<double>& inputs, std::uint64_t rows, std::vector<double>& outputs,
                           ErrorStorage& error) const;
};

}  // namespace impact::test
