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
