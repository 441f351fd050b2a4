// Plugin loading with Boost.DLL: every refusal gets a one-line reason naming the file.
#include "host/plugin_library.hpp"

#include "text/iso_date.hpp"

#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include <elf.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <set>

namespace impact::host {
namespace {

// A field at `offset` of `size` bytes is present when it lies inside struct_size.
constexpr bool has_field(uint32_t struct_size, std::size_t offset, std::size_t size) noexcept {
    return struct_size >= offset + size;
}
#define IMPACT_HAS_FIELD(ptr, type, field) \
    has_field((ptr)->struct_size, offsetof(type, field), sizeof(((type*)nullptr)->field))

// Element i of an array of growable structs, stepped by the writer's struct_size.
template <class T>
const T& element(const T* array, uint32_t i) {
    const std::size_t stride = array[0].struct_size;
    return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(array) + i * stride);
}

std::string text_or_empty(const char* text) { return text ? std::string(text) : std::string(); }

// Boost's message is "boost::dll::shared_library::load() failed (dlerror system message: X): Y";
// the loader's own reason X is what a user needs.
std::string loader_reason(const std::string& what) {
    const std::string marker = "(dlerror system message: ";
    const auto start = what.find(marker);
    if (start == std::string::npos) return what;
    const auto end = what.rfind("):");
    const auto from = start + marker.size();
    return end != std::string::npos && end > from ? what.substr(from, end - from) : what.substr(from);
}

// dlerror() starts with the file name, which our message already gives.
std::string without_file_prefix(std::string reason, const std::string& file) {
    const std::string prefix = file + ": ";
    if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
    return reason;
}

// Looks for impact_plugin_entry_vN of another major, to say which ABI a plugin wants. The
// library is open already, so ask the dynamic linker (Boost 1.74's library_info misreads
// the string table of some ELF files).
std::string other_major_entry(const boost::dll::shared_library& library) {
    for (int major = 0; major < 100; ++major) {
        if (major == IMPACT_ABI_MAJOR) continue;
        const std::string symbol = fmt::format("impact_plugin_entry_v{}", major);
        if (library.has(symbol)) return symbol;
    }
    return {};
}

// dlopen maps a truncated library's segments past the end of the file and the first touch
// of those pages kills the process with SIGBUS, so check the program headers first. Files
// that are not 64-bit ELF are left to dlopen, which refuses them with its own reason.
void check_not_truncated(const std::filesystem::path& file) {
    std::error_code ec;
    const auto file_size = std::filesystem::file_size(file, ec);
    if (ec) return;
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return;
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) return;
    const auto truncated = [&](uint64_t needed_bytes) {
        return LoadError(fmt::format("{}: cannot load: file too short: {} bytes, its headers need {} (truncated?)",
                                     file.string(), file_size, needed_bytes));
    };
    const uint64_t headers_end = header.e_phoff + uint64_t{header.e_phnum} * header.e_phentsize;
    if (headers_end > file_size) throw truncated(headers_end);
    if (header.e_phentsize != sizeof(Elf64_Phdr)) return;
    in.seekg(static_cast<std::streamoff>(header.e_phoff));
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment{};
        if (!in.read(reinterpret_cast<char*>(&segment), sizeof segment)) throw truncated(headers_end);
        if (segment.p_type == PT_LOAD && segment.p_offset + segment.p_filesz > file_size)
            throw truncated(segment.p_offset + segment.p_filesz);
    }
}

InputInfo copy_input(const impact_input_descriptor& d, const std::string& where) {
    if (!IMPACT_HAS_FIELD(&d, impact_input_descriptor, max_value))
        throw LoadError(fmt::format("{}: input descriptor is {} bytes, smaller than SDK 1.0 defines", where,
                                    d.struct_size));
    if (!d.key || !*d.key) throw LoadError(where + ": an input has no key");
    if (d.kind > IMPACT_KIND_SERIES)
        throw LoadError(fmt::format("{}: input '{}' has unknown kind {}", where, d.key, d.kind));
    InputInfo in;
    in.key = d.key;
    in.label = text_or_empty(d.label);
    in.description = text_or_empty(d.description);
    in.kind = d.kind;
    in.unit = text_or_empty(d.unit);
    in.required = (d.flags & IMPACT_INPUT_REQUIRED) != 0;
    in.prepared = (d.flags & IMPACT_INPUT_PREPARED) != 0;
    if (in.prepared && !in.is_numeric())
        throw LoadError(fmt::format("{}: input '{}' is flagged prepared but is not numeric", where, d.key));
    if (d.flags & IMPACT_INPUT_HAS_DEFAULT) {
        if (in.is_numeric())
            in.default_number = d.default_number;
        else
            in.default_text = text_or_empty(d.default_text);
        if (in.kind == IMPACT_KIND_DATE && !text::parse_iso_date(*in.default_text))
            throw LoadError(fmt::format("{}: input '{}' has default '{}', not a date YYYY-MM-DD", where, d.key,
                                        *in.default_text));
        if (in.kind == IMPACT_KIND_SERIES)
            throw LoadError(fmt::format("{}: input '{}' is a series and cannot have a default", where, d.key));
    }
    if (d.flags & IMPACT_INPUT_HAS_MIN) in.min_value = d.min_value;
    if (d.flags & IMPACT_INPUT_HAS_MAX) in.max_value = d.max_value;
    return in;
}

