/* Compiles the SDK's C header as strict C11, uses every type, and exports the C view of the layout. */
#include <impact/sdk/impact_plugin.h> /* first: the header must be self-contained */

#include "c_layout_table.h"
#include "lp64_layout_expected.h"

#include <string.h>

/* The build passes -std=c11 -pedantic-errors; this proves the flag reached the compiler. */
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ != 201112L
#error "c11_header_check.c must be compiled as C11"
#endif

/* ---- The layout as this C compiler computes it (no expectation here on purpose: the
 * C++ test compares these rows with its own view, so a C-only drift is caught there). */

#define IMPACT_C_STRUCT_ROW(T, SIZE_BYTES, ALIGN_BYTES) {#T, "", 0, sizeof(T), _Alignof(T)},
#define IMPACT_C_FIELD_ROW(T, F, OFFSET_BYTES, SIZE_BYTES) {#T, #F, offsetof(T, F), sizeof(((T*)0)->F), 0},

const impact_c_layout_row impact_c_layout[] = {
    IMPACT_LP64_STRUCTS(IMPACT_C_STRUCT_ROW) IMPACT_LP64_FIELDS(IMPACT_C_FIELD_ROW)};
const size_t impact_c_layout_count = sizeof impact_c_layout / sizeof impact_c_layout[0];

/* ---- Every type in use: a complete (never exported) C plugin. The C++ layout test calls it
 * through impact_c_check_entry() to read C-written structs with the C++ view. */

/* One row input `x`, one output `y` = x + 0.5; every descriptor field gets a distinct value
 * so a field read at the wrong offset shows. */
static const impact_input_descriptor c_check_inputs[] = {
    {sizeof(impact_input_descriptor), "x", "X label", "X description", IMPACT_KIND_MONEY, "{currency}",
     IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_HAS_MAX, 1.25,
     NULL, -10.5, 10.75},
    {sizeof(impact_input_descriptor), "currency", "Currency", "", IMPACT_KIND_TEXT, "",
     IMPACT_INPUT_HAS_DEFAULT, 0.0, "EUR", 0.0, 0.0},
};
static const impact_output_descriptor c_check_outputs[] = {
    {sizeof(impact_output_descriptor), "y", "Y label", "Y description", "{currency}", IMPACT_OUTPUT_MAY_BE_UNDEFINED,
     IMPACT_DIRECTION_HIGHER_IS_WORSE},
};
static const impact_model_descriptor c_check_model = {
    sizeof(impact_model_descriptor), "c.check", "C check", "1.2.3", "Written by a C11 compiler",
    (impact_thread_safety)IMPACT_THREAD_FULLY_SAFE, c_check_inputs, 2, c_check_outputs, 1, "C11 reference"};

/* Writes into host error storage only inside struct_size and the capacities. */
static void c_check_fail(impact_error* error, const char* message, const char* input_key, int64_t row) {
    if (!error) return;
    if (error->struct_size >= offsetof(impact_error, message_capacity) + sizeof(uint32_t) && error->message &&
        error->message_capacity > 0) {
        size_t n = strlen(message);
        if (n >= error->message_capacity) n = error->message_capacity - 1;
        memcpy(error->message, message, n);
        error->message[n] = '\0';
    }
    if (error->struct_size >= offsetof(impact_error, input_key_capacity) + sizeof(uint32_t) &&
        error->input_key && error->input_key_capacity > 0) {
        size_t n = strlen(input_key);
        if (n >= error->input_key_capacity) n = error->input_key_capacity - 1;
        memcpy(error->input_key, input_key, n);
        error->input_key[n] = '\0';
    }
    if (error->struct_size >= offsetof(impact_error, row) + sizeof(int64_t)) error->row = row;
}

typedef struct c_check_state {
    impact_model_instance instance;
    impact_date_days as_of;
    double scale;
    char currency[4];
} c_check_state;

static impact_status c_check_evaluate(const impact_model_instance* self, const double* inputs, uint64_t row_count,
                                      double* outputs, impact_error* error) {
    const c_check_state* state = (const c_check_state*)self->model_data;
    uint64_t row;
    for (row = 0; row < row_count; ++row) {
        if (inputs[row] != inputs[row]) {
            c_check_fail(error, "x is NaN", "x", (int64_t)row);
            return IMPACT_STATUS_INVALID_INPUT;
        }
        outputs[row] = inputs[row] * state->scale + 0.5;
    }
    return IMPACT_STATUS_OK;
}

static uint32_t c_check_get_note(const impact_model_instance* self, uint32_t index, const char** key,
                                 const char** value) {
    const c_check_state* state = (const c_check_state*)self->model_data;
    if (index != 0) return 0;
    *key = "currency";
    *value = state->currency;
    return 1;
}

