// JSON output documents: the number and text rules of docs/scenarios.md ("JSON text").
#include "io/json_output.hpp"

#include "text/printable.hpp"

#include <cmath>
#include <cstdint>

namespace impact::io {

Json json_number(double value) {
    if (!std::isfinite(value)) return nullptr;
    // nlohmann writes every double with a fraction or an exponent (5500000000.0); below 1e16
    // a whole double is an exact int64, written as digits only. -0.0 stays a double ("-0.0")
    // so that its sign survives.
    constexpr double kLargestPlainWhole = 1e16;
    if (std::trunc(value) == value && std::fabs(value) < kLargestPlainWhole && !(value == 0.0 && std::signbit(value)))
        return static_cast<std::int64_t>(value);
    return value;
}

Json json_text(std::string_view text) {
    if (text::invalid_utf8_at(text) == std::string_view::npos) return std::string(text);
    return text::printable(text);
}

void put_path(Json& object, const std::string& key, const std::filesystem::path& path) {
    const std::string& bytes = path.native();
    if (text::invalid_utf8_at(bytes) == std::string::npos) {
        object[key] = bytes;
        return;
    }
    object[key] = text::valid_utf8(bytes);
    std::string hex;
    hex.reserve(2 * bytes.size());
    for (const char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        hex += "0123456789abcdef"[byte >> 4];
        hex += "0123456789abcdef"[byte & 0x0f];
    }
    object[key + "_hex"] = hex;
}

std::string json_document(const Json& document) {
    // Strict: every string was made valid UTF-8 on the way in (json_text, put_path, checked
    // scenario and descriptor text), so a throw here would be a bug, reported as exit 1.
    return document.dump(2, ' ', /*ensure_ascii=*/false, Json::error_handler_t::strict) + "\n";
}

}  // namespace impact::io
