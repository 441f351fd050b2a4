// impact-worker: loads one plugin in a process of its own, behind a seccomp filter, and answers the host's calls.
//
// Started by impact (isolation/isolated_plugin.cpp) with its control channel at descriptors 3
// (socket) and 4 (shared memory); not meant to be run by hand. The main thread serves the control
// channel (load, open_channel) and exits the process when the host closes it, which also ends a
// plugin stuck in a call. Every other channel is served by a thread of its own, so the host's
// Monte Carlo threads evaluate in parallel, as they would in-process.
#include "host/error_buffer.hpp"
#include "host/plugin_cache.hpp"
#include "host/plugin_library.hpp"
#include "host/model.hpp"
#include "host/result_tables.hpp"
#include "isolation/channel.hpp"
#include "isolation/isolated_plugin.hpp"
#include "isolation/sandbox.hpp"

#include <impact/sdk/impact_plugin.h>

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
// The worker under AddressSanitizer: let a plugin's SIGSEGV, SIGBUS or abort end the process with
// that signal (so the host reports it as in a normal build) instead of ASan's handler, whose
// report would spawn a symbolizer that the sandbox refuses. Leaks are not checked: the worker
// leaves with _exit.
extern "C" const char* __asan_default_options() {
    return "handle_segv=0:handle_sigbus=0:handle_abort=0:handle_sigfpe=0:detect_leaks=0:symbolize=0";
}
// Whatever ASAN_OPTIONS says (the test preset turns leak checks on): LeakSanitizer's check at
// exit() stops the world with ptrace from a new process, which the sandbox forbids, and would
// turn a plugin's exit() into a report about that instead.
extern "C" int __lsan_is_turned_off() { return 1; }
#endif

namespace {

using namespace impact;
using isolation::Channel;
using isolation::Message;
using isolation::Op;

// The worker's second piece of process-wide state (the first is the SIGSYS handler's, in
// sandbox.cpp): where operator new's handler flags a failed allocation for the host to read.
isolation::SharedHeader* g_allocation_flag = nullptr;

void on_allocation_failure() {
    if (g_allocation_flag) g_allocation_flag->allocation_failed = 1;
    throw std::bad_alloc();
}

// The prepared values rebuilt exactly as the host's C view: owned here until the instance goes.
struct ReceivedArgs {
    struct Series {
        bool has_label = false;
        std::string label;
        std::vector<impact_date_days> dates;
        std::vector<double> values;
    };
    struct Value {
        std::string key;
        impact_input_kind kind = 0;
        bool has_text = false;
        std::string text;
        impact_date_days date = 0;
        double number = 0;
        std::vector<Series> series;
    };
    std::string model_id;
    std::vector<Value> values;
    std::vector<std::string> absent;
    // The C view, built once all of the above is in place.
    std::vector<std::vector<impact_series>> c_series;
    std::vector<impact_value> c_values;
    std::vector<const char*> c_absent;
    impact_prepare_args c_args{};

    void read(isolation::PayloadReader& in) {
        model_id = in.text();
        values.resize(in.u32());
        for (Value& v : values) {
            v.key = in.text();
            v.kind = in.u32();
            v.has_text = in.u32() != 0;
            v.text = in.text();
            v.date = in.i32();
            v.number = in.f64();
            const uint32_t series_count = in.u32();
            if (series_count > in.remaining()) throw std::runtime_error("truncated payload");
            v.series.resize(series_count);
            for (Series& s : v.series) {
                s.has_label = in.u32() != 0;
                s.label = in.text();
                const uint64_t count = in.u64();
                if (count > in.remaining() / (sizeof(impact_date_days) + sizeof(double)))
                    throw std::runtime_error("truncated payload");
                s.dates.resize(count);
                s.values.resize(count);
                in.raw(s.dates.data(), count * sizeof(impact_date_days));
                in.raw(s.values.data(), count * sizeof(double));
            }
        }
        absent.resize(in.u32());
        for (std::string& a : absent) a = in.text();

        for (const Value& v : values) {
            std::vector<impact_series> list;
            for (const Series& s : v.series)
                list.push_back({sizeof(impact_series), s.has_label ? s.label.c_str() : nullptr, s.dates.data(),
                                s.values.data(), s.dates.size()});
            c_series.push_back(std::move(list));
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
            const Value& v = values[i];
            c_values.push_back({sizeof(impact_value), v.key.c_str(), v.kind, v.has_text ? v.text.c_str() : nullptr,
                                v.date, v.number, c_series[i].empty() ? nullptr : c_series[i].data(),
                                static_cast<uint32_t>(c_series[i].size())});
        }
        for (const std::string& a : absent) c_absent.push_back(a.c_str());
        c_args = {sizeof(impact_prepare_args), c_values.empty() ? nullptr : c_values.data(),
                  static_cast<uint32_t>(c_values.size()), c_absent.empty() ? nullptr : c_absent.data(),
                  static_cast<uint32_t>(c_absent.size())};
    }
};

struct Instance {
    impact_model_instance* c = nullptr;
    std::unique_ptr<ReceivedArgs> args;
};

using host::ErrorBuffer;  // the host's error storage (host/error_buffer.hpp)

// Everything the worker's threads share.
class Worker {
public:
    Worker(isolation::SharedHeader& flags, uint64_t memory_bytes) : flags_(flags), memory_bytes_(memory_bytes) {}

