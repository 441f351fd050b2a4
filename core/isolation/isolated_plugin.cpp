// Starting impact-worker processes, forwarding plugin calls to them, and saying what became of a worker that died.
#include "isolation/isolated_plugin.hpp"

#include "host/result_tables.hpp"

#include "host/plugin_cache.hpp"
#include "isolation/channel.hpp"
#include "isolation/sandbox.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace impact::isolation {
namespace {

// A batch's numbers travel in the channel's shared memory; a batch larger than this is sent in
// pieces of whole rows, so one call never needs more than ~64 MiB of shared memory per channel.
constexpr std::size_t kMaxBatchBytes = std::size_t{64} << 20;
constexpr std::size_t kInitialDataBytes = std::size_t{1} << 20;
constexpr std::size_t kControlDataBytes = std::size_t{64} << 20;

// Writes `text` into a plugin-style error buffer, within its capacity.
void put(char* buffer, uint32_t capacity, std::string_view text) noexcept {
    if (!buffer || capacity == 0) return;
    const std::size_t n = std::min<std::size_t>(text.size(), capacity - 1);
    if (n > 0) std::memcpy(buffer, text.data(), n);  // an empty view's data() may be null
    buffer[n] = '\0';
}

void fill_error(impact_error* error, std::string_view message, std::string_view input_key = {}, int64_t row = -1) noexcept {
    if (!error || error->struct_size < sizeof(impact_error)) return;
    put(error->message, error->message_capacity, message);
    put(error->input_key, error->input_key_capacity, input_key);
    error->row = row;
}

int timeout_ms(const IsolationLimits& limits) {
    return limits.call_timeout.count() <= 0 ? -1 : static_cast<int>(std::min<int64_t>(limits.call_timeout.count(), INT32_MAX));
}

std::string signal_text(int signal) {
    const char* abbreviation = ::sigabbrev_np(signal);
    const char* description = ::sigdescr_np(signal);
    return fmt::format("SIG{} ({})", abbreviation ? abbreviation : std::to_string(signal).c_str(),
                       description ? description : "unknown signal");
}

// The prepared values as the plugin would see them in-process, flattened for the worker.
void write_args(PayloadWriter& out, const impact_prepare_args* args) {
    const uint32_t count = args ? args->value_count : 0;
    out.u32(count);
    for (uint32_t i = 0; i < count; ++i) {
        const impact_value& v = args->values[i];
        out.text(v.key ? v.key : "");
        out.u32(v.kind);
        out.u32(v.text ? 1 : 0);
        out.text(v.text ? v.text : "");
        out.i32(v.date);
        out.f64(v.number);
        out.u32(v.series ? v.series_count : 0);
        for (uint32_t s = 0; v.series && s < v.series_count; ++s) {
            const impact_series& series = v.series[s];
            out.u32(series.label ? 1 : 0);
            out.text(series.label ? series.label : "");
            out.u64(series.count);
            out.raw(series.dates, series.count * sizeof(impact_date_days));
            out.raw(series.values, series.count * sizeof(double));
        }
    }
    const uint32_t absent = args && args->struct_size >= sizeof(impact_prepare_args) ? args->absent_row_input_count : 0;
    out.u32(absent);
    for (uint32_t i = 0; i < absent; ++i) out.text(args->absent_row_inputs[i]);
}

}  // namespace

std::optional<IsolationPolicy> parse_isolation_policy(std::string_view text) noexcept {
    if (text == "none") return IsolationPolicy::none;
    if (text == "untrusted") return IsolationPolicy::untrusted;
    if (text == "all") return IsolationPolicy::all;
    return std::nullopt;
}

std::string_view isolation_policy_name(IsolationPolicy policy) noexcept {
    switch (policy) {
    case IsolationPolicy::none: return "none";
    case IsolationPolicy::untrusted: return "untrusted";
    case IsolationPolicy::all: return "all";
    }
    return "?";
}

std::filesystem::path default_worker_executable() {
    if (const char* set = std::getenv("IMPACT_WORKER"); set && *set) return set;
    std::error_code ec;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    // Never a bare name: posix_spawn would run ./impact-worker from the current folder.
    if (ec) return "/proc/self/exe is unreadable, so impact-worker cannot be found; set IMPACT_WORKER";
    return self.parent_path().parent_path() / "lib" / "impact" / "impact-worker";
}

