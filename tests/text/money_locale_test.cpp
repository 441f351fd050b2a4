// Compact money in English and Korean (text/money_locale.hpp) and Korean units in literals (text/quantity.hpp),
// against tables written out by hand, plus a round-trip property: Korean output reads back as what it shows.
#include "text/amount.hpp"
#include "text/money_locale.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <string_view>

using impact::text::format_money_compact;
using impact::text::format_money_range_compact;
using impact::text::Locale;

namespace {

struct CompactCase {
    double value;
    const char* code;
    const char* expected;
};

// The expected strings are written by hand from the rules in money_locale.hpp; the arithmetic
// behind the less obvious ones is in the comments. Figures of the seed articles: ../shared/guide/facts.md
// (Article 1: $5.5B = 7조 8,584억 원 at 1,428.8).
void check_table(const CompactCase* begin, const CompactCase* end, Locale locale) {
    for (const CompactCase* c = begin; c != end; ++c) {
        INFO("value: " << std::hexfloat << c->value << std::defaultfloat << " (" << c->value << "), code: " << c->code
                       << ", locale: " << impact::text::locale_name(locale));
        CHECK(format_money_compact(c->value, c->code, locale) == c->expected);
    }
}

}  // namespace

TEST_CASE("en compact money: symbol, three significant digits, K/M/B/T", "[text][locale]") {
    const double inf = std::numeric_limits<double>::infinity();
    const CompactCase cases[] = {
        {5'500'000'000.0, "USD", "$5.5B"},              // Article 1, expected loss
        {13'560'000'000.0, "USD", "$13.6B"},            // 13.56 -> 13.6
        {7'858'400'000'000.0, "KRW", "₩7.86T"},         // 7.8584 -> 7.86
        {-4'500'000'000.0, "USD", "-$4.5B"},
        {950.25, "USD", "$950.25"},                     // below 1,000: exact, minor units
        {1'500'000'000'000.0, "JPY", "¥1.5T"},
        {999.4, "JPY", "¥999"},
        // Zero and negative zero, in the currency's minor unit.
        {0.0, "USD", "$0.00"},
        {-0.0, "USD", "$0.00"},
        {0.0, "KRW", "₩0"},
        {0.0, "BHD", "BHD 0.000"},
        // Amounts below one minor unit: never a plausible "0".
        {1e-9, "USD", "<$0.01"},
        {-1e-9, "USD", "-<$0.01"},
        {0.004999, "USD", "<$0.01"},
        {0.005, "USD", "$0.01"},                        // half away from zero
        {0.4, "KRW", "<₩1"},
        {0.5, "KRW", "₩1"},
        {0.0004, "BHD", "<BHD 0.001"},
        {0.0005, "BHD", "BHD 0.001"},
        // The 1,000 boundary, after rounding to the minor unit.
        {999.99, "USD", "$999.99"},
        {999.994, "USD", "$999.99"},
        {999.995, "USD", "$1K"},                        // rounds to 1,000.00
        {-999.995, "USD", "-$1K"},
        {999.4, "KRW", "₩999"},
        {999.5, "KRW", "₩1K"},
        {999.9994, "BHD", "BHD 999.999"},
        {999.9995, "BHD", "BHD 1K"},
        {1.2345, "BHD", "BHD 1.235"},                   // decimal 1.2345, half away from zero
        // Three significant digits; a carry takes the next suffix.
        {1000.0, "USD", "$1K"},
        {1234.5, "USD", "$1.23K"},
        {1235.0, "USD", "$1.24K"},
        {999'499.0, "USD", "$999K"},
        {999'500.0, "USD", "$1M"},                      // 999.5K -> 1,000K -> 1M
        {1'000'000'000'000.0, "USD", "$1T"},
        {999'500'000'000'000.0, "USD", "$1,000T"},      // 999.5T rounds to 1,000T
        {1'250'000'000'000'000.0, "USD", "$1,250T"},
        {1'234'567'000'000'000.0, "KRW", "₩1,230T"},    // 1.23e15
        {999'000'000'000'000'000.0, "USD", "$999,000T"},
        {1e18, "USD", "$1e18"},
        {1.25e18, "USD", "$1.25e18"},
        {-1e300, "USD", "-$1e300"},
        // No symbol: the ISO code and a space.
        {1'200'000'000.0, "CHF", "CHF 1.2B"},
        {-1'200'000'000.0, "CHF", "-CHF 1.2B"},
        {950.25, "CHF", "CHF 950.25"},
        {1234.5678, "BHD", "BHD 1.23K"},
        {std::nan(""), "USD", "nan USD"},
        {inf, "USD", "inf USD"},
        {-inf, "KRW", "-inf KRW"},
    };
    check_table(std::begin(cases), std::end(cases), Locale::en);
}

TEST_CASE("ko compact money: 만/억/조/경, two groups at most, currency words", "[text][locale]") {
    const CompactCase cases[] = {
        {7'858'400'000'000.0, "KRW", "7조 8,584억 원"},  // Article 1: $5.5B x 1,428.8
        {5'500'000'000.0, "USD", "55억 달러"},
        {-5'500'000'000.0, "USD", "-55억 달러"},
        {-7'858'400'000'000.0, "KRW", "-7조 8,584억 원"},
        {1'000'000'000'000.0, "KRW", "1조 원"},          // exactly 1조
        {999'900'000'000.0, "KRW", "9,999억 원"},        // 9,999억
        {999'950'000'000.0, "KRW", "9,999억 5,000만 원"},
        {999'999'999'999.0, "KRW", "1조 원"},            // 9,999억 9,999.9999만 rounds into 1조
        {999'999'995'000.0, "KRW", "1조 원"},            // 9,999억 9,999.5만: carry at 만, then read at 억
        {1e16, "KRW", "1경 원"},
        {12'000'000'000'000'000.0, "KRW", "1경 2,000조 원"},
        {9.999e19, "KRW", "9,999경 원"},
        {9.9995e19, "KRW", "9,999경 5,000조 원"},
        {9.99999999995e19, "KRW", "1e20 원"},            // rounds to 1만 경: scientific
        {1.2345e20, "KRW", "1.23e20 원"},
        {12'345'678.0, "KRW", "1,234만 5,678 원"},        // below 1억, the second group is the ones
        {12'345.67, "USD", "1만 2,346 달러"},
        {5'500'123'456.0, "USD", "55억 12만 달러"},       // 550,012.3456만 -> 550,012만
        {100'000'000.0, "CNY", "1억 위안"},
        {250'000'000.0, "EUR", "2억 5,000만 유로"},
        {12'345.0, "GBP", "1만 2,345 파운드"},
        {1'500'000'000'000.0, "JPY", "1조 5,000억 엔"},
        {5'500'000'000.0, "CHF", "55억 CHF"},            // no Korean word: the ISO code
        // Below 1만: the plain amount with the minor unit.
        {9'999.0, "KRW", "9,999 원"},
        {9'999.4, "KRW", "9,999 원"},
        {9'999.5, "KRW", "1만 원"},
        {9'999.99, "USD", "9,999.99 달러"},
        {9'999.995, "USD", "1만 달러"},                  // rounds to 10,000.00
        {0.25, "USD", "0.25 달러"},
        {1234.5678, "BHD", "1,234.568 BHD"},
        {0.0, "USD", "0.00 달러"},
        {0.0, "KRW", "0 원"},
        {1e-9, "USD", "<0.01 달러"},
        {-1e-9, "USD", "-<0.01 달러"},
        {0.4, "KRW", "<1 원"},
        {std::nan(""), "USD", "nan USD"},
    };
    check_table(std::begin(cases), std::end(cases), Locale::ko);
}

TEST_CASE("ranges: one suffix and the same decimals in en, one currency word in ko", "[text][locale]") {
    const struct {
        double low, high;
        const char* code;
        Locale locale;
        const char* expected;
    } cases[] = {
        // Article 1's H20 revenue range, $12B to $15B.
        {12e9, 15e9, "USD", Locale::en, "$12.0–15.0B"},
        {12e9, 15e9, "USD", Locale::ko, "120억~150억 달러"},
        {0.95e9, 1.2e9, "USD", Locale::en, "$0.95–1.20B"},
        {12.5, 15.0, "USD", Locale::en, "$12.50–15.00"},
        {0.0, 5e9, "USD", Locale::en, "$0.00–5.00B"},
        {500e6, 999.6e6, "USD", Locale::en, "$0.50–1.00B"},      // 999.6M rounds to 1.00B
        {1'200'000'000.0, 1'500'000'000.0, "CHF", Locale::en, "CHF 1.20–1.50B"},
        // The same range in won at 1,428.8: 17조 1,456억 and 21조 4,320억 (facts.md).
        {17'145'600'000'000.0, 21'432'000'000'000.0, "KRW", Locale::en, "₩17.1–21.4T"},
        {7'858'400'000'000.0, 17'145'600'000'000.0, "KRW", Locale::en, "₩7.9–17.1T"},
        {17'145'600'000'000.0, 21'432'000'000'000.0, "KRW", Locale::ko, "17조 1,456억~21조 4,320억 원"},
        // Each end alone: a negative end, a non-zero end the shared decimals would show as 0, 10^18.
        {-4.5e9, 2e9, "USD", Locale::en, "-$4.5B to $2B"},
        {1e3, 5e9, "USD", Locale::en, "$1K to $5B"},
        {0.001, 15.0, "USD", Locale::en, "<$0.01 to $15.00"},
        {1e18, 2e18, "USD", Locale::en, "$1e18 to $2e18"},
        {-5.5e9, -1.2e9, "USD", Locale::ko, "-55억~-12억 달러"},
        {0.25, 0.5, "USD", Locale::ko, "0.25~0.50 달러"},
        {1.2e10, 1.5e10, "CHF", Locale::ko, "120억~150억 CHF"},
    };
    for (const auto& c : cases) {
        INFO("low: " << c.low << ", high: " << c.high << ", code: " << c.code
                     << ", locale: " << impact::text::locale_name(c.locale));
        CHECK(format_money_range_compact(c.low, c.high, c.code, c.locale) == c.expected);
    }
}

TEST_CASE("the locale option takes en or ko only", "[text][locale]") {
    CHECK(impact::text::parse_locale("en") == Locale::en);
    CHECK(impact::text::parse_locale("ko") == Locale::ko);
    CHECK(impact::text::locale_name(Locale::ko) == "ko");
    for (const char* bad : {"xx", "EN", "ko-KR", ""}) {
        INFO("text: '" << bad << "'");
        try {
            impact::text::parse_locale(bad);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(std::string(e.what()) == std::string("--locale: expected en or ko, found '") + bad + "'");
        }
    }
}

TEST_CASE("literals in Korean units parse to exact values and their currency", "[text][locale][amount]") {
    const struct {
        const char* text;
        double value;
        const char* unit;
    } cases[] = {
        {"7조 8,584억 원", 7'858'400'000'000.0, "KRW"},
        {"7조8584억원", 7'858'400'000'000.0, "KRW"},
        {"55억 달러", 5'500'000'000.0, "USD"},
        {"55억달러", 5'500'000'000.0, "USD"},
        {"55억 달러 USD", 5'500'000'000.0, "USD"},     // the ISO code agrees with the word
        {"-55억 달러", -5'500'000'000.0, "USD"},
        {"1.2조 KRW", 1'200'000'000'000.0, "KRW"},
        {"120억", 12'000'000'000.0, ""},
        {"5,000만 원", 50'000'000.0, "KRW"},
        {"1경 2,000조 원", 12'000'000'000'000'000.0, "KRW"},
        {"1,234만 5,678 원", 12'345'678.0, "KRW"},
        {"7조 584억", 7'058'400'000'000.0, ""},
        {"7조 8,584.5억", 7'858'450'000'000.0, ""},   // decimals in the last group
        {"1억 5", 100'000'005.0, ""},                  // the ones after the units
        {"9,999 원", 9'999.0, "KRW"},
        {"0.25 달러", 0.25, "USD"},
        {"5.5B 달러", 5'500'000'000.0, "USD"},
        {"1.5억 엔", 150'000'000.0, "JPY"},
        {"3억 유로", 300'000'000.0, "EUR"},
        {"10억 위안", 1'000'000'000.0, "CNY"},
        {"2억 파운드", 200'000'000.0, "GBP"},
        {"120억 shares", 12'000'000'000.0, "shares"},  // an ASCII word stays the unit
        {"9007조 1992억 5474만 992", 9'007'199'254'740'992.0, ""},  // 2^53, exact
        {"9,999경 9,999조 원", 99'999'999e12, "KRW"},  // 99999999 of 10^12, as "99999999T" is
        // Unchanged spellings.
        {"5.5B USD", 5'500'000'000.0, "USD"},
        {"6.3%", 6.3, "%"},
        {"25bp", 25.0, "bp"},
        {"5.5B shares", 5'500'000'000.0, "shares"},
    };
    for (const auto& c : cases) {
        INFO("text: '" << c.text << "'");
        const impact::text::Quantity q = impact::text::parse_quantity(c.text, "value");
        CHECK(q.value == c.value);  // exact: the numeral is converted once
        CHECK(q.unit == c.unit);
    }
    CHECK(impact::text::parse_amount("7조 8,584억") == 7'858'400'000'000.0);
    CHECK(impact::text::parse_amount("120억") == 12'000'000'000.0);
}

TEST_CASE("malformed Korean literals are refused with one line that says what is wrong", "[text][locale][amount]") {
    const std::string units = "value: expected Korean units such as 7조 8,584억, 1.2조 or 5,000만, found ";
    const struct {
        const char* text;
        std::string message;
    } cases[] = {
        {"55억 달러 KRW", "value: expected one currency, found '55억 달러 KRW', which names both 달러 (USD) and KRW"},
        {"55억달러 shares", "value: expected one currency, found '55억달러 shares', which names both 달러 (USD) and shares"},
        {"달러", "value: expected a number before 달러, such as '55억 달러', found '달러'"},
        {"7조 10,000억 원", units + "'7조 10,000억' (10,000억 after 7조: a group after the first must be below 1만)"},
        {"8,584억 7조", units + "'8,584억 7조' (7조 after 8,584억: units go from large to small, each once)"},
        {"1억 2억", units + "'1억 2억' (2억 after 1억: units go from large to small, each once)"},
        {"1만 12,345", units + "'1만 12,345' (12,345 after 1만: a group after the first must be below 1만)"},
        {"억 원", units + "'억' (no digits before 억)"},
        {"7.5조 8,584억", units + "'7.5조 8,584억' (decimals in 7.5조, which is not the last group)"},
        {"1,2345억", units + "'1,2345억' (misplaced thousands separator)"},
        {"5B억", units + "'5B억' (unexpected 'B억')"},
        {"55억 주", units + "'55억 주' (unexpected '주')"},
        {"- 55억", units + "'- 55억' (unexpected ' 55억')"},
        {"1e3억", units + "'1e3억' (unexpected 'e3억')"},
        {"1억.", units + "'1억.' (unexpected '.')"},
        {"9007조 1992억 5474만 993",
         "value: expected a number a double holds exactly, found '9007조 1992억 5474만 993' (whole numbers beyond 2^53 = "
         "9007199254740992 are rounded: this one would become 9007199254740992); write the last group with a decimal "
         "point, such as '993.0', if an approximation is meant"},
        {"1경 1",  // 10^16 + 1 lies halfway between two doubles; it rounds to the even one, 10^16
         "value: expected a number a double holds exactly, found '1경 1' (whole numbers beyond 2^53 = "
         "9007199254740992 are rounded: this one would become 10000000000000000); write the last group with a decimal "
         "point, such as '1.0', if an approximation is meant"},
    };
    for (const auto& c : cases) {
        INFO("text: '" << c.text << "'");
        try {
            const impact::text::Quantity q = impact::text::parse_quantity(c.text, "value");
            FAIL("accepted as " << q.value << " " << q.unit);
        } catch (const impact::UserError& e) {
            CHECK(std::string(e.what()) == c.message);
        }
    }
}

TEST_CASE("Korean output reads back as the value rounded as shown", "[text][locale][property]") {
    // A fixed seed: the same values on every run and platform (mt19937_64 is specified exactly).
    std::mt19937_64 generator(20251130);
    std::uniform_real_distribution<double> mantissa(1.0, 10.0);
    std::uniform_int_distribution<int> exponent(-3, 19);  // up to 9.99e19: every unit up to 경, not scientific
    for (int i = 0; i < 20'000; ++i) {
        const double magnitude = mantissa(generator) * std::pow(10.0, exponent(generator));
        const double value = (i % 3 == 0) ? -magnitude : magnitude;
        for (const char* code : {"KRW", "USD", "JPY", "CHF", "BHD"}) {
            const std::string shown = format_money_compact(value, code, Locale::ko);
            INFO("value: " << std::hexfloat << value << std::defaultfloat << " (" << value << "), code: " << code
                           << ", shown: " << shown);
            if (shown.find('<') != std::string::npos) continue;  // "<0.01 달러" names a bound, not a value
            const impact::text::Quantity q = impact::text::parse_quantity(shown, "shown");
            CHECK(q.unit == code);
            // The step the display rounds at: the minor unit below 1만, else the smaller Korean unit
            // shown, which is one below the largest unit the rounded value reaches.
            // ISO 4217 minor units, written out: KRW and JPY 0, BHD 3, USD and CHF 2.
            const std::string_view c = code;
            const int minor = c == "KRW" || c == "JPY" ? 0 : c == "BHD" ? 3 : 2;
            const double minor_step = std::pow(10.0, -minor);
            double step = minor_step;
            if (std::round(std::fabs(value) / minor_step) * minor_step >= 1e4) {
                int unit = static_cast<int>(std::floor(std::log10(std::fabs(value)))) / 4;
                unit = std::max(unit, 1);
                step = std::pow(10.0, 4 * (unit - 1));
                if (std::round(std::fabs(value) / step) * step >= std::pow(10.0, 4 * (unit + 1))) step *= 1e4;  // carry
            }
            // Within half a step of the value (relative slack for the double quotient), a whole number of steps,
            // and shown the same way again.
            CHECK(std::fabs(q.value - value) <= step / 2 * (1 + 1e-9));
            const double steps = q.value / step;
            CHECK(std::fabs(steps - std::round(steps)) <= 1e-9 * std::max(1.0, std::fabs(steps)));
            CHECK(format_money_compact(q.value, code, Locale::ko) == shown);
        }
    }
}