    // Answers one control message; false when the worker should end.
    void serve_control(Channel& control);
    // Serves one channel until the host closes it.
    void serve(Channel channel);

private:
    void load(Channel& channel, Message& message);
    void create(Channel& channel, Message& message);
    void evaluate(Channel& channel, Message& message);
    void destroy(Message& message);
    void reply_error(Channel& channel, Message& message, impact_status status, std::string_view text,
                     std::string_view key = {}, int64_t row = -1);
    std::string memory_note() const;

    isolation::SharedHeader& flags_;
    uint64_t memory_bytes_;
    std::shared_ptr<const host::LoadedPlugin> plugin_;
    std::mutex instances_mutex_;
    std::unordered_map<uint64_t, Instance> instances_;
    uint64_t next_handle_ = 1;
};

// The worker never grows shared memory (the sandbox forbids ftruncate, and the host would not see
// the new size): a payload larger than the area the host gave is refused.
bool write_payload(Channel& channel, Message& message, const std::string& bytes) {
    if (bytes.size() > channel.data_bytes()) return false;
    std::memcpy(channel.data(), bytes.data(), bytes.size());
    message.payload_bytes = bytes.size();
    return true;
}

Message reply_to(const Message& request) {
    Message reply;
    reply.op = static_cast<uint32_t>(Op::reply);
    reply.answered = request.op;
    return reply;
}

std::string Worker::memory_note() const {
    if (!flags_.allocation_failed || memory_bytes_ == 0) return {};
    return fmt::format(" (in the isolated worker of plugin {} ({}), an allocation failed at the --plugin-memory limit "
                       "of {})",
                       plugin_ ? plugin_->info().id : "?", plugin_ ? plugin_->info().file.string() : "?",
                       isolation::bytes_text(memory_bytes_));
}

void Worker::reply_error(Channel& channel, Message& request, impact_status status, std::string_view text,
                         std::string_view key, int64_t row) {
    Message reply = reply_to(request);
    reply.status = status;
    isolation::PayloadWriter out;
    std::string note = memory_note();
    if (!note.empty())
        note.insert(2, request.op == static_cast<uint32_t>(Op::create) ? "create failed: " : "evaluate failed: ");
    isolation::SharedHeader& header = channel.header();
    // Message and key are each at most ~1 KiB (the error buffers' capacities), so this fits the
    // header's 2 KiB; the cut below only guards against a note that would not.
    std::string message = std::string(text) + note;
    const std::size_t room = sizeof header.error_payload - 64 - std::min<std::size_t>(key.size(), 512);
    if (message.size() > room) message.resize(room);
    out.text(message);
    out.text(key.substr(0, 512));
    out.i64(row);
    std::memcpy(header.error_payload, out.bytes().data(), out.bytes().size());
    header.error_bytes = static_cast<uint32_t>(out.bytes().size());
    channel.reply(reply);
}

void Worker::load(Channel& channel, Message& message) {
    Message reply = reply_to(message);
    const std::string path(reinterpret_cast<const char*>(channel.data()),
                           std::min<std::size_t>(message.payload_bytes, channel.data_bytes()));
    flags_.allocation_failed = 0;
    try {
        plugin_ = host::LoadedPlugin::load(path);
        const std::string descriptors = host::plugin_info_to_json_text(plugin_->info());
        if (!write_payload(channel, reply, descriptors))
            throw std::runtime_error(fmt::format("{}: its descriptors take {} bytes of JSON, more than the {} the host "
                                                 "accepts",
                                                 path, descriptors.size(), channel.data_bytes()));
        reply.status = 0;
    } catch (const std::exception& e) {
        std::string reason = e.what() + memory_note();
        if (reason.size() > channel.data_bytes()) reason.resize(channel.data_bytes());
        write_payload(channel, reply, reason);
        reply.status = 1;
    }
    channel.send(reply);
}

void Worker::create(Channel& channel, Message& message) {
    auto args = std::make_unique<ReceivedArgs>();
    try {
        isolation::PayloadReader in(channel.data(), std::min<std::size_t>(message.payload_bytes, channel.data_bytes()));
        args->read(in);
    } catch (const std::exception& e) {
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL, fmt::format("impact-worker: {}", e.what()));
    }
    if (!plugin_) return reply_error(channel, message, IMPACT_STATUS_INTERNAL, "impact-worker: no plugin loaded");
    ErrorBuffer error;
    impact_model_instance* instance = nullptr;
    impact_status status;
    flags_.allocation_failed = 0;  // the note on a failure is about this call only
    try {
        status = plugin_->factory().create(args->model_id.c_str(), &args->c_args, &instance, &error.error);
    } catch (const std::exception& e) {
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': create threw a C++ exception across the C ABI: {}", args->model_id, e.what()));
    } catch (...) {
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': create threw a C++ exception across the C ABI", args->model_id));
    }
    error.terminate();
    if (status != IMPACT_STATUS_OK) return reply_error(channel, message, status, error.message.data(), error.input_key.data(), error.error.row);
    if (!instance || !instance->evaluate || !instance->destroy)
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': create returned OK without a usable instance", args->model_id));

