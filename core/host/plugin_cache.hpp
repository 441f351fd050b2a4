// A cache of each plugin file's descriptors (or its refusal) and SHA-256, so a start lists plugins without loading them.
//
// Like VST3's moduleinfo.json, the cache lets `impact plugins` and `describe` answer without
// running any plugin's code, and `convert`/`run` load only the plugins they use. It is a
// speed-up only: a cache that is missing, unreadable, corrupt, foreign or unwritable is ignored
// (Registry then loads every plugin, as without a cache), and an entry is used only while the
// file still has the identity (device, inode, size, mtime, ctime) it had when it was read.
// The format is described in docs/architecture.md ("The plugin cache").
#pragma once

#include "host/model_info.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace impact::host {

struct SearchDir;

// What stat(2) says about a file (following symbolic links, as dlopen does). Rewriting a file
// in place changes its ctime even when size and mtime are put back (`touch -d`); replacing it
// changes its inode.
struct FileStamp {
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t size_bytes = 0;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;

    bool operator==(const FileStamp&) const = default;
};

// nullopt when the file cannot be stat'ed.
std::optional<FileStamp> stamp_of(const std::filesystem::path& file) noexcept;

// The clock file timestamps are taken from (CLOCK_REALTIME_COARSE), in ns since 1970.
int64_t file_clock_now_ns() noexcept;

// One plugin file as last seen: its stamp, its descriptors or why it was refused, and its hash.
struct CacheEntry {
    FileStamp stamp;
    // The file clock read just before `stamp` was taken. A file changed in that same clock tick
    // (mtime or ctime not older than this) could change again without changing its stamp, as
    // git's "racily clean" index entries can: such an entry is trusted only after its content
    // is hashed again and found equal (Registry does that).
    int64_t checked_at_ns = 0;
    std::string sha256;  // 64 hex digits; may be empty for a refused file
    std::optional<PluginInfo> plugin;  // set when the file loaded and was valid
    std::string rejected_reason;       // set otherwise: the loader's one-line reason

    bool is_racy() const noexcept { return stamp.mtime_ns >= checked_at_ns || stamp.ctime_ns >= checked_at_ns; }
};

// The cache of one search path for one build of the host: one file in the cache folder.
class PluginCache {
public:
    // Reads `plugins-<key>.json` from `dir`, where the key covers the host's version, its ABI,
    // the identity of the running executable (`host_identity`) and the search path, so an
    // upgrade or another search path never reads these entries. Never throws: a missing,
    // unreadable or corrupt file gives an empty cache and says why in problem().
    static PluginCache open(const std::filesystem::path& dir, std::string_view host_identity,
                            const std::vector<SearchDir>& search_path);

    // The entry for `file` (as found on the search path), or nullptr.
    const CacheEntry* find(const std::filesystem::path& file) const;
    // Records `file` as seen on this start, with `entry` (new or refreshed) or as it was.
    void store(const std::filesystem::path& file, CacheEntry entry);
    void keep(const std::filesystem::path& file);

    // Writes the cache back if any entry changed or was not seen on this start (a plugin
    // removed from its folder leaves the cache). Atomic (temporary file, then rename), so a
    // concurrent `impact` reads the old or the new file, never a mix. Never throws: false and
    // problem() when it could not be written.
    bool save();

    const std::filesystem::path& file() const noexcept { return file_; }
    // Why the cache file was not read or not written; empty when all went well.
    const std::string& problem() const noexcept { return problem_; }
    std::size_t entries_read() const noexcept { return entries_read_; }
    std::size_t entries_dropped() const noexcept { return entries_dropped_; }

private:
    std::filesystem::path dir_;
    std::filesystem::path file_;
    std::string key_text_;  // what the file name's hash covers, stored in the file and compared
    std::unordered_map<std::string, CacheEntry> entries_;  // by path as found
    std::unordered_set<std::string> seen_;                 // paths seen on this start
    bool changed_ = false;
    std::size_t entries_read_ = 0;
    std::size_t entries_dropped_ = 0;  // invalid entries in an otherwise sound file
    std::string problem_;
};

// The folder for the cache: $IMPACT_CACHE_DIR, else $XDG_CACHE_HOME/impact, else
// $HOME/.cache/impact (empty or relative XDG_CACHE_HOME is ignored, as the XDG spec says).
// nullopt when none is set.
std::optional<std::filesystem::path> plugin_cache_dir(std::optional<std::string_view> impact_cache_dir,
                                                      std::optional<std::string_view> xdg_cache_home,
                                                      std::optional<std::string_view> home);

// Descriptors as the cache stores them (JSON text) and back; impact-worker sends them to the host
// this way. Reading throws std::runtime_error on anything malformed; the caller still checks the
// result with cached_plugin_problem, since the sender may not be trusted.
std::string plugin_info_to_json_text(const PluginInfo& plugin);
PluginInfo plugin_info_from_json_text(std::string_view text, const std::filesystem::path& file);

// Whether cached descriptors could have come from the loader: the same rules (ids, versions,
// keys, kinds, flags, bounds, limits, printable UTF-8 text) that LoadedPlugin::load applies.
// An entry that breaks one is dropped and its file loaded again. Exposed for tests.
std::optional<std::string> cached_plugin_problem(const PluginInfo& plugin);

}  // namespace impact::host
