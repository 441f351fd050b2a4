// read_input_file: open without blocking, refuse what is not a regular file, read within a cap.
#include "io/input_file.hpp"

#include "io/file_descriptor.hpp"
#include "io/file_kind.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace impact::io {
namespace {

// "300.0 MB" for a file's size; small sizes in bytes, where "0.0 MB" would say nothing.
std::string size_text(std::uint64_t bytes) {
    if (bytes < kBytesPerMegabyte / 10) return fmt::format("{} bytes", bytes);
    return fmt::format("{:.1f} MB", static_cast<double>(bytes) / static_cast<double>(kBytesPerMegabyte));
}

[[noreturn]] void refuse_oversize(const std::filesystem::path& file, std::uint64_t size_bytes, bool at_least,
                                  std::uint64_t max_bytes) {
    throw UserError(fmt::format("{}: is {}{}; the input limit is {} (--max-input-mb)", file.string(),
                                at_least ? "more than " : "", size_text(size_bytes), format_megabytes(max_bytes)));
}

}  // namespace

std::string format_megabytes(std::uint64_t bytes) {
    if (bytes % kBytesPerMegabyte == 0) return fmt::format("{} MB", bytes / kBytesPerMegabyte);
    return size_text(bytes);
}

std::string read_input_file(const std::filesystem::path& file, std::string_view what, std::uint64_t max_bytes) {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
    const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) throw UserError(fmt::format("{}: cannot open {} for reading", file.string(), what));
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0)
        throw UserError(fmt::format("{}: cannot read {}: {}", file.string(), what, std::strerror(errno)));
    if (!S_ISREG(info.st_mode))
        throw UserError(fmt::format("{}: expected a regular file, found {}", file.string(), file_kind(info.st_mode)));
    const auto size_bytes = static_cast<std::uint64_t>(info.st_size);
    if (size_bytes > max_bytes) refuse_oversize(file, size_bytes, false, max_bytes);

    // One byte more than the cap tells a file that grew past it since fstat.
    std::string content;
    content.resize(static_cast<std::size_t>(size_bytes + 1));
    std::size_t filled = 0;
    for (;;) {
        if (filled == content.size()) {
            if (filled > max_bytes) refuse_oversize(file, filled - 1, true, max_bytes);
            content.resize(std::min<std::size_t>(content.size() * 2 + 4096, static_cast<std::size_t>(max_bytes + 1)));
        }
        const ssize_t got = ::read(fd.get(), content.data() + filled, content.size() - filled);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw UserError(fmt::format("{}: cannot read {}: {}", file.string(), what, std::strerror(errno)));
        if (got == 0) break;
        filled += static_cast<std::size_t>(got);
    }
    content.resize(filled);
    return content;
}

}  // namespace impact::io
