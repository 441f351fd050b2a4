// The in-flight record of plugin calls and the exit handler that turns a plugin's exit() into exit 3.
#include "host/plugin_call_guard.hpp"

#include "io/temporary_cleanup.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace impact::host {
namespace {

// Where each thread publishes its innermost plugin call, so that the exit handler, on any
// thread, can tell whether a call is in flight. One slot per thread, claimed on its first call
// and given back when it ends: entering and leaving a call is then two plain (relaxed) stores
// to memory no other thread writes, where a shared counter cost two locked read-modify-writes,
// about 10 ns per evaluate call (bench_sdk_overhead host_unchecked at one row).
constexpr std::size_t kSlots = 1024;
std::atomic<const PluginCallGuard*> call_slots[kSlots];
std::atomic<std::size_t> slots_claimed{0};  // call_slots[0, slots_claimed) have been handed out
std::mutex free_slots_mutex;
std::vector<std::size_t> free_slots;  // handed out once, given back by a thread that ended
// Calls in flight on threads beyond kSlots, which count here instead (slower, still correct).
std::atomic<int> overflow_calls{0};

// This thread's slot, or null until its first call. Plain thread-locals (no constructor or
// destructor), so reading them costs no TLS initialisation check.
thread_local std::atomic<const PluginCallGuard*>* my_slot = nullptr;
thread_local bool my_slot_overflows = false;
thread_local const PluginCallGuard* overflow_innermost = nullptr;

// Gives the slot back when its thread ends. Touched only when a slot is claimed.
struct SlotRelease {
    std::size_t index = kSlots;
    ~SlotRelease() {
        // exit() runs the calling thread's thread_local destructors before the exit handlers:
        // a slot still holding a call must stay as it is for the handler to find it.
        if (index >= kSlots || call_slots[index].load(std::memory_order_relaxed)) return;
        const std::lock_guard lock(free_slots_mutex);
        free_slots.push_back(index);
    }
};
thread_local SlotRelease slot_release;

void claim_slot() {
    std::size_t index = kSlots;
    {
        const std::lock_guard lock(free_slots_mutex);
        if (!free_slots.empty()) {
            index = free_slots.back();
            free_slots.pop_back();
        } else if (slots_claimed.load(std::memory_order_relaxed) < kSlots) {
            index = slots_claimed.fetch_add(1, std::memory_order_relaxed);
        }
    }
    if (index >= kSlots) {
        my_slot_overflows = true;
        return;
    }
    slot_release.index = index;
    my_slot = &call_slots[index];
}

// The innermost call on this thread, or null.
const PluginCallGuard* this_threads_call() {
    if (my_slot) return my_slot->load(std::memory_order_relaxed);
    return overflow_innermost;
}

bool any_call_in_flight() {
    if (overflow_calls.load(std::memory_order_relaxed) > 0) return true;
    const std::size_t claimed = std::min(slots_claimed.load(std::memory_order_relaxed), kSlots);
    for (std::size_t i = 0; i < claimed; ++i)
        if (call_slots[i].load(std::memory_order_relaxed)) return true;
    return false;
}

[[noreturn]] void stop_run(const PluginCallGuard* call, int status) {
    std::string how = status >= 0 ? fmt::format("called exit({})", status) : std::string("called quick_exit()");
    std::string message;
    if (call) {
        message = fmt::format("impact: plugin {} {} during {}{}; the run was stopped (exit 3)", call->file(), how,
                              call->call(),
                              call->model_id() ? fmt::format(" of model {}", call->model_id()) : std::string());
    } else {
        // A thread the plugin started itself, while another thread was inside a plugin call:
        // that call's record lives on the other thread's stack and is not read from here.
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

void stop_run_if_in_flight(int status) {
    // exit() runs its handlers on the thread that called it: inside the plugin, normally.
    if (const PluginCallGuard* call = this_threads_call()) stop_run(call, status);
    if (any_call_in_flight()) stop_run(nullptr, status);
}

extern "C" void on_plugin_exit(int status, void*) { stop_run_if_in_flight(status); }

extern "C" void on_plugin_quick_exit() { stop_run_if_in_flight(-1); }

}  // namespace

PluginCallGuard::PluginCallGuard(const char* call, const char* file, const char* model_id) noexcept
    : call_(call), file_(file), model_id_(model_id) {
    if (!my_slot && !my_slot_overflows) claim_slot();
    if (my_slot) {
        outer_ = my_slot->load(std::memory_order_relaxed);
        my_slot->store(this, std::memory_order_relaxed);
    } else {
        outer_ = overflow_innermost;
        overflow_innermost = this;
        overflow_calls.fetch_add(1, std::memory_order_relaxed);
    }
}

PluginCallGuard::~PluginCallGuard() {
    if (my_slot) {
        my_slot->store(outer_, std::memory_order_relaxed);
    } else {
        overflow_innermost = outer_;
        overflow_calls.fetch_sub(1, std::memory_order_relaxed);
    }
}

void install_plugin_exit_handler() noexcept {
    static std::atomic<bool> installed{false};
    if (installed.exchange(true)) return;
    // on_exit (glibc) rather than atexit: its handler receives the status given to exit().
    ::on_exit(on_plugin_exit, nullptr);
    std::at_quick_exit(on_plugin_quick_exit);
}

}  // namespace impact::host
