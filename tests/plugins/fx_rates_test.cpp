// Reference tests for the fx rate logic (impact_fx_rates): conversions, quote resolution, errors.
#include "fx_rates.hpp"
#include "support/reference_math.hpp"

#include <impact/sdk/currencies.hpp>

#include <catch2/catch.hpp>

#include <ql/money.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using impact::fx::Quote;
using impact::fx::QuoteTable;
using impact::fx::RateNotFound;
using impact::fx::ResolvedRate;

using impact::test::close_relative;
using impact::test::days;  // from std::chrono, not from the code under test

// Converts through the resolved QuantLib::ExchangeRate, as the plugin does.
double convert(const ResolvedRate& resolved, const std::string& from, double amount) {
    const QuantLib::Money in(*impact::fx::currency_from_code(from), amount);
    return resolved.exchange_rate.exchange(in).value();
}

// One reference conversion, QuantLib test-suite style: inputs, expected value, source, tolerance.
struct ConversionCase {
    const char* figure;
    double amount;
    const char* from;
    const char* to;
    double rate;  // units of `to` per 1 `from`
    double expected;
    const char* source;
    double tolerance;  // relative
};

// The articles report wons rounded to 억 (1e8) or 조 (1e12); the expected values below are
// the exact products amount x rate, and the rounded article figure is checked separately.
const ConversionCase reference_conversions[] = {
    {"expected loss", 5.5e9, "USD", "KRW", 1428.8, 7'858'400'000'000.0,
     "../shared/guide/facts.md, Article 1, 'expected loss': $5.5B reported as 7조 8,584억 won", 1e-12},
    {"H20 revenue, low", 12e9, "USD", "KRW", 1428.8, 17'145'600'000'000.0,
     "../shared/guide/facts.md, Article 1, 'H20 revenue': $12B (reported as 17조 won) at the expected-loss rate",
     1e-12},
    {"H20 revenue, high", 15e9, "USD", "KRW", 1428.8, 21'432'000'000'000.0,
     "../shared/guide/facts.md, Article 1, 'H20 revenue': $15B (reported as 21조 won) at the expected-loss rate",
     1e-12},
    {"incentive package", 70e9, "USD", "KRW", 1471.4, 102'998'000'000'000.0,
     "../shared/guide/facts.md, Article 2, 'incentive package': $70B reported as about 103조 won", 1e-12},
};

// The article's own figure, in 조 (1e12 won), for each reference row above.
const double article_jo[] = {7.8584, 17.0, 21.0, 103.0};
// How precisely the article states it, in 조: 7조 8,584억 to the 억; the others to the 조.
const double article_precision_jo[] = {0.0001, 1.0, 1.0, 1.0};

}  // namespace

TEST_CASE("reference conversions from the articles, at a given rate and from a quote table", "[fx][reference]") {
    const int32_t quote_date = days(2025, 4, 14);
    for (std::size_t i = 0; i < std::size(reference_conversions); ++i) {
        const ConversionCase& c = reference_conversions[i];
        INFO("figure: " << c.figure << "\nsource: " << c.source);
        CAPTURE(c.amount, c.from, c.to, c.rate, c.expected);
        INFO("relative tolerance: " << c.tolerance);  // CAPTURE would print 1e-12 as 0.0

        const ResolvedRate given = impact::fx::given_rate(c.from, c.to, c.rate);
        const double given_result = convert(given, c.from, c.amount);
        CAPTURE(given_result);
        CHECK(close_relative(given_result, c.expected, c.tolerance));
        CHECK(given.rate == c.rate);
        CHECK(given.description == "given");

        const QuoteTable table({{c.from, c.to, quote_date, c.rate}});
        const ResolvedRate resolved = table.resolve(c.from, c.to, quote_date, 7);
        const double table_result = convert(resolved, c.from, c.amount);
        CAPTURE(table_result);
        CHECK(close_relative(table_result, c.expected, c.tolerance));

        // The article's rounded figure is consistent with the exact product.
        CAPTURE(article_jo[i], article_precision_jo[i]);
        CHECK(std::abs(table_result / 1e12 - article_jo[i]) < article_precision_jo[i]);
    }
}

