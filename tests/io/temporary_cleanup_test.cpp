// io::PendingTemporary: a SIGINT, SIGTERM or SIGHUP removes the pending temporary, and still ends the process.
#include "io_test_support.hpp"

#include "io/temporary_cleanup.hpp"

#include <catch2/catch.hpp>

#include <csignal>

namespace {

using namespace io_test;

// Forks a child that creates `name` in `dir`, keeps it pending (or not), and raises `signal_number`;
// returns the child's wait status.
int child_killed_with_temporary(const fs::path& dir, const std::string& name, int signal_number, bool pending) {
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        // As in a fresh `impact`: the test framework's own handlers would otherwise be left alone.
        for (const int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, SIG_DFL);
        const int folder_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        const int fd = ::openat(folder_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (folder_fd < 0 || fd < 0) ::_exit(10);
        if (pending) {
            const impact::io::PendingTemporary guard(folder_fd, name);
            ::raise(signal_number);
        } else {
            { const impact::io::PendingTemporary guard(folder_fd, name); }  // armed, then released
            ::raise(signal_number);
        }
        ::_exit(11);  // not reached: the signal's default action ends the process
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

TEST_CASE("a signal removes the pending temporary and still ends the process by that signal", "[io]") {
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
        TempDir dir;
        const std::string name = ".impact-1-00000000000000aa.tmp";
        const int status = child_killed_with_temporary(dir.path(), name, signal_number, /*pending=*/true);
        INFO("signal " << signal_number);
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == signal_number);
        CHECK_FALSE(fs::exists(dir.path() / name));
    }
}

TEST_CASE("a released PendingTemporary leaves the file alone", "[io]") {
    TempDir dir;
    const std::string name = "kept.tmp";
    const int status = child_killed_with_temporary(dir.path(), name, SIGTERM, /*pending=*/false);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    CHECK(fs::exists(dir.path() / name));
}
