/* Test plugin bad_descriptor: a hand-written C entry whose descriptors break one rule each.
 * tests/host/CMakeLists.txt builds it once per defect with -DBAD_DEFECT=BAD_<NAME> and
 * -DBAD_PLUGIN_ID="org.impact.test.<name>". With BAD_NONE it is a valid plugin that uses
 * every ABI 1.2 descriptor field, which proves each defect is the only reason for its refusal. */
#include <impact/sdk/impact_plugin.h>

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define BAD_NONE 0
#define BAD_INPUT_SIZE_MAX 1      /* input #1 struct_size 0xFFFFFFFF */
#define BAD_KEY_POINTER 2         /* input #2 key pointer 0x1 */
#define BAD_INPUT_COUNT_MAX 3     /* input_count 0xFFFFFFFF */
#define BAD_OUTPUT_COUNT_MAX 4    /* output_count 0xFFFFFFFF */
#define BAD_MODEL_COUNT_MAX 5     /* model_count() 0xFFFFFFFF, the same descriptor for every index */
#define BAD_OUTPUT_STRIDE_SMALL 6 /* output #0 struct_size 16, smaller than ABI 1.0's 40 */
#define BAD_STRIDE_MISMATCH 7     /* output #1 struct_size 40 where output #0 has 48 */
#define BAD_CAPITAL_KEY 8         /* input key "Amount" */
#define BAD_UNKNOWN_DIRECTION 9   /* output #1 direction 7 */
#define BAD_INVALID_UTF8 10       /* output #0 label "caf\xC3(" */
#define BAD_ESC_NAME 11           /* plugin name with ESC [2J (clear screen) */
#define BAD_NEWLINE 12            /* model description with a line break that forges a line */
#define BAD_FREED_PAGE 13         /* input #0 description points into a page unmapped at load */
#define BAD_NAN_DEFAULT 14        /* input #0 HAS_DEFAULT with default NaN */
#define BAD_MIN_ABOVE_MAX 15      /* input #0 min 10 > max 1 */
#define BAD_OUTPUT_SIZE_MAX 16    /* output #0 struct_size 0xFFFFFFFF */
#define BAD_LONG_TEXT 17          /* model description of 5000 bytes, above IMPACT_MAX_TEXT_BYTES */
#define BAD_DEFAULT_OUT_OF_BOUNDS 18 /* input #0 default 1000 with max 1 */
#define BAD_INFINITE_DEFAULT 19   /* input #0 default +inf */
#define BAD_UNIT_PLACEHOLDER 20   /* output #0 unit "{nope}": no such text input */

#ifndef BAD_DEFECT
#error "compile with -DBAD_DEFECT=BAD_<NAME>"
#endif
#ifndef BAD_PLUGIN_ID
#define BAD_PLUGIN_ID "org.impact.test.bad-descriptor"
#endif

#if BAD_DEFECT == BAD_ESC_NAME
#define BAD_PLUGIN_NAME "\x1b[2J\x1b[HCleared your screen"
#else
#define BAD_PLUGIN_NAME "Bad descriptor test plugin"
#endif

static impact_input_descriptor inputs[3];
static impact_output_descriptor outputs[2];
static impact_model_descriptor model;
static int filled;

