// Amount parsing: accepted spellings with their values, and rejected ones with their messages.
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>

using impact::text::parse_amount;

TEST_CASE("amounts accept plain numbers, separators, exponents and K/M/B/T suffixes", "[text][amount]") {
    struct Case {
        const char* text;
        double expected;
    };
    // Expected values written out in full so that no parsing code produced them.
    const Case cases[] = {
        {"5.5B", 5'500'000'000.0},       {"5.5b", 5'500'000'000.0}, {"1,428.8", 1428.8},
        {"12e9", 12'000'000'000.0},      {"12E9", 12'000'000'000.0}, {"250K", 250'000.0},
        {"7.5M", 7'500'000.0},           {"1T", 1'000'000'000'000.0}, {"70B", 70'000'000'000.0},
        {"1,234,567", 1'234'567.0},      {"0.5", 0.5},               {".5", 0.5},
        {"-3", -3.0},                    {"+3", 3.0},                {" 42 ", 42.0},
        {"24.4B", 24'400'000'000.0},     {"1e-3", 0.001},
    };
    for (const Case& c : cases) {
        INFO("text: '" << c.text << "'");
        CHECK(parse_amount(c.text) == Approx(c.expected).epsilon(1e-15));
    }
}

TEST_CASE("malformed amounts are refused with a one-line message that quotes them", "[text][amount]") {
    const char* bad[] = {"",      "abc",   "5.5X",  "1,42",  "12,34.5", "1234,567", ",123", "nan",
                         "inf",   "1e",    "1e3K",  "5..5",  "5.5BB",   "--5",      "$5",   "1e999"};
    for (const char* text : bad) {
        INFO("text: '" << text << "'");
        try {
            parse_amount(text, "amount");
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            const std::string message = e.what();
            CHECK(message.rfind("amount: ", 0) == 0);
            CHECK(message.find(std::string("'") + text + "'") != std::string::npos);
            CHECK(message.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("whole numbers a double cannot hold exactly are refused, not rounded", "[text][amount]") {
    // 2^53 = 9,007,199,254,740,992 is the last integer before doubles skip odd numbers: 2^53 + 1
    // would silently become 2^53 (issue #6: a market-cap change of $0.00 or $500.00).
    for (const char* text : {"9007199254740993", "-9007199254740993", "9,007,199,254,740,993", "9007199254740993K",
                             "123456789012345678901"}) {
        INFO("text: '" << text << "'");
        try {
            parse_amount(text, "shares");
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            const std::string message = e.what();
            INFO("message: " << message);
            CHECK(message.rfind("shares: expected a number a double holds exactly", 0) == 0);
            CHECK(message.find(std::string("'") + text + "'") != std::string::npos);
        }
    }
    // Exact ones pass: 2^53 itself, 2^60 (trailing zero bits), and any value written with a decimal
    // point or an exponent, which says an approximation is meant.
    CHECK(parse_amount("9007199254740992") == 9007199254740992.0);
    CHECK(parse_amount("1152921504606846976") == 1152921504606846976.0);
    CHECK(parse_amount("9.007199254740993e15") == 9007199254740992.0);
    CHECK(parse_amount("9007199254740993.0") == 9007199254740992.0);
    CHECK(impact::text::int64_is_exact_double(int64_t{1} << 60));
    CHECK_FALSE(impact::text::int64_is_exact_double((int64_t{1} << 53) + 1));
    CHECK_FALSE(impact::text::int64_is_exact_double(INT64_MAX));
    CHECK(impact::text::int64_is_exact_double(INT64_MIN));  // -2^63 is a double exactly
}

TEST_CASE("ISO dates map to days since 1970-01-01 and back", "[text][date]") {
    using namespace std::chrono;
    // Reference: std::chrono's civil calendar, an implementation independent of the text parsing.
    const struct {
        const char* text;
        year_month_day ymd;
    } cases[] = {{"1970-01-01", 1970y / January / 1}, {"2025-04-16", 2025y / April / 16},
                 {"2024-02-29", 2024y / February / 29}, {"1969-12-31", 1969y / December / 31},
                 {"2025-12-08", 2025y / December / 8}};
    for (const auto& c : cases) {
        INFO(c.text);
        const auto days = impact::text::parse_iso_date(c.text);
        REQUIRE(days);
        CHECK(*days == sys_days{c.ymd}.time_since_epoch().count());
        CHECK(impact::text::format_iso_date(*days) == c.text);
    }
    CHECK(*impact::text::parse_iso_date("2025-04-16") == 20194);  // 55 years incl. 14 leap days + 105 days
    for (const char* bad : {"2025-02-29", "2025-13-01", "2025-4-16", "16/04/2025", "2025-04-16T00", "", "2025-04-00"}) {
        INFO(bad);
        CHECK_FALSE(impact::text::parse_iso_date(bad));
    }
}

TEST_CASE("currency units are current ISO 4217 codes only", "[text][currency]") {
    // Reference: ISO 4217 List One (impact/sdk/currencies.hpp cites the edition). XAF (CFA franc
    // BEAC) and MNT (tugrik) are current; ABC was never a code; DEM was withdrawn in 2002; CNH
    // is a market convention, not ISO; XAU, XDR, XTS and XXX have no minor unit; funds codes
    // such as CLF are not currencies.
    for (const char* code : {"USD", "KRW", "EUR", "JPY", "VND", "BHD", "XAF", "XOF", "XPF", "XCD", "MNT"}) {
        INFO("code: " << code);
        CHECK(impact::text::is_currency_code(code));
    }
    for (const char* code : {"ABC", "XYZ", "DEM", "CNH", "XAU", "XDR", "XTS", "XXX", "CLF", "usd", "US", "USDX", ""}) {
        INFO("code: " << code);
        CHECK_FALSE(impact::text::is_currency_code(code));
    }
}
