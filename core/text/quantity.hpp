// Literals with units as written in scenario files: "5.5B USD", "6.3%", "25bp", "24.4B", "1 years", "55억 달러".
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
// Korean: the number may be in Korean units ("7조 8,584억", "120억 shares", "1.2조 KRW") and may end
// with a Korean currency word, with or without a space, which gives the ISO code as the unit: 원
// (KRW), 달러 (USD), 엔 (JPY), 유로 (EUR), 위안 (CNY), 파운드 (GBP). "7조 8,584억 원" is 7858400000000
// KRW, "55억 달러" 5.5e9 USD, "9,999 원" 9999 KRW. An ISO code after the word must name the same
// currency: "55억 달러 USD" is USD, "55억 달러 KRW" a UserError naming both.
// Throws UserError naming `what` when the number part is malformed.
Quantity parse_quantity(std::string_view text, std::string_view what);

// True for a current ISO 4217 code such as USD (impact/sdk/currencies.hpp; case-sensitive, so
// "usd" and the made-up "ABC" are not).
bool is_currency_code(std::string_view unit) noexcept;

}  // namespace impact::text
