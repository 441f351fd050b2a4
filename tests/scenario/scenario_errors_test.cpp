// Bad scenario files: each must fail with one UserError line "file:line:column: key: expected ..., found ...".
#include "scenario_test_support.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::RunMode;

// One bad scenario. Line and column in `prefix` were counted by hand from `toml`. In every
// string, {S} stands for the scenario file's path and {dir} for its folder.
struct BadCase {
    std::string name;
    std::string toml;
    std::string prefix;               // the message starts with exactly this
    std::vector<std::string> parts;   // and contains each of these (what was expected, what was found)
    std::vector<std::pair<std::string, std::string>> files = {};  // more files beside the scenario
    bool validate_too = true;         // `impact validate` must report it the same way
};

void check_bad_case(const BadCase& c) {
    TempDir temp;
    const fs::path dir = temp.path();
    const fs::path file = dir / "scenario.toml";
    const auto expand = [&](std::string text) {
        text = replace_all(std::move(text), "{S}", file.string());
        return replace_all(std::move(text), "{dir}", dir.string());
    };
    const std::string toml = expand(c.toml);
    write_file(file, toml);
    std::string extra;
    for (const auto& [name, content] : c.files) {
        write_file(dir / name, content);
        extra += name + ":\n" + with_line_numbers(content);
    }
    const std::string prefix = expand(c.prefix);

    INFO("case: " << c.name);
    INFO("scenario.toml:\n" << with_line_numbers(toml) << extra);
    INFO("expected prefix: " << prefix);
    std::vector<RunMode> modes{RunMode::run};
    if (c.validate_too) modes.push_back(RunMode::validate);
    for (const RunMode mode : modes) {
        const Outcome outcome = outcome_of(file, mode);
        INFO("mode: " << (mode == RunMode::run ? "run" : "validate"));
        INFO("outcome: " << outcome.kind << ": " << outcome.message);
        CHECK(outcome.kind == "UserError");
        CHECK(outcome.message.find_first_of("\r\n") == std::string::npos);
        CHECK(starts_with(outcome.message, prefix));
        for (const std::string& part : c.parts) {
            INFO("must contain: " << expand(part));
            CHECK(contains(outcome.message, expand(part)));
        }
    }
}

void check_all(const std::vector<BadCase>& cases) {
    for (const BadCase& c : cases) check_bad_case(c);
}

// Small CSV files for the data cases.
constexpr const char* header_only_csv = "date,close\n";

// A series step reading [data.px]: the data cases below differ only in the [data.px] table
// (lines 4 to 7) and in the CSV file.
std::string event_study_on_px(const std::string& data_lines) {
    return "[scenario]\n"                 // 1
           "name = \"Data problem\"\n"    // 2
           "\n"                           // 3
           "[data.px]\n"                  // 4
           + data_lines +                 // 5, 6 (and 7)
           "\n"
           "[[step]]\n"
           "id = \"es\"\n"
           "model = \"stock.event_study\"\n"
           "stock = { data = \"px\" }\n"
           "market = { data = \"px\" }\n"
           "event_date = 2025-01-20\n";
}

// The shared NVDA and S&P 500 closes, with an event study whose last lines each case adds.
std::string event_study_on_shared_data(const std::string& last_lines,
                                       const std::string& stock = "{ data = \"nvda\" }",
                                       const std::string& market = "{ data = \"spx\" }") {
    return "[scenario]\n"                     // 1
           "name = \"Event study\"\n"         // 2
           "\n"                               // 3
           + shared_data_tables() +           // 4 to 11: [data.nvda] at 4, [data.spx] at 8
           "[[step]]\n"                       // 12
           "id = \"es\"\n"                    // 13
           "model = \"stock.event_study\"\n"  // 14
           "stock = " + stock + "\n"          // 15
           "market = " + market + "\n"        // 16
           + last_lines;                      // 17...
}

// An fx.convert step "a" whose lines 7 and after each case writes.
std::string fx_step(const std::string& input_lines) {
    return "[scenario]\n"               // 1
           "name = \"Conversion\"\n"    // 2
           "\n"                         // 3
           "[[step]]\n"                 // 4
           "id = \"a\"\n"               // 5
           "model = \"fx.convert\"\n"   // 6
           + input_lines;               // 7...
}

// A revenue.export_ban step "h20" (as_of from the header) whose lines 8 and after each case writes.
std::string revenue_step(const std::string& input_lines) {
    return "[scenario]\n"                     // 1
           "name = \"Revenue\"\n"             // 2
           "as_of = 2025-04-16\n"             // 3
           "\n"                               // 4
           "[[step]]\n"                       // 5
           "id = \"h20\"\n"                   // 6
           "model = \"revenue.export_ban\"\n"  // 7
           + input_lines;                     // 8...
}

