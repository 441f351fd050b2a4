// Socket messages and shared memory between impact and impact-worker (see channel.hpp).
#include "isolation/channel.hpp"

#include <fmt/format.h>

#include <poll.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <new>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace impact::isolation {
namespace {

constexpr std::size_t kPage = 4096;

std::size_t round_up_to_page(std::size_t bytes) noexcept { return (bytes + kPage - 1) / kPage * kPage; }

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

Channel Channel::create(std::size_t data_bytes) {
    Channel channel;
    int pair[2];
    // SOCK_SEQPACKET keeps message boundaries, so a reply is never read in pieces.
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) fail("socketpair");
    channel.socket_ = pair[0];
    channel.worker_socket_ = pair[1];
    channel.memfd_ = ::memfd_create("impact-channel", MFD_CLOEXEC);
    if (channel.memfd_ < 0) fail("memfd_create");
    const std::size_t shared = kHeaderBytes + round_up_to_page(data_bytes);
    if (::ftruncate(channel.memfd_, static_cast<off_t>(shared)) != 0) fail("ftruncate of the channel's shared memory");
    channel.map(shared);
    new (channel.mapping_) SharedHeader();
    channel.header().protocol_version = kProtocolVersion;
    return channel;
}

Channel Channel::adopt(int socket_fd, int memfd, std::size_t shared_bytes) {
    Channel channel;
    channel.socket_ = socket_fd;
    channel.memfd_ = memfd;
    channel.map(shared_bytes);
    if (channel.header().protocol_version != kProtocolVersion)
        throw std::runtime_error(fmt::format("impact-worker speaks protocol {}, the host {}", kProtocolVersion,
                                             channel.header().protocol_version));
    return channel;
}

