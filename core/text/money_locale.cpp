// Compact money in English and Korean: every rounding is done on decimal digits, so what is shown is
// what a person who typed the amount would round it to, and a carry moves to the next suffix or unit.
#include "text/money_locale.hpp"

#include "text/money_format.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace impact::text {
namespace {

struct KoreanCurrencyWord {
    std::string_view code;
    std::string_view word;
};
constexpr std::array<KoreanCurrencyWord, 6> kKoreanCurrencyWords{{
    {"KRW", "원"}, {"USD", "달러"}, {"JPY", "엔"}, {"EUR", "유로"}, {"CNY", "위안"}, {"GBP", "파운드"},
}};

// Korean units of four digits each, by power of 10^4; index 0 (the ones) has no name.
constexpr std::array<std::string_view, 5> kKoreanUnits{"", "만", "억", "조", "경"};
constexpr int kLargestKoreanUnit = 4;

// English suffixes by power of 10^3.
constexpr std::array<std::string_view, 5> kEnglishSuffixes{"", "K", "M", "B", "T"};
constexpr int kLargestEnglishSuffix = 4;
// From 10^18 (a million T) English text switches to scientific notation.
constexpr int kEnglishScientificFromExponent = 18;

constexpr std::string_view kEnDash = "\u2013";

// A finite non-negative double as the shortest decimal that reads back as it: the value is the
// integer `digits` times 10^`exponent` ("0" for zero). Rounding these digits rounds what the user
// wrote (999.995), not the binary neighbour below it (999.99499999999989...).
struct Decimal {
    std::string digits;
    int exponent = 0;

    bool is_zero() const noexcept { return digits == "0"; }
    // The power of ten of the leading digit: 2 for 999.995, -3 for 0.00125.
    int leading_exponent() const noexcept { return static_cast<int>(digits.size()) - 1 + exponent; }
};

Decimal shortest_decimal(double magnitude) {
    if (magnitude == 0) return {"0", 0};
    // Shortest round-trip scientific form: "9.99995e+02" or "1e-09".
    std::array<char, 64> buffer{};
    const auto written = std::to_chars(buffer.data(), buffer.data() + buffer.size(), magnitude, std::chars_format::scientific);
    const std::string_view text(buffer.data(), static_cast<std::size_t>(written.ptr - buffer.data()));
    const std::size_t e = text.find('e');
    Decimal d;
    for (char c : text.substr(0, e))
        if (c != '.') d.digits += c;
    std::string_view exponent_text = text.substr(e + 1);
    if (!exponent_text.empty() && exponent_text.front() == '+') exponent_text.remove_prefix(1);
    int leading = 0;
    std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), leading);
    while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
    d.exponent = leading - (static_cast<int>(d.digits.size()) - 1);
    return d;
}

// Adds one to a string of decimal digits: "0999" -> "1000", "999" -> "1000".
void increment(std::string& digits) {
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it != '9') {
            ++*it;
            return;
        }
        *it = '0';
    }
    digits.insert(digits.begin(), '1');
}

// How many units of 10^`position` the decimal is, rounded half away from zero, as decimal digits
// without leading zeros ("0" when it rounds to nothing).
std::string rounded_count(const Decimal& d, int position) {
    if (d.is_zero()) return "0";
    if (d.exponent >= position) return d.digits + std::string(static_cast<std::size_t>(d.exponent - position), '0');
    const auto dropped = static_cast<std::size_t>(position - d.exponent);
    if (dropped > d.digits.size()) return "0";  // below a tenth of a unit
    std::string kept = d.digits.substr(0, d.digits.size() - dropped);
    const bool round_up = d.digits[d.digits.size() - dropped] >= '5';
    if (kept.empty()) kept = "0";
    if (round_up) increment(kept);
    const std::size_t first = kept.find_first_not_of('0');
    return first == std::string::npos ? "0" : kept.substr(first);
}

// A count of 10^-decimals units written with `decimals` fixed decimals, grouped: ("123456", 2) -> "1,234.56".
std::string with_decimals(std::string count, int decimals) {
    const auto places = static_cast<std::size_t>(decimals);
    if (count.size() <= places) count.insert(0, places + 1 - count.size(), '0');
    const std::size_t point = count.size() - places;
    std::string out = group_integer_digits(std::string_view(count).substr(0, point));
    if (places > 0) out += "." + count.substr(point);
    return out;
}

