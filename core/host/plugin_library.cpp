// Plugin loading with Boost.DLL: every refusal gets a one-line reason naming the file.
//
// Nothing a plugin declares may crash the host: every struct and string it hands over is
// copied through SafeMemoryReader (a bad pointer becomes a refusal), every count, size and
// stride is bounded by the header's IMPACT_MAX_* limits, and every string must be valid UTF-8
// without control characters before it is kept.
#include "host/plugin_library.hpp"

#include "isolation/isolated_plugin.hpp"
#include "host/plugin_call_guard.hpp"

#include "host/model.hpp"

#include "text/iso_date.hpp"
#include "text/printable.hpp"

#include <boost/dll/shared_library.hpp>
#include <fmt/format.h>

#include <elf.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <type_traits>

namespace impact::host {

// ---- SafeMemoryReader ------------------------------------------------------------------------

SafeMemoryReader::SafeMemoryReader(Method method) noexcept : use_vm_readv_(method == Method::automatic) {}

SafeMemoryReader::~SafeMemoryReader() {
    if (pipe_[0] >= 0) ::close(pipe_[0]);
    if (pipe_[1] >= 0) ::close(pipe_[1]);
}

bool SafeMemoryReader::read(const void* address, void* out, std::size_t size) noexcept {
    if (size == 0) return true;
    if (!address) return false;
    if (use_vm_readv_) {
        iovec local{out, size};
        iovec remote{const_cast<void*>(address), size};
        for (;;) {
            const ssize_t n = ::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0);
            if (n >= 0) return static_cast<std::size_t>(n) == size;  // short: part of it is unmapped
            if (errno == EINTR) continue;
            if (errno == EFAULT) return false;
            break;  // ENOSYS, EPERM (seccomp): use the pipe from now on
        }
        use_vm_readv_ = false;
    }
    return read_with_pipe(address, out, size);
}

bool SafeMemoryReader::read_with_pipe(const void* address, void* out, std::size_t size) noexcept {
    if (pipe_[0] < 0 && ::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
        pipe_[0] = pipe_[1] = -1;
        return false;
    }
    auto* target = static_cast<char*>(out);
    const auto* source = static_cast<const char*>(address);
    // Chunks no larger than a pipe holds atomically: write() either takes all of one or fails.
    constexpr std::size_t chunk_bytes = PIPE_BUF;
    for (std::size_t done = 0; done < size;) {
        const std::size_t chunk = std::min(chunk_bytes, size - done);
        ssize_t written;
        do {
            written = ::write(pipe_[1], source + done, chunk);
        } while (written < 0 && errno == EINTR);
        if (written <= 0) return false;  // EFAULT: not readable
        for (std::size_t got = 0; got < static_cast<std::size_t>(written);) {
            const ssize_t n = ::read(pipe_[0], target + done + got, static_cast<std::size_t>(written) - got);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            got += static_cast<std::size_t>(n);
        }
        if (static_cast<std::size_t>(written) != chunk) return false;
        done += chunk;
    }
    return true;
}

SafeMemoryReader::TextResult SafeMemoryReader::read_text(const char* address, std::size_t max_bytes,
                                                         std::string& out) {
    out.clear();
    if (!address) return TextResult::unreadable;
    static const std::size_t page_bytes = [] {
        const long size = ::sysconf(_SC_PAGESIZE);
        return size > 0 ? static_cast<std::size_t>(size) : std::size_t{4096};
    }();
    auto at = reinterpret_cast<std::uintptr_t>(address);
    std::array<char, 4096> buffer{};
    // Up to max_bytes of text and its NUL, never across a page boundary in one read: a page is
    // either wholly readable or not, so a short string before an unmapped page still reads.
    while (out.size() <= max_bytes) {
        const std::size_t to_page_end = page_bytes - at % page_bytes;
        const std::size_t chunk = std::min({to_page_end, buffer.size(), max_bytes + 1 - out.size()});
        if (!read(reinterpret_cast<const void*>(at), buffer.data(), chunk)) return TextResult::unreadable;
        const auto* nul = static_cast<const char*>(std::memchr(buffer.data(), '\0', chunk));
        if (nul) {
            out.append(buffer.data(), static_cast<std::size_t>(nul - buffer.data()));
            return TextResult::ok;
        }
        out.append(buffer.data(), chunk);
        if (__builtin_add_overflow(at, chunk, &at)) return TextResult::unreadable;
    }
    out.clear();
    return TextResult::too_long;
}