Channel::Channel(Channel&& other) noexcept
    : socket_(std::exchange(other.socket_, -1)),
      worker_socket_(std::exchange(other.worker_socket_, -1)),
      memfd_(std::exchange(other.memfd_, -1)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      shared_bytes_(std::exchange(other.shared_bytes_, 0)),
      sequence_(std::exchange(other.sequence_, 0)) {}

Channel& Channel::operator=(Channel&& other) noexcept {
    if (this != &other) {
        this->~Channel();
        new (this) Channel(std::move(other));
    }
    return *this;
}

Channel::~Channel() {
    unmap();
    if (socket_ >= 0) ::close(socket_);
    if (worker_socket_ >= 0) ::close(worker_socket_);
    if (memfd_ >= 0) ::close(memfd_);
}

void Channel::forget_worker_end() noexcept {
    if (worker_socket_ >= 0) ::close(worker_socket_);
    worker_socket_ = -1;
}

void Channel::map(std::size_t shared_bytes) {
    void* mapping = ::mmap(nullptr, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
    if (mapping == MAP_FAILED) fail("mmap of the channel's shared memory");
    mapping_ = static_cast<std::byte*>(mapping);
    shared_bytes_ = shared_bytes;
}

void Channel::unmap() noexcept {
    if (mapping_) ::munmap(mapping_, shared_bytes_);
    mapping_ = nullptr;
    shared_bytes_ = 0;
}

void Channel::reserve_data(std::size_t bytes) {
    if (bytes <= data_bytes()) return;
    // Grow by at least half again, so a run of growing batches remaps a few times, not per batch.
    const std::size_t wanted = round_up_to_page(std::max(bytes, data_bytes() + data_bytes() / 2));
    const std::size_t shared = kHeaderBytes + wanted;
    if (::ftruncate(memfd_, static_cast<off_t>(shared)) != 0) fail("growing the channel's shared memory");
    unmap();
    map(shared);
}

void Channel::follow_size(uint64_t shared_bytes) {
    if (shared_bytes == shared_bytes_ || shared_bytes == 0) return;
    unmap();
    map(shared_bytes);
}

bool Channel::send(Message message, std::span<const int> fds) noexcept {
    message.shared_bytes = shared_bytes_;
    iovec part{&message, sizeof message};
    msghdr header{};
    header.msg_iov = &part;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    if (!fds.empty() && fds.size() <= 4) {
        std::memset(control, 0, sizeof control);
        header.msg_control = control;
        header.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
        cmsghdr* c = CMSG_FIRSTHDR(&header);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    for (;;) {
        // MSG_NOSIGNAL: a worker that died must not take the host down with SIGPIPE.
        const ssize_t sent = ::sendmsg(socket_, &header, MSG_NOSIGNAL);
        if (sent == static_cast<ssize_t>(sizeof message)) return true;
        if (sent < 0 && errno == EINTR) continue;
        return false;
    }
}

Received Channel::receive(Message& message, int timeout_ms, std::vector<int>* fds) noexcept {
    if (timeout_ms >= 0) {
        pollfd waiting{socket_, POLLIN, 0};
        for (;;) {
            const int ready = ::poll(&waiting, 1, timeout_ms);
            if (ready > 0) break;
            if (ready == 0) return Received::timed_out;
            if (errno != EINTR) return Received::closed;
        }
    }
    iovec part{&message, sizeof message};
    msghdr header{};
    header.msg_iov = &part;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    ssize_t got;
    do {
        got = ::recvmsg(socket_, &header, MSG_CMSG_CLOEXEC);
    } while (got < 0 && errno == EINTR);
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < count; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (fds) fds->push_back(fd);
            else ::close(fd);
        }
    }
    if (got != static_cast<ssize_t>(sizeof message)) return Received::closed;
    return Received::message;
}

namespace {

using Clock = std::chrono::steady_clock;
// How long a side waits busily before it sleeps on the socket: longer than a block of rows takes
// to draw or evaluate, so a steady caller never sleeps, and short enough that an idle worker
// gives its core back within a millisecond.
constexpr auto kSpin = std::chrono::microseconds(1000);
// The first part of it spins on the CPU; after that each check yields, so that a thread waiting
// here lets any other runnable thread (a Monte Carlo thread drawing the next block, the worker
// thread it waits for) have the core, instead of holding it for a millisecond.
constexpr unsigned kPureSpins = 256;

inline void relax(unsigned iteration) noexcept {
    if (iteration < kPureSpins) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        ::sched_yield();
    }
}

// A one-byte wake-up. Never blocks: a full socket already holds wake-ups enough.
void wake(int socket) noexcept {
    const char byte = 1;
    (void)::send(socket, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
}

// Waits busily until `done()` or kSpin passes; returns whether done() became true.
template <class Done>
bool spin_until(const Done& done) noexcept {
    const Clock::time_point until = Clock::now() + kSpin;
    for (unsigned i = 0;; ++i) {
        if (done()) return true;
        relax(i);
        if ((i & 15) == 15 && Clock::now() >= until) return false;
    }
}

}  // namespace

Received Channel::call(Message& message, int timeout_ms, bool spin) noexcept {
    SharedHeader& h = header();
    const Clock::time_point start = Clock::now();
    const uint64_t sequence = ++sequence_;
    message.shared_bytes = shared_bytes_;
    message.spin = spin ? 1 : 0;
    h.request_message = message;
    // seq_cst on both sides of each handshake: either the writer sees `sleeping` or the reader
    // sees the new sequence before it sleeps (Dekker's pattern), so no wake-up is lost.
    h.request.sequence.store(sequence, std::memory_order_seq_cst);
    if (h.request.sleeping.load(std::memory_order_seq_cst)) wake(socket_);
    if (spin && spin_until([&] { return h.reply.sequence.load(std::memory_order_acquire) == sequence; })) {
        message = h.reply_message;
        return Received::message;
    }
    h.reply.sleeping.store(1, std::memory_order_seq_cst);
    for (;;) {
        if (h.reply.sequence.load(std::memory_order_seq_cst) == sequence) {
            h.reply.sleeping.store(0, std::memory_order_relaxed);
            message = h.reply_message;
            return Received::message;
        }
        int wait_ms = -1;
        if (timeout_ms >= 0) {
            const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
            if (spent >= timeout_ms) return Received::timed_out;
            wait_ms = static_cast<int>(timeout_ms - spent);
        }
        pollfd waiting{socket_, POLLIN, 0};
        const int ready = ::poll(&waiting, 1, wait_ms);
        if (ready < 0 && errno != EINTR) return Received::closed;
        if (ready <= 0) continue;
        char bytes[64];
        const ssize_t got = ::recv(socket_, bytes, sizeof bytes, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
            // The worker is gone; its last reply may still have made it.
            if (h.reply.sequence.load(std::memory_order_seq_cst) == sequence) continue;
            return Received::closed;
        }
    }
}

bool Channel::next_request(Message& message, bool spin) noexcept {
    SharedHeader& h = header();
    const auto arrived = [&] { return h.request.sequence.load(std::memory_order_seq_cst) != sequence_; };
    const bool ready =
        spin && spin_until([&] { return h.request.sequence.load(std::memory_order_acquire) != sequence_; });
    if (!ready) {
        h.request.sleeping.store(1, std::memory_order_seq_cst);
        while (!arrived()) {
            char bytes[64];
            const ssize_t got = ::recv(socket_, bytes, sizeof bytes, 0);
            if (got == 0 || (got < 0 && errno != EINTR)) return false;
        }
        h.request.sleeping.store(0, std::memory_order_relaxed);
    }
    sequence_ = h.request.sequence.load(std::memory_order_acquire);
    message = h.request_message;
    return true;
}

void Channel::reply(Message message) noexcept {
    SharedHeader& h = header();
    message.shared_bytes = shared_bytes_;
    h.reply_message = message;
    h.reply.sequence.store(sequence_, std::memory_order_seq_cst);
    if (h.reply.sleeping.load(std::memory_order_seq_cst)) wake(socket_);
}

void PayloadWriter::raw(const void* bytes, std::size_t count) {
    bytes_.append(static_cast<const char*>(bytes), count);
}

void PayloadReader::raw(void* out, std::size_t count) {
    if (count > size_ - offset_) throw std::runtime_error("truncated payload");
    std::memcpy(out, data_ + offset_, count);
    offset_ += count;
}

std::string PayloadReader::text() {
    const uint64_t size = u64();
    if (size > remaining()) throw std::runtime_error("truncated payload");
    std::string value(reinterpret_cast<const char*>(data_ + offset_), size);
    offset_ += size;
    return value;
}

}  // namespace impact::isolation
