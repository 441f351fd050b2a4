/* A plugin as a 1.0-era author wrote it: plain C against the frozen ABI 1.0 header, model legacy.double (y = 2x). */
#include <impact/sdk/impact_plugin.h>

#include <stdlib.h>
#include <string.h>

/* The build points the include path at tests/abi/v1.0; reaching the current header instead
 * would make this a 1.1 plugin and the test would prove nothing. */
#if IMPACT_ABI_MAJOR != 1 || IMPACT_ABI_MINOR != 0
#error "legacy_double_plugin.c must be compiled against the frozen ABI 1.0 header (tests/abi/v1.0)"
#endif

static const impact_input_descriptor legacy_inputs[] = {
    {sizeof(impact_input_descriptor), "x", "x", "The number to double", IMPACT_KIND_NUMBER, "",
     IMPACT_INPUT_REQUIRED, 0.0, NULL, 0.0, 0.0},
};
static const impact_output_descriptor legacy_outputs[] = {
    {sizeof(impact_output_descriptor), "y", "y", "Twice x", ""},
};

/* The 1.0 descriptor is 80 bytes; a 1.1 host must read `references` (at offset 80) only when
 * struct_size covers it. The poison pointer sits exactly where a 1.1 descriptor keeps
 * `references`, so a host that ignores struct_size reports it instead of "". */
struct legacy_model_with_poison {
    impact_model_descriptor descriptor;
    const char* poison;
};
_Static_assert(offsetof(struct legacy_model_with_poison, poison) == sizeof(impact_model_descriptor),
               "the poison must sit right after the 1.0 descriptor");
static const struct legacy_model_with_poison legacy_model = {
    {sizeof(impact_model_descriptor), "legacy.double", "Legacy double", "1.0.0",
     "y = 2x, from a plugin built against SDK ABI 1.0", IMPACT_THREAD_FULLY_SAFE, legacy_inputs, 1,
     legacy_outputs, 1},
    "POISON: the host read impact_model_descriptor past its struct_size"};

/* Writes into host error storage only inside struct_size and the capacities (1.0 rules). */
static void legacy_fail(impact_error* error, const char* message) {
    size_t n;
    if (!error) return;
    if (error->struct_size >= offsetof(impact_error, message_capacity) + sizeof(uint32_t) && error->message &&
        error->message_capacity > 0) {
        n = strlen(message);
        if (n >= error->message_capacity) n = error->message_capacity - 1;
        memcpy(error->message, message, n);
        error->message[n] = '\0';
    }
    if (error->struct_size >= offsetof(impact_error, input_key_capacity) + sizeof(uint32_t) && error->input_key &&
        error->input_key_capacity > 0)
        error->input_key[0] = '\0';
    if (error->struct_size >= offsetof(impact_error, row) + sizeof(int64_t)) error->row = -1;
}

static impact_status legacy_evaluate(const impact_model_instance* self, const double* inputs, uint64_t row_count,
                                     double* outputs, impact_error* error) {
    uint64_t row;
    (void)self;
    (void)error;
    /* One batch column (x) in, one output (y) out, row-major. */
    for (row = 0; row < row_count; ++row) outputs[row] = 2.0 * inputs[row];
    return IMPACT_STATUS_OK;
}

static uint32_t legacy_get_note(const impact_model_instance* self, uint32_t index, const char** key,
                                const char** value) {
    (void)self;
    if (index != 0) return 0;
    *key = "built_against";
    *value = "SDK ABI 1.0";
    return 1;
}

static const void* legacy_get_extension(const impact_model_instance* self, const char* interface_id) {
    (void)self;
    (void)interface_id;
    return NULL;
}

static void legacy_destroy(impact_model_instance* self) { free(self); }

static uint32_t legacy_model_count(void) { return 1; }

static const impact_model_descriptor* legacy_model_descriptor(uint32_t index) {
    return index == 0 ? &legacy_model.descriptor : NULL;
}

static impact_status legacy_create(const char* model_id, const impact_prepare_args* args,
                                   impact_model_instance** out_instance, impact_error* error) {
    impact_model_instance* instance;
    (void)args; /* no prepared inputs */
    *out_instance = NULL;
    if (!model_id || strcmp(model_id, "legacy.double") != 0) {
        legacy_fail(error, "no such model in the legacy plugin");
        return IMPACT_STATUS_UNKNOWN_MODEL;
    }
    instance = (impact_model_instance*)malloc(sizeof *instance);
    if (!instance) {
        legacy_fail(error, "out of memory");
        return IMPACT_STATUS_INTERNAL;
    }
    instance->model_data = NULL;
    instance->evaluate = &legacy_evaluate;
    instance->get_note = &legacy_get_note;
    instance->get_extension = &legacy_get_extension;
    instance->destroy = &legacy_destroy;
    *out_instance = instance;
    return IMPACT_STATUS_OK;
}

static const impact_model_factory_v1 legacy_factory = {&legacy_model_count, &legacy_model_descriptor,
                                                       &legacy_create};

static const void* legacy_get_interface(const char* interface_id) {
    if (interface_id && strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0) return &legacy_factory;
    return NULL;
}

IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.legacy-abi-test", "1.0.0",
    "Legacy ABI 1.0 test plugin", &legacy_get_interface};
