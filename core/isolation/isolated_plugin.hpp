// A plugin that runs in an impact-worker process: its crash, hang or greed fails its own calls, not impact.
//
// The host side of isolation. IsolatedPlugin starts a worker (`impact-worker`, isolation/
// worker_main.cpp) for one plugin file, has it load the file there (so the plugin's constructors
// never run in impact), and hands out instances whose C function table (impact_model_instance)
// forwards every call to the worker. The host's ModelInstance cannot tell the difference: the
// same bounds checks, the same output checks, the same error path, bit-identical numbers.
//
// Calls travel on channels (isolation/channel.hpp): one per concurrent caller, each with its own
// thread in the worker, so Monte Carlo threads do not queue behind one another.
#pragma once

#include "host/model_info.hpp"

#include <impact/sdk/impact_plugin.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace impact::isolation {

// Which plugins run in a worker (--isolate, or a scenario's [run] isolate, which may only raise it).
enum class IsolationPolicy {
    none,       // every plugin in-process
    untrusted,  // plugins not bundled with impact run in a worker (the default)
    all,        // every plugin in a worker
};
// "none", "untrusted", "all"; nullopt for anything else.
std::optional<IsolationPolicy> parse_isolation_policy(std::string_view text) noexcept;
std::string_view isolation_policy_name(IsolationPolicy policy) noexcept;

// What a worker may use, and where it is.
struct IsolationLimits {
    // Longest a single call (load, create, evaluate) may take before the worker is stopped;
    // zero: no limit.
    std::chrono::milliseconds call_timeout{std::chrono::seconds(60)};
    // RLIMIT_DATA of the worker in bytes (heap and private mappings); zero: no limit. Not applied
    // in AddressSanitizer builds, whose shadow memory counts as data (docs/isolation.md).
    uint64_t memory_bytes = 0;
    // Install the seccomp filter before loading the plugin (isolation/sandbox.hpp).
    bool sandbox = true;
    // The worker executable; empty: default_worker_executable().
    std::filesystem::path worker_executable{};
    // How many times a worker that died is started again for later calls.
    unsigned max_restarts = 2;
};

// impact-worker beside the running executable's lib folder: <prefix>/lib/impact/impact-worker for
// <prefix>/bin/impact, the same in the build tree and an installed tree. IMPACT_WORKER overrides it.
std::filesystem::path default_worker_executable();

// --plugin-timeout: "60s", "1.5s", "500ms", "2m", or a bare number of seconds; "0" is no limit.
// nullopt for anything else (negative, not finite, no number, another unit).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
// --plugin-memory: "4G", "512M", "512MiB", "1.5GiB", or a bare number of MiB; "0" is no limit.
// Binary units (M = MiB). nullopt for anything else.
std::optional<uint64_t> parse_byte_size(std::string_view text) noexcept;

// "1.5 s", "250 ms", "512 MiB": how limits appear in messages.
std::string duration_text(std::chrono::milliseconds duration);
std::string bytes_text(uint64_t bytes);

class WorkerProcess;

// Why a worker could not load a plugin. `transient` when the worker died or timed out rather than
// the loader refusing the file: the plugin cache must not remember such a refusal.
struct WorkerLoadFailure {
    std::string reason;  // one line, names the file
    bool transient = false;
};

// Memory shared with the worker of one isolated instance, laid out as a batch of up to max_rows
// rows: the caller writes rows straight into inputs() and reads outputs() after
// evaluate_shared_batch, so a batch crosses the process boundary without a copy. It keeps one of
// the worker's channels for itself (one per thread that evaluates, as the Monte Carlo workers do).
class SharedBatch {
public:
    ~SharedBatch();
    SharedBatch(const SharedBatch&) = delete;
    SharedBatch& operator=(const SharedBatch&) = delete;
    double* inputs() const noexcept;
    double* outputs() const noexcept;
    uint64_t max_rows() const noexcept { return max_rows_; }

private:
    friend std::unique_ptr<SharedBatch> make_shared_batch(const impact_model_instance*, uint64_t, unsigned,
                                                          impact_error*);
    friend impact_status evaluate_shared_batch(const impact_model_instance*, SharedBatch&, uint64_t, uint64_t,
                                               impact_error*);
    struct State;
    explicit SharedBatch(std::unique_ptr<State> state, uint64_t max_rows);
    std::unique_ptr<State> state_;
    uint64_t max_rows_ = 0;
};

// For an instance that IsolatedPlugin::create made. nullptr (and *error filled) when its worker is dead.
// `concurrent_callers`: how many threads evaluate through areas like this one at once (the Monte
// Carlo threads); the channel waits busily for replies only while they and their worker threads
// fit the cores (isolation/channel.hpp).
std::unique_ptr<SharedBatch> make_shared_batch(const impact_model_instance* instance, uint64_t max_rows,
                                               unsigned concurrent_callers, impact_error* error);
// Evaluates rows [first_row, first_row + rows) of `batch` in place. Never throws.
impact_status evaluate_shared_batch(const impact_model_instance* instance, SharedBatch& batch, uint64_t first_row,
                                    uint64_t rows, impact_error* error);

class IsolatedPlugin {
public:
    // Starts a worker and loads `file` in it. Returns nullptr and sets *failure when the file is
    // refused (the loader's reason) or the worker died or hung while loading it.
    static std::unique_ptr<IsolatedPlugin> load(const std::filesystem::path& file, const IsolationLimits& limits,
                                                WorkerLoadFailure& failure);
    ~IsolatedPlugin();
    IsolatedPlugin(const IsolatedPlugin&) = delete;
    IsolatedPlugin& operator=(const IsolatedPlugin&) = delete;

    // The descriptors the worker's loader produced (checked again here: the worker is not trusted).
    const host::PluginInfo& info() const noexcept { return info_; }
    const IsolationLimits& limits() const noexcept { return limits_; }

    // impact_model_factory_v1::create, in the worker. A worker that died is started again first
    // (up to max_restarts times); the instance returned forwards evaluate, get_note and destroy.
    // Never throws: failures are a status and *error, as from a plugin.
    impact_status create(const char* model_id, const impact_prepare_args* args, impact_model_instance** out_instance,
                         impact_error* error) const;

    // How many of this plugin's workers have died so far.
    unsigned deaths() const;

private:
    IsolatedPlugin(std::filesystem::path file, IsolationLimits limits) : file_(std::move(file)), limits_(std::move(limits)) {}
    std::shared_ptr<WorkerProcess> live_process(std::string& why_not) const;

    std::filesystem::path file_;
    IsolationLimits limits_;
    host::PluginInfo info_;
    mutable std::mutex mutex_;  // guards process_ and deaths_
    mutable std::shared_ptr<WorkerProcess> process_;
    mutable unsigned deaths_ = 0;
};

}  // namespace impact::isolation
