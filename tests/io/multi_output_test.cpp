// io::write_files_atomically: several reports replaced all together or not at all, and no temporary left.
#include "io_test_support.hpp"

#include "io/output_file.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <linux/fs.h>
#include <poll.h>
#include <sys/ioctl.h>

#include <csignal>
#include <map>
#include <stdexcept>

namespace {

using namespace io_test;
using impact::UserError;
using impact::io::ContentSink;
using impact::io::OutputToWrite;
using impact::io::TemporaryKind;
using impact::io::write_files_atomically;

const TemporaryKind kBothKinds[] = {TemporaryKind::unnamed_when_supported, TemporaryKind::named_only};

const char* kind_name(TemporaryKind kind) {
    return kind == TemporaryKind::named_only ? "named_only" : "unnamed_when_supported";
}

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

// An output whose producer writes `content` in two pieces and counts its calls in `calls`.
OutputToWrite output(const fs::path& file, const std::string& content, int& calls) {
    return {file, [&calls, content](const ContentSink& write) {
                ++calls;
                write(content.substr(0, content.size() / 2));
                write(content.substr(content.size() / 2));
            }};
}

// Names in the folder that look like this writer's temporaries.
std::set<std::string> temporaries_in(const fs::path& dir) {
    std::set<std::string> found;
    for (const std::string& name : names_in(dir))
        if (name.rfind(".impact-", 0) == 0) found.insert(name);
    return found;
}

// Three reports, in two folders, each holding an old report from an earlier run.
struct ThreeReports {
    TempDir dir;
    fs::path out = dir.path() / "out";
    fs::path other = dir.path() / "other";
    fs::path md = out / "report.md";
    fs::path html = out / "report.html";
    fs::path xlsx = other / "report.xlsx";
    std::map<fs::path, std::string> old_text{
        {md, "old md\n"}, {html, "<p>old html</p>\n"}, {xlsx, "old xlsx bytes\n"}};

    ThreeReports() {
        for (const auto& [file, text] : old_text) write_file(file, text);
    }

    // Every file holds its old text and the folders hold nothing else.
    void check_all_old() const {
        for (const auto& [file, text] : old_text) {
            INFO(file.string());
            CHECK(read_file(file) == text);
        }
        INFO("out holds " << joined(names_in(out)) << ", other holds " << joined(names_in(other)));
        CHECK(names_in(out) == std::set<std::string>{"report.html", "report.md"});
        CHECK(names_in(other) == std::set<std::string>{"report.xlsx"});
    }
};

}  // namespace

TEST_CASE("write_files_atomically replaces every file, keeping modes, and gives a new one 0666 less the umask",
          "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        INFO(kind_name(kind));
        ThreeReports r;
        fs::permissions(r.md, fs::perms::owner_read | fs::perms::owner_write);
        fs::permissions(r.html, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
        const fs::path fresh = r.out / "report.csv";
        int calls = 0;
        {
            const UmaskGuard umask(027);
            write_files_atomically({output(r.md, "new md\n", calls), output(r.html, "<p>new html</p>\n", calls),
                                    output(r.xlsx, "new xlsx bytes\n", calls), output(fresh, "a,b\n1,2\n", calls)},
                                   {}, kind);
        }
        CHECK(calls == 4);
        CHECK(read_file(r.md) == "new md\n");
        CHECK(read_file(r.html) == "<p>new html</p>\n");
        CHECK(read_file(r.xlsx) == "new xlsx bytes\n");
        CHECK(read_file(fresh) == "a,b\n1,2\n");
        CHECK(mode_of(r.md) == 0600);
        CHECK(mode_of(r.html) == 0640);
        CHECK(mode_of(fresh) == 0640);
        INFO("out holds " << joined(names_in(r.out)) << ", other holds " << joined(names_in(r.other)));
        CHECK(names_in(r.out) == std::set<std::string>{"report.csv", "report.html", "report.md"});
        CHECK(names_in(r.other) == std::set<std::string>{"report.xlsx"});
    }
}

TEST_CASE("write_files_atomically keeps every old file when the third of three producers throws", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        INFO(kind_name(kind));
        ThreeReports r;
        int calls = 0;
        const OutputToWrite failing{r.xlsx, [&calls](const ContentSink& write) {
                                        ++calls;
                                        write("half a spreadsheet");
                                        throw std::runtime_error("the xlsx renderer failed");
                                    }};
        std::string caught = "nothing thrown";
        try {
            write_files_atomically({output(r.md, "new md\n", calls), output(r.html, "<p>new html</p>\n", calls), failing},
                                   {}, kind);
        } catch (const UserError& e) {
            caught = std::string("UserError: ") + e.what();
        } catch (const std::runtime_error& e) {
            caught = e.what();
        }
        // The producer's own exception, after the first two were staged.
        CHECK(caught == "the xlsx renderer failed");
        CHECK(calls == 3);
        r.check_all_old();
    }
}