// A stock.price_move step "move" whose lines 7 and after each case writes.
std::string price_move_step(const std::string& input_lines) {
    return "[scenario]\n"                   // 1
           "name = \"x\"\n"                 // 2
           "\n"                             // 3
           "[[step]]\n"                     // 4
           "id = \"move\"\n"                // 5
           "model = \"stock.price_move\"\n"  // 6
           + input_lines;                   // 7...
}

// Two fx.convert steps: "usd" (lines 4-9), then "back" (lines 11-16) whose amount is line 14.
std::string two_fx_steps(const std::string& back_amount) {
    return "[scenario]\n"                   // 1
           "name = \"Chained\"\n"           // 2
           "\n"                             // 3
           "[[step]]\n"                     // 4
           "id = \"usd\"\n"                 // 5
           "model = \"fx.convert\"\n"       // 6
           "amount = \"1B USD\"\n"          // 7
           "to = \"KRW\"\n"                 // 8
           "rate = 1400\n"                  // 9
           "\n"                             // 10
           "[[step]]\n"                     // 11
           "id = \"back\"\n"                // 12
           "model = \"fx.convert\"\n"       // 13
           + back_amount +                  // 14
           "to = \"USD\"\n"                 // 15
           "rate = 0.0007\n";               // 16
}

}  // namespace

TEST_CASE("TOML syntax and file structure errors point at the offending key", "[scenario][errors]") {
    check_all({
        {"TOML syntax error: two values for one key",
         fx_step("amount = \"1B USD\" \"2B USD\"\n"),  // 7: the second string starts at column 19
         "{S}:7:19: TOML syntax: ",
         {"expected", "saw"}},
        {"unknown top-level table (typo for [[step]])",
         "[scenario]\n"
         "name = \"Top-level typo\"\n"
         "\n"
         "[steps]\n"  // 4: the key 'steps' starts at column 2
         "id = \"a\"\n",
         "{S}:4:2: steps: unknown top-level key; ",
         {"expected [scenario], [data.<id>], [[step]], [[correlation]], [[case]], [[actual]], [plugins] or [run]"}},
        {"unknown top-level key-value",
         "title = \"no such key\"\n"  // 1
         "[scenario]\n"
         "name = \"x\"\n",
         "{S}:1:1: title: unknown top-level key; ",
         {"expected [scenario]"}},
        {"missing [scenario]",
         "# A scenario without its header table.\n"
         "[[step]]\n"
         "id = \"a\"\n"
         "model = \"fx.convert\"\n",
         "{S}:1:1: scenario: ",
         {"expected a [scenario] table", "found none"}},
        {"[scenario] without a name",
         "# The header has no name.\n"
         "[scenario]\n"  // 2
         "as_of = 2025-04-16\n"
         "\n"
         "[[step]]\n"
         "id = \"a\"\n"
         "model = \"fx.convert\"\n",
         "{S}:2:1: scenario.name: ",
         {"expected a non-empty name", "found none"}},
        {"unknown key in [scenario]",
         "[scenario]\n"
         "name = \"x\"\n"
         "author = \"me\"\n",  // 3
         "{S}:3:1: scenario.author: unknown key; ",
         {"expected name, description, as_of, currency or headline"}},
        {"scenario currency not a code",
         "[scenario]\n"
         "name = \"x\"\n"
         "currency = \"usd\"\n",  // 3: value at column 12
         "{S}:3:12: scenario.currency: ",
         {"expected a current ISO 4217 currency code", "found \"usd\""}},
        {"no [[step]]",
         "[scenario]\n"
         "name = \"Nothing to run\"\n",
         "{S}:1:1: step: ",
         {"expected at least one [[step]]", "found none"}},
        {"step without a model",
         "[scenario]\n"
         "name = \"x\"\n"
         "\n"
         "[[step]]\n"  // 4
         "id = \"a\"\n"
         "amount = \"1B USD\"\n",
         "{S}:4:1: step.a.model: ",
         {"expected a model id such as \"fx.convert\"", "found none"}},
        {"step id used twice",
         "[scenario]\n"
         "name = \"x\"\n"
         "\n"
         "[[step]]\n"  // 4
         "id = \"a\"\n"
         "model = \"fx.convert\"\n"
         "\n"
         "[[step]]\n"
         "id = \"a\"\n"  // 9: value at column 6
         "model = \"fx.convert\"\n",
         "{S}:9:6: step.a: ",
         {"step id \"a\" is used twice", "first at {S}:4:1"}},
        {"unknown model",
         "[scenario]\n"
         "name = \"Unknown model\"\n"
         "\n"
         "[[step]]\n"
         "id = \"a\"\n"
         "model = \"fx.konvert\"\n",  // 6: value at column 9
         "{S}:6:9: step.a.model: expected a model a loaded plugin provides (",
         {"fx.convert, revenue.export_ban, stock.event_panel, stock.event_study, stock.price_move", "found \"fx.konvert\""}},
    });
}