namespace {

// A finite, non-negative number followed by a unit (possibly empty), as "1.5" and "GiB".
bool split_number(std::string_view text, double& number, std::string_view& unit) noexcept {
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, number);
    if (ec != std::errc() || stop == text.data() || !std::isfinite(number) || number < 0) return false;
    unit = std::string_view(stop, static_cast<std::size_t>(end - stop));
    return true;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) return std::nullopt;
    double ms;
    if (unit.empty() || unit == "s") ms = number * 1000;
    else if (unit == "ms") ms = number;
    else if (unit == "m" || unit == "min") ms = number * 60'000;
    else return std::nullopt;
    if (ms > 1e12) return std::nullopt;  // beyond ~30 years: a typo, not a limit
    return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(ms)));
}

std::optional<uint64_t> parse_byte_size(std::string_view text) noexcept {
    double number = 0;
    std::string_view unit;
    if (!split_number(text, number, unit)) return std::nullopt;
    double factor;
    if (unit.empty() || unit == "M" || unit == "MiB" || unit == "MB") factor = 1 << 20;
    else if (unit == "G" || unit == "GiB" || unit == "GB") factor = 1 << 30;
    else if (unit == "K" || unit == "KiB" || unit == "KB") factor = 1 << 10;
    else return std::nullopt;
    const double bytes = number * factor;
    if (bytes > 1e18) return std::nullopt;
    return static_cast<uint64_t>(bytes);
}

std::string duration_text(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
    if (ms >= 1000) return fmt::format("{:g} s", static_cast<double>(ms) / 1000.0);
    return fmt::format("{} ms", ms);
}

