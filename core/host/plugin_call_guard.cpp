// The in-flight record of plugin calls and the exit handler that turns a plugin's exit() into exit 3.
#include "host/plugin_call_guard.hpp"

#include "io/temporary_cleanup.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace impact::host {
namespace {

// Calls in flight on every thread: the handler acts only when one is, so a normal exit (main
// returning) is untouched.
std::atomic<int> calls_in_flight{0};
// The innermost call on this thread. exit() runs its handlers on the thread that called it,
// which is the thread inside the plugin, so this names the very call that exited.
thread_local const PluginCallGuard* innermost_call = nullptr;

[[noreturn]] void stop_run(int status) {
    std::string how = status >= 0 ? fmt::format("called exit({})", status) : std::string("called quick_exit()");
    std::string message;
    if (const PluginCallGuard* call = innermost_call) {
        message = fmt::format("impact: plugin {} {} during {}{}; the run was stopped (exit 3)", call->file(), how,
                              call->call(),
                              call->model_id() ? fmt::format(" of model {}", call->model_id()) : std::string());
    } else {
        // A thread the plugin started itself, while another thread was inside a plugin call.
        message = fmt::format("impact: a plugin {} from a thread of its own while a plugin call was in flight; the "
                              "run was stopped (exit 3)",
                              how);
    }
    message = text::printable(message) + "\n";
    (void)!::write(STDERR_FILENO, message.data(), message.size());
    io::remove_pending_temporary();
    // Buffered stdout holds at most part of a report: it is dropped, not flushed.
    ::_exit(3);
}

extern "C" void on_plugin_exit(int status, void*) {
    if (calls_in_flight.load(std::memory_order_relaxed) > 0) stop_run(status);
}

extern "C" void on_plugin_quick_exit() {
    if (calls_in_flight.load(std::memory_order_relaxed) > 0) stop_run(-1);
}

}  // namespace

PluginCallGuard::PluginCallGuard(const char* call, const char* file, const char* model_id) noexcept
    : call_(call), file_(file), model_id_(model_id), outer_(innermost_call) {
    calls_in_flight.fetch_add(1, std::memory_order_relaxed);
    innermost_call = this;
}

PluginCallGuard::~PluginCallGuard() {
    innermost_call = outer_;
    calls_in_flight.fetch_sub(1, std::memory_order_relaxed);
}

void install_plugin_exit_handler() noexcept {
    static std::atomic<bool> installed{false};
    if (installed.exchange(true)) return;
    // on_exit (glibc) rather than atexit: its handler receives the status given to exit().
    ::on_exit(on_plugin_exit, nullptr);
    std::at_quick_exit(on_plugin_quick_exit);
}

}  // namespace impact::host
