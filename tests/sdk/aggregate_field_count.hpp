// Counts the fields of a C struct at compile time, so a layout table can prove it lists every field.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

namespace impact::test {

// Converts to any field type; declared only, it is used in unevaluated contexts.
struct AnyField {
    template <class T>
    constexpr operator T() const noexcept;  // NOLINT(google-explicit-constructor)
};

// The SDK structs are aggregates of scalars and pointers (no nested aggregates, no arrays), so
// T{AnyField...} is well-formed with n initializers exactly when T has at least n fields: the
// largest such n is the field count (the technique Boost.PFR uses).
template <class T, class... Fields>
constexpr std::size_t aggregate_field_count() {
    if constexpr (requires { T{std::declval<Fields>()..., std::declval<AnyField>()}; })
        return aggregate_field_count<T, Fields..., AnyField>();
    else
        return sizeof...(Fields);
}

// How many entries of `types` equal `type`: the number of rows a table lists for one struct.
template <std::size_t N>
constexpr std::size_t count_rows(const std::string_view (&types)[N], std::string_view type) {
    std::size_t n = 0;
    for (std::string_view t : types) n += t == type ? 1 : 0;
    return n;
}

}  // namespace impact::test