std::string bytes_text(uint64_t bytes) {
    constexpr uint64_t kMiB = uint64_t{1} << 20;
    if (bytes >= 1024 * kMiB && bytes % (1024 * kMiB) == 0) return fmt::format("{} GiB", bytes / (1024 * kMiB));
    if (bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
    return fmt::format("{} bytes", bytes);
}

// ---- One worker process -------------------------------------------------------------------

class WorkerProcess {
public:
    // `earlier_deaths`: how many workers of this plugin died before this one, for the report.
    // The control channel carries the plugin's descriptors as JSON, which the worker cannot grow
    // memory for: 64 MiB covers the largest descriptors the loader accepts (1,024 models of 256
    // inputs and outputs), and a memfd's pages cost nothing until written.
    WorkerProcess(std::filesystem::path file, IsolationLimits limits, unsigned earlier_deaths)
        : file_(std::move(file)), limits_(std::move(limits)), earlier_deaths_(earlier_deaths),
          control_(Channel::create(kControlDataBytes)) {}
    ~WorkerProcess();
    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;

    // Starts the process and loads the plugin file in it.
    std::optional<host::PluginInfo> start_and_load(WorkerLoadFailure& failure);

    void set_plugin_id(std::string id) { plugin_id_ = std::move(id); }
    bool dead() const noexcept { return dead_.load(std::memory_order_acquire); }

    impact_status create(const char* model_id, const impact_prepare_args* args, uint64_t& handle,
                         std::vector<std::pair<std::string, std::string>>& notes, std::vector<sdk::Table>& tables,
                         impact_error* error);
    impact_status evaluate(uint64_t handle, const std::string& model_id, const double* inputs, uint64_t rows,
                           uint32_t input_width, uint32_t output_width, double* outputs, impact_error* error);
    void destroy(uint64_t handle) noexcept;
    // What happened to the worker, for calls made after it died.
    std::string death_text();

    // A channel kept by one SharedBatch for its life, and an evaluate of rows already in it.
    std::optional<Channel> take_channel(std::string& why_not);
    void return_channel(Channel channel) { give_back(std::move(channel)); }

    impact_status evaluate_in_place(Channel& channel, uint64_t handle, const std::string& model_id, uint64_t rows,
                                    uint32_t input_width, uint32_t output_width, uint64_t input_offset,
                                    uint64_t output_offset, int64_t first_row, bool spin, impact_error* error);

private:
    // A channel borrowed from the pool for one call.
    class Lease {
    public:
        Lease(WorkerProcess& process, Channel channel) : process_(process), channel_(std::move(channel)) {}
        ~Lease() {
            if (keep_) process_.give_back(std::move(channel_));
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Channel& operator*() noexcept { return channel_; }
        Channel* operator->() noexcept { return &channel_; }
        void discard() noexcept { keep_ = false; }

    private:
        WorkerProcess& process_;
        Channel channel_;
        bool keep_ = true;
    };
    std::optional<Lease> borrow(std::string& why_not);
    void give_back(Channel channel);
    // One request and its reply; on a dead or hung worker returns false with the reason.
    // One request and its reply on a data channel. `why` reads after the call's name: "failed:
    // <what happened>" or "did not return within ...". `spin`: both sides may wait busily
    // (Channel::call), true unless the caller knows its callers outnumber half the cores.
    bool exchange(Channel& channel, Message& message, std::string& why, bool spin = true);
    // The same on the control channel (socket messages, as file descriptors may ride along).
    bool exchange_control(Message& message, std::string& why);
    std::string failure_text(Received received);
    // A failure reply's payload (message, input key, row) into *error; returns its status.
    impact_status read_error_reply(const Channel& channel, const Message& message, const char* call,
                                   std::string_view model_id, int64_t first_row, uint64_t rows, impact_error* error);
    // Records how the worker ended (after a closed socket or a timeout); returns the description.
    std::string note_death(bool timed_out);
    std::string who() const;

    std::filesystem::path file_;
    IsolationLimits limits_;
    unsigned earlier_deaths_ = 0;
    std::string plugin_id_;
    pid_t pid_ = -1;
    Channel control_;
    std::mutex control_mutex_;
    std::mutex pool_mutex_;
    std::vector<Channel> pool_;
    std::mutex death_mutex_;
    std::atomic<bool> dead_{false};
    std::string death_;  // how it ended, once dead_
};

std::string WorkerProcess::who() const {
    const std::string file = text::printable(file_.string());
    return plugin_id_.empty() ? fmt::format("the isolated worker of {}", file)
                              : fmt::format("the isolated worker of plugin {} ({})", plugin_id_, file);
}

std::optional<host::PluginInfo> WorkerProcess::start_and_load(WorkerLoadFailure& failure) {
    const std::filesystem::path worker =
        limits_.worker_executable.empty() ? default_worker_executable() : limits_.worker_executable;
    // The worker finds its control channel at descriptors 3 and 4; everything else it closes.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, control_.worker_socket(), 3);
    posix_spawn_file_actions_adddup2(&actions, control_.memfd(), 4);
    const std::vector<std::string> arguments{
        worker.string(),
        fmt::format("--shared-bytes={}", kHeaderBytes + control_.data_bytes()),
        fmt::format("--memory-bytes={}", limits_.memory_bytes),
        fmt::format("--sandbox={}", limits_.sandbox ? 1 : 0),
    };
    std::vector<char*> argv;
    for (const std::string& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int spawned = ::posix_spawn(&pid_, worker.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    control_.forget_worker_end();
    if (spawned != 0) {
        pid_ = -1;
        failure = {fmt::format("{}: cannot start impact-worker {}: {}", text::printable(file_.string()),
                               text::printable(worker.string()), std::strerror(spawned)),
                   true};
        return std::nullopt;
    }

    const std::string path = file_.string();
    std::lock_guard lock(control_mutex_);
    control_.reserve_data(path.size());
    std::memcpy(control_.data(), path.data(), path.size());
    Message message;
    message.op = static_cast<uint32_t>(Op::load);
    message.payload_bytes = path.size();
    std::string why;
    if (!exchange_control(message, why)) {
        failure = {fmt::format("{}: load {}", text::printable(path), why), true};
        return std::nullopt;
    }
    if (message.payload_bytes > control_.data_bytes()) {
        failure = {fmt::format("{}: impact-worker sent a malformed reply", text::printable(path)), true};
        return std::nullopt;
    }
    const std::string_view payload(reinterpret_cast<const char*>(control_.data()), message.payload_bytes);
    if (message.status != 0) {
        failure = {text::printable(payload), false};  // the loader's reason, which names the file
        return std::nullopt;
    }
    try {
        host::PluginInfo info = host::plugin_info_from_json_text(payload, file_);
        if (const auto problem = host::cached_plugin_problem(info)) throw std::runtime_error(*problem);
        plugin_id_ = info.id;
        return info;
    } catch (const std::exception& e) {
        failure = {fmt::format("{}: impact-worker sent descriptors the host refuses: {}", text::printable(path),
                               text::printable(e.what())),
                   true};
        return std::nullopt;
    }
}

WorkerProcess::~WorkerProcess() {
    {
        std::lock_guard lock(pool_mutex_);
        pool_.clear();  // closing a channel's socket ends its thread in the worker
    }
    const int control_socket = control_.socket();
    if (control_socket >= 0) ::shutdown(control_socket, SHUT_RDWR);  // the worker exits on EOF
    if (pid_ <= 0 || dead()) return;
    // A worker exits as soon as its control socket closes; give it a moment, then insist (a
    // plugin may be stuck in a call the host stopped waiting for).
    for (int i = 0; i < 200; ++i) {
        int status;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_ || (done < 0 && errno != EINTR)) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::kill(pid_, SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

std::optional<WorkerProcess::Lease> WorkerProcess::borrow(std::string& why_not) {
    if (dead()) {
        why_not = death_text();
        return std::nullopt;
    }
    {
        std::lock_guard lock(pool_mutex_);
        if (!pool_.empty()) {
            Channel channel = std::move(pool_.back());
            pool_.pop_back();
            return std::optional<Lease>(std::in_place, *this, std::move(channel));
        }
    }
    // A new channel: its socket and memory go to the worker over the control channel, where a
    // thread of its own will serve it.
    Channel channel = Channel::create(kInitialDataBytes);
    std::lock_guard lock(control_mutex_);
    Message message;
    message.op = static_cast<uint32_t>(Op::open_channel);
    message.shared_bytes = kHeaderBytes + channel.data_bytes();
    const int fds[2] = {channel.worker_socket(), channel.memfd()};
    if (!control_.send(message, fds)) {
        why_not = note_death(false);
        return std::nullopt;
    }
    channel.forget_worker_end();
    Message reply;
    const Received received = control_.receive(reply, timeout_ms(limits_));
    if (received != Received::message || reply.status != 0) {
        why_not = note_death(received == Received::timed_out);
        return std::nullopt;
    }
    return std::optional<Lease>(std::in_place, *this, std::move(channel));
}

void WorkerProcess::give_back(Channel channel) {
    std::lock_guard lock(pool_mutex_);
    pool_.push_back(std::move(channel));
}

bool WorkerProcess::exchange(Channel& channel, Message& message, std::string& why, bool spin) {
    const uint32_t op = message.op;
    const Received received = channel.call(message, timeout_ms(limits_), spin);
    if (received == Received::message && message.op == static_cast<uint32_t>(Op::reply) && message.answered == op)
        return true;
    why = failure_text(received);
    return false;
}

bool WorkerProcess::exchange_control(Message& message, std::string& why) {
    const uint32_t op = message.op;
    if (!control_.send(message)) {
        why = note_death(false);
        return false;
    }
    const Received received = control_.receive(message, timeout_ms(limits_));
    if (received == Received::message && message.op == static_cast<uint32_t>(Op::reply) && message.answered == op)
        return true;
    why = failure_text(received);
    return false;
}

std::string WorkerProcess::failure_text(Received received) {
    std::string why;
    const bool timed_out = received == Received::timed_out;
    const std::string death = note_death(timed_out);
    why = timed_out ? fmt::format("did not return within --plugin-timeout {}: {}", duration_text(limits_.call_timeout), death)
                    : "failed: " + death;
    return why;
}

std::string WorkerProcess::note_death(bool timed_out) {
    std::lock_guard lock(death_mutex_);
    if (dead()) return death_;
    if (timed_out && pid_ > 0) ::kill(pid_, SIGKILL);
    int status = 0;
    pid_t done = -1;
    // The socket closed because the process is ending; wait for it (briefly: a worker that
    // closed its socket but lives on is stopped).
    for (int i = 0; i < 2000 && pid_ > 0; ++i) {
        done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_ || (done < 0 && errno != EINTR)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (pid_ > 0 && done != pid_) {
        ::kill(pid_, SIGKILL);
        while ((done = ::waitpid(pid_, &status, 0)) < 0 && errno == EINTR) {
        }
    }
    const SharedHeader& header = control_.header();
    std::string what;
    if (timed_out) {
        what = fmt::format("{} was stopped", who());
    } else if (done == pid_ && WIFSIGNALED(status)) {
        what = fmt::format("{} crashed with {}", who(), signal_text(WTERMSIG(status)));
        if (WTERMSIG(status) == SIGKILL) what += " (killed from outside, perhaps by the kernel's out-of-memory killer)";
    } else if (done == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == kExitForbiddenSyscall) {
        what = fmt::format("{} was stopped by the sandbox: the plugin called {}, which isolated plugins may not (no "
                           "writing files, no network, no programs, no signals to other processes)",
                           who(), text::printable(forbidden_call_text(header)));
    } else if (done == pid_ && WIFEXITED(status)) {
        what = fmt::format("{} ended with exit status {} (a plugin must not end the process)", who(),
                           WEXITSTATUS(status));
    } else {
        what = fmt::format("{} stopped answering", who());
    }
    if (header.allocation_failed && limits_.memory_bytes > 0)
        what += fmt::format(" after an allocation failed at the --plugin-memory limit of {}", bytes_text(limits_.memory_bytes));
    if (earlier_deaths_ > 0) what += fmt::format(" (its worker has now died {} times in this run)", earlier_deaths_ + 1);
    death_ = what;
    dead_.store(true, std::memory_order_release);
    return death_;
}

std::string WorkerProcess::death_text() {
    std::lock_guard lock(death_mutex_);
    return death_;
}

impact_status WorkerProcess::create(const char* model_id, const impact_prepare_args* args, uint64_t& handle,
                                    std::vector<std::pair<std::string, std::string>>& notes,
                                    std::vector<sdk::Table>& tables, impact_error* error) {
    std::string why;
    std::optional<Lease> lease = borrow(why);
    if (!lease) {
        fill_error(error, fmt::format("model '{}': create failed: {}", model_id, why));
        return IMPACT_STATUS_MODEL_FAILED;
    }
    Channel& channel = **lease;
    PayloadWriter payload;
    payload.text(model_id);
    write_args(payload, args);
    Message message;
    // Twice at most: a reply too large for the channel says how large it is, and the host makes room.
    for (bool grown_for_reply = false;; grown_for_reply = true) {
        channel.reserve_data(payload.bytes().size());
        std::memcpy(channel.data(), payload.bytes().data(), payload.bytes().size());
        message = Message{};
        message.op = static_cast<uint32_t>(Op::create);
        message.payload_bytes = payload.bytes().size();
        if (!exchange(channel, message, why)) {
            lease->discard();
            fill_error(error, fmt::format("model '{}': create {}", model_id, why));
            return IMPACT_STATUS_MODEL_FAILED;
        }
        if (message.status != kStatusReplyTooLarge) break;
        if (grown_for_reply) {
            fill_error(error, fmt::format("model '{}': create failed: its notes and tables grew to {} bytes on a "
                                          "second create with the same inputs",
                                          model_id, message.payload_bytes));
            return IMPACT_STATUS_INTERNAL;
        }
        // The notes and tables did not fit: make room, and the plugin prepares once more (its create
        // runs twice only for replies beyond the channel's size).
        try {
            channel.reserve_data(message.payload_bytes);
        } catch (const std::exception& e) {
            fill_error(error, fmt::format("model '{}': create failed: its notes and tables take {} bytes: {}", model_id,
                                          message.payload_bytes, e.what()));
            return IMPACT_STATUS_INTERNAL;
        }
    }
    if (message.status != IMPACT_STATUS_OK) return read_error_reply(channel, message, "create", model_id, 0, 0, error);
    try {
        if (message.payload_bytes > channel.data_bytes()) throw std::runtime_error("payload larger than its channel");
        PayloadReader reply(channel.data(), message.payload_bytes);
        handle = message.handle;
        const uint32_t count = reply.u32();
        for (uint32_t i = 0; i < count; ++i) {
            std::string key = reply.text();
            notes.emplace_back(std::move(key), reply.text());
        }
        tables = host::read_result_tables(reply);
        return IMPACT_STATUS_OK;
    } catch (const std::exception& e) {
        fill_error(error, fmt::format("model '{}': create failed: {} sent a malformed reply ({})", model_id, who(), e.what()));
        return IMPACT_STATUS_INTERNAL;
    }
}

impact_status WorkerProcess::evaluate(uint64_t handle, const std::string& model_id, const double* inputs,
                                      uint64_t rows, uint32_t input_width, uint32_t output_width, double* outputs,
                                      impact_error* error) {
    std::string why;
    std::optional<Lease> lease = borrow(why);
    if (!lease) {
        fill_error(error, fmt::format("model '{}': evaluate failed: {}", model_id, why));
        return IMPACT_STATUS_MODEL_FAILED;
    }
    Channel& channel = **lease;
    const std::size_t row_bytes = (std::size_t{input_width} + output_width) * sizeof(double);
    const uint64_t rows_per_call = std::max<uint64_t>(1, kMaxBatchBytes / std::max<std::size_t>(row_bytes, 1));
    for (uint64_t first = 0; first < rows; first += rows_per_call) {
        const uint64_t count = std::min(rows_per_call, rows - first);
        const std::size_t input_bytes = count * input_width * sizeof(double);
        // Outputs start on a cache line of their own, after the inputs.
        const std::size_t output_offset = (input_bytes + 63) / 64 * 64;
        channel.reserve_data(output_offset + count * output_width * sizeof(double));
        if (input_bytes) std::memcpy(channel.data(), inputs + first * input_width, input_bytes);
        const impact_status status = evaluate_in_place(channel, handle, model_id, count, input_width, output_width, 0,
                                                       output_offset, static_cast<int64_t>(first), /*spin=*/true, error);
        if (status != IMPACT_STATUS_OK) {
            if (dead()) lease->discard();
            return status;
        }
        std::memcpy(outputs + first * output_width, channel.data() + output_offset, count * output_width * sizeof(double));
    }
    return IMPACT_STATUS_OK;
}

std::optional<Channel> WorkerProcess::take_channel(std::string& why_not) {
    std::optional<Lease> lease = borrow(why_not);
    if (!lease) return std::nullopt;
    std::optional<Channel> channel(std::move(**lease));
    lease->discard();
    return channel;
}

impact_status WorkerProcess::evaluate_in_place(Channel& channel, uint64_t handle, const std::string& model_id,
                                               uint64_t rows, uint32_t input_width, uint32_t output_width,
                                               uint64_t input_offset, uint64_t output_offset, int64_t first_row,
                                               bool spin, impact_error* error) {
    Message message;
    message.op = static_cast<uint32_t>(Op::evaluate);
    message.handle = handle;
    message.rows = rows;
    message.input_width = input_width;
    message.output_width = output_width;
    message.input_offset = input_offset;
    message.output_offset = output_offset;
    std::string why;
    if (!exchange(channel, message, why, spin)) {
        fill_error(error, fmt::format("model '{}': evaluate {}", model_id, why));
        return IMPACT_STATUS_MODEL_FAILED;
    }
    if (message.status == IMPACT_STATUS_OK) return IMPACT_STATUS_OK;
    return read_error_reply(channel, message, "evaluate", model_id, first_row, rows, error);
}

impact_status WorkerProcess::read_error_reply(const Channel& channel, const Message& message, const char* call,
                                              std::string_view model_id, int64_t first_row, uint64_t rows,
                                              impact_error* error) {
    try {
        const SharedHeader& header = channel.header();
        const uint32_t bytes = header.error_bytes;
        if (bytes > sizeof header.error_payload) throw std::runtime_error("error payload larger than its place");
        PayloadReader reply(reinterpret_cast<const std::byte*>(header.error_payload), bytes);
        const std::string text = reply.text();
        const std::string key = reply.text();
        const int64_t row = reply.i64();
        // A row outside the batch (a plugin that left error->row unset, or a worker that scribbled
        // on the header) is no row: the host must not index its inputs with it.
        const bool known_row = row >= 0 && static_cast<uint64_t>(row) < rows;
        fill_error(error, text, key, known_row ? row + first_row : -1);
    } catch (const std::exception& e) {
        fill_error(error, fmt::format("model '{}': {} failed: {} sent a malformed reply ({})", model_id, call, who(), e.what()));
        return IMPACT_STATUS_INTERNAL;
    }
    return message.status;
}

void WorkerProcess::destroy(uint64_t handle) noexcept {
    if (dead()) return;
    try {
        std::string why;
        std::optional<Lease> lease = borrow(why);
        if (!lease) return;
        Message message;
        message.op = static_cast<uint32_t>(Op::destroy);
        message.handle = handle;
        if (!exchange(**lease, message, why)) lease->discard();
    } catch (...) {
        // Destroying cannot fail the run: the worker goes with the plugin anyway.
    }
}

// ---- Instances whose calls go to a worker ---------------------------------------------------

namespace {

// What the host holds for an instance living in a worker. `c` comes first, so the pointer the host
// keeps (impact_model_instance*) is also a pointer to this.
struct RemoteInstance {
    impact_model_instance c{};
    std::shared_ptr<WorkerProcess> process;
    uint64_t handle = 0;
    std::string model_id;
    uint32_t input_width = 0;
    uint32_t output_width = 0;
    std::vector<std::pair<std::string, std::string>> notes;  // read once at create: settled at prepare time
    std::optional<sdk::detail::TableStorage> tables;         // likewise (ABI 1.4), offered as the plugin did

    static const RemoteInstance& of(const impact_model_instance* self) noexcept {
        return *static_cast<const RemoteInstance*>(self->model_data);
    }
};

impact_status remote_evaluate(const impact_model_instance* self, const double* inputs, uint64_t row_count,
                              double* outputs, impact_error* error) {
    const RemoteInstance& r = RemoteInstance::of(self);
    try {
        return r.process->evaluate(r.handle, r.model_id, inputs, row_count, r.input_width, r.output_width, outputs, error);
    } catch (const std::exception& e) {  // shared memory that could not grow, say
        fill_error(error, fmt::format("model '{}': evaluate failed in the host: {}", r.model_id, e.what()));
        return IMPACT_STATUS_INTERNAL;
    }
}

uint32_t remote_get_note(const impact_model_instance* self, uint32_t index, const char** key, const char** value) {
    const RemoteInstance& r = RemoteInstance::of(self);
    if (index >= r.notes.size()) return 0;
    *key = r.notes[index].first.c_str();
    *value = r.notes[index].second.c_str();
    return 1;
}

uint32_t remote_table_count(const impact_model_instance* self) {
    return static_cast<uint32_t>(RemoteInstance::of(self).tables->views.size());
}
const impact_table* remote_table(const impact_model_instance* self, uint32_t index) {
    const auto& views = RemoteInstance::of(self).tables->views;
    return index < views.size() ? &views[index] : nullptr;
}

// Extension interfaces are pointers into the plugin's memory, which lives in the worker. Only
// "impact.tables/1" is forwarded, by value: the worker sent the tables with the create reply.
// Other ids are not (docs/isolation.md).
const void* remote_get_extension(const impact_model_instance* self, const char* interface_id) {
    static constexpr impact_tables_v1 tables_interface{&remote_table_count, &remote_table};
    if (interface_id && std::strcmp(interface_id, IMPACT_TABLES_V1) == 0 && RemoteInstance::of(self).tables)
        return &tables_interface;
    return nullptr;
}

void remote_destroy(impact_model_instance* self) {
    auto* r = static_cast<RemoteInstance*>(self->model_data);
    r->process->destroy(r->handle);
    delete r;
}

}  // namespace

// ---- Batches in shared memory ----------------------------------------------------------------

struct SharedBatch::State {
    std::shared_ptr<WorkerProcess> process;
    std::optional<Channel> channel;
    const RemoteInstance* instance = nullptr;
    uint64_t output_offset = 0;  // bytes into the data area
    bool spin = true;
};

SharedBatch::SharedBatch(std::unique_ptr<State> state, uint64_t max_rows) : state_(std::move(state)), max_rows_(max_rows) {}

SharedBatch::~SharedBatch() {
    // The payload of an error reply may have overwritten the start of the inputs; the next user
    // writes its own rows anyway.
    if (!state_ || !state_->channel) return;
    if (!state_->process->dead()) state_->process->return_channel(std::move(*state_->channel));
}

double* SharedBatch::inputs() const noexcept { return reinterpret_cast<double*>(state_->channel->data()); }
double* SharedBatch::outputs() const noexcept {
    return reinterpret_cast<double*>(state_->channel->data() + state_->output_offset);
}

std::unique_ptr<SharedBatch> make_shared_batch(const impact_model_instance* instance, uint64_t max_rows,
                                               unsigned concurrent_callers, impact_error* error) {
    const RemoteInstance& r = RemoteInstance::of(instance);
    auto state = std::make_unique<SharedBatch::State>();
    // Waiting busily pays while each caller and the worker thread serving it have a core each.
    state->spin = 2 * std::max(1u, concurrent_callers) <= std::max(1u, std::thread::hardware_concurrency());
    state->process = r.process;
    state->instance = &r;
    std::string why;
    try {
        state->channel = r.process->take_channel(why);
        if (!state->channel) {
            fill_error(error, fmt::format("model '{}': evaluate failed: {}", r.model_id, why));
            return nullptr;
        }
        const uint64_t input_bytes = max_rows * r.input_width * sizeof(double);
        state->output_offset = (input_bytes + 63) / 64 * 64;
        state->channel->reserve_data(state->output_offset + max_rows * r.output_width * sizeof(double));
    } catch (const std::exception& e) {
        fill_error(error, fmt::format("model '{}': no shared memory for a batch of {} rows: {}", r.model_id, max_rows, e.what()));
        return nullptr;
    }
    return std::unique_ptr<SharedBatch>(new SharedBatch(std::move(state), max_rows));
}

impact_status evaluate_shared_batch(const impact_model_instance* instance, SharedBatch& batch, uint64_t first_row,
                                    uint64_t rows, impact_error* error) {
    const RemoteInstance& r = RemoteInstance::of(instance);
    SharedBatch::State& state = *batch.state_;
    if (state.instance != &r || first_row > batch.max_rows() || rows > batch.max_rows() - first_row) {
        fill_error(error, fmt::format("model '{}': evaluate of rows outside its shared batch", r.model_id));
        return IMPACT_STATUS_INTERNAL;
    }
    return r.process->evaluate_in_place(*state.channel, r.handle, r.model_id, rows, r.input_width, r.output_width,
                                        first_row * r.input_width * sizeof(double),
                                        state.output_offset + first_row * r.output_width * sizeof(double), 0, state.spin,
                                        error);
}

// ---- IsolatedPlugin ---------------------------------------------------------------------------

std::unique_ptr<IsolatedPlugin> IsolatedPlugin::load(const std::filesystem::path& file, const IsolationLimits& limits,
                                                     WorkerLoadFailure& failure) {
    std::unique_ptr<IsolatedPlugin> plugin(new IsolatedPlugin(file, limits));
    std::shared_ptr<WorkerProcess> process;
    std::optional<host::PluginInfo> info;
    try {
        process = std::make_shared<WorkerProcess>(file, limits, 0);
        info = process->start_and_load(failure);
    } catch (const std::exception& e) {  // no descriptors or memory left in the host, say
        failure = {fmt::format("{}: cannot start its isolated worker: {}", text::printable(file.string()), e.what()), true};
        return nullptr;
    }
    if (!info) return nullptr;
    plugin->info_ = std::move(*info);
    plugin->process_ = std::move(process);
    return plugin;
}

IsolatedPlugin::~IsolatedPlugin() = default;

unsigned IsolatedPlugin::deaths() const {
    std::lock_guard lock(mutex_);
    return deaths_ + (process_ && process_->dead() ? 1 : 0);
}

std::shared_ptr<WorkerProcess> IsolatedPlugin::live_process(std::string& why_not) const {
    std::lock_guard lock(mutex_);
    if (process_ && !process_->dead()) return process_;
    if (process_) {
        ++deaths_;
        const std::string last = process_->death_text();
        process_.reset();
        if (deaths_ > limits_.max_restarts) {
            why_not = fmt::format("{} died {} times in this run and is not started again; the last time: {}",
                                  fmt::format("the isolated worker of plugin {}", info_.id), deaths_, last);
            return nullptr;
        }
    } else if (deaths_ > limits_.max_restarts) {
        why_not = fmt::format("the isolated worker of plugin {} died {} times in this run and is not started again",
                              info_.id, deaths_);
        return nullptr;
    }
    auto process = std::make_shared<WorkerProcess>(file_, limits_, deaths_);
    WorkerLoadFailure failure;
    std::optional<host::PluginInfo> info = process->start_and_load(failure);
    if (!info) {
        ++deaths_;
        why_not = fmt::format("its worker could not be started again: {}", failure.reason);
        return nullptr;
    }
    if (!(*info == info_)) {
        why_not = fmt::format("{} declares other models since it was first loaded; not used", text::printable(file_.string()));
        return nullptr;
    }
    process_ = std::move(process);
    return process_;
}

impact_status IsolatedPlugin::create(const char* model_id, const impact_prepare_args* args,
                                     impact_model_instance** out_instance, impact_error* error) const {
    *out_instance = nullptr;
    const auto model = std::find_if(info_.models.begin(), info_.models.end(),
                                    [&](const host::ModelInfo& m) { return m.id == model_id; });
    if (model == info_.models.end()) {
        fill_error(error, fmt::format("model '{}' is not provided by plugin {}", model_id, info_.id));
        return IMPACT_STATUS_UNKNOWN_MODEL;
    }
    std::string why;
    std::shared_ptr<WorkerProcess> process;
    try {
        process = live_process(why);
    } catch (const std::exception& e) {
        why = fmt::format("its worker could not be started in the host: {}", e.what());
    }
    if (!process) {
        fill_error(error, fmt::format("model '{}': create failed: {}", model_id, why));
        return IMPACT_STATUS_MODEL_FAILED;
    }
    auto remote = std::make_unique<RemoteInstance>();
    remote->process = process;
    remote->model_id = model_id;
    remote->input_width = static_cast<uint32_t>(model->row_inputs().size());
    remote->output_width = static_cast<uint32_t>(model->outputs.size());
    try {
        std::vector<sdk::Table> tables;
        const impact_status status = process->create(model_id, args, remote->handle, remote->notes, tables, error);
        if (status != IMPACT_STATUS_OK) return status;
        if (!tables.empty()) remote->tables.emplace(std::move(tables));
    } catch (const std::exception& e) {
        fill_error(error, fmt::format("model '{}': create failed: {}", model_id, e.what()));
        return IMPACT_STATUS_INTERNAL;
    }
    remote->c.model_data = remote.get();
    remote->c.evaluate = remote_evaluate;
    remote->c.get_note = remote_get_note;
    remote->c.get_extension = remote_get_extension;
    remote->c.destroy = remote_destroy;
    *out_instance = &remote.release()->c;
    return IMPACT_STATUS_OK;
}

}  // namespace impact::isolation
