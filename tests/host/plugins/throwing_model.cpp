// Test plugin throwing_model: hand-written C ABI (no SDK wrapper, so no noexcept guards) whose
// models load cleanly but throw C++ exceptions from create and from evaluate.
#include <impact/sdk/impact_plugin.h>

#include <cstring>
#include <stdexcept>

namespace {

const impact_input_descriptor inputs[] = {
    {sizeof(impact_input_descriptor), "x", "X", "", IMPACT_KIND_NUMBER, "", 0u, 0.0, nullptr, 0.0, 0.0},
};
const impact_output_descriptor outputs[] = {
    {sizeof(impact_output_descriptor), "value", "Value", "", "", 0u, IMPACT_DIRECTION_NEUTRAL},
};
const impact_model_descriptor models[] = {
    {sizeof(impact_model_descriptor), "test.throw_on_create", "Throws from create", "1.0.0",
     "create throws std::runtime_error", IMPACT_THREAD_FULLY_SAFE, inputs, 1u, outputs, 1u, ""},
    {sizeof(impact_model_descriptor), "test.throw_on_evaluate", "Throws from evaluate", "1.0.0",
     "create succeeds, evaluate throws an int", IMPACT_THREAD_FULLY_SAFE, inputs, 1u, outputs, 1u, ""},
};
constexpr uint32_t model_total = sizeof models / sizeof models[0];

// Throws something that is not a std::exception, so the host's catch (...) path is exercised too.
impact_status evaluate_throws(const impact_model_instance*, const double*, uint64_t, double*, impact_error*) {
    throw 42;
}
uint32_t no_note(const impact_model_instance*, uint32_t, const char**, const char**) { return 0; }
const void* no_extension(const impact_model_instance*, const char*) { return nullptr; }
void destroy(impact_model_instance* self) { delete self; }

uint32_t model_count() { return model_total; }
const impact_model_descriptor* model_descriptor(uint32_t index) { return index < model_total ? &models[index] : nullptr; }

impact_status create(const char* model_id, const impact_prepare_args*, impact_model_instance** out_instance,
                     impact_error*) {
    *out_instance = nullptr;
    if (std::strcmp(model_id, "test.throw_on_create") == 0)
        throw std::runtime_error("throwing_model: create always throws");
    if (std::strcmp(model_id, "test.throw_on_evaluate") == 0) {
        *out_instance = new impact_model_instance{nullptr, &evaluate_throws, &no_note, &no_extension, &destroy};
        return IMPACT_STATUS_OK;
    }
    return IMPACT_STATUS_UNKNOWN_MODEL;
}

const impact_model_factory_v1 factory = {&model_count, &model_descriptor, &create};

const void* get_interface(const char* interface_id) {
    return interface_id && std::strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0 ? &factory : nullptr;
}

}  // namespace

extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1;
extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry impact_plugin_entry_v1 = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.test.throwing-model", "1.0.0",
    "Models that throw across the C ABI", &get_interface};
