// io::write_file_atomically: what it refuses (and leaves untouched), modes and owners kept, no temporaries left.
#include "io_test_support.hpp"

#include "io/output_file.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/types.h>

#include <csignal>

namespace {

using namespace io_test;
using impact::UserError;
using impact::io::TemporaryKind;
using impact::io::write_file_atomically;

// The message of the UserError `write` throws, or "no error".
template <typename Write>
std::string refusal_of(Write write) {
    try {
        write();
    } catch (const UserError& e) {
        return e.what();
    }
    return "no error";
}

const TemporaryKind kBothKinds[] = {TemporaryKind::unnamed_when_supported, TemporaryKind::named_only};

}  // namespace

TEST_CASE("write_file_atomically writes a new file with 0666 less the umask, and leaves no temporary", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        TempDir dir;
        const fs::path file = dir.path() / "report.txt";
        {
            const UmaskGuard umask(027);
            write_file_atomically(file, "new report\n", {}, kind);
        }
        CHECK(read_file(file) == "new report\n");
        CHECK(mode_of(file) == 0640);
        INFO("folder holds " << joined(names_in(dir.path())));
        CHECK(names_in(dir.path()) == std::set<std::string>{"report.txt"});
    }
}

TEST_CASE("write_file_atomically keeps the mode of the file it replaces", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        TempDir dir;
        const fs::path file = dir.write("report.txt", "old\n");
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        write_file_atomically(file, "new\n", {}, kind);
        CHECK(read_file(file) == "new\n");
        CHECK(mode_of(file) == 0600);
        CHECK(names_in(dir.path()) == std::set<std::string>{"report.txt"});
    }
}

TEST_CASE("write_file_atomically keeps the owner of the file it replaces, or refuses", "[io]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot give a file another owner; owner checks skipped");
        return;
    }
    TempDir dir;
    const fs::path file = dir.write("report.txt", "old\n");
    REQUIRE(::chown(file.c_str(), 1234, 5678) == 0);
    write_file_atomically(file, "new\n");
    CHECK(read_file(file) == "new\n");
    CHECK(lstat_of(file).st_uid == 1234);
    CHECK(lstat_of(file).st_gid == 5678);

    // An unprivileged user who may write the folder and the file, but cannot give a new file
    // root's ownership: refused, file unchanged. The child reports through its exit code.
    TempDir shared;
    fs::permissions(shared.path(), fs::perms::all | fs::perms::sticky_bit);
    const fs::path roots = shared.write("roots.txt", "root's report\n");
    fs::permissions(roots, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                               fs::perms::group_write | fs::perms::others_read | fs::perms::others_write);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
        try {
            write_file_atomically(roots, "nobody's report\n");
        } catch (const UserError& e) {
            const std::string message = e.what();
            ::_exit(contains(message, roots.string() + ": cannot write: it belongs to uid 0 gid 0") ? 0 : 11);
        } catch (...) {
            ::_exit(12);
        }
        ::_exit(13);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(read_file(roots) == "root's report\n");
    CHECK(lstat_of(roots).st_uid == 0);
    INFO("folder holds " << joined(names_in(shared.path())));
    CHECK(names_in(shared.path()) == std::set<std::string>{"roots.txt"});
}

TEST_CASE("write_file_atomically refuses a directory with a true message", "[io]") {
    TempDir dir;
    const fs::path folder = dir.path() / "reports";
    fs::create_directory(folder);
    CHECK(refusal_of([&] { write_file_atomically(folder, "x"); }) ==
          folder.string() + ": cannot write: it is a directory; name a file inside it, such as " +
              (folder / "report.txt").string());
    CHECK(fs::is_directory(folder));
    CHECK(fs::is_empty(folder));
}