namespace {

// A field at `offset` of `size` bytes is present when it lies inside struct_size.
constexpr bool has_field(uint32_t struct_size, std::size_t offset, std::size_t size) noexcept {
    return struct_size >= offset + size;
}
#define IMPACT_HAS_FIELD(ptr, type, field) \
    has_field((ptr)->struct_size, offsetof(type, field), sizeof(((type*)nullptr)->field))

// The size of each growable struct as ABI 1.0 defined it: the end of its last 1.0 field.
constexpr uint32_t kEntrySize_1_0 = offsetof(impact_plugin_entry, get_interface) + sizeof(void*);
constexpr uint32_t kModelSize_1_0 = offsetof(impact_model_descriptor, output_count) + sizeof(uint32_t);
constexpr uint32_t kInputSize_1_0 = offsetof(impact_input_descriptor, max_value) + sizeof(double);
constexpr uint32_t kOutputSize_1_0 = offsetof(impact_output_descriptor, unit) + sizeof(void*);

// The flags each ABI minor defines; any other bit is an unknown value and refused (ABI rule 5).
constexpr uint32_t kInputFlags_1_0 = IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT | IMPACT_INPUT_HAS_MIN |
                                     IMPACT_INPUT_HAS_MAX | IMPACT_INPUT_PREPARED;
constexpr uint32_t kInputFlags_1_2 = kInputFlags_1_0 | IMPACT_INPUT_MIN_EXCLUSIVE | IMPACT_INPUT_MAX_EXCLUSIVE;
constexpr uint32_t kInputFlags_1_3 = kInputFlags_1_2 | IMPACT_INPUT_OPTIONAL_ROW;
constexpr uint32_t kOutputFlags_1_2 = IMPACT_OUTPUT_MAY_BE_UNDEFINED;

std::string address_text(const void* address) {
    return fmt::format("{:#x}", reinterpret_cast<std::uintptr_t>(address));
}

// Plugin text quoted in a refusal, escaped so that the reason stays one printable line.
std::string quote_text(std::string_view text) { return "'" + text::printable(text) + "'"; }

// Reads a plugin's structs and strings through SafeMemoryReader and bounds what they declare.
// Every refusal starts with `where` ("FILE: model #0: input #2").
class DescriptorReader {
public:
    // A growable struct at `address`: its struct_size must lie between the 1.0 size and
    // IMPACT_MAX_DESCRIPTOR_SIZE, and equal `array_stride` when given (the array rule). The
    // copy's fields beyond struct_size are zero; callers still test them with IMPACT_HAS_FIELD.
    template <class T>
    T read_struct(const void* address, uint32_t size_1_0, const std::string& where, std::string_view what,
                  std::optional<uint32_t> array_stride = std::nullopt) {
        static_assert(std::is_trivially_copyable_v<T>);
        if (!address) throw LoadError(fmt::format("{}: {} pointer is NULL", where, what));
        uint32_t struct_size = 0;
        if (!memory_.read(address, &struct_size, sizeof struct_size))
            throw LoadError(fmt::format("{}: {} pointer {} is not readable memory", where, what, address_text(address)));
        if (struct_size < size_1_0)
            throw LoadError(fmt::format("{}: {} struct_size is {} bytes, smaller than SDK 1.0 defines ({})", where,
                                        what, struct_size, size_1_0));
        if (struct_size > IMPACT_MAX_DESCRIPTOR_SIZE)
            throw LoadError(fmt::format("{}: {} struct_size is {} bytes, more than the host accepts "
                                        "(IMPACT_MAX_DESCRIPTOR_SIZE {})",
                                        where, what, struct_size, IMPACT_MAX_DESCRIPTOR_SIZE));
        if (array_stride && struct_size != *array_stride)
            throw LoadError(fmt::format("{}: {} struct_size is {} bytes but element #0's is {}: every element of "
                                        "an array must have the same struct_size",
                                        where, what, struct_size, *array_stride));
        // The whole declared struct must be readable, not only the part this host uses.
        std::array<unsigned char, IMPACT_MAX_DESCRIPTOR_SIZE> bytes{};
        if (!memory_.read(address, bytes.data(), struct_size))
            throw LoadError(fmt::format("{}: {} at {} ({} bytes) is not readable memory", where, what,
                                        address_text(address), struct_size));
        T copy{};
        std::memcpy(&copy, bytes.data(), std::min<std::size_t>(struct_size, sizeof(T)));
        return copy;
    }