    isolation::PayloadWriter out;
    std::vector<std::pair<std::string, std::string>> notes;
    if (instance->get_note) {
        for (uint32_t i = 0; i < 1024; ++i) {
            const char* key = nullptr;
            const char* value = nullptr;
            if (!instance->get_note(instance, i, &key, &value)) break;
            notes.emplace_back(key ? key : "", value ? value : "");
        }
    }
    out.u32(static_cast<uint32_t>(notes.size()));
    for (const auto& [key, value] : notes) {
        out.text(key);
        out.text(value);
    }
    // Tables (ABI 1.4) point into the plugin's memory, here: copied and checked now, sent by value.
    try {
        host::write_result_tables(out, host::read_result_tables(*instance, args->model_id));
    } catch (const host::CallError& e) {
        instance->destroy(instance);
        return reply_error(channel, message, e.status(), e.what());
    } catch (const std::exception& e) {
        // Out of memory under --plugin-memory, or a plugin's table() that threw: this call fails,
        // the worker (and every other instance in it) lives on.
        instance->destroy(instance);
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': reading its result tables failed: {}{}", args->model_id, e.what(),
                                       memory_note()));
    } catch (...) {
        instance->destroy(instance);
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': reading its result tables threw an unknown exception", args->model_id));
    }
    Message reply = reply_to(message);
    if (!write_payload(channel, reply, out.bytes())) {
        // Large result tables: the host grows the channel to this size and creates the instance again.
        instance->destroy(instance);
        reply.status = isolation::kStatusReplyTooLarge;
        reply.payload_bytes = out.bytes().size();
        channel.reply(reply);
        return;
    }
    {
        std::lock_guard lock(instances_mutex_);
        reply.handle = next_handle_++;
        instances_[reply.handle] = Instance{instance, std::move(args)};
    }
    channel.reply(reply);
}

void Worker::evaluate(Channel& channel, Message& message) {
    impact_model_instance* instance = nullptr;
    const std::string* model_id = nullptr;
    {
        std::lock_guard lock(instances_mutex_);
        const auto found = instances_.find(message.handle);
        if (found != instances_.end()) {
            instance = found->second.c;
            model_id = &found->second.args->model_id;
        }
    }
    if (!instance) return reply_error(channel, message, IMPACT_STATUS_INTERNAL, "impact-worker: unknown instance");
    // Both regions must lie inside the shared memory; the host's requests are trusted no more
    // than needed to stay in bounds.
    const uint64_t data = channel.data_bytes();
    const uint64_t input_bytes = message.rows * message.input_width * sizeof(double);
    const uint64_t output_bytes = message.rows * message.output_width * sizeof(double);
    if (message.rows > data || message.input_offset > data || input_bytes > data - message.input_offset ||
        message.output_offset > data || output_bytes > data - message.output_offset ||
        message.input_offset % alignof(double) != 0 || message.output_offset % alignof(double) != 0)
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL, "impact-worker: malformed evaluate request");
    const auto* inputs = reinterpret_cast<const double*>(channel.data() + message.input_offset);
    auto* outputs = reinterpret_cast<double*>(channel.data() + message.output_offset);
    ErrorBuffer error;
    impact_status status;
    flags_.allocation_failed = 0;  // the note on a failure is about this call only
    try {
        status = instance->evaluate(instance, inputs, message.rows, outputs, &error.error);
    } catch (const std::exception& e) {
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': evaluate threw a C++ exception across the C ABI: {}", *model_id, e.what()));
    } catch (...) {
        return reply_error(channel, message, IMPACT_STATUS_INTERNAL,
                           fmt::format("model '{}': evaluate threw a C++ exception across the C ABI", *model_id));
    }
    if (status != IMPACT_STATUS_OK) {
        error.terminate();
        return reply_error(channel, message, status, error.message.data(), error.input_key.data(), error.error.row);
    }
    Message reply = reply_to(message);
    channel.reply(reply);
}

