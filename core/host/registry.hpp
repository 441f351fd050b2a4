// Finds plugin files along the search path, loads them, and indexes their models by id.
#pragma once

#include "host/model.hpp"
#include "host/plugin_cache.hpp"
#include "host/plugin_library.hpp"
#include "isolation/isolated_plugin.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
    bool from_cache = false;  // the refusal was read from the plugin cache, the file not loaded
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

// What identifies this build of the host for the plugin cache: its version and the identity of
// the running executable, so that a rebuilt or upgraded `impact` never trusts entries made by
// another build's loader.
std::string host_build_identity();

// The search order: bundled folder, then each folder of IMPACT_PLUGIN_PATH (':'-separated),
// then each --plugin-dir. An IMPACT_PLUGIN_PATH entry must be absolute: a relative one ("." or
// "plugins") would load whatever the current folder holds, as an empty PATH entry once ran
// programs from it; it is left out and, when `ignored` is given, one line saying so is appended
// there. An empty entry names no folder and is skipped silently.
std::vector<SearchDir> plugin_search_path(const std::filesystem::path& bundled_dir,
                                          std::optional<std::string_view> env_plugin_path,
                                          const std::vector<std::filesystem::path>& cli_dirs,
                                          std::vector<std::string>* ignored = nullptr);

// The plugin files in one folder: *.so directly inside it and one level down (one folder
// per plugin), sorted by path so the search order is reproducible.
std::vector<std::filesystem::path> plugin_files_in(const std::filesystem::path& dir);

// Where a plugin's descriptors came from on this start.
enum class PluginSource {
    loaded,  // the file was loaded (no cache, or its entry was missing or stale)
    cache,   // its cache entry: the file has not been loaded
};

// What discover() may use: the cache (owned by the registry from then on) and a log for -v.
struct DiscoverOptions {
    std::optional<PluginCache> cache;  // nullopt: load every plugin, as without a cache
    // One line each, no newline, raw (the caller escapes it for a terminal); may be empty.
    std::function<void(const std::string&)> log;
    // Which plugins are loaded in an impact-worker instead of this process, and its limits. The
    // library's default keeps every plugin in-process; the command line's is `untrusted`.
    isolation::IsolationPolicy isolation = isolation::IsolationPolicy::none;
    isolation::IsolationLimits limits{};
    // --allow-unsafe-plugin-dirs: skip the permission check (host/plugin_permissions.hpp) that
    // refuses, before any load or cache lookup, a plugin file, its folder or its search folder
    // that others could write to.
    bool allow_unsafe_plugin_dirs = false;
};

// Whether a plugin found in a folder of this origin runs in a worker under `policy`: only the
// folder shipped with impact ("bundled") counts as trusted.
bool runs_isolated(isolation::IsolationPolicy policy, std::string_view origin) noexcept;

class Registry {
public:
    // Finds every plugin along `search_path`. Without a cache every file is loaded; with one,
    // a file whose entry is current is listed from it without being loaded, and the others are
    // loaded and recorded. Never throws for a bad plugin file: it is recorded in rejected() and
    // the others are used. A folder that does not exist is kept in search_path() marked
    // `missing`, so that listings can say so.
    static Registry discover(const std::vector<SearchDir>& search_path, DiscoverOptions options = {});

    // Loads one more file (after those already found, so it loses any id clash). Its folder
    // and the file itself are checked as discover() checks them.
    void add_file(const std::filesystem::path& file, const std::string& origin);

    // Loads the plugins that provide these model ids (those listed from the cache are loaded
    // now; unknown ids are left for the caller to report). A loaded plugin whose descriptors
    // differ from its cache entry (a library it depends on changed, say) replaces the entry,
    // and the search is redone with what it really declares, so the result is always what
    // loading every plugin would give.
    void load_plugins_for(const std::vector<std::string>& model_ids);
    // The same for plugins named by plugin id (a scenario's [plugins] pins): each usable plugin
    // with one of these ids that was only listed from the cache is loaded now.
    void load_plugins_with_ids(const std::vector<std::string>& plugin_ids);

    // Writes the cache back when anything changed (no-op without a cache). Never throws.
    void save_cache();