    // Element `index` of an array of growable structs, stepped by element 0's struct_size.
    template <class T>
    T read_element(const T* array, uint32_t index, uint32_t stride, uint32_t size_1_0, const std::string& where,
                   std::string_view what) {
        const auto base = reinterpret_cast<std::uintptr_t>(array);
        std::uintptr_t address = 0;
        // index < IMPACT_MAX_INPUTS and stride <= IMPACT_MAX_DESCRIPTOR_SIZE: the product fits.
        if (__builtin_add_overflow(base, std::uintptr_t{index} * stride, &address))
            throw LoadError(fmt::format("{}: {} lies past the end of the address space", where, what));
        return read_struct<T>(reinterpret_cast<const void*>(address), size_1_0, where, what,
                              index == 0 ? std::nullopt : std::optional<uint32_t>(stride));
    }

    // A frozen function table (no struct_size): sizeof(T) readable bytes.
    template <class T>
    T read_table(const void* address, const std::string& where, std::string_view what) {
        static_assert(std::is_trivially_copyable_v<T>);
        T copy{};
        if (!memory_.read(address, &copy, sizeof copy))
            throw LoadError(fmt::format("{}: {} pointer {} is not readable memory", where, what, address_text(address)));
        return copy;
    }

    // A descriptor string: readable, at most IMPACT_MAX_TEXT_BYTES, valid UTF-8 without control
    // characters (it is printed on terminals). NULL reads as "".
    std::string read_text(const char* address, const std::string& where, std::string_view what) {
        if (!address) return {};
        std::string text;
        switch (memory_.read_text(address, IMPACT_MAX_TEXT_BYTES, text)) {
        case SafeMemoryReader::TextResult::ok: break;
        case SafeMemoryReader::TextResult::unreadable:
            throw LoadError(fmt::format("{}: {} pointer {} is not readable memory", where, what, address_text(address)));
        case SafeMemoryReader::TextResult::too_long:
            throw LoadError(fmt::format("{}: {} is longer than the host accepts (IMPACT_MAX_TEXT_BYTES, {} bytes)",
                                        where, what, IMPACT_MAX_TEXT_BYTES));
        }
        if (const std::size_t bad = text::invalid_utf8_at(text); bad != std::string_view::npos)
            throw LoadError(fmt::format("{}: {} is not valid UTF-8 (byte {:#04x} at offset {}): {}", where, what,
                                        static_cast<unsigned char>(text[bad]), bad, quote_text(text)));
        if (!text::is_printable(text))
            throw LoadError(fmt::format("{}: {} contains control characters (line breaks or terminal escapes): {}",
                                        where, what, quote_text(text)));
        // Each string is bounded, but 1024 models x 256 inputs x 5 strings of 4 KB would still be
        // gigabytes: the plugin's descriptor text as a whole is bounded too.
        total_text_bytes_ += text.size();
        if (total_text_bytes_ > kMaxDescriptorTextBytes)
            throw LoadError(fmt::format("{}: the plugin's descriptors hold more than {} MB of text in all, more than "
                                        "the host accepts",
                                        where, kMaxDescriptorTextBytes >> 20));
        return text;
    }

private:
    static constexpr std::size_t kMaxDescriptorTextBytes = std::size_t{16} << 20;  // 16 MB per plugin
    std::size_t total_text_bytes_ = 0;
    SafeMemoryReader memory_;
};

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
// that are not 64-bit ELF are left to dlopen, which refuses them with its own reason. Every
// offset and size here comes from the file, so each sum is checked for overflow.
void check_not_truncated(const std::filesystem::path& file) {
    std::error_code ec;
    const uint64_t file_size = std::filesystem::file_size(file, ec);
    if (ec) return;
    std::ifstream in(file, std::ios::binary);
    Elf64_Ehdr header{};
    if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return;
    if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64) return;
    const auto truncated = [&](uint64_t needed_bytes) {
        return LoadError(fmt::format("{}: cannot load: file too short: {} bytes, its headers need {} (truncated?)",
                                     file.string(), file_size, needed_bytes));
    };
    const auto overflows = [&](std::string_view what, uint64_t offset, uint64_t size) {
        return LoadError(fmt::format("{}: cannot load: invalid ELF file: {} at offset {} of {} bytes ends past "
                                     "the largest file offset",
                                     file.string(), what, offset, size));
    };
    // e_phnum and e_phentsize are 16-bit: their product fits; the sum with e_phoff may not.
    const uint64_t table_bytes = uint64_t{header.e_phnum} * header.e_phentsize;
    uint64_t headers_end = 0;
    if (__builtin_add_overflow(header.e_phoff, table_bytes, &headers_end))
        throw overflows("program header table", header.e_phoff, table_bytes);
    if (headers_end > file_size) throw truncated(headers_end);
    if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0) return;
    // headers_end <= file_size, which std::filesystem reports as a size that fits a streamoff.
    in.seekg(static_cast<std::streamoff>(header.e_phoff));
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr segment{};
        if (!in.read(reinterpret_cast<char*>(&segment), sizeof segment)) throw truncated(headers_end);
        if (segment.p_type != PT_LOAD) continue;
        uint64_t segment_end = 0;
        if (__builtin_add_overflow(segment.p_offset, segment.p_filesz, &segment_end))
            throw overflows(fmt::format("loadable segment #{}", i), segment.p_offset, segment.p_filesz);
        if (segment_end > file_size) throw truncated(segment_end);
    }
}

