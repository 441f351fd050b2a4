// Parsing of human-written amounts: "5.5B", "1,428.8", "12e9", "250K".
#pragma once

#include <cstdint>
#include <string_view>

namespace impact::text {

// Parses a plain number with optional sign, thousands separators (groups of three),
// decimals, exponent, or one K/M/B/T suffix (thousand, million, billion, trillion; either
// case). Throws UserError naming `what` and quoting the text when it is not such a number,
// or when it is not finite.
// Whole digits without a decimal point or exponent are an exact count: one that no double holds
// (beyond 2^53, such as 9007199254740993) is refused rather than rounded.
double parse_amount(std::string_view text, std::string_view what = "amount");

// True when `value` converts to a double and back unchanged (every integer up to 2^53 in
// magnitude, and larger ones with enough trailing zero bits, such as 2^60).
bool int64_is_exact_double(int64_t value) noexcept;

}  // namespace impact::text
