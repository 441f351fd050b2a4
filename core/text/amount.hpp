// Parsing of human-written amounts: "5.5B", "1,428.8", "12e9", "250K", "7조 8,584억".
#pragma once

#include <cstdint>
#include <string_view>

namespace impact::text {

// Parses a plain number with optional sign, thousands separators (groups of three),
// decimals, exponent, or one K/M/B/T suffix (thousand, million, billion, trillion; either
// case). Throws UserError naming `what` and quoting the text when it is not such a number,
// or when it is not finite.
// Korean units are read too: "7조 8,584억" (exactly 7858400000000), "1.2조", "5,000만", "120억",
// "1,234만 5,678": numbers each followed by 만 (10^4), 억 (10^8), 조 (10^12) or 경 (10^16), units from
// large to small, each once, optionally the ones last; every group after the first below 1만; only
// the last group may have decimals; no K/M/B/T suffix or exponent among them. The digits written
// count exactly, as below; the units multiply them as a suffix does.
// Whole digits without a decimal point or exponent are an exact count: one that no double holds
// (beyond 2^53, such as 9007199254740993) is refused rather than rounded.
double parse_amount(std::string_view text, std::string_view what = "amount");

// True when `text` contains a Korean unit (만, 억, 조 or 경), which parse_amount reads as above.
bool has_korean_unit(std::string_view text) noexcept;

// True when `value` converts to a double and back unchanged (every integer up to 2^53 in
// magnitude, and larger ones with enough trailing zero bits, such as 2^60).
bool int64_is_exact_double(int64_t value) noexcept;

}  // namespace impact::text
