// Shared by the fuzz targets: a private scratch folder, writing an input to a file, reporting a
// broken property. Header-only so that each target stays one .cpp (see README.md).
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include <unistd.h>

namespace impact::fuzz {

// A folder only this process writes to: made once with mkdtemp under $TMPDIR (or /tmp), removed
// when the process exits normally. After a crash it stays behind with the input that caused it.
inline const std::filesystem::path& sandbox() {
    static const std::filesystem::path dir = [] {
        std::error_code ec;
        std::filesystem::path base = std::filesystem::temp_directory_path(ec);
        if (ec) base = "/tmp";
        std::string pattern = (base / "impact-fuzz-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::perror("impact-fuzz: mkdtemp");
            std::abort();
        }
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(sandbox(), ignored);
        });
        return std::filesystem::path(pattern);
    }();
    return dir;
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
