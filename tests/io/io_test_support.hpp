// Helpers shared by the io tests: folder listings, file modes, and running `impact` with a time limit.
#pragma once

#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace io_test {

namespace fs = std::filesystem;

using impact::test::CommandResult;
using impact::test::read_file;
using impact::test::TempDir;
using impact::test::write_file;

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// Exactly one line, ending in '\n'.
inline bool is_one_line(const std::string& text) {
    return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

// The names in a folder, hidden ones included, so a test sees any temporary left behind.
inline std::set<std::string> names_in(const fs::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

inline std::string joined(const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return "{" + out + "}";
}

// Permission bits of a file (not following a symbolic link).
inline unsigned mode_of(const fs::path& file) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0) throw std::runtime_error("lstat " + file.string() + ": " + std::strerror(errno));
    return static_cast<unsigned>(info.st_mode & 07777);
}

inline struct stat lstat_of(const fs::path& file) {
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0) throw std::runtime_error("lstat " + file.string() + ": " + std::strerror(errno));
    return info;
}

// Sets the umask for the life of the guard (a spawned `impact` inherits it).
class UmaskGuard {
public:
    explicit UmaskGuard(mode_t mask) : previous_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(previous_); }
    UmaskGuard(const UmaskGuard&) = delete;
    UmaskGuard& operator=(const UmaskGuard&) = delete;

private:
    mode_t previous_;
};

// How a time-limited run ended.
struct TimedResult {
    CommandResult command;
    bool timed_out = false;  // killed with SIGKILL at the time limit
    double seconds = 0;
};

// Runs `exe args...` like impact::test::run_impact (posix_spawn, stdin /dev/null, no IMPACT_PLUGIN_PATH),
// but kills it after `timeout_seconds`; with `signal_number`, sends that signal after `signal_delay_seconds`.
inline TimedResult run_impact_timed(const fs::path& exe, const std::vector<std::string>& args, const fs::path& scratch,
                                    double timeout_seconds = 10, int signal_number = 0,
                                    double signal_delay_seconds = 0) {
    TimedResult result;
    result.command.args = args;
    const std::string out_file = (scratch / "stdout.txt").string();
    const std::string err_file = (scratch / "stderr.txt").string();
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> argv_text{exe.string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = impact::test::impact_environment(scratch);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int spawn_error = ::posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data());
    ::posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0) throw std::runtime_error("posix_spawn " + exe.string() + ": " + std::strerror(spawn_error));
    bool signalled = signal_number == 0;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!signalled && elapsed >= signal_delay_seconds) {
            ::kill(pid, signal_number);
            signalled = true;
        }
        if (elapsed >= timeout_seconds) {
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.command.exited = WIFEXITED(status);
    result.command.exit_code = result.command.exited ? WEXITSTATUS(status) : -1;
    result.command.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.command.out = read_file(out_file);
    result.command.err = read_file(err_file);
    fs::remove(out_file);
    fs::remove(err_file);
    return result;
}

}  // namespace io_test