ModelInfo copy_model(const impact_model_descriptor& d, uint32_t index, const std::string& file) {
    const std::string where = fmt::format("{}: model #{}", file, index);
    if (!IMPACT_HAS_FIELD(&d, impact_model_descriptor, output_count))
        throw LoadError(fmt::format("{}: descriptor is {} bytes, smaller than SDK 1.0 defines", where, d.struct_size));
    if (!d.id || !is_model_id(d.id))
        throw LoadError(fmt::format("{}: model id '{}' is not lower-case dot-separated words", where,
                                    text_or_empty(d.id)));
    ModelInfo model;
    model.id = d.id;
    const std::string model_where = fmt::format("{}: model '{}'", file, model.id);
    model.name = text_or_empty(d.name);
    model.version = text_or_empty(d.version);
    if (!is_semver(model.version))
        throw LoadError(fmt::format("{}: version '{}' is not semver (MAJOR.MINOR.PATCH)", model_where, model.version));
    model.description = text_or_empty(d.description);
    model.thread_safety = d.thread_safety;
    if (d.thread_safety > IMPACT_THREAD_FULLY_SAFE)
        throw LoadError(fmt::format("{}: unknown thread safety {}", model_where, d.thread_safety));
    if (IMPACT_HAS_FIELD(&d, impact_model_descriptor, references)) model.references = text_or_empty(d.references);
    model.descriptor_index = index;
    if (d.input_count > 0 && !d.inputs) throw LoadError(model_where + ": inputs is NULL");
    if (d.output_count > 0 && !d.outputs) throw LoadError(model_where + ": outputs is NULL");
    std::set<std::string, std::less<>> keys;
    // Arrays of growable structs are stepped by the plugin's struct_size (the SDK's array rule).
    if (d.input_count > 0 && !IMPACT_HAS_FIELD(&d.inputs[0], impact_input_descriptor, max_value))
        throw LoadError(fmt::format("{}: input descriptor is {} bytes, smaller than SDK 1.0 defines", model_where,
                                    d.inputs[0].struct_size));
    if (d.output_count > 0 && !IMPACT_HAS_FIELD(&d.outputs[0], impact_output_descriptor, unit))
        throw LoadError(fmt::format("{}: output descriptor is {} bytes, smaller than SDK 1.0 defines", model_where,
                                    d.outputs[0].struct_size));
    for (uint32_t i = 0; i < d.input_count; ++i) {
        model.inputs.push_back(copy_input(element(d.inputs, i), model_where));
        if (!keys.insert(model.inputs.back().key).second)
            throw LoadError(fmt::format("{}: input key '{}' appears twice", model_where, model.inputs.back().key));
    }
    keys.clear();
    for (uint32_t i = 0; i < d.output_count; ++i) {
        const impact_output_descriptor& o = element(d.outputs, i);
        if (!IMPACT_HAS_FIELD(&o, impact_output_descriptor, unit))
            throw LoadError(fmt::format("{}: output descriptor is {} bytes, smaller than SDK 1.0 defines",
                                        model_where, o.struct_size));
        if (!o.key || !*o.key) throw LoadError(model_where + ": an output has no key");
        if (!keys.insert(o.key).second)
            throw LoadError(fmt::format("{}: output key '{}' appears twice", model_where, o.key));
        model.outputs.push_back(
            OutputInfo{o.key, text_or_empty(o.label), text_or_empty(o.description), text_or_empty(o.unit)});
    }
    if (model.outputs.empty()) throw LoadError(model_where + ": declares no outputs");
    return model;
}

// Calls into the plugin during loading; a C++ exception thrown across the C ABI is a
// contract violation, reported as a refusal instead of taking the host down.
template <class F>
auto call_plugin(const std::string& file, const char* what, F&& f) {
    try {
        return f();
    } catch (const std::exception& e) {
        throw LoadError(fmt::format("{}: {} threw a C++ exception across the C ABI: {}", file, what, e.what()));
    } catch (...) {
        throw LoadError(fmt::format("{}: {} threw a C++ exception across the C ABI", file, what));
    }
}

}  // namespace

LoadedPlugin::~LoadedPlugin() = default;

