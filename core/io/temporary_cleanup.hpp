// The one signal handler of the host: removes the named temporary files of writes in progress.
#pragma once

#include <cstddef>
#include <string_view>

namespace impact::io {

// How many PendingTemporary guards may be alive at once: one per report file of a multi-format
// write (io::write_files_atomically), which the command line keeps to at most 6.
constexpr std::size_t kMaxPendingTemporaries = 16;

// While alive, a SIGINT, SIGTERM or SIGHUP removes the file `name` in the folder open as
// `folder_fd` (unlinkat, nothing else), together with every other pending temporary, then
// re-raises the signal with its default action, so the process still ends the way the signal
// asks. The handler is installed when the first guard is made and the default action restored
// when the last one ends; a signal whose disposition is not the default (ignored under nohup, or
// someone else's handler) is left alone. This is one of the host's two pieces of global mutable
// state (docs/architecture.md; the other is host/plugin_call_guard.cpp): a fixed array of
// kMaxPendingTemporaries slots, each armed by one guard, so that the handler needs no allocation
// or lock. A guard made while every slot is armed throws std::length_error and leaves the others
// as they are. Guards are made and ended by one thread at a time (reports are written by one
// thread). `name` must be shorter than 64 bytes and `folder_fd` must stay open while the guard lives.
class PendingTemporary {
public:
    PendingTemporary(int folder_fd, std::string_view name);
    ~PendingTemporary();
    PendingTemporary(const PendingTemporary&) = delete;
    PendingTemporary& operator=(const PendingTemporary&) = delete;

private:
    std::size_t slot_index_;
};

// Removes every pending temporary now (unlinkat only, async-signal-safe), for a process about to
// end without unwinding: the handler that stops a run whose plugin called exit()
// (host/plugin_call_guard.cpp).
void remove_pending_temporary() noexcept;

}  // namespace impact::io
