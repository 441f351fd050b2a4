// `impact plugins`: the search path, each plugin with its models, rejected files and clashes.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/json_output.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

namespace impact::cli {
namespace {

// Everything a plugin or the file system supplies is escaped before it reaches a terminal:
// a plugin name or a file name with ESC sequences or a line break must not clear the screen
// or forge lines. (JSON output is escaped by the JSON writer.)
std::string shown(const std::string& text) { return text::printable(text); }
std::string shown(const std::filesystem::path& path) { return text::printable(path.string()); }

}  // namespace

host::Registry load_registry(const GlobalOptions& options, bool warn_rejected) {
    const char* env = std::getenv("IMPACT_PLUGIN_PATH");
    const auto search_path = host::plugin_search_path(
        host::bundled_plugin_dir(), env ? std::optional<std::string_view>(env) : std::nullopt, options.plugin_dirs);
    host::Registry registry = host::Registry::discover(search_path);
    if (options.verbose) {
        for (const auto& dir : registry.search_path()) {
            if (dir.missing)
                fmt::print(stderr, "impact: searching {} ({}): no such folder, skipped\n", shown(dir.dir), dir.origin);
            else
                fmt::print(stderr, "impact: searching {} ({})\n", shown(dir.dir), dir.origin);
        }
        for (const auto& entry : registry.plugins()) {
            const auto& info = entry.plugin->info();
            fmt::print(stderr, "impact: loaded {} {} (ABI {}.{}, {} model{}) from {}\n", shown(info.id),
                       shown(info.version), info.abi_major, info.abi_minor, info.models.size(),
                       info.models.size() == 1 ? "" : "s", shown(info.file));
        }
    }
    if (warn_rejected || options.verbose) {
        for (const auto& rejected : registry.rejected())
            fmt::print(stderr, "impact: warning: skipped plugin {}\n", shown(rejected.reason));
        for (const auto& s : registry.shadowed())
            fmt::print(stderr, "impact: warning: model {} in {} is shadowed by {}\n", shown(s.model_id), shown(s.file),
                       shown(s.used_file));
    }
    return registry;
}

int run_plugins(const GlobalOptions& options, bool json) {
    const host::Registry registry = load_registry(options, /*warn_rejected=*/false);
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
            const auto& info = entry.plugin->info();
            io::Json p = io::Json::object();
            p["id"] = io::json_text(info.id);
            p["version"] = io::json_text(info.version);
            p["name"] = io::json_text(info.name);
            p["abi"] = {{"major", info.abi_major}, {"minor", info.abi_minor}};
            io::put_path(p, "file", info.file);
            p["origin"] = io::json_text(entry.origin);
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

    fmt::print("Host ABI {}.{}. Search path (first plugin to declare a model id wins):\n", IMPACT_ABI_MAJOR,
               IMPACT_ABI_MINOR);
    for (const auto& dir : registry.search_path())
        fmt::print("  {:<19} {}{}\n", dir.origin, shown(dir.dir), dir.missing ? "  (missing)" : "");
    fmt::print("\nPlugins: {} loaded, {} rejected\n", registry.plugins().size(), registry.rejected().size());
    for (const auto& entry : registry.plugins()) {
        const auto& info = entry.plugin->info();
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