TEST_CASE("write_file_atomically refuses a FIFO and leaves it a FIFO", "[io]") {
    TempDir dir;
    const fs::path fifo = dir.path() / "pipe";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(refusal_of([&] { write_file_atomically(fifo, "x"); }) ==
          fifo.string() + ": cannot write: it is a FIFO, not a regular file; leave out -o and redirect stdout to send "
                          "the report there");
    CHECK(fs::is_fifo(fifo));
    CHECK(names_in(dir.path()) == std::set<std::string>{"pipe"});
}

TEST_CASE("write_file_atomically refuses a character device and leaves the device node", "[io]") {
    if (::geteuid() != 0) {
        WARN("not root: cannot make a device node; device check skipped");
        return;
    }
    TempDir dir;
    // Our own null device (1, 3) in a temporary folder: the system's /dev/null is never a target.
    const fs::path device = dir.path() / "null";
    REQUIRE(::mknod(device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK(refusal_of([&] { write_file_atomically(device, "x"); }) ==
          device.string() + ": cannot write: it is a character device, not a regular file; leave out -o and redirect "
                            "stdout to send the report there");
    CHECK(fs::is_character_file(device));
    CHECK(lstat_of(device).st_rdev == makedev(1, 3));
}

TEST_CASE("write_file_atomically refuses a socket", "[io]") {
    TempDir dir;
    const fs::path socket_file = dir.path() / "sock";
    REQUIRE(::mknod(socket_file.c_str(), S_IFSOCK | 0600, 0) == 0);
    CHECK(contains(refusal_of([&] { write_file_atomically(socket_file, "x"); }), ": cannot write: it is a socket"));
    CHECK(fs::is_socket(socket_file));
}

TEST_CASE("write_file_atomically refuses a symbolic link, naming its target, and changes neither", "[io]") {
    TempDir dir;
    const fs::path target = dir.write("real.txt", "real\n");
    const fs::path link = dir.path() / "link.txt";
    fs::create_symlink("real.txt", link);
    CHECK(refusal_of([&] { write_file_atomically(link, "x"); }) ==
          link.string() + ": cannot write: it is a symbolic link to real.txt; name that file itself to replace it, or "
                          "remove the link");
    CHECK(fs::is_symlink(link));
    CHECK(fs::read_symlink(link) == "real.txt");
    CHECK(read_file(target) == "real\n");

    SECTION("a dangling link too") {
        const fs::path dangling = dir.path() / "dangling.txt";
        fs::create_symlink("nowhere.txt", dangling);
        CHECK(contains(refusal_of([&] { write_file_atomically(dangling, "x"); }), "symbolic link to nowhere.txt"));
        CHECK_FALSE(fs::exists(dir.path() / "nowhere.txt"));
    }
}

TEST_CASE("write_file_atomically refuses a file with more than one hard link", "[io]") {
    TempDir dir;
    const fs::path file = dir.write("report.txt", "old\n");
    fs::create_hard_link(file, dir.path() / "other-name.txt");
    CHECK(refusal_of([&] { write_file_atomically(file, "new\n"); }) ==
          file.string() + ": cannot write: it has 2 hard links, and replacing it would leave the other names with the old "
                          "content; remove the other links, or choose another file");
    CHECK(read_file(file) == "old\n");
    CHECK(lstat_of(file).st_nlink == 2);
}

TEST_CASE("write_file_atomically refuses the run's input files, compared by device and inode", "[io]") {
    TempDir dir;
    const fs::path scenario = dir.write("scenario.toml", "[scenario]\n");
    const fs::path data = dir.write("data/prices.csv", "date,close\n");
    const std::vector<fs::path> inputs{scenario, data};
    CHECK(refusal_of([&] { write_file_atomically(scenario, "report", inputs); }) ==
          scenario.string() + ": cannot write: it is " + scenario.string() +
              ", a file this run reads or runs; choose another output file");
    // Another spelling of the same file.
    const fs::path other_spelling = dir.path() / "data" / ".." / "data" / "prices.csv";
    CHECK(contains(refusal_of([&] { write_file_atomically(other_spelling, "report", inputs); }),
                   "it is " + data.string() + ", a file this run reads or runs"));
    CHECK(read_file(scenario) == "[scenario]\n");
    CHECK(read_file(data) == "date,close\n");
}

TEST_CASE("write_file_atomically refuses a read-only file", "[io]") {
    if (::geteuid() == 0) {
        WARN("root may write any file; read-only check skipped");
        return;
    }
    TempDir dir;
    const fs::path file = dir.write("report.txt", "old\n");
    fs::permissions(file, fs::perms::owner_read);
    CHECK(contains(refusal_of([&] { write_file_atomically(file, "new\n"); }), "it is read-only (mode 0400)"));
    CHECK(read_file(file) == "old\n");
}

TEST_CASE("write_file_atomically writes a 250-character file name", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        TempDir dir;
        const fs::path file = dir.path() / (std::string(246, 'r') + ".txt");
        write_file_atomically(file, "long name\n", {}, kind);
        CHECK(read_file(file) == "long name\n");
        write_file_atomically(file, "replaced\n", {}, kind);
        CHECK(read_file(file) == "replaced\n");
        CHECK(names_in(dir.path()).size() == 1);
    }
}

TEST_CASE("write_file_atomically into a missing folder names the folder", "[io]") {
    TempDir dir;
    const fs::path file = dir.path() / "missing" / "report.txt";
    CHECK(refusal_of([&] { write_file_atomically(file, "x"); }) ==
          file.string() + ": cannot write: folder " + (dir.path() / "missing").string() + " does not exist; create it first");
}

TEST_CASE("a failed write leaves the old file and no temporary", "[io]") {
    // A file-size limit makes write() fail with EFBIG after the temporary exists; SIGXFSZ would kill us.
    struct rlimit saved {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    for (const TemporaryKind kind : kBothKinds) {
        TempDir dir;
        const fs::path file = dir.write("report.txt", "old\n");
        struct rlimit small = saved;
        small.rlim_cur = 1024;
        REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
        const std::string message = refusal_of([&] { write_file_atomically(file, std::string(4096, 'x'), {}, kind); });
        ::setrlimit(RLIMIT_FSIZE, &saved);
        CHECK(contains(message, file.string() + ": cannot write: File too large while writing a temporary file in "));
        CHECK(contains(message, "; the existing file is unchanged"));
        CHECK(read_file(file) == "old\n");
        INFO("folder holds " << joined(names_in(dir.path())));
        CHECK(names_in(dir.path()) == std::set<std::string>{"report.txt"});
    }
    std::signal(SIGXFSZ, previous_handler);
}

TEST_CASE("a write removes stale temporaries of dead runs older than a minute, and only those", "[io]") {
    TempDir dir;
    // A pid that is certainly gone: a child that has exited and been reaped.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const long dead = static_cast<long>(child);
    const long alive = static_cast<long>(::getpid());

    const auto two_minutes_ago = fs::file_time_type::clock::now() - std::chrono::minutes(2);
    const auto make = [&](const std::string& name, bool old) {
        const fs::path file = dir.write(name, "partial");
        if (old) fs::last_write_time(file, two_minutes_ago);
    };
    const std::string dead_old = ".impact-" + std::to_string(dead) + "-00112233aabbccdd.tmp";
    const std::string dead_young = ".impact-" + std::to_string(dead) + "-0123456789abcdef.tmp";
    const std::string alive_old = ".impact-" + std::to_string(alive) + "-00112233aabbccdd.tmp";
    const std::string not_ours = ".impact-notes.tmp";
    make(dead_old, true);
    make(dead_young, false);
    make(alive_old, true);
    make(not_ours, true);

    write_file_atomically(dir.path() / "report.txt", "report\n");
    INFO("folder holds " << joined(names_in(dir.path())));
    CHECK(names_in(dir.path()) == std::set<std::string>{dead_young, alive_old, not_ours, "report.txt"});
}