// Input flags this host knows for a plugin built against ABI 1.<minor>.
uint32_t known_input_flags(uint32_t plugin_minor) noexcept {
    return plugin_minor >= 3 ? kInputFlags_1_3 : plugin_minor >= 2 ? kInputFlags_1_2 : kInputFlags_1_0;
}

InputInfo copy_input(DescriptorReader& reader, const impact_input_descriptor& d, const std::string& where,
                     uint32_t plugin_minor) {
    InputInfo in;
    in.key = reader.read_text(d.key, where, "key");
    if (in.key.empty()) throw LoadError(where + ": has no key");
    if (!is_key(in.key))
        throw LoadError(fmt::format("{}: key {} is not [a-z][a-z0-9_]* (lower-case letters, digits, underscores)",
                                    where, quote_text(in.key)));
    const std::string named = fmt::format("{} '{}'", where, in.key);
    in.label = reader.read_text(d.label, named, "label");
    in.description = reader.read_text(d.description, named, "description");
    if (d.kind > IMPACT_KIND_SERIES) throw LoadError(fmt::format("{}: unknown kind {}", named, d.kind));
    in.kind = d.kind;
    in.unit = reader.read_text(d.unit, named, "unit");
    if (const uint32_t unknown = d.flags & ~known_input_flags(plugin_minor))
        throw LoadError(fmt::format("{}: unknown flags {:#x} (for a plugin of ABI 1.{})", named, unknown, plugin_minor));
    in.required = (d.flags & IMPACT_INPUT_REQUIRED) != 0;
    in.prepared = (d.flags & IMPACT_INPUT_PREPARED) != 0;
    if (in.prepared && !in.is_numeric()) throw LoadError(named + ": is flagged prepared but is not numeric");
    in.optional_row = (d.flags & IMPACT_INPUT_OPTIONAL_ROW) != 0;
    // Left out means NaN in every row: only a batch column can be, and a required or defaulted
    // input can never be left out, so the combination would be a contradiction.
    if (in.optional_row && !in.is_row_input())
        throw LoadError(named + ": is flagged optional per row but is not a batch input (numeric, not prepared)");
    if (in.optional_row && (d.flags & (IMPACT_INPUT_REQUIRED | IMPACT_INPUT_HAS_DEFAULT)))
        throw LoadError(named + ": is flagged optional per row and also required or defaulted");
    if (d.flags & IMPACT_INPUT_HAS_DEFAULT) {
        if (in.kind == IMPACT_KIND_SERIES) throw LoadError(named + ": is a series and cannot have a default");
        if (in.is_numeric()) {
            if (std::isnan(d.default_number)) throw LoadError(named + ": default is NaN");
            in.default_number = d.default_number;
        } else {
            in.default_text = reader.read_text(d.default_text, named, "default_text");
        }
        if (in.kind == IMPACT_KIND_DATE && !text::parse_iso_date(*in.default_text))
            throw LoadError(fmt::format("{}: default {} is not a date YYYY-MM-DD", named, quote_text(*in.default_text)));
    }
    if (d.flags & IMPACT_INPUT_HAS_MIN) {
        if (std::isnan(d.min_value)) throw LoadError(named + ": minimum is NaN");
        in.min_value = d.min_value;
        in.min_exclusive = (d.flags & IMPACT_INPUT_MIN_EXCLUSIVE) != 0;
    }
    if (d.flags & IMPACT_INPUT_HAS_MAX) {
        if (std::isnan(d.max_value)) throw LoadError(named + ": maximum is NaN");
        in.max_value = d.max_value;
        in.max_exclusive = (d.flags & IMPACT_INPUT_MAX_EXCLUSIVE) != 0;
    }
    if (in.min_value && in.max_value && *in.min_value > *in.max_value)
        throw LoadError(fmt::format("{}: minimum {} is greater than maximum {}", named, *in.min_value, *in.max_value));
    // A default is a value the model receives without the user writing it: it must pass the
    // model's own bounds, or `validate` passes and `run` blames the user for a value never written.
    if (in.default_number) {
        if (!std::isfinite(*in.default_number))
            throw LoadError(fmt::format("{}: default {} is not a finite number", named, *in.default_number));
        if (const auto problem = bound_violation(in, *in.default_number))
            throw LoadError(fmt::format("{}: default {} breaks its own bound (must be {})", named, *in.default_number,
                                        *problem));
    }
    return in;
}

