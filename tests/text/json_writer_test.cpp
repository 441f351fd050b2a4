// The JSON writer: structure, escaping, and numbers that read back exactly.
#include "text/json_writer.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <limits>

using impact::text::JsonWriter;

TEST_CASE("JSON writer nests, separates and escapes", "[text][json]") {
    JsonWriter w;
    w.begin_object().key("s").value("a\"b\\c\nd\x01").key("n").value(0.1).key("empty").begin_array().end_array();
    w.key("list").begin_array().value(1).value(true).null().end_array().end_object();
    CHECK(w.str() ==
          "{\n  \"s\": \"a\\\"b\\\\c\\nd\\u0001\",\n  \"n\": 0.1,\n  \"empty\": [],\n  \"list\": [\n    1,\n    true,\n"
          "    null\n  ]\n}\n");
}

TEST_CASE("JSON numbers round-trip and non-finite values become null", "[text][json]") {
    for (double x : {7858400000000.0, 1428.8, 1.0 / 3.0, -0.0632798573975044, 5e-324}) {
        JsonWriter w;
        w.value(x);
        INFO(w.str());
        CHECK(std::strtod(w.str().c_str(), nullptr) == x);
    }
    JsonWriter w;
    w.begin_array().value(std::numeric_limits<double>::quiet_NaN()).value(std::numeric_limits<double>::infinity()).end_array();
    CHECK(w.str() == "[\n  null,\n  null\n]\n");
}

TEST_CASE("JSON strings are always valid UTF-8: stray bytes become U+FFFD", "[text][json]") {
    // A file name or plugin note with a Latin-1 byte (0xE9), a lone continuation byte and a
    // truncated sequence; valid multi-byte text (₩, 조) passes unchanged.
    JsonWriter w;
    w.begin_object().key("file").value("r\xE9sum\xC3").key("note").value("\x80 \xE2\x82\xA9 \xEC\xA1\xB0").end_object();
    CHECK(w.str() == "{\n  \"file\": \"r\xEF\xBF\xBDsum\xEF\xBF\xBD\",\n  \"note\": \"\xEF\xBF\xBD \xE2\x82\xA9 \xEC\xA1\xB0\"\n}\n");
}