TEST_CASE("write_files_atomically replaces nothing when one target is a directory", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        INFO(kind_name(kind));
        ThreeReports r;
        fs::remove(r.html);
        fs::create_directory(r.html);
        int calls = 0;
        CHECK(refusal_of([&] {
                  write_files_atomically({output(r.md, "new md\n", calls), output(r.html, "<p>new</p>\n", calls),
                                          output(r.xlsx, "new xlsx\n", calls)},
                                         {}, kind);
              }) == r.html.string() + ": cannot write: it is a directory; name a file inside it, such as " +
                        (r.html / "report.txt").string());
        CHECK(calls == 1);  // the first was staged, then removed
        CHECK(read_file(r.md) == "old md\n");
        CHECK(read_file(r.xlsx) == "old xlsx bytes\n");
        CHECK(fs::is_directory(r.html));
        CHECK(fs::is_empty(r.html));
        INFO("out holds " << joined(names_in(r.out)) << ", other holds " << joined(names_in(r.other)));
        CHECK(names_in(r.out) == std::set<std::string>{"report.html", "report.md"});
        CHECK(names_in(r.other) == std::set<std::string>{"report.xlsx"});
    }
}

TEST_CASE("write_files_atomically checks every target again before the first rename", "[io]") {
    // The second target is replaced by a directory while the third is produced: the first,
    // unchanged, must not be renamed into place before the second's change is found.
    for (const TemporaryKind kind : kBothKinds) {
        INFO(kind_name(kind));
        ThreeReports r;
        int calls = 0;
        const OutputToWrite swapping{r.xlsx, [&](const ContentSink& write) {
                                         ++calls;
                                         fs::remove(r.html);
                                         fs::create_directory(r.html);
                                         write("new xlsx\n");
                                     }};
        CHECK(refusal_of([&] {
                  write_files_atomically({output(r.md, "new md\n", calls), output(r.html, "<p>new</p>\n", calls), swapping},
                                         {}, kind);
              }) == r.html.string() + ": cannot write: it was changed by someone else while the report was written; run again");
        CHECK(calls == 3);
        CHECK(read_file(r.md) == "old md\n");
        CHECK(read_file(r.xlsx) == "old xlsx bytes\n");
        CHECK(fs::is_directory(r.html));
        INFO("out holds " << joined(names_in(r.out)) << ", other holds " << joined(names_in(r.other)));
        CHECK(temporaries_in(r.out).empty());
        CHECK(temporaries_in(r.other).empty());
    }
}

TEST_CASE("write_files_atomically refuses two outputs naming the same file before writing anything", "[io]") {
    ThreeReports r;
    const fs::path link_to_out = r.dir.path() / "link-to-out";
    fs::create_directory_symlink(r.out, link_to_out);
    const fs::path second_name = r.out / "second-name.md";
    fs::create_hard_link(r.md, second_name);

    struct Case {
        const char* what;
        fs::path first;
        fs::path again;
    };
    const Case cases[] = {
        {"the same path", r.md, r.md},
        {"the same path spelled differently", r.md, r.out / "." / ".." / "out" / "report.md"},
        {"a new file through a linked folder", r.out / "new.md", link_to_out / "new.md"},
        {"an existing file through a linked folder", r.html, link_to_out / "report.html"},
        {"another hard link to the same file", r.md, second_name},
    };
    for (const Case& c : cases) {
        INFO(c.what << ": " << c.first << " and " << c.again);
        int calls = 0;
        CHECK(refusal_of([&] {
                  write_files_atomically({output(c.first, "one\n", calls), output(r.xlsx, "xlsx\n", calls),
                                          output(c.again, "two\n", calls)});
              }) == c.again.string() + ": cannot write: it is the same file as " + c.first.string() +
                        ", which this run also writes; give each report a file of its own");
        CHECK(calls == 0);
        CHECK(read_file(r.md) == "old md\n");
        CHECK(read_file(r.html) == "<p>old html</p>\n");
        CHECK(read_file(r.xlsx) == "old xlsx bytes\n");
        CHECK(fs::hard_link_count(r.md) == 2);
        INFO("out holds " << joined(names_in(r.out)));
        CHECK(names_in(r.out) == std::set<std::string>{"report.html", "report.md", "second-name.md"});
    }
}

