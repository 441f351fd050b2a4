// PendingTemporary: one async-signal-safe slot (folder fd, fixed name buffer) and its handler.
#include "io/temporary_cleanup.hpp"

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

// The slot the handler reads. A handler may only touch lock-free atomics and plain data it
// knows is complete, so the name is written first and published through `slot_armed` last.
char slot_name[kNameCapacity];
int slot_folder_fd = -1;
std::atomic<bool> slot_armed{false};
static_assert(std::atomic<bool>::is_always_lock_free);

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temporary_then_reraise(int signal_number) {
    if (slot_armed.load(std::memory_order_acquire)) ::unlinkat(slot_folder_fd, slot_name, 0);
    // SA_RESETHAND restored the default action; the signal is blocked inside the handler and is
    // delivered again, with that default action, as soon as the handler returns.
    ::raise(signal_number);
}

// Which signals this process's PendingTemporary took over, to give back on release.
bool handler_installed[std::size(kCleanupSignals)] = {};

void install_handlers() {
    for (std::size_t i = 0; i < std::size(kCleanupSignals); ++i) {
        struct sigaction current {};
        handler_installed[i] = false;
        if (::sigaction(kCleanupSignals[i], nullptr, &current) != 0 || current.sa_handler != SIG_DFL) continue;
        struct sigaction action {};
        action.sa_handler = remove_temporary_then_reraise;
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

PendingTemporary::PendingTemporary(int folder_fd, std::string_view name) {
    if (name.size() >= kNameCapacity) throw std::length_error("PendingTemporary: name longer than 63 bytes");
    if (slot_armed.load()) throw std::logic_error("PendingTemporary: another temporary is pending");
    std::memcpy(slot_name, name.data(), name.size());
    slot_name[name.size()] = '\0';
    slot_folder_fd = folder_fd;
    slot_armed.store(true, std::memory_order_release);
    install_handlers();
}

void remove_pending_temporary() noexcept {
    if (slot_armed.exchange(false, std::memory_order_acq_rel)) ::unlinkat(slot_folder_fd, slot_name, 0);
}

PendingTemporary::~PendingTemporary() {
    slot_armed.store(false, std::memory_order_release);
    restore_default_handlers();
}

}  // namespace impact::io
