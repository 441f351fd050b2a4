// Loads one plugin file, checks its entry and descriptors, and keeps it mapped while used.
#pragma once

#include "host/model_info.hpp"

#include <impact/sdk/impact_plugin.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

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
    const impact_model_factory_v1& factory() const noexcept { return *factory_; }

    LoadedPlugin(const LoadedPlugin&) = delete;
    LoadedPlugin& operator=(const LoadedPlugin&) = delete;
    ~LoadedPlugin();

private:
    LoadedPlugin() = default;
    std::unique_ptr<boost::dll::shared_library> library_;
    const impact_model_factory_v1* factory_ = nullptr;
    PluginInfo info_;
};

// Checks used by the loader, exposed for tests.
bool is_reverse_dns_id(std::string_view id) noexcept;
bool is_semver(std::string_view version) noexcept;
bool is_model_id(std::string_view id) noexcept;

}  // namespace impact::host
