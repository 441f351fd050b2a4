// JSON output documents (nlohmann::ordered_json): numbers that read back exactly, strings that are always UTF-8.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace impact::io {

// Members keep the order they are added in, which is the documented order of every schema.
using Json = nlohmann::ordered_json;

// A double as a JSON number that parses back to the same double. A whole number below 1e16 in
// magnitude is written without a fraction ("5500000000", not "5500000000.0"), as reports have
// always written it; NaN and infinities (never valid JSON) become null.
Json json_number(double value);

// Text that may hold any bytes (a plugin's note, a loader's reason), as a JSON string. Valid
// UTF-8 is written as it is; text with bytes that are not UTF-8 is written as the terminal shows
// it (text::printable: such bytes as \xNN, control characters escaped), so nothing is replaced
// without saying what it was.
Json json_text(std::string_view text);

// Sets object[key] to a file or folder name. A name that is valid UTF-8 is written as it is.
// Otherwise (Linux names are bytes) each byte that is not UTF-8 becomes U+FFFD in object[key],
// and object[key + "_hex"] holds the name's exact bytes as lower-case hex digits, from which a
// script recovers the name.
void put_path(Json& object, const std::string& key, const std::filesystem::path& path);

// The document as text: two-space indentation, UTF-8 without \u escapes, a final newline.
std::string json_document(const Json& document);

}  // namespace impact::io