TEST_CASE("QuantLib's exchange() does not round to the currency's minor unit", "[fx]") {
    // KRW has no minor unit; if exchange() rounded, 0.001 USD would give 1 or 0 won.
    const ResolvedRate r = impact::fx::given_rate("USD", "KRW", 1428.8);
    const double result = convert(r, "USD", 0.001);
    CAPTURE(result);
    CHECK(close_relative(result, 1.4288, 1e-12));
}

TEST_CASE("an inverse quote converts in the other direction", "[fx]") {
    // A KRW/USD quote (USD per 1 KRW) of 1/1428.8 must convert $5.5B to the same wons.
    const int32_t d = days(2025, 4, 14);
    const double krw_usd = 1.0 / 1428.8;
    const double amount_usd = 5.5e9;
    const double expected_krw = 7'858'400'000'000.0;  // facts.md Article 1, 'expected loss'
    CAPTURE(krw_usd, amount_usd, expected_krw);

    const QuoteTable table({{"KRW", "USD", d, krw_usd}});
    const ResolvedRate r = table.resolve("USD", "KRW", d, 7);
    const double result = convert(r, "USD", amount_usd);
    CAPTURE(result, r.rate, r.description);
    CHECK(close_relative(result, expected_krw, 1e-12));
    CHECK(close_relative(r.rate, 1428.8, 1e-12));
    CHECK(r.description == "inverse of KRW/USD 2025-04-14");
    REQUIRE(r.legs.size() == 1);
    CHECK(r.legs[0].inverted);

    // And the quote still works the way it is written.
    const ResolvedRate forward = table.resolve("KRW", "USD", d, 7);
    CHECK(close_relative(convert(forward, "KRW", expected_krw), amount_usd, 1e-12));
    CHECK(forward.description == "KRW/USD 2025-04-14");
}

TEST_CASE("a direct quote is preferred to an inverse one", "[fx]") {
    const int32_t d = days(2025, 4, 14);
    // Deliberately inconsistent, so the test can tell which one was used; on different dates,
    // since disagreeing quotes on one date are refused (next test). The direct one is older.
    const QuoteTable table({{"USD", "KRW", d - 2, 1424.1}, {"KRW", "USD", d, 1.0 / 1400.0}});
    const ResolvedRate r = table.resolve("USD", "KRW", d, 7);
    CAPTURE(r.rate, r.description);
    CHECK(r.rate == 1424.1);
    CHECK(r.description == "USD/KRW 2025-04-12");
}