TEST_CASE("Unknown and missing inputs name the model and its inputs", "[scenario][errors]") {
    check_all({
        {"unknown input lists the model's inputs",
         fx_step("amount = \"1B USD\"\n"  // 7
                 "to = \"KRW\"\n"         // 8
                 "rate = 1400\n"          // 9
                 "colour = \"red\"\n"),   // 10: value at column 10
         "{S}:10:10: step.a.colour: ",
         {"model fx.convert has no input 'colour'", "its inputs are amount, from, to, rate, rates, date, max_stale_days"}},
        {"missing required number input",
         revenue_step("annual_revenue = \"13.5B USD\"\n"  // 8
                      "duration_years = 1\n"),            // 9
         "{S}:5:1: step.h20.gross_margin: ",
         {"expected input 'gross_margin' (Gross margin) for model revenue.export_ban", "found none"}},
        {"missing required text: a bare number carries no currency for 'from'",
         fx_step("amount = 1e9\n"
                 "to = \"KRW\"\n"
                 "rate = 1400\n"),
         "{S}:4:1: step.a.from: ",
         {"expected input 'from' (From currency) for model fx.convert", "found none"}},
        {"missing required date",
         event_study_on_shared_data(""),
         "{S}:12:1: step.es.event_date: ",
         {"expected input 'event_date' (Event date) for model stock.event_study", "found none"}},
    });
}

TEST_CASE("Values of the wrong kind or unit say what the input takes", "[scenario][errors]") {
    check_all({
        {"percent given as a bare number",
         revenue_step("annual_revenue = \"13.5B USD\"\n"  // 8
                      "duration_years = 1\n"              // 9
                      "gross_margin = 60\n"),             // 10: value at column 16
         "{S}:10:16: step.h20.gross_margin: ",
         {"expected a percentage such as \"60%\" or \"25bp\"", "found the number 60"}},
        {"money given as a percentage",
         revenue_step("annual_revenue = \"5%\"\n"  // 8: value at column 18
                      "duration_years = 1\n"
                      "gross_margin = \"60%\"\n"),
         "{S}:8:18: step.h20.annual_revenue: ",
         {"expected an amount in USD such as \"5.5B USD\"", "found \"5%\""}},
        {"money in EUR where the scenario currency is USD",
         "[scenario]\n"
         "name = \"x\"\n"
         "as_of = 2025-04-16\n"
         "currency = \"USD\"\n"
         "\n"
         "[[step]]\n"
         "id = \"h20\"\n"
         "model = \"revenue.export_ban\"\n"
         "annual_revenue = \"13.5B EUR\"\n"  // 9: value at column 18
         "duration_years = 1\n"
         "gross_margin = \"60%\"\n",
         "{S}:9:18: step.h20.annual_revenue: ",
         {"expected an amount in USD (the scenario currency)", "found EUR"}},
        {"money in EUR where `from` says USD",
         fx_step("amount = \"5.5B EUR\"\n"  // 7: value at column 10
                 "from = \"USD\"\n"
                 "to = \"KRW\"\n"
                 "rate = 1428.8\n"),
         "{S}:7:10: step.a.amount: ",
         {"expected an amount in USD (the input 'from')", "found EUR"}},
        {"a reference to a USD output where the scenario currency is EUR",
         "[scenario]\n"                                  // 1
         "name = \"x\"\n"                                // 2
         "as_of = 2025-04-16\n"                          // 3
         "currency = \"EUR\"\n"                          // 4
         "\n"                                            // 5
         "[[step]]\n"                                    // 6
         "id = \"a\"\n"                                  // 7
         "model = \"fx.convert\"\n"                      // 8
         "amount = \"1T KRW\"\n"                         // 9
         "to = \"USD\"\n"                                // 10
         "rate = 0.0007\n"                               // 11
         "\n"                                            // 12
         "[[step]]\n"                                    // 13
         "id = \"h20\"\n"                                // 14
         "model = \"revenue.export_ban\"\n"              // 15
         "annual_revenue = { from = \"a.converted\" }\n"  // 16: the table at column 18
         "duration_years = 1\n"
         "gross_margin = \"60%\"\n",
         "{S}:16:18: step.h20.annual_revenue: ",
         {"expected an amount in EUR (the scenario currency)", "found USD"}},
        {"two money inputs of one step in different currencies",
         price_move_step("price_before = \"112.20 USD\"\n"
                         "price_after = \"105.10 EUR\"\n"  // 8: value at column 15
                         "shares_outstanding = \"24.4B\"\n"),
         "{S}:8:15: step.move.price_after: ",
         {"expected an amount in USD (another money input)", "found EUR"}},
        {"a count given a currency",
         price_move_step("price_before = \"112.20 USD\"\n"
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = \"24.4B USD\"\n"),  // 9: value at column 22
         "{S}:9:22: step.move.shares_outstanding: ",
         {"expected a number in shares", "found \"24.4B USD\""}},
        {"text given a number",
         fx_step("amount = \"1B USD\"\n"
                 "to = 5\n"  // 8: value at column 6
                 "rate = 1400\n"),
         "{S}:8:6: step.a.to: ",
         {"expected text such as \"KRW\"", "found the number 5"}},
        {"date input given an impossible date",
         event_study_on_shared_data("event_date = \"2025-02-30\"\n"),  // 17: value at column 14
         "{S}:17:14: step.es.event_date: ",
         {"expected a date such as 2025-04-16", "found \"2025-02-30\""}},
        {"scenario as_of given an impossible date",
         "[scenario]\n"
         "name = \"x\"\n"
         "as_of = \"2025-02-30\"\n",  // 3: value at column 9
         "{S}:3:9: scenario.as_of: ",
         {"expected a date such as 2025-04-16", "found the string \"2025-02-30\""}},
        {"window given one number",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "window = [0]\n"),  // 18: the array at column 10
         "{S}:18:10: step.es.window: ",
         {"expected two numbers [start, end]", "found 1"}},
        {"window given three numbers",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "window = [0, 1, 2]\n"),
         "{S}:18:10: step.es.window: ",
         {"expected two numbers [start, end]", "found 3"}},
        {"window holding a string",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "window = [0, \"1\"]\n"),  // 18: the string at column 14
         "{S}:18:14: step.es.window: ",
         {"expected an array of numbers such as [0, 1]", "found the string \"1\""}},
        {"array for an input without _start/_end",
         fx_step("amount = [1, 2]\n"  // 7: the array at column 10
                 "to = \"KRW\"\n"
                 "rate = 1400\n"),
         "{S}:7:10: step.a.amount: ",
         {"expected a single value", "amount_start and amount_end, which model fx.convert does not have",
          "found an array"}},
        {"series given a plain string",
         event_study_on_shared_data("event_date = 2025-04-16\n", "\"nvda\""),  // 15: value at column 9
         "{S}:15:9: step.es.stock: ",
         {"expected a data reference such as { data = \"nvda\" }", "found another value"}},
        {"window_end given twice (by window = [a, b] and by itself)",
         event_study_on_shared_data("event_date = 2025-04-16\n"  // 17
                                    "window = [0, 1]\n"          // 18
                                    "window_end = 2\n"),         // 19: value at column 14
         "{S}:19:14: step.es.window_end: ",
         {"given twice"}},
    });
}

