// Amount parsing: strict about separators and suffixes so that typos fail loudly.
#include "text/amount.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

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

// Korean units of four digits each: 만 (10^4), 억 (10^8), 조 (10^12), 경 (10^16).
struct KoreanUnit {
    std::string_view name;
    int exponent;
};
constexpr KoreanUnit kKoreanUnits[] = {{"경", 16}, {"조", 12}, {"억", 8}, {"만", 4}};

// "7조 8,584억", "1.2조", "-5,000만", "1,234만 5,678": numbers each followed by a unit, units from
// large to small, each once, then optionally the ones without a unit. Every group after the
// first is below 1만 (it is four digits of the whole); only the last may have decimals. Spaces
// between groups are optional. The value is assembled as one decimal numeral ("78584e8") and
// converted once, so it is exact where a double can be.
double parse_korean_amount(std::string_view text, std::string_view s, std::string_view what) {
    const auto fail = [&](std::string_view problem) {
        return UserError(fmt::format("{}: expected Korean units such as 7조 8,584억, 1.2조 or 5,000만, found '{}' ({})",
                                     what, text, problem));
    };
    struct Group {
        std::string whole;     // digits without separators
        std::string fraction;  // digits after the point
        int exponent = 0;      // the unit's power of ten; 0 for the ones
        std::string_view unit_name;
        std::string_view written;
    };
    std::vector<Group> groups;
    std::size_t i = 0;
    const bool negative = !s.empty() && s.front() == '-';
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) ++i;
    while (i < s.size()) {
        if (!groups.empty())
            while (i < s.size() && s[i] == ' ') ++i;
        Group g;
        const std::size_t start = i;
        std::size_t run = 0;
        bool saw_comma = false;
        for (; i < s.size() && (is_digit(s[i]) || s[i] == ','); ++i) {
            if (s[i] == ',') {
                if (i == start || (saw_comma && run != 3) || (!saw_comma && run > 3)) throw fail("misplaced thousands separator");
                saw_comma = true;
                run = 0;
            } else {
                g.whole += s[i];
                ++run;
            }
        }
        if (saw_comma && run != 3) throw fail("misplaced thousands separator");
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && is_digit(s[i])) g.fraction += s[i++];
        }
        const std::string_view rest = s.substr(i);
        const KoreanUnit* unit = nullptr;
        for (const KoreanUnit& u : kKoreanUnits)
            if (rest.substr(0, u.name.size()) == u.name) unit = &u;
        if (g.whole.empty() && g.fraction.empty()) {
            if (unit) throw fail(fmt::format("no digits before {}", unit->name));
            throw fail(fmt::format("unexpected '{}'", s.substr(start)));
        }
        if (unit) {
            g.exponent = unit->exponent;
            g.unit_name = unit->name;
            i += unit->name.size();
        } else if (i < s.size()) {
            throw fail(fmt::format("unexpected '{}'", rest));
        }
        g.written = s.substr(start, i - start);
        if (!groups.empty()) {
            const Group& previous = groups.back();
            if (g.exponent >= previous.exponent)
                throw fail(fmt::format("{} after {}: units go from large to small, each once", g.written, previous.written));
            if (!previous.fraction.empty())
                throw fail(fmt::format("decimals in {}, which is not the last group", previous.written));
            std::string_view whole = g.whole;
            while (whole.size() > 1 && whole.front() == '0') whole.remove_prefix(1);
            if (whole.size() > 4)
                throw fail(fmt::format("{} after {}: a group after the first must be below 1만", g.written, previous.written));
        }
        groups.push_back(std::move(g));
    }
    if (groups.empty()) throw fail("no digits");

    // The whole as one numeral: the first group's digits, then four digits for every unit down to the
    // last group's, then that group's decimals, times the last group's unit.
    std::string numeral = negative ? "-" : "";
    numeral += groups.front().whole.empty() ? "0" : groups.front().whole;
    std::size_t next = 1;
    for (int exponent = groups.front().exponent - 4; exponent >= groups.back().exponent; exponent -= 4) {
        if (next < groups.size() && groups[next].exponent == exponent) {
            const std::string& whole = groups[next++].whole;
            numeral += std::string(4 - std::min<std::size_t>(4, whole.size()), '0') + whole.substr(whole.size() > 4 ? whole.size() - 4 : 0);
        } else {
            numeral += "0000";
        }
    }
    const Group& last = groups.back();
    const std::size_t whole_end = numeral.size();
    if (!last.fraction.empty()) numeral += "." + last.fraction;
    numeral += fmt::format("e{}", last.exponent);

    double value = 0;
    const auto [end, ec] = std::from_chars(numeral.data(), numeral.data() + numeral.size(), value);
    if (ec == std::errc::result_out_of_range || !std::isfinite(value)) throw fail("not finite");
    if (ec != std::errc() || end != numeral.data() + numeral.size()) throw fail("not a number");
    // As for plain digits: the digits written are an exact count, refused if no double holds them.
    // The unit multiplies them as a K/M/B/T suffix does ("9,999경 9,999조" is 99999999 of 10^12).
    if (last.fraction.empty()) {
        const std::string_view written_digits = std::string_view(numeral).substr(negative ? 1 : 0, whole_end - (negative ? 1 : 0));
        double count = 0;
        std::from_chars(written_digits.data(), written_digits.data() + written_digits.size(), count);
        if (!integer_is_exact(written_digits, count))
            throw UserError(fmt::format(
                "{}: expected a number a double holds exactly, found '{}' (whole numbers beyond 2^53 = "
                "9007199254740992 are rounded: this one would become {:.0f}); write the last group with a decimal point, "
                "such as '{}.0{}', if an approximation is meant",
                what, text, std::fabs(value), last.written.substr(0, last.written.size() - last.unit_name.size()),
                last.unit_name));
    }
    return value;
}

}  // namespace

bool has_korean_unit(std::string_view text) noexcept {
    for (const KoreanUnit& unit : kKoreanUnits)
        if (text.find(unit.name) != std::string_view::npos) return true;
    return false;
}

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
    if (has_korean_unit(s)) return parse_korean_amount(text, s, what);

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