TEST_CASE("direct and inverse quotes of one date must agree within 1e-6 relative", "[fx][rates]") {
    const int32_t d = days(2025, 4, 14);
    // 1,428.8 KRW/USD: facts.md, Article 1, 'expected loss' (7조 8,584억 / $5.5B). 0.0007 is a
    // KRW/USD quote rounded to one significant digit: 1/0.0007 = 1,428.571..., 0.016% off.
    SECTION("disagreeing quotes are refused, naming both and the implied rate") {
        const std::vector<Quote> quotes = {{"USD", "KRW", d, 1428.8}, {"KRW", "USD", d, 0.0007}};
        CAPTURE(quotes.size());
        CHECK_THROWS_MATCHES(QuoteTable(quotes), std::invalid_argument,
                             Catch::Message("USD/KRW 1428.8 on 2025-04-14 disagrees with the inverse KRW/USD quote "
                                            "0.0007 (1/0.0007 = 1428.57), more than 1e-6 relative"));
        // Whichever comes first is named first.
        CHECK_THROWS_WITH(QuoteTable({quotes[1], quotes[0]}),
                          Catch::StartsWith("KRW/USD 0.0007 on 2025-04-14 disagrees with the inverse USD/KRW quote"));
    }
    SECTION("just over 1e-6 is refused, just under is accepted") {
        const double direct = 1428.8;
        for (const double off : {2e-6, -2e-6}) {
            const double inverse = 1.0 / (direct * (1.0 + off));
            CAPTURE(direct, inverse, off);
            CHECK_THROWS_AS(QuoteTable({{"USD", "KRW", d, direct}, {"KRW", "USD", d, inverse}}), std::invalid_argument);
        }
        for (const double off : {5e-7, -5e-7, 0.0}) {
            const double inverse = 1.0 / (direct * (1.0 + off));
            CAPTURE(direct, inverse, off);
            CHECK_NOTHROW(QuoteTable({{"USD", "KRW", d, direct}, {"KRW", "USD", d, inverse}}));
        }
    }
    SECTION("agreeing quotes: the direct one is used and the description says the inverse agrees") {
        const QuoteTable table({{"KRW", "USD", d, 1.0 / 1428.8}, {"USD", "KRW", d, 1428.8}});
        const ResolvedRate usd_krw = table.resolve("USD", "KRW", d, 7);
        CAPTURE(usd_krw.rate, usd_krw.description);
        CHECK(usd_krw.rate == 1428.8);
        REQUIRE(usd_krw.legs.size() == 1);
        CHECK_FALSE(usd_krw.legs[0].inverted);
        CHECK(usd_krw.description == "USD/KRW 2025-04-14, confirmed by the inverse KRW/USD quote within 1e-6");
        const ResolvedRate krw_usd = table.resolve("KRW", "USD", d, 7);
        CHECK(krw_usd.rate == 1.0 / 1428.8);
        CHECK(krw_usd.description == "KRW/USD 2025-04-14, confirmed by the inverse USD/KRW quote within 1e-6");
    }
    SECTION("quotes of different dates are not compared") {
        CHECK_NOTHROW(QuoteTable({{"USD", "KRW", d, 1428.8}, {"KRW", "USD", d - 1, 0.0007}}));
    }
}

TEST_CASE("triangulation EUR->KRW through USD equals the product of the legs", "[fx]") {
    const int32_t d = days(2025, 4, 14);
    const double eur_usd = 1.1360;   // illustrative, not from facts.md
    const double usd_krw = 1424.1;   // facts.md, 'USD/KRW': 14 April 2025 close
    const double amount_eur = 1e9;
    CAPTURE(eur_usd, usd_krw, amount_eur);

    SECTION("both legs as quoted") {
        const QuoteTable table({{"EUR", "USD", d, eur_usd}, {"USD", "KRW", d, usd_krw}});
        const ResolvedRate r = table.resolve("EUR", "KRW", d, 7);
        const double result = convert(r, "EUR", amount_eur);
        CAPTURE(result, r.rate, r.description);
        CHECK(close_relative(result, amount_eur * eur_usd * usd_krw, 1e-12));
        CHECK(close_relative(r.rate, eur_usd * usd_krw, 1e-12));
        CHECK(r.description == "EUR/USD 2025-04-14 x USD/KRW 2025-04-14");
        CHECK(r.exchange_rate.type() == QuantLib::ExchangeRate::Derived);
        CHECK(r.exchange_rate.source().code() == "EUR");
        CHECK(r.exchange_rate.target().code() == "KRW");
        CHECK(r.legs.size() == 2);
    }
    SECTION("the reverse direction inverts both legs") {
        const QuoteTable table({{"EUR", "USD", d, eur_usd}, {"USD", "KRW", d, usd_krw}});
        const ResolvedRate r = table.resolve("KRW", "EUR", d, 7);
        const double amount_krw = 1e12;
        const double result = convert(r, "KRW", amount_krw);
        CAPTURE(amount_krw, result, r.rate, r.description);
        CHECK(close_relative(result, amount_krw / usd_krw / eur_usd, 1e-12));
        CHECK(close_relative(r.rate, 1.0 / (usd_krw * eur_usd), 1e-12));
        CHECK(r.description == "inverse of USD/KRW 2025-04-14 x inverse of EUR/USD 2025-04-14");
    }
    SECTION("legs quoted against the pivot on both sides") {
        // USD/EUR and KRW/USD: each leg is used inverted.
        const QuoteTable table({{"USD", "EUR", d, 1.0 / eur_usd}, {"KRW", "USD", d, 1.0 / usd_krw}});
        const ResolvedRate r = table.resolve("EUR", "KRW", d, 7);
        const double result = convert(r, "EUR", amount_eur);
        CAPTURE(result, r.rate, r.description);
        CHECK(close_relative(result, amount_eur * eur_usd * usd_krw, 1e-12));
        CHECK(r.description == "inverse of USD/EUR 2025-04-14 x inverse of KRW/USD 2025-04-14");
    }
}