TEST_CASE("Bad references and ranges name what exists", "[scenario][errors]") {
    check_all({
        {"reference to an unknown step",
         two_fx_steps("amount = { from = \"usdd.converted\" }\n"),  // 14: the table at column 10
         "{S}:14:10: step.back.amount: ",
         {"expected an earlier step (usd)", "found unknown step \"usdd\""}},
        {"reference to an unknown output lists the outputs",
         two_fx_steps("amount = { from = \"usd.convertd\" }\n"),
         "{S}:14:10: step.back.amount: ",
         {"expected an output of step usd (fx.convert: converted, rate)", "found \"convertd\""}},
        {"reference without an output",
         two_fx_steps("amount = { from = \"usd\" }\n"),  // 14: the string at column 19
         "{S}:14:19: step.back.amount: ",
         {"expected a reference \"step.output\"", "found \"usd\""}},
        {"reference with an extra key",
         two_fx_steps("amount = { from = \"usd.converted\", times = 2 }\n"),  // 14: 'times' at column 36
         "{S}:14:36: step.back.amount.times: ",
         {"unexpected key in a reference"}},
        {"forward reference names where the later step is",
         "[scenario]\n"
         "name = \"Forward\"\n"
         "\n"
         "[[step]]\n"
         "id = \"back\"\n"
         "model = \"fx.convert\"\n"
         "amount = { from = \"usd.converted\" }\n"  // 7: the table at column 10
         "to = \"USD\"\n"
         "rate = 0.0007\n"
         "\n"
         "[[step]]\n"  // 11
         "id = \"usd\"\n"
         "model = \"fx.convert\"\n"
         "amount = \"1B USD\"\n"
         "to = \"KRW\"\n"
         "rate = 1400\n",
         "{S}:7:10: step.back.amount: ",
         {"expected a step above this one", "found step \"usd\" defined below at {S}:11:1"}},
        {"self reference",
         fx_step("amount = { from = \"a.converted\" }\n"  // 7: the table at column 10
                 "to = \"KRW\"\n"
                 "rate = 1400\n"),
         "{S}:7:10: step.a.amount: ",
         {"cannot use its own output", "a.converted"}},
        {"reference to a percentage feeding money",
         price_move_step("price_before = \"112.20 USD\"\n"
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = \"24.4B\"\n"  // 9
                         "\n"
                         "[[step]]\n"                             // 11
                         "id = \"a\"\n"
                         "model = \"fx.convert\"\n"
                         "amount = { from = \"move.return\" }\n"  // 14: the table at column 10
                         "to = \"KRW\"\n"
                         "rate = 1400\n"),
         "{S}:14:10: step.a.amount: ",
         {"expected an amount of money", "found move.return in '%'"}},
        // fx.convert 1.0.0 refused a range of `rate` here; 1.1.0 takes it per row (scenario_run_test).
        {"a range feeding a prepared input",
         fx_step("amount = \"1B USD\"\n"
                 "to = \"KRW\"\n"
                 "rate = 1400\n"
                 "max_stale_days = { low = 3, high = 7 }\n"),  // 10: the table at column 18
         "{S}:10:18: step.a.max_stale_days: ",
         {"expected one value", "cannot be a range"}},
        // `rate` is a batch input that may be left out (ABI 1.3): the model still refuses neither
        // and both when it is prepared, so validate says what run says.
        {"neither rate nor rates",
         fx_step("amount = \"1B USD\"\n"
                 "to = \"KRW\"\n"),
         "{S}:4:1: step.a.rate: ",
         {"give `rate` (KRW per 1 USD) or `rates` (a dated quote table)", "(fx.convert)"}},
        {"both rate and rates",
         fx_step("amount = \"1B USD\"\n"                // 7
                 "to = \"KRW\"\n"                       // 8
                 "rate = { low = 1400, high = 1450 }\n"  // 9: the table at column 8
                 "rates = { data = \"usd_krw\" }\n"      // 10
                 "date = 2025-04-17\n"                  // 11
                 "\n"
                 "[data.usd_krw]\n"
                 "file = \"usd-krw.csv\"\n"
                 "value = \"rate\"\n"),
         "{S}:9:8: step.a.rate: ",
         {"give either `rate` or `rates`, not both", "(fx.convert)"},
         {{"usd-krw.csv", "date,rate\n2025-04-14,1424.1\n"}}},
        {"a range with two currencies",
         revenue_step("annual_revenue = { low = \"12B USD\", high = \"15B EUR\" }\n"  // 8: column 18
                      "duration_years = 1\n"
                      "gross_margin = \"60%\"\n"),
         "{S}:8:18: step.h20.annual_revenue: ",
         {"expected one currency in a range", "found USD and EUR"}},
        {"a range with low above high",
         revenue_step("annual_revenue = { low = \"15B USD\", high = \"12B USD\" }\n"
                      "duration_years = 1\n"
                      "gross_margin = \"60%\"\n"),
         "{S}:8:18: step.h20.annual_revenue: ",
         {"expected low <= base <= high", "found low 15000000000, base 13500000000, high 12000000000"}},
        {"a range with only low",
         revenue_step("annual_revenue = { low = \"15B USD\" }\n"
                      "duration_years = 1\n"
                      "gross_margin = \"60%\"\n"),
         "{S}:8:18: step.h20.annual_revenue: ",
         {"expected a range with both low and high", "found only one of them"}},
    });
}

