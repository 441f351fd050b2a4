// Runs the built `impact` as a user would (posix_spawn, no shell) and captures its exit status, stdout and stderr.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace impact::test {

// How one run of `impact` ended and what it printed.
struct CommandResult {
    std::vector<std::string> args;  // the arguments after the program name
    bool exited = false;            // ended through exit(), not killed by a signal
    int exit_code = -1;
    int signal = 0;
    std::string out;
    std::string err;

    // The command line, how it ended, stdout and stderr: for INFO() on failure.
    std::string describe() const;
};

// Runs `impact_exe args...` directly with posix_spawn: no shell, so no argument is ever parsed as
// shell text. stdin is /dev/null; stdout and stderr go to stdout.txt and stderr.txt in `scratch`,
// which are read back and removed. IMPACT_PLUGIN_PATH is left out of the environment, so only the
// bundled folder and --plugin-dir are searched, whatever environment the tests run in. The plugin
// cache variables (IMPACT_CACHE_DIR, XDG_CACHE_HOME, IMPACT_NO_PLUGIN_CACHE) are replaced by
// IMPACT_CACHE_DIR=<scratch>/impact-cache, so no test reads or writes the user's ~/.cache.
CommandResult run_impact(const std::filesystem::path& impact_exe, const std::vector<std::string>& args,
                         const std::filesystem::path& scratch);

// The environment run_impact gives `impact`: this process's, without IMPACT_PLUGIN_PATH and the
// plugin cache variables, with IMPACT_CACHE_DIR=<scratch>/impact-cache unless `extra` sets one,
// then `extra` ("NAME=value" each).
std::vector<std::string> impact_environment(const std::filesystem::path& scratch,
                                            const std::vector<std::string>& extra = {});

// The same with `environment` ("NAME=value" each) added last; an IMPACT_CACHE_DIR there replaces
// the scratch one.
CommandResult run_impact(const std::filesystem::path& impact_exe, const std::vector<std::string>& args,
                         const std::filesystem::path& scratch, const std::vector<std::string>& environment);

}  // namespace impact::test
