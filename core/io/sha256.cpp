// SHA-256 through libcrypto's EVP digest interface, with the context freed on every path.
#include "io/sha256.hpp"

#include "text/user_error.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace impact::io {
namespace {

struct DigestContextDeleter {
    void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;

// An incremental SHA-256: the EVP calls return 1 on success, anything else is a libcrypto failure.
class Sha256 {
public:
    Sha256() : context_(EVP_MD_CTX_new()) {
        if (!context_) throw std::runtime_error("SHA-256: EVP_MD_CTX_new failed");
        check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
    }
    void update(const void* data, std::size_t size) {
        check(EVP_DigestUpdate(context_.get(), data, size), "EVP_DigestUpdate");
    }
    std::string finish_hex() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned int size = 0;
        check(EVP_DigestFinal_ex(context_.get(), digest.data(), &size), "EVP_DigestFinal_ex");
        std::string hex;
        hex.reserve(2 * size);
        for (unsigned int i = 0; i < size; ++i) {
            hex += "0123456789abcdef"[digest[i] >> 4];
            hex += "0123456789abcdef"[digest[i] & 0x0f];
        }
        return hex;
    }

private:
    static void check(int result, const char* call) {
        if (result != 1) throw std::runtime_error(fmt::format("SHA-256: {} failed", call));
    }
    DigestContext context_;
};

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    Sha256 hasher;
    hasher.update(bytes.data(), bytes.size());
    return hasher.finish_hex();
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
    return hasher.finish_hex();
}

}  // namespace impact::io