// Like with_decimals, with trailing zeros after the point dropped: ("550", 2) -> "5.5".
std::string with_decimals_trimmed(const std::string& count, int decimals) {
    std::string out = with_decimals(count, decimals);
    if (decimals > 0) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

// The smallest step of the minor unit: "0.01" for 2 decimals, "1" for none.
std::string smallest_step(int decimals) { return with_decimals("1", decimals); }

// The leading three significant digits, rounded ("100" to "999"), and the power of ten of the
// first, after any carry: 999,950 -> ("100", 6).
std::pair<std::string, int> three_significant(const Decimal& d) {
    int leading = d.leading_exponent();
    std::string three = rounded_count(d, leading - 2);
    if (three.size() == 4) {  // 999.5... rounded up to 1000
        ++leading;
        three.pop_back();
    }
    return {three, leading};
}

// "1.25e18" from ("125", 18); "1e20" from ("100", 20).
std::string scientific(const std::string& three, int leading_exponent) {
    return fmt::format("{}e{}", with_decimals_trimmed(three, 2), leading_exponent);
}

// What en shows before the number: "$" or "CHF ".
std::string english_prefix(std::string_view iso_code) {
    const std::string_view symbol = currency_symbol(iso_code);
    return symbol.empty() ? fmt::format("{} ", iso_code) : std::string(symbol);
}

// The en text of a magnitude (finite, not negative), without sign.
std::string english_magnitude(double magnitude, std::string_view iso_code) {
    const int minor = currency_decimals(iso_code);
    const std::string prefix = english_prefix(iso_code);
    const Decimal d = shortest_decimal(magnitude);
    const std::string in_minor_units = rounded_count(d, -minor);
    if (d.is_zero()) return prefix + with_decimals("0", minor);
    if (in_minor_units == "0") return "<" + prefix + smallest_step(minor);
    if (in_minor_units.size() <= static_cast<std::size_t>(3 + minor)) return prefix + with_decimals(in_minor_units, minor);
    const auto [three, leading] = three_significant(d);
    if (leading >= kEnglishScientificFromExponent) return prefix + scientific(three, leading);
    const int suffix = std::min(leading / 3, kLargestEnglishSuffix);
    // three × 10^(leading - 2) in units of 10^(3 × suffix).
    const int shift = leading - 2 - 3 * suffix;
    const std::string number =
        shift >= 0 ? group_integer_digits(three + std::string(static_cast<std::size_t>(shift), '0')) : with_decimals_trimmed(three, -shift);
    return prefix + number + std::string(kEnglishSuffixes[static_cast<std::size_t>(suffix)]);
}

// The ko number of a magnitude (finite, not negative), without sign or currency word.
std::string korean_magnitude(double magnitude, std::string_view iso_code) {
    const int minor = currency_decimals(iso_code);
    const Decimal d = shortest_decimal(magnitude);
    const std::string in_minor_units = rounded_count(d, -minor);
    if (d.is_zero()) return with_decimals("0", minor);
    if (in_minor_units == "0") return "<" + smallest_step(minor);
    if (in_minor_units.size() <= static_cast<std::size_t>(4 + minor)) return with_decimals(in_minor_units, minor);
    // The largest unit the value reaches, then one up while rounding carries into the next unit.
    int unit = std::clamp(d.leading_exponent() / 4, 1, kLargestKoreanUnit);
    for (;;) {
        // The count of the smaller shown unit: the larger unit's groups, then four digits.
        const std::string count = rounded_count(d, 4 * (unit - 1));
        const std::string_view larger = std::string_view(count).substr(0, count.size() - 4);
        const std::string_view smaller = std::string_view(count).substr(count.size() - 4);
        if (larger.size() > 4) {
            if (unit < kLargestKoreanUnit) {
                ++unit;
                continue;
            }
            const auto [three, leading] = three_significant(d);
            return scientific(three, leading);
        }
        std::string out = group_integer_digits(larger) + std::string(kKoreanUnits[static_cast<std::size_t>(unit)]);
        const std::size_t first = smaller.find_first_not_of('0');
        if (first != std::string_view::npos)
            out += " " + group_integer_digits(smaller.substr(first)) + std::string(kKoreanUnits[static_cast<std::size_t>(unit - 1)]);
        return out;
    }
}

std::string korean_currency_text(std::string_view iso_code) {
    const std::string_view word = korean_currency_word(iso_code);
    return std::string(word.empty() ? iso_code : word);
}

// The ko number with its sign: "-55억", "nan".
std::string korean_signed(double value, std::string_view iso_code) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    return (value < 0 ? "-" : "") + korean_magnitude(std::fabs(value), iso_code);
}

