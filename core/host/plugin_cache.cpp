// The plugin descriptor cache: file identity, a checksummed JSON file per search path, and checks on every entry read.
#include "host/plugin_cache.hpp"

#include "host/model.hpp"
#include "host/plugin_library.hpp"
#include "host/registry.hpp"
#include "io/output_file.hpp"
#include "text/iso_date.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace impact::host {
namespace {

using nlohmann::json;

// Bump when the layout of an entry changes: the file name's key covers it.
// 2: inputs gained "optional_row" (ABI 1.3).
constexpr int kFormatVersion = 2;
constexpr std::string_view kMagic = "impact-plugin-cache";
// A cache of 30,000 refused files is about 10 MB; anything far larger is not ours.
constexpr std::size_t kMaxCacheFileBytes = std::size_t{256} << 20;
// A refusal reason is one line the loader wrote; bounded like descriptor text, with room for paths.
constexpr std::size_t kMaxReasonBytes = 64 * 1024;

// FNV-1a, 64 bits: cheap and good enough to notice a truncated or damaged file (not a defence
// against someone who can write the cache folder; they could as well replace the plugins).
uint64_t fnv1a64(std::string_view bytes) noexcept {
    uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    return hash;
}

// Paths and refusal reasons may hold bytes that are not UTF-8, which a JSON string cannot
// carry: those are stored as {"hex": "..."}, everything else as a plain string.
json bytes_value(std::string_view bytes) {
    if (text::invalid_utf8_at(bytes) == std::string_view::npos) return json(std::string(bytes));
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (const char c : bytes) fmt::format_to(std::back_inserter(hex), "{:02x}", static_cast<unsigned char>(c));
    return json{{"hex", hex}};
}

// Thrown while decoding an entry that does not have the expected shape; the entry is dropped.
struct BadEntry {
    std::string why;
};

const json& member(const json& object, const char* key) {
    if (!object.is_object()) throw BadEntry{"not an object"};
    const auto it = object.find(key);
    if (it == object.end()) throw BadEntry{fmt::format("no '{}'", key)};
    return *it;
}

std::string get_string(const json& object, const char* key) {
    const json& v = member(object, key);
    if (!v.is_string()) throw BadEntry{fmt::format("'{}' is not a string", key)};
    return v.get<std::string>();
}

std::string get_bytes(const json& object, const char* key) {
    const json& v = member(object, key);
    if (v.is_string()) return v.get<std::string>();
    const std::string hex = get_string(v, "hex");
    if (hex.size() % 2 != 0) throw BadEntry{"odd hex"};
    std::string out(hex.size() / 2, '\0');
    for (std::size_t i = 0; i < out.size(); ++i) {
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, value, 16);
        if (ec != std::errc() || end != hex.data() + 2 * i + 2) throw BadEntry{"bad hex"};
        out[i] = static_cast<char>(value);
    }
    return out;
}

template <class Int>
Int get_int(const json& object, const char* key) {
    const json& v = member(object, key);
    if (!v.is_number_integer()) throw BadEntry{fmt::format("'{}' is not an integer", key)};
    // Out of range is damage, not something to wrap around into a plausible value.
    if constexpr (std::is_unsigned_v<Int>) {
        if (!v.is_number_unsigned()) throw BadEntry{fmt::format("'{}' is negative", key)};
        const uint64_t value = v.get<uint64_t>();
        if (value > std::numeric_limits<Int>::max()) throw BadEntry{fmt::format("'{}' is out of range", key)};
        return static_cast<Int>(value);
    } else {
        if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()})
            throw BadEntry{fmt::format("'{}' is out of range", key)};
        return static_cast<Int>(v.get<int64_t>());
    }
}

bool get_bool(const json& object, const char* key) {
    const json& v = member(object, key);
    if (!v.is_boolean()) throw BadEntry{fmt::format("'{}' is not a boolean", key)};
    return v.get<bool>();
}

// Doubles travel as their shortest round-trip text ("0.063", "inf"), which JSON numbers cannot
// hold for infinities, and read back bit for bit.
std::string double_text(double value) { return fmt::format("{}", value); }

std::optional<double> get_optional_double(const json& object, const char* key) {
    if (!object.contains(key)) return std::nullopt;
    const std::string text = get_string(object, key);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) throw BadEntry{fmt::format("'{}' is not a number", key)};
    return value;
}

