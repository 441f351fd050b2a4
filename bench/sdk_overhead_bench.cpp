// What a model pays for living in a plugin: the trivial model (trivial_model.hpp) called
// directly from C++ against the same model called through the SDK, per row, at several
// batch sizes. bench/README.md explains the paths and records the figures.
//
//   direct                impact::bench::evaluate_direct: a plain C++ function in another
//                         translation unit (the baseline).
//   sdk_raw_fixed_batch   instance->evaluate through the C function pointer, with an
//                         impact_error the caller set up once: the ABI and the SDK wrapper,
//                         nothing of the host. Model bench.lost_profit_fixed_batch, whose loop
//                         uses the accessors of sdk::FixedBatch<3, 1> (the SDK's recommended
//                         way). The path the targets are judged on.
//   sdk_raw               the same call to bench.lost_profit: the same loop through the default
//                         sdk::Batch, whose row width is a run-time value (what the opt-in buys).
//   host_unchecked        impact::host::ModelInstance::evaluate_unchecked on the fixed-batch
//                         model: the raw call plus the host's per-call error buffer and
//                         exception guard.
//   host_checked          impact::host::ModelInstance::evaluate: the above plus the host's
//                         bounds check of every input value (what `impact` itself calls).
//   diag_zeroed_error     sdk_raw_fixed_batch with a fresh error buffer per call, value-
//                         initialised as core/host/model.cpp's ErrorBuffer used to be (1,152
//                         bytes zeroed): the host's cost before the fix.
//   diag_lean_error       sdk_raw_fixed_batch with a fresh error buffer per call whose strings
//                         are only NUL-terminated, as ErrorBuffer now is.
//   in_process_batch      host_checked on rows already in the instance's BatchArea
//                         (ModelInstance::evaluate(area, first, rows)), as the Monte Carlo engine calls it.
//   isolated_batch        the same model in an impact-worker (--isolate), from its BatchArea in
//                         memory shared with the worker: one round trip, no copy of the batch.
//                         Its paired benchmark is timed against in_process_batch, not direct.
//   isolated_copy         the isolated model from the caller's own buffers (copied into the shared
//                         memory and back): what evaluate(span, span) costs isolated. Also paired
//                         against in_process_batch.
//
// Each path is a benchmark `<path>/rows:N` of its own (items processed are rows, so Google
// Benchmark's items_per_second gives the per-row rate) and, except direct, a benchmark
// `paired/<path>/rows:N` that times it against direct in alternating blocks and reports the
// difference as counters (see paired() below). Batch sizes: 1, 64, 4,096 and 32,768 rows.
#include "trivial_model.hpp"

#include "host/model.hpp"
#include "host/plugin_library.hpp"
#include "isolation/isolated_plugin.hpp"

#include <impact/sdk/impact_plugin.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace host = impact::host;
namespace bench = impact::bench;

constexpr uint64_t max_rows = 32768;
constexpr const char* fixed_batch_model_id = "bench.lost_profit_fixed_batch";
constexpr const char* dynamic_batch_model_id = "bench.lost_profit";

// Error storage laid out as core/host/error_buffer.hpp's ErrorBuffer. With `zeroed` the strings are
// value-initialised, as ErrorBuffer's were before; without, only their first byte is set, as
// ErrorBuffer's now are.
template <bool zeroed>
struct ErrorStorage {
    std::array<char, 1024> message;
    std::array<char, 128> input_key;
    impact_error error;

    ErrorStorage() {
        if constexpr (zeroed) {
            message = {};
            input_key = {};
        } else {
            message[0] = '\0';
            input_key[0] = '\0';
        }
        error = {};
        error.struct_size = sizeof(impact_error);
        error.message = message.data();
        error.message_capacity = static_cast<uint32_t>(message.size());
        error.input_key = input_key.data();
        error.input_key_capacity = static_cast<uint32_t>(input_key.size());
        error.row = -1;
    }
    ErrorStorage(const ErrorStorage&) = delete;
    ErrorStorage& operator=(const ErrorStorage&) = delete;
};

