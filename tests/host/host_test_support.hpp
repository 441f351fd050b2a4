// Helpers shared by the host tests: test-plugin paths, bad-plugin folders, crash-isolated runs, temp folders.
#pragma once

#include "support/temp_dir.hpp"

#include <impact/sdk/impact_plugin.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace host_test {

namespace fs = std::filesystem;

using impact::test::read_file;
using impact::test::TempDir;
using impact::test::write_file;

// The purpose-built plugins, each in a folder of its own (tests/host/CMakeLists.txt).
inline const fs::path good_a_file{IMPACT_HOST_PLUGIN_GOOD_A};
inline const fs::path good_b_file{IMPACT_HOST_PLUGIN_GOOD_B};
inline const fs::path same_id_file{IMPACT_HOST_PLUGIN_SAME_ID};
inline const fs::path wrong_major_file{IMPACT_HOST_PLUGIN_WRONG_MAJOR};
inline const fs::path v2_only_file{IMPACT_HOST_PLUGIN_V2_ONLY};
inline const fs::path missing_entry_file{IMPACT_HOST_PLUGIN_MISSING_ENTRY};
inline const fs::path unresolved_file{IMPACT_HOST_PLUGIN_UNRESOLVED};
inline const fs::path throwing_interface_file{IMPACT_HOST_PLUGIN_THROWING_INTERFACE};
inline const fs::path throwing_model_file{IMPACT_HOST_PLUGIN_THROWING_MODEL};
inline const fs::path throwing_spec_file{IMPACT_HOST_PLUGIN_THROWING_SPEC};
inline const fs::path bad_none_file{IMPACT_HOST_PLUGIN_BAD_NONE};

// One plugin per descriptor defect (plugins/bad_descriptor.c), the words its refusal must
// hold, and whether the refusal quotes plugin text that must print escaped.
struct BadDescriptor {
    std::string kind;
    fs::path file;
    std::vector<std::string> reason_parts;
};
inline const std::vector<BadDescriptor>& bad_descriptors() {
    static const std::vector<BadDescriptor> all{
        {"input struct_size 0xFFFFFFFF", IMPACT_HOST_PLUGIN_BAD_INPUT_SIZE,
         {"model #0: input #1: input descriptor struct_size is 4294967295 bytes", "IMPACT_MAX_DESCRIPTOR_SIZE"}},
        {"output struct_size 0xFFFFFFFF", IMPACT_HOST_PLUGIN_BAD_OUTPUT_SIZE,
         {"model #0: output #0: output descriptor struct_size is 4294967295 bytes", "IMPACT_MAX_DESCRIPTOR_SIZE"}},
        {"input key pointer 0x1", IMPACT_HOST_PLUGIN_BAD_KEY_POINTER,
         {"model #0: input #2: key pointer 0x1 is not readable memory"}},
        {"input_count 0xFFFFFFFF", IMPACT_HOST_PLUGIN_BAD_INPUT_COUNT, {"input_count 4294967295", "IMPACT_MAX_INPUTS 256"}},
        {"output_count 0xFFFFFFFF", IMPACT_HOST_PLUGIN_BAD_OUTPUT_COUNT,
         {"output_count 4294967295", "IMPACT_MAX_OUTPUTS 256"}},
        {"model_count 0xFFFFFFFF", IMPACT_HOST_PLUGIN_BAD_MODEL_COUNT, {"model_count() is 4294967295", "IMPACT_MAX_MODELS 1024"}},
        {"output stride 16, below ABI 1.0's 40", IMPACT_HOST_PLUGIN_BAD_OUTPUT_STRIDE,
         {"model #0: output #0: output descriptor struct_size is 16 bytes, smaller than SDK 1.0 defines (40)"}},
        {"output #1 struct_size differs from output #0's", IMPACT_HOST_PLUGIN_BAD_STRIDE_MISMATCH,
         {"model #0: output #1: output descriptor struct_size is 40 bytes but element #0's is 48"}},
        {"capital letter in an input key", IMPACT_HOST_PLUGIN_BAD_CAPITAL_KEY,
         {"model #0: input #0: key 'Amount' is not [a-z][a-z0-9_]*"}},
        {"unknown output direction 7", IMPACT_HOST_PLUGIN_BAD_DIRECTION, {"output #1 'change': unknown direction 7"}},
        {"invalid UTF-8 in an output label", IMPACT_HOST_PLUGIN_BAD_UTF8_LABEL,
         {"output #0 'value': label is not valid UTF-8", "'caf\\xc3('"}},
        {"ESC sequences in the plugin name", IMPACT_HOST_PLUGIN_BAD_ESC_NAME,
         {"plugin name contains control characters", "'\\e[2J\\e[HCleared your screen'"}},
        {"line break in a model description", IMPACT_HOST_PLUGIN_BAD_NEWLINE,
         {"description contains control characters", "'Looks fine\\nRejected: none, every plugin is safe'"}},
        {"input description in a freed page", IMPACT_HOST_PLUGIN_BAD_FREED_PAGE,
         {"model #0: input #0 'amount': description pointer 0x", "is not readable memory"}},
        {"NaN default", IMPACT_HOST_PLUGIN_BAD_NAN_DEFAULT, {"input #0 'amount': default is NaN"}},
        {"default outside the input's own bounds", IMPACT_HOST_PLUGIN_BAD_DEFAULT_BOUNDS,
         {"input #0 'amount': default 1000 breaks its own bound (must be <= 1)"}},
        {"infinite default", IMPACT_HOST_PLUGIN_BAD_INFINITE_DEFAULT,
         {"input #0 'amount': default inf is not a finite number"}},
        {"output unit naming no text input", IMPACT_HOST_PLUGIN_BAD_UNIT_PLACEHOLDER,
         {"output 'value': unit '{nope}' names {nope}, which is not a text input of the model"}},
        {"minimum above maximum", IMPACT_HOST_PLUGIN_BAD_MIN_ABOVE_MAX,
         {"input #0 'amount': minimum 10 is greater than maximum 1"}},
        {"5000-byte model description", IMPACT_HOST_PLUGIN_BAD_LONG_TEXT,
         {"model #0 'test.bad': description is longer than the host accepts (IMPACT_MAX_TEXT_BYTES, 4096 bytes)"}},
        {"spec() throws through the C++ wrapper", IMPACT_HOST_PLUGIN_THROWING_SPEC,
         {"model #0: model_descriptor(0) returned NULL: my spec failed"}},
    };
    return all;
}

