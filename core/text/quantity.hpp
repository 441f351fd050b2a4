// Literals with units as written in scenario files: "5.5B USD", "6.3%", "25bp", "24.4B", "1 years".
#pragma once

#include <string>
#include <string_view>

namespace impact::text {

// A number and the unit written after it ("" when none). Percent and basis points keep
// their unit ("%", "bp"); the value is as written (6.3 for "6.3%").
struct Quantity {
    double value = 0;
    std::string unit;
};

// Parses `text` as an amount (see parse_amount) optionally followed by a unit: "%" or "bp"
// directly after the number, or a word after a space ("USD", "shares", "years").
// Throws UserError naming `what` when the number part is malformed.
Quantity parse_quantity(std::string_view text, std::string_view what);

// True for a current ISO 4217 code such as USD (impact/sdk/currencies.hpp; case-sensitive, so
// "usd" and the made-up "ABC" are not).
bool is_currency_code(std::string_view unit) noexcept;

}  // namespace impact::text