TEST_CASE("Data sources: missing keys, files and columns, malformed CSV cells", "[scenario][errors][data]") {
    check_all({
        {"[data.x] without file",
         event_study_on_px("value = \"close\"\n\n"),
         "{S}:4:1: data.px.file: ",
         {"expected a file path", "found none"}},
        {"[data.x] without value",
         event_study_on_px("file = \"prices.csv\"\n\n"),
         "{S}:4:1: data.px.value: ",
         {"expected the name of the value column (such as \"close\")", "found none"}},
        {"[data.x] with an unknown key",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"
                           "column = \"close\"\n"),  // 7
         "{S}:7:1: data.px.column: unknown key; ",
         {"expected file, date, value or columns"}},
        {"unknown data id lists the ids",
         event_study_on_shared_data("event_date = 2025-04-16\n", "{ data = \"nvda\" }",
                                    "{ data = \"sp500\" }"),  // 16: the table at column 10
         "{S}:16:10: step.es.market: ",
         {"expected the id of a [data.<id>] table (nvda, spx)", "found \"sp500\""}},
        {"missing file: the path as written and as resolved",
         event_study_on_px("file = \"sub/../missing.csv\"\n"  // 5: value at column 8
                           "value = \"close\"\n"),
         "{S}:5:8: data.px.file: ",
         {"'sub/../missing.csv'", "{dir}/missing.csv"}},
        {"value column named twice in the header (review finding: the first, the open prices, was used)",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:1:17: ",
         {"column \"close\" appears twice in the header (columns 2 and 4)", "expected each column name once"},
         {{"prices.csv", "date,close,high,close\n2025-01-02,100,101,99\n"}}},
        {"missing value column lists the columns found",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),  // 6: value at column 9
         "{S}:6:9: data.px.value: ",
         {"expected a column \"close\" in {dir}/prices.csv", "found columns date,price"},
         {{"prices.csv", "date,price\n2025-01-02,100\n"}}},
        {"missing date column lists the columns found",
         event_study_on_px("file = \"prices.csv\"\n"
                           "date = \"day\"\n"  // 6: value at column 8
                           "value = \"close\"\n"),
         "{S}:6:8: data.px.date: ",
         {"expected a column \"day\" in {dir}/prices.csv", "found columns date,open,close"},
         {{"prices.csv", "date,open,close\n2025-01-02,99,100\n"}}},
        {"malformed number: the CSV cell's own line and column",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:4:17: data.px.close: ",  // row 4, third cell
         {"expected a number", "found '1O1.2'"},
         {{"prices.csv", "date,open,close\n"
                         "2025-01-02,99.5,100.1\n"
                         "2025-01-03,99.5,100.7\n"
                         "2025-01-06,99.5,1O1.2\n"}}},
        {"malformed date: the CSV cell's own line and column",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:3:7: data.px.date: ",  // row 3, second cell
         {"expected a date YYYY-MM-DD", "found '2025-02-30'"},
         {{"prices.csv", "close,date\n"
                         "100.1,2025-01-02\n"
                         "100.7,2025-02-30\n"}}},
        {"dates not increasing",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:4:1: data.px.date: ",
         {"expected dates in increasing order", "found 2025-01-03 after 2025-01-06"},
         {{"prices.csv", "date,close\n"
                         "2025-01-02,100\n"
                         "2025-01-06,101\n"
                         "2025-01-03,102\n"}}},
        {"a row with too few cells",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:3:1: data.px: ",
         {"expected 2 cells as in the header", "found 1"},
         {{"prices.csv", "date,close\n2025-01-02,100\n2025-01-03\n"}}},
        {"a header and no rows",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{S}:5:8: data.px.file: ",
         {"expected data rows in {dir}/prices.csv", "found none"},
         {{"prices.csv", header_only_csv}}},
    });
}