void Worker::destroy(Message& message) {
    Instance instance;
    {
        std::lock_guard lock(instances_mutex_);
        const auto found = instances_.find(message.handle);
        if (found == instances_.end()) return;
        instance = std::move(found->second);
        instances_.erase(found);
    }
    try {
        instance.c->destroy(instance.c);
    } catch (...) {
    }
}

void Worker::serve(Channel channel) {
    // Busy-wait for the next request only when the host's last one said the cores allow it.
    bool spin = false;
    for (;;) {
        Message message;
        if (!channel.next_request(message, spin)) return;
        spin = message.spin != 0;
        channel.follow_size(message.shared_bytes);
        switch (static_cast<Op>(message.op)) {
        case Op::create: create(channel, message); break;
        case Op::evaluate: evaluate(channel, message); break;
        case Op::destroy: {
            destroy(message);
            Message reply = reply_to(message);
            channel.reply(reply);
            break;
        }
        default: return;
        }
    }
}

void Worker::serve_control(Channel& control) {
    for (;;) {
        Message message;
        std::vector<int> fds;
        if (control.receive(message, -1, &fds) != isolation::Received::message) return;
        control.follow_size(message.shared_bytes);
        if (message.op == static_cast<uint32_t>(Op::load)) {
            load(control, message);
        } else if (message.op == static_cast<uint32_t>(Op::open_channel) && fds.size() == 2) {
            Message reply = reply_to(message);
            try {
                std::thread(&Worker::serve, this, Channel::adopt(fds[0], fds[1], message.shared_bytes)).detach();
            } catch (const std::exception&) {
                reply.status = 1;
            }
            control.send(reply);
        } else {
            for (int fd : fds) ::close(fd);
            return;
        }
    }
}

uint64_t number_argument(std::string_view arg, std::string_view name) {
    if (arg.substr(0, name.size()) != name) return UINT64_MAX;
    return std::strtoull(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t shared_bytes = 0;
    uint64_t memory_bytes = 0;
    bool sandbox = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (const uint64_t v = number_argument(arg, "--shared-bytes="); v != UINT64_MAX) shared_bytes = v;
        else if (const uint64_t m = number_argument(arg, "--memory-bytes="); m != UINT64_MAX) memory_bytes = m;
        else if (const uint64_t s = number_argument(arg, "--sandbox="); s != UINT64_MAX) sandbox = s != 0;
        else {
            std::fprintf(stderr, "impact-worker: started by impact for isolated plugins, not by hand (unknown argument %s)\n",
                         argv[i]);
            return 2;
        }
    }
    // Only the control channel and the standard streams stay open; a plugin's printing goes to
    // stderr, never into a report on stdout.
    ::close_range(5, ~0U, 0);
    ::dup2(2, 1);
    try {
        Channel control = Channel::adopt(3, 4, shared_bytes);
        isolation::SharedHeader& header = control.header();
#if !defined(__SANITIZE_ADDRESS__)
        if (memory_bytes > 0) {
            // The soft limit only, and never above the hard one the worker inherited (ulimit -d):
            // raising that needs privileges.
            rlimit limit{};
            if (::getrlimit(RLIMIT_DATA, &limit) != 0) throw std::runtime_error("cannot read RLIMIT_DATA");
            limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? memory_bytes : std::min<rlim_t>(memory_bytes, limit.rlim_max);
            if (::setrlimit(RLIMIT_DATA, &limit) != 0) throw std::runtime_error("cannot set RLIMIT_DATA");
        }
#endif
        g_allocation_flag = &header;
        std::set_new_handler(on_allocation_failure);
        // Before the plugin is loaded: its constructors run inside the filter too.
        if (sandbox) isolation::install_sandbox(header);
        Worker worker(header, memory_bytes);
        worker.serve_control(control);
        // The host closed the control channel: leave at once, from inside this scope, so that
        // neither the plugin's static destructors (dlclose) nor the unmapping of the shared
        // memory run while channel threads may still be in a call.
        ::_exit(0);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "impact-worker: %s\n", e.what());
        ::_exit(1);
    }
    // The host closed the control channel: leave at once, without running the plugin's static
    // destructors or waiting for a call that may never return.
    ::_exit(0);
}
