// ISO dates: parsed with std::chrono's civil calendar (C++20), written by the SDK's Date::iso().
#include "text/iso_date.hpp"

#include <impact/sdk/date.hpp>

#include <chrono>
#include <charconv>

namespace impact::text {

std::optional<impact_date_days> parse_iso_date(std::string_view text) noexcept {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    const auto number = [&](std::size_t pos, std::size_t len, auto& out) {
        const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, out);
        return ec == std::errc() && end == text.data() + pos + len;
    };
    if (!number(0, 4, y) || !number(5, 2, m) || !number(8, 2, d)) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<impact_date_days>(std::chrono::sys_days{ymd}.time_since_epoch().count());
}

// The SDK's spelling, so host and plugins write every date the same way.
std::string format_iso_date(impact_date_days days) { return sdk::Date{days}.iso(); }

}  // namespace impact::text
