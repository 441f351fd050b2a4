// SHA-256 digests of byte strings and files, computed by OpenSSL's libcrypto (EVP interface).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace impact::io {

// The SHA-256 digest of `bytes`, as 64 lower-case hex digits. Throws std::runtime_error
// naming the libcrypto call that failed (only when libcrypto itself cannot work, such as
// out of memory): that is a fault of the machine, not of the user's input.
std::string sha256_hex(std::string_view bytes);

// The SHA-256 digest of the file's content, as 64 lower-case hex digits. The file is read
// in 64 KiB chunks, so its size does not matter. Throws impact::UserError
// ("<file>: cannot open file for reading", or "<file>: read error"), and std::runtime_error
// as sha256_hex does.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace impact::io