std::shared_ptr<const LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw LoadError(name + ": not a regular file");

    check_not_truncated(file);
    std::shared_ptr<LoadedPlugin> plugin(new LoadedPlugin());
    try {
        // The throwing overload keeps dlerror()'s text; the error_code one loses it.
        plugin->library_ = std::make_unique<boost::dll::shared_library>(
            file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw LoadError(fmt::format("{}: cannot load: {}", name, without_file_prefix(loader_reason(e.what()), name)));
    }
    boost::dll::shared_library& library = *plugin->library_;

    if (!library.has(IMPACT_PLUGIN_ENTRY_SYMBOL)) {
        const std::string other = other_major_entry(library);
        if (!other.empty())
            throw LoadError(fmt::format("{}: built for SDK ABI major {} (exports {}); this host supports ABI major {}",
                                        name, other.substr(std::string_view("impact_plugin_entry_v").size()),
                                        other, IMPACT_ABI_MAJOR));
        throw LoadError(fmt::format("{}: no entry symbol {}: not an Impact plugin, or not built with "
                                    "impact_add_plugin()",
                                    name, IMPACT_PLUGIN_ENTRY_SYMBOL));
    }
    const auto& entry = library.get<const impact_plugin_entry>(IMPACT_PLUGIN_ENTRY_SYMBOL);
    if (!IMPACT_HAS_FIELD(&entry, impact_plugin_entry, get_interface))
        throw LoadError(fmt::format("{}: entry is {} bytes, smaller than SDK 1.0 defines", name, entry.struct_size));
    if (entry.abi_major != IMPACT_ABI_MAJOR)
        throw LoadError(fmt::format("{}: plugin ABI {}.{} is not compatible with host ABI {}.{} (major differs)", name,
                                    entry.abi_major, entry.abi_minor, IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR));

    PluginInfo& info = plugin->info_;
    info.file = file;
    info.abi_major = entry.abi_major;
    info.abi_minor = entry.abi_minor;
    info.id = text_or_empty(entry.plugin_id);
    info.version = text_or_empty(entry.plugin_version);
    info.name = text_or_empty(entry.plugin_name);
    if (!is_reverse_dns_id(info.id))
        throw LoadError(fmt::format("{}: plugin id '{}' is not reverse-DNS (like org.example.models)", name, info.id));
    if (!is_semver(info.version))
        throw LoadError(fmt::format("{}: plugin version '{}' is not semver (MAJOR.MINOR.PATCH)", name, info.version));
    if (!entry.get_interface) throw LoadError(name + ": entry has no get_interface function");

    const void* factory = call_plugin(name, "get_interface", [&] { return entry.get_interface(IMPACT_MODEL_FACTORY_V1); });
    if (!factory) throw LoadError(fmt::format("{}: provides no {} interface", name, IMPACT_MODEL_FACTORY_V1));
    plugin->factory_ = static_cast<const impact_model_factory_v1*>(factory);
    const impact_model_factory_v1& table = *plugin->factory_;
    if (!table.model_count || !table.model_descriptor || !table.create)
        throw LoadError(fmt::format("{}: {} has a NULL function", name, IMPACT_MODEL_FACTORY_V1));

    const uint32_t count = call_plugin(name, "model_count", [&] { return table.model_count(); });
    std::set<std::string, std::less<>> ids;
    for (uint32_t i = 0; i < count; ++i) {
        const impact_model_descriptor* d = call_plugin(name, "model_descriptor", [&] { return table.model_descriptor(i); });
        if (!d) throw LoadError(fmt::format("{}: model_descriptor({}) returned NULL", name, i));
        info.models.push_back(copy_model(*d, i, name));
        if (!ids.insert(info.models.back().id).second)
            throw LoadError(fmt::format("{}: model id '{}' appears twice", name, info.models.back().id));
    }
    return plugin;
}

bool is_reverse_dns_id(std::string_view id) noexcept {
    // At least two dot-separated labels of [a-z0-9-], none empty: "org.impact.fx".
    if (id.empty() || id.front() == '.' || id.back() == '.' || id.find("..") != std::string_view::npos) return false;
    if (id.find('.') == std::string_view::npos) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    });
}

bool is_model_id(std::string_view id) noexcept {
    if (id.empty() || id.front() == '.' || id.back() == '.' || id.find("..") != std::string_view::npos) return false;
    if (!(id.front() >= 'a' && id.front() <= 'z')) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    });
}

bool is_semver(std::string_view version) noexcept {
    // MAJOR.MINOR.PATCH with optional -prerelease and +build (semver.org 2.0.0, simplified).
    std::size_t pos = 0;
    for (int part = 0; part < 3; ++part) {
        const std::size_t start = pos;
        while (pos < version.size() && std::isdigit(static_cast<unsigned char>(version[pos]))) ++pos;
        if (pos == start) return false;
        if (pos - start > 1 && version[start] == '0') return false;
        if (part < 2) {
            if (pos >= version.size() || version[pos] != '.') return false;
            ++pos;
        }
    }
    if (pos == version.size()) return true;
    if (version[pos] != '-' && version[pos] != '+') return false;
    const std::string_view rest = version.substr(pos + 1);
    return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+';
    });
}

}  // namespace impact::host
