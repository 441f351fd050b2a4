// Unit-carrying literals: split the unit off, leave the number to parse_amount.
#include "text/quantity.hpp"

#include "text/amount.hpp"
#include "text/user_error.hpp"

#include <impact/sdk/currencies.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace impact::text {

bool is_currency_code(std::string_view unit) noexcept {
    return sdk::find_currency(unit) != nullptr;
}

Quantity parse_quantity(std::string_view text, std::string_view what) {
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
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
        const bool word = std::all_of(q.unit.begin(), q.unit.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '/';
        });
        if (!word)
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