static void fill(void) {
    static const char* const input_keys[3] = {"amount", "rate", "days"};
    static const char* const output_keys[2] = {"value", "change"};
    uint32_t i;
    if (filled) return;
    filled = 1;
    for (i = 0; i < 3; ++i) {
        impact_input_descriptor in;
        memset(&in, 0, sizeof in);
        in.struct_size = sizeof in;
        in.key = input_keys[i];
        in.label = "An input";
        in.description = "";
        in.kind = IMPACT_KIND_NUMBER;
        in.unit = "";
        inputs[i] = in;
    }
    for (i = 0; i < 2; ++i) {
        impact_output_descriptor out;
        memset(&out, 0, sizeof out);
        out.struct_size = sizeof out;
        out.key = output_keys[i];
        out.label = "An output";
        out.description = "";
        out.unit = "";
        out.direction = IMPACT_DIRECTION_NEUTRAL;
        outputs[i] = out;
    }
    memset(&model, 0, sizeof model);
    model.struct_size = sizeof model;
    model.id = "test.bad";
    model.name = "Bad";
    model.version = "1.0.0";
    model.description = "One rule broken on purpose";
    model.thread_safety = IMPACT_THREAD_FULLY_SAFE;
    model.inputs = inputs;
    model.input_count = 3;
    model.outputs = outputs;
    model.output_count = 2;
    model.references = "";

#if BAD_DEFECT == BAD_NONE
    /* A valid plugin that uses every 1.2 field: the host must read them as declared. */
    inputs[1].flags = IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE | IMPACT_INPUT_HAS_MAX;
    inputs[1].min_value = 0.0;
    inputs[1].max_value = 1.0;
    inputs[2].flags = IMPACT_INPUT_HAS_MAX | IMPACT_INPUT_MAX_EXCLUSIVE | IMPACT_INPUT_HAS_DEFAULT;
    inputs[2].max_value = 365.0;
    inputs[2].default_number = 30.0;
    outputs[0].flags = IMPACT_OUTPUT_MAY_BE_UNDEFINED;
    outputs[0].direction = IMPACT_DIRECTION_HIGHER_IS_WORSE;
    outputs[1].direction = IMPACT_DIRECTION_HIGHER_IS_BETTER;
#elif BAD_DEFECT == BAD_INPUT_SIZE_MAX
    inputs[1].struct_size = 0xFFFFFFFFu;
#elif BAD_DEFECT == BAD_KEY_POINTER
    inputs[2].key = (const char*)(uintptr_t)1;
#elif BAD_DEFECT == BAD_INPUT_COUNT_MAX
    model.input_count = 0xFFFFFFFFu;
#elif BAD_DEFECT == BAD_OUTPUT_COUNT_MAX
    model.output_count = 0xFFFFFFFFu;
#elif BAD_DEFECT == BAD_OUTPUT_STRIDE_SMALL
    outputs[0].struct_size = 16;
    outputs[1].struct_size = 16;
#elif BAD_DEFECT == BAD_STRIDE_MISMATCH
    outputs[1].struct_size = offsetof(impact_output_descriptor, flags);
#elif BAD_DEFECT == BAD_CAPITAL_KEY
    inputs[0].key = "Amount";
#elif BAD_DEFECT == BAD_UNKNOWN_DIRECTION
    outputs[1].direction = 7;
#elif BAD_DEFECT == BAD_INVALID_UTF8
    outputs[0].label = "caf\xC3(";
#elif BAD_DEFECT == BAD_NEWLINE
    model.description = "Looks fine\nRejected: none, every plugin is safe";
#elif BAD_DEFECT == BAD_FREED_PAGE
    {
        const long page = sysconf(_SC_PAGESIZE);
        void* mapped = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped != MAP_FAILED) {
            memcpy(mapped, "freed", 6);
            munmap(mapped, (size_t)page);
            inputs[0].description = (const char*)mapped;
        }
    }
#elif BAD_DEFECT == BAD_NAN_DEFAULT
    inputs[0].flags = IMPACT_INPUT_HAS_DEFAULT;
    inputs[0].default_number = nan("");
#elif BAD_DEFECT == BAD_MIN_ABOVE_MAX
    inputs[0].flags = IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_HAS_MAX;
    inputs[0].min_value = 10.0;
    inputs[0].max_value = 1.0;
#elif BAD_DEFECT == BAD_OUTPUT_SIZE_MAX
    outputs[0].struct_size = 0xFFFFFFFFu;
#elif BAD_DEFECT == BAD_DEFAULT_OUT_OF_BOUNDS
    inputs[0].flags = IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MAX;
    inputs[0].default_number = 1000.0;
    inputs[0].max_value = 1.0;
#elif BAD_DEFECT == BAD_INFINITE_DEFAULT
    inputs[0].flags = IMPACT_INPUT_HAS_DEFAULT;
    inputs[0].default_number = HUGE_VAL;
#elif BAD_DEFECT == BAD_UNIT_PLACEHOLDER
    outputs[0].unit = "{nope}";
#elif BAD_DEFECT == BAD_LONG_TEXT
    {
        static char long_text[5001];
        memset(long_text, 'a', sizeof long_text - 1);
        model.description = long_text;
    }
#endif
}

static uint32_t bad_model_count(void) {
#if BAD_DEFECT == BAD_MODEL_COUNT_MAX
    return 0xFFFFFFFFu;
#else
    return 1;
#endif
}

static const impact_model_descriptor* bad_model_descriptor(uint32_t index) {
    fill();
#if BAD_DEFECT == BAD_MODEL_COUNT_MAX
    (void)index;
    return &model;
#else
    return index == 0 ? &model : NULL;
#endif
}

static impact_status bad_create(const char* model_id, const impact_prepare_args* args,
                                impact_model_instance** out_instance, impact_error* error) {
    (void)model_id;
    (void)args;
    (void)error;
    *out_instance = NULL;
    return IMPACT_STATUS_UNKNOWN_MODEL;
}

static const impact_model_factory_v1 bad_factory = {&bad_model_count, &bad_model_descriptor, &bad_create};

static const void* bad_get_interface(const char* interface_id) {
    return interface_id && strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0 ? &bad_factory : NULL;
}

IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME;
IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME = {
    sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, BAD_PLUGIN_ID, "1.0.0", BAD_PLUGIN_NAME,
    &bad_get_interface};
