// Money display and the Korean reading of won amounts, checked against the seed articles.
#include "text/money_format.hpp"

#include <catch2/catch.hpp>

using namespace impact::text;

TEST_CASE("Korean units reproduce the articles' figures", "[text][korean]") {
    // Sources: ../shared/guide/facts.md. Article 1 reports $5.5B as 7조 8,584억 won; the H20
    // revenue range and Article 2's $70B are read here from their won amounts at 1,428.8 and
    // 1,471.4 KRW/USD, the products written out by hand.
    const struct {
        double won;
        const char* expected;
    } cases[] = {
        {7'858'400'000'000.0, "7조 8,584억 원"},     // $5.5B x 1,428.8 (Article 1, expected loss)
        {17'145'600'000'000.0, "17조 1,456억 원"},   // $12B x 1,428.8 (Article 1, H20 revenue low)
        {21'432'000'000'000.0, "21조 4,320억 원"},   // $15B x 1,428.8 (Article 1, H20 revenue high)
        {102'998'000'000'000.0, "102조 9,980억 원"}, // $70B x 1,471.4 (Article 2, about 103조)
        {12'345'678.0, "1,234만 5,678 원"},
        {100'000'000.0, "1억 원"},
        {1'000'000'000'000.0, "1조 원"},
        {1'000'000'000'001.0, "1조 1 원"},
        {999.0, "999 원"},
        {0.4, "0 원"},
        {-7'858'400'000'000.0, "-7조 8,584억 원"},
        {7'858'400'000'000.0004, "7조 8,584억 원"},  // floating-point noise rounds to the won
    };
    for (const auto& c : cases) {
        INFO("won: " << std::fixed << c.won);
        CHECK(format_korean_units(c.won) == c.expected);
    }
}

TEST_CASE("money uses the currency's symbol and minor unit", "[text][money]") {
    CHECK(format_money(7'858'400'000'000.0, "KRW") == "₩7,858,400,000,000");
    CHECK(format_money(5'500'000'000.0, "USD") == "$5,500,000,000.00");
    CHECK(format_money(-173'240'000'000.0, "USD") == "-$173,240,000,000.00");
    CHECK(format_money(1234.5, "CHF") == "CHF 1,234.50");
    CHECK(format_money(-0.001, "USD") == "$0.00");
    CHECK(format_grouped(1234567.891, 2) == "1,234,567.89");
    CHECK(format_grouped(-999.5, 0) == "-1,000");
    CHECK(format_grouped_trimmed(1428.8, 6) == "1,428.8");
    CHECK(format_grouped_trimmed(1471.4000000001, 6) == "1,471.4");
    CHECK(format_grouped_trimmed(0.00069988, 6) == "0.0007");
    CHECK(format_rate(1428.8) == "1,428.8");
    CHECK(format_rate(1.0 / 1473.7) == "0.0006785641582");  // 1/1473.7 = 0.000678564158241...
    CHECK(format_rate(1566.51) == "1,566.51");
    CHECK(currency_decimals("JPY") == 0);
    CHECK(currency_decimals("EUR") == 2);
}

TEST_CASE("decimals follow the ISO 4217 minor unit of impact/sdk/currencies.hpp", "[text][money]") {
    // Reference: ISO 4217 List One minor units (KRW, JPY, VND 0; USD, EUR, MNT 2; BHD, KWD 3;
    // XAF 0), the digits written out by hand. Before the ISO table, VND showed 2 decimals and
    // BHD 2.
    const struct {
        double value;
        const char* code;
        int decimals;
        const char* expected;
    } cases[] = {
        {1'234'567.891, "USD", 2, "$1,234,567.89"},
        {1'234'567.891, "KRW", 0, "₩1,234,568"},
        {1'234'567.891, "JPY", 0, "¥1,234,568"},
        {1'234'567.891, "VND", 0, "₫1,234,568"},
        {1'234.5678, "BHD", 3, "BHD 1,234.568"},
        {1'234.5678, "KWD", 3, "KWD 1,234.568"},
        {1'234.5678, "XAF", 0, "XAF 1,235"},
        {1'234.5678, "MNT", 2, "MNT 1,234.57"},
        {-1'234.5678, "CHF", 2, "-CHF 1,234.57"},
    };
    for (const auto& c : cases) {
        INFO("value: " << std::fixed << c.value << ", code: " << c.code);
        CHECK(currency_decimals(c.code) == c.decimals);
        CHECK(format_money(c.value, c.code) == c.expected);
    }
    CHECK(currency_decimals("ABC") == 2);  // not a currency: the common default
}

TEST_CASE("the amount and its code name the code once, losses with a leading minus", "[text][money]") {
    // A loss converted at the Article 1 rate (../shared/guide/facts.md, 'expected loss':
    // 7조 8,584억 / $5.5B = 1,428.8 KRW/USD): -$743.75M x 1,428.8, computed here.
    const double loss_usd = -743'750'000.0;
    const double rate = 1428.8;
    const double loss_krw = loss_usd * rate;
    CAPTURE(loss_usd, rate, loss_krw);
    CHECK(loss_krw == Approx(-1'062'670'000'000.0).epsilon(1e-15));
    CHECK(format_money_and_code(loss_usd, "USD") == "-$743,750,000.00 USD");
    CHECK(format_money_and_code(loss_krw, "KRW") == "-₩1,062,670,000,000 KRW");
    CHECK(format_korean_units(loss_krw) == "-1조 626억 7,000만 원");
    // No symbol: format_money already starts with the code, so it is not repeated.
    CHECK(format_money_and_code(25'000'000'000.0, "VND") == "₫25,000,000,000 VND");
    CHECK(format_money_and_code(1234.5678, "BHD") == "BHD 1,234.568");
    CHECK(format_money_and_code(-1234.5, "CHF") == "-CHF 1,234.50");
}

TEST_CASE("money and Korean units round half away from zero alike; extreme rates keep their digits",
          "[text][money]") {
    using impact::text::format_korean_units;
    using impact::text::format_money;
    using impact::text::format_rate;
    // Review finding: 1 USD at 1,428.5 printed ₩1,428 on one line and 1,429 원 on the next.
    CHECK(format_money(1428.5, "KRW") == "₩1,429");
    CHECK(format_korean_units(1428.5) == "1,429 원");
    CHECK(format_money(2.5, "KRW") == "₩3");
    CHECK(format_korean_units(2.5) == "3 원");
    CHECK(format_money(-0.125, "USD") == "-$0.13");  // -0.125 is exact in binary: half away from zero
    // A valid rate of 1e-300 printed "0"; 1e308 printed 309 digits of binary noise.
    CHECK(format_rate(1e-300) == "1e-300");
    CHECK(format_rate(1e308) == "1e+308");
    CHECK(format_rate(1.234567891234e-12) == "1.234567891e-12");
}
