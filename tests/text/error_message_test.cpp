// The parts of an error message that --error-format json reports: position, key, expected and found, or none.
#include "text/error_message.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

using impact::text::ErrorMessageParts;
using impact::text::parse_error_message;

namespace {

std::string shown(const std::optional<std::string>& part) { return part ? "'" + *part + "'" : "null"; }
std::string shown(const std::optional<std::uint64_t>& part) { return part ? std::to_string(*part) : "null"; }

}  // namespace

TEST_CASE("messages in the standard shape give every part", "[text][error_message]") {
    struct Case {
        const char* message;
        std::optional<std::string> file;
        std::optional<std::uint64_t> line;
        std::optional<std::uint64_t> column;
        std::optional<std::string> key;
        std::optional<std::string> expected;
        std::optional<std::string> found;
    };
    // Messages as tests/cli and docs/scenarios.md ("Errors") show them; the parts written out by hand.
    const Case cases[] = {
        {"scenario-big-integer.toml:10:22: step.move.shares_outstanding: expected a number a double holds exactly, "
         "found 9007199254740993",
         "scenario-big-integer.toml", 10, 22, "step.move.shares_outstanding", "a number a double holds exactly",
         "9007199254740993"},
        {"/d/bad-rate.csv:3:20: rate: expected a number such as 5.5B, 1,428.8 or 12e9, found 'x'", "/d/bad-rate.csv", 3,
         20, "rate", "a number such as 5.5B, 1,428.8 or 12e9", "'x'"},
        // A position without a key: "expected" follows it directly.
        {"/d/header-only.csv:2:1: expected at least one quote row after the header date,base,quote,rate, found none",
         "/d/header-only.csv", 2, 1, std::nullopt, "at least one quote row after the header date,base,quote,rate",
         "none"},
        // --set as its own file, with spaces and quotes; found runs to the end of the message.
        {"--set 'h20.gross_margin=55':1:18: step.h20.gross_margin: expected a percentage such as \"60%\" or \"25bp\", "
         "found the number 55 (write \"55%\" or \"55bp\" to say which)",
         "--set 'h20.gross_margin=55'", 1, 18, "step.h20.gross_margin", "a percentage such as \"60%\" or \"25bp\"",
         "the number 55 (write \"55%\" or \"55bp\" to say which)"},
        // A key with quotes and dots, and a plugin file's colon-free path inside the text.
        {"s.toml:5:31: plugins.\"org.impact.fx\".version: plugin org.impact.fx in /p/impact-fx.so: expected version "
         "1.0.0, found 1.1.0",
         "s.toml", 5, 31, "plugins.\"org.impact.fx\".version", "version 1.0.0", "1.1.0"},
        // A file name that holds a colon.
        {"a:b.toml:7:3: scenario.currency: expected a current ISO 4217 code such as USD, found 'ABC'", "a:b.toml", 7, 3,
         "scenario.currency", "a current ISO 4217 code such as USD", "'ABC'"},
        // A command-line option is a key without a position.
        {"--rate: expected a positive number of KRW per 1 USD, such as 1428.8, found '0'", std::nullopt, std::nullopt,
         std::nullopt, "--rate", "a positive number of KRW per 1 USD, such as 1428.8", "'0'"},
    };
    for (const Case& c : cases) {
        INFO("message: " << c.message);
        const ErrorMessageParts parts = parse_error_message(c.message);
        CHECK(shown(parts.file) == shown(c.file));
        CHECK(shown(parts.line) == shown(c.line));
        CHECK(shown(parts.column) == shown(c.column));
        CHECK(shown(parts.key) == shown(c.key));
        CHECK(shown(parts.expected) == shown(c.expected));
        CHECK(shown(parts.found) == shown(c.found));
    }
}

TEST_CASE("what a message does not say in the standard shape stays unknown", "[text][error_message]") {
    struct Case {
        const char* message;
        std::optional<std::string> key;
        std::optional<std::string> expected;
        std::optional<std::string> found;
    };
    const Case cases[] = {
        // A leading name without a position may be a file as well as a key: neither is reported.
        {"amount: expected a number such as 5.5B, 1,428.8 or 12e9, found 'nan'", std::nullopt,
         "a number such as 5.5B, 1,428.8 or 12e9", "'nan'"},
        {"prices.csv: is 300.0 MB; the input limit is 64 MB (--max-input-mb)", std::nullopt, std::nullopt, std::nullopt},
        {"step.panel.events: event h20 lists the firm XYZ, which is not among the firms", std::nullopt, std::nullopt,
         std::nullopt},
        // "expected" without ", found" after it, and "unexpected", are not the shape.
        {"The following argument was not expected: --frobnicate (see 'impact --help')", std::nullopt, std::nullopt,
         std::nullopt},
        {"model 'x': unexpected value, found 3", std::nullopt, std::nullopt, std::nullopt},
        {"model 'fx.convert': converted overflows to infinity: 5.5e9 × 1e300", std::nullopt, std::nullopt, std::nullopt},
        {"A subcommand is required", std::nullopt, std::nullopt, std::nullopt},
        {"", std::nullopt, std::nullopt, std::nullopt},
    };
    for (const Case& c : cases) {
        INFO("message: " << c.message);
        const ErrorMessageParts parts = parse_error_message(c.message);
        CHECK(shown(parts.file) == "null");
        CHECK(shown(parts.line) == "null");
        CHECK(shown(parts.column) == "null");
        CHECK(shown(parts.key) == shown(c.key));
        CHECK(shown(parts.expected) == shown(c.expected));
        CHECK(shown(parts.found) == shown(c.found));
    }
}

TEST_CASE("a position needs a line and a column that are whole numbers from 1", "[text][error_message]") {
    // Each of these looks almost like FILE:LINE:COLUMN: and is not one.
    const char* const messages[] = {
        "h20.toml:27: step.h20.gross_margin: too few parts",
        "h20.toml:0:10: step.h20.gross_margin: line 0",
        "h20.toml:27:x: step.h20.gross_margin: column not a number",
        "h20.toml:27:-1: step.h20.gross_margin: negative column",
        ":27:10: step.h20.gross_margin: no file",
        "h20.toml:27:10 step.h20.gross_margin: no space after the colon",
        "h20.toml:27:99999999999999999999: step.h20.gross_margin: column beyond 64 bits",
    };
    for (const char* message : messages) {
        INFO("message: " << message);
        const ErrorMessageParts parts = parse_error_message(message);
        CHECK(shown(parts.file) == "null");
        CHECK(shown(parts.line) == "null");
        CHECK(shown(parts.column) == "null");
        CHECK(shown(parts.key) == "null");
    }
}
