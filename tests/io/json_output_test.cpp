// io::json_number, json_text, put_path and json_document: numbers read back exactly, text is always UTF-8.
#include "io/json_output.hpp"
#include "support/json_parse.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace {

using impact::io::Json;

// The text nlohmann writes for one value, as it appears in a report.
std::string dumped(const Json& value) { return impact::io::json_document(value); }

std::uint64_t bits_of(double value) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
}

}  // namespace

TEST_CASE("json_number writes doubles that parse back to the same bits", "[io][json]") {
    // Values whose shortest decimal is long or sits at a format edge: 0.1 and 1/3 are not exact
    // in binary; 5e-324 is the smallest subnormal, 1.7976931348623157e308 the largest double,
    // 2^53 + 2 a whole number beyond 2^53, 1e16 the first whole number written with an exponent,
    // 1234567890123456.5 a fraction at 16 digits, 0.0001 and 1e-5 either side of the fixed form.
    for (const double value : {0.1, 1.0 / 3.0, -2.0 / 3.0, 5e-324, 1.7976931348623157e308, 9007199254740994.0, 1e16,
                               1234567890123456.5, 0.0001, 1e-5, 1428.8, -7.1, 0.063, -0.0}) {
        const std::string text = dumped(impact::io::json_number(value));
        INFO("value " << value << " (bits " << bits_of(value) << ") written as " << text);
        const double back = nlohmann::json::parse(text).get<double>();
        CHECK(bits_of(back) == bits_of(value));
    }
}

TEST_CASE("json_number writes whole numbers below 1e16 as digits only, as reports always have", "[io][json]") {
    CHECK(dumped(impact::io::json_number(5.5e9)) == "5500000000\n");
    CHECK(dumped(impact::io::json_number(-173240000000.0)) == "-173240000000\n");
    CHECK(dumped(impact::io::json_number(9999999999999998.0)) == "9999999999999998\n");
    CHECK(dumped(impact::io::json_number(0.0)) == "0\n");
    CHECK(dumped(impact::io::json_number(1428.8)) == "1428.8\n");
    CHECK(dumped(impact::io::json_number(1e300)) == "1e+300\n");
}

TEST_CASE("json_number writes null for NaN and infinities, never invalid JSON", "[io][json]") {
    for (const double value : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity()}) {
        INFO("value " << value);
        CHECK(impact::io::json_number(value).is_null());
    }
}

TEST_CASE("json_text keeps UTF-8 and shows other bytes as \\xNN", "[io][json]") {
    CHECK(impact::io::json_text("₩7조 8,584억").get<std::string>() == "₩7조 8,584억");
    CHECK(impact::io::json_text("line\nnext").get<std::string>() == "line\nnext");
    // 0xFF never occurs in UTF-8; 0xC3 starts a two-byte sequence that '(' does not continue.
    CHECK(impact::io::json_text("rate \xff from \xc3(").get<std::string>() == "rate \\xff from \\xc3(");
    const std::string document = dumped(impact::io::json_text("a\xfe" "b"));
    INFO(document);
    CHECK(nlohmann::json::parse(document).get<std::string>() == "a\\xfeb");
}

TEST_CASE("put_path writes a name that is not UTF-8 with U+FFFD and its exact bytes in hex", "[io][json]") {
    Json object = Json::object();
    impact::io::put_path(object, "file", "/tmp/plain/ok.so");
    impact::io::put_path(object, "dir", "/tmp/caf\xe9");  // Latin-1 é: not UTF-8 on its own
    INFO(object.dump());
    CHECK(object.at("file").get<std::string>() == "/tmp/plain/ok.so");
    CHECK_FALSE(object.contains("file_hex"));
    CHECK(object.at("dir").get<std::string>() == "/tmp/caf\xEF\xBF\xBD");
    // "/tmp/caf" is 2f 74 6d 70 2f 63 61 66 in ASCII, then the byte e9.
    CHECK(object.at("dir_hex").get<std::string>() == "2f746d702f636166e9");
    CHECK_NOTHROW(nlohmann::json::parse(dumped(object)));
}

TEST_CASE("json_document indents by two spaces, keeps key order and ends with a newline", "[io][json]") {
    Json doc = Json::object();
    doc["schema"] = "impact.test/1";
    doc["b"] = Json::array();
    doc["a"] = {{"z", 1}, {"y", nullptr}};
    doc["empty"] = Json::object();
    CHECK(impact::io::json_document(doc) ==
          "{\n  \"schema\": \"impact.test/1\",\n  \"b\": [],\n  \"a\": {\n    \"z\": 1,\n    \"y\": null\n  },\n"
          "  \"empty\": {}\n}\n");
}

// The tests' reader (tests/support/json_parse.hpp) must be at least as strict as the writer's rules.
TEST_CASE("the tests' parse_json refuses NaN and a key twice in one object, not one key in two objects", "[io][json]") {
    CHECK_THROWS_WITH(impact::test::parse_json(R"({"a": 1, "b": {"a": 2}, "a": 3})"), Catch::Contains("\"a\""));
    CHECK_THROWS_AS(impact::test::parse_json(R"({"a": NaN})"), nlohmann::json::parse_error);
    const nlohmann::json same_key_in_two_objects = impact::test::parse_json(R"({"x": {"a": 1}, "y": {"a": 2}})");
    CHECK(same_key_in_two_objects.at("y").at("a").get<int>() == 2);
}