// The loaded plugin, instances of its models and the shared buffers. Built in main() before
// any benchmark runs and torn down after the last.
struct Setup {
    std::shared_ptr<const host::LoadedPlugin> plugin;
    // Created through the factory, as a lean host would; evaluated with `error`.
    impact_model_instance* raw_fixed_batch = nullptr;
    impact_model_instance* raw = nullptr;  // the dynamic-Batch model
    ErrorStorage<true> error;
    // The fixed-batch model, created through the host's Model::prepare.
    std::optional<host::ModelInstance> instance;
    std::vector<double> inputs;  // max_rows rows of revenue, share, margin
    std::vector<double> outputs;
    // The same model in an impact-worker (--isolate): evaluated from its shared batch area (no copy,
    // as the Monte Carlo engine does) and from the caller's own buffers (copied in and out), with
    // the in-process instance's batch area as the fair in-process peer.
    std::shared_ptr<const host::LoadedPlugin> isolated_plugin;
    std::optional<host::ModelInstance> isolated_instance;
    std::unique_ptr<host::BatchArea> isolated_area;
    std::unique_ptr<host::BatchArea> in_process_area;

    explicit Setup(const std::string& file) {
        plugin = host::LoadedPlugin::load(file);
        raw_fixed_batch = create(fixed_batch_model_id);
        raw = create(dynamic_batch_model_id);
        instance.emplace(host::Model(plugin, &model_info(fixed_batch_model_id)).prepare(host::PreparedValues{}));
        if (instance->input_width() != bench::trivial_input_width ||
            instance->output_width() != bench::trivial_output_width)
            throw std::runtime_error("the plugin's model does not have the widths of trivial_model.hpp");

        // Fixed seed: every run evaluates the same rows, all inside the declared bounds.
        std::mt19937_64 rng(20250416);
        std::uniform_real_distribution<double> revenue(1e3, 1e9), share(0.0, 1.0), margin(-0.5, 0.5);
        inputs.resize(max_rows * bench::trivial_input_width);
        for (uint64_t r = 0; r < max_rows; ++r) {
            inputs[r * 3 + 0] = revenue(rng);
            inputs[r * 3 + 1] = share(rng);
            inputs[r * 3 + 2] = margin(rng);
        }
        outputs.assign(max_rows * bench::trivial_output_width, 0.0);

        impact::isolation::IsolationLimits limits;
        limits.worker_executable = IMPACT_BENCH_WORKER_FILE;
        isolated_plugin = host::LoadedPlugin::load_isolated(file, limits);
        const host::ModelInfo* isolated_info = nullptr;
        for (const host::ModelInfo& m : isolated_plugin->info().models)
            if (m.id == fixed_batch_model_id) isolated_info = &m;
        if (!isolated_info) throw std::runtime_error("the isolated plugin has no " + std::string(fixed_batch_model_id));
        isolated_instance.emplace(host::Model(isolated_plugin, isolated_info).prepare(host::PreparedValues{}));
        isolated_area = isolated_instance->batch_area(max_rows);
        in_process_area = instance->batch_area(max_rows);
        std::copy(inputs.begin(), inputs.end(), isolated_area->inputs());
        std::copy(inputs.begin(), inputs.end(), in_process_area->inputs());
    }
    Setup(const Setup&) = delete;
    Setup& operator=(const Setup&) = delete;
    ~Setup() {
        isolated_area.reset();
        in_process_area.reset();
        isolated_instance.reset();
        instance.reset();
        // Before `plugin` unloads their code.
        if (raw_fixed_batch) raw_fixed_batch->destroy(raw_fixed_batch);
        if (raw) raw->destroy(raw);
    }

    const host::ModelInfo& model_info(std::string_view id) const {
        for (const host::ModelInfo& m : plugin->info().models)
            if (m.id == id) return m;
        throw std::runtime_error(plugin->info().file.string() + ": no model " + std::string(id));
    }

    impact_model_instance* create(const char* id) {
        model_info(id);
        const impact_prepare_args args{sizeof(impact_prepare_args), nullptr, 0, nullptr, 0};
        impact_model_instance* made = nullptr;
        if (plugin->factory().create(id, &args, &made, &error.error) != IMPACT_STATUS_OK || !made)
            throw std::runtime_error(std::string(id) + ": create failed: " + error.message.data());
        return made;
    }