TEST_CASE("a cross rate that overflows or underflows is refused, not used", "[fx][rates]") {
    // Each quote is a valid normal number, but 1e300 x 1e300 overflows and its inverse underflows
    // (review finding: "1 KRW = 0 EUR" with exit 0).
    const int32_t d = days(2025, 4, 14);
    const QuoteTable table({{"USD", "KRW", d, 1e300}, {"EUR", "USD", d, 1e300}});
    for (const auto& [from, to] : {std::pair{"EUR", "KRW"}, std::pair{"KRW", "EUR"}}) {
        INFO(from << " -> " << to << " through USD, quotes USD/KRW 1e300 and EUR/USD 1e300");
        try {
            const ResolvedRate r = table.resolve(from, to, d, 7);
            FAIL("resolved to " << r.rate);
        } catch (const std::invalid_argument& e) {
            const std::string message = e.what();
            INFO("message: " << message);
            CHECK(message.find("not a finite normal number > 0") != std::string::npos);
            CHECK(message.find(std::string(from) + "/" + to) != std::string::npos);
        }
    }
}

TEST_CASE("triangulation prefers USD, then EUR, then other pivots alphabetically", "[fx]") {
    const int32_t d = days(2025, 4, 14);
    // Each pivot gives a different JPY->KRW cross so the test can tell which was used.
    const std::vector<Quote> via_usd = {{"USD", "JPY", d, 150.0}, {"USD", "KRW", d, 1424.1}};  // 9.494
    const std::vector<Quote> via_eur = {{"EUR", "JPY", d, 160.0}, {"EUR", "KRW", d, 1600.0}};  // 10
    const std::vector<Quote> via_aud = {{"AUD", "JPY", d, 100.0}, {"AUD", "KRW", d, 950.0}};   // 9.5
    const std::vector<Quote> via_chf = {{"CHF", "JPY", d, 170.0}, {"CHF", "KRW", d, 1530.0}};  // 9
    const auto table_of = [](std::initializer_list<const std::vector<Quote>*> parts) {
        std::vector<Quote> all;
        for (const auto* part : parts) all.insert(all.end(), part->begin(), part->end());
        return QuoteTable(all);
    };
    const auto cross = [d](const QuoteTable& t) { return t.resolve("JPY", "KRW", d, 7); };

    SECTION("USD first") {
        const ResolvedRate r = cross(table_of({&via_chf, &via_aud, &via_eur, &via_usd}));
        CAPTURE(r.rate, r.description);
        CHECK(close_relative(r.rate, 1424.1 / 150.0, 1e-12));
        CHECK(r.description == "inverse of USD/JPY 2025-04-14 x USD/KRW 2025-04-14");
    }
    SECTION("EUR when USD is missing") {
        const ResolvedRate r = cross(table_of({&via_chf, &via_aud, &via_eur}));
        CAPTURE(r.rate, r.description);
        CHECK(close_relative(r.rate, 1600.0 / 160.0, 1e-12));
    }
    SECTION("EUR when USD has only one leg") {
        std::vector<Quote> half_usd = {via_usd.front()};
        const ResolvedRate r = cross(table_of({&half_usd, &via_chf, &via_eur}));
        CAPTURE(r.rate, r.description);
        CHECK(close_relative(r.rate, 1600.0 / 160.0, 1e-12));
    }
    SECTION("then alphabetical: AUD before CHF") {
        const ResolvedRate r = cross(table_of({&via_chf, &via_aud}));
        CAPTURE(r.rate, r.description);
        CHECK(close_relative(r.rate, 950.0 / 100.0, 1e-12));
    }
    SECTION("a direct quote beats every triangulation") {
        const std::vector<Quote> direct = {{"JPY", "KRW", d, 9.8}};
        const ResolvedRate r = cross(table_of({&via_usd, &direct}));
        CAPTURE(r.rate, r.description);
        CHECK(r.rate == 9.8);
        CHECK(r.legs.size() == 1);
    }
}