json encode_plugin(const PluginInfo& plugin) {
    json models = json::array();
    for (const ModelInfo& m : plugin.models) {
        json inputs = json::array();
        for (const InputInfo& in : m.inputs) {
            json i{{"key", in.key},           {"label", in.label},       {"description", in.description},
                   {"kind", in.kind},         {"unit", in.unit},         {"required", in.required},
                   {"prepared", in.prepared}, {"min_exclusive", in.min_exclusive}, {"max_exclusive", in.max_exclusive},
                   {"optional_row", in.optional_row}};
            if (in.default_number) i["default_number"] = double_text(*in.default_number);
            if (in.default_text) i["default_text"] = *in.default_text;
            if (in.min_value) i["min"] = double_text(*in.min_value);
            if (in.max_value) i["max"] = double_text(*in.max_value);
            inputs.push_back(std::move(i));
        }
        json outputs = json::array();
        for (const OutputInfo& out : m.outputs)
            outputs.push_back({{"key", out.key},
                               {"label", out.label},
                               {"description", out.description},
                               {"unit", out.unit},
                               {"may_be_undefined", out.may_be_undefined},
                               {"direction", out.direction}});
        models.push_back({{"id", m.id},
                          {"name", m.name},
                          {"version", m.version},
                          {"description", m.description},
                          {"references", m.references},
                          {"thread_safety", m.thread_safety},
                          {"descriptor_index", m.descriptor_index},
                          {"inputs", std::move(inputs)},
                          {"outputs", std::move(outputs)}});
    }
    return {{"id", plugin.id},
            {"version", plugin.version},
            {"name", plugin.name},
            {"abi_major", plugin.abi_major},
            {"abi_minor", plugin.abi_minor},
            {"models", std::move(models)}};
}

const json& get_array(const json& object, const char* key) {
    const json& v = member(object, key);
    if (!v.is_array()) throw BadEntry{fmt::format("'{}' is not an array", key)};
    return v;
}

PluginInfo decode_plugin(const json& p, const std::filesystem::path& file) {
    PluginInfo plugin;
    plugin.file = file;
    plugin.id = get_string(p, "id");
    plugin.version = get_string(p, "version");
    plugin.name = get_string(p, "name");
    plugin.abi_major = get_int<uint32_t>(p, "abi_major");
    plugin.abi_minor = get_int<uint32_t>(p, "abi_minor");
    const json& models = get_array(p, "models");
    if (models.size() > IMPACT_MAX_MODELS) throw BadEntry{"too many models"};
    for (const json& m : models) {
        ModelInfo model;
        model.id = get_string(m, "id");
        model.name = get_string(m, "name");
        model.version = get_string(m, "version");
        model.description = get_string(m, "description");
        model.references = get_string(m, "references");
        model.thread_safety = static_cast<impact_thread_safety>(get_int<uint32_t>(m, "thread_safety"));
        model.descriptor_index = get_int<uint32_t>(m, "descriptor_index");
        const json& inputs = get_array(m, "inputs");
        const json& outputs = get_array(m, "outputs");
        if (inputs.size() > IMPACT_MAX_INPUTS || outputs.size() > IMPACT_MAX_OUTPUTS) throw BadEntry{"too many keys"};
        for (const json& i : inputs) {
            InputInfo in;
            in.key = get_string(i, "key");
            in.label = get_string(i, "label");
            in.description = get_string(i, "description");
            in.kind = static_cast<impact_input_kind>(get_int<uint32_t>(i, "kind"));
            in.unit = get_string(i, "unit");
            in.required = get_bool(i, "required");
            in.prepared = get_bool(i, "prepared");
            in.min_exclusive = get_bool(i, "min_exclusive");
            in.max_exclusive = get_bool(i, "max_exclusive");
            in.optional_row = get_bool(i, "optional_row");
            in.default_number = get_optional_double(i, "default_number");
            if (i.contains("default_text")) in.default_text = get_string(i, "default_text");
            in.min_value = get_optional_double(i, "min");
            in.max_value = get_optional_double(i, "max");
            model.inputs.push_back(std::move(in));
        }
        for (const json& o : outputs) {
            OutputInfo out;
            out.key = get_string(o, "key");
            out.label = get_string(o, "label");
            out.description = get_string(o, "description");
            out.unit = get_string(o, "unit");
            out.may_be_undefined = get_bool(o, "may_be_undefined");
            out.direction = static_cast<impact_direction>(get_int<uint32_t>(o, "direction"));
            model.outputs.push_back(std::move(out));
        }
        plugin.models.push_back(std::move(model));
    }
    return plugin;
}

