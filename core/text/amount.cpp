// Amount parsing: strict about separators and suffixes so that typos fail loudly.
#include "text/amount.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>

namespace impact::text {
namespace {

double suffix_multiplier(char c) noexcept {
    switch (c) {
    case 'K': case 'k': return 1e3;
    case 'M': case 'm': return 1e6;
    case 'B': case 'b': return 1e9;
    case 'T': case 't': return 1e12;
    default: return 0;
    }
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// True when `value` (parsed from the decimal digits `whole`, no sign) is that integer exactly.
bool integer_is_exact(std::string_view whole, double value) {
    while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
    if (whole.size() <= 15) return true;  // below 10^15 < 2^53: every such integer is a double
    return fmt::format("{:.0f}", std::fabs(value)) == whole;
}

}  // namespace

bool int64_is_exact_double(int64_t value) noexcept {
    constexpr int64_t exact_limit = int64_t{1} << 53;
    if (value <= exact_limit && value >= -exact_limit) return true;
    const double d = static_cast<double>(value);
    // 2^63 itself is not an int64: converting it back would be undefined.
    if (d >= 9223372036854775808.0 || d < -9223372036854775808.0) return false;
    return static_cast<int64_t>(d) == value;
}

double parse_amount(std::string_view text, std::string_view what) {
    const auto fail = [&](std::string_view problem) {
        return UserError(fmt::format("{}: expected a number such as 5.5B, 1,428.8 or 12e9, found '{}' ({})", what,
                                     text, problem));
    };
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) throw fail("empty");

    double multiplier = 1;
    if (const double m = suffix_multiplier(s.back()); m != 0) {
        multiplier = m;
        s.remove_suffix(1);
    }
    std::string digits;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) digits += s[i++];
    // Integer part, with commas only between complete groups of three digits.
    const std::size_t int_start = i;
    std::size_t group = 0;
    bool saw_comma = false;
    for (; i < s.size() && (is_digit(s[i]) || s[i] == ','); ++i) {
        if (s[i] == ',') {
            if (i == int_start || (saw_comma && group != 3) || (!saw_comma && group > 3)) throw fail("misplaced thousands separator");
            saw_comma = true;
            group = 0;
        } else {
            digits += s[i];
            ++group;
        }
    }
    if (saw_comma && group != 3) throw fail("misplaced thousands separator");
    if (i == int_start && !(i < s.size() && s[i] == '.')) throw fail("no digits");
    if (i < s.size() && s[i] == '.') {
        digits += s[i++];
        const std::size_t frac_start = i;
        while (i < s.size() && is_digit(s[i])) digits += s[i++];
        if (i == frac_start && i == int_start + 1) throw fail("no digits");
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        if (multiplier != 1) throw fail("exponent and suffix together");
        digits += s[i++];
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) digits += s[i++];
        const std::size_t exp_start = i;
        while (i < s.size() && is_digit(s[i])) digits += s[i++];
        if (i == exp_start) throw fail("exponent without digits");
    }
    if (i != s.size()) throw fail(fmt::format("unexpected '{}'", s.substr(i)));

    double value = 0;
    const char* begin = digits.data() + (digits.front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()) throw fail("not a number");
    // Whole digits mean an exact count ("9007199254740993" shares): beyond 2^53 a double would
    // silently hold a neighbouring integer instead. A decimal point or an exponent says that an
    // approximation is fine.
    if (digits.find_first_of(".eE") == std::string::npos) {
        std::string_view whole(begin, digits.size() - static_cast<std::size_t>(begin - digits.data()));
        if (!whole.empty() && whole.front() == '-') whole.remove_prefix(1);
        if (!integer_is_exact(whole, value))
            throw UserError(fmt::format(
                "{}: expected a number a double holds exactly, found '{}' (whole numbers beyond 2^53 = "
                "9007199254740992 are rounded: this one would become {:.0f}); write it with an exponent, such as "
                "{:.15e}, if an approximation is meant",
                what, text, std::fabs(value), std::fabs(value)));
    }
    value *= multiplier;
    if (!std::isfinite(value)) throw fail("not finite");
    return value;
}

}  // namespace impact::text