/* 1.4: one result table written by C ("impact.tables/1"); every field a distinct value, so a field
 * read at the wrong offset by C++ shows. */
static const char* const c_check_firms[] = {"NVDA", "AMD", "TSM"};
static const double c_check_cars[] = {0.25, -0.5, 0.125};
static const impact_table_column c_check_columns[] = {
    {sizeof(impact_table_column), "firm", "Firm", "", IMPACT_COLUMN_TEXT, 0u, NULL, c_check_firms},
    {sizeof(impact_table_column), "car", "CAR", "%", IMPACT_COLUMN_NUMBER, IMPACT_COLUMN_MAY_BE_UNDEFINED,
     c_check_cars, NULL},
};
static const impact_table c_check_table = {sizeof(impact_table), "firms", "Per firm", "Written by C",
                                           c_check_columns, 2, 3};

static uint32_t c_check_table_count(const impact_model_instance* self) {
    (void)self;
    return 1;
}

static const impact_table* c_check_table_at(const impact_model_instance* self, uint32_t index) {
    (void)self;
    return index == 0 ? &c_check_table : NULL;
}

static const impact_tables_v1 c_check_tables = {&c_check_table_count, &c_check_table_at};

static const void* c_check_get_extension(const impact_model_instance* self, const char* interface_id) {
    (void)self;
    return interface_id && strcmp(interface_id, IMPACT_TABLES_V1) == 0 ? &c_check_tables : NULL;
}

/* One static instance is enough for a compile-and-layout check; destroy only resets it. */
static c_check_state c_check_the_state;

static void c_check_destroy(impact_model_instance* self) { (void)self; }

static uint32_t c_check_model_count(void) { return 1; }

static const impact_model_descriptor* c_check_model_descriptor(uint32_t index) {
    return index == 0 ? &c_check_model : NULL;
}

/* Reads every impact_value field and every impact_series field it is given. */
static impact_status c_check_create(const char* model_id, const impact_prepare_args* args,
                                    impact_model_instance** out_instance, impact_error* error) {
    uint32_t i;
    const impact_input_kind text_kind = IMPACT_KIND_TEXT;
    *out_instance = NULL;
    if (!model_id || strcmp(model_id, "c.check") != 0) {
        c_check_fail(error, "unknown model", "", -1);
        return IMPACT_STATUS_UNKNOWN_MODEL;
    }
    if (!args || args->struct_size < offsetof(impact_prepare_args, value_count) + sizeof(uint32_t)) {
        c_check_fail(error, "impact_prepare_args too small", "", -1);
        return IMPACT_STATUS_ABI_MISMATCH;
    }
    c_check_the_state.as_of = 0;
    c_check_the_state.scale = 1.0;
    strcpy(c_check_the_state.currency, "EUR");
    for (i = 0; i < args->value_count; ++i) {
        const impact_value* v = &args->values[i];
        if (v->kind == text_kind && v->text && strlen(v->text) == 3) strcpy(c_check_the_state.currency, v->text);
        if (v->kind == IMPACT_KIND_DATE) c_check_the_state.as_of = v->date;
        if (v->kind == IMPACT_KIND_NUMBER || v->kind == IMPACT_KIND_PERCENT) c_check_the_state.scale = v->number;
        if (v->kind == IMPACT_KIND_SERIES && v->series_count > 0) {
            const impact_series* s = &v->series[0];
            if (s->count > 0 && s->dates[0] >= 0 && s->label) c_check_the_state.scale = s->values[s->count - 1];
        }
    }
    c_check_the_state.instance.model_data = &c_check_the_state;
    c_check_the_state.instance.evaluate = &c_check_evaluate;
    c_check_the_state.instance.get_note = &c_check_get_note;
    c_check_the_state.instance.get_extension = &c_check_get_extension;
    c_check_the_state.instance.destroy = &c_check_destroy;
    *out_instance = &c_check_the_state.instance;
    if (c_check_the_state.as_of < 0) {
        c_check_fail(error, "dates before 1970 are refused by this check model", "as_of", -1);
        *out_instance = NULL;
        return IMPACT_STATUS_MODEL_FAILED;
    }
    return IMPACT_STATUS_OK;
}

static const impact_model_factory_v1 c_check_factory = {&c_check_model_count, &c_check_model_descriptor,
                                                        &c_check_create};

static const void* c_check_get_interface(const char* interface_id) {
    if (interface_id && strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0) return &c_check_factory;
    return NULL;
}

/* Not named IMPACT_PLUGIN_ENTRY_NAME: this object is linked into tests, not loaded. */
static const impact_plugin_entry c_check_plugin_entry = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, "org.impact.c-check", "1.0.0",
    "C11 header check", &c_check_get_interface};

const impact_plugin_entry* impact_c_check_entry(void) { return &c_check_plugin_entry; }
