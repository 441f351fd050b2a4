// The one signal handler of the host: removes the named temporary file of a write in progress.
#pragma once

#include <string_view>

namespace impact::io {

// While alive, a SIGINT, SIGTERM or SIGHUP removes the file `name` in the folder open as
// `folder_fd` (unlinkat, nothing else), then re-raises the signal with its default action, so
// the process still ends the way the signal asks. The handler is installed by the constructor
// and the default action restored by the destructor; a signal whose disposition is not the
// default (ignored under nohup, or someone else's handler) is left alone. This is one of the
// host's two pieces of global mutable state (docs/architecture.md; the other is
// host/plugin_call_guard.cpp): one fixed slot, so at most one PendingTemporary may be alive at
// a time (reports are written by one thread). `name` must be shorter than 64 bytes and
// `folder_fd` must stay open while the guard lives.
class PendingTemporary {
public:
    PendingTemporary(int folder_fd, std::string_view name);
    ~PendingTemporary();
    PendingTemporary(const PendingTemporary&) = delete;
    PendingTemporary& operator=(const PendingTemporary&) = delete;
};

// Removes the pending temporary now, if there is one (unlinkat only, async-signal-safe), for a
// process about to end without unwinding: the handler that stops a run whose plugin called
// exit() (host/plugin_call_guard.cpp).
void remove_pending_temporary() noexcept;

}  // namespace impact::io