// Every "{name}" in a unit must name a text input of the model: the host fills it with that
// input's value, and an unresolvable placeholder would reach reports as "{nope}".
void check_unit_placeholders(const ModelInfo& model, std::string_view unit, const std::string& where) {
    std::string problem;
    resolve_unit_placeholders(unit, [&](std::string_view name) -> const std::string* {
        const InputInfo* in = model.find_input(name);
        if (problem.empty() && (!in || in->kind != IMPACT_KIND_TEXT))
            problem = fmt::format("{}: unit {} names {{{}}}, which is not a text input of the model", where,
                                  quote_text(std::string(unit)), name);
        return nullptr;
    });
    if (!problem.empty()) throw LoadError(problem);
}

OutputInfo copy_output(DescriptorReader& reader, const impact_output_descriptor& o, const std::string& where) {
    OutputInfo out;
    out.key = reader.read_text(o.key, where, "key");
    if (out.key.empty()) throw LoadError(where + ": has no key");
    if (!is_key(out.key))
        throw LoadError(fmt::format("{}: key {} is not [a-z][a-z0-9_]* (lower-case letters, digits, underscores)",
                                    where, quote_text(out.key)));
    const std::string named = fmt::format("{} '{}'", where, out.key);
    out.label = reader.read_text(o.label, named, "label");
    out.description = reader.read_text(o.description, named, "description");
    out.unit = reader.read_text(o.unit, named, "unit");
    // 1.2 fields: a 1.0 or 1.1 descriptor ends before them and reads as no flags, neutral.
    if (IMPACT_HAS_FIELD(&o, impact_output_descriptor, flags)) {
        if (const uint32_t unknown = o.flags & ~kOutputFlags_1_2)
            throw LoadError(fmt::format("{}: unknown flags {:#x}", named, unknown));
        out.may_be_undefined = (o.flags & IMPACT_OUTPUT_MAY_BE_UNDEFINED) != 0;
    }
    if (IMPACT_HAS_FIELD(&o, impact_output_descriptor, direction)) {
        if (o.direction > IMPACT_DIRECTION_HIGHER_IS_WORSE)
            throw LoadError(fmt::format("{}: unknown direction {} (0 neutral, 1 higher is better, 2 higher is worse)",
                                        named, o.direction));
        out.direction = o.direction;
    }
    return out;
}

