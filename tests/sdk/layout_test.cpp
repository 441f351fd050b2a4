// SDK struct layout: C++ view against the hand-computed LP64 table, and against the C compiler's view.
#include <impact/sdk/impact_plugin.h>

#include "aggregate_field_count.hpp"
#include "c_layout_table.h"
#include "lp64_layout_expected.h"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// ---- Compile time: the C++ view matches the LP64 layout worked out by hand -------------

#if !(defined(__x86_64__) && defined(__LP64__))
#error "lp64_layout_expected.h describes x86_64 LP64; add a table for this platform"
#endif

#define IMPACT_CXX_CHECK_STRUCT(T, SIZE_BYTES, ALIGN_BYTES)                          \
    static_assert(sizeof(T) == (SIZE_BYTES), "sizeof(" #T ") is not the LP64 value"); \
    static_assert(alignof(T) == (ALIGN_BYTES), "alignof(" #T ") is not the LP64 value");
#define IMPACT_CXX_CHECK_FIELD(T, F, OFFSET_BYTES, SIZE_BYTES)                                     \
    static_assert(offsetof(T, F) == (OFFSET_BYTES), "offsetof(" #T ", " #F ") is not the LP64 value"); \
    static_assert(sizeof(std::declval<T&>().F) == (SIZE_BYTES), "sizeof(" #T "::" #F ") is not the LP64 value");
IMPACT_LP64_STRUCTS(IMPACT_CXX_CHECK_STRUCT)
IMPACT_LP64_FIELDS(IMPACT_CXX_CHECK_FIELD)

// The table lists every field: a field added anywhere, even into padding where no listed
// offset moves, makes the struct's field count exceed its rows.
namespace {
#define IMPACT_FIELD_TYPE_NAME(T, F, OFFSET_BYTES, SIZE_BYTES) #T,
constexpr std::string_view kListedFieldTypes[] = {IMPACT_LP64_FIELDS(IMPACT_FIELD_TYPE_NAME)};
#undef IMPACT_FIELD_TYPE_NAME
}  // namespace
#define IMPACT_CXX_CHECK_FIELD_COUNT(T, SIZE_BYTES, ALIGN_BYTES)                                 \
    static_assert(impact::test::aggregate_field_count<T>() == impact::test::count_rows(kListedFieldTypes, #T), \
                  #T " has a field that lp64_layout_expected.h does not list");
IMPACT_LP64_STRUCTS(IMPACT_CXX_CHECK_FIELD_COUNT)
#undef IMPACT_CXX_CHECK_FIELD_COUNT

// Field order matters to the ABI as much as offsets: a swap of two same-sized fields keeps
// every size but breaks every reader. The offsets above pin the order; these pin the types
// whose width must never depend on the compiler (enums would not).
static_assert(sizeof(impact_status) == 4 && static_cast<impact_status>(-1) < 0, "impact_status is int32_t");
static_assert(sizeof(impact_date_days) == 4 && static_cast<impact_date_days>(-1) < 0,
              "impact_date_days is a signed 32-bit day count");
static_assert(sizeof(impact_input_kind) == 4 && static_cast<impact_input_kind>(-1) > 0, "impact_input_kind is uint32_t");
static_assert(sizeof(impact_thread_safety) == 4 && static_cast<impact_thread_safety>(-1) > 0,
              "impact_thread_safety is uint32_t");

namespace {

struct Row {
    std::string type;
    std::string field;  // "" for the whole struct
    std::size_t offset_bytes;
    std::size_t size_bytes;
    std::size_t align_bytes;  // struct rows only; 0 for fields
};

bool operator==(const Row& a, const Row& b) {
    return a.type == b.type && a.field == b.field && a.offset_bytes == b.offset_bytes && a.size_bytes == b.size_bytes &&
           a.align_bytes == b.align_bytes;
}

std::ostream& operator<<(std::ostream& os, const Row& r) {
    return os << r.type << "." << (r.field.empty() ? "(struct)" : r.field) << " offset " << r.offset_bytes << " size "
              << r.size_bytes << " align " << r.align_bytes;
}

// The same rows as c11_header_check.c builds, but computed by this C++ compiler.
std::vector<Row> cxx_rows() {
#define IMPACT_CXX_STRUCT_ROW(T, SIZE_BYTES, ALIGN_BYTES) Row{#T, "", 0, sizeof(T), alignof(T)},
#define IMPACT_CXX_FIELD_ROW(T, F, OFFSET_BYTES, SIZE_BYTES) \
    Row{#T, #F, offsetof(T, F), sizeof(std::declval<T&>().F), 0},
    return {IMPACT_LP64_STRUCTS(IMPACT_CXX_STRUCT_ROW) IMPACT_LP64_FIELDS(IMPACT_CXX_FIELD_ROW)};
#undef IMPACT_CXX_STRUCT_ROW
#undef IMPACT_CXX_FIELD_ROW
}

std::vector<Row> c_rows() {
    std::vector<Row> rows;
    for (std::size_t i = 0; i < impact_c_layout_count; ++i) {
        const impact_c_layout_row& r = impact_c_layout[i];
        rows.push_back(Row{r.type, r.field, r.offset_bytes, r.size_bytes, r.align_bytes});
    }
    return rows;
}

void require_same_rows(const std::vector<Row>& c_view, const std::vector<Row>& cxx_view) {
    REQUIRE(c_view.size() == cxx_view.size());
    for (std::size_t i = 0; i < c_view.size(); ++i) {
        INFO("row " << i << ": C says " << c_view[i] << "; C++ says " << cxx_view[i]);
        CHECK(c_view[i] == cxx_view[i]);
    }
}

// Runs the C program and reads its "type field offset size align" lines.
std::vector<Row> run_c_printer() {
    const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen("'" IMPACT_SDK_C_LAYOUT_PRINTER "'", "r"), &pclose);
    REQUIRE(pipe);
    std::string text;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) text.append(buffer, n);
    std::istringstream lines(text);
    std::vector<Row> rows;
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        Row r;
        REQUIRE(static_cast<bool>(words >> r.type >> r.field >> r.offset_bytes >> r.size_bytes >> r.align_bytes));
        if (r.field == "(struct)") r.field.clear();
        rows.push_back(r);
    }
    return rows;
}

}  // namespace

TEST_CASE("the C compiler's layout of every SDK struct equals the C++ compiler's", "[sdk][layout]") {
    require_same_rows(c_rows(), cxx_rows());
}

TEST_CASE("the C layout program prints the same layout as the C++ view", "[sdk][layout]") {
    require_same_rows(run_c_printer(), cxx_rows());
}

TEST_CASE("the layout table covers every SDK struct, each field once, in declaration order", "[sdk][layout]") {
    // Guards the table itself: a struct whose fields are listed out of order, twice, or past
    // its end would make the comparisons above prove less than they claim.
    const std::vector<Row> rows = cxx_rows();
    std::vector<std::string> structs;
    for (const Row& r : rows)
        if (r.field.empty()) structs.push_back(r.type);
    CHECK(structs == std::vector<std::string>{"impact_error", "impact_series", "impact_input_descriptor",
                                              "impact_output_descriptor", "impact_model_descriptor", "impact_value",
                                              "impact_prepare_args", "impact_model_instance",
                                              "impact_model_factory_v1", "impact_plugin_entry",
                                              "impact_descriptor_diagnostics_v1", "impact_table_column",
                                              "impact_table", "impact_tables_v1"});
    for (const std::string& type : structs) {
        std::size_t struct_size_bytes = 0;
        std::size_t end_bytes = 0;
        std::size_t field_count = 0;
        for (const Row& r : rows) {
            if (r.type != type) continue;
            if (r.field.empty()) {
                struct_size_bytes = r.size_bytes;
                continue;
            }
            INFO(r);
            CHECK(r.offset_bytes >= end_bytes);  // increasing, non-overlapping
            end_bytes = r.offset_bytes + r.size_bytes;
            ++field_count;
        }
        INFO(type);
        CHECK(field_count > 0);
        // The last field ends inside the struct, within one alignment unit of tail padding.
        CHECK(end_bytes <= struct_size_bytes);
        CHECK(struct_size_bytes - end_bytes < 8);
    }
}

TEST_CASE("structs written by C code read back correctly through the C++ view", "[sdk][layout]") {
    // The C object fills every field with a distinct value; reading the wrong offset in C++
    // would show as a wrong value here.
    const impact_plugin_entry* entry = impact_c_check_entry();
    REQUIRE(entry != nullptr);
    CHECK(entry->struct_size == sizeof(impact_plugin_entry));
    CHECK(entry->abi_major == IMPACT_ABI_MAJOR);
    CHECK(entry->abi_minor == IMPACT_ABI_MINOR);
    CHECK(std::string(entry->plugin_id) == "org.impact.c-check");
    CHECK(std::string(entry->plugin_version) == "1.0.0");
    CHECK(std::string(entry->plugin_name) == "C11 header check");
    CHECK(entry->get_interface("impact.model-factory/2") == nullptr);
    const auto* factory = static_cast<const impact_model_factory_v1*>(entry->get_interface(IMPACT_MODEL_FACTORY_V1));
    REQUIRE(factory != nullptr);
    REQUIRE(factory->model_count() == 1);
    CHECK(factory->model_descriptor(1) == nullptr);
    const impact_model_descriptor* d = factory->model_descriptor(0);
    REQUIRE(d != nullptr);
    CHECK(d->struct_size == sizeof(impact_model_descriptor));
    CHECK(std::string(d->id) == "c.check");
    CHECK(std::string(d->name) == "C check");
    CHECK(std::string(d->version) == "1.2.3");
    CHECK(std::string(d->description) == "Written by a C11 compiler");
    CHECK(d->thread_safety == IMPACT_THREAD_FULLY_SAFE);
    CHECK(std::string(d->references) == "C11 reference");
    REQUIRE(d->input_count == 2);
    REQUIRE(d->output_count == 1);
    const impact_input_descriptor& x = d->inputs[0];
    CHECK(x.struct_size == sizeof(impact_input_descriptor));
    CHECK(std::string(x.key) == "x");
    CHECK(std::string(x.label) == "X label");
    CHECK(std::string(x.description) == "X description");
    CHECK(x.kind == IMPACT_KIND_MONEY);
    CHECK(std::string(x.unit) == "{currency}");
    CHECK(x.flags == (IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_HAS_MAX));
    CHECK(x.default_number == 1.25);
    CHECK(x.default_text == nullptr);
    CHECK(x.min_value == -10.5);
    CHECK(x.max_value == 10.75);
    const impact_input_descriptor& currency = d->inputs[1];
    CHECK(std::string(currency.key) == "currency");
    CHECK(currency.kind == IMPACT_KIND_TEXT);
    CHECK(std::string(currency.default_text) == "EUR");
    const impact_output_descriptor& y = d->outputs[0];
    CHECK(y.struct_size == sizeof(impact_output_descriptor));
    CHECK(std::string(y.key) == "y");
    CHECK(std::string(y.label) == "Y label");
    CHECK(std::string(y.description) == "Y description");
    CHECK(std::string(y.unit) == "{currency}");
    CHECK(y.flags == IMPACT_OUTPUT_MAY_BE_UNDEFINED);
    CHECK(y.direction == IMPACT_DIRECTION_HIGHER_IS_WORSE);

    // C++-written impact_value / impact_series read by C: the scale comes from the last
    // value of the series, the note from the text value.
    const impact_date_days dates[] = {20000, 20001};
    const double values[] = {1.5, 4.0};
    const impact_series series{sizeof(impact_series), "scale", dates, values, 2};
    impact_value prepared[2]{};
    prepared[0].struct_size = sizeof(impact_value);
    prepared[0].key = "currency";
    prepared[0].kind = IMPACT_KIND_TEXT;
    prepared[0].text = "JPY";
    prepared[1].struct_size = sizeof(impact_value);
    prepared[1].key = "scale";
    prepared[1].kind = IMPACT_KIND_SERIES;
    prepared[1].series = &series;
    prepared[1].series_count = 1;
    const impact_prepare_args args{sizeof(impact_prepare_args), prepared, 2, nullptr, 0};
    char message[64] = "untouched";
    char key[16] = "untouched";
    impact_error error{sizeof(impact_error), message, sizeof message, key, sizeof key, -7};
    impact_model_instance* instance = nullptr;
    REQUIRE(factory->create("c.check", &args, &instance, &error) == IMPACT_STATUS_OK);
    REQUIRE(instance != nullptr);
    const double inputs[] = {1.0, -2.0};
    double outputs[2] = {0, 0};
    REQUIRE(instance->evaluate(instance, inputs, 2, outputs, &error) == IMPACT_STATUS_OK);
    CHECK(outputs[0] == 1.0 * 4.0 + 0.5);
    CHECK(outputs[1] == -2.0 * 4.0 + 0.5);
    const char* note_key = nullptr;
    const char* note_value = nullptr;
    REQUIRE(instance->get_note(instance, 0, &note_key, &note_value) == 1);
    CHECK(std::string(note_key) == "currency");
    CHECK(std::string(note_value) == "JPY");

    // An error written by C lands in the C++ fields: row is the last field, the one most
    // sensitive to a padding difference.
    const double bad[] = {0.0, std::numeric_limits<double>::quiet_NaN()};
    CHECK(instance->evaluate(instance, bad, 2, outputs, &error) == IMPACT_STATUS_INVALID_INPUT);
    CHECK(std::string(message) == "x is NaN");
    CHECK(std::string(key) == "x");
    CHECK(error.row == 1);

    // 1.4: a result table written by C, read through the C++ view of impact.tables/1.
    CHECK(instance->get_extension(instance, "impact.tables/2") == nullptr);
    const auto* tables = static_cast<const impact_tables_v1*>(instance->get_extension(instance, IMPACT_TABLES_V1));
    REQUIRE(tables != nullptr);
    REQUIRE(tables->table_count(instance) == 1);
    CHECK(tables->table(instance, 1) == nullptr);
    const impact_table* table = tables->table(instance, 0);
    REQUIRE(table != nullptr);
    CHECK(table->struct_size == sizeof(impact_table));
    CHECK(std::string(table->key) == "firms");
    CHECK(std::string(table->label) == "Per firm");
    CHECK(std::string(table->description) == "Written by C");
    REQUIRE(table->column_count == 2);
    REQUIRE(table->row_count == 3);
    const impact_table_column& firm = table->columns[0];
    CHECK(firm.struct_size == sizeof(impact_table_column));
    CHECK(std::string(firm.key) == "firm");
    CHECK(std::string(firm.label) == "Firm");
    CHECK(std::string(firm.unit).empty());
    CHECK(firm.kind == IMPACT_COLUMN_TEXT);
    CHECK(firm.flags == 0u);
    CHECK(firm.numbers == nullptr);
    REQUIRE(firm.texts != nullptr);
    CHECK(std::string(firm.texts[2]) == "TSM");
    const impact_table_column& car = table->columns[1];
    CHECK(std::string(car.key) == "car");
    CHECK(std::string(car.unit) == "%");
    CHECK(car.kind == IMPACT_COLUMN_NUMBER);
    CHECK(car.flags == IMPACT_COLUMN_MAY_BE_UNDEFINED);
    CHECK(car.texts == nullptr);
    REQUIRE(car.numbers != nullptr);
    CHECK(car.numbers[0] == 0.25);
    CHECK(car.numbers[2] == 0.125);
    instance->destroy(instance);
}