TEST_CASE("write_files_atomically refuses more outputs than there are pending-temporary slots", "[io]") {
    TempDir dir;
    int calls = 0;
    std::vector<OutputToWrite> outputs;
    for (int i = 0; i < 17; ++i) outputs.push_back(output(dir.path() / ("report-" + std::to_string(i)), "x", calls));
    CHECK_THROWS_AS(write_files_atomically(outputs), std::length_error);
    CHECK(calls == 0);
    CHECK(names_in(dir.path()).empty());
    outputs.pop_back();  // 16 fit
    write_files_atomically(outputs);
    CHECK(calls == 16);
    CHECK(names_in(dir.path()).size() == 16);
}

TEST_CASE("a rename that fails after another succeeded names the files replaced and those not", "[io]") {
    // An immutable target passes every check (it is a writable regular file to root) but cannot
    // be renamed over (EPERM): the one failure that the checks before the renames cannot see.
    if (::geteuid() != 0) {
        WARN("not root: cannot make a file immutable; skipped");
        return;
    }
    ThreeReports r;
    const auto set_immutable = [](const fs::path& file, bool on) {
        const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        int flags = 0;
        bool done = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        done = done && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
        ::close(fd);
        return done;
    };
    if (!set_immutable(r.html, true)) {
        WARN("this file system has no immutable flag; skipped");
        return;
    }
    int calls = 0;
    const std::string message = refusal_of([&] {
        write_files_atomically(
            {output(r.md, "new md\n", calls), output(r.html, "<p>new</p>\n", calls), output(r.xlsx, "new xlsx\n", calls)});
    });
    set_immutable(r.html, false);
    CHECK(message == r.html.string() + ": cannot write: Operation not permitted; the existing file is unchanged; " +
                         "already replaced by this run: " + r.md.string() + "; not replaced: " + r.html.string() + ", " +
                         r.xlsx.string() + "; run again");
    CHECK(read_file(r.md) == "new md\n");
    CHECK(read_file(r.html) == "<p>old html</p>\n");
    CHECK(read_file(r.xlsx) == "old xlsx bytes\n");
    INFO("out holds " << joined(names_in(r.out)) << ", other holds " << joined(names_in(r.other)));
    CHECK(names_in(r.out) == std::set<std::string>{"report.html", "report.md"});
    CHECK(names_in(r.other) == std::set<std::string>{"report.xlsx"});
}

TEST_CASE("a SIGTERM while the third of three reports is produced removes every temporary", "[io]") {
    for (const TemporaryKind kind : kBothKinds) {
        INFO(kind_name(kind));
        ThreeReports r;
        int ready[2];
        int go[2];
        REQUIRE(::pipe(ready) == 0);
        REQUIRE(::pipe(go) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // As in a fresh `impact`: the test framework's own handlers would otherwise be left alone.
            for (const int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, SIG_DFL);
            ::close(ready[0]);
            ::close(go[1]);
            int calls = 0;
            const OutputToWrite blocking{r.xlsx, [&](const ContentSink& write) {
                                             write("part of a spreadsheet");
                                             // Tells the parent it is inside, then waits for a byte that never comes.
                                             char byte = 'r';
                                             if (::write(ready[1], &byte, 1) != 1) ::_exit(20);
                                             while (::read(go[0], &byte, 1) < 0 && errno == EINTR) {
                                             }
                                             ::_exit(21);
                                         }};
            try {
                write_files_atomically({output(r.md, "new md\n", calls), output(r.html, "<p>new</p>\n", calls), blocking},
                                       {}, kind);
            } catch (...) {
                ::_exit(22);
            }
            ::_exit(23);
        }
        ::close(ready[1]);
        ::close(go[0]);
        // Waits for the child to be inside the third producer (EOF if it ended first).
        pollfd wait_ready{ready[0], POLLIN, 0};
        const int polled = ::poll(&wait_ready, 1, 20000);
        char byte = 0;
        const bool inside = polled == 1 && ::read(ready[0], &byte, 1) == 1;
        // Two named temporaries for the staged reports; the third's is named only without O_TMPFILE.
        const std::set<std::string> pending = temporaries_in(r.out);
        const std::set<std::string> pending_other = temporaries_in(r.other);
        ::kill(child, SIGTERM);
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        ::close(ready[0]);
        ::close(go[1]);
        INFO("child exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
        REQUIRE(inside);
        INFO("before the signal, out held " << joined(pending) << ", other held " << joined(pending_other));
        CHECK(pending.size() == 2);
        CHECK(pending_other.size() == (kind == TemporaryKind::named_only ? 1U : 0U));
        REQUIRE(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGTERM);
        r.check_all_old();
    }
}
