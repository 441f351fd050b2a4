// `impact plugins`: the search path, each plugin with its models, rejected files and clashes.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/json_output.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

namespace impact::cli {
namespace {

// Everything a plugin or the file system supplies is escaped before it reaches a terminal:
// a plugin name or a file name with ESC sequences or a line break must not clear the screen
// or forge lines. (JSON output is escaped by the JSON writer.)
std::string shown(const std::string& text) { return text::printable(text); }
std::string shown(const std::filesystem::path& path) { return text::printable(path.string()); }

}  // namespace

namespace {

std::optional<std::string_view> env(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::optional<std::string_view>(value) : std::nullopt;
}

// IMPACT_NO_PLUGIN_CACHE set to anything but "" or "0" turns the cache off, like --no-plugin-cache.
bool cache_disabled(const GlobalOptions& options) {
    if (options.no_plugin_cache) return true;
    const auto off = env("IMPACT_NO_PLUGIN_CACHE");
    return off && !off->empty() && *off != "0";
}

}  // namespace

GlobalOptions isolation_for(const GlobalOptions& options, const scenario::Scenario& scenario) {
    GlobalOptions raised = options;
    // The policies are ordered none < untrusted < all.
    if (scenario.isolate && static_cast<int>(*scenario.isolate) > static_cast<int>(raised.isolate))
        raised.isolate = *scenario.isolate;
    return raised;
}

host::Registry load_registry(const GlobalOptions& options, bool warn_rejected,
                             const std::vector<std::string>& models_to_load, const std::vector<std::string>& plugins_to_load,
                             const std::function<void(const host::Registry&)>& before_load) {
    std::vector<std::string> ignored_entries;
    auto search_path = host::plugin_search_path(host::bundled_plugin_dir(), env("IMPACT_PLUGIN_PATH"), options.plugin_dirs,
                                                &ignored_entries);
    // Every command says so, not only -v: the user meant that folder to be searched.
    for (const std::string& line : ignored_entries) fmt::print(stderr, "{}\n", shown(line));
    // impact compare --plugin-dir-for: one side's folders come first, so that their plugins win.
    for (auto dir = options.first_plugin_dirs.rbegin(); dir != options.first_plugin_dirs.rend(); ++dir)
        search_path.insert(search_path.begin(), host::SearchDir{*dir, "--plugin-dir-for"});
    host::DiscoverOptions discover;
    discover.isolation = options.isolate;
    discover.limits = options.limits;
    discover.allow_unsafe_plugin_dirs = options.allow_unsafe_plugin_dirs;
    if (options.verbose) discover.log = [](const std::string& line) { fmt::print(stderr, "{}\n", shown(line)); };
    if (cache_disabled(options)) {
        if (options.verbose) fmt::print(stderr, "impact: plugin cache off: every plugin is loaded\n");
    } else if (const auto dir = host::plugin_cache_dir(env("IMPACT_CACHE_DIR"), env("XDG_CACHE_HOME"), env("HOME"))) {
        discover.cache = host::PluginCache::open(*dir, host::host_build_identity(), search_path);
    } else if (options.verbose) {
        fmt::print(stderr, "impact: plugin cache off: none of IMPACT_CACHE_DIR, XDG_CACHE_HOME, HOME is set\n");
    }
    host::Registry registry = host::Registry::discover(search_path, std::move(discover));
    if (options.verbose) {
        for (const auto& dir : registry.search_path()) {
            if (dir.missing)
                fmt::print(stderr, "impact: searching {} ({}): no such folder, skipped\n", shown(dir.dir), dir.origin);
            else
                fmt::print(stderr, "impact: searching {} ({})\n", shown(dir.dir), dir.origin);
        }
        for (const auto& entry : registry.plugins()) {
            const auto& info = *entry.info;
            fmt::print(stderr, "impact: {} {} {} (ABI {}.{}, {} model{}) from {}{}\n",
                       entry.source == host::PluginSource::cache ? "listed" : "loaded", shown(info.id),
                       shown(info.version), info.abi_major, info.abi_minor, info.models.size(),
                       info.models.size() == 1 ? "" : "s", shown(info.file),
                       entry.source == host::PluginSource::cache ? " (descriptors from the plugin cache, not loaded)"
                                                                 : "");
        }
    }
    // Before any plugin code runs for the command (a scenario's pins are checked here).
    if (before_load) before_load(registry);
    // Before any warning is printed: a stale entry found here changes what is listed.
    registry.load_plugins_for(models_to_load);
    registry.load_plugins_with_ids(plugins_to_load);
    registry.save_cache();
    if (warn_rejected || options.verbose) {
        for (const auto& rejected : registry.rejected())
            fmt::print(stderr, "impact: warning: skipped plugin {}{}\n", shown(rejected.reason),
                       options.verbose && rejected.from_cache ? " (refusal from the plugin cache)" : "");
        for (const auto& s : registry.shadowed())
            fmt::print(stderr, "impact: warning: model {} in {} is shadowed by {}\n", shown(s.model_id), shown(s.file),
                       shown(s.used_file));
    }
    return registry;
}

int run_plugins(const GlobalOptions& options, bool json, bool pins) {
    const host::Registry registry = load_registry(options, /*warn_rejected=*/false);
    if (pins) {
        // TOML a scenario reads back as pins (docs/scenarios.md, "Plugin pins"). Plugin ids and
        // versions passed the loader's rules (reverse-DNS, semver), so they need no escaping.
        fmt::print("# impact plugins --pins: every usable plugin's version and file SHA-256\n[plugins]\n");
        for (const auto& entry : registry.plugins()) {
            const auto& info = *entry.info;
            fmt::print("\"{}\" = {{ version = \"{}\", sha256 = \"{}\" }}\n", info.id, info.version,
                       registry.file_sha256(info.file));
        }
        return kExitSuccess;
    }
    if (json) {
        io::Json doc = io::Json::object();
        doc["schema"] = "impact.plugins/1";
        doc["host_abi"] = {{"major", IMPACT_ABI_MAJOR}, {"minor", IMPACT_ABI_MINOR}};
        io::Json& search_path = doc["search_path"] = io::Json::array();
        for (const auto& dir : registry.search_path()) {
            io::Json d = io::Json::object();
            io::put_path(d, "dir", dir.dir);
            d["origin"] = io::json_text(dir.origin);
            d["missing"] = dir.missing;
            search_path.push_back(std::move(d));
        }
        io::Json& plugins = doc["plugins"] = io::Json::array();
        for (const auto& entry : registry.plugins()) {
            const auto& info = *entry.info;
            io::Json p = io::Json::object();
            p["id"] = io::json_text(info.id);
            p["version"] = io::json_text(info.version);
            p["name"] = io::json_text(info.name);
            p["abi"] = {{"major", info.abi_major}, {"minor", info.abi_minor}};
            io::put_path(p, "file", info.file);
            p["origin"] = io::json_text(entry.origin);
            p["runs"] = entry.isolated ? "isolated" : "in-process";
            io::Json& models = p["models"] = io::Json::array();
            for (const auto& model : info.models)
                models.push_back({{"id", io::json_text(model.id)},
                                  {"version", io::json_text(model.version)},
                                  {"name", io::json_text(model.name)},
                                  {"thread_safety", host::thread_safety_name(model.thread_safety)}});
            plugins.push_back(std::move(p));
        }
        io::Json& rejected = doc["rejected"] = io::Json::array();
        for (const auto& r : registry.rejected()) {
            io::Json entry = io::Json::object();
            io::put_path(entry, "file", r.file);
            entry["reason"] = io::json_text(r.reason);
            rejected.push_back(std::move(entry));
        }
        io::Json& shadowed = doc["shadowed"] = io::Json::array();
        for (const auto& s : registry.shadowed()) {
            io::Json entry = io::Json::object();
            entry["model"] = io::json_text(s.model_id);
            io::put_path(entry, "file", s.file);
            io::put_path(entry, "used_file", s.used_file);
            shadowed.push_back(std::move(entry));
        }
        fmt::print("{}", io::json_document(doc));
        return kExitSuccess;
    }

    fmt::print("Host ABI {}.{}. Isolation: --isolate={} ({}). Search path (first plugin to declare a model id "
               "wins):\n",
               IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR, isolation::isolation_policy_name(registry.isolation()),
               registry.isolation() == isolation::IsolationPolicy::none        ? "every plugin in-process"
               : registry.isolation() == isolation::IsolationPolicy::untrusted ? "plugins not bundled with impact run isolated"
                                                                               : "every plugin isolated");
    for (const auto& dir : registry.search_path())
        fmt::print("  {:<19} {}{}\n", dir.origin, shown(dir.dir), dir.missing ? "  (missing)" : "");
    fmt::print("\nPlugins: {} loaded, {} rejected\n", registry.plugins().size(), registry.rejected().size());
    for (const auto& entry : registry.plugins()) {
        const auto& info = *entry.info;
        fmt::print("\n  {} {}  {}  (ABI {}.{})\n", shown(info.id), shown(info.version), shown(info.name),
                   info.abi_major, info.abi_minor);
        fmt::print("    file: {} ({})\n", shown(info.file), entry.origin);
        fmt::print("    runs: {}\n", entry.isolated ? "isolated, in an impact-worker process of its own"
                                                    : "in-process");
        for (const auto& model : info.models)
            fmt::print("    model {} {}  {}  [{}]\n", shown(model.id), shown(model.version), shown(model.name),
                       host::thread_safety_name(model.thread_safety));
    }
    if (!registry.rejected().empty()) {
        fmt::print("\nRejected:\n");
        for (const auto& r : registry.rejected()) fmt::print("  {}\n", shown(r.reason));
    }
    if (!registry.shadowed().empty()) {
        fmt::print("\nShadowed models (not used):\n");
        for (const auto& s : registry.shadowed())
            fmt::print("  {} in {}: already provided by {}\n", shown(s.model_id), shown(s.file), shown(s.used_file));
    }
    return kExitSuccess;
}

}  // namespace impact::cli
