// Compact money for reports in English and Korean ("$13.6B", "7조 8,584억 원"), and the --locale names.
#pragma once

#include <string>
#include <string_view>

namespace impact::text {

enum class Locale { en, ko };

// "en" | "ko"; anything else is a UserError: "--locale: expected en or ko, found 'xx'".
Locale parse_locale(std::string_view text);
std::string_view locale_name(Locale locale) noexcept;

// Compact money for reports: en "$5.5B", "$13.6B", "₩7.86T", "-$4.5B", "$950.25"; ko "7조 8,584억 원", "55억 달러".
std::string format_money_compact(double value, std::string_view iso_code, Locale locale);

// A range: en "$12.0–15.0B" (one suffix, an en dash, the same decimals at both ends); ko "120억~150억 달러".
std::string format_money_range_compact(double low, double high, std::string_view iso_code, Locale locale);

}  // namespace impact::text
