// Append-only rule: every field and value of the frozen ABI 1.3 header is unchanged today.
//
// As append_only_v1_2_test.cpp does for 1.2: the frozen header is included first, inside
// namespace v1_3, so both views of every struct exist in one translation unit, before anything
// else includes the current header (same include guard, undone below).
#include <stddef.h>
#include <stdint.h>

namespace v1_3 {
#include "v1.3/impact/sdk/impact_plugin.h"
}  // namespace v1_3

// Every numeric macro of 1.3 is ABI too: capture the values before the current header redefines
// the names. IMPACT_ABI_MINOR is the one value allowed to change.
#define IMPACT_FROZEN_V1_3_NUMERIC_MACROS(X)                                                                 \
    X(IMPACT_ABI_MAJOR)                                                                                      \
    X(IMPACT_STATUS_OK) X(IMPACT_STATUS_INVALID_INPUT) X(IMPACT_STATUS_MODEL_FAILED)                         \
    X(IMPACT_STATUS_UNKNOWN_MODEL) X(IMPACT_STATUS_ABI_MISMATCH) X(IMPACT_STATUS_INTERNAL)                   \
    X(IMPACT_KIND_NUMBER) X(IMPACT_KIND_MONEY) X(IMPACT_KIND_PERCENT) X(IMPACT_KIND_DATE) X(IMPACT_KIND_TEXT) \
    X(IMPACT_KIND_SERIES)                                                                                    \
    X(IMPACT_INPUT_REQUIRED) X(IMPACT_INPUT_HAS_DEFAULT) X(IMPACT_INPUT_HAS_MIN) X(IMPACT_INPUT_HAS_MAX)     \
    X(IMPACT_INPUT_PREPARED) X(IMPACT_INPUT_MIN_EXCLUSIVE) X(IMPACT_INPUT_MAX_EXCLUSIVE)                     \
    X(IMPACT_INPUT_OPTIONAL_ROW)                                                                             \
    X(IMPACT_MAX_MODELS) X(IMPACT_MAX_INPUTS) X(IMPACT_MAX_OUTPUTS) X(IMPACT_MAX_DESCRIPTOR_SIZE)            \
    X(IMPACT_MAX_TEXT_BYTES)                                                                                 \
    X(IMPACT_OUTPUT_MAY_BE_UNDEFINED)                                                                        \
    X(IMPACT_DIRECTION_NEUTRAL) X(IMPACT_DIRECTION_HIGHER_IS_BETTER) X(IMPACT_DIRECTION_HIGHER_IS_WORSE)     \
    X(IMPACT_THREAD_UNSAFE) X(IMPACT_THREAD_INSTANCE_SAFE) X(IMPACT_THREAD_FULLY_SAFE)
#define IMPACT_CAPTURE(M) constexpr long long frozen_##M = (M);
namespace v1_3 {
IMPACT_FROZEN_V1_3_NUMERIC_MACROS(IMPACT_CAPTURE)
constexpr long long frozen_abi_minor = IMPACT_ABI_MINOR;
constexpr long long frozen_known_input_flags = IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN |
                                               IMPACT_INPUT_HAS_MAX | IMPACT_INPUT_PREPARED |
                                               IMPACT_INPUT_MIN_EXCLUSIVE | IMPACT_INPUT_MAX_EXCLUSIVE |
                                               IMPACT_INPUT_OPTIONAL_ROW;
constexpr const char* frozen_entry_symbol = IMPACT_PLUGIN_ENTRY_SYMBOL;
constexpr const char* frozen_factory_id = IMPACT_MODEL_FACTORY_V1;
constexpr const char* frozen_diagnostics_id = IMPACT_DESCRIPTOR_DIAGNOSTICS_V1;
}  // namespace v1_3
#undef IMPACT_CAPTURE
#undef IMPACT_SDK_IMPACT_PLUGIN_H
#undef IMPACT_ABI_MINOR

#include <impact/sdk/impact_plugin.h>

#include "../sdk/aggregate_field_count.hpp"
#include "../sdk/lp64_layout_expected.h"
#include "frozen_fields.hpp"

#include <catch2/catch.hpp>

#include <string_view>

// ---- Macros: same values ----------------------------------------------------------------
#define IMPACT_SAME_VALUE(M) static_assert(v1_3::frozen_##M == (M), #M " changed value since ABI 1.3");
IMPACT_FROZEN_V1_3_NUMERIC_MACROS(IMPACT_SAME_VALUE)
#undef IMPACT_SAME_VALUE
static_assert(std::string_view(v1_3::frozen_entry_symbol) == IMPACT_PLUGIN_ENTRY_SYMBOL,
              "the entry symbol's name changed within ABI major 1");
static_assert(std::string_view(v1_3::frozen_factory_id) == IMPACT_MODEL_FACTORY_V1, "a shipped interface id changed");
static_assert(std::string_view(v1_3::frozen_diagnostics_id) == IMPACT_DESCRIPTOR_DIAGNOSTICS_V1,
              "a shipped interface id changed");
static_assert(v1_3::frozen_abi_minor == 3, "tests/abi/v1.3 is the 1.3 header and must say so");
// The interface 1.4 added has an id of its own: a 1.3 caller asking for a shipped id never gets it.
static_assert(std::string_view(IMPACT_TABLES_V1) == "impact.tables/1", "the tables interface id is impact.tables/1");
static_assert(std::string_view(IMPACT_TABLES_V1) != IMPACT_MODEL_FACTORY_V1 &&
                  std::string_view(IMPACT_TABLES_V1) != IMPACT_DESCRIPTOR_DIAGNOSTICS_V1,
              "impact.tables/1 reuses a shipped interface id");
