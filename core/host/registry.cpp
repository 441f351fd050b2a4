// Plugin discovery: search order, duplicate handling and the list of rejected files.
#include "host/registry.hpp"

#include <boost/dll/runtime_symbol_info.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace impact::host {

std::filesystem::path bundled_plugin_dir() {
    std::error_code ec;
    const std::filesystem::path exe = boost::dll::program_location(ec);
    if (ec) return {};
    return (exe.parent_path() / ".." / "lib" / "impact" / "plugins").lexically_normal();
}

std::vector<SearchDir> plugin_search_path(const std::filesystem::path& bundled_dir,
                                          std::optional<std::string_view> env_plugin_path,
                                          const std::vector<std::filesystem::path>& cli_dirs) {
    std::vector<SearchDir> path;
    if (!bundled_dir.empty()) path.push_back({bundled_dir, "bundled"});
    if (env_plugin_path) {
        std::string_view rest = *env_plugin_path;
        while (!rest.empty()) {
            const std::size_t colon = rest.find(':');
            const std::string_view dir = rest.substr(0, colon);
            if (!dir.empty()) path.push_back({std::filesystem::path(dir), "IMPACT_PLUGIN_PATH"});
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

Registry Registry::discover(const std::vector<SearchDir>& search_path) {
    Registry registry;
    registry.search_path_ = search_path;
    for (SearchDir& dir : registry.search_path_) {
        std::error_code ec;
        dir.missing = !std::filesystem::is_directory(dir.dir, ec);
        if (dir.missing) continue;
        for (const auto& file : plugin_files_in(dir.dir)) registry.add_file(file, dir.origin);
    }
    return registry;
}

void Registry::add_file(const std::filesystem::path& file, const std::string& origin) {
    std::error_code ec;
    const std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    const std::filesystem::path key = ec ? file : canonical;
    // The same file reached twice (bundled folder also on IMPACT_PLUGIN_PATH) loads once.
    if (std::find(seen_files_.begin(), seen_files_.end(), key) != seen_files_.end()) return;
    seen_files_.push_back(key);

    std::shared_ptr<const LoadedPlugin> plugin;
    try {
        plugin = LoadedPlugin::load(file);
    } catch (const LoadError& e) {
        rejected_.push_back({file, e.what()});
        return;
    }
    const PluginInfo& info = plugin->info();
    for (const Entry& loaded : plugins_) {
        if (loaded.plugin->info().id == info.id) {
            rejected_.push_back({file, fmt::format("{}: plugin id '{}' is already loaded from {} (first in search "
                                                   "order wins)",
                                                   file.string(), info.id, loaded.plugin->info().file.string())});
            return;
        }
    }
    plugins_.push_back({plugin, origin});
    for (const ModelInfo& model : info.models) {
        auto clash = std::find_if(models_.begin(), models_.end(), [&](const ModelRef& m) { return m.id == model.id; });
        if (clash != models_.end()) {
            shadowed_.push_back({model.id, file, clash->plugin->info().file});
            continue;
        }
        models_.push_back({model.id, plugin, &model});
    }
}

std::optional<Model> Registry::find_model(std::string_view model_id) const {
    auto it = std::find_if(models_.begin(), models_.end(), [&](const ModelRef& m) { return m.id == model_id; });
    if (it == models_.end()) return std::nullopt;
    return Model(it->plugin, it->info);
}

std::vector<Model> Registry::models() const {
    std::vector<Model> out;
    for (const ModelRef& m : models_) out.emplace_back(m.plugin, m.info);
    std::sort(out.begin(), out.end(), [](const Model& a, const Model& b) { return a.info().id < b.info().id; });
    return out;
}

std::vector<std::string> Registry::model_ids() const {
    std::vector<std::string> ids;
    for (const ModelRef& m : models_) ids.push_back(m.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace impact::host