    // Every path must give the direct result, bit for bit: same arithmetic, same order. Checked
    // at the benchmarked batch sizes and at odd ones, so vectorised loops' scalar tails are
    // covered too. Returns the first disagreement, or an empty string.
    std::string paths_disagree() {
        for (const uint64_t rows : {uint64_t{1}, uint64_t{3}, uint64_t{64}, max_rows - 1, max_rows}) {
            const std::size_t n = rows * bench::trivial_output_width;
            std::vector<double> direct(n), via(n);
            bench::evaluate_direct(inputs.data(), rows, direct.data());
            const auto same = [&] { return std::memcmp(direct.data(), via.data(), n * sizeof(double)) == 0; };
            const auto where = [&](const char* path) { return std::string(path) + " at " + std::to_string(rows) + " rows"; };
            for (const auto& [path, i] : {std::pair{"sdk_raw_fixed_batch", raw_fixed_batch}, std::pair{"sdk_raw", raw}}) {
                via.assign(n, -1.0);
                if (i->evaluate(i, inputs.data(), rows, via.data(), &error.error) != IMPACT_STATUS_OK || !same())
                    return where(path);
            }
            via.assign(n, -1.0);
            instance->evaluate_unchecked(inputs.data(), rows, via.data());
            if (!same()) return where("host_unchecked");
            via.assign(n, -1.0);
            instance->evaluate(std::span<const double>(inputs.data(), rows * bench::trivial_input_width), via);
            if (!same()) return where("host_checked");
            via.assign(n, -1.0);
            isolated_instance->evaluate(std::span<const double>(inputs.data(), rows * bench::trivial_input_width), via);
            if (!same()) return where("isolated_copy");
            isolated_instance->evaluate(*isolated_area, 0, rows);
            if (std::memcmp(direct.data(), isolated_area->outputs(), n * sizeof(double)) != 0)
                return where("isolated_batch");
        }
        return {};
    }
};

Setup* setup = nullptr;

