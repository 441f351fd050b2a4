// CSV and FX-quote file reading: positions in error messages, quoting, validation of each cell.
#include "data/csv.hpp"
#include "data/rates_csv.hpp"
#include "support/temp_dir.hpp"
#include "text/iso_date.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

namespace {

// A file in a fresh temp folder, removed with it.
struct TempFile {
    impact::test::TempDir dir;
    std::filesystem::path path;
    explicit TempFile(const std::string& content, const std::string& name = "rates.csv")
        : path(dir.write(name, content)) {}
};

std::string error_of(const std::string& content) {
    TempFile file(content);
    try {
        impact::data::read_rates_csv(file.path);
    } catch (const impact::UserError& e) {
        const std::string message = e.what();
        const std::string prefix = file.path.string() + ":";
        // Every data error starts with the file's path.
        CHECK(message.rfind(prefix, 0) == 0);
        CHECK(message.find('\n') == std::string::npos);
        return message.substr(prefix.size());
    }
    FAIL("no error for:\n" << content);
    return {};
}

}  // namespace

TEST_CASE("CSV cells keep their line and column; quotes and CRLF are handled", "[data][csv]") {
    const auto table = impact::data::parse_csv("a,b\r\n1,\"x,\"\"y\"\"\"\r\n\r\n22,3\n", "t.csv");
    REQUIRE(table.header.size() == 2);
    REQUIRE(table.rows.size() == 2);
    CHECK(table.rows[0][1].text == "x,\"y\"");
    CHECK(table.rows[0][1].line == 2);
    CHECK(table.rows[0][1].column == 3);
    CHECK(table.rows[1][0].text == "22");
    CHECK(table.rows[1][0].line == 4);
    CHECK(table.where(table.rows[1][1]) == "t.csv:4:4");
    CHECK_THROWS_WITH(impact::data::parse_csv("a,b\n1\n", "t.csv"), Catch::Contains("t.csv:2:1") && Catch::Contains("expected 2 cells"));
    CHECK_THROWS_WITH(impact::data::parse_csv("a\n\"open\n", "t.csv"), Catch::Contains("t.csv:2:1: unterminated"));
    CHECK_THROWS_WITH(impact::data::parse_csv("", "t.csv"), Catch::Contains("t.csv:1:1"));
}

TEST_CASE("FX quote files group by pair and sort by date", "[data][rates]") {
    TempFile file("date,base,quote,rate\n2025-04-15,USD,KRW,1425.5\n2025-04-14,USD,KRW,\"1,424.1\"\n"
                  "2025-04-14,EUR,USD,1.1357\n");
    const auto series = impact::data::read_rates_csv(file.path);
    REQUIRE(series.size() == 2);
    CHECK(series[0].pair == "EUR/USD");
    CHECK(series[1].pair == "USD/KRW");
    REQUIRE(series[1].dates.size() == 2);
    CHECK(series[1].dates[0] == *impact::text::parse_iso_date("2025-04-14"));
    CHECK(series[1].rates[0] == 1424.1);
    CHECK(series[1].rates[1] == 1425.5);
}

TEST_CASE("FX quote file errors say where, what was expected and what was found", "[data][rates]") {
    CHECK(error_of("day,base,quote,rate\n") == "1:1: expected a 'date' column (header date,base,quote,rate), found header 'day,base,quote,rate'");
    CHECK(error_of("date,base,quote,rate\n2025-04-31,USD,KRW,1\n") == "2:1: date: expected YYYY-MM-DD, found '2025-04-31'");
    CHECK(error_of("date,base,quote,rate\n2025-04-14,usd,KRW,1\n") ==
          "2:12: base: expected a current ISO 4217 code such as USD, found 'usd'");
    // Issue #6: ABC is three capital letters but no ISO 4217 code; a header alone has no quote;
    // a subnormal rate (1e-320) would print as 0; a direct and an inverse quote of one date
    // that disagree (1/0.0007 = 1428.571..., 0.016% from 1,428.8) are refused with both lines.
    CHECK(error_of("date,base,quote,rate\n2025-04-14,USD,ABC,1\n") ==
          "2:16: quote: expected a current ISO 4217 code such as USD, found 'ABC'");
    CHECK(error_of("date,base,quote,rate\n") ==
          "2:1: expected at least one quote row after the header date,base,quote,rate, found none");
    CHECK(error_of("date,base,quote,rate\n2025-04-14,USD,KRW,1e-320\n") ==
          "2:20: rate: expected a positive number, found '1e-320'");
    CHECK(error_of("date,base,quote,rate\n2025-04-14,KRW,USD,0.0007\n2025-04-14,USD,KRW,1428.8\n") ==
          "2:1: KRW/USD 0.0007 on 2025-04-14 disagrees with the inverse USD/KRW quote on line 3 "
          "(1/1428.8 = 0.000699888), more than 1e-6 relative");
    CHECK(error_of("date,base,quote,rate\n2025-04-14,USD,KRW,-1\n") == "2:20: rate: expected a positive number, found '-1'");
    CHECK(error_of("date,base,quote,rate\n2025-04-14,USD,KRW,1.2.3\n").rfind("2:20: rate: expected a number", 0) == 0);
    CHECK(error_of("date,base,quote,rate\n2025-04-14,USD,KRW,1\n2025-04-14,USD,KRW,2\n") ==
          "3:1: USD/KRW is quoted twice on 2025-04-14 (also on line 2)");
    CHECK_THROWS_WITH(impact::data::read_rates_csv("/nonexistent/rates.csv"),
                      "/nonexistent/rates.csv: cannot open file for reading");
}
