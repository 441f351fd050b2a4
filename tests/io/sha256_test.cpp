// io::sha256_hex and io::sha256_file_hex (libcrypto EVP) against published vectors and coreutils' sha256sum.
#include "io/sha256.hpp"
#include "support/temp_dir.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace {

using impact::test::TempDir;

// A message whose bytes take every value, so a signed-char or chunking slip would show.
std::string counting_bytes(std::size_t size) {
    std::string bytes(size, '\0');
    for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 % 256);
    return bytes;
}

// The digest as coreutils' sha256sum computes it: an implementation independent of libcrypto.
std::string sha256sum_of(const std::filesystem::path& file) {
    // TempDir paths hold no single quote, so single-quoting is enough for the shell.
    const std::string command = "sha256sum '" + file.string() + "'";
    const std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe != nullptr);
    char hex[65] = {};
    INFO("command: " << command);
    REQUIRE(std::fread(hex, 1, 64, pipe.get()) == 64);
    return hex;
}

}  // namespace

// Expected digests: "abc" and the 448-bit message are FIPS 180-2 Appendix B.1 and B.2 (repeated
// in NIST's "Examples with Intermediate Values" for FIPS 180-4); one million 'a' is FIPS 180-2
// Appendix B.3; the empty message is NIST CAVP SHAVS SHA256ShortMsg.rsp, Len = 0.
TEST_CASE("sha256_hex gives the FIPS 180-2 and NIST example digests", "[io][sha256]") {
    using impact::io::sha256_hex;
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1'000'000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256_file_hex agrees with coreutils' sha256sum and reports unreadable files", "[io][sha256]") {
    const TempDir dir;

    SECTION("files larger than one 64 KiB read, at a chunk edge, and empty") {
        for (const std::size_t size : {std::size_t{0}, std::size_t{3}, std::size_t{64 * 1024},
                                       std::size_t{2 * 64 * 1024 + 123}}) {
            INFO("file of " << size << " bytes");
            const auto file = dir.write("content-" + std::to_string(size), counting_bytes(size));
            CHECK(impact::io::sha256_file_hex(file) == sha256sum_of(file));
        }
    }
    SECTION("a file that cannot be opened") {
        const auto missing = dir.path() / "missing.bin";
        CHECK_THROWS_AS(impact::io::sha256_file_hex(missing), impact::UserError);
        CHECK_THROWS_WITH(impact::io::sha256_file_hex(missing), missing.string() + ": cannot open file for reading");
    }
}
