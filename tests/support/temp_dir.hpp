// Temporary folders removed at scope exit, and whole-file reads and writes, for tests that work with files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace impact::test {

// A fresh folder under the system temp folder (made with mkdtemp, so unique across processes),
// removed with everything in it at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

    // Writes `content` to `relative_path` inside the folder (creating its folders) and returns the file's path.
    std::filesystem::path write(const std::filesystem::path& relative_path, std::string_view content) const;

private:
    std::filesystem::path path_;
};

// Writes `content` to `file` byte for byte, creating its folder and replacing an existing file.
void write_file(const std::filesystem::path& file, std::string_view content);

// The bytes of `file`; throws std::runtime_error when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace impact::test
