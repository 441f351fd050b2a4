// One conversation between `impact` and an `impact-worker`: small messages on a socket, payloads in shared memory.
//
// The protocol is private to one build (host and worker ship together), so it has no version
// negotiation beyond a number checked at start. A message is one SOCK_SEQPACKET datagram of
// fixed size (Message); everything larger (descriptors, prepared values, batches of rows)
// travels in a memfd that both processes map, so a batch of 32,768 rows costs two copies of
// its numbers and one round trip, never a serialisation per row.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace impact::isolation {

inline constexpr uint32_t kProtocolVersion = 1;

enum class Op : uint32_t {
    load = 1,          // payload: the plugin file's path. Reply payload: descriptors (JSON) or the reason
    create = 2,        // payload: model id and prepared values. Reply: handle, notes or the error
    evaluate = 3,      // handle, rows, widths; inputs at data offset 0. Reply: status and error
    destroy = 4,       // handle
    open_channel = 5,  // control only; two file descriptors ride along: the socket and the memfd
    reply = 100,
};

// Fixed-size message. Replies echo the op they answer in `answered`.
// A create reply's status when its notes and tables do not fit the data area: payload_bytes says
// how many bytes they need. The host grows the channel and asks again (the worker cannot grow
// shared memory). Not an impact_status: it never leaves the channel.
inline constexpr int32_t kStatusReplyTooLarge = -1;

struct Message {
    uint32_t op = 0;
    uint32_t answered = 0;
    int32_t status = 0;           // a reply's impact_status (or 0/1 for load and open_channel)
    uint32_t input_width = 0;     // evaluate: values per row in, and out
    uint32_t output_width = 0;
    uint32_t spin = 0;            // request: the worker may busy-wait for the next one (see Channel::call)
    uint64_t handle = 0;          // a prepared instance in the worker
    uint64_t rows = 0;
    uint64_t input_offset = 0;    // where evaluate's inputs are in the data area, in bytes
    uint64_t output_offset = 0;   // where evaluate's outputs go in the data area, in bytes
    uint64_t payload_bytes = 0;   // bytes at the start of the data area
    uint64_t shared_bytes = 0;    // the memfd's size as the host last set it: the worker remaps when it changed
};

// One direction of a data channel's handshake: the sequence number of the latest message written,
// and whether the reader has gone to sleep on the socket (so the writer must wake it there).
struct alignas(64) Signal {
    std::atomic<uint64_t> sequence{0};
    std::atomic<uint32_t> sleeping{0};
};

// The first page of every channel's shared memory. On the control channel the worker writes there
// what it could not say in a reply because it is about to die; on a data channel the requests and
// replies themselves travel there (Channel::call).
struct SharedHeader {
    uint32_t protocol_version = 0;
    // Set by the worker's operator new handler: an allocation failed (the --plugin-memory limit).
    uint32_t allocation_failed = 0;
    // The system call the sandbox stopped (its number + 1; 0 when none) and, for an open, the path.
    int32_t forbidden_syscall_plus_one = 0;
    uint32_t forbidden_open_flags = 0;
    char forbidden_path[240] = {};
    Signal request;
    Signal reply;
    Message request_message;
    Message reply_message;
    // A failure reply's payload (message, input key, row), here rather than in the data area, where
    // it would overwrite the batch's inputs that the host still needs to name the failing row.
    uint32_t error_bytes = 0;
    char error_payload[2048] = {};
};
inline constexpr std::size_t kHeaderBytes = 4096;
static_assert(sizeof(SharedHeader) <= kHeaderBytes);

// What waiting for a message can end in.
enum class Received { message, closed, timed_out };

// A socket and the shared memory beside it. Not thread-safe: one conversation at a time (the
// host keeps a pool, one channel per concurrent caller; the worker serves each on a thread).
class Channel {
public:
    // Host side: a new socket pair and memfd of `data_bytes`; worker_socket() and memfd() are to
    // be handed to the worker, then forget_worker_end() closes the host's copy of its socket.
    static Channel create(std::size_t data_bytes);
    // Worker side: adopts the descriptors the host passed and maps `shared_bytes`.
    static Channel adopt(int socket_fd, int memfd, std::size_t shared_bytes);

