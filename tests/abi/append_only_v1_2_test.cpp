// Append-only rule: every field and value of the frozen ABI 1.2 header is unchanged today.
//
// As append_only_v1_1_test.cpp does for 1.1: the frozen header is included first, inside
// namespace v1_2, so both views of every struct exist in one translation unit, before anything
// else includes the current header (same include guard, undone below).
#include <stddef.h>
#include <stdint.h>

namespace v1_2 {
#include "v1.2/impact/sdk/impact_plugin.h"
}  // namespace v1_2

// Every numeric macro of 1.2 is ABI too: capture the values before the current header redefines
// the names. IMPACT_ABI_MINOR is the one value allowed to change.
#define IMPACT_FROZEN_V1_2_NUMERIC_MACROS(X)                                                                 \
    X(IMPACT_ABI_MAJOR)                                                                                      \
    X(IMPACT_STATUS_OK) X(IMPACT_STATUS_INVALID_INPUT) X(IMPACT_STATUS_MODEL_FAILED)                         \
    X(IMPACT_STATUS_UNKNOWN_MODEL) X(IMPACT_STATUS_ABI_MISMATCH) X(IMPACT_STATUS_INTERNAL)                   \
    X(IMPACT_KIND_NUMBER) X(IMPACT_KIND_MONEY) X(IMPACT_KIND_PERCENT) X(IMPACT_KIND_DATE) X(IMPACT_KIND_TEXT) \
    X(IMPACT_KIND_SERIES)                                                                                    \
    X(IMPACT_INPUT_REQUIRED) X(IMPACT_INPUT_HAS_DEFAULT) X(IMPACT_INPUT_HAS_MIN) X(IMPACT_INPUT_HAS_MAX)     \
    X(IMPACT_INPUT_PREPARED) X(IMPACT_INPUT_MIN_EXCLUSIVE) X(IMPACT_INPUT_MAX_EXCLUSIVE)                     \
    X(IMPACT_MAX_MODELS) X(IMPACT_MAX_INPUTS) X(IMPACT_MAX_OUTPUTS) X(IMPACT_MAX_DESCRIPTOR_SIZE)            \
    X(IMPACT_MAX_TEXT_BYTES)                                                                                 \
    X(IMPACT_OUTPUT_MAY_BE_UNDEFINED)                                                                        \
    X(IMPACT_DIRECTION_NEUTRAL) X(IMPACT_DIRECTION_HIGHER_IS_BETTER) X(IMPACT_DIRECTION_HIGHER_IS_WORSE)     \
    X(IMPACT_THREAD_UNSAFE) X(IMPACT_THREAD_INSTANCE_SAFE) X(IMPACT_THREAD_FULLY_SAFE)
#define IMPACT_CAPTURE(M) constexpr long long frozen_##M = (M);
namespace v1_2 {
IMPACT_FROZEN_V1_2_NUMERIC_MACROS(IMPACT_CAPTURE)
constexpr long long frozen_abi_minor = IMPACT_ABI_MINOR;
constexpr long long frozen_known_input_flags = IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN |
                                               IMPACT_INPUT_HAS_MAX | IMPACT_INPUT_PREPARED |
                                               IMPACT_INPUT_MIN_EXCLUSIVE | IMPACT_INPUT_MAX_EXCLUSIVE;
constexpr const char* frozen_entry_symbol = IMPACT_PLUGIN_ENTRY_SYMBOL;
constexpr const char* frozen_factory_id = IMPACT_MODEL_FACTORY_V1;
constexpr const char* frozen_diagnostics_id = IMPACT_DESCRIPTOR_DIAGNOSTICS_V1;
}  // namespace v1_2
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
#define IMPACT_SAME_VALUE(M) static_assert(v1_2::frozen_##M == (M), #M " changed value since ABI 1.2");
IMPACT_FROZEN_V1_2_NUMERIC_MACROS(IMPACT_SAME_VALUE)
#undef IMPACT_SAME_VALUE
static_assert(std::string_view(v1_2::frozen_entry_symbol) == IMPACT_PLUGIN_ENTRY_SYMBOL,
              "the entry symbol's name changed within ABI major 1");
static_assert(std::string_view(v1_2::frozen_factory_id) == IMPACT_MODEL_FACTORY_V1, "a shipped interface id changed");
static_assert(std::string_view(v1_2::frozen_diagnostics_id) == IMPACT_DESCRIPTOR_DIAGNOSTICS_V1,
              "a shipped interface id changed");
static_assert(v1_2::frozen_abi_minor == 2, "tests/abi/v1.2 is the 1.2 header and must say so");
// A new flag takes a bit no earlier minor used: a 1.2 plugin's flags keep their meaning.
static_assert((IMPACT_INPUT_OPTIONAL_ROW & v1_2::frozen_known_input_flags) == 0,
              "IMPACT_INPUT_OPTIONAL_ROW reuses a bit of ABI 1.2");

