// Unit-carrying literals: split the unit off (an ASCII word or a Korean currency word), leave the number to parse_amount.
#include "text/quantity.hpp"

#include "text/amount.hpp"
#include "text/money_locale.hpp"
#include "text/user_error.hpp"

#include <impact/sdk/currencies.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace impact::text {

namespace {

// A unit written as a word after the number: "USD", "shares", "KRW/USD".
bool is_unit_word(std::string_view word) noexcept {
    return std::all_of(word.begin(), word.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '/';
    });
}

std::string_view without_trailing_spaces(std::string_view s) noexcept {
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// A literal in Korean units or with a Korean currency word: "7조 8,584억 원", "55억 달러", "9,999 원",
// "1.2조 KRW", "120억", "120억 shares". An ISO code may follow the word ("55억 달러 USD") when it
// names the same currency. Nullopt for a literal with neither, which parse_quantity reads as before.
std::optional<Quantity> parse_korean_literal(std::string_view text, std::string_view s, std::string_view what) {
    std::string_view number = s;
    std::string_view word_after;
    if (const auto space = number.rfind(' '); space != std::string_view::npos && is_unit_word(number.substr(space + 1))) {
        word_after = number.substr(space + 1);
        number = without_trailing_spaces(number.substr(0, space));
    }
    const std::string_view korean_word = trailing_korean_currency_word(number);
    if (korean_word.empty() && !has_korean_unit(number)) return std::nullopt;
    Quantity q;
    q.unit = std::string(word_after);
    if (!korean_word.empty()) {
        const std::string_view code = currency_of_korean_word(korean_word);
        if (!word_after.empty() && word_after != code)
            throw UserError(fmt::format("{}: expected one currency, found '{}', which names both {} ({}) and {}", what, text,
                                        korean_word, code, word_after));
        q.unit = std::string(code);
        number = without_trailing_spaces(number.substr(0, number.size() - korean_word.size()));
        if (number.empty())
            throw UserError(fmt::format("{}: expected a number before {}, such as '55억 {}', found '{}'", what, korean_word,
                                        korean_word, text));
    }
    q.value = parse_amount(number, what);
    return q;
}

}  // namespace

bool is_currency_code(std::string_view unit) noexcept {
    return sdk::find_currency(unit) != nullptr;
}

Quantity parse_quantity(std::string_view text, std::string_view what) {
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (std::optional<Quantity> korean = parse_korean_literal(text, s, what)) return std::move(*korean);
    Quantity q;
    if (!s.empty() && s.back() == '%') {
        q.unit = "%";
        s.remove_suffix(1);
    } else if (s.size() > 2 && s.substr(s.size() - 2) == "bp" && s[s.size() - 3] >= '0' && s[s.size() - 3] <= '9') {
        q.unit = "bp";
        s.remove_suffix(2);
    } else if (const auto space = s.rfind(' '); space != std::string_view::npos) {
        q.unit = std::string(s.substr(space + 1));
        s = s.substr(0, space);
        if (!is_unit_word(q.unit))
            throw UserError(fmt::format("{}: expected a number with an optional unit such as '5.5B USD' or '6.3%', "
                                        "found '{}'",
                                        what, text));
    }
    try {
        q.value = parse_amount(s, what);
    } catch (const UserError&) {
        throw UserError(fmt::format("{}: expected a number with an optional unit such as '5.5B USD', '6.3%' or "
                                    "'25bp', found '{}'",
                                    what, text));
    }
    return q;
}

}  // namespace impact::text
