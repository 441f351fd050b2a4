// impact::sdk::Date against std::chrono's civil calendar: days since 1970-01-01 <-> year, month, day.
#include <impact/sdk/plugin.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <iomanip>
#include <sstream>
#include <string>

namespace sdk = impact::sdk;
using namespace std::chrono;

namespace {

// The first day that disagrees in either direction, or "" when all agree.
std::string first_mismatch(int first_day, int last_day, int step_days) {
    for (int n = first_day; n <= last_day; n += step_days) {
        const year_month_day expected{sys_days{days{n}}};
        const int y = static_cast<int>(expected.year());
        const unsigned m = static_cast<unsigned>(expected.month());
        const unsigned d = static_cast<unsigned>(expected.day());
        const sdk::Date::Ymd got = sdk::Date{n}.ymd();
        const int back = sdk::Date::from_ymd(y, m, d).days_since_epoch;
        if (got.year != y || got.month != m || got.day != d || back != n) {
            std::ostringstream os;
            os << "day " << n << ": chrono " << y << "-" << m << "-" << d << ", Date::ymd " << got.year << "-"
               << got.month << "-" << got.day << ", Date::from_ymd " << back;
            return os.str();
        }
    }
    return {};
}

int days_of(year_month_day ymd) { return static_cast<int>(sys_days{ymd}.time_since_epoch().count()); }

// ISO 8601 text built from chrono's fields with iostreams, not with the SDK's snprintf.
std::string iso_from_chrono(int n) {
    const year_month_day ymd{sys_days{days{n}}};
    std::ostringstream os;
    os << std::setfill('0') << std::setw(4) << static_cast<int>(ymd.year()) << '-' << std::setw(2)
       << static_cast<unsigned>(ymd.month()) << '-' << std::setw(2) << static_cast<unsigned>(ymd.day());
    return os.str();
}

}  // namespace

// The epoch is part of the ABI ("days since 1970-01-01"), so it is pinned at compile time.
static_assert(sdk::Date::from_ymd(1970, 1, 1).days_since_epoch == 0);
static_assert(sdk::Date{0}.ymd().year == 1970 && sdk::Date{0}.ymd().month == 1 && sdk::Date{0}.ymd().day == 1);

TEST_CASE("Date agrees with std::chrono on every day from 1900 to 2100", "[sdk][date]") {
    // Covers 1900 (not leap), 2000 (leap), 2100 (not leap) and every month end in between.
    const int first = days_of(year{1900} / January / 1);
    const int last = days_of(year{2100} / December / 31);
    CHECK(first_mismatch(first, last, 1).empty());
}

TEST_CASE("Date agrees with std::chrono across chrono's whole year range", "[sdk][date]") {
    // Every 97th day (prime, so it walks through all weekdays, months and leap positions)
    // from year -32767 to 32767, including negative years and four-century boundaries.
    const int first = days_of(year::min() / January / 1);
    const int last = days_of(year::max() / December / 31);
    CHECK(first_mismatch(first, last, 97).empty());
    CHECK(first_mismatch(first, first + 800, 1).empty());
    CHECK(first_mismatch(last - 800, last, 1).empty());
}

TEST_CASE("Date::iso writes YYYY-MM-DD for years 0000 to 9999", "[sdk][date]") {
    const int first = days_of(year{0} / January / 1);
    const int last = days_of(year{9999} / December / 31);
    std::string mismatch;
    for (int n = first; n <= last && mismatch.empty(); n += 13)
        if (sdk::Date{n}.iso() != iso_from_chrono(n)) mismatch = sdk::Date{n}.iso() + " vs " + iso_from_chrono(n);
    CHECK(mismatch.empty());
    CHECK(sdk::Date{last}.iso() == "9999-12-31");
    CHECK(sdk::Date{first}.iso() == "0000-01-01");
}

TEST_CASE("the header's own example date is right", "[sdk][date]") {
    // impact_plugin.h: "2025-04-16 is 20194".
    CHECK(days_of(year{2025} / April / 16) == 20194);
    CHECK(sdk::Date::from_ymd(2025, 4, 16).days_since_epoch == 20194);
    CHECK(sdk::Date{20194}.iso() == "2025-04-16");
    CHECK(sdk::Date::from_ymd(2024, 2, 29) < sdk::Date::from_ymd(2024, 3, 1));
    CHECK(sdk::Date::from_ymd(2024, 3, 1).days_since_epoch - sdk::Date::from_ymd(2024, 2, 28).days_since_epoch == 2);
    CHECK(sdk::Date::from_ymd(2023, 3, 1).days_since_epoch - sdk::Date::from_ymd(2023, 2, 28).days_since_epoch == 1);
}
