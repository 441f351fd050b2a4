// Append-only rule: every field of the frozen ABI 1.0 header sits at the same offset, with the same size, today.
//
// The frozen header is included first, inside namespace v1_0, so both views of every struct
// exist in one translation unit and can be compared by static_assert. It must come before
// anything else includes the current header (same include guard, undone below).
#include <stddef.h>
#include <stdint.h>

namespace v1_0 {
#include "v1.0/impact/sdk/impact_plugin.h"
}  // namespace v1_0

// Every numeric macro is ABI too (status codes, kinds, flags): capture the 1.0 values before the
// current header redefines the names. IMPACT_ABI_MINOR is the one value allowed to change.
#define IMPACT_FROZEN_NUMERIC_MACROS(X)                                                                      \
    X(IMPACT_ABI_MAJOR)                                                                                      \
    X(IMPACT_STATUS_OK) X(IMPACT_STATUS_INVALID_INPUT) X(IMPACT_STATUS_MODEL_FAILED)                         \
    X(IMPACT_STATUS_UNKNOWN_MODEL) X(IMPACT_STATUS_ABI_MISMATCH) X(IMPACT_STATUS_INTERNAL)                   \
    X(IMPACT_KIND_NUMBER) X(IMPACT_KIND_MONEY) X(IMPACT_KIND_PERCENT) X(IMPACT_KIND_DATE) X(IMPACT_KIND_TEXT) \
    X(IMPACT_KIND_SERIES)                                                                                    \
    X(IMPACT_INPUT_REQUIRED) X(IMPACT_INPUT_HAS_DEFAULT) X(IMPACT_INPUT_HAS_MIN) X(IMPACT_INPUT_HAS_MAX)     \
    X(IMPACT_INPUT_PREPARED)                                                                                 \
    X(IMPACT_THREAD_UNSAFE) X(IMPACT_THREAD_INSTANCE_SAFE) X(IMPACT_THREAD_FULLY_SAFE)
#define IMPACT_CAPTURE(M) constexpr long long frozen_##M = (M);
namespace v1_0 {
IMPACT_FROZEN_NUMERIC_MACROS(IMPACT_CAPTURE)
constexpr long long frozen_abi_minor = IMPACT_ABI_MINOR;
constexpr const char* frozen_entry_symbol = IMPACT_PLUGIN_ENTRY_SYMBOL;
constexpr const char* frozen_factory_id = IMPACT_MODEL_FACTORY_V1;
}  // namespace v1_0
#undef IMPACT_CAPTURE
#undef IMPACT_SDK_IMPACT_PLUGIN_H
#undef IMPACT_ABI_MINOR

#include <impact/sdk/impact_plugin.h>

#include "../sdk/aggregate_field_count.hpp"
#include "frozen_fields.hpp"
#include "../sdk/lp64_layout_expected.h"

#include <catch2/catch.hpp>

#include <string_view>

// ---- Macros: same values ----------------------------------------------------------------
#define IMPACT_SAME_VALUE(M) static_assert(v1_0::frozen_##M == (M), #M " changed value since ABI 1.0");
IMPACT_FROZEN_NUMERIC_MACROS(IMPACT_SAME_VALUE)
#undef IMPACT_SAME_VALUE
static_assert(std::string_view(v1_0::frozen_entry_symbol) == IMPACT_PLUGIN_ENTRY_SYMBOL,
              "the entry symbol's name changed within ABI major 1");
static_assert(std::string_view(v1_0::frozen_factory_id) == IMPACT_MODEL_FACTORY_V1,
              "a shipped interface id changed");
static_assert(v1_0::frozen_abi_minor == 0, "tests/abi/v1.0 is the 1.0 header and must say so");

// ---- Structs: every 1.0 field at the same offset with the same size ----------------------
// IMPACT_V1_0_FIELDS (frozen_fields.hpp): the complete 1.0 field list, itself frozen.