TEST_CASE("Input errors a model reports are placed at the value that caused them", "[scenario][errors][model]") {
    check_all({
        {"event date outside the data",
         event_study_on_shared_data("event_date = 2026-04-16\n"),  // 17: value at column 14
         "{S}:17:14: step.es.event_date: ",
         {"event_date 2026-04-16 lies outside the data", "2024-06-03 to 2025-05-30", "(stock.event_study)"}},
        {"unknown method",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "method = \"fama_french\"\n"),  // 18: value at column 10
         "{S}:18:10: step.es.method: ",
         {"'market_model', 'market_adjusted' or 'constant_mean'", "'fama_french'", "(stock.event_study)"}},
        {"prepared number below its minimum",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "estimation_days = 5\n"),  // 18: value at column 19
         "{S}:18:19: step.es.estimation_days: ",
         {"must be >= 10", "found 5", "(stock.event_study)"}},
        {"unknown currency code",
         fx_step("amount = \"1B USD\"\n"
                 "to = \"XYZ\"\n"  // 8: value at column 6
                 "rate = 1400\n"),
         "{S}:8:6: step.a.to: ",
         {"unknown currency code 'XYZ'", "(fx.convert)"}},
        {"batch value above its maximum (found only when evaluating)",
         revenue_step("annual_revenue = \"13.5B USD\"\n"
                      "duration_years = 1\n"
                      "gross_margin = \"150%\"\n"),  // 10: value at column 16
         "{S}:10:16: step.h20.gross_margin: ",
         {"must be <= 1", "found 1.5", "(revenue.export_ban)"},
         {},
         /*validate_too=*/false},
    });
}

// ---- Problems found in the engine (reported; see the final report) ------------------------

TEST_CASE("A model's error about window_start/window_end points at `window = [a, b]`",
          "[scenario][errors][model]") {
    // core/scenario/runner.cpp rethrow_with_position uses the value's position only when
    // m->spec is set, which it is not for inputs filled from an array, so the [[step]] line is
    // reported instead of the array's.
    check_bad_case({"window runs past the data",
                    event_study_on_shared_data("event_date = 2025-05-20\n"
                                               "window = [0, 30]\n"),  // 18: the array at column 10
                    "{S}:18:10: step.es.window",
                    {"runs past the data", "(stock.event_study)"}});
}