// The words of the refusal of an ELF file whose e_phoff is near UINT64_MAX (see elf_with_huge_phoff).
inline const std::vector<std::string> reason_huge_phoff{"program header table at offset 18446744073709551608",
                                                        "ends past the largest file offset"};

inline constexpr const char* good_a_id = "org.impact.test.good-a";
inline constexpr const char* good_b_id = "org.impact.test.good-b";

// Sizes of the truncated copies of good_a. At 1000 bytes the ELF and program headers are
// complete but the segments they describe are cut off; at 40 bytes even the 64-byte ELF
// header is incomplete, which the dynamic loader itself diagnoses.
inline constexpr std::size_t truncated_copy_bytes = 1000;
inline constexpr std::size_t truncated_header_bytes = 40;

// The words each refusal must contain, besides the file's path.
inline constexpr const char* reason_not_elf = "invalid ELF header";
inline constexpr const char* reason_too_short = "file too short";
inline constexpr const char* reason_no_entry = "exports no " IMPACT_PLUGIN_ENTRY_SYMBOL;
inline constexpr const char* reason_no_entry_hint = "defines that entry with IMPACT_PLUGIN(...) in one source file";
inline constexpr const char* reason_future_major = "major 2";
inline constexpr const char* reason_undefined = "undefined symbol: impact_test_never_defined";
inline constexpr const char* reason_threw = "threw a C++ exception";

// "1.1": the host's ABI version as its messages print it.
inline std::string host_abi_version() {
    return std::to_string(IMPACT_ABI_MAJOR) + "." + std::to_string(IMPACT_ABI_MINOR);
}

// A copy of good_a whose ELF header says the program header table starts at UINT64_MAX - 7:
// e_phoff + e_phnum * e_phentsize wraps around to a small number unless checked.
inline fs::path elf_with_huge_phoff(const fs::path& to);

// Copies `from` to `to` (creating its folder) and returns `to`.
inline fs::path copy_file_to(const fs::path& from, const fs::path& to) {
    fs::create_directories(to.parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    return to;
}

// Writes the first `byte_count` bytes of `from` to `to`.
inline fs::path copy_prefix(const fs::path& from, const fs::path& to, std::size_t byte_count) {
    const std::string bytes = read_file(from);
    // A file no longer than the cut would be a complete copy, not a truncated one.
    if (bytes.size() <= byte_count)
        throw std::runtime_error(from.string() + " has only " + std::to_string(bytes.size()) + " bytes");
    write_file(to, std::string_view(bytes).substr(0, byte_count));
    return to;
}

inline fs::path elf_with_huge_phoff(const fs::path& to) {
    std::string bytes = read_file(good_a_file);
    constexpr std::size_t e_phoff_at = 0x20;  // Elf64_Ehdr.e_phoff
    const uint64_t huge = UINT64_MAX - 7;
    if (bytes.size() < 64 || bytes.compare(0, 4, "\x7f" "ELF") != 0)
        throw std::runtime_error(good_a_file.string() + " is not a 64-bit ELF file");
    std::memcpy(bytes.data() + e_phoff_at, &huge, sizeof huge);
    fs::create_directories(to.parent_path());
    write_file(to, bytes);
    return to;
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

inline bool is_one_line(std::string_view text) { return text.find_first_of("\r\n") == std::string_view::npos; }

// `text` with every occurrence of `part` removed, so that a check for a reason's words is not
// satisfied by the file path the reason quotes.
inline std::string without(std::string text, std::string_view part) {
    if (part.empty()) return text;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at)) text.erase(at, part.size());
    return text;
}