json encode_entry(const std::string& file, const CacheEntry& e) {
    json entry{{"path", bytes_value(file)},
               {"device", e.stamp.device},
               {"inode", e.stamp.inode},
               {"size_bytes", e.stamp.size_bytes},
               {"mtime_ns", e.stamp.mtime_ns},
               {"ctime_ns", e.stamp.ctime_ns},
               {"checked_at_ns", e.checked_at_ns},
               {"sha256", e.sha256}};
    if (e.plugin) entry["plugin"] = encode_plugin(*e.plugin);
    else entry["rejected"] = bytes_value(e.rejected_reason);
    return entry;
}

bool is_sha256_hex(std::string_view text) noexcept {
    return text.size() == 64 &&
           std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::pair<std::string, CacheEntry> decode_entry(const json& j) {
    const std::string file = get_bytes(j, "path");
    if (file.empty() || file.find('\0') != std::string::npos) throw BadEntry{"bad path"};
    CacheEntry e;
    e.stamp.device = get_int<uint64_t>(j, "device");
    e.stamp.inode = get_int<uint64_t>(j, "inode");
    e.stamp.size_bytes = get_int<uint64_t>(j, "size_bytes");
    e.stamp.mtime_ns = get_int<int64_t>(j, "mtime_ns");
    e.stamp.ctime_ns = get_int<int64_t>(j, "ctime_ns");
    e.checked_at_ns = get_int<int64_t>(j, "checked_at_ns");
    e.sha256 = get_string(j, "sha256");
    if (!e.sha256.empty() && !is_sha256_hex(e.sha256)) throw BadEntry{"bad sha256"};
    if (j.contains("plugin")) {
        // A usable plugin's provenance hash is always known: a run reports it.
        if (e.sha256.empty()) throw BadEntry{"plugin without sha256"};
        e.plugin = decode_plugin(member(j, "plugin"), file);
        if (const auto problem = cached_plugin_problem(*e.plugin)) throw BadEntry{*problem};
    } else {
        e.rejected_reason = get_bytes(j, "rejected");
        // The reason is printed (escaped) by `impact plugins`; it names the file, as the loader's do.
        if (e.rejected_reason.empty() || e.rejected_reason.size() > kMaxReasonBytes ||
            e.rejected_reason.find(file) == std::string::npos)
            throw BadEntry{"bad reason"};
    }
    return {file, std::move(e)};
}

// The whole file, at most kMaxCacheFileBytes; nullopt with `why` otherwise.
std::optional<std::string> read_small_file(const std::filesystem::path& file, std::string& why) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) {
        why = errno == ENOENT ? std::string() : fmt::format("cannot open it: {}", std::strerror(errno));
        return std::nullopt;
    }
    struct stat st {};
    std::optional<std::string> content;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
    } else if (static_cast<uint64_t>(st.st_size) > kMaxCacheFileBytes) {
        why = fmt::format("{} bytes, more than a cache file can be", st.st_size);
    } else {
        std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        if (done == bytes.size()) content = std::move(bytes);
        else why = "read error";
    }
    ::close(fd);
    return content;
}

}  // namespace

std::string plugin_info_to_json_text(const PluginInfo& plugin) { return encode_plugin(plugin).dump(); }

PluginInfo plugin_info_from_json_text(std::string_view text, const std::filesystem::path& file) {
    try {
        return decode_plugin(json::parse(text), file);
    } catch (const BadEntry& e) {
        throw std::runtime_error(e.why);
    } catch (const json::exception& e) {
        throw std::runtime_error(e.what());
    }
}

