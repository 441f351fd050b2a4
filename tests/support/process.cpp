// run_impact of process.hpp: posix_spawn with redirected stdout and stderr, then waitpid.
#include "support/process.hpp"

#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace impact::test {

namespace fs = std::filesystem;

std::string CommandResult::describe() const {
    std::string text = "impact";
    for (const auto& a : args) text += " " + a;
    text += exited ? "\nexit code " + std::to_string(exit_code)
                   : "\nkilled by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
    return text + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
}

std::vector<std::string> impact_environment(const fs::path& scratch, const std::vector<std::string>& extra) {
    const auto starts_with = [](std::string_view text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; };
    // A variable `extra` sets replaces the inherited one: getenv() would find the first.
    const auto set_by_extra = [&](std::string_view entry) {
        const std::string_view name = entry.substr(0, entry.find('=') + 1);
        return std::any_of(extra.begin(), extra.end(), [&](const std::string& e) { return starts_with(e, name); });
    };
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e) {
        const std::string_view entry(*e);
        if (!starts_with(entry, "IMPACT_PLUGIN_PATH=") && !starts_with(entry, "IMPACT_CACHE_DIR=") &&
            !starts_with(entry, "XDG_CACHE_HOME=") && !starts_with(entry, "IMPACT_NO_PLUGIN_CACHE=") &&
            !set_by_extra(entry))
            env_text.emplace_back(entry);
    }
    if (std::none_of(extra.begin(), extra.end(), [&](const std::string& e) { return starts_with(e, "IMPACT_CACHE_DIR="); }))
        env_text.push_back("IMPACT_CACHE_DIR=" + (scratch / "impact-cache").string());
    env_text.insert(env_text.end(), extra.begin(), extra.end());
    return env_text;
}

CommandResult run_impact(const fs::path& impact_exe, const std::vector<std::string>& args, const fs::path& scratch) {
    return run_impact(impact_exe, args, scratch, {});
}

CommandResult run_impact(const fs::path& impact_exe, const std::vector<std::string>& args, const fs::path& scratch,
                         const std::vector<std::string>& environment) {
    CommandResult result;
    result.args = args;
    const std::string out_file = (scratch / "stdout.txt").string();
    const std::string err_file = (scratch / "stderr.txt").string();

    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

    std::vector<std::string> argv_text{impact_exe.string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_text = impact_environment(scratch, environment);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = 0;
    const int spawn_error = ::posix_spawn(&pid, impact_exe.c_str(), &actions, nullptr, argv.data(), envp.data());
    ::posix_spawn_file_actions_destroy(&actions);
    if (spawn_error != 0)
        throw std::runtime_error("posix_spawn " + impact_exe.string() + ": " + std::strerror(spawn_error));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exited = WIFEXITED(status);
    result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
    result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    result.out = read_file(out_file);
    result.err = read_file(err_file);
    fs::remove(out_file);
    fs::remove(err_file);
    return result;
}

}  // namespace impact::test