TEST_CASE("staleness: the latest quote within max_stale_days is used", "[fx]") {
    const int32_t apr11 = days(2025, 4, 11), apr14 = days(2025, 4, 14);
    // 1,424.1 is facts.md's 'USD/KRW' 14 April 2025 close; 1,420.0 is illustrative.
    const QuoteTable table({{"USD", "KRW", apr14, 1424.1}, {"USD", "KRW", apr11, 1420.0}});

    SECTION("3 days earlier is used and reported") {
        const int32_t on = days(2025, 4, 17);
        const ResolvedRate r = table.resolve("USD", "KRW", on, 7);
        CAPTURE(on, r.rate, r.description);
        CHECK(r.rate == 1424.1);
        REQUIRE(r.oldest_date_days().has_value());
        CHECK(*r.oldest_date_days() == apr14);
        CHECK(on - *r.oldest_date_days() == 3);
        CHECK(r.description == "USD/KRW 2025-04-14");
    }
    SECTION("exactly max_stale_days earlier is still used") {
        const ResolvedRate r = table.resolve("USD", "KRW", days(2025, 4, 21), 7);
        CHECK(r.rate == 1424.1);
    }
    SECTION("a quote after the date is never used") {
        const ResolvedRate r = table.resolve("USD", "KRW", days(2025, 4, 13), 7);
        CAPTURE(r.description);
        CHECK(r.rate == 1420.0);
        CHECK(*r.oldest_date_days() == apr11);
    }
    SECTION("8 days earlier with a limit of 7 is an error naming the pair, the date and the latest quote") {
        const int32_t on = days(2025, 4, 22);
        CAPTURE(on);
        CHECK_THROWS_MATCHES(
            table.resolve("USD", "KRW", on, 7), RateNotFound,
            Catch::Message("no USD/KRW rate on 2025-04-22 or in the 7 days before (latest earlier: 2025-04-14)"));
    }
    SECTION("no earlier quote at all") {
        CHECK_THROWS_WITH(table.resolve("USD", "KRW", days(2025, 4, 1), 7),
                          Catch::Contains("no USD/KRW rate on 2025-04-01") &&
                              Catch::Contains("no earlier USD/KRW or KRW/USD quote"));
    }
    SECTION("a limit of 0 needs a quote on the day itself") {
        CHECK(table.resolve("USD", "KRW", apr14, 0).rate == 1424.1);
        CHECK_THROWS_WITH(table.resolve("USD", "KRW", days(2025, 4, 15), 0),
                          Catch::Contains("USD/KRW") && Catch::Contains("2025-04-15") &&
                              Catch::Contains("latest earlier: 2025-04-14"));
    }
    SECTION("a triangulation reports the older leg's date") {
        const QuoteTable cross({{"EUR", "USD", days(2025, 4, 16), 1.1360}, {"USD", "KRW", apr14, 1424.1}});
        const ResolvedRate r = cross.resolve("EUR", "KRW", days(2025, 4, 17), 7);
        CAPTURE(r.description);
        CHECK(*r.oldest_date_days() == apr14);
        // One stale leg makes the whole triangulation unusable.
        CHECK_THROWS_AS(cross.resolve("EUR", "KRW", days(2025, 4, 22), 7), RateNotFound);
    }
}