std::optional<FileStamp> stamp_of(const std::filesystem::path& file) noexcept {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return std::nullopt;
    const auto ns = [](const timespec& t) { return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec; };
    return FileStamp{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                     static_cast<uint64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

int64_t file_clock_now_ns() noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &now);
    return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

PluginCache PluginCache::open(const std::filesystem::path& dir, std::string_view host_identity,
                              const std::vector<SearchDir>& search_path) {
    PluginCache cache;
    cache.dir_ = dir;
    cache.key_text_ = fmt::format("{}/{} host {} ABI {}.{}", kMagic, kFormatVersion, host_identity, IMPACT_ABI_MAJOR,
                                  IMPACT_ABI_MINOR);
    for (const SearchDir& d : search_path) {
        cache.key_text_ += '\n';
        cache.key_text_ += d.origin;
        cache.key_text_ += '\t';
        cache.key_text_ += d.dir.string();
    }
    cache.file_ = dir / fmt::format("plugins-{:016x}.json", fnv1a64(cache.key_text_));

    std::string why;
    const std::optional<std::string> content = read_small_file(cache.file_, why);
    if (!content) {
        if (!why.empty()) cache.problem_ = fmt::format("{}: {}", cache.file_.string(), why);
        return cache;
    }
    const auto corrupt = [&](std::string_view what) {
        cache.problem_ = fmt::format("{}: ignored ({}); it will be rewritten", cache.file_.string(), what);
        cache.entries_.clear();
        cache.changed_ = true;
        return std::move(cache);
    };
    // First line: "impact-plugin-cache <format> <body bytes> <fnv1a64 of the body, hex>".
    const std::size_t newline = content->find('\n');
    if (newline == std::string::npos) return corrupt("no header line");
    const std::string expected_header_start = fmt::format("{} {} ", kMagic, kFormatVersion);
    const std::string_view header(content->data(), newline);
    const std::string_view body = std::string_view(*content).substr(newline + 1);
    if (header != fmt::format("{}{} {:016x}", expected_header_start, body.size(), fnv1a64(body)))
        return corrupt("header, length or checksum does not match");
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return corrupt("not a JSON object");
    try {
        if (get_string(doc, "key") != cache.key_text_) return corrupt("written for another host or search path");
        for (const json& entry : get_array(doc, "entries")) {
            try {
                auto [file, e] = decode_entry(entry);
                cache.entries_.insert_or_assign(std::move(file), std::move(e));
                ++cache.entries_read_;
            } catch (const BadEntry&) {
                // Only this entry is dropped: its file is loaded again and the entry rewritten.
                ++cache.entries_dropped_;
                cache.changed_ = true;
            }
        }
    } catch (const BadEntry& e) {
        return corrupt(e.why);
    } catch (const json::exception& e) {
        return corrupt(e.what());
    }
    return cache;
}

const CacheEntry* PluginCache::find(const std::filesystem::path& file) const {
    const auto it = entries_.find(file.string());
    return it == entries_.end() ? nullptr : &it->second;
}

void PluginCache::store(const std::filesystem::path& file, CacheEntry entry) {
    seen_.insert(file.string());
    entries_.insert_or_assign(file.string(), std::move(entry));
    changed_ = true;
}

void PluginCache::keep(const std::filesystem::path& file) { seen_.insert(file.string()); }

bool PluginCache::save() {
    // Entries of files no longer on the search path are left out.
    bool any_unseen = false;
    for (const auto& [file, entry] : entries_) any_unseen = any_unseen || !seen_.contains(file);
    if (!changed_ && !any_unseen) return true;
    try {
        json entries = json::array();
        // In path order, so two starts that saw the same files write the same bytes.
        std::set<std::string_view> files(seen_.begin(), seen_.end());
        for (const std::string_view file : files) {
            const auto it = entries_.find(std::string(file));
            if (it != entries_.end()) entries.push_back(encode_entry(it->first, it->second));
        }
        const json doc{{"key", key_text_}, {"entries", std::move(entries)}};
        const std::string body = doc.dump(-1, ' ', false, json::error_handler_t::strict);
        const std::string content =
            fmt::format("{} {} {} {:016x}\n{}", kMagic, kFormatVersion, body.size(), fnv1a64(body), body);
        std::error_code ec;
        if (!std::filesystem::is_directory(dir_, ec)) {
            std::filesystem::create_directories(dir_.parent_path(), ec);
            // Only this user's starts read it back: other users get their own cache.
            if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
                throw std::runtime_error(fmt::format("cannot create {}: {}", dir_.string(), std::strerror(errno)));
        }
        io::write_file_atomically(file_, content);
        changed_ = false;
        return true;
    } catch (const std::exception& e) {
        problem_ = fmt::format("not written: {}", e.what());
        return false;
    }
}

std::optional<std::filesystem::path> plugin_cache_dir(std::optional<std::string_view> impact_cache_dir,
                                                      std::optional<std::string_view> xdg_cache_home,
                                                      std::optional<std::string_view> home) {
    if (impact_cache_dir && !impact_cache_dir->empty()) return std::filesystem::path(*impact_cache_dir);
    if (xdg_cache_home && !xdg_cache_home->empty() && xdg_cache_home->front() == '/')
        return std::filesystem::path(*xdg_cache_home) / "impact";
    if (home && !home->empty()) return std::filesystem::path(*home) / ".cache" / "impact";
    return std::nullopt;
}

std::optional<std::string> cached_plugin_problem(const PluginInfo& plugin) {
    const auto text_ok = [](std::string_view text) {
        return text.size() <= IMPACT_MAX_TEXT_BYTES && text::invalid_utf8_at(text) == std::string_view::npos &&
               text::is_printable(text);
    };
    if (!is_reverse_dns_id(plugin.id) || !text_ok(plugin.id)) return "plugin id";
    if (!is_semver(plugin.version) || !text_ok(plugin.version)) return "plugin version";
    if (!text_ok(plugin.name)) return "plugin name";
    if (plugin.abi_major != IMPACT_ABI_MAJOR) return "ABI major";
    std::set<std::string_view> model_ids;
    for (std::size_t index = 0; index < plugin.models.size(); ++index) {
        const ModelInfo& m = plugin.models[index];
        const std::string where = fmt::format("model #{}", index);
        if (!is_model_id(m.id) || !text_ok(m.id) || !model_ids.insert(m.id).second) return where + " id";
        if (!is_semver(m.version) || !text_ok(m.version)) return where + " version";
        if (!text_ok(m.name) || !text_ok(m.description) || !text_ok(m.references)) return where + " text";
        if (m.thread_safety > IMPACT_THREAD_FULLY_SAFE) return where + " thread safety";
        if (m.descriptor_index != index) return where + " index";
        if (m.outputs.empty()) return where + " has no outputs";
        std::set<std::string_view> keys;
        for (const InputInfo& in : m.inputs) {
            if (!is_key(in.key) || !text_ok(in.key) || !keys.insert(in.key).second) return where + " input key";
            if (!text_ok(in.label) || !text_ok(in.description) || !text_ok(in.unit)) return where + " input text";
            if (in.kind > IMPACT_KIND_SERIES) return where + " input kind";
            if (in.prepared && !in.is_numeric()) return where + " prepared input";
            if (in.optional_row && (!in.is_row_input() || in.required || in.default_number || in.default_text))
                return where + " optional row input";
            if (in.default_number && (!in.is_numeric() || !std::isfinite(*in.default_number)))
                return where + " default";
            if (in.default_text && (in.is_numeric() || in.kind == IMPACT_KIND_SERIES || !text_ok(*in.default_text)))
                return where + " default text";
            if (in.default_text && in.kind == IMPACT_KIND_DATE && !text::parse_iso_date(*in.default_text))
                return where + " default date";
            if ((in.min_value && std::isnan(*in.min_value)) || (in.max_value && std::isnan(*in.max_value)))
                return where + " bound";
            if (in.min_value && in.max_value && *in.min_value > *in.max_value) return where + " bounds";
            if ((in.min_exclusive && !in.min_value) || (in.max_exclusive && !in.max_value))
                return where + " exclusive flag";
            if (in.default_number && bound_violation(in, *in.default_number)) return where + " default bound";
        }
        keys.clear();
        for (const OutputInfo& out : m.outputs) {
            if (!is_key(out.key) || !text_ok(out.key) || !keys.insert(out.key).second) return where + " output key";
            if (!text_ok(out.label) || !text_ok(out.description) || !text_ok(out.unit)) return where + " output text";
            if (out.direction > IMPACT_DIRECTION_HIGHER_IS_WORSE) return where + " direction";
        }
        // Unit placeholders must name text inputs, as the loader requires.
        bool placeholders_ok = true;
        const auto check_unit = [&](std::string_view unit) {
            resolve_unit_placeholders(unit, [&](std::string_view name) -> const std::string* {
                const InputInfo* in = m.find_input(name);
                if (!in || in->kind != IMPACT_KIND_TEXT) placeholders_ok = false;
                return nullptr;
            });
        };
        for (const InputInfo& in : m.inputs) check_unit(in.unit);
        for (const OutputInfo& out : m.outputs) check_unit(out.unit);
        if (!placeholders_ok) return where + " unit placeholder";
    }
    return std::nullopt;
}

}  // namespace impact::host
