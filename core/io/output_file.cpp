// All-or-nothing report output: checks on the target, an unnamed temporary, link, fsync, rename; for one file or several.
#include "io/output_file.hpp"

#include "io/file_descriptor.hpp"
#include "io/file_kind.hpp"
#include "io/temporary_cleanup.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

namespace impact::io {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporaryPrefix = ".impact-";
constexpr std::string_view kTemporarySuffix = ".tmp";

[[noreturn]] void refuse(const fs::path& file, std::string_view why_and_what_to_do) {
    throw UserError(fmt::format("{}: cannot write: {}", file.string(), why_and_what_to_do));
}

std::string errno_text(int error_number) { return std::strerror(error_number); }

std::string random_hex() {
    std::uint64_t bits = 0;
    if (::getrandom(&bits, sizeof bits, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bits)) {
        std::random_device device;
        bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }
    return fmt::format("{:016x}", bits);
}

// The pid in ".impact-<pid>-<hex>.tmp", or nullopt for any other name.
std::optional<pid_t> temporary_owner(std::string_view name) {
    if (name.substr(0, kTemporaryPrefix.size()) != kTemporaryPrefix || name.size() <= kTemporarySuffix.size() ||
        name.substr(name.size() - kTemporarySuffix.size()) != kTemporarySuffix)
        return std::nullopt;
    std::string_view middle = name.substr(kTemporaryPrefix.size());
    middle.remove_suffix(kTemporarySuffix.size());
    const auto dash = middle.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash > 9 || dash + 1 == middle.size()) return std::nullopt;
    long pid = 0;
    for (const char c : middle.substr(0, dash)) {
        if (c < '0' || c > '9') return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    for (const char c : middle.substr(dash + 1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    if (pid <= 0) return std::nullopt;
    return static_cast<pid_t>(pid);
}

std::string symlink_target(int folder_fd, const std::string& name) {
    std::string target(256, '\0');
    for (;;) {
        const ssize_t length = ::readlinkat(folder_fd, name.c_str(), target.data(), target.size());
        if (length < 0) return "(unreadable)";
        if (static_cast<std::size_t>(length) < target.size()) {
            target.resize(static_cast<std::size_t>(length));
            return target;
        }
        target.resize(target.size() * 2);
    }
}

// Refuses, with the reason and what to do, every existing target that is not a plain regular
// file this run may replace. Nothing here changes the target.
void check_replaceable(const fs::path& file, int folder_fd, const std::string& name, const struct stat& existing,
                       const std::vector<fs::path>& input_files) {
    const mode_t mode = existing.st_mode;
    // A rename would replace the link itself and leave its target as it was.
    if (S_ISLNK(mode))
        refuse(file, fmt::format("it is a symbolic link to {}; name that file itself to replace it, or remove the link",
                                 symlink_target(folder_fd, name)));
    if (S_ISDIR(mode))
        refuse(file, fmt::format("it is a directory; name a file inside it, such as {}", (file / "report.txt").string()));
    if (S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) || S_ISSOCK(mode))
        refuse(file, fmt::format("it is {}, not a regular file; leave out -o and redirect stdout to send the report there",
                                 file_kind(mode)));
    if (!S_ISREG(mode)) refuse(file, fmt::format("it is {}, not a regular file; choose another file", file_kind(mode)));
    for (const fs::path& input : input_files) {
        struct stat input_info {};
        if (::stat(input.c_str(), &input_info) == 0 && input_info.st_dev == existing.st_dev &&
            input_info.st_ino == existing.st_ino)
            refuse(file, fmt::format("it is {}, a file this run reads or runs; choose another output file",
                                     input.string()));
    }
    // Every other name of the file would keep the old content: the rename gives only this name a new file.
    if (existing.st_nlink > 1)
        refuse(file, fmt::format("it has {} hard links, and replacing it would leave the other names with the old "
                                 "content; remove the other links, or choose another file",
                                 static_cast<unsigned long>(existing.st_nlink)));
    if (::faccessat(folder_fd, name.c_str(), W_OK, AT_EACCESS) != 0 && errno == EACCES)
        refuse(file, fmt::format("it is read-only (mode {:04o}); make it writable, or choose another file",
                                 static_cast<unsigned>(mode & 07777)));
}

// Writes every byte, through short writes and interruptions; returns 0 or an errno value.
int write_all(int fd, std::string_view content) {
    while (!content.empty()) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return errno;
        content.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

// Gives the unnamed temporary `fd` the name `name` in the folder. /proc/self/fd works for any
// user; AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, so it is only the second try.
int link_unnamed(int fd, int folder_fd, const std::string& name) {
    const std::string proc_path = fmt::format("/proc/self/fd/{}", fd);
    if (::linkat(AT_FDCWD, proc_path.c_str(), folder_fd, name.c_str(), AT_SYMLINK_FOLLOW) == 0) return 0;
    const int proc_error = errno;
    if (::linkat(fd, "", folder_fd, name.c_str(), AT_EMPTY_PATH) == 0) return 0;
    return proc_error;
}

int remove_stale_temporaries_in(int folder_fd, long min_age_seconds) {
    const int listing_fd = ::openat(folder_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listing_fd < 0) return 0;
    DIR* listing = ::fdopendir(listing_fd);
    if (!listing) {
        ::close(listing_fd);
        return 0;
    }
    // Names first, removals after: removing while reading a directory may skip entries.
    std::vector<std::pair<std::string, pid_t>> candidates;
    while (const dirent* entry = ::readdir(listing))
        if (const auto owner = temporary_owner(entry->d_name)) candidates.emplace_back(entry->d_name, *owner);
    const std::time_t now = std::time(nullptr);
    int removed = 0;
    for (const auto& [name, owner] : candidates) {
        struct stat info {};
        if (::fstatat(listing_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(info.st_mode)) continue;
        if (now - info.st_mtime <= min_age_seconds) continue;
        // Only a process that no longer exists (ESRCH) is known to be done with its temporary.
        if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
        if (::unlinkat(listing_fd, name.c_str(), 0) == 0) ++removed;
    }
    ::closedir(listing);
    return removed;
}

// One report file between the two phases of a write: staged (target checked; temporary written,
// fsynced and named in the target's folder, pending in temporary_cleanup.hpp's handler), then
// committed (target checked again, temporary renamed over it). Destroyed before it is committed, it
// removes its temporary, so that every way out of a failed write leaves none behind.
class StagedFile {
public:
    StagedFile(const fs::path& file, const ContentProducer& produce, const std::vector<fs::path>& input_files,
               TemporaryKind temporary_kind);
    ~StagedFile() { remove_temporary(); }
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    int folder_fd() const noexcept { return folder_fd_.get(); }

    // Refuses (removing the temporary) if something has replaced or made the target since it was checked.
    void check_target_unchanged();
    // Renames the temporary over the target, or refuses (removing the temporary).
    void rename_over_target();

private:
    // Removes the temporary (if it has a name yet) before refusing.
    [[noreturn]] void fail(std::string_view why);
    void remove_temporary() noexcept;
    std::string_view unchanged() const noexcept {
        return target_exists_ ? "the existing file is unchanged" : "nothing was written";
    }

    fs::path file_;
    fs::path folder_;
    std::string name_;
    // Everything is relative to this descriptor, so the folder cannot change under us.
    FileDescriptor folder_fd_;
    bool target_exists_ = false;
    struct stat existing_ {};
    std::string temporary_name_;
    // Engaged while the temporary has a name that is ours to remove.
    std::optional<PendingTemporary> pending_;
};

void StagedFile::remove_temporary() noexcept {
    if (pending_) ::unlinkat(folder_fd_.get(), temporary_name_.c_str(), 0);
    pending_.reset();
}

void StagedFile::fail(std::string_view why) {
    remove_temporary();
    refuse(file_, why);
}

int open_folder(const fs::path& file, const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return fd;
    const int error = errno;
    if (error == ENOENT) refuse(file, fmt::format("folder {} does not exist; create it first", folder.string()));
    if (error == ENOTDIR) refuse(file, fmt::format("{} is not a folder; choose a path in a folder", folder.string()));
    refuse(file, fmt::format("cannot open folder {} ({}); choose a folder you can write to", folder.string(),
                             errno_text(error)));
}

fs::path folder_of(const fs::path& file) { return file.has_parent_path() ? file.parent_path() : fs::path("."); }

// The file name of `file`, refused when it names a folder.
std::string file_name_of(const fs::path& file) {
    std::string name = file.filename().string();
    if (name.empty() || name == "." || name == "..")
        refuse(file, "it names a directory, not a file; add a file name, such as report.txt");
    return name;
}

StagedFile::StagedFile(const fs::path& file, const ContentProducer& produce, const std::vector<fs::path>& input_files,
                       TemporaryKind temporary_kind)
    : file_(file), folder_(folder_of(file)), name_(file_name_of(file)), folder_fd_(open_folder(file, folder_)) {
    target_exists_ = ::fstatat(folder_fd_.get(), name_.c_str(), &existing_, AT_SYMLINK_NOFOLLOW) == 0;
    if (!target_exists_ && errno != ENOENT)
        refuse(file_, fmt::format("cannot inspect it ({}); check the path and its folder's permissions", errno_text(errno)));
    if (target_exists_) check_replaceable(file_, folder_fd_.get(), name_, existing_, input_files);

    // Short, whatever the target's length: a 255-byte target name still fits the file system's limit.
    temporary_name_ =
        fmt::format("{}{}-{}{}", kTemporaryPrefix, static_cast<long>(::getpid()), random_hex(), kTemporarySuffix);
    const auto cannot_create = [&](int error) {
        refuse(file_, fmt::format("cannot create a file in folder {} ({}); choose a folder you can write to",
                                  folder_.string(), errno_text(error)));
    };
    int temporary_fd = -1;
    if (temporary_kind == TemporaryKind::unnamed_when_supported) {
        // 0666 less the umask, as for any new file; a replacement gets the old file's mode below.
        temporary_fd = ::openat(folder_fd_.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
        // EISDIR: a kernel without O_TMPFILE; EOPNOTSUPP: a file system without it.
        if (temporary_fd < 0 && errno != EISDIR && errno != EOPNOTSUPP && errno != EINVAL) cannot_create(errno);
    }
    const bool named_from_start = temporary_fd < 0;
    if (named_from_start) {
        pending_.emplace(folder_fd_.get(), temporary_name_);
        temporary_fd = ::openat(folder_fd_.get(), temporary_name_.c_str(),
                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (temporary_fd < 0) {
            const int error = errno;
            pending_.reset();
            cannot_create(error);
        }
    }
    const FileDescriptor temporary(temporary_fd);

    if (target_exists_) {
        struct stat made {};
        if (::fstat(temporary.get(), &made) != 0) fail(fmt::format("{}; {}", errno_text(errno), unchanged()));
        if ((made.st_uid != existing_.st_uid || made.st_gid != existing_.st_gid) &&
            ::fchown(temporary.get(), existing_.st_uid, existing_.st_gid) != 0)
            fail(fmt::format("it belongs to uid {} gid {}, and a replacement could not keep that owner ({}); write it "
                             "as that user, or choose another file",
                             static_cast<unsigned long>(existing_.st_uid), static_cast<unsigned long>(existing_.st_gid),
                             errno_text(errno)));
        // After fchown, which clears set-id bits.
        if (::fchmod(temporary.get(), existing_.st_mode & 07777) != 0)
            fail(fmt::format("cannot keep its mode {:04o} ({}); {}", static_cast<unsigned>(existing_.st_mode & 07777),
                             errno_text(errno), unchanged()));
    }
    // Pieces are gathered into blocks of about 1 MiB per write(2); the first error stops writing.
    constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
    std::string block;
    int write_error = 0;
    const auto flush = [&] {
        if (write_error == 0 && !block.empty()) write_error = write_all(temporary.get(), block);
        block.clear();
    };
    try {
        produce([&](std::string_view piece) {
            if (write_error != 0) return;
            if (piece.size() >= kBlockBytes) {
                flush();
                if (write_error == 0) write_error = write_all(temporary.get(), piece);
                return;
            }
            block.append(piece);
            if (block.size() >= kBlockBytes) flush();
        });
        flush();
        // Durable before it gets the target's name.
        if (write_error == 0 && ::fsync(temporary.get()) != 0) write_error = errno;
    } catch (...) {
        remove_temporary();
        throw;
    }
    if (write_error != 0)
        fail(fmt::format("{} while writing a temporary file in {}; {}", errno_text(write_error), folder_.string(),
                         unchanged()));

    if (!named_from_start) {
        // Armed before the name exists, so there is no moment when a signal could leave it behind.
        pending_.emplace(folder_fd_.get(), temporary_name_);
        if (const int error = link_unnamed(temporary.get(), folder_fd_.get(), temporary_name_); error != 0) {
            pending_.reset();  // the name was never made, or is not ours (EEXIST): leave it
            refuse(file_, fmt::format("cannot name a temporary file in folder {} ({}); {}", folder_.string(),
                                      errno_text(error), unchanged()));
        }
    }
}

void StagedFile::check_target_unchanged() {
    // The target was checked before writing; refuse if something else has replaced it since.
    struct stat now {};
    const bool exists_now = ::fstatat(folder_fd_.get(), name_.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists_now != target_exists_ ||
        (exists_now && (now.st_dev != existing_.st_dev || now.st_ino != existing_.st_ino || now.st_mode != existing_.st_mode)))
        fail("it was changed by someone else while the report was written; run again");
}

void StagedFile::rename_over_target() {
    if (::renameat(folder_fd_.get(), temporary_name_.c_str(), folder_fd_.get(), name_.c_str()) != 0)
        fail(fmt::format("{}; {}", errno_text(errno), unchanged()));
    pending_.reset();  // the name is the target's now
}

// Makes the renames into `folder_fd` durable, then removes temporaries of killed runs there. A
// failure here loses nothing already written.
void sync_folder_and_tidy(int folder_fd) {
    const FileDescriptor folder_for_sync(::openat(folder_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder_for_sync.valid()) ::fsync(folder_for_sync.get());
    remove_stale_temporaries_in(folder_fd, 60);
}

// The same file named twice would be renamed over twice, and the first report lost: refuses the
// later of two outputs that share a spelling, a folder and name, or an existing file.
void refuse_duplicate_outputs(const std::vector<OutputToWrite>& outputs) {
    struct Identity {
        fs::path normal_path;
        std::optional<std::pair<dev_t, ino_t>> folder;  // when the folder exists
        std::string name;
        std::optional<std::pair<dev_t, ino_t>> existing;  // when the file exists (not following a link)
    };
    std::vector<Identity> identities;
    identities.reserve(outputs.size());
    for (const OutputToWrite& output : outputs) {
        Identity identity;
        std::error_code error;
        const fs::path absolute = fs::absolute(output.file, error);
        identity.normal_path = (error ? output.file : absolute).lexically_normal();
        identity.name = output.file.filename().string();
        struct stat info {};
        if (::stat(folder_of(output.file).c_str(), &info) == 0) identity.folder.emplace(info.st_dev, info.st_ino);
        if (::lstat(output.file.c_str(), &info) == 0) identity.existing.emplace(info.st_dev, info.st_ino);
        for (std::size_t earlier = 0; earlier < identities.size(); ++earlier) {
            const Identity& other = identities[earlier];
            const bool same = identity.normal_path == other.normal_path ||
                              (identity.folder && identity.folder == other.folder && identity.name == other.name) ||
                              (identity.existing && identity.existing == other.existing);
            if (same)
                refuse(output.file, fmt::format("it is the same file as {}, which this run also writes; give each "
                                                "report a file of its own",
                                                outputs[earlier].file.string()));
        }
        identities.push_back(std::move(identity));
    }
}

std::string listed(const std::vector<OutputToWrite>& outputs, std::size_t first, std::size_t end) {
    std::string out;
    for (std::size_t i = first; i < end; ++i) out += (i == first ? "" : ", ") + outputs[i].file.string();
    return out;
}

}  // namespace

void write_file_atomically(const fs::path& file, std::string_view content, const std::vector<fs::path>& input_files) {
    write_file_atomically(file, content, input_files, TemporaryKind::unnamed_when_supported);
}

void write_file_atomically(const fs::path& file, std::string_view content, const std::vector<fs::path>& input_files,
                           TemporaryKind temporary_kind) {
    write_file_atomically(file, [&](const ContentSink& write) { write(content); }, input_files, temporary_kind);
}

void write_file_atomically(const fs::path& file, const ContentProducer& produce, const std::vector<fs::path>& input_files) {
    write_file_atomically(file, produce, input_files, TemporaryKind::unnamed_when_supported);
}

void write_file_atomically(const fs::path& file, const ContentProducer& produce, const std::vector<fs::path>& input_files,
                           TemporaryKind temporary_kind) {
    StagedFile staged(file, produce, input_files, temporary_kind);
    staged.check_target_unchanged();
    staged.rename_over_target();
    sync_folder_and_tidy(staged.folder_fd());
}

void write_files_atomically(const std::vector<OutputToWrite>& outputs, const std::vector<fs::path>& input_files) {
    write_files_atomically(outputs, input_files, TemporaryKind::unnamed_when_supported);
}

void write_files_atomically(const std::vector<OutputToWrite>& outputs, const std::vector<fs::path>& input_files,
                            TemporaryKind temporary_kind) {
    if (outputs.size() > kMaxPendingTemporaries)
        throw std::length_error(fmt::format("write_files_atomically: {} outputs; at most {} can be written at once",
                                            outputs.size(), kMaxPendingTemporaries));
    refuse_duplicate_outputs(outputs);
    // Destroyed on any way out, each removing a temporary not yet renamed.
    std::vector<std::unique_ptr<StagedFile>> staged;
    staged.reserve(outputs.size());
    for (const OutputToWrite& output : outputs)
        staged.push_back(std::make_unique<StagedFile>(output.file, output.produce, input_files, temporary_kind));
    // Every target checked again before the first is replaced, so that a change refuses them all.
    for (const auto& one : staged) one->check_target_unchanged();
    for (std::size_t i = 0; i < staged.size(); ++i) {
        try {
            staged[i]->rename_over_target();
        } catch (const UserError& e) {
            if (i == 0) throw;
            throw UserError(fmt::format("{}; already replaced by this run: {}; not replaced: {}; run again", e.what(),
                                        listed(outputs, 0, i), listed(outputs, i, outputs.size())));
        }
    }
    // One sync and tidy per folder, however many of the files it holds.
    std::vector<std::pair<dev_t, ino_t>> synced;
    for (const auto& one : staged) {
        struct stat folder_info {};
        if (::fstat(one->folder_fd(), &folder_info) == 0) {
            const std::pair<dev_t, ino_t> folder{folder_info.st_dev, folder_info.st_ino};
            if (std::find(synced.begin(), synced.end(), folder) != synced.end()) continue;
            synced.push_back(folder);
        }
        sync_folder_and_tidy(one->folder_fd());
    }
}

int remove_stale_temporaries(const fs::path& folder, long min_age_seconds) {
    const FileDescriptor folder_fd(::open(folder.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    return folder_fd.valid() ? remove_stale_temporaries_in(folder_fd.get(), min_age_seconds) : 0;
}

}  // namespace impact::io
