// The test JSON reader: each RFC 8259 grammar element, escapes, refusals with byte offsets, and a JsonWriter round trip.
#include "support/json_reader.hpp"

#include "text/json_writer.hpp"

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using namespace std::string_view_literals;
using impact::test::JsonParseError;
using impact::test::JsonValue;
using impact::test::parse_json;

namespace {

// Same double bit for bit: tells 0.0 from -0.0.
bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

// The offset a refusal names; fails the test when `text` parses.
std::size_t error_offset(std::string_view text) {
    try {
        parse_json(text);
    } catch (const JsonParseError& e) {
        CHECK(std::string_view(e.what()).find("at byte " + std::to_string(e.offset())) != std::string_view::npos);
        return e.offset();
    }
    FAIL("parsed, but should have been refused: " << text);
    return 0;
}

}  // namespace

TEST_CASE("JSON reader: literals and whitespace", "[support][json]") {
    CHECK(parse_json("true").as_bool() == true);
    CHECK(parse_json("false").as_bool() == false);
    CHECK(parse_json("null").is_null());
    const JsonValue spaced = parse_json(" \t\r\n true \r\n\t ");
    CHECK(spaced.is_bool());
    CHECK(spaced.as_bool());
    CHECK(parse_json("[ true , false , null ]").size() == 3);
    CHECK(parse_json("\n{\n\t\"a\"\r\n:\n1\n}\n").at("a").as_number() == 1);
}

TEST_CASE("JSON reader: numbers follow the grammar and convert exactly", "[support][json]") {
    const std::vector<std::pair<std::string_view, double>> cases{
        {"0", 0.0},
        {"-0", -0.0},
        {"0.0", 0.0},
        {"1", 1.0},
        {"-1", -1.0},
        {"10", 10.0},
        {"123.456", 123.456},
        {"0.1", 0.1},
        {"-0.5e-2", -0.005},
        {"1e3", 1000.0},
        {"1E3", 1000.0},
        {"1e+3", 1000.0},
        {"1e-3", 0.001},
        {"2.5E-0", 2.5},
        {"1.5E+10", 1.5e10},
        {"1e0001", 10.0},  // leading zeros are allowed in the exponent
        {"7858400000000", 7858400000000.0},
        {"0.3333333333333333", 1.0 / 3.0},
        {"5e-324", 5e-324},
        {"2.2250738585072014e-308", std::numeric_limits<double>::min()},
        {"1.7976931348623157e308", std::numeric_limits<double>::max()},
        {"-1.7976931348623157e+308", std::numeric_limits<double>::lowest()},
        {"9007199254740993", 9007199254740992.0},  // rounds to nearest
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        const JsonValue v = parse_json(text);
        REQUIRE(v.is_number());
        CHECK(same_bits(v.as_number(), expected));
    }
}