    struct Entry {
        std::shared_ptr<const LoadedPlugin> plugin;  // null while only listed from the cache
        std::string origin;
        std::shared_ptr<const PluginInfo> info;  // always set; shares ownership with `plugin`
        PluginSource source = PluginSource::loaded;
        bool isolated = false;  // runs (or will run, once loaded) in an impact-worker
    };
    const std::vector<Entry>& plugins() const noexcept { return plugins_; }
    isolation::IsolationPolicy isolation() const noexcept { return isolation_; }
    const std::vector<RejectedFile>& rejected() const noexcept { return rejected_; }
    const std::vector<ShadowedModel>& shadowed() const noexcept { return shadowed_; }
    const std::vector<SearchDir>& search_path() const noexcept { return search_path_; }

    // The model with this id, or nullopt. The first in search order wins.
    std::optional<Model> find_model(std::string_view model_id) const;
    // Every usable model, sorted by id.
    std::vector<Model> models() const;
    // Their ids, sorted: for messages that list what is available.
    std::vector<std::string> model_ids() const;

    // The SHA-256 of a plugin file, for a run's provenance: from its cache entry, which matched
    // the file's identity when it was loaded or listed, else hashed now.
    std::string file_sha256(const std::filesystem::path& file) const;

private:
    // One file found on the search path, in search order, whatever became of it.
    struct FileRecord {
        std::filesystem::path file;
        std::string origin;
        std::shared_ptr<const LoadedPlugin> library;  // null: not loaded
        std::shared_ptr<const PluginInfo> info;       // null: refused by the loader
        std::string rejected_reason;
        std::string sha256;  // "" when not known
        std::optional<FileStamp> stamp;  // from the cache entry used, to check after a late load
        PluginSource source = PluginSource::loaded;
    };
    struct ModelRef {
        std::size_t plugin;  // index into plugins_
        const ModelInfo* info;
    };
    FileRecord probe(const std::filesystem::path& file, const std::string& origin);
    // Loads in this process or in a worker, as the policy says for `origin`.
    std::shared_ptr<const LoadedPlugin> load_file(const std::filesystem::path& file, const std::string& origin) const;
    // Records `file` once (a file reached twice is used once); `search_dir` is the folder of the
    // search path it was found in, checked already, and empty for add_file.
    void add_found_file(const std::filesystem::path& file, const std::string& origin,
                        const std::filesystem::path& search_dir, const std::string& search_dir_refusal);
    // Why `file` must not be loaded for its permissions or its folder's, or "".
    std::string permission_refusal(const std::filesystem::path& file, const std::filesystem::path& search_dir,
                                   const std::string& search_dir_refusal) const;
    // Loads a plugin listed from the cache (records_[index]), replacing its record when the
    // entry turns out stale, and settles ids again. `why` ends the -v line ("for model fx.convert").
    void late_load(std::size_t index, const std::string& why);
    std::optional<FileRecord> from_cache(const std::filesystem::path& file, const std::string& origin);
    // Adds records_[index] to the lists and indexes (duplicate plugin ids, shadowed models).
    void index_record(std::size_t index);
    void rebuild_index();
    void log(const std::string& line) const {
        if (log_) log_(line);
    }

    std::vector<SearchDir> search_path_;
    std::optional<PluginCache> cache_;
    std::function<void(const std::string&)> log_;
    isolation::IsolationPolicy isolation_ = isolation::IsolationPolicy::none;
    isolation::IsolationLimits limits_{};
    bool cache_problem_logged_ = false;  // at most one line about an unusable cache
    bool allow_unsafe_plugin_dirs_ = false;
    std::vector<FileRecord> records_;
    std::unordered_set<std::string> seen_files_;  // canonical paths already tried

    // Derived from records_ by index_record.
    std::vector<Entry> plugins_;
    std::vector<std::size_t> plugin_records_;  // plugins_[i] is records_[plugin_records_[i]]
    std::vector<RejectedFile> rejected_;
    std::vector<ShadowedModel> shadowed_;
    std::vector<ModelRef> models_;
    std::unordered_map<std::string, std::size_t> plugin_by_id_;  // plugin id -> plugins_ index
    std::unordered_map<std::string, std::size_t> model_by_id_;   // model id -> models_ index
};

}  // namespace impact::host