TEST_CASE("currency codes", "[fx]") {
    const std::vector<std::string> required = {"USD", "EUR", "KRW", "JPY", "CNY", "GBP", "CHF",
                                               "TWD", "SGD", "HKD", "CAD", "AUD", "INR", "SEK",
                                               "NOK", "DKK", "NZD", "MXN", "BRL"};
    for (const std::string& code : required) {
        CAPTURE(code);
        const auto currency = impact::fx::currency_from_code(code);
        REQUIRE(currency.has_value());
        CHECK(currency->code() == code);  // QuantLib's own idea of the code
    }
    const std::vector<std::string_view> known = impact::fx::known_currency_codes();
    CHECK(std::is_sorted(known.begin(), known.end()));
    for (std::string_view code : known) {
        CAPTURE(code);
        const auto currency = impact::fx::currency_from_code(code);
        REQUIRE(currency.has_value());
        CHECK(currency->code() == code);
    }

    for (const char* unknown : {"XYZ", "ABC", "usd", "Usd", "", "USDX", "DEM", "CNH", "XAU", "XDR", "XTS", "XXX"}) {
        CAPTURE(unknown);
        CHECK_FALSE(impact::fx::currency_from_code(unknown).has_value());
    }
    CHECK_THROWS_WITH(impact::fx::given_rate("XYZ", "KRW", 1.0),
                      Catch::StartsWith("unknown currency code 'XYZ'; expected a current ISO 4217 code such as USD, "
                                        "EUR, KRW or JPY (156 codes are known"));
    // A few examples and a count, not the whole list.
    CHECK(impact::sdk::unknown_currency_message("ABC").size() < 200);
    const QuoteTable table({{"USD", "KRW", days(2025, 4, 14), 1424.1}});
    CHECK_THROWS_AS(table.resolve("USD", "krw", days(2025, 4, 14), 7), impact::fx::UnknownCurrency);
    CHECK_THROWS_AS(QuoteTable({{"USD", "XYZ", days(2025, 4, 14), 1.0}}), impact::fx::UnknownCurrency);
}

TEST_CASE("from == to gives rate 1", "[fx]") {
    const QuoteTable empty({});
    const ResolvedRate r = empty.resolve("KRW", "KRW", days(2025, 4, 14), 7);
    CHECK(r.rate == 1.0);
    CHECK(r.legs.empty());
    CHECK_FALSE(r.oldest_date_days().has_value());
    CHECK(convert(r, "KRW", 7'858'400'000'000.0) == 7'858'400'000'000.0);

    CHECK(impact::fx::given_rate("USD", "USD", 1.0).rate == 1.0);
    CHECK_THROWS_AS(impact::fx::given_rate("USD", "USD", 1428.8), std::invalid_argument);
}

TEST_CASE("given rates and quotes must be finite and positive", "[fx]") {
    const int32_t d = days(2025, 4, 14);
    // 1e-320 is subnormal (below DBL_MIN, about 2.2e-308): it would print as a rate of 0.
    for (double bad : {0.0, -0.0, -1.0, -1428.8, 1e-320, std::numeric_limits<double>::denorm_min(),
                       std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity()}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(impact::fx::given_rate("USD", "KRW", bad), std::invalid_argument);
        CHECK_THROWS_AS(QuoteTable({{"USD", "KRW", d, bad}}), std::invalid_argument);
    }
    // The smallest normal double is still a rate (if an odd one).
    CHECK_NOTHROW(impact::fx::given_rate("USD", "KRW", std::numeric_limits<double>::min()));
    CHECK_THROWS_WITH(QuoteTable({{"USD", "KRW", d, 1424.1}, {"USD", "KRW", d, 1425.0}}),
                      Catch::Contains("two USD/KRW quotes on 2025-04-14"));
    CHECK_THROWS_AS(QuoteTable({{"USD", "USD", d, 1.0}}), std::invalid_argument);
    const QuoteTable table({{"USD", "KRW", d, 1424.1}});
    CHECK_THROWS_AS(table.resolve("USD", "KRW", d, -1), std::invalid_argument);
}

TEST_CASE("series labels parse as BASE/QUOTE", "[fx]") {
    const auto parsed = impact::fx::parse_pair_label("USD/KRW");
    REQUIRE(parsed.has_value());
    CHECK(parsed->first == "USD");
    CHECK(parsed->second == "KRW");
    for (const char* bad : {"USDKRW", "usd/krw", "USD/KRW/EUR", "US/KRW", "USD/", "/KRW", "", "USD KRW", " USD/KRW"}) {
        CAPTURE(bad);
        CHECK_FALSE(impact::fx::parse_pair_label(bad).has_value());
    }
}