// ---- Structs: every 1.2 field at the same offset with the same size ----------------------
namespace {
#define IMPACT_V1_2_TYPE_NAME(T, F) #T,
#define IMPACT_V1_2_FIELD_NAME(T, F) #T "." #F,
constexpr std::string_view kV1_2FieldTypes[] = {IMPACT_V1_2_FIELDS(IMPACT_V1_2_TYPE_NAME)};
constexpr std::string_view kV1_2Fields[] = {IMPACT_V1_2_FIELDS(IMPACT_V1_2_FIELD_NAME)};
#undef IMPACT_V1_2_TYPE_NAME
#undef IMPACT_V1_2_FIELD_NAME
constexpr bool is_v1_2_field(std::string_view type_dot_field) {
    for (std::string_view f : kV1_2Fields)
        if (f == type_dot_field) return true;
    return false;
}
}  // namespace

// The list is the whole 1.2 header: each frozen struct has exactly that many fields. (The structs
// of 1.2 are those of 1.3; the later ones have no 1.2 view to count.)
#define IMPACT_V1_2_COUNT(T, SIZE_BYTES, ALIGN_BYTES)                                                           \
    static_assert(impact::test::aggregate_field_count<v1_2::T>() == impact::test::count_rows(kV1_2FieldTypes, #T), \
                  #T ": the frozen field list misses a field of the 1.2 header");
IMPACT_LP64_STRUCTS_V1_3(IMPACT_V1_2_COUNT)
#undef IMPACT_V1_2_COUNT

#define IMPACT_SAME_FIELD(T, F)                                                                   \
    static_assert(offsetof(v1_2::T, F) == offsetof(::T, F), #T "::" #F " moved since ABI 1.2"); \
    static_assert(sizeof(v1_2::T::F) == sizeof(::T::F), #T "::" #F " changed size since ABI 1.2");
IMPACT_V1_2_FIELDS(IMPACT_SAME_FIELD)
#undef IMPACT_SAME_FIELD

// Every field the current header has beyond 1.2 lies after the whole 1.2 struct (not in its
// tail padding either: a 1.2 writer leaves padding unset). Structs added after 1.3 have no 1.2
// view to lie after.
#define IMPACT_APPENDED(T, F, OFFSET_BYTES, SIZE_BYTES)                                     \
    static_assert(is_v1_2_field(#T "." #F) || offsetof(::T, F) >= sizeof(v1_2::T),           \
                  #T "::" #F " was added inside the 1.2 struct instead of appended after it");
IMPACT_LP64_FIELDS_V1_3(IMPACT_APPENDED)
#undef IMPACT_APPENDED

#define IMPACT_NOT_SHORTER(T) static_assert(sizeof(v1_2::T) <= sizeof(::T), #T " shrank since ABI 1.2");
IMPACT_NOT_SHORTER(impact_error)
IMPACT_NOT_SHORTER(impact_series)
IMPACT_NOT_SHORTER(impact_input_descriptor)
IMPACT_NOT_SHORTER(impact_output_descriptor)
IMPACT_NOT_SHORTER(impact_model_descriptor)
IMPACT_NOT_SHORTER(impact_value)
IMPACT_NOT_SHORTER(impact_prepare_args)
IMPACT_NOT_SHORTER(impact_plugin_entry)
#undef IMPACT_NOT_SHORTER
static_assert(sizeof(v1_2::impact_model_instance) == sizeof(::impact_model_instance),
              "impact_model_instance is a frozen table and cannot grow");
static_assert(sizeof(v1_2::impact_model_factory_v1) == sizeof(::impact_model_factory_v1),
              "impact.model-factory/1 is a frozen table and cannot grow");
static_assert(sizeof(v1_2::impact_descriptor_diagnostics_v1) == sizeof(::impact_descriptor_diagnostics_v1),
              "impact.descriptor-diagnostics/1 is a frozen table and cannot grow");

// The 1.2 prepare args on LP64: value_count at 16 ends at 20, tail-padded to 24. 1.3 appended
// absent_row_inputs at 24, after the padding (a 1.2 host leaves it unset), and a 1.2 host's
// struct_size of 24 is what tells a 1.3 plugin that the list is absent.
static_assert(sizeof(v1_2::impact_prepare_args) == 24, "the frozen 1.2 prepare args are 24 bytes on LP64");
static_assert(offsetof(::impact_prepare_args, absent_row_inputs) == sizeof(v1_2::impact_prepare_args),
              "1.3's absent_row_inputs must start right where the 1.2 prepare args ended");

TEST_CASE("the frozen 1.2 header is ABI 1.2 and the current header a later minor of the same major", "[abi]") {
    CHECK(v1_2::frozen_IMPACT_ABI_MAJOR == IMPACT_ABI_MAJOR);
    CHECK(v1_2::frozen_abi_minor == 2);
    CHECK(IMPACT_ABI_MINOR > v1_2::frozen_abi_minor);
    // A 1.2 struct_size tells a 1.3 reader that neither absent-row field is there.
    CHECK(sizeof(v1_2::impact_prepare_args) <
          offsetof(::impact_prepare_args, absent_row_inputs) + sizeof(const char* const*));
    CHECK(sizeof(v1_2::impact_prepare_args) <
          offsetof(::impact_prepare_args, absent_row_input_count) + sizeof(uint32_t));
}
