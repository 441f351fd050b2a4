// Parsing of human-written amounts: "5.5B", "1,428.8", "12e9", "250K".
#pragma once

#include <string_view>

namespace impact::text {

// Parses a plain number with optional sign, thousands separators (groups of three),
// decimals, exponent, or one K/M/B/T suffix (thousand, million, billion, trillion; either
// case). Throws UserError naming `what` and quoting the text when it is not such a number,
// or when it is not finite.
double parse_amount(std::string_view text, std::string_view what = "amount");

}  // namespace impact::text
