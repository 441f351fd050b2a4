// io::PendingTemporary: a SIGINT, SIGTERM or SIGHUP removes every pending temporary, and still ends the process.
#include "io_test_support.hpp"

#include "io/temporary_cleanup.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <stdexcept>
#include <vector>

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

namespace {

// Forks a child that creates `names` in `dir`, arms a PendingTemporary for each, releases the ones
// marked in `released`, and raises SIGTERM. Exit codes of a child that did not get that far: 10 a
// file could not be made, 12 arming one more guard than there are slots did not throw
// std::length_error, 13 the signal did not end it.
int child_killed_with_temporaries(const fs::path& dir, const std::vector<std::string>& names,
                                  const std::vector<bool>& released, bool arm_one_too_many) {
    const pid_t child = ::fork();
    if (child < 0) throw std::runtime_error("fork failed");
    if (child == 0) {
        for (const int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, SIG_DFL);
        const int folder_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (folder_fd < 0) ::_exit(10);
        std::vector<std::unique_ptr<impact::io::PendingTemporary>> guards;
        for (const std::string& name : names) {
            const int fd = ::openat(folder_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
            if (fd < 0) ::_exit(10);
            ::close(fd);
            guards.push_back(std::make_unique<impact::io::PendingTemporary>(folder_fd, name));
        }
        for (std::size_t i = 0; i < released.size(); ++i)
            if (released[i]) guards[i].reset();
        if (arm_one_too_many) {
            try {
                const impact::io::PendingTemporary one_more(folder_fd, "one-more.tmp");
                ::_exit(12);
            } catch (const std::length_error&) {
            }
        }
        ::raise(SIGTERM);
        ::_exit(13);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

}  // namespace

TEST_CASE("a signal removes every pending temporary, up to all 16 slots, and a 17th guard is refused", "[io]") {
    static_assert(impact::io::kMaxPendingTemporaries == 16);
    TempDir dir;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < impact::io::kMaxPendingTemporaries; ++i)
        names.push_back(".impact-1-" + std::to_string(1000 + i) + ".tmp");
    const int status = child_killed_with_temporaries(dir.path(), names, {}, /*arm_one_too_many=*/true);
    INFO("child exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    INFO("folder holds " << joined(names_in(dir.path())));
    CHECK(names_in(dir.path()).empty());
}

TEST_CASE("the handler stays while any guard lives: releasing one keeps its file, the others are removed", "[io]") {
    TempDir dir;
    const std::vector<std::string> names{"first.tmp", "second.tmp", "third.tmp"};
    // The first guard made is released first: the handler must stay for the two still pending.
    const int status =
        child_killed_with_temporaries(dir.path(), names, {true, false, false}, /*arm_one_too_many=*/false);
    INFO("child exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGTERM);
    INFO("folder holds " << joined(names_in(dir.path())));
    CHECK(names_in(dir.path()) == std::set<std::string>{"first.tmp"});
}

TEST_CASE("remove_pending_temporary removes every pending temporary", "[io]") {
    TempDir dir;
    const int folder_fd = ::open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(folder_fd >= 0);
    const std::string kept = dir.write("kept.tmp", "x").filename().string();
    dir.write("a.tmp", "x");
    dir.write("b.tmp", "x");
    {
        { const impact::io::PendingTemporary released(folder_fd, kept); }
        const impact::io::PendingTemporary a(folder_fd, "a.tmp");
        const impact::io::PendingTemporary b(folder_fd, "b.tmp");
        impact::io::remove_pending_temporary();
        INFO("folder holds " << joined(names_in(dir.path())));
        CHECK(names_in(dir.path()) == std::set<std::string>{"kept.tmp"});
    }
    ::close(folder_fd);
}