// One way of evaluating `rows` rows of `in` into `out`; false when the plugin reported failure.
// Each is a lambda, so the benchmark loops below are instantiated (and the call inlined into
// them) per path, with nothing between the timer and the call but the call itself.
template <class Call>
void timed(benchmark::State& state, const Call& call) {
    const auto rows = static_cast<uint64_t>(state.range(0));
    const double* in = setup->inputs.data();
    double* out = setup->outputs.data();
    for (auto _ : state) {
        if (!call(in, rows, out)) [[unlikely]] {
            state.SkipWithError("evaluate failed");
            break;
        }
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
    state.counters["rows"] = static_cast<double>(rows);
}

// The direct call and `call` timed in alternating blocks of about 30 us of direct work, the
// order swapped every iteration, so both see the same machine: on a shared or busy machine
// separate benchmarks run minutes apart and differ by more than the 5 % being judged.
// Reported as counters, per call: direct_ns, path_ns, diff_ns and diff_pct.
template <class Direct, class Call>
void paired(benchmark::State& state, const Direct& direct_call, const Call& call) {
    using clock = std::chrono::steady_clock;
    const auto rows = static_cast<uint64_t>(state.range(0));
    const uint64_t calls_per_block = std::max<uint64_t>(1, 65536 / rows);
    const double* in = setup->inputs.data();
    double* out = setup->outputs.data();
    clock::duration direct_time{}, path_time{};
    bool ok = true;
    const auto block = [&](const auto& f, clock::duration& total) {
        const clock::time_point start = clock::now();
        for (uint64_t i = 0; i < calls_per_block; ++i) {
            ok &= f(in, rows, out);
            benchmark::DoNotOptimize(out);
            benchmark::ClobberMemory();
        }
        total += clock::now() - start;
    };
    bool direct_first = true;
    for (auto _ : state) {
        if (direct_first) {
            block(direct_call, direct_time);
            block(call, path_time);
        } else {
            block(call, path_time);
            block(direct_call, direct_time);
        }
        direct_first = !direct_first;
    }
    if (!ok) {
        state.SkipWithError("evaluate failed");
        return;
    }
    const double calls = static_cast<double>(state.iterations()) * static_cast<double>(calls_per_block);
    const double direct_ns = std::chrono::duration<double, std::nano>(direct_time).count() / calls;
    const double path_ns = std::chrono::duration<double, std::nano>(path_time).count() / calls;
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["direct_ns"] = direct_ns;
    state.counters["path_ns"] = path_ns;
    state.counters["diff_ns"] = path_ns - direct_ns;
    state.counters["diff_pct"] = 100.0 * (path_ns - direct_ns) / direct_ns;
}

void batch_sizes(benchmark::internal::Benchmark* b) { b->ArgName("rows")->Arg(1)->Arg(64)->Arg(4096)->Arg(32768); }

template <class Direct, class Call>
void register_path(const std::string& name, const Direct& direct_call, const Call& call) {
    benchmark::RegisterBenchmark(name.c_str(), [call](benchmark::State& state) { timed(state, call); })
        ->Apply(batch_sizes);
    benchmark::RegisterBenchmark(("paired/" + name).c_str(), [direct_call, call](benchmark::State& state) {
        paired(state, direct_call, call);
    })->Apply(batch_sizes);
}

// The raw call with a fresh error buffer per call, as ModelInstance::evaluate_unchecked makes one.
template <bool zeroed>
auto fresh_error_call(const impact_model_instance* instance) {
    return [instance](const double* in, uint64_t rows, double* out) {
        ErrorStorage<zeroed> error;
        return instance->evaluate(instance, in, rows, out, &error.error) == IMPACT_STATUS_OK;
    };
}

void register_benchmarks(Setup& s) {
    const auto direct = [](const double* in, uint64_t rows, double* out) {
        bench::evaluate_direct(in, rows, out);
        return true;
    };
    // The C call as a host makes it, checking the status (a real caller does too).
    const auto raw = [error = &s.error.error](const impact_model_instance* instance) {
        return [instance, error](const double* in, uint64_t rows, double* out) {
            return instance->evaluate(instance, in, rows, out, error) == IMPACT_STATUS_OK;
        };
    };
    const host::ModelInstance* instance = &*s.instance;

    benchmark::RegisterBenchmark("direct", [direct](benchmark::State& state) { timed(state, direct); })
        ->Apply(batch_sizes);
    register_path("sdk_raw_fixed_batch", direct, raw(s.raw_fixed_batch));
    register_path("sdk_raw", direct, raw(s.raw));
    register_path("host_unchecked", direct, [instance](const double* in, uint64_t rows, double* out) {
        instance->evaluate_unchecked(in, rows, out);
        return true;
    });
    register_path("host_checked", direct, [instance](const double* in, uint64_t rows, double* out) {
        instance->evaluate(std::span<const double>(in, rows * bench::trivial_input_width),
                           std::span<double>(out, rows * bench::trivial_output_width));
        return true;
    });
    // Isolation: the model in its worker against the same model in-process, both evaluated from
    // their batch areas with the host's checks. The pair's "direct" side is the in-process call.
    const host::ModelInstance* isolated = &*s.isolated_instance;
    host::BatchArea* isolated_area = s.isolated_area.get();
    host::BatchArea* in_process_area = s.in_process_area.get();
    const auto in_process_batch = [instance, in_process_area](const double*, uint64_t rows, double*) {
        instance->evaluate(*in_process_area, 0, rows);
        return true;
    };
    const auto isolated_batch = [isolated, isolated_area](const double*, uint64_t rows, double*) {
        isolated->evaluate(*isolated_area, 0, rows);
        return true;
    };
    benchmark::RegisterBenchmark("in_process_batch", [in_process_batch](benchmark::State& state) {
        timed(state, in_process_batch);
    })->Apply(batch_sizes);
    register_path("isolated_batch", in_process_batch, isolated_batch);
    register_path("isolated_copy", in_process_batch, [isolated](const double* in, uint64_t rows, double* out) {
        isolated->evaluate(std::span<const double>(in, rows * bench::trivial_input_width),
                           std::span<double>(out, rows * bench::trivial_output_width));
        return true;
    });
    register_path("diag_zeroed_error", direct, fresh_error_call<true>(s.raw_fixed_batch));
    register_path("diag_lean_error", direct, fresh_error_call<false>(s.raw_fixed_batch));
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    try {
        Setup loaded(IMPACT_BENCH_PLUGIN_FILE);
        if (const std::string path = loaded.paths_disagree(); !path.empty()) {
            std::fprintf(stderr, "sdk_overhead_bench: %s does not give the direct result bit for bit\n", path.c_str());
            return 1;
        }
        setup = &loaded;
        register_benchmarks(loaded);
        benchmark::AddCustomContext("plugin", IMPACT_BENCH_PLUGIN_FILE);
        benchmark::AddCustomContext("build_type", IMPACT_BENCH_BUILD_TYPE);
        benchmark::AddCustomContext("compiler", IMPACT_BENCH_COMPILER);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        setup = nullptr;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sdk_overhead_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
