// Writing report files all-or-nothing, only over regular files, never over the run's own inputs.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

namespace impact::io {

// Writes `content` to `file` so that readers see the old file or the whole new one, never part:
// an unnamed temporary (O_TMPFILE) in the file's folder is written and fsynced, then given a short
// name (.impact-<pid>-<random>.tmp) and renamed over `file`. Where the file system has no
// O_TMPFILE, a file with that short name is used from the start; a SIGINT, SIGTERM or SIGHUP
// removes it (temporary_cleanup.hpp). Temporaries of killed runs in the folder are removed after
// a successful write once their process is gone and they are older than a minute.
//
// Only a regular file is replaced, and it keeps its mode and owner. Refused, with the target left
// untouched: a directory, device, FIFO or socket; a symbolic link (the message names where it
// points); a file with more than one hard link (a rename would split them); a read-only file; a
// file that is one of `input_files` (same device and inode); a file whose owner the replacement
// could not keep. A new file gets mode 0666 less the umask.
//
// Throws UserError with one line: "PATH: cannot write: <what it is or why>; <what to do>".
void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           const std::vector<std::filesystem::path>& input_files = {});

// The same, for content made piece by piece: `produce` is called once with a function that
// appends to the file, so that a large report never has to be held whole in memory. An
// exception from `produce` leaves the target untouched and no temporary behind, and propagates.
using ContentSink = std::function<void(std::string_view)>;
using ContentProducer = std::function<void(const ContentSink& write)>;
void write_file_atomically(const std::filesystem::path& file, const ContentProducer& produce,
                           const std::vector<std::filesystem::path>& input_files = {});

// For tests: how the temporary is made. `named_only` takes the path used where O_TMPFILE is missing.
enum class TemporaryKind { unnamed_when_supported, named_only };
void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           const std::vector<std::filesystem::path>& input_files, TemporaryKind temporary_kind);
void write_file_atomically(const std::filesystem::path& file, const ContentProducer& produce,
                           const std::vector<std::filesystem::path>& input_files, TemporaryKind temporary_kind);

// Several report files (one per format of `impact run --format md,xlsx,html -o DIR`), written so
// that a failed or interrupted run never leaves a partial report and never replaces a good one.
struct OutputToWrite {
    std::filesystem::path file;
    ContentProducer produce;
};

// Writes every output as write_file_atomically does, in two phases. Staging: each target is
// checked as above and its temporary is written, fsynced and named, in the order given. Any
// failure while staging (a refusal as above, a write error, or the producer's exception, which
// propagates as it is) removes every temporary made so far and leaves every target untouched; so
// does a SIGINT, SIGTERM or SIGHUP (temporary_cleanup.hpp). Committing: every target is checked
// again for a change by someone else (refused as above, nothing replaced), and only then are the
// temporaries renamed over their targets, one after another, and their folders synced.
//
// What this cannot promise: the renames are one system call per file, not one for the set. A
// rename that fails after others succeeded (rare: every target was just checked) throws a
// UserError whose line names the files already replaced and those not; a signal, kill -9 or power
// loss between two renames leaves the earlier files new and the later ones old. Either way each
// file is whole, old or new; a temporary is left only by kill -9 or a power loss (and removed by a
// later write into that folder once it is a minute old).
//
// Refused before anything is written: more than kMaxPendingTemporaries (16) outputs
// (std::length_error; one pending temporary per output), and two outputs naming the same file
// (the same path after lexical normalisation, the same name in the same folder, or the same
// existing inode), as a UserError "PATH: cannot write: it is the same file as OTHER, ...".
void write_files_atomically(const std::vector<OutputToWrite>& outputs,
                            const std::vector<std::filesystem::path>& input_files = {});
// For tests, as above.
void write_files_atomically(const std::vector<OutputToWrite>& outputs,
                            const std::vector<std::filesystem::path>& input_files, TemporaryKind temporary_kind);

// Removes `.impact-<pid>-<random>.tmp` files in `folder` whose process is gone (kill(pid, 0) fails
// with ESRCH) and that were last modified more than `min_age_seconds` ago; others are kept.
// Returns how many were removed. Errors are ignored: this is housekeeping.
int remove_stale_temporaries(const std::filesystem::path& folder, long min_age_seconds = 60);

}  // namespace impact::io