    Channel(Channel&& other) noexcept;
    Channel& operator=(Channel&& other) noexcept;
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel();

    int socket() const noexcept { return socket_; }
    int worker_socket() const noexcept { return worker_socket_; }
    int memfd() const noexcept { return memfd_; }
    void forget_worker_end() noexcept;

    // Sends one message (with descriptors when given). False when the peer is gone.
    bool send(Message message, std::span<const int> fds = {}) noexcept;
    // Waits up to timeout_ms (negative: forever) for one message; descriptors that came with it
    // are appended to *fds (closed when fds is null).
    Received receive(Message& message, int timeout_ms, std::vector<int>* fds = nullptr) noexcept;

    // Data channels. A request and its reply travel in the shared header, announced by sequence
    // numbers. Each side first waits busily for up to a millisecond (spinning, then yielding the
    // core at each check; only when the request's `spin` says the callers leave cores to spare)
    // and then sleeps on the socket, after telling the other side so; the other side then
    // sends a one-byte wake-up. On this virtual
    // machine waking a sleeping thread costs ~90 us, more than a 4,096-row block of most models,
    // so a caller that calls back to back never sleeps; a sleeping side still notices at once
    // that the other process died (the socket closes).
    //
    // Host: sends `message` and waits for the reply, up to timeout_ms (negative: forever).
    // With `spin` both sides wait busily first (the worker, for the request after this one).
    Received call(Message& message, int timeout_ms, bool spin) noexcept;
    // Worker: waits (forever) for the next request; false when the host closed the channel.
    bool next_request(Message& message, bool spin) noexcept;
    // Worker: answers the request last read.
    void reply(Message message) noexcept;

    // The data area after the header page.
    std::byte* data() const noexcept { return mapping_ + kHeaderBytes; }
    std::size_t data_bytes() const noexcept { return shared_bytes_ - kHeaderBytes; }
    SharedHeader& header() const noexcept { return *reinterpret_cast<SharedHeader*>(mapping_); }

    // Host: grows the memfd so the data area holds at least `bytes` (never shrinks). Throws
    // std::runtime_error when the memory cannot be had.
    void reserve_data(std::size_t bytes);
    // Worker: maps the memfd again when the host grew it.
    void follow_size(uint64_t shared_bytes);

private:
    Channel() = default;
    void map(std::size_t shared_bytes);
    void unmap() noexcept;

    int socket_ = -1;
    int worker_socket_ = -1;
    int memfd_ = -1;
    std::byte* mapping_ = nullptr;
    std::size_t shared_bytes_ = 0;
    uint64_t sequence_ = 0;  // the last request sent (host) or read (worker)
};

// Payloads: a flat byte string with length-prefixed fields, read back with bounds checks, since
// the host must not trust what a worker (running a plugin that may have scribbled on its memory)
// sends back.
class PayloadWriter {
public:
    void u32(uint32_t value) { raw(&value, sizeof value); }
    void u64(uint64_t value) { raw(&value, sizeof value); }
    void i32(int32_t value) { raw(&value, sizeof value); }
    void i64(int64_t value) { raw(&value, sizeof value); }
    void f64(double value) { raw(&value, sizeof value); }
    void text(std::string_view value) {
        u64(value.size());
        raw(value.data(), value.size());
    }
    void raw(const void* bytes, std::size_t count);
    const std::string& bytes() const noexcept { return bytes_; }

private:
    std::string bytes_;
};

class PayloadReader {
public:
    PayloadReader(const std::byte* data, std::size_t size) noexcept : data_(data), size_(size) {}
    // Each throws std::runtime_error("truncated payload") rather than read past the end.
    uint32_t u32() { return value<uint32_t>(); }
    uint64_t u64() { return value<uint64_t>(); }
    int32_t i32() { return value<int32_t>(); }
    int64_t i64() { return value<int64_t>(); }
    double f64() { return value<double>(); }
    std::string text();
    void raw(void* out, std::size_t count);
    std::size_t remaining() const noexcept { return size_ - offset_; }

private:
    template <class T>
    T value() {
        T v;
        raw(&v, sizeof v);
        return v;
    }
    const std::byte* data_;
    std::size_t size_;
    std::size_t offset_ = 0;
};

}  // namespace impact::isolation