ModelInfo copy_model(DescriptorReader& reader, const impact_model_descriptor& d, uint32_t index,
                     const std::string& file, uint32_t plugin_minor) {
    const std::string where = fmt::format("{}: model #{}", file, index);
    ModelInfo model;
    model.id = reader.read_text(d.id, where, "id");
    if (!is_model_id(model.id))
        throw LoadError(fmt::format("{}: model id {} is not lower-case dot-separated words", where, quote_text(model.id)));
    const std::string named = fmt::format("{} '{}'", where, model.id);
    model.name = reader.read_text(d.name, named, "name");
    model.version = reader.read_text(d.version, named, "version");
    if (!is_semver(model.version))
        throw LoadError(fmt::format("{}: version {} is not semver (MAJOR.MINOR.PATCH)", named, quote_text(model.version)));
    model.description = reader.read_text(d.description, named, "description");
    if (d.thread_safety > IMPACT_THREAD_FULLY_SAFE)
        throw LoadError(fmt::format("{}: unknown thread safety {}", named, d.thread_safety));
    model.thread_safety = d.thread_safety;
    if (IMPACT_HAS_FIELD(&d, impact_model_descriptor, references))
        model.references = reader.read_text(d.references, named, "references");
    model.descriptor_index = index;

    if (d.input_count > IMPACT_MAX_INPUTS)
        throw LoadError(fmt::format("{}: input_count {} is more than the host accepts (IMPACT_MAX_INPUTS {})", named,
                                    d.input_count, IMPACT_MAX_INPUTS));
    if (d.output_count > IMPACT_MAX_OUTPUTS)
        throw LoadError(fmt::format("{}: output_count {} is more than the host accepts (IMPACT_MAX_OUTPUTS {})", named,
                                    d.output_count, IMPACT_MAX_OUTPUTS));
    if (d.input_count > 0 && !d.inputs) throw LoadError(named + ": inputs is NULL");
    if (d.output_count > 0 && !d.outputs) throw LoadError(named + ": outputs is NULL");
    if (d.output_count == 0) throw LoadError(named + ": declares no outputs");

    // Arrays of growable structs are stepped by element 0's struct_size (the SDK's array rule).
    std::set<std::string, std::less<>> keys;
    uint32_t stride = 0;
    for (uint32_t i = 0; i < d.input_count; ++i) {
        const std::string input_where = fmt::format("{}: input #{}", where, i);
        const auto raw = reader.read_element(d.inputs, i, stride, kInputSize_1_0, input_where, "input descriptor");
        if (i == 0) stride = raw.struct_size;
        model.inputs.push_back(copy_input(reader, raw, input_where, plugin_minor));
        if (!keys.insert(model.inputs.back().key).second)
            throw LoadError(fmt::format("{}: input key '{}' appears twice", named, model.inputs.back().key));
    }
    keys.clear();
    stride = 0;
    for (uint32_t i = 0; i < d.output_count; ++i) {
        const std::string output_where = fmt::format("{}: output #{}", where, i);
        const auto raw = reader.read_element(d.outputs, i, stride, kOutputSize_1_0, output_where, "output descriptor");
        if (i == 0) stride = raw.struct_size;
        model.outputs.push_back(copy_output(reader, raw, output_where));
        if (!keys.insert(model.outputs.back().key).second)
            throw LoadError(fmt::format("{}: output key '{}' appears twice", named, model.outputs.back().key));
    }
    for (const InputInfo& in : model.inputs)
        check_unit_placeholders(model, in.unit, fmt::format("{}: input '{}'", named, in.key));
    for (const OutputInfo& out : model.outputs)
        check_unit_placeholders(model, out.unit, fmt::format("{}: output '{}'", named, out.key));
    return model;
}

