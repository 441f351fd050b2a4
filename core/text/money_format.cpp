// Formatting of amounts for people: grouped digits, symbols, Korean units.
#include "text/money_format.hpp"

#include <impact/sdk/currencies.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace impact::text {
namespace {

std::string group_fixed(std::string_view fixed) {
    // fixed is "-1234.5600" as fmt writes it.
    std::string sign;
    if (!fixed.empty() && fixed.front() == '-') {
        sign = "-";
        fixed.remove_prefix(1);
    }
    const std::size_t dot = fixed.find('.');
    std::string out = sign + group_integer_digits(fixed.substr(0, dot));
    if (dot != std::string_view::npos) out += fixed.substr(dot);
    return out;
}

struct CurrencySymbol {
    std::string_view code;
    std::string_view symbol;
};
// Symbols only; decimals come from the ISO 4217 table (impact/sdk/currencies.hpp).
constexpr std::array<CurrencySymbol, 13> kSymbols{{
    {"USD", "$"}, {"KRW", "₩"}, {"EUR", "€"}, {"JPY", "¥"}, {"GBP", "£"}, {"CNY", "CN¥"}, {"TWD", "NT$"},
    {"HKD", "HK$"}, {"SGD", "S$"}, {"INR", "₹"}, {"CAD", "CA$"}, {"AUD", "A$"}, {"VND", "₫"},
}};

}  // namespace

std::string group_integer_digits(std::string_view digits) {
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string format_grouped(double value, int decimals) {
    // Half away from zero, as format_korean_units and accountants round (printf would round
    // 1,428.5 to even, 1,428, while the same amount reads 1,429 원 on the next line).
    const double scale = std::pow(10.0, decimals);
    if (std::fabs(value) * scale < 9.0e15) value = std::round(value * scale) / scale;
    // Avoid printing "-0" for values that round to zero.
    std::string fixed = fmt::format("{:.{}f}", value, decimals);
    if (fixed.find_first_not_of("-0.") == std::string::npos && fixed.front() == '-') fixed.erase(0, 1);
    return group_fixed(fixed);
}

std::string format_grouped_trimmed(double value, int max_decimals) {
    std::string fixed = fmt::format("{:.{}f}", value, max_decimals);
    if (fixed.find('.') != std::string::npos) {
        while (fixed.back() == '0') fixed.pop_back();
        if (fixed.back() == '.') fixed.pop_back();
    }
    if (fixed == "-0") fixed = "0";
    return group_fixed(fixed);
}

std::string format_rate(double rate, int significant_digits) {
    if (rate == 0 || !std::isfinite(rate)) return fmt::format("{}", rate);
    // Decimals needed for the requested significant digits at this magnitude.
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(rate))));
    // Fixed notation cannot show a tiny rate (1e-300 would read 0) or a huge one without a run of
    // meaningless digits: those are written in scientific notation with the same digits.
    if (significant_digits - 1 - magnitude > 17 || magnitude >= 16)
        return fmt::format("{:.{}g}", rate, significant_digits);
    const int decimals = std::clamp(significant_digits - 1 - magnitude, 0, 17);
    return format_grouped_trimmed(rate, decimals);
}

int currency_decimals(std::string_view iso_code) noexcept {
    const sdk::CurrencyInfo* currency = sdk::find_currency(iso_code);
    return currency ? currency->minor_units : 2;
}

std::string_view currency_symbol(std::string_view iso_code) noexcept {
    for (const auto& s : kSymbols)
        if (s.code == iso_code) return s.symbol;
    return {};
}

std::string format_money(double value, std::string_view iso_code) {
    const std::string digits = format_grouped(std::fabs(value), currency_decimals(iso_code));
    const bool negative = value < 0 && digits.find_first_not_of("0.,") != std::string::npos;
    const std::string_view symbol = currency_symbol(iso_code);
    if (symbol.empty()) return fmt::format("{}{} {}", negative ? "-" : "", iso_code, digits);
    return fmt::format("{}{}{}", negative ? "-" : "", symbol, digits);
}

std::string format_money_and_code(double value, std::string_view iso_code) {
    // Without a symbol, format_money already starts with the code: say it once.
    if (currency_symbol(iso_code).empty()) return format_money(value, iso_code);
    return fmt::format("{} {}", format_money(value, iso_code), iso_code);
}

std::string format_korean_units(double won) {
    const double rounded = std::round(std::fabs(won));
    if (!(rounded < 9.0e18)) return fmt::format("{:.4g} 원", won);  // beyond int64: no exact reading
    auto remaining = static_cast<uint64_t>(rounded);
    if (remaining == 0) return "0 원";
    constexpr std::array<std::pair<uint64_t, std::string_view>, 3> kUnits{
        {{1'000'000'000'000ULL, "조"}, {100'000'000ULL, "억"}, {10'000ULL, "만"}}};
    std::vector<std::string> parts;
    for (const auto& [size, name] : kUnits) {
        const uint64_t count = remaining / size;
        remaining %= size;
        if (count > 0) parts.push_back(group_integer_digits(std::to_string(count)) + std::string(name));
    }
    if (remaining > 0) parts.push_back(group_integer_digits(std::to_string(remaining)));
    return fmt::format("{}{} 원", won < 0 ? "-" : "", fmt::join(parts, " "));
}

}  // namespace impact::text
