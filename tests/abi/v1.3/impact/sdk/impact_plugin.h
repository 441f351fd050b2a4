/* FROZEN copy of the Impact plugin SDK header as released at ABI 1.3. NEVER EDIT THIS FILE. */
#ifndef IMPACT_SDK_IMPACT_PLUGIN_H
#define IMPACT_SDK_IMPACT_PLUGIN_H

/*
 * FROZEN: this is sdk/include/impact/sdk/impact_plugin.h exactly as ABI 1.3 shipped it
 * (the 1.4 instance interface "impact.tables/1" and its structs are absent, and
 * IMPACT_ABI_MINOR is 3). tests/abi compares its struct prefixes and values with the
 * current header (append-only rule). It must never change: a change here would make those
 * tests prove nothing. If the current header breaks a test that uses this file, the
 * current header is wrong.
 *
 * This header is the whole binary interface. It compiles as C11 and as C++17/20
 * and uses no C++ type, so a plugin built by any compiler that follows the
 * platform's C ABI can be loaded by any host of the same ABI major.
 *
 * Rules (docs/architecture.md, "ABI rules", says the same at more length):
 *  - A plugin exports exactly one symbol: IMPACT_PLUGIN_ENTRY_SYMBOL, a const
 *    impact_plugin_entry. Everything else is reached through it.
 *  - Interfaces are function tables looked up by string id ("impact.model-factory/1").
 *    An unknown id returns NULL. A shipped table is frozen: a change is a new id.
 *  - A data struct that may grow starts with `uint32_t struct_size`. Minor versions
 *    only append fields; the reader uses a field only if it lies inside struct_size.
 *    In an array of such structs every element has the same struct_size, and a reader
 *    steps through it by that size (element i starts at i * array[0].struct_size), never
 *    by its own sizeof, so that arrays keep working when the struct grows.
 *  - No exception, and no C++ standard-library, QuantLib or Boost type crosses
 *    this boundary. Errors are a status code plus a message written into storage
 *    the host provides (impact_error).
 *  - Plugins do no file or network I/O: the host reads files and passes data in.
 *
 * Thread contracts are written on every function as:
 *   [any-thread]     may be called from any thread, concurrently.
 *   [host-thread]    called by the host from one thread at a time (not concurrently
 *                    with any other [host-thread] call into the same plugin).
 *   [model-contract] concurrency as the model's impact_thread_safety declares.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions -------------------------------------------------------------- */

/* ABI major: a change that breaks binaries. It is part of the entry symbol's name,
 * so a host never even finds the entry of a plugin of another major. */
#define IMPACT_ABI_MAJOR 1
/* ABI minor: grows when fields are appended to growable structs.
 * 1.0: first release (frozen copy in tests/abi/v1.0/).
 * 1.1: appended impact_model_descriptor.references (frozen copy in tests/abi/v1.1/).
 * 1.2: exclusive-bound input flags; appended impact_output_descriptor.flags and .direction;
 *      interface "impact.descriptor-diagnostics/1" (frozen copy in tests/abi/v1.2/).
 * 1.3: input flag IMPACT_INPUT_OPTIONAL_ROW; appended impact_prepare_args.absent_row_inputs
 *      and .absent_row_input_count. */
#define IMPACT_ABI_MINOR 3

/* The one exported symbol. Its name carries the ABI major. */
#define IMPACT_PLUGIN_ENTRY_NAME impact_plugin_entry_v1
#define IMPACT_PLUGIN_ENTRY_SYMBOL "impact_plugin_entry_v1"

/* Marks the entry for export; the SDK's linker version script hides everything else. */
#if defined(_WIN32)
#define IMPACT_PLUGIN_EXPORT __declspec(dllexport)
#else
#define IMPACT_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* Interface ids, for impact_plugin_entry.get_interface. */
#define IMPACT_MODEL_FACTORY_V1 "impact.model-factory/1"
/* 1.2, optional: why a model descriptor could not be built (impact_descriptor_diagnostics_v1). */
#define IMPACT_DESCRIPTOR_DIAGNOSTICS_V1 "impact.descriptor-diagnostics/1"

/* ---- Status codes and errors -------------------------------------------- */

