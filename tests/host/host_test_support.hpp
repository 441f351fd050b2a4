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
inline constexpr const char* reason_no_entry_hint = "defines it with IMPACT_PLUGIN(...) in one source file";
inline constexpr const char* reason_future_major = "major 2";
inline constexpr const char* reason_undefined = "undefined symbol: impact_test_never_defined";
inline constexpr const char* reason_threw = "threw a C++ exception";

// "1.1": the host's ABI version as its messages print it.
inline std::string host_abi_version() {
    return std::to_string(IMPACT_ABI_MAJOR) + "." + std::to_string(IMPACT_ABI_MINOR);
}

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