TEST_CASE("JSON reader: strings, every escape, and UTF-8", "[support][json]") {
    CHECK(parse_json(R"("")").as_string().empty());
    CHECK(parse_json(R"("abc def")").as_string() == "abc def");
    CHECK(parse_json(R"("\"")").as_string() == "\"");
    CHECK(parse_json(R"("\\")").as_string() == "\\");
    CHECK(parse_json(R"("\/")").as_string() == "/");
    CHECK(parse_json(R"("/")").as_string() == "/");
    CHECK(parse_json(R"("\b")").as_string() == "\b");
    CHECK(parse_json(R"("\f")").as_string() == "\f");
    CHECK(parse_json(R"("\n")").as_string() == "\n");
    CHECK(parse_json(R"("\r")").as_string() == "\r");
    CHECK(parse_json(R"("\t")").as_string() == "\t");
    CHECK(parse_json(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").as_string() == "a\"b\\c/d\be\ff\ng\rh\ti");
    // \u escapes of one, two and three UTF-8 bytes, either case of hex digits.
    CHECK(parse_json(R"("\u0041")").as_string() == "A");
    CHECK(parse_json(R"("\u0000")").as_string() == "\0"s);
    CHECK(parse_json(R"("\u001f")").as_string() == "\x1f");
    CHECK(parse_json(R"("\u007F")").as_string() == "\x7f");
    CHECK(parse_json(R"("\u00e9\u00E9")").as_string() == "\xC3\xA9\xC3\xA9");
    CHECK(parse_json(R"("\u07FF")").as_string() == "\xDF\xBF");
    CHECK(parse_json(R"("\u0800")").as_string() == "\xE0\xA0\x80");
    CHECK(parse_json(R"("\u20AC")").as_string() == "\xE2\x82\xAC");
    CHECK(parse_json(R"("\uC870")").as_string() == "조");
    CHECK(parse_json(R"("\uFFFF")").as_string() == "\xEF\xBF\xBF");
    // Surrogate pairs become one four-byte character.
    CHECK(parse_json(R"("\uD83D\uDE00")").as_string() == "\xF0\x9F\x98\x80");
    CHECK(parse_json(R"("\ud800\udc00")").as_string() == "\xF0\x90\x80\x80");
    CHECK(parse_json(R"("\uDBFF\uDFFF")").as_string() == "\xF4\x8F\xBF\xBF");
    // Raw UTF-8 and DEL pass through unchanged.
    CHECK(parse_json("\"7조 8,584억 원\"").as_string() == "7조 8,584억 원");
    CHECK(parse_json("\"\xF0\x9F\x98\x80 \xEF\xBF\xBF \x7f\"").as_string() == "\xF0\x9F\x98\x80 \xEF\xBF\xBF \x7f");
}

TEST_CASE("JSON reader: arrays and objects, nested", "[support][json]") {
    const JsonValue empty_array = parse_json("[]");
    CHECK(empty_array.is_array());
    CHECK(empty_array.size() == 0);
    const JsonValue empty_object = parse_json("{ }");
    CHECK(empty_object.is_object());
    CHECK(empty_object.size() == 0);
    CHECK_FALSE(empty_object.contains("a"));

    const JsonValue mixed = parse_json(R"([1, "a", null, true, false, [], {}, [[2]], {"k": [3]}])");
    REQUIRE(mixed.size() == 9);
    CHECK(mixed[0].as_number() == 1);
    CHECK(mixed[1].as_string() == "a");
    CHECK(mixed[2].is_null());
    CHECK(mixed[3].as_bool());
    CHECK_FALSE(mixed[4].as_bool());
    CHECK(mixed[5].is_array());
    CHECK(mixed[6].is_object());
    CHECK(mixed[7][0][0].as_number() == 2);
    CHECK(mixed[8].at("k")[0].as_number() == 3);
    std::size_t count = 0;
    for (const JsonValue& element : mixed) {
        CHECK(element.path() == "$[" + std::to_string(count) + "]");
        ++count;
    }
    CHECK(count == 9);

    const JsonValue doc = parse_json(R"({"z": 1, "a": {"b": {"c": "deep"}}, "": "empty key", "m": [{"n": null}]})");
    REQUIRE(doc.is_object());
    CHECK(doc.size() == 4);
    CHECK(doc.contains("z"));
    CHECK(doc.contains(""));
    CHECK_FALSE(doc.contains("y"));
    CHECK(doc.at("a").at("b").at("c").as_string() == "deep");
    CHECK(doc.at("").as_string() == "empty key");
    CHECK(doc.at("m")[0].at("n").is_null());
    // Members stay in document order.
    const auto& members = doc.as_object();
    REQUIRE(members.size() == 4);
    CHECK(members[0].key == "z");
    CHECK(members[1].key == "a");
    CHECK(members[2].key == "");
    CHECK(members[3].key == "m");
    CHECK(doc.at("a").at("b").at("c").path() == "$.a.b.c");
    CHECK(doc.at("m")[0].at("n").path() == "$.m[0].n");
    CHECK(doc.at("").path() == "$[\"\"]");

    // Nesting up to 256 levels is read; deeper is refused (see the refusals below).
    const JsonValue deep = parse_json(std::string(256, '[') + std::string(256, ']'));
    CHECK(deep.is_array());
}

TEST_CASE("JSON reader: accessors name the path when the value does not fit", "[support][json]") {
    const JsonValue doc = parse_json(R"({"converted": {"value": 1.5, "currency": "KRW"}, "list": [1, 2]})");
    CHECK_THROWS_WITH(doc.at("converted").at("amount"),
                      "JSON $.converted has no key \"amount\" (keys: \"value\", \"currency\")");
    CHECK_THROWS_WITH(doc.at("converted").at("value").as_string(), "JSON $.converted.value is a number, not a string");
    CHECK_THROWS_WITH(doc.at("converted").at("currency").as_number(),
                      "JSON $.converted.currency is a string, not a number");
    CHECK_THROWS_WITH(doc.at("list")[2], "JSON $.list has 2 elements; no index 2");
    CHECK_THROWS_WITH(doc.at("list").at("x"), "JSON $.list is an array, not an object");
    CHECK_THROWS_WITH(doc.at("list")[0].size(), "JSON $.list[0] is a number, not an array or an object");
    CHECK_THROWS_WITH(doc.at("list").contains("x"), "JSON $.list is an array, not an object");
    CHECK_THROWS_WITH(doc[0], "JSON $ is an object, not an array");
    CHECK_THROWS_WITH(doc.at("list")[1].as_bool(), "JSON $.list[1] is a number, not a boolean");
    CHECK_THROWS_AS(parse_json("null").as_array(), std::runtime_error);
    CHECK_THROWS_AS(parse_json("[]").as_object(), std::runtime_error);
    CHECK_THROWS_AS(parse_json("{}").begin(), std::runtime_error);
    CHECK(parse_json(R"({"odd key": {"7조": 1}})").at("odd key").at("7조").path() == "$[\"odd key\"][\"7조\"]");
}

TEST_CASE("JSON reader: dump writes compact JSON that reads back the same", "[support][json]") {
    const std::string text = R"({"a": [1, -0, 0.1, 1e300, "x\"\\\n\u0001"], "b": {"c": null, "d": true, "e": false}})";
    const JsonValue doc = parse_json(text);
    CHECK(doc.dump() == R"({"a":[1,-0,0.1,1e+300,"x\"\\\n\u0001"],"b":{"c":null,"d":true,"e":false}})");
    CHECK(parse_json(doc.dump()).dump() == doc.dump());
}