/* int32_t, not an enum, so the width is fixed on every compiler. */
typedef int32_t impact_status;
#define IMPACT_STATUS_OK 0
/* An input is missing, malformed or out of range; impact_error.input_key names it. */
#define IMPACT_STATUS_INVALID_INPUT 1
/* The inputs were acceptable but the model could not produce a result. */
#define IMPACT_STATUS_MODEL_FAILED 2
/* The model id is not provided by this factory. */
#define IMPACT_STATUS_UNKNOWN_MODEL 3
/* A struct the host passed is smaller than this plugin needs. */
#define IMPACT_STATUS_ABI_MISMATCH 4
/* An unexpected failure inside the plugin (a caught exception, out of memory). */
#define IMPACT_STATUS_INTERNAL 5

/* Host-provided storage a plugin writes an error into. The plugin writes at most
 * capacity bytes including the terminating NUL into each buffer; a NULL buffer or
 * zero capacity means "not wanted". */
typedef struct impact_error {
    uint32_t struct_size;         /* sizeof(impact_error) as the host compiled it */
    char* message;                /* one line, no trailing newline */
    uint32_t message_capacity;
    char* input_key;              /* the input concerned, "" when none */
    uint32_t input_key_capacity;
    int64_t row;                  /* batch row concerned, -1 when none */
} impact_error;

/* ---- Dates and series ----------------------------------------------------- */

/* Calendar dates cross as days since 1970-01-01 (proleptic Gregorian), so
 * 2025-04-16 is 20194. No time zone: these are trading or value dates. */
typedef int32_t impact_date_days;

/* One dated series, oldest first, dates strictly increasing. Memory is the host's
 * and stays valid until the instance that received it is destroyed: a plugin may keep
 * the pointers (and those of impact_value) in its instance and read them at evaluate. */
typedef struct impact_series {
    uint32_t struct_size;
    const char* label;            /* "NVDA close", "USD/KRW" */
    const impact_date_days* dates;
    const double* values;
    uint64_t count;
} impact_series;

/* ---- Model description ---------------------------------------------------- */

typedef uint32_t impact_input_kind;
#define IMPACT_KIND_NUMBER 0      /* plain number; unit says what of ("shares", "years") */
#define IMPACT_KIND_MONEY 1       /* amount in the currency given by unit */
#define IMPACT_KIND_PERCENT 2     /* crosses as a fraction: 6.3% is 0.063 */
#define IMPACT_KIND_DATE 3        /* prepared: impact_date_days */
#define IMPACT_KIND_TEXT 4        /* prepared: UTF-8 text (codes, names, choices) */
#define IMPACT_KIND_SERIES 5      /* prepared: one or more impact_series */

/* Input flags. */
#define IMPACT_INPUT_REQUIRED 0x1u     /* the host refuses to prepare without it */
#define IMPACT_INPUT_HAS_DEFAULT 0x2u  /* default_number or default_text applies */
#define IMPACT_INPUT_HAS_MIN 0x4u      /* numeric value must be >= min_value */
#define IMPACT_INPUT_HAS_MAX 0x8u      /* numeric value must be <= max_value */
/* A numeric input that is fixed per instance: it is given once at prepare time
 * (as impact_value.number) and is not a column of the evaluation batch. Use it for
 * structural numbers such as window lengths. */
#define IMPACT_INPUT_PREPARED 0x10u
/* 1.2: with IMPACT_INPUT_HAS_MIN, the value must be > min_value (not >=); with
 * IMPACT_INPUT_HAS_MAX and IMPACT_INPUT_MAX_EXCLUSIVE, < max_value. A host of ABI 1.0 or 1.1
 * ignores them (and checks >=, <=), so a plugin still refuses the bound value itself. */
#define IMPACT_INPUT_MIN_EXCLUSIVE 0x20u
#define IMPACT_INPUT_MAX_EXCLUSIVE 0x40u
/* 1.3: a batch input (numeric, not IMPACT_INPUT_PREPARED) that the user may leave out, for a
 * value that can come from elsewhere (fx.convert's `rate`, or its quote table). It takes
 * neither IMPACT_INPUT_REQUIRED nor IMPACT_INPUT_HAS_DEFAULT (the host refuses the descriptor).
 * When it is given it is checked like any batch input: finite, within its bounds, per row.
 * When it is not, the host passes NaN in its column at every row, skips that column's checks,
 * and names it in impact_prepare_args.absent_row_inputs, so the model knows at prepare time
 * (and `impact validate`, which prepares without evaluating, sees the same refusals as a run).
 * A host of ABI 1.0 to 1.2 refuses a plugin that declares it, as every unknown flag. */
#define IMPACT_INPUT_OPTIONAL_ROW 0x80u

