/* A plugin as a 1.1-era author wrote it: plain C against the frozen ABI 1.1 header, model legacy.split
 * (half = x / 2, rest = x - half), with poison where ABI 1.2 appended the output's flags and direction. */
#include <impact/sdk/impact_plugin.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The build points the include path at tests/abi/v1.1; reaching the current header instead
 * would make this a 1.2 plugin and the test would prove nothing. */
#if IMPACT_ABI_MAJOR != 1 || IMPACT_ABI_MINOR != 1
#error "legacy_v1_1_plugin.c must be compiled against the frozen ABI 1.1 header (tests/abi/v1.1)"
#endif
#ifdef IMPACT_OUTPUT_MAY_BE_UNDEFINED
#error "the ABI 1.1 header has no output flags"
#endif

static const impact_input_descriptor split_inputs[] = {
    {sizeof(impact_input_descriptor), "x", "x", "The number to split", IMPACT_KIND_NUMBER, "",
     IMPACT_INPUT_REQUIRED, 0.0, NULL, 0.0, 0.0},
};

/* A 1.1 output descriptor is 40 bytes; ABI 1.2 appended flags (at 40) and direction (at 44).
 * The array is stepped by struct_size, so the bytes right after the last output are where a
 * host that ignores struct_size would find output #1's flags and direction. The poison there
 * is valid 1.2 data (may be undefined, higher is worse), so such a host would not even refuse
 * the plugin: it would silently report the wrong flags and direction. */
struct split_outputs_with_poison {
    impact_output_descriptor outputs[2];
    uint32_t poison_flags;     /* IMPACT_OUTPUT_MAY_BE_UNDEFINED in ABI 1.2 */
    uint32_t poison_direction; /* IMPACT_DIRECTION_HIGHER_IS_WORSE in ABI 1.2 */
};
_Static_assert(sizeof(impact_output_descriptor) == 40, "a 1.1 output descriptor is 40 bytes on LP64");
_Static_assert(offsetof(struct split_outputs_with_poison, poison_flags) == 2 * sizeof(impact_output_descriptor),
               "the poison must sit right after the 1.1 output descriptors");
static const struct split_outputs_with_poison split_outputs = {
    {{sizeof(impact_output_descriptor), "half", "Half", "x / 2", ""},
     {sizeof(impact_output_descriptor), "rest", "Rest", "x - half", ""}},
    0x1u,
    2u};

static const impact_model_descriptor split_model = {
    sizeof(impact_model_descriptor), "legacy.split", "Legacy split", "1.1.0",
    "half and rest of x, from a plugin built against SDK ABI 1.1", IMPACT_THREAD_FULLY_SAFE, split_inputs, 1,
    split_outputs.outputs, 2, "tests/abi/legacy_v1_1_plugin.c"};

static impact_status split_evaluate(const impact_model_instance* self, const double* inputs, uint64_t row_count,
                                    double* outputs, impact_error* error) {
    uint64_t row;
    (void)self;
    (void)error;
    for (row = 0; row < row_count; ++row) {
        outputs[2 * row] = inputs[row] / 2.0;
        outputs[2 * row + 1] = inputs[row] - outputs[2 * row];
    }
    return IMPACT_STATUS_OK;
}

static uint32_t split_get_note(const impact_model_instance* self, uint32_t index, const char** key,
                               const char** value) {
    (void)self;
    if (index != 0) return 0;
    *key = "built_against";
    *value = "SDK ABI 1.1";
    return 1;
}

static const void* split_get_extension(const impact_model_instance* self, const char* interface_id) {
    (void)self;
    (void)interface_id;
    return NULL;
}

static void split_destroy(impact_model_instance* self) { free(self); }

static uint32_t split_model_count(void) { return 1; }

static const impact_model_descriptor* split_model_descriptor(uint32_t index) {
    return index == 0 ? &split_model : NULL;
}

static impact_status split_create(const char* model_id, const impact_prepare_args* args,
                                  impact_model_instance** out_instance, impact_error* error) {
    impact_model_instance* instance;
    (void)args;
    (void)error;
    *out_instance = NULL;
    if (!model_id || strcmp(model_id, "legacy.split") != 0) return IMPACT_STATUS_UNKNOWN_MODEL;
    instance = (impact_model_instance*)malloc(sizeof *instance);
    if (!instance) return IMPACT_STATUS_INTERNAL;
    instance->model_data = NULL;
    instance->evaluate = &split_evaluate;
    instance->get_note = &split_get_note;
    instance->get_extension = &split_get_extension;
    instance->destroy = &split_destroy;
    *out_instance = instance;
    return IMPACT_STATUS_OK;
}

static const impact_model_factory_v1 split_factory = {&split_model_count, &split_model_descriptor, &split_create};

static const void* split_get_interface(const char* interface_id) {
    if (interface_id && strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0) return &split_factory;
    return NULL;
}

IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.legacy-abi-1-1-test", "1.1.0",
    "Legacy ABI 1.1 test plugin", &split_get_interface};
