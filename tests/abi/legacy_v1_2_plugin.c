/* A plugin as a 1.2-era author wrote it: plain C against the frozen ABI 1.2 header, model legacy.halve
 * (half = x / 2 for x > 0), noting the size of the prepare args the host passed. */
#include <impact/sdk/impact_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The build points the include path at tests/abi/v1.2; reaching the current header instead
 * would make this a 1.3 plugin and the test would prove nothing. */
#if IMPACT_ABI_MAJOR != 1 || IMPACT_ABI_MINOR != 2
#error "legacy_v1_2_plugin.c must be compiled against the frozen ABI 1.2 header (tests/abi/v1.2)"
#endif
#ifdef IMPACT_INPUT_OPTIONAL_ROW
#error "the ABI 1.2 header has no optional-row flag"
#endif

static const impact_input_descriptor halve_inputs[] = {
    {sizeof(impact_input_descriptor), "x", "x", "The number to halve, > 0", IMPACT_KIND_NUMBER, "",
     IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE, 0.0, NULL, 0.0, 0.0},
};

static const impact_output_descriptor halve_outputs[] = {
    {sizeof(impact_output_descriptor), "half", "Half", "x / 2", "", 0u, IMPACT_DIRECTION_NEUTRAL},
};

static const impact_model_descriptor halve_model = {
    sizeof(impact_model_descriptor), "legacy.halve", "Legacy halve", "1.2.0",
    "half of x, from a plugin built against SDK ABI 1.2", IMPACT_THREAD_FULLY_SAFE, halve_inputs, 1,
    halve_outputs, 1, "tests/abi/legacy_v1_2_plugin.c"};

/* The instance keeps the struct_size the host passed, as text for get_note. */
typedef struct halve_data {
    char prepare_args_size[24];
} halve_data;

static impact_status halve_evaluate(const impact_model_instance* self, const double* inputs, uint64_t row_count,
                                    double* outputs, impact_error* error) {
    uint64_t row;
    (void)self;
    for (row = 0; row < row_count; ++row) {
        /* A 1.2 plugin relies on the host's bound: it never expects NaN in its one column. */
        if (!(inputs[row] > 0.0)) {
            if (error && error->struct_size >= sizeof(impact_error)) error->row = (int64_t)row;
            return IMPACT_STATUS_INVALID_INPUT;
        }
        outputs[row] = inputs[row] / 2.0;
    }
    return IMPACT_STATUS_OK;
}

static uint32_t halve_get_note(const impact_model_instance* self, uint32_t index, const char** key,
                               const char** value) {
    const halve_data* data = (const halve_data*)self->model_data;
    if (index != 0) return 0;
    *key = "prepare_args_size";
    *value = data->prepare_args_size;
    return 1;
}

static const void* halve_get_extension(const impact_model_instance* self, const char* interface_id) {
    (void)self;
    (void)interface_id;
    return NULL;
}

static void halve_destroy(impact_model_instance* self) {
    free(self->model_data);
    free(self);
}

static uint32_t halve_model_count(void) { return 1; }

static const impact_model_descriptor* halve_model_descriptor(uint32_t index) {
    return index == 0 ? &halve_model : NULL;
}

static impact_status halve_create(const char* model_id, const impact_prepare_args* args,
                                  impact_model_instance** out_instance, impact_error* error) {
    impact_model_instance* instance;
    halve_data* data;
    (void)error;
    *out_instance = NULL;
    if (!model_id || strcmp(model_id, "legacy.halve") != 0) return IMPACT_STATUS_UNKNOWN_MODEL;
    /* As a 1.2 plugin must: the args are at least as large as it knows them. */
    if (!args || args->struct_size < sizeof(impact_prepare_args)) return IMPACT_STATUS_ABI_MISMATCH;
    instance = (impact_model_instance*)malloc(sizeof *instance);
    data = (halve_data*)malloc(sizeof *data);
    if (!instance || !data) {
        free(instance);
        free(data);
        return IMPACT_STATUS_INTERNAL;
    }
    snprintf(data->prepare_args_size, sizeof data->prepare_args_size, "%u", (unsigned)args->struct_size);
    instance->model_data = data;
    instance->evaluate = &halve_evaluate;
    instance->get_note = &halve_get_note;
    instance->get_extension = &halve_get_extension;
    instance->destroy = &halve_destroy;
    *out_instance = instance;
    return IMPACT_STATUS_OK;
}

static const impact_model_factory_v1 halve_factory = {&halve_model_count, &halve_model_descriptor, &halve_create};

static const void* halve_get_interface(const char* interface_id) {
    if (interface_id && strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0) return &halve_factory;
    return NULL;
}

IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.legacy-abi-1-2-test", "1.2.0",
    "Legacy ABI 1.2 test plugin", &halve_get_interface};