std::string not_finite(double value, std::string_view iso_code) {
    return fmt::format("{} {}", std::isnan(value) ? "nan" : value < 0 ? "-inf" : "inf", iso_code);
}

}  // namespace

Locale parse_locale(std::string_view text) {
    if (text == "en") return Locale::en;
    if (text == "ko") return Locale::ko;
    throw UserError(fmt::format("--locale: expected en or ko, found '{}'", text));
}

std::string_view locale_name(Locale locale) noexcept {
    return locale == Locale::ko ? "ko" : "en";
}

std::string_view korean_currency_word(std::string_view iso_code) noexcept {
    for (const auto& entry : kKoreanCurrencyWords)
        if (entry.code == iso_code) return entry.word;
    return {};
}

std::string_view currency_of_korean_word(std::string_view word) noexcept {
    for (const auto& entry : kKoreanCurrencyWords)
        if (entry.word == word) return entry.code;
    return {};
}

std::string_view trailing_korean_currency_word(std::string_view text) noexcept {
    for (const auto& entry : kKoreanCurrencyWords)
        if (text.size() >= entry.word.size() && text.substr(text.size() - entry.word.size()) == entry.word) return entry.word;
    return {};
}

std::string format_money_compact(double value, std::string_view iso_code, Locale locale) {
    if (!std::isfinite(value)) return not_finite(value, iso_code);
    if (locale == Locale::ko) return fmt::format("{} {}", korean_signed(value, iso_code), korean_currency_text(iso_code));
    return (value < 0 ? "-" : "") + english_magnitude(std::fabs(value), iso_code);
}

std::string format_money_range_compact(double low, double high, std::string_view iso_code, Locale locale) {
    if (locale == Locale::ko)
        return fmt::format("{}~{} {}", korean_signed(low, iso_code), korean_signed(high, iso_code),
                           korean_currency_text(iso_code));
    const auto each_alone = [&] {
        return fmt::format("{} to {}", format_money_compact(low, iso_code, locale), format_money_compact(high, iso_code, locale));
    };
    if (!std::isfinite(low) || !std::isfinite(high) || low < 0 || high < 0) return each_alone();
    // The larger end sets the suffix and the decimals of both.
    const int minor = currency_decimals(iso_code);
    const Decimal larger = shortest_decimal(std::max(low, high));
    int decimals = minor;
    int position = -minor;
    std::string_view suffix;
    if (rounded_count(larger, -minor).size() > static_cast<std::size_t>(3 + minor)) {
        const int leading = three_significant(larger).second;
        if (leading >= kEnglishScientificFromExponent) return each_alone();
        const int suffix_index = std::min(leading / 3, kLargestEnglishSuffix);
        decimals = std::max(0, 3 * suffix_index + 2 - leading);
        position = 3 * suffix_index - decimals;
        suffix = kEnglishSuffixes[static_cast<std::size_t>(suffix_index)];
    }
    std::array<std::string, 2> ends;
    const std::array<double, 2> values{low, high};
    for (std::size_t i = 0; i < 2; ++i) {
        const std::string count = rounded_count(shortest_decimal(values[i]), position);
        if (count == "0" && values[i] != 0) return each_alone();  // "0.00" would hide a non-zero end
        ends[i] = with_decimals(count, decimals);
    }
    return fmt::format("{}{}{}{}{}", english_prefix(iso_code), ends[0], kEnDash, ends[1], suffix);
}

}  // namespace impact::text
