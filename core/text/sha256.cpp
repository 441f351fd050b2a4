// SHA-256 as specified in FIPS 180-4 (sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2), plus hex and file helpers.
#include "text/sha256.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <vector>

namespace impact::text {
namespace {

// FIPS 180-4, section 4.2.2: the first 32 bits of the fractional parts of the cube roots
// of the first sixty-four primes.
constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// The logical functions of FIPS 180-4, section 4.1.2.
constexpr std::uint32_t choose(std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) ^ (~x & z); }
constexpr std::uint32_t majority(std::uint32_t x, std::uint32_t y, std::uint32_t z) {
    return (x & y) ^ (x & z) ^ (y & z);
}
constexpr std::uint32_t big_sigma0(std::uint32_t x) { return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22); }
constexpr std::uint32_t big_sigma1(std::uint32_t x) { return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25); }
constexpr std::uint32_t small_sigma0(std::uint32_t x) { return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3); }
constexpr std::uint32_t small_sigma1(std::uint32_t x) { return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10); }

// SHA-256 reads and writes words big-endian, whatever the host's byte order.
std::uint32_t load_big_endian(const std::uint8_t* bytes) {
    return static_cast<std::uint32_t>(bytes[0]) << 24 | static_cast<std::uint32_t>(bytes[1]) << 16 |
           static_cast<std::uint32_t>(bytes[2]) << 8 | static_cast<std::uint32_t>(bytes[3]);
}

template <typename Word>
void store_big_endian(Word word, std::uint8_t* bytes) {
    for (std::size_t i = 0; i < sizeof(Word); ++i)
        bytes[i] = static_cast<std::uint8_t>(word >> (8 * (sizeof(Word) - 1 - i)));
}

std::string to_hex(const std::array<std::uint8_t, 32>& digest) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * digest.size());
    for (const std::uint8_t byte : digest) {
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0x0f];
    }
    return hex;
}

}  // namespace

// One block of the hash computation, FIPS 180-4 section 6.2.2.
void Sha256::compress(const std::uint8_t* block) noexcept {
    std::array<std::uint32_t, 64> schedule;
    for (std::size_t t = 0; t < 16; ++t) schedule[t] = load_big_endian(block + 4 * t);
    for (std::size_t t = 16; t < 64; ++t)
        schedule[t] = small_sigma1(schedule[t - 2]) + schedule[t - 7] + small_sigma0(schedule[t - 15]) + schedule[t - 16];

    auto [a, b, c, d, e, f, g, h] = hash_;
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t t1 = h + big_sigma1(e) + choose(e, f, g) + kRoundConstants[t] + schedule[t];
        const std::uint32_t t2 = big_sigma0(a) + majority(a, b, c);
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    const std::array<std::uint32_t, 8> working = {a, b, c, d, e, f, g, h};
    for (std::size_t i = 0; i < hash_.size(); ++i) hash_[i] += working[i];
}

void Sha256::update(const void* data, std::size_t size) noexcept {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    message_size_ += size;

    // Top up a partly filled block first, so that whole blocks below come straight from
    // the caller's buffer without a copy.
    if (pending_size_ > 0) {
        const std::size_t taken = std::min(size, kBlockSize - pending_size_);
        std::copy_n(bytes, taken, pending_.data() + pending_size_);
        pending_size_ += taken;
        bytes += taken;
        size -= taken;
        if (pending_size_ < kBlockSize) return;
        compress(pending_.data());
        pending_size_ = 0;
    }
    for (; size >= kBlockSize; bytes += kBlockSize, size -= kBlockSize) compress(bytes);
    std::copy_n(bytes, size, pending_.data());
    pending_size_ = size;
}

std::array<std::uint8_t, 32> Sha256::finish() noexcept {
    // Padding, FIPS 180-4 section 5.1.1: a 1 bit, then zeros up to 56 bytes into a block,
    // then the message length in bits as a 64-bit big-endian number.
    const std::uint64_t message_bits = message_size_ * 8;
    static constexpr std::size_t kLengthOffset = kBlockSize - 8;
    static constexpr std::array<std::uint8_t, kBlockSize> kPadding = {0x80};
    const std::size_t padding_size = pending_size_ < kLengthOffset ? kLengthOffset - pending_size_
                                                                   : kBlockSize + kLengthOffset - pending_size_;
    update(kPadding.data(), padding_size);
    std::array<std::uint8_t, 8> length;
    store_big_endian(message_bits, length.data());
    update(length.data(), length.size());

    std::array<std::uint8_t, 32> digest;
    for (std::size_t i = 0; i < hash_.size(); ++i) store_big_endian(hash_[i], digest.data() + 4 * i);
    *this = Sha256();
    return digest;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes.data(), bytes.size());
    return to_hex(hasher.finish());
}

std::string sha256_file_hex(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UserError(fmt::format("{}: cannot open file for reading", file.string()));

    // A fixed chunk keeps memory flat for files of any size.
    constexpr std::size_t kChunkSize = 64 * 1024;
    std::vector<char> chunk(kChunkSize);
    Sha256 hasher;
    do {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        hasher.update(chunk.data(), static_cast<std::size_t>(in.gcount()));
    } while (in);
    if (in.bad()) throw UserError(fmt::format("{}: read error", file.string()));
    return to_hex(hasher.finish());
}

}  // namespace impact::text
