// Finds plugin files along the search path, loads them, and indexes their models by id.
#pragma once

#include "host/model.hpp"
#include "host/plugin_library.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace impact::host {

// One folder of the search path and where it came from ("bundled", "IMPACT_PLUGIN_PATH",
// "--plugin-dir"), so that listings can say why a plugin was found.
struct SearchDir {
    std::filesystem::path dir;
    std::string origin;
    bool missing = false;  // set by Registry::discover: no folder at `dir`, nothing loaded from it
};

struct RejectedFile {
    std::filesystem::path file;
    std::string reason;  // one line, names the file
};

// A model id declared by more than one plugin: the first in search order wins.
struct ShadowedModel {
    std::string model_id;
    std::filesystem::path file;       // the plugin whose model is not used
    std::filesystem::path used_file;  // the plugin whose model is used
};

// Where `impact` itself keeps its plugins: ../lib/impact/plugins beside bin/impact, the same
// in the build tree and in an installed tree.
std::filesystem::path bundled_plugin_dir();

// The search order: bundled folder, then each folder of IMPACT_PLUGIN_PATH (':'-separated),
// then each --plugin-dir.
std::vector<SearchDir> plugin_search_path(const std::filesystem::path& bundled_dir,
                                          std::optional<std::string_view> env_plugin_path,
                                          const std::vector<std::filesystem::path>& cli_dirs);

// The plugin files in one folder: *.so directly inside it and one level down (one folder
// per plugin), sorted by path so the search order is reproducible.
std::vector<std::filesystem::path> plugin_files_in(const std::filesystem::path& dir);

class Registry {
public:
    // Loads every plugin along `search_path`. Never throws for a bad plugin file: it is
    // recorded in rejected() and the others load. A folder that does not exist is kept in
    // search_path() marked `missing`, so that listings can say so.
    static Registry discover(const std::vector<SearchDir>& search_path);

    // Loads one more file (after those already loaded, so it loses any id clash).
    void add_file(const std::filesystem::path& file, const std::string& origin);

    struct Entry {
        std::shared_ptr<const LoadedPlugin> plugin;
        std::string origin;
    };
    const std::vector<Entry>& plugins() const noexcept { return plugins_; }
    const std::vector<RejectedFile>& rejected() const noexcept { return rejected_; }
    const std::vector<ShadowedModel>& shadowed() const noexcept { return shadowed_; }
    const std::vector<SearchDir>& search_path() const noexcept { return search_path_; }

    // The model with this id, or nullopt.
    std::optional<Model> find_model(std::string_view model_id) const;
    // Every usable model, sorted by id.
    std::vector<Model> models() const;
    // Their ids, sorted: for messages that list what is available.
    std::vector<std::string> model_ids() const;

private:
    struct ModelRef {
        std::string id;
        std::shared_ptr<const LoadedPlugin> plugin;
        const ModelInfo* info;
    };
    std::vector<SearchDir> search_path_;
    std::vector<Entry> plugins_;
    std::vector<RejectedFile> rejected_;
    std::vector<ShadowedModel> shadowed_;
    std::vector<ModelRef> models_;
    std::vector<std::filesystem::path> seen_files_;  // canonical paths already tried
};

}  // namespace impact::host
