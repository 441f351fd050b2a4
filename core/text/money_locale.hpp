// Compact money for reports in English ("$5.5B") or Korean ("7조 8,584억 원"), and the Korean currency words.
#pragma once

#include <string>
#include <string_view>

namespace impact::text {

// The language of a report's money: `--locale en|ko`.
enum class Locale { en, ko };

// "en" or "ko"; anything else is a UserError "--locale: expected en or ko, found 'xx'".
Locale parse_locale(std::string_view text);

// "en" or "ko".
std::string_view locale_name(Locale locale) noexcept;

// The Korean word for a currency: 원 (KRW), 달러 (USD), 엔 (JPY), 유로 (EUR), 위안 (CNY), 파운드 (GBP);
// "" for any other code, which Korean text writes as its ISO code ("55억 CHF").
std::string_view korean_currency_word(std::string_view iso_code) noexcept;

// The ISO code a Korean currency word names ("달러" -> "USD"); "" for any other text.
std::string_view currency_of_korean_word(std::string_view word) noexcept;

// The Korean currency word `text` ends with ("달러" for "55억 달러"), or "" when it ends with none.
std::string_view trailing_korean_currency_word(std::string_view text) noexcept;

// Compact money for reports. The rules (docs/money-locale.md has them with examples):
//
// Both locales:
// - Every rounding is half away from zero, done on the shortest decimal that reads back as the
//   double (what a person would have typed): 999.995 USD is 1,000.00 USD, so it shows as "$1K".
// - A negative amount is a leading "-" before what its magnitude shows: "-$4.5B", "-55억 달러".
// - Zero (and -0) shows with the currency's minor units: "$0.00", "₩0", "0.00 달러", "0 원".
// - A non-zero amount that rounds to zero at the minor unit shows the smallest step it is below:
//   "<$0.01", "<₩1", "<BHD 0.001", "<0.01 달러", "<1 원" (never a plausible but wrong "0").
// - NaN and infinities show as "nan USD", "inf USD", "-inf USD".
//
// en:
// - The symbol of text::currency_symbol, else the ISO code and a space: "$5.5B", "CHF 1.2B".
// - Below 1,000 (after rounding to the minor unit) the exact amount with the ISO 4217 minor unit
//   (text::currency_decimals): "$950.25", "₩999", "BHD 1.235".
// - From 1,000: three significant digits, trailing zeros dropped, and a K, M, B or T suffix
//   (10^3, 10^6, 10^9, 10^12): "$5.5B", "$13.6B", "₩7.86T", "$1K". Rounding that reaches the next
//   suffix uses it: 999,950 USD is "$1M", not "$1,000K".
// - From 1,000T to below 1,000,000T (10^15 to 10^18) the count of T, grouped: "$1,250T",
//   "₩123,000T". From 10^18, scientific notation with three significant digits: "$1.25e18".
//
// ko:
// - The currency word after the number, separated by a space ("55억 달러", "7조 8,584억 원"), or
//   the ISO code where there is no word ("55억 CHF").
// - Below 1만 (after rounding to the minor unit) the plain amount with the minor unit, grouped by
//   three: "9,999 원", "0.25 달러", "1,234.568 BHD".
// - From 1만: Korean units 만 (10^4), 억 (10^8), 조 (10^12), 경 (10^16), at most the two largest
//   groups of four digits, rounded at the smaller one shown; a zero group is left out; each group
//   has a thousands separator: "7조 8,584억 원", "55억 달러", "1조 원", "9,999억 원",
//   "1경 2,000조 원". Below 1억 the second group is the ones: "1,234만 5,678 원".
// - From 1만 경 (10^20), scientific notation with three significant digits: "1.25e20 원".
// Korean output reads back with parse_quantity as the value rounded as shown.
std::string format_money_compact(double value, std::string_view iso_code, Locale locale);

// A range of money:
// - en, both ends zero or positive: one symbol, one suffix, an en dash (U+2013) and the same
//   decimals at both ends, set by the larger end's three significant digits: "$12.0–15.0B",
//   "$0.95–1.20B", "$12.50–15.00" (below 1,000: the minor unit). When an end is negative, an end
//   is not finite, the shared decimals would show a non-zero end as zero, or the larger end is
//   10^18 or more, each end is written alone and the two are joined by " to ":
//   "-$4.5B to $2B", "$1K to $5B" (a minus beside an en dash would read as a dash).
// - ko: each end as format_money_compact writes its number, joined by "~", the currency word once:
//   "120억~150억 달러", "-55억~-12억 달러", "0.25~0.50 달러".
// The ends are written in the order given.
std::string format_money_range_compact(double low, double high, std::string_view iso_code, Locale locale);

}  // namespace impact::text
