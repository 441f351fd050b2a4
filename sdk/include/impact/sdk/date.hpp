// Dates as they cross the plugin ABI (days since 1970-01-01), with civil-calendar conversions and ISO text.
//
// Header-only, C++17: a model's formulas can name and print dates without including the
// wrapper (plugin.hpp).
#ifndef IMPACT_SDK_DATE_HPP
#define IMPACT_SDK_DATE_HPP

#include <impact/sdk/impact_plugin.h>

#include <cstdio>
#include <string>

namespace impact::sdk {

// A calendar date as days since 1970-01-01, with civil-calendar conversions
// (Howard Hinnant's days-from-civil algorithm, public domain description).
struct Date {
    impact_date_days days_since_epoch = 0;

    static constexpr Date from_ymd(int year, unsigned month, unsigned day) noexcept {
        const int y = year - (month <= 2 ? 1 : 0);
        const int era = (y >= 0 ? y : y - 399) / 400;
        const unsigned yoe = static_cast<unsigned>(y - era * 400);
        const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return Date{static_cast<impact_date_days>(era * 146097 + static_cast<int>(doe) - 719468)};
    }
    struct Ymd {
        int year;
        unsigned month;
        unsigned day;
    };
    constexpr Ymd ymd() const noexcept {
        const int z = days_since_epoch + 719468;
        const int era = (z >= 0 ? z : z - 146096) / 146097;
        const unsigned doe = static_cast<unsigned>(z - era * 146097);
        const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        const unsigned mp = (5 * doy + 2) / 153;
        const unsigned day = doy - (153 * mp + 2) / 5 + 1;
        const unsigned month = mp < 10 ? mp + 3 : mp - 9;
        return Ymd{static_cast<int>(yoe) + era * 400 + (month <= 2 ? 1 : 0), month, day};
    }
    // "YYYY-MM-DD" ("2025-04-16"): the one ISO 8601 spelling every model and note uses.
    std::string iso() const {
        const Ymd d = ymd();
        char text[32];  // room for any int year, so no truncation warning
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", d.year, d.month, d.day);
        return text;
    }
    friend constexpr bool operator==(Date a, Date b) noexcept { return a.days_since_epoch == b.days_since_epoch; }
    friend constexpr bool operator<(Date a, Date b) noexcept { return a.days_since_epoch < b.days_since_epoch; }
};

}  // namespace impact::sdk

#endif  // IMPACT_SDK_DATE_HPP