TEST_CASE("QuantLib currencies come from the project's ISO 4217 table", "[fx][currency]") {
    // Reference: ISO 4217 List One minor units and numeric codes (impact/sdk/currencies.hpp
    // cites the edition). QuantLib 1.29's own KRWCurrency, JPYCurrency, VNDCurrency and
    // CLPCurrency say 100 fractions per unit; ISO says 0 minor units, so 1.
    const struct {
        const char* code;
        int numeric;
        int fractions_per_unit;
    } cases[] = {
        {"USD", 840, 100}, {"KRW", 410, 1}, {"JPY", 392, 1},  {"VND", 704, 1},   {"CLP", 152, 1},
        {"BHD", 48, 1000}, {"KWD", 414, 1000}, {"XAF", 950, 1}, {"XOF", 952, 1}, {"XPF", 953, 1},
        {"XCD", 951, 100}, {"MNT", 496, 100}, {"EUR", 978, 100},
    };
    for (const auto& c : cases) {
        CAPTURE(c.code, c.numeric, c.fractions_per_unit);
        const auto currency = impact::fx::currency_from_code(c.code);
        REQUIRE(currency.has_value());
        CHECK(currency->code() == c.code);
        CHECK(currency->numericCode() == c.numeric);
        CHECK(currency->fractionsPerUnit() == c.fractions_per_unit);
    }
    // Every code of the table builds a distinct QuantLib currency (QuantLib compares by name).
    const std::vector<std::string_view> known = impact::fx::known_currency_codes();
    CHECK(known.size() == impact::sdk::iso4217_currencies.size());
    for (std::size_t i = 1; i < known.size(); ++i) {
        CAPTURE(known[i - 1], known[i]);
        CHECK(*impact::fx::currency_from_code(known[i - 1]) != *impact::fx::currency_from_code(known[i]));
    }
    // XAF and MNT, missing from QuantLib 1.29, convert. 1 EUR = 655.957 XAF is the fixed
    // parity of the CFA franc (BEAC); the MNT rate is illustrative.
    const ResolvedRate eur_xaf = impact::fx::given_rate("EUR", "XAF", 655.957);
    CHECK(close_relative(convert(eur_xaf, "EUR", 1000.0), 655'957.0, 1e-12));
    const ResolvedRate usd_mnt = impact::fx::given_rate("USD", "MNT", 3400.0);
    CHECK(close_relative(convert(usd_mnt, "USD", 2.0), 6800.0, 1e-12));
    // VED and VES share one ISO name; converting between them must still go the right way.
    // VED = VES x 1e6 was the 2021 redenomination; used here only as a distinct rate.
    const QuoteTable bolivar({{"VED", "VES", days(2025, 4, 14), 1e6}});
    CHECK(close_relative(convert(bolivar.resolve("VED", "VES", days(2025, 4, 14), 0), "VED", 2.0), 2e6, 1e-12));
    CHECK(close_relative(convert(bolivar.resolve("VES", "VED", days(2025, 4, 14), 0), "VES", 2e6), 2.0, 1e-12));
}

TEST_CASE("losses convert: conversion is linear in the amount", "[fx][reference]") {
    // -$743.75M at 1,428.8 KRW/USD (facts.md, Article 1, 'expected loss' rate); the expected
    // value is computed here as amount x rate, and its sign and size checked by hand.
    const double amount = -743.75e6;
    const double rate = 1428.8;
    const double expected = amount * rate;  // -1,062,670,000,000 won
    CAPTURE(amount, rate, expected);
    CHECK(expected == -1'062'670'000'000.0);
    const ResolvedRate given = impact::fx::given_rate("USD", "KRW", rate);
    CHECK(close_relative(convert(given, "USD", amount), expected, 1e-12));
    const QuoteTable table({{"KRW", "USD", days(2025, 4, 14), 1.0 / rate}});
    const ResolvedRate inverse = table.resolve("USD", "KRW", days(2025, 4, 14), 7);
    CHECK(close_relative(convert(inverse, "USD", amount), expected, 1e-12));
    CHECK(close_relative(convert(inverse, "USD", -amount), -expected, 1e-12));
}