/* The host's limits on what a descriptor may declare; a plugin beyond them is refused. */
#define IMPACT_MAX_MODELS 1024u           /* models per plugin */
#define IMPACT_MAX_INPUTS 256u            /* inputs per model */
#define IMPACT_MAX_OUTPUTS 256u           /* outputs per model */
#define IMPACT_MAX_DESCRIPTOR_SIZE 4096u  /* struct_size of any descriptor */
#define IMPACT_MAX_TEXT_BYTES 4096u       /* any descriptor string, without its NUL */

/* The unit string of a money input or an output may name a text input in braces:
 * "{currency}" means "the currency code given as the text input `currency`".
 * Percent inputs use "%"; a ratio output may read "{to}/{from}". */
typedef struct impact_input_descriptor {
    uint32_t struct_size;
    const char* key;              /* [a-z][a-z0-9_]*, unique within the model */
    const char* label;            /* short human label */
    const char* description;      /* one sentence, may be "" */
    impact_input_kind kind;
    const char* unit;             /* "" when none */
    uint32_t flags;               /* IMPACT_INPUT_* */
    double default_number;        /* numeric kinds, with IMPACT_INPUT_HAS_DEFAULT */
    const char* default_text;     /* text and date (ISO YYYY-MM-DD) kinds, or NULL */
    double min_value;             /* with IMPACT_INPUT_HAS_MIN */
    double max_value;             /* with IMPACT_INPUT_HAS_MAX */
} impact_input_descriptor;

/* Output flags (1.2). */
/* The output may be undefined (NaN) or infinite for some inputs, and that is a result, not
 * a failure: abnormal_market_cap without shares_outstanding. Without this flag a non-finite
 * value fails the run naming the model, the output and the row. */
#define IMPACT_OUTPUT_MAY_BE_UNDEFINED 0x1u

/* Which way an output is good or bad for the party the model speaks for (1.2). Reports use it
 * to show best and worst cases instead of low and high. A 1.0 or 1.1 plugin reads as neutral. */
typedef uint32_t impact_direction;
#define IMPACT_DIRECTION_NEUTRAL 0           /* a statistic, a rate, a count: no better or worse */
#define IMPACT_DIRECTION_HIGHER_IS_BETTER 1  /* a signed change in value: a gain > 0, a loss < 0 */
#define IMPACT_DIRECTION_HIGHER_IS_WORSE 2   /* a loss, charge or cost stated as a positive amount */

typedef struct impact_output_descriptor {
    uint32_t struct_size;
    const char* key;              /* [a-z][a-z0-9_]*, unique within the model */
    const char* label;
    const char* description;
    const char* unit;
    /* --- 1.2 --- */
    uint32_t flags;               /* IMPACT_OUTPUT_* */
    impact_direction direction;   /* IMPACT_DIRECTION_* */
} impact_output_descriptor;

/* What the host may do concurrently with a model's instances (after OpenFX's
 * render thread-safety levels). */
typedef uint32_t impact_thread_safety;
/* Only one instance of this model may be prepared, evaluated or destroyed at a time. */
#define IMPACT_THREAD_UNSAFE 0
/* Different instances may be used concurrently; one instance by one thread at a time. */
#define IMPACT_THREAD_INSTANCE_SAFE 1
/* One instance may be evaluated from several threads at once. */
#define IMPACT_THREAD_FULLY_SAFE 2

typedef struct impact_model_descriptor {
    uint32_t struct_size;
    const char* id;               /* "fx.convert": lower-case, dot-separated */
    const char* name;
    const char* version;          /* semver of the model's formulas */
    const char* description;
    impact_thread_safety thread_safety;
    const impact_input_descriptor* inputs;
    uint32_t input_count;
    const impact_output_descriptor* outputs;
    uint32_t output_count;
    /* --- 1.1 --- */
    const char* references;       /* where the method is documented, "" when none */
} impact_model_descriptor;

/* ---- Preparing an instance ---------------------------------------------- */

/* One value given at prepare time: every text, date and series input, and every
 * numeric input flagged IMPACT_INPUT_PREPARED. Inputs that were not given are absent
 * (the host has already applied defaults and checked required inputs). */
typedef struct impact_value {
    uint32_t struct_size;
    const char* key;
    impact_input_kind kind;
    const char* text;             /* IMPACT_KIND_TEXT */
    impact_date_days date;        /* IMPACT_KIND_DATE */
    double number;                /* numeric kinds flagged IMPACT_INPUT_PREPARED */
    const impact_series* series;  /* IMPACT_KIND_SERIES */
    uint32_t series_count;
} impact_value;

