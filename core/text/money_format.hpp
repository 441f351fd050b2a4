// Display of amounts: thousands separators, currency symbols, and Korean 조/억/만 units.
#pragma once

#include <string>
#include <string_view>

namespace impact::text {

// "7858400000000" -> "7,858,400,000,000": a string of digits grouped by three from the right.
std::string group_integer_digits(std::string_view digits);

// "7,858,400,000,000" or "1,428.8": the value with `decimals` fixed decimals, grouped by three.
std::string format_grouped(double value, int decimals);

// Like format_grouped, but with at most `max_decimals` and trailing zeros dropped: 1,428.8.
std::string format_grouped_trimmed(double value, int max_decimals);

// A rate with `significant_digits` significant digits, grouped, trailing zeros dropped:
// 1,428.8 or 0.0006785641582. Rates below 1 keep their precision this way.
std::string format_rate(double rate, int significant_digits = 10);

// Decimal places shown for a currency: its ISO 4217 minor unit (impact/sdk/currencies.hpp):
// KRW, JPY and VND 0, USD 2, BHD 3; 2 for a code that is not in the table.
int currency_decimals(std::string_view iso_code) noexcept;

// "$", "₩", "€"... or "" when the code has no well-known symbol.
std::string_view currency_symbol(std::string_view iso_code) noexcept;

// "₩7,858,400,000,000" or "CHF 1,000.00" when there is no symbol.
std::string format_money(double value, std::string_view iso_code);

// The amount and its code, the code written once: "-$743,750,000.00 USD", "₩7,858,400,000,000
// KRW", "BHD 1,234.568" (no symbol, so format_money already names the code).
std::string format_money_and_code(double value, std::string_view iso_code);

// Korean reading of a won amount, rounded to the won: 7858400000000 -> "7조 8,584억 원".
// Groups of four digits: 조 (10^12), 억 (10^8), 만 (10^4); zero groups are left out.
std::string format_korean_units(double won);

}  // namespace impact::text
