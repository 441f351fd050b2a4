// `impact plugins`: the search path, each plugin with its models, rejected files and clashes.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "text/json_writer.hpp"
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

host::Registry load_registry(const GlobalOptions& options, bool warn_rejected,
                             const std::vector<std::string>& models_to_load) {
    const auto search_path = host::plugin_search_path(host::bundled_plugin_dir(), env("IMPACT_PLUGIN_PATH"),
                                                      options.plugin_dirs);
    host::DiscoverOptions discover;
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
    // Before any warning is printed: a stale entry found here changes what is listed.
    registry.load_plugins_for(models_to_load);
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

int run_plugins(const GlobalOptions& options, bool json) {
    const host::Registry registry = load_registry(options, /*warn_rejected=*/false);
    if (json) {
        text::JsonWriter w;
        w.begin_object();
        w.key("schema").value("impact.plugins/1");
        w.key("host_abi").begin_object().key("major").value(IMPACT_ABI_MAJOR).key("minor").value(IMPACT_ABI_MINOR).end_object();
        w.key("search_path").begin_array();
        for (const auto& dir : registry.search_path())
            w.begin_object()
                .key("dir").value(dir.dir.string())
                .key("origin").value(dir.origin)
                .key("missing").value(dir.missing)
                .end_object();
        w.end_array();
        w.key("plugins").begin_array();
        for (const auto& entry : registry.plugins()) {
            const auto& info = *entry.info;
            w.begin_object();
            w.key("id").value(info.id).key("version").value(info.version).key("name").value(info.name);
            w.key("abi").begin_object().key("major").value(info.abi_major).key("minor").value(info.abi_minor).end_object();
            w.key("file").value(info.file.string()).key("origin").value(entry.origin);
            w.key("models").begin_array();
            for (const auto& model : info.models) {
                w.begin_object().key("id").value(model.id).key("version").value(model.version);
                w.key("name").value(model.name).key("thread_safety").value(host::thread_safety_name(model.thread_safety));
                w.end_object();
            }
            w.end_array().end_object();
        }
        w.end_array();
        w.key("rejected").begin_array();
        for (const auto& r : registry.rejected())
            w.begin_object().key("file").value(r.file.string()).key("reason").value(r.reason).end_object();
        w.end_array();
        w.key("shadowed").begin_array();
        for (const auto& s : registry.shadowed())
            w.begin_object()
                .key("model").value(s.model_id)
                .key("file").value(s.file.string())
                .key("used_file").value(s.used_file.string())
                .end_object();
        w.end_array();
        w.end_object();
        fmt::print("{}", w.str());
        return kExitSuccess;
    }

    fmt::print("Host ABI {}.{}. Search path (first plugin to declare a model id wins):\n", IMPACT_ABI_MAJOR,
               IMPACT_ABI_MINOR);
    for (const auto& dir : registry.search_path())
        fmt::print("  {:<19} {}{}\n", dir.origin, shown(dir.dir), dir.missing ? "  (missing)" : "");
    fmt::print("\nPlugins: {} loaded, {} rejected\n", registry.plugins().size(), registry.rejected().size());
    for (const auto& entry : registry.plugins()) {
        const auto& info = *entry.info;
        fmt::print("\n  {} {}  {}  (ABI {}.{})\n", shown(info.id), shown(info.version), shown(info.name),
                   info.abi_major, info.abi_minor);
        fmt::print("    file: {} ({})\n", shown(info.file), entry.origin);
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