TEST_CASE("JSON reader: refuses what RFC 8259 does not allow, naming the byte offset", "[support][json]") {
    // Each text, and the offset its refusal must name.
    const std::vector<std::pair<std::string_view, std::size_t>> refused{
        // Empty or incomplete documents.
        {"", 0},
        {"   ", 3},
        {"[", 1},
        {"[1", 2},
        {"{", 1},
        {R"({"a")", 4},
        {R"({"a":)", 5},
        {R"({"a":1)", 6},
        // Literals: exact and lower case only.
        {"tru", 0},
        {"True", 0},
        {"tRue", 0},
        {"nul", 0},
        {"nulll", 4},
        {"falsey", 5},
        {"NaN", 0},
        {"Infinity", 0},
        {"-Infinity", 1},
        {"undefined", 0},
        // Numbers.
        {"01", 0},
        {"-01", 0},
        {"00", 0},
        {"[007]", 1},
        {"+1", 0},
        {".5", 0},
        {"-.5", 1},
        {"1.", 2},
        {"1.e3", 2},
        {"1e", 2},
        {"1e+", 3},
        {"1E-", 3},
        {"-", 1},
        {"--1", 1},
        {"0x10", 1},
        {"1_000", 1},
        {"1e400", 0},
        {"-1e400", 0},
        {"1e-400", 0},
        {"[1, 2e999]", 4},
        // Strings.
        {"\"abc", 4},
        {"'a'", 0},
        {R"("\x")", 1},
        {R"("\U0041")", 1},
        {R"("\u12")", 3},
        {R"("\u12G4")", 5},
        {R"("\uD800")", 1},
        {R"("\uD800x")", 1},
        {R"("\uD800\u0041")", 1},
        {R"("\uD800\n")", 1},
        {R"("\uDC00")", 1},
        {R"("\uDE00\uD83D")", 1},
        {"\"a\x01" "b\"", 2},
        {"\"\t\"", 1},
        {"\"\n\"", 1},
        {"\"a\0b\""sv, 2},
        {"\"\x1f\"", 1},
        // Ill-formed UTF-8 in strings.
        {"\"\x80\"", 1},
        {"\"\xC0\xAF\"", 1},
        {"\"\xC1\xBF\"", 1},
        {"\"\xE0\x80\xAF\"", 1},
        {"\"\xED\xA0\x80\"", 1},
        {"\"\xF0\x80\x80\xAF\"", 1},
        {"\"\xF4\x90\x80\x80\"", 1},
        {"\"\xF5\x80\x80\x80\"", 1},
        {"\"\xFF\"", 1},
        {"\"\xE2\x82\"", 1},
        {"\"\xC3", 2},
        // Arrays and objects.
        {"[1,]", 3},
        {"[1, ]", 4},
        {"[,]", 1},
        {"[,1]", 1},
        {"[1,,2]", 3},
        {"[1 2]", 3},
        {"[1;2]", 2},
        {"{,}", 1},
        {R"({"a":1,})", 7},
        {R"({"a" 1})", 5},
        {R"({"a"=1})", 4},
        {"{a:1}", 1},
        {"{'a':1}", 1},
        {"{1:1}", 1},
        {R"({"a":1 "b":2})", 7},
        {R"({"a":1,"a":2})", 7},
        {R"({"b":{"x":1,"y":2,"x":3}})", 18},
        {"[}", 1},
        {"{]", 1},
        // Trailing text and other whitespace.
        {"1 2", 2},
        {"{} x", 3},
        {"[1]]", 3},
        {R"({"a":1}})", 7},
        {"true false", 5},
        {"1\0"sv, 1},
        {"\0"sv, 0},
        {"\f1", 0},
        {"\v1", 0},
        {"\xC2\xA0" "1", 0},
        {"\xEF\xBB\xBF{}", 0},
        {"// comment\n1", 0},
        {"[1] // comment", 4},
    };
    for (const auto& [text, offset] : refused) {
        INFO("text: " << std::string(text));
        CHECK_THROWS_AS(parse_json(text), JsonParseError);
        CHECK_THROWS_AS(parse_json(text), std::runtime_error);
        CHECK(error_offset(text) == offset);
    }
    // More than 256 levels of nesting.
    CHECK(error_offset(std::string(257, '[') + std::string(257, ']')) == 256);
    CHECK(error_offset(std::string(300, '[')) == 256);
}

