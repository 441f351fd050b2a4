// Plugin discovery: search order, the descriptor cache, duplicate handling and the list of rejected files.
#include "host/registry.hpp"

#include "host/plugin_permissions.hpp"
#include "io/sha256.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <fmt/format.h>

#include <algorithm>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::host {

std::filesystem::path bundled_plugin_dir() {
    std::error_code ec;
    const std::filesystem::path exe = boost::dll::program_location(ec);
    if (ec) return {};
    return (exe.parent_path() / ".." / "lib" / "impact" / "plugins").lexically_normal();
}

std::string host_build_identity() {
    std::error_code ec;
    const std::filesystem::path exe = boost::dll::program_location(ec);
    const std::optional<FileStamp> stamp = ec ? std::nullopt : stamp_of(exe);
    if (!stamp) return fmt::format("{} (executable unknown)", IMPACT_VERSION);
    return fmt::format("{} {} {}:{} {} bytes mtime {} ctime {}", IMPACT_VERSION, exe.string(), stamp->device,
                       stamp->inode, stamp->size_bytes, stamp->mtime_ns, stamp->ctime_ns);
}

std::vector<SearchDir> plugin_search_path(const std::filesystem::path& bundled_dir,
                                          std::optional<std::string_view> env_plugin_path,
                                          const std::vector<std::filesystem::path>& cli_dirs,
                                          std::vector<std::string>* ignored) {
    std::vector<SearchDir> path;
    if (!bundled_dir.empty()) path.push_back({bundled_dir, "bundled"});
    if (env_plugin_path) {
        std::string_view rest = *env_plugin_path;
        while (!rest.empty()) {
            const std::size_t colon = rest.find(':');
            const std::string_view dir = rest.substr(0, colon);
            // An empty entry names nothing: skipped without a word (a stray ':' is common).
            if (!dir.empty() && dir.front() != '/') {
                if (ignored)
                    ignored->push_back(fmt::format("impact: IMPACT_PLUGIN_PATH entry \"{}\" is relative and was "
                                                   "ignored: give an absolute folder",
                                                   dir));
            } else if (!dir.empty()) {
                path.push_back({std::filesystem::path(dir), "IMPACT_PLUGIN_PATH"});
            }
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    for (const auto& dir : cli_dirs) path.push_back({dir, "--plugin-dir"});
    return path;
}

std::vector<std::filesystem::path> plugin_files_in(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    const auto is_plugin_file = [](const std::filesystem::directory_entry& e) {
        std::error_code file_ec;
        return e.path().extension() == ".so" && e.is_regular_file(file_ec);
    };
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::error_code sub_ec;
        if (is_plugin_file(entry)) {
            files.push_back(entry.path());
        } else if (entry.is_directory(sub_ec)) {
            for (const auto& inner : std::filesystem::directory_iterator(entry.path(), sub_ec))
                if (is_plugin_file(inner)) files.push_back(inner.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

Registry Registry::discover(const std::vector<SearchDir>& search_path, DiscoverOptions options) {
    Registry registry;
    registry.search_path_ = search_path;
    registry.cache_ = std::move(options.cache);
    registry.log_ = std::move(options.log);
    registry.isolation_ = options.isolation;
    registry.limits_ = std::move(options.limits);
    registry.allow_unsafe_plugin_dirs_ = options.allow_unsafe_plugin_dirs;
    if (registry.cache_) {
        if (!registry.cache_->problem().empty()) {
            registry.log(fmt::format("impact: plugin cache {}", registry.cache_->problem()));
            registry.cache_problem_logged_ = true;
        } else {
            registry.log(fmt::format("impact: plugin cache {} ({} entries{})", registry.cache_->file().string(),
                                     registry.cache_->entries_read(),
                                     registry.cache_->entries_dropped() == 0
                                         ? std::string()
                                         : fmt::format(", {} invalid ones dropped", registry.cache_->entries_dropped())));
        }
    }
    for (SearchDir& dir : registry.search_path_) {
        std::error_code ec;
        dir.missing = !std::filesystem::is_directory(dir.dir, ec);
        if (dir.missing) continue;
        // The folder is judged once; each file in it then carries its refusal.
        const std::string dir_refusal =
            registry.allow_unsafe_plugin_dirs_ ? std::string() : unsafe_permissions(dir.dir);
        for (const auto& file : plugin_files_in(dir.dir)) registry.add_found_file(file, dir.origin, dir.dir, dir_refusal);
    }
    return registry;
}

void Registry::add_file(const std::filesystem::path& file, const std::string& origin) {
    add_found_file(file, origin, {}, {});
}

std::string Registry::permission_refusal(const std::filesystem::path& file, const std::filesystem::path& search_dir,
                                         const std::string& search_dir_refusal) const {
    if (allow_unsafe_plugin_dirs_) return {};
    std::string why = search_dir_refusal;
    // The folder the file sits in: the search folder itself, or the plugin's own folder one
    // level down (checked here, as it differs per file).
    const std::filesystem::path folder = file.parent_path();
    if (why.empty() && (search_dir.empty() || folder != search_dir)) why = unsafe_permissions(folder);
    if (why.empty()) why = unsafe_permissions(file);
    if (why.empty()) return {};
    return fmt::format("{}: refused: {}. Use --allow-unsafe-plugin-dirs to load it anyway", file.string(), why);
}

void Registry::add_found_file(const std::filesystem::path& file, const std::string& origin,
                              const std::filesystem::path& search_dir, const std::string& search_dir_refusal) {
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    const std::filesystem::path key = ec ? file : canonical;
    // The same file reached twice (bundled folder also on IMPACT_PLUGIN_PATH) is used once.
    if (!seen_files_.insert(key.string()).second) return;
    // Before the cache is consulted and before any load: an entry made while the folder was
    // safe must not list a file that anyone may have replaced since.
    if (std::string refusal = permission_refusal(file, search_dir, search_dir_refusal); !refusal.empty()) {
        FileRecord record;
        record.file = file;
        record.origin = origin;
        record.rejected_reason = std::move(refusal);
        records_.push_back(std::move(record));
        index_record(records_.size() - 1);
        return;
    }
    std::optional<FileRecord> cached = cache_ ? from_cache(file, origin) : std::nullopt;
    records_.push_back(cached ? std::move(*cached) : probe(file, origin));
    index_record(records_.size() - 1);
}

bool runs_isolated(isolation::IsolationPolicy policy, std::string_view origin) noexcept {
    switch (policy) {
    case isolation::IsolationPolicy::none: return false;
    case isolation::IsolationPolicy::untrusted: return origin != "bundled";
    case isolation::IsolationPolicy::all: return true;
    }
    return true;
}

std::shared_ptr<const LoadedPlugin> Registry::load_file(const std::filesystem::path& file,
                                                        const std::string& origin) const {
    if (!runs_isolated(isolation_, origin)) return LoadedPlugin::load(file);
    log(fmt::format("impact: loading {} in an isolated worker (--isolate={})", file.string(),
                    isolation::isolation_policy_name(isolation_)));
    return LoadedPlugin::load_isolated(file, limits_);
}

Registry::FileRecord Registry::probe(const std::filesystem::path& file, const std::string& origin) {
    FileRecord record;
    record.file = file;
    record.origin = origin;
    // Read before the stamp: a change after this instant gets a later ctime (see CacheEntry).
    const int64_t checked_at_ns = file_clock_now_ns();
    const std::optional<FileStamp> before = cache_ ? stamp_of(file) : std::nullopt;
    try {
        record.library = load_file(file, origin);
        record.info = std::shared_ptr<const PluginInfo>(record.library, &record.library->info());
    } catch (const TransientLoadError& e) {
        // A worker that crashed or hung while loading says nothing lasting about the file: try
        // again next time rather than cache the refusal.
        record.rejected_reason = e.what();
        return record;
    } catch (const LoadError& e) {
        record.rejected_reason = e.what();
    }
    if (!cache_ || !before) return record;  // the provenance hash is taken when a run needs it

    CacheEntry entry;
    entry.stamp = *before;
    entry.checked_at_ns = checked_at_ns;
    // Usable plugins are hashed once here, for runs' provenance. A refused file is hashed only
    // when it changed in this clock tick, so that the next start can verify its entry.
    if (record.info || entry.is_racy()) {
        try {
            entry.sha256 = io::sha256_file_hex(file);
        } catch (const std::exception&) {
            return record;  // unreadable now: nothing to cache
        }
    }
    // The file must not have changed while it was loaded and hashed, or the entry would pair
    // one content's hash with another's descriptors.
    const std::optional<FileStamp> after = stamp_of(file);
    if (!after || !(*after == *before)) return record;
    if (record.info) entry.plugin = *record.info;
    else entry.rejected_reason = record.rejected_reason;
    record.sha256 = entry.sha256;
    record.stamp = entry.stamp;
    cache_->store(file, std::move(entry));
    return record;
}

std::optional<Registry::FileRecord> Registry::from_cache(const std::filesystem::path& file, const std::string& origin) {
    const CacheEntry* entry = cache_->find(file);
    if (!entry) return std::nullopt;
    const std::optional<FileStamp> now = stamp_of(file);
    if (!now || !(*now == entry->stamp)) return std::nullopt;
    if (entry->is_racy()) {
        // Changed in the clock tick the entry was made: the stamp alone cannot prove the content
        // is the same, the hash can.
        if (entry->sha256.empty()) return std::nullopt;
        const int64_t checked_at_ns = file_clock_now_ns();
        const std::optional<FileStamp> before = stamp_of(file);
        std::string sha256;
        try {
            sha256 = io::sha256_file_hex(file);
        } catch (const std::exception&) {
            return std::nullopt;
        }
        const std::optional<FileStamp> after = stamp_of(file);
        if (sha256 != entry->sha256 || !before || !after || !(*before == entry->stamp) || !(*after == *before))
            return std::nullopt;
        CacheEntry verified = *entry;
        verified.checked_at_ns = checked_at_ns;
        cache_->store(file, std::move(verified));
        entry = cache_->find(file);
    } else {
        cache_->keep(file);
    }
    FileRecord record;
    record.file = file;
    record.origin = origin;
    record.source = PluginSource::cache;
    record.sha256 = entry->sha256;
    record.stamp = entry->stamp;
    if (entry->plugin) record.info = std::make_shared<const PluginInfo>(*entry->plugin);
    else record.rejected_reason = entry->rejected_reason;
    return record;
}

void Registry::index_record(std::size_t index) {
    const FileRecord& record = records_[index];
    if (!record.info) {
        rejected_.push_back({record.file, record.rejected_reason, record.source == PluginSource::cache});
        return;
    }
    const PluginInfo& info = *record.info;
    if (const auto loaded = plugin_by_id_.find(info.id); loaded != plugin_by_id_.end()) {
        rejected_.push_back({record.file,
                             fmt::format("{}: plugin id '{}' is already loaded from {} (first in search order wins)",
                                         record.file.string(), info.id, plugins_[loaded->second].info->file.string()),
                             record.source == PluginSource::cache});
        return;
    }
    const std::size_t plugin_index = plugins_.size();
    plugin_by_id_.emplace(info.id, plugin_index);
    plugins_.push_back({record.library, record.origin, record.info, record.source,
                        runs_isolated(isolation_, record.origin)});
    plugin_records_.push_back(index);
    for (const ModelInfo& model : info.models) {
        const auto [clash, inserted] = model_by_id_.try_emplace(model.id, models_.size());
        if (!inserted) {
            shadowed_.push_back({model.id, record.file, plugins_[models_[clash->second].plugin].info->file});
            continue;
        }
        models_.push_back({plugin_index, &model});
    }
}

void Registry::rebuild_index() {
    plugins_.clear();
    plugin_records_.clear();
    rejected_.clear();
    shadowed_.clear();
    models_.clear();
    plugin_by_id_.clear();
    model_by_id_.clear();
    for (std::size_t i = 0; i < records_.size(); ++i) index_record(i);
}

void Registry::load_plugins_for(const std::vector<std::string>& model_ids) {
    // Each pass loads at most one listed plugin; a record, once loaded or re-probed, is never
    // listed-only again, so this ends.
    for (bool again = true; again;) {
        again = false;
        for (const std::string& id : model_ids) {
            const auto found = model_by_id_.find(id);
            if (found == model_by_id_.end()) continue;
            const std::size_t index = plugin_records_[models_[found->second].plugin];
            if (records_[index].library) continue;
            late_load(index, "for model " + id);
            again = true;
            break;
        }
    }
}

void Registry::load_plugins_with_ids(const std::vector<std::string>& plugin_ids) {
    for (bool again = true; again;) {
        again = false;
        for (const std::string& id : plugin_ids) {
            const auto found = plugin_by_id_.find(id);
            if (found == plugin_by_id_.end()) continue;
            const std::size_t index = plugin_records_[found->second];
            if (records_[index].library) continue;
            late_load(index, "pinned by the scenario");
            again = true;
            break;
        }
    }
}

void Registry::late_load(std::size_t index, const std::string& why) {
    FileRecord& record = records_[index];
    std::shared_ptr<const LoadedPlugin> library;
    std::string failure;
    try {
        library = load_file(record.file, record.origin);
    } catch (const LoadError& e) {
        failure = e.what();
    }
    const std::optional<FileStamp> now = stamp_of(record.file);
    const bool as_cached =
        library && library->info() == *record.info && now && record.stamp && *now == *record.stamp;
    if (as_cached) {
        record.library = library;
        record.info = std::shared_ptr<const PluginInfo>(library, &library->info());
        log(fmt::format("impact: loaded {} {} from {} {}", record.info->id, record.info->version,
                        record.file.string(), why));
    } else {
        // The entry did not describe the file as it loads now: the file changed since
        // it was listed, or a library it depends on did. Probe it again and search again.
        log(fmt::format("impact: plugin cache entry for {} is stale ({}); loading it again", record.file.string(),
                        !failure.empty() ? "it no longer loads"
                        : library        ? "its descriptors or file changed"
                                         : "the file changed"));
        record = probe(record.file, record.origin);
    }
    rebuild_index();
}

void Registry::save_cache() {
    if (!cache_ || cache_->save() || cache_problem_logged_) return;
    log(fmt::format("impact: plugin cache {} {}", cache_->file().string(), cache_->problem()));
    cache_problem_logged_ = true;
}

std::string Registry::file_sha256(const std::filesystem::path& file) const {
    for (const FileRecord& record : records_)
        if (record.file == file && record.info && !record.sha256.empty()) return record.sha256;
    return io::sha256_file_hex(file);
}

std::optional<Model> Registry::find_model(std::string_view model_id) const {
    const auto found = model_by_id_.find(std::string(model_id));
    if (found == model_by_id_.end()) return std::nullopt;
    const ModelRef& m = models_[found->second];
    const Entry& entry = plugins_[m.plugin];
    if (entry.plugin) return Model(entry.plugin, m.info);
    return Model(entry.info, m.info);
}

std::vector<Model> Registry::models() const {
    std::vector<Model> out;
    for (const ModelRef& m : models_) {
        const Entry& entry = plugins_[m.plugin];
        if (entry.plugin) out.emplace_back(entry.plugin, m.info);
        else out.emplace_back(entry.info, m.info);
    }
    std::sort(out.begin(), out.end(), [](const Model& a, const Model& b) { return a.info().id < b.info().id; });
    return out;
}

std::vector<std::string> Registry::model_ids() const {
    std::vector<std::string> ids;
    for (const ModelRef& m : models_) ids.push_back(m.info->id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace impact::host
