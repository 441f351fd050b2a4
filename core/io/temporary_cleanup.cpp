// PendingTemporary: a fixed array of async-signal-safe slots (folder fd, fixed name buffer) and their handler.
#include "io/temporary_cleanup.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <iterator>
#include <stdexcept>

namespace impact::io {
namespace {

constexpr std::size_t kNameCapacity = 64;

// A slot is free, claimed (its name being filled in, or disarmed by remove_pending_temporary
// while its guard still lives) or armed. A handler may only touch lock-free atomics and plain
// data it knows is complete, so the name is written while claimed and published by `armed` last.
enum SlotState : int { kFree = 0, kClaimed = 1, kArmed = 2 };

struct Slot {
    char name[kNameCapacity];
    int folder_fd;
    std::atomic<int> state;
};

// The slots the handler reads; zero-initialised (every state kFree) before any code runs.
Slot slots[kMaxPendingTemporaries];
static_assert(std::atomic<int>::is_always_lock_free);

// How many guards are alive: the handler is installed with the first and removed with the last.
std::size_t live_guards = 0;

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

void remove_armed_temporaries() noexcept {
    for (Slot& slot : slots)
        if (slot.state.load(std::memory_order_acquire) == kArmed) ::unlinkat(slot.folder_fd, slot.name, 0);
}

extern "C" void remove_temporaries_then_reraise(int signal_number) {
    remove_armed_temporaries();
    // SA_RESETHAND restored the default action; the signal is blocked inside the handler and is
    // delivered again, with that default action, as soon as the handler returns.
    ::raise(signal_number);
}

// Which signals this process's PendingTemporary guards took over, to give back on release.
bool handler_installed[std::size(kCleanupSignals)] = {};

void install_handlers() {
    for (std::size_t i = 0; i < std::size(kCleanupSignals); ++i) {
        struct sigaction current {};
        handler_installed[i] = false;
        if (::sigaction(kCleanupSignals[i], nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
        struct sigaction action {};
        action.sa_handler = remove_temporaries_then_reraise;
        ::sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        handler_installed[i] = ::sigaction(kCleanupSignals[i], &action, nullptr) == 0;
    }
}

void restore_default_handlers() {
    for (std::size_t i = 0; i < std::size(kCleanupSignals); ++i)
        if (handler_installed[i]) ::signal(kCleanupSignals[i], SIG_DFL);
}

}  // namespace

PendingTemporary::PendingTemporary(int folder_fd, std::string_view name) : slot_index_(kMaxPendingTemporaries) {
    if (name.size() >= kNameCapacity) throw std::length_error("PendingTemporary: name longer than 63 bytes");
    for (std::size_t i = 0; i < kMaxPendingTemporaries; ++i) {
        int expected = kFree;
        if (slots[i].state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) {
            slot_index_ = i;
            break;
        }
    }
    if (slot_index_ == kMaxPendingTemporaries)
        throw std::length_error(fmt::format("PendingTemporary: all {} slots hold a pending temporary; at most {} "
                                            "files can be written at once",
                                            kMaxPendingTemporaries, kMaxPendingTemporaries));
    Slot& slot = slots[slot_index_];
    std::memcpy(slot.name, name.data(), name.size());
    slot.name[name.size()] = '\0';
    slot.folder_fd = folder_fd;
    slot.state.store(kArmed, std::memory_order_release);
    if (live_guards++ == 0) install_handlers();
}

void remove_pending_temporary() noexcept {
    // Disarmed, not freed: the guard still owns its slot until it ends.
    for (Slot& slot : slots) {
        int expected = kArmed;
        if (slot.state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel))
            ::unlinkat(slot.folder_fd, slot.name, 0);
    }
}

PendingTemporary::~PendingTemporary() {
    slots[slot_index_].state.store(kFree, std::memory_order_release);
    if (--live_guards == 0) restore_default_handlers();
}

}  // namespace impact::io
