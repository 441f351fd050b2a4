// Loads one plugin file, checks its entry and descriptors, and keeps it mapped while used.
#pragma once

#include "host/model_info.hpp"

#include <impact/sdk/impact_plugin.h>

#include <filesystem>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace boost::dll {
class shared_library;
}

namespace impact::host {

// Why a file was refused; what() is one line that names the file.
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A loaded, validated plugin. Shared by every Model and ModelInstance made from it, so the
// library is unloaded only when the last of them is gone.
class LoadedPlugin {
public:
    // Loads `file` with RTLD_NOW (an unresolved symbol fails here, not later) and validates
    // the entry, the ABI major and every model descriptor. Throws LoadError with the reason.
    static std::shared_ptr<const LoadedPlugin> load(const std::filesystem::path& file);

    const PluginInfo& info() const noexcept { return info_; }
    const impact_model_factory_v1& factory() const noexcept { return factory_; }

    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin();

private:
    LoadedPlugin() = default;
    std::unique_ptr<boost::dll::shared_library> library_;
    // A copy of the plugin's function table, read through a fault-safe read at load time.
    impact_model_factory_v1 factory_{};
    PluginInfo info_;
};

// Copies memory the host does not trust (a plugin's descriptors and strings) without ever
// faulting: a pointer such as 0x1 or into a freed page makes read() return false instead of
// crashing the process. Uses process_vm_readv on our own pid and, where that is not allowed
// (seccomp, an old kernel), write() into a pipe; both report EFAULT for unreadable memory.
class SafeMemoryReader {
public:
    enum class Method { automatic, pipe_only };
    explicit SafeMemoryReader(Method method = Method::automatic) noexcept;
    ~SafeMemoryReader();
    SafeMemoryReader(const SafeMemoryReader&) = delete;
    SafeMemoryReader& operator=(const SafeMemoryReader&) = delete;

    // Copies `size` bytes at `address` into `out`; false when any of them is not readable.
    bool read(const void* address, void* out, std::size_t size) noexcept;

    enum class TextResult { ok, unreadable, too_long };
    // The NUL-terminated string at `address`, at most `max_bytes` bytes before its NUL. Reads
    // page by page, so a string that ends just before an unmapped page is still read.
    TextResult read_text(const char* address, std::size_t max_bytes, std::string& out);

private:
    bool read_with_pipe(const void* address, void* out, std::size_t size) noexcept;
    bool use_vm_readv_;
    int pipe_[2] = {-1, -1};
};

// Checks used by the loader, exposed for tests.
bool is_reverse_dns_id(std::string_view id) noexcept;
bool is_semver(std::string_view version) noexcept;
bool is_model_id(std::string_view id) noexcept;
// [a-z][a-z0-9_]*: an input or output key.
bool is_key(std::string_view key) noexcept;

}  // namespace impact::host