TEST_CASE("JSON reader: reads back exactly what impact::text::JsonWriter writes", "[support][json][text]") {
    using impact::text::JsonWriter;
    const std::string korean = "7조 8,584억 원";
    const std::string controls = "\0\x01\x02\x08\x0b\x0c\x1f\t\n\r\"\\/ end"s;
    std::string every_ascii;
    for (int c = 0; c < 0x80; ++c) every_ascii += static_cast<char>(c);
    const std::string beyond_bmp = "\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9";
    const std::vector<double> numbers{0.1,
                                      1.0 / 3.0,
                                      7858400000000.0,
                                      5e-324,
                                      -0.0632798573975044,
                                      1428.8,
                                      13.5e9,
                                      5.5e9 * 1428.8,
                                      1e16,
                                      1e-7,
                                      123456789012345680000.0,
                                      -0.0,
                                      0.0,
                                      std::numeric_limits<double>::min(),
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::nextafter(1.0, 2.0)};

    JsonWriter w;
    w.begin_object();
    w.key("korean").value(korean);
    w.key("controls").value(controls);
    w.key("every_ascii").value(every_ascii);
    w.key("beyond_bmp").value(beyond_bmp);
    w.key(korean).value(true);
    w.key("numbers").begin_array();
    for (const double x : numbers) w.value(x);
    w.end_array();
    w.key("integers").begin_array().value(0).value(-7).value(42u).value(9007199254740992LL).end_array();
    w.key("flags").begin_array().value(true).value(false).null().end_array();
    w.key("not_finite")
        .begin_array()
        .value(std::numeric_limits<double>::quiet_NaN())
        .value(std::numeric_limits<double>::infinity())
        .value(-std::numeric_limits<double>::infinity())
        .end_array();
    w.key("nested").begin_object();
    w.key("empty_array").begin_array().end_array();
    w.key("empty_object").begin_object().end_object();
    w.key("deep").begin_array().begin_array().value(1).begin_object().key("x").begin_array().value("y").end_array();
    w.key("z").begin_object().end_object().end_object().end_array().end_array();
    w.end_object();
    w.end_object();
    const std::string text = w.str();
    INFO(text);

    JsonValue doc;
    REQUIRE_NOTHROW(doc = parse_json(text));
    REQUIRE(doc.is_object());
    CHECK(doc.size() == 10);
    CHECK(doc.at("korean").as_string() == korean);
    CHECK(doc.at("controls").as_string() == controls);
    CHECK(doc.at("controls").as_string().size() == controls.size());
    CHECK(doc.at("every_ascii").as_string() == every_ascii);
    CHECK(doc.at("beyond_bmp").as_string() == beyond_bmp);
    CHECK(doc.at(korean).as_bool());

    const JsonValue& read_numbers = doc.at("numbers");
    REQUIRE(read_numbers.size() == numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        INFO("number " << i << ": " << read_numbers[i].dump());
        CHECK(same_bits(read_numbers[i].as_number(), numbers[i]));
    }
    const JsonValue& integers = doc.at("integers");
    REQUIRE(integers.size() == 4);
    CHECK(integers[0].as_number() == 0);
    CHECK(integers[1].as_number() == -7);
    CHECK(integers[2].as_number() == 42);
    CHECK(integers[3].as_number() == 9007199254740992.0);
    const JsonValue& flags = doc.at("flags");
    REQUIRE(flags.size() == 3);
    CHECK(flags[0].as_bool() == true);
    CHECK(flags[1].as_bool() == false);
    CHECK(flags[2].is_null());
    const JsonValue& not_finite = doc.at("not_finite");
    REQUIRE(not_finite.size() == 3);
    for (const JsonValue& v : not_finite) CHECK(v.is_null());

    const JsonValue& nested = doc.at("nested");
    CHECK(nested.size() == 3);
    CHECK(nested.at("empty_array").is_array());
    CHECK(nested.at("empty_array").size() == 0);
    CHECK(nested.at("empty_object").is_object());
    CHECK(nested.at("empty_object").size() == 0);
    const JsonValue& deep = nested.at("deep");
    REQUIRE(deep.size() == 1);
    REQUIRE(deep[0].size() == 2);
    CHECK(deep[0][0].as_number() == 1);
    const JsonValue& inner = deep[0][1];
    REQUIRE(inner.size() == 2);
    REQUIRE(inner.at("x").size() == 1);
    CHECK(inner.at("x")[0].as_string() == "y");
    CHECK(inner.at("z").is_object());
    CHECK(inner.at("z").size() == 0);
    CHECK(inner.at("x")[0].path() == "$.nested.deep[0][1].x[0]");

    // Keys in the order written.
    const std::vector<std::string> keys{"korean", "controls", "every_ascii", "beyond_bmp", korean, "numbers",
                                        "integers", "flags", "not_finite", "nested"};
    const auto& members = doc.as_object();
    REQUIRE(members.size() == keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) CHECK(members[i].key == keys[i]);
}
