// Reading a user's input file whole, without blocking on a FIFO or exhausting memory on /dev/zero.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace impact::io {

// Input limits are given in MB of 1,048,576 bytes (--max-input-mb).
inline constexpr std::uint64_t kBytesPerMegabyte = 1024 * 1024;
inline constexpr std::uint64_t kDefaultMaxInputMegabytes = 64;
inline constexpr std::uint64_t kDefaultMaxInputBytes = kDefaultMaxInputMegabytes * kBytesPerMegabyte;

// The bytes of `file`, a regular file of at most `max_bytes`. Opening never blocks (a FIFO is
// refused, not waited on) and at most max_bytes + 1 bytes are read, so a file that grows while
// it is read is caught too. `what` names the file in the message when it cannot be opened
// ("scenario file", "file"). Throws UserError with one line:
//   "PATH: cannot open WHAT for reading"
//   "PATH: expected a regular file, found a FIFO"
//   "PATH: is 300.0 MB; the input limit is 64 MB (--max-input-mb)"
std::string read_input_file(const std::filesystem::path& file, std::string_view what, std::uint64_t max_bytes);

// "64 MB" for a whole number of MB (the unit of --max-input-mb), else "0.5 MB" or "1024 bytes": for messages.
std::string format_megabytes(std::uint64_t bytes);

}  // namespace impact::io