// The list above is the whole 1.0 header: each frozen struct has exactly that many fields.
namespace {
#define IMPACT_V1_0_TYPE_NAME(T, F) #T,
#define IMPACT_V1_0_FIELD_NAME(T, F) #T "." #F,
constexpr std::string_view kV1_0FieldTypes[] = {IMPACT_V1_0_FIELDS(IMPACT_V1_0_TYPE_NAME)};
constexpr std::string_view kV1_0Fields[] = {IMPACT_V1_0_FIELDS(IMPACT_V1_0_FIELD_NAME)};
#undef IMPACT_V1_0_TYPE_NAME
#undef IMPACT_V1_0_FIELD_NAME
constexpr bool is_v1_0_field(std::string_view type_dot_field) {
    for (std::string_view f : kV1_0Fields)
        if (f == type_dot_field) return true;
    return false;
}
}  // namespace
#define IMPACT_V1_0_COUNT(T, SIZE_BYTES, ALIGN_BYTES)                                                  \
    static_assert(impact::test::aggregate_field_count<v1_0::T>() == impact::test::count_rows(kV1_0FieldTypes, #T), \
                  #T ": the frozen field list above misses a field of the 1.0 header");
IMPACT_LP64_STRUCTS_SINCE_1_0(IMPACT_V1_0_COUNT)
#undef IMPACT_V1_0_COUNT

#define IMPACT_SAME_FIELD(T, F)                                                                     \
    static_assert(offsetof(v1_0::T, F) == offsetof(::T, F), #T "::" #F " moved since ABI 1.0");   \
    static_assert(sizeof(v1_0::T::F) == sizeof(::T::F), #T "::" #F " changed size since ABI 1.0");
IMPACT_V1_0_FIELDS(IMPACT_SAME_FIELD)
#undef IMPACT_SAME_FIELD

// Every field the current header has beyond 1.0 lies after the whole 1.0 struct: appended,
// never inserted, not even into 1.0 padding (a 1.0 writer leaves padding unset, and its
// struct_size could not tell a reader so). tests/sdk proves lp64_layout_expected.h lists
// every current field, so this covers them all.
#define IMPACT_APPENDED(T, F, OFFSET_BYTES, SIZE_BYTES)                                       \
    static_assert(is_v1_0_field(#T "." #F) || offsetof(::T, F) >= sizeof(v1_0::T),             \
                  #T "::" #F " was added inside the 1.0 struct instead of appended after it");
IMPACT_LP64_FIELDS_SINCE_1_0(IMPACT_APPENDED)
#undef IMPACT_APPENDED

// Growable structs (they start with struct_size) may only get longer.
#define IMPACT_NOT_SHORTER(T) static_assert(sizeof(v1_0::T) <= sizeof(::T), #T " shrank since ABI 1.0");
IMPACT_NOT_SHORTER(impact_error)
IMPACT_NOT_SHORTER(impact_series)
IMPACT_NOT_SHORTER(impact_input_descriptor)
IMPACT_NOT_SHORTER(impact_output_descriptor)
IMPACT_NOT_SHORTER(impact_model_descriptor)
IMPACT_NOT_SHORTER(impact_value)
IMPACT_NOT_SHORTER(impact_prepare_args)
IMPACT_NOT_SHORTER(impact_plugin_entry)
#undef IMPACT_NOT_SHORTER
// Function tables have no struct_size: a shipped table is frozen, a change needs a new id.
static_assert(sizeof(v1_0::impact_model_instance) == sizeof(::impact_model_instance),
              "impact_model_instance is a frozen table and cannot grow");
static_assert(sizeof(v1_0::impact_model_factory_v1) == sizeof(::impact_model_factory_v1),
              "impact.model-factory/1 is a frozen table and cannot grow");

// The 1.0 descriptor on LP64: output_count at 72 ends at 76, padded to 8-byte alignment = 80.
// 1.1 appended `references` exactly there, which is what lets a 1.1 host test struct_size.
static_assert(sizeof(v1_0::impact_model_descriptor) == 80, "the frozen 1.0 descriptor is 80 bytes on LP64");
static_assert(offsetof(::impact_model_descriptor, references) == sizeof(v1_0::impact_model_descriptor),
              "1.1's references must start right where the 1.0 descriptor ended");

TEST_CASE("the frozen header is ABI 1.0 and the current header a later minor of the same major", "[abi]") {
    CHECK(v1_0::frozen_IMPACT_ABI_MAJOR == IMPACT_ABI_MAJOR);
    CHECK(v1_0::frozen_abi_minor == 0);
    CHECK(IMPACT_ABI_MINOR > v1_0::frozen_abi_minor);
    // A 1.0 struct_size tells a 1.1 reader that references is absent.
    CHECK(sizeof(v1_0::impact_model_descriptor) < offsetof(::impact_model_descriptor, references) + sizeof(const char*));
}