// Calls into the plugin during loading; a C++ exception thrown across the C ABI is a
// contract violation, reported as a refusal instead of taking the host down.
template <class F>
auto call_plugin(const std::string& file, const char* what, F&& f) {
    try {
        return f();
    } catch (const std::exception& e) {
        throw LoadError(fmt::format("{}: {} threw a C++ exception across the C ABI: {}", file, what,
                                    text::printable(e.what())));
    } catch (...) {
        throw LoadError(fmt::format("{}: {} threw a C++ exception across the C ABI", file, what));
    }
}

// Why model_descriptor(index) returned NULL, from the optional "impact.descriptor-diagnostics/1"
// interface (1.2): ": <the plugin's message>", or "" when the plugin cannot say.
std::string descriptor_failure_text(DescriptorReader& reader, const impact_plugin_entry& entry, uint32_t index,
                                    const std::string& where) {
    const void* table = call_plugin(where, "get_interface", [&] {
        return entry.get_interface(IMPACT_DESCRIPTOR_DIAGNOSTICS_V1);
    });
    if (!table) return {};
    const auto diagnostics =
        reader.read_table<impact_descriptor_diagnostics_v1>(table, where, IMPACT_DESCRIPTOR_DIAGNOSTICS_V1);
    if (!diagnostics.descriptor_failure) return {};
    // Host-side storage, as core/host/model.cpp gives every call that can fail.
    std::array<char, 1024> message{};
    std::array<char, 128> input_key{};
    impact_error error{sizeof(impact_error), message.data(), static_cast<uint32_t>(message.size()),
                       input_key.data(),     static_cast<uint32_t>(input_key.size()), -1};
    const impact_status status = call_plugin(where, "descriptor_failure", [&] {
        return diagnostics.descriptor_failure(index, &error);
    });
    message.back() = '\0';  // a plugin that ignored the capacity still yields a terminated string
    if (status == IMPACT_STATUS_OK) return " (descriptor_failure reports no error)";
    if (!message[0]) return fmt::format(" (descriptor_failure: status {} and no message)", status);
    return ": " + text::printable(message.data());
}

}  // namespace

LoadedPlugin::~LoadedPlugin() {
    // dlclose runs the plugin's destructors: plugin code, in flight like any call. A library
    // refused during load has no file yet; load's own guard covers it.
    if (info_.file.empty()) return;
    const PluginCallGuard in_flight("unload", info_.file.c_str());
    library_.reset();
}

std::shared_ptr<const LoadedPlugin> LoadedPlugin::load_isolated(const std::filesystem::path& file,
                                                                const isolation::IsolationLimits& limits) {
    const std::string name = file.string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw LoadError(name + ": not a regular file");
    isolation::WorkerLoadFailure failure;
    std::unique_ptr<isolation::IsolatedPlugin> isolated = isolation::IsolatedPlugin::load(file, limits, failure);
    if (!isolated) {
        if (failure.transient) throw TransientLoadError(failure.reason);
        throw LoadError(failure.reason);
    }
    std::shared_ptr<LoadedPlugin> plugin(new LoadedPlugin());
    plugin->info_ = isolated->info();
    plugin->isolated_ = std::move(isolated);
    return plugin;
}

impact_status LoadedPlugin::create_instance(const char* model_id, const impact_prepare_args* args,
                                            impact_model_instance** out_instance, impact_error* error) const {
    if (isolated_) return isolated_->create(model_id, args, out_instance, error);
    return factory_.create(model_id, args, out_instance, error);
}