TEST_CASE("`given twice` says where the value was first given", "[scenario][errors]") {
    // core/scenario/runner.cpp StepRunner::add: the message is only "given twice".
    check_bad_case({"window_end given twice",
                    event_study_on_shared_data("event_date = 2025-04-16\n"
                                               "window = [0, 1]\n"     // 18: the array at column 10
                                               "window_end = 2\n"),    // 19
                    "{S}:19:14: step.es.window_end: ",
                    {"given twice", "{S}:18:10"}});
}

TEST_CASE("validate rejects a literal outside the range its model declares", "[scenario][errors][validate]") {
    // validate prepares but does not evaluate, and batch inputs are bounds-checked only when
    // evaluating (core/host/model.cpp check_bounds), so `impact validate` passes a scenario
    // that `impact run` rejects with exit code 2.
    TempDir temp;
    const fs::path file = temp.path() / "scenario.toml";
    const std::string toml = revenue_step("annual_revenue = \"13.5B USD\"\n"
                                          "duration_years = 1\n"
                                          "gross_margin = \"150%\"\n");
    write_file(file, toml);
    INFO(toml);
    const Outcome outcome = outcome_of(file, RunMode::validate);
    INFO("outcome: " << outcome.kind << ": " << outcome.message);
    CHECK(outcome.kind == "UserError");
    CHECK(starts_with(outcome.message, file.string() + ":10:16: step.h20.gross_margin: "));
}

TEST_CASE("A [data.x] table no step uses is still checked", "[scenario][errors][data]") {
    // core/scenario/runner.cpp loads a series only when a step refers to it, so a data table
    // naming a missing file passes both validate and run silently.
    TempDir temp;
    const fs::path file = temp.path() / "scenario.toml";
    const std::string toml = "[scenario]\n"
                             "name = \"Unused data\"\n"
                             "\n"
                             "[data.spare]\n"
                             "file = \"missing.csv\"\n"  // 5: value at column 8
                             "value = \"close\"\n"
                             "\n"
                             "[[step]]\n"
                             "id = \"a\"\n"
                             "model = \"fx.convert\"\n"
                             "amount = \"1B USD\"\n"
                             "to = \"KRW\"\n"
                             "rate = 1400\n";
    write_file(file, toml);
    INFO(toml);
    for (const RunMode mode : {RunMode::validate, RunMode::run}) {
        const Outcome outcome = outcome_of(file, mode);
        INFO("mode " << (mode == RunMode::run ? "run" : "validate") << ": " << outcome.kind << ": " << outcome.message);
        CHECK(outcome.kind == "UserError");
        CHECK(starts_with(outcome.message, file.string() + ":5:8: data.spare.file: "));
    }
}

// ---- Numbers and text that would silently change meaning (issue #6) ------------------------