typedef struct impact_prepare_args {
    uint32_t struct_size;
    const impact_value* values;
    uint32_t value_count;
    /* --- 1.3 --- */
    /* The keys of the IMPACT_INPUT_OPTIONAL_ROW inputs that were left out: their batch column
     * holds NaN in every row of every evaluate() of this instance. Every batch input not listed
     * has a value in every row (given, or its default). Absent inputs are listed rather than
     * given ones because only optional-row inputs can be absent: the list is short (usually
     * empty), names exactly the NaN columns, and "nothing listed" is also the truth for a host
     * of ABI 1.0 to 1.2, which never leaves a batch input out. A plugin reads these fields only
     * when struct_size covers them; a smaller struct means "none left out".
     * NULL when absent_row_input_count is 0. The host's memory, valid until the instance is
     * destroyed. */
    const char* const* absent_row_inputs;
    uint32_t absent_row_input_count;
} impact_prepare_args;

/* ---- Model instance (frozen function table) ------------------------------ */

/* A prepared model. The plugin allocates it in create() and frees it in destroy().
 * Numeric inputs cross in a batch: row-major, row_count rows of the model's
 * non-prepared numeric inputs in declaration order; outputs are row_count rows of
 * all outputs in declaration order. */
typedef struct impact_model_instance impact_model_instance;
struct impact_model_instance {
    void* model_data;             /* the plugin's; the host never touches it */

    /* [model-contract] Evaluates row_count rows. On failure returns a non-OK status,
     * fills *error (error->row says which row) and leaves outputs unspecified. */
    impact_status (*evaluate)(const impact_model_instance* self, const double* inputs,
                              uint64_t row_count, double* outputs, impact_error* error);

    /* [model-contract] Facts settled at prepare time that a report should show
     * (the rate date used, the triangulation path). Strings live as long as the
     * instance. Returns 0 and leaves *key, *value untouched when index is out of range. */
    uint32_t (*get_note)(const impact_model_instance* self, uint32_t index, const char** key,
                         const char** value);

    /* [model-contract] Optional later interfaces on the instance; NULL when unknown. */
    const void* (*get_extension)(const impact_model_instance* self, const char* interface_id);

    /* [model-contract] Frees the instance. The host calls it exactly once. */
    void (*destroy)(impact_model_instance* self);
};

/* ---- Interface "impact.model-factory/1" (frozen function table) ----------- */

typedef struct impact_model_factory_v1 {
    /* [any-thread] Number of models this plugin provides. Constant for the plugin's life. */
    uint32_t (*model_count)(void);

    /* [any-thread] Descriptor of model `index`, or NULL when out of range. The
     * descriptor and all its strings live as long as the library stays loaded. */
    const impact_model_descriptor* (*model_descriptor)(uint32_t index);

    /* [model-contract] Prepares an instance of model `model_id` with the given
     * prepared values. On success stores it in *out_instance and returns OK; on failure
     * returns a status, fills *error and leaves *out_instance NULL. */
    impact_status (*create)(const char* model_id, const impact_prepare_args* args,
                            impact_model_instance** out_instance, impact_error* error);
} impact_model_factory_v1;

/* ---- Interface "impact.descriptor-diagnostics/1" (1.2, optional, frozen) ---------- */

typedef struct impact_descriptor_diagnostics_v1 {
    /* [host-thread] Called when model_descriptor(index) returned NULL: writes why into
     * *error (the exception a C++ spec() threw, say) and returns its status, or
     * IMPACT_STATUS_OK when the descriptor can now be built after all. */
    impact_status (*descriptor_failure)(uint32_t index, impact_error* error);
} impact_descriptor_diagnostics_v1;

/* ---- The entry --------------------------------------------------------------- */

typedef struct impact_plugin_entry {
    uint32_t struct_size;
    uint32_t abi_major;           /* IMPACT_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;           /* IMPACT_ABI_MINOR the plugin was built with */
    const char* plugin_id;        /* reverse-DNS, "org.impact.fx" */
    const char* plugin_version;   /* semver, "1.2.0" */
    const char* plugin_name;      /* human name */

    /* [any-thread] The interface with this id, or NULL when the plugin has none. */
    const void* (*get_interface)(const char* interface_id);
} impact_plugin_entry;

#ifdef __cplusplus
}
#endif

#endif /* IMPACT_SDK_IMPACT_PLUGIN_H */
