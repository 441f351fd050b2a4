// SHA-256: the FIPS 180-4 example digests, chunking, padding edges against coreutils' sha256sum, and files.
#include "support/temp_dir.hpp"
#include "text/sha256.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace {

using impact::test::TempDir;

// A message whose bytes cover every value, so signed-char mistakes would show.
std::string counting_bytes(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 % 256);
    return bytes;
}

std::string hex_of(const std::array<std::uint8_t, 32>& digest) {
    std::string hex;
    for (const std::uint8_t byte : digest) {
        hex += "0123456789abcdef"[byte >> 4];
        hex += "0123456789abcdef"[byte & 0x0f];
    }
    return hex;
}

bool have_sha256sum() { return std::system("command -v sha256sum > /dev/null 2>&1") == 0; }

// The digest as coreutils' sha256sum computes it: an implementation independent of ours.
std::string sha256sum_of(const std::filesystem::path& file) {
    // The temp path holds no single quote, so single-quoting is enough for the shell.
    const std::string command = "sha256sum '" + file.string() + "'";
    const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe != nullptr);
    char hex[65] = {};
    REQUIRE(std::fread(hex, 1, 64, pipe.get()) == 64);
    return hex;
}

}  // namespace

// Expected digests: "abc" and the 448-bit message are FIPS 180-2 Appendix B.1 and B.2, repeated
// in NIST's SHA-256 "Examples with Intermediate Values" that accompany FIPS 180-4; one million
// 'a' is FIPS 180-2 Appendix B.3; the empty message is NIST CAVP SHAVS SHA256ShortMsg, Len = 0.
TEST_CASE("SHA-256 gives the FIPS 180-4 example digests", "[text][sha256]") {
    using impact::text::sha256_hex;
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1'000'000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 digests do not depend on how the message is split into updates", "[text][sha256]") {
    const std::string message = counting_bytes(200);
    const std::string expected = impact::text::sha256_hex(message);

    SECTION("every pair of cut points, so three pieces of every size, empty ones included") {
        for (std::size_t first = 0; first <= message.size(); ++first) {
            for (std::size_t second = first; second <= message.size(); ++second) {
                impact::text::Sha256 hasher;
                hasher.update(message.data(), first);
                hasher.update(message.data() + first, second - first);
                hasher.update(message.data() + second, message.size() - second);
                const std::string digest = hex_of(hasher.finish());
                if (digest != expected) FAIL("cuts at " << first << " and " << second << " give " << digest);
            }
        }
    }
    SECTION("equal chunks of every size") {
        for (std::size_t chunk = 1; chunk <= message.size(); ++chunk) {
            impact::text::Sha256 hasher;
            for (std::size_t at = 0; at < message.size(); at += chunk)
                hasher.update(message.data() + at, std::min(chunk, message.size() - at));
            const std::string digest = hex_of(hasher.finish());
            if (digest != expected) FAIL("chunks of " << chunk << " give " << digest);
        }
    }
    SECTION("one million 'a' fed one byte at a time") {
        impact::text::Sha256 hasher;
        for (int i = 0; i < 1'000'000; ++i) hasher.update("a", 1);
        CHECK(hex_of(hasher.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    SECTION("finish() starts a new message") {
        impact::text::Sha256 hasher;
        hasher.update(message.data(), message.size());
        CHECK(hex_of(hasher.finish()) == expected);
        hasher.update(message.data(), message.size());
        CHECK(hex_of(hasher.finish()) == expected);
    }
}

TEST_CASE("SHA-256 padding edges agree with coreutils' sha256sum", "[text][sha256]") {
    if (!have_sha256sum()) {
        WARN("sha256sum not found; padding edge cases not cross-checked");
        return;
    }
    const TempDir dir;
    // 55 bytes is the longest message whose padding fits in its own block; 56 to 63 spill the
    // length into a second block; 64 and 65 fill exactly one block and start a new one.
    for (const std::size_t size : {55, 56, 63, 64, 65, 119, 120, 128}) {
        INFO("message of " << size << " bytes");
        const std::string message = counting_bytes(size);
        const auto file = dir.write("message-" + std::to_string(size), message);
        CHECK(impact::text::sha256_hex(message) == sha256sum_of(file));
    }
}

TEST_CASE("sha256_file_hex hashes a file's content and reports unreadable files", "[text][sha256]") {
    const TempDir dir;

    SECTION("content larger than one 64 KiB read, and an empty file") {
        for (const std::size_t size : {std::size_t{0}, std::size_t{3}, std::size_t{2 * 64 * 1024 + 123}}) {
            INFO("file of " << size << " bytes");
            const std::string content = counting_bytes(size);
            const auto file = dir.write("content-" + std::to_string(size), content);
            CHECK(impact::text::sha256_file_hex(file) == impact::text::sha256_hex(content));
        }
    }
    SECTION("a file that cannot be opened") {
        const auto missing = dir.path() / "missing.bin";
        CHECK_THROWS_AS(impact::text::sha256_file_hex(missing), impact::UserError);
        CHECK_THROWS_WITH(impact::text::sha256_file_hex(missing), missing.string() + ": cannot open file for reading");
    }
}