TEST_CASE("Numbers a double cannot hold exactly, non-finite numbers and NUL in text are refused where written",
          "[scenario][errors]") {
    check_all({
        {"integer above 2^53",
         price_move_step("price_before = \"112.20 USD\"\n"
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = 9007199254740993\n"),  // 9: value at column 22
         "{S}:9:22: step.move.shares_outstanding: ",
         {"expected a number a double holds exactly", "found 9007199254740993", "would become 9007199254740992", "such as 9.007199254740992e+15"}},
        {"TOML inf",
         price_move_step("price_before = \"112.20 USD\"\n"
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = inf\n"),
         "{S}:9:22: step.move.shares_outstanding: ",
         {"expected a finite number", "found inf"}},
        {"TOML nan in an array",
         event_study_on_shared_data("event_date = 2025-04-16\n"
                                    "window = [0, nan]\n"),  // 18: nan at column 14
         "{S}:18:14: step.es.window: ",
         {"expected a finite number", "found nan"}},
        {"NUL inside a text value",
         fx_step("amount = \"1B USD\"\n"
                 "to = \"KRW\\u0000 (not really)\"\n"  // 8: value at column 6
                 "rate = 1400\n"),
         "{S}:8:6: step.a.to: ",
         {"without NUL characters", "character 4"}},
        {"empty scenario name",
         "[scenario]\n"
         "name = \"\"\n"  // 2: value at column 8
         "[[step]]\n"
         "id = \"a\"\n"
         "model = \"fx.convert\"\n",
         "{S}:2:8: scenario.name: ",
         {"expected a non-empty name", "found \"\""}},
    });
}

TEST_CASE("A bound a model declares is reported at the end of the range that breaks it", "[scenario][errors][validate]") {
    check_all({
        {"price_before 0 as a range's low (exclusive bound, ABI 1.2)",
         price_move_step("price_before = { low = \"0 USD\", high = \"112.20 USD\" }\n"  // 7: low's value at 24
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = 24.4e9\n"),
         "{S}:7:24: step.move.price_before: ",
         {"must be > 0", "found 0 as the range's low", "(stock.price_move)"}},
        {"price_before 0, caught by validate as well as run",
         price_move_step("price_before = \"0 USD\"\n"  // 7: value at column 16
                         "price_after = \"105.10 USD\"\n"
                         "shares_outstanding = 24.4e9\n"),
         "{S}:7:16: step.move.price_before: ",
         {"must be > 0", "found 0", "(stock.price_move)"}},
        {"gross margin above 100% as a range's high",
         revenue_step("annual_revenue = \"13.5B USD\"\n"
                      "duration_years = 1\n"
                      "gross_margin = { low = \"50%\", high = \"150%\" }\n"),  // 10: high's value at 38
         "{S}:10:38: step.h20.gross_margin: ",
         {"must be <= 1 (100%)", "found 1.5 (150%) as the range's high"}},
    });
}

TEST_CASE("A NUL byte in a CSV cell is shown escaped and does not cut the message short", "[scenario][errors][data]") {
    using namespace std::string_literals;
    // Line 3, column 12: "10" NUL "5" in the close column. Before, what() stopped at the NUL and
    // the message lost the rest of the cell and what was expected.
    check_all({
        {"NUL inside a value cell",
         event_study_on_px("file = \"prices.csv\"\n"
                           "value = \"close\"\n"),
         "{dir}/prices.csv:3:12: ",
         {"found '10\\x005'", "expected a number"},
         {{"prices.csv", "date,close\n2025-01-02,100\n2025-01-03,10\0" "5\n"s}}},
    });
}

namespace {

// A valid one-step scenario whose line 5 is `pin_line`, under [plugins] on line 4.
std::string pinned(const std::string& pin_line) {
    return "[scenario]\n"        // 1
           "name = \"Pins\"\n"   // 2
           "\n"                  // 3
           "[plugins]\n"         // 4
           + pin_line + "\n"     // 5
           "\n"
           "[[step]]\n"
           "id = \"c\"\n"
           "model = \"fx.convert\"\n"
           "amount = \"1 USD\"\n"
           "to = \"KRW\"\n"
           "rate = 1400\n";
}

}  // namespace

TEST_CASE("Plugin pins: a malformed pin points at its key or value", "[scenario][errors]") {
    check_all({
        {"sha256 too short",
         pinned("\"org.impact.fx\" = { sha256 = \"abc\" }"),  // the string starts at column 30
         "{S}:5:30: plugins.\"org.impact.fx\".sha256: ",
         {"expected the file's SHA-256 as 64 hexadecimal digits", "found \"abc\""}},
        {"sha256 with a character that is not hex",
         pinned("\"org.impact.fx\" = { sha256 = \"" + std::string(63, 'a') + "g\" }"),
         "{S}:5:30: plugins.\"org.impact.fx\".sha256: ",
         {"64 hexadecimal digits"}},
        {"version that is not semver",
         pinned("\"org.impact.fx\" = { version = \"1.0\" }"),  // the string starts at column 31
         "{S}:5:31: plugins.\"org.impact.fx\".version: ",
         {"expected a version MAJOR.MINOR.PATCH such as \"1.0.0\", found \"1.0\""}},
        {"version as a number",
         pinned("\"org.impact.fx\" = { version = 1 }"),
         "{S}:5:31: plugins.\"org.impact.fx\".version: ",
         {"expected a version such as \"1.0.0\", found the number 1"}},
        {"unknown key in a pin",
         pinned("\"org.impact.fx\" = { version = \"1.1.0\", hash = \"x\" }"),  // `hash` starts at column 40
         "{S}:5:40: plugins.\"org.impact.fx\".hash: ",
         {"unknown key; expected version and/or sha256"}},
        {"a pin with neither key",
         pinned("\"org.impact.fx\" = { }"),
         "{S}:5:1: plugins.\"org.impact.fx\": ",
         {"found neither"}},
        {"a pin that is not a table",
         pinned("\"org.impact.fx\" = \"1.1.0\""),  // the value starts at column 19
         "{S}:5:19: plugins.\"org.impact.fx\": ",
         {"expected a pin such as { version = \"1.0.0\", sha256 = \"...\" }, found the string \"1.1.0\""}},
        {"a plugin id that is not reverse-DNS",
         pinned("\"FX\" = { version = \"1.1.0\" }"),
         "{S}:5:1: plugins.\"FX\": ",
         {"expected a plugin id such as \"org.impact.fx\""}},
    });
}
