// Fuzz target: impact::text::printable, the escaping every message goes through before it is
// printed. Properties, from text/printable.hpp: the output has no C0 control (< 0x20), no DEL
// (0x7F) and no C1 control (U+0080..U+009F), is valid UTF-8, and is itself printable
// (is_printable(printable(x)), i.e. printable(printable(x)) == printable(x)); and
// is_printable(x) holds exactly when printable(x) == x.
#include "fuzz_support.hpp"

#include "text/printable.hpp"

#include <string>

namespace {

// Length of the valid UTF-8 sequence at s[i] (RFC 3629), or 0. Written apart from the code under
// test on purpose.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned>(static_cast<unsigned char>(s[k])) : 0u; };
    const unsigned b0 = b(i);
    const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0u) == 0x80u; };
    std::size_t n = 0;
    unsigned cp = 0;
    if (b0 < 0x80) return 1;
    if ((b0 & 0xE0u) == 0xC0u) { n = 2; cp = b0 & 0x1Fu; }
    else if ((b0 & 0xF0u) == 0xE0u) { n = 3; cp = b0 & 0x0Fu; }
    else if ((b0 & 0xF8u) == 0xF0u) { n = 4; cp = b0 & 0x07u; }
    else return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if (!cont(i + k)) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3Fu);
    }
    const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = impact::fuzz::as_text(data, size);
    const std::string out = impact::text::printable(text);
    for (std::size_t i = 0; i < out.size();) {
        const auto c = static_cast<unsigned char>(out[i]);
        if (c < 0x20 || c == 0x7F) impact::fuzz::finding("printable() leaves no C0 control or DEL", out);
        const std::size_t n = utf8_length(out, i);
        if (n == 0) impact::fuzz::finding("printable() returns valid UTF-8", out);
        if (n == 2 && c == 0xC2 && static_cast<unsigned char>(out[i + 1]) <= 0x9F)
            impact::fuzz::finding("printable() leaves no C1 control", out);
        i += n;
    }
    if (!impact::text::is_printable(out)) impact::fuzz::finding("is_printable(printable(x))", out);
    if (impact::text::printable(out) != out) impact::fuzz::finding("printable(printable(x)) == printable(x)", out);
    if (impact::text::is_printable(text) != (out == text))
        impact::fuzz::finding("is_printable(x) == (printable(x) == x)", out);
    return 0;
}
