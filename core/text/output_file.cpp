// All-or-nothing file output through write-then-rename in the same folder.
#include "text/output_file.hpp"

#include "text/user_error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace impact::text {

void write_file_atomically(const std::filesystem::path& file, std::string_view content) {
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw UserError(fmt::format("{}: cannot write: folder {} does not exist", file.string(), folder.string()));
    // Same folder, so the rename cannot cross file systems; the pid keeps parallel runs apart.
    const std::filesystem::path temporary =
        folder / fmt::format(".{}.tmp-{}", file.filename().string(), static_cast<long>(::getpid()));
    std::FILE* out = std::fopen(temporary.c_str(), "wb");
    if (!out) throw UserError(fmt::format("{}: cannot write: {}", file.string(), std::strerror(errno)));
    const bool written = std::fwrite(content.data(), 1, content.size(), out) == content.size();
    const bool flushed = std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
    const int saved_errno = errno;
    const bool closed = std::fclose(out) == 0;
    if (!written || !flushed || !closed) {
        std::filesystem::remove(temporary, ec);
        throw UserError(fmt::format("{}: cannot write: {}", file.string(), std::strerror(saved_errno)));
    }
    std::filesystem::rename(temporary, file, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw UserError(fmt::format("{}: cannot write: {}", file.string(), ec.message()));
    }
}

}  // namespace impact::text
