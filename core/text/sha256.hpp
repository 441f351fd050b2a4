// SHA-256 digests (FIPS 180-4) of byte strings and files, written here because the project takes no crypto library.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace impact::text {

// Incremental SHA-256: feed the message in pieces of any size with update(), then call
// finish() once for the 32-byte digest. finish() leaves the object ready for a new message.
// Messages are limited to 2^61 - 1 bytes, because the padding records the length in bits
// in 64 bits (FIPS 180-4, section 5.1.1).
class Sha256 {
public:
    void update(const void* data, std::size_t size) noexcept;
    std::array<std::uint8_t, 32> finish() noexcept;

private:
    static constexpr std::size_t kBlockSize = 64;
    static constexpr std::array<std::uint32_t, 8> kInitialHash = {
        // FIPS 180-4, section 5.3.3: the first 32 bits of the fractional parts of the
        // square roots of the first eight primes.
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

    void compress(const std::uint8_t* block) noexcept;

    std::array<std::uint32_t, 8> hash_ = kInitialHash;
    std::array<std::uint8_t, kBlockSize> pending_{};  // bytes not yet compressed
    std::size_t pending_size_ = 0;
    std::uint64_t message_size_ = 0;  // in bytes; the padding needs it in bits
};

// The SHA-256 digest of `bytes`, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 digest of the file's content, as 64 lower-case hex digits. The file is read
// in 64 KiB chunks, so its size does not matter. Throws impact::UserError
// ("<file>: cannot open file for reading", or "<file>: read error").
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace impact::text
