// Shared by the fuzz targets: a private scratch folder, writing an input to a file, reporting a
// broken property. Header-only so that each target stays one .cpp (see README.md).
#pragma once

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

namespace impact::fuzz {

// Removes the sandboxes of processes that have ended: libFuzzer often ends a process with _Exit
// (time limit, fork-mode jobs, crashes), so atexit handlers do not run and folders pile up.
// A folder is impact-fuzz-<pid>-XXXXXX; it is removed only when no process <pid> exists.
inline void remove_stale_sandboxes(const std::filesystem::path& base) {
    const std::string prefix = "impact-fuzz-";
    std::vector<std::filesystem::path> stale;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        char* end = nullptr;
        const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
        if (pid <= 0 || end == nullptr || *end != '-') continue;
        if (::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH) stale.push_back(entry.path());
    }
    for (const auto& dir : stale) std::filesystem::remove_all(dir, ec);
}

// A folder only this process writes to: made once with mkdtemp under $TMPDIR (or /tmp), removed
// when the process exits normally, or by a later run once this process has gone.
inline const std::filesystem::path& sandbox() {
    // Allocated once and never destroyed, so that the atexit handler can still read it.
    static const std::filesystem::path* const dir = [] {
        std::error_code ec;
        std::filesystem::path base = std::filesystem::temp_directory_path(ec);
        if (ec) base = "/tmp";
        remove_stale_sandboxes(base);
        std::string pattern = (base / ("impact-fuzz-" + std::to_string(::getpid()) + "-XXXXXX")).string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::perror("impact-fuzz: mkdtemp");
            std::abort();
        }
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(sandbox(), ignored);
        });
        return new std::filesystem::path(pattern);
    }();
    return *dir;
}

// Replaces `file` with exactly these bytes.
inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
        std::fprintf(stderr, "impact-fuzz: cannot write %s\n", file.c_str());
        std::abort();
    }
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A property the code under test promises does not hold: print it and abort, which libFuzzer
// (and the replay runner, through the abort) reports as a crash with this input.
[[noreturn]] inline void finding(std::string_view property, std::string_view detail = {}) {
    std::fprintf(stderr, "impact-fuzz: property violated: %.*s%s%.*s\n", static_cast<int>(property.size()),
                 property.data(), detail.empty() ? "" : ": ", static_cast<int>(detail.size()), detail.data());
    std::abort();
}

}  // namespace impact::fuzz