std::shared_ptr<const LoadedPlugin> LoadedPlugin::load(const std::filesystem::path& file) {
    const std::string name = file.string();
    // dlopen runs the library's constructors, and the descriptor calls below are plugin code.
    const PluginCallGuard in_flight("load", name.c_str());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) throw LoadError(name + ": not a regular file");

    check_not_truncated(file);
    std::shared_ptr<LoadedPlugin> plugin(new LoadedPlugin());
    try {
        // The throwing overload keeps dlerror()'s text; the error_code one loses it.
        plugin->library_ = std::make_unique<boost::dll::shared_library>(
            file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception& e) {
        throw LoadError(fmt::format("{}: cannot load: {}", name,
                                    text::printable(without_file_prefix(loader_reason(e.what()), name))));
    }
    boost::dll::shared_library& library = *plugin->library_;

    if (!library.has(IMPACT_PLUGIN_ENTRY_SYMBOL)) {
        const std::string other = other_major_entry(library);
        if (!other.empty())
            throw LoadError(fmt::format("{}: built for SDK ABI major {} (exports {}); this host supports ABI major {}",
                                        name, other.substr(std::string_view("impact_plugin_entry_v").size()),
                                        other, IMPACT_ABI_MAJOR));
        throw LoadError(fmt::format("{}: exports no {}: not an Impact plugin (a plugin defines that entry with "
                                    "IMPACT_PLUGIN(...) in one source file)",
                                    name, IMPACT_PLUGIN_ENTRY_SYMBOL));
    }
    DescriptorReader reader;
    const impact_plugin_entry entry = reader.read_struct<impact_plugin_entry>(
        &library.get<const impact_plugin_entry>(IMPACT_PLUGIN_ENTRY_SYMBOL), kEntrySize_1_0, name,
        IMPACT_PLUGIN_ENTRY_SYMBOL);
    if (entry.abi_major != IMPACT_ABI_MAJOR)
        throw LoadError(fmt::format("{}: plugin ABI {}.{} is not compatible with host ABI {}.{} (major differs)", name,
                                    entry.abi_major, entry.abi_minor, IMPACT_ABI_MAJOR, IMPACT_ABI_MINOR));

    PluginInfo& info = plugin->info_;
    info.file = file;
    info.abi_major = entry.abi_major;
    info.abi_minor = entry.abi_minor;
    info.id = reader.read_text(entry.plugin_id, name, "plugin id");
    if (!is_reverse_dns_id(info.id))
        throw LoadError(fmt::format("{}: plugin id {} is not reverse-DNS (like org.example.models)", name,
                                    quote_text(info.id)));
    info.version = reader.read_text(entry.plugin_version, name, "plugin version");
    if (!is_semver(info.version))
        throw LoadError(fmt::format("{}: plugin version {} is not semver (MAJOR.MINOR.PATCH)", name,
                                    quote_text(info.version)));
    info.name = reader.read_text(entry.plugin_name, name, "plugin name");
    if (!entry.get_interface) throw LoadError(name + ": entry has no get_interface function");

    const void* factory = call_plugin(name, "get_interface", [&] { return entry.get_interface(IMPACT_MODEL_FACTORY_V1); });
    if (!factory) throw LoadError(fmt::format("{}: provides no {} interface", name, IMPACT_MODEL_FACTORY_V1));
    plugin->factory_ = reader.read_table<impact_model_factory_v1>(factory, name, IMPACT_MODEL_FACTORY_V1);
    const impact_model_factory_v1& table = plugin->factory_;
    if (!table.model_count || !table.model_descriptor || !table.create)
        throw LoadError(fmt::format("{}: {} has a NULL function", name, IMPACT_MODEL_FACTORY_V1));

    const uint32_t count = call_plugin(name, "model_count", [&] { return table.model_count(); });
    if (count > IMPACT_MAX_MODELS)
        throw LoadError(fmt::format("{}: model_count() is {}, more than the host accepts (IMPACT_MAX_MODELS {})", name,
                                    count, IMPACT_MAX_MODELS));
    std::set<std::string, std::less<>> ids;
    for (uint32_t i = 0; i < count; ++i) {
        const std::string where = fmt::format("{}: model #{}", name, i);
        const impact_model_descriptor* d =
            call_plugin(name, "model_descriptor", [&] { return table.model_descriptor(i); });
        if (!d)
            throw LoadError(fmt::format("{}: model_descriptor({}) returned NULL{}", where, i,
                                        descriptor_failure_text(reader, entry, i, name)));
        const auto raw = reader.read_struct<impact_model_descriptor>(d, kModelSize_1_0, where, "model descriptor");
        info.models.push_back(copy_model(reader, raw, i, name, entry.abi_minor));
        if (!ids.insert(info.models.back().id).second)
            throw LoadError(fmt::format("{}: model id '{}' appears twice", name, info.models.back().id));
    }
    return plugin;
}

bool is_key(std::string_view key) noexcept {
    if (key.empty() || !(key.front() >= 'a' && key.front() <= 'z')) return false;
    return std::all_of(key.begin(), key.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
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