// A bad plugin file placed in a test's folder, and the words its refusal must contain.
struct BadFile {
    std::string kind;  // what is wrong with it, for failure messages
    fs::path file;
    std::vector<std::string> reason_parts;
};

// Fills `dir` with one file of each kind of bad plugin, some directly inside it and some one
// folder down (both layouts are searched). The 1000-byte truncated copy of good_a is optional:
// the loader currently crashes on it (SIGBUS inside dlopen), and tests that check other things
// keep it out so that they stay informative; dedicated tests cover it.
inline std::vector<BadFile> make_bad_plugin_folder(const fs::path& dir, bool with_truncated_copy) {
    std::vector<BadFile> bad;
    const fs::path text_file = dir / "x.so";
    // Longer than an ELF header, so the loader reads a whole header and finds no ELF magic.
    write_file(text_file, "This file is named x.so but holds plain text, not a shared library; loading it must fail.\n");
    bad.push_back({"text file named x.so", text_file, {reason_not_elf}});
    bad.push_back({"good_a cut to 40 bytes",
                   copy_prefix(good_a_file, dir / "truncated_header.so", truncated_header_bytes),
                   {reason_too_short}});
    if (with_truncated_copy)
        bad.push_back({"good_a cut to 1000 bytes", copy_prefix(good_a_file, dir / "truncated.so", truncated_copy_bytes),
                       {reason_too_short}});
    bad.push_back({"no entry symbol", copy_file_to(missing_entry_file, dir / "missing_entry" / "missing_entry.so"),
                   {reason_no_entry}});
    bad.push_back({"entry declaring ABI 2.0", copy_file_to(wrong_major_file, dir / "wrong_major.so"),
                   {"2.0", host_abi_version()}});
    bad.push_back({"only impact_plugin_entry_v2", copy_file_to(v2_only_file, dir / "v2_only.so"), {reason_future_major}});
    bad.push_back({"unresolved symbol", copy_file_to(unresolved_file, dir / "unresolved" / "unresolved.so"),
                   {reason_undefined}});
    bad.push_back({"get_interface throws", copy_file_to(throwing_interface_file, dir / "throwing_interface.so"),
                   {reason_threw}});
    bad.push_back({"ELF e_phoff near UINT64_MAX", elf_with_huge_phoff(dir / "huge_phoff.so"), reason_huge_phoff});
    for (const BadDescriptor& d : bad_descriptors())
        bad.push_back({d.kind, copy_file_to(d.file, dir / "descriptors" / d.file.filename()), d.reason_parts});
    return bad;
}

// How a child process ended, and what its body returned.
struct ChildResult {
    bool exited = false;  // ended through exit(), not killed by a signal
    int exit_code = -1;
    int signal = 0;
    std::string output;

    bool ok() const noexcept { return exited && exit_code == 0; }
    std::string describe() const {
        if (exited) return "exited with code " + std::to_string(exit_code);
        return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
    }
};

// Runs `body` in a forked child and returns how the child ended and the string body returned.
// Used where the host may crash (a truncated library can SIGBUS inside dlopen), so that a crash
// fails one test with its signal instead of killing the whole test run. The test process is
// single-threaded, so fork is safe here.
inline ChildResult run_in_child(const std::function<std::string()>& body) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::fflush(nullptr);  // nothing buffered before the fork may be written twice
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::close(fds[0]);
        // Catch2's handlers would report the child's crash as a test failure of its own; the
        // parent reads the signal from waitpid instead.
        for (const int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) std::signal(sig, SIG_DFL);
        int code = 0;
        std::string out;
        try {
            out = body();
        } catch (const std::exception& e) {
            out = std::string("unexpected exception: ") + e.what();
            code = 3;
        } catch (...) {
            out = "unexpected non-standard exception";
            code = 3;
        }
        for (std::size_t done = 0; done < out.size();) {
            const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::_exit(code);  // no atexit handlers, no Catch2 summary from the child
    }
    ::close(fds[1]);
    ChildResult result;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        result.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return result;
}

}  // namespace host_test
