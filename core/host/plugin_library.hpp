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
namespace impact::isolation {
class IsolatedPlugin;
struct IsolationLimits;
}

namespace impact::host {

// Why a file was refused; what() is one line that names the file.
class LoadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A refusal that says nothing lasting about the file: its isolated worker crashed, hung or could
// not start while loading it. The plugin cache does not remember it; the next start tries again.
class TransientLoadError : public LoadError {
public:
    using LoadError::LoadError;
};

// A loaded, validated plugin. Shared by every Model and ModelInstance made from it, so the
// library is unloaded only when the last of them is gone.
class LoadedPlugin {
public:
    // Loads `file` with RTLD_NOW (an unresolved symbol fails here, not later) and validates
    // the entry, the ABI major and every model descriptor. Throws LoadError with the reason.
    static std::shared_ptr<const LoadedPlugin> load(const std::filesystem::path& file);
    // Loads `file` in an impact-worker process instead (isolation/isolated_plugin.hpp): no code of
    // the plugin runs in this process. Throws LoadError (TransientLoadError when the worker died,
    // hung or could not start).
    static std::shared_ptr<const LoadedPlugin> load_isolated(const std::filesystem::path& file,
                                                             const isolation::IsolationLimits& limits);

    const PluginInfo& info() const noexcept { return info_; }
    // The plugin's function table; all NULL for an isolated plugin, whose code is elsewhere.
    const impact_model_factory_v1& factory() const noexcept { return factory_; }
    bool is_isolated() const noexcept { return isolated_ != nullptr; }
    const isolation::IsolatedPlugin* isolated() const noexcept { return isolated_.get(); }

    // impact_model_factory_v1::create, in this process or in the worker.
    impact_status create_instance(const char* model_id, const impact_prepare_args* args,
                                  impact_model_instance** out_instance, impact_error* error) const;

    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin();

private:
    LoadedPlugin() = default;
    std::unique_ptr<boost::dll::shared_library> library_;
    std::unique_ptr<isolation::IsolatedPlugin> isolated_;  // set instead of library_ when isolated
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