// The 1.3 input flags take exactly the low eight bits: a later flag must take a higher one.
static_assert(v1_3::frozen_known_input_flags == 0xFF, "the 1.3 input flags are not the low eight bits");

// ---- Structs: every 1.3 field at the same offset with the same size ----------------------
namespace {
#define IMPACT_V1_3_TYPE_NAME(T, F) #T,
#define IMPACT_V1_3_FIELD_NAME(T, F) #T "." #F,
constexpr std::string_view kV1_3FieldTypes[] = {IMPACT_V1_3_FIELDS(IMPACT_V1_3_TYPE_NAME)};
constexpr std::string_view kV1_3Fields[] = {IMPACT_V1_3_FIELDS(IMPACT_V1_3_FIELD_NAME)};
#undef IMPACT_V1_3_TYPE_NAME
#undef IMPACT_V1_3_FIELD_NAME
constexpr bool is_v1_3_field(std::string_view type_dot_field) {
    for (std::string_view f : kV1_3Fields)
        if (f == type_dot_field) return true;
    return false;
}
}  // namespace

// The list is the whole 1.3 header: each frozen struct has exactly that many fields. (The 1.4
// table structs have no 1.3 view to count.)
#define IMPACT_V1_3_COUNT(T, SIZE_BYTES, ALIGN_BYTES)                                                           \
    static_assert(impact::test::aggregate_field_count<v1_3::T>() == impact::test::count_rows(kV1_3FieldTypes, #T), \
                  #T ": the frozen field list misses a field of the 1.3 header");
IMPACT_LP64_STRUCTS_V1_3(IMPACT_V1_3_COUNT)
#undef IMPACT_V1_3_COUNT

#define IMPACT_SAME_FIELD(T, F)                                                                   \
    static_assert(offsetof(v1_3::T, F) == offsetof(::T, F), #T "::" #F " moved since ABI 1.3"); \
    static_assert(sizeof(v1_3::T::F) == sizeof(::T::F), #T "::" #F " changed size since ABI 1.3");
IMPACT_V1_3_FIELDS(IMPACT_SAME_FIELD)
#undef IMPACT_SAME_FIELD

// Every field the current header has beyond 1.3 lies after the whole 1.3 struct (not in its
// tail padding either: a 1.3 writer leaves padding unset). Structs added in 1.4 have no 1.3 view.
#define IMPACT_APPENDED(T, F, OFFSET_BYTES, SIZE_BYTES)                                     \
    static_assert(is_v1_3_field(#T "." #F) || offsetof(::T, F) >= sizeof(v1_3::T),           \
                  #T "::" #F " was added inside the 1.3 struct instead of appended after it");
IMPACT_LP64_FIELDS_V1_3(IMPACT_APPENDED)
#undef IMPACT_APPENDED

#define IMPACT_NOT_SHORTER(T) static_assert(sizeof(v1_3::T) <= sizeof(::T), #T " shrank since ABI 1.3");
IMPACT_NOT_SHORTER(impact_error)
IMPACT_NOT_SHORTER(impact_series)
IMPACT_NOT_SHORTER(impact_input_descriptor)
IMPACT_NOT_SHORTER(impact_output_descriptor)
IMPACT_NOT_SHORTER(impact_model_descriptor)
IMPACT_NOT_SHORTER(impact_value)
IMPACT_NOT_SHORTER(impact_prepare_args)
IMPACT_NOT_SHORTER(impact_plugin_entry)
#undef IMPACT_NOT_SHORTER
static_assert(sizeof(v1_3::impact_model_instance) == sizeof(::impact_model_instance),
              "impact_model_instance is a frozen table and cannot grow");
static_assert(sizeof(v1_3::impact_model_factory_v1) == sizeof(::impact_model_factory_v1),
              "impact.model-factory/1 is a frozen table and cannot grow");
static_assert(sizeof(v1_3::impact_descriptor_diagnostics_v1) == sizeof(::impact_descriptor_diagnostics_v1),
              "impact.descriptor-diagnostics/1 is a frozen table and cannot grow");

// 1.4 added an interface, not fields: the 1.3 prepare args (40 bytes on LP64, absent_row_input_count
// at 32 ending at 36, tail-padded) are today's, so a 1.3 plugin and a 1.4 host agree on every byte.
static_assert(sizeof(v1_3::impact_prepare_args) == 40, "the frozen 1.3 prepare args are 40 bytes on LP64");
static_assert(sizeof(v1_3::impact_prepare_args) == sizeof(::impact_prepare_args),
              "impact_prepare_args grew in 1.4, which added no field to it");
static_assert(offsetof(v1_3::impact_prepare_args, absent_row_inputs) == 24 &&
                  offsetof(v1_3::impact_prepare_args, absent_row_input_count) == 32,
              "the frozen 1.3 absent-row fields are at 24 and 32 on LP64");

TEST_CASE("the frozen 1.3 header is ABI 1.3 and the current header a later minor of the same major", "[abi]") {
    CHECK(v1_3::frozen_IMPACT_ABI_MAJOR == IMPACT_ABI_MAJOR);
    CHECK(v1_3::frozen_abi_minor == 3);
    CHECK(IMPACT_ABI_MINOR > v1_3::frozen_abi_minor);
    // 1.4 is the release that added impact.tables/1.
    CHECK(IMPACT_ABI_MINOR == 4);
    // The 1.3 fields a 1.4 host writes in impact_prepare_args are where a 1.3 plugin reads them.
    CHECK(offsetof(v1_3::impact_prepare_args, absent_row_inputs) == offsetof(::impact_prepare_args, absent_row_inputs));
    CHECK(sizeof(v1_3::impact_prepare_args) >=
          offsetof(::impact_prepare_args, absent_row_input_count) + sizeof(uint32_t));
}
