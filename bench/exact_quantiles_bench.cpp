// Exact percentiles: cost per value of QuantileCollector::add, and the peak heap bytes the collectors hold, at N = 1e7 and 1e8.
//
//   add/<dist>          one collector fed N = 1e7 pre-generated draws in blocks of 4096, the nine
//                       reported percentiles, a budget of 2^19 values (4 MiB); items are values, so
//                       items_per_second gives ns per value over the whole pass.
//   add_steady/<dist>   the same, but the first 10^6 values (which include the first narrowing at
//                       65,536 kept values) are fed outside the timed region: the steady state.
//   pass/<dist>/N       the engine's loop on 2 collectors (blocks of 4096 dealt alternately, as two
//                       threads would take them), draws generated on the fly, 64 blocks at a time,
//                       into a buffer allocated before the measurement. Counters: passes,
//                       peak kept values per collector, collector_ns_per_value (thread CPU time spent
//                       in add, merge and finish_pass only, per value and pass; generating the draws
//                       is not counted), heap_peak_MiB (see below).
//   rounds/<dist>/N     the loop an engine merging after every round would run: per pass one running
//                       collector; each round deals 64 blocks of 4096 alternately to 2 collectors
//                       made by running.empty_like(), then merges both into the running one. One
//                       output; same counters as pass/ (heap_peak_MiB: running + round collectors).
//
//   seeds/<mode>/N      passes over 16 seeds of normal draws: `threads` is the pass/ loop, `rounds`
//                       the rounds/ loop; counters max_passes and seeds_with_more_passes.
//
// Heap bytes. This program replaces the global operator new and delete with ones that count the
// bytes live (malloc_usable_size of each block, so capacity slack and allocator rounding count)
// and the peak since the last reset. heap_peak_MiB is that peak during a benchmark minus what was
// live before it started: every collector, their window vectors' capacities, the histograms and
// every temporary made while narrowing or merging, at the moment of the peak (a transient inside
// add() counts, which sampling after each add() would miss).
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <benchmark/benchmark.h>

#include <malloc.h>
#include <time.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace {

std::atomic<std::int64_t> g_live_heap_bytes{0};
std::atomic<std::int64_t> g_peak_heap_bytes{0};

void note_allocated(void* p) noexcept {
    const auto bytes = static_cast<std::int64_t>(malloc_usable_size(p));
    const std::int64_t live = g_live_heap_bytes.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    std::int64_t peak = g_peak_heap_bytes.load(std::memory_order_relaxed);
    while (live > peak && !g_peak_heap_bytes.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
    }
}

void* counted_allocate(std::size_t bytes) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr) throw std::bad_alloc();
    note_allocated(p);
    return p;
}

void counted_free(void* p) noexcept {
    if (p == nullptr) return;
    g_live_heap_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
    std::free(p);
}

// Starts a heap measurement: returns the bytes live now, and the peak restarts from them.
std::int64_t reset_heap_peak() {
    const std::int64_t live = g_live_heap_bytes.load(std::memory_order_relaxed);
    g_peak_heap_bytes.store(live, std::memory_order_relaxed);
    return live;
}

double heap_peak_mib_since(std::int64_t live_at_reset) {
    return static_cast<double>(g_peak_heap_bytes.load(std::memory_order_relaxed) - live_at_reset) /
           (1024.0 * 1024.0);
}

// CPU time of this thread in ns: the machine is shared, so wall time would count other work.
std::int64_t thread_cpu_ns() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return std::int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

void* operator new(std::size_t bytes) { return counted_allocate(bytes); }
void* operator new[](std::size_t bytes) { return counted_allocate(bytes); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace {

using impact::uncertainty::ExactQuantiles;
using impact::uncertainty::kReportedPercentiles;
using impact::uncertainty::QuantileCollector;

constexpr std::size_t kBlock = 4096;
constexpr std::size_t kBudget = std::size_t{1} << 19;
constexpr std::size_t kPoolValues = 10'000'000;
constexpr std::size_t kWarmUpValues = 1'000'000;

// Normal draws by Box-Muller from std::mt19937_64, optionally exponentiated (lognormal, sigma 3).
class Draws {
public:
    Draws(bool lognormal, std::uint64_t seed) : lognormal_(lognormal), rng_(seed) {}

    void fill(std::span<double> out) {
        for (double& v : out) {
            const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;
            const double u2 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;
            const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
            v = lognormal_ ? std::exp(3.0 * z) : z;
        }
    }

private:
    bool lognormal_;
    std::mt19937_64 rng_;
};

const std::vector<double>& pool(bool lognormal) {
    static const std::vector<double> normal = [] {
        std::vector<double> x(kPoolValues);
        Draws(false, 1).fill(x);
        return x;
    }();
    static const std::vector<double> heavy = [] {
        std::vector<double> x(kPoolValues);
        Draws(true, 1).fill(x);
        return x;
    }();
    return lognormal ? heavy : normal;
}

std::vector<double> probabilities() { return {kReportedPercentiles.begin(), kReportedPercentiles.end()}; }

void feed(QuantileCollector& c, std::span<const double> x) {
    for (std::size_t start = 0; start < x.size(); start += kBlock) {
        c.add(x.subspan(start, std::min(kBlock, x.size() - start)));
    }
}

void add(benchmark::State& state, bool lognormal) {
    const std::vector<double>& x = pool(lognormal);
    std::size_t peak = 0;
    double heap_mib = 0;
    for (auto _ : state) {
        const std::int64_t live = reset_heap_peak();
        ExactQuantiles q(probabilities(), x.size(), kBudget);
        QuantileCollector c = q.collector();
        feed(c, x);
        peak = c.peak_kept_values();
        heap_mib = heap_peak_mib_since(live);
        benchmark::DoNotOptimize(c.kept_values());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * x.size()));
    state.counters["peak_kept"] = static_cast<double>(peak);
    state.counters["heap_peak_MiB"] = heap_mib;
}

void add_steady(benchmark::State& state, bool lognormal) {
    const std::vector<double>& x = pool(lognormal);
    for (auto _ : state) {
        state.PauseTiming();
        ExactQuantiles q(probabilities(), x.size(), kBudget);
        QuantileCollector c = q.collector();
        feed(c, std::span(x).first(kWarmUpValues));
        state.ResumeTiming();
        feed(c, std::span(x).subspan(kWarmUpValues));
        benchmark::DoNotOptimize(c.kept_values());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (x.size() - kWarmUpValues)));
}

// Draws are generated 64 blocks at a time into a buffer allocated before the heap measurement
// starts, then fed; the collectors' CPU time is taken around feeding and merging only, so the
// clock is read twice per 262,144 values.
constexpr std::size_t kBlocksPerRound = 64;

void pass(benchmark::State& state, bool lognormal) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    unsigned passes = 0;
    std::size_t peak = 0;
    double heap_mib = 0;
    std::int64_t collector_ns = 0;
    std::vector<double> buffer(kBlocksPerRound * kBlock);
    for (auto _ : state) {
        const std::int64_t live = reset_heap_peak();
        collector_ns = 0;
        ExactQuantiles q(probabilities(), n, kBudget);
        while (q.needs_pass()) {
            std::int64_t t0 = thread_cpu_ns();
            QuantileCollector threads[2] = {q.collector(), q.collector()};
            collector_ns += thread_cpu_ns() - t0;
            Draws draws(lognormal, 42);  // the same draws in every pass, as a counter-based generator gives
            std::uint64_t index = 0;
            for (std::uint64_t start = 0; start < n;) {
                const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), n - start));
                draws.fill(std::span(buffer).first(size));
                t0 = thread_cpu_ns();
                for (std::size_t b = 0; b < size; b += kBlock, ++index) {
                    threads[index % 2].add(std::span(buffer).subspan(b, std::min(kBlock, size - b)));
                }
                collector_ns += thread_cpu_ns() - t0;
                start += size;
            }
            t0 = thread_cpu_ns();
            threads[0].merge(std::move(threads[1]));
            q.finish_pass(std::move(threads[0]));
            collector_ns += thread_cpu_ns() - t0;
        }
        passes = q.passes();
        peak = q.peak_kept_values();
        benchmark::DoNotOptimize(q.percentiles());
        heap_mib = heap_peak_mib_since(live);
    }
    state.counters["passes"] = passes;
    state.counters["peak_kept"] = static_cast<double>(peak);
    state.counters["heap_peak_MiB"] = heap_mib;
    state.counters["collector_ns_per_value"] = static_cast<double>(collector_ns) / static_cast<double>(n * passes);
}

// Built without rounds/ to measure a library that predates empty_like() (bench/README.md).
#ifndef IMPACT_BENCH_WITHOUT_ROUNDS
void rounds(benchmark::State& state, bool lognormal) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    unsigned passes = 0;
    std::size_t peak = 0;
    double heap_mib = 0;
    std::int64_t collector_ns = 0;
    std::vector<double> buffer(kBlocksPerRound * kBlock);
    for (auto _ : state) {
        const std::int64_t live = reset_heap_peak();
        collector_ns = 0;
        ExactQuantiles q(probabilities(), n, kBudget);
        while (q.needs_pass()) {
            std::int64_t t0 = thread_cpu_ns();
            QuantileCollector running = q.collector();
            collector_ns += thread_cpu_ns() - t0;
            Draws draws(lognormal, 42);
            for (std::uint64_t start = 0; start < n;) {
                const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), n - start));
                draws.fill(std::span(buffer).first(size));
                t0 = thread_cpu_ns();
                QuantileCollector round[2] = {running.empty_like(), running.empty_like()};
                std::size_t index = 0;
                for (std::size_t b = 0; b < size; b += kBlock, ++index) {
                    round[index % 2].add(std::span(buffer).subspan(b, std::min(kBlock, size - b)));
                }
                running.merge(std::move(round[0]));
                running.merge(std::move(round[1]));
                collector_ns += thread_cpu_ns() - t0;
                start += size;
            }
            t0 = thread_cpu_ns();
            q.finish_pass(std::move(running));
            collector_ns += thread_cpu_ns() - t0;
        }
        passes = q.passes();
        peak = q.peak_kept_values();
        benchmark::DoNotOptimize(q.percentiles());
        heap_mib = heap_peak_mib_since(live);
    }
    state.counters["passes"] = passes;
    state.counters["peak_kept"] = static_cast<double>(peak);
    state.counters["heap_peak_MiB"] = heap_mib;
    state.counters["collector_ns_per_value"] = static_cast<double>(collector_ns) / static_cast<double>(n * passes);
}
#endif

// Passes for one seed: 2 collectors to the end (threads) or rounds of empty_like collectors.
unsigned passes_for_seed(std::uint64_t n, std::uint64_t seed, bool in_rounds) {
    std::vector<double> buffer(kBlocksPerRound * kBlock);
    ExactQuantiles q(probabilities(), n, kBudget);
    while (q.needs_pass()) {
        QuantileCollector running = q.collector();
        QuantileCollector other = q.collector();
        Draws draws(false, seed);
        for (std::uint64_t start = 0; start < n;) {
            const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), n - start));
            draws.fill(std::span(buffer).first(size));
#ifndef IMPACT_BENCH_WITHOUT_ROUNDS
            if (in_rounds) {
                QuantileCollector round[2] = {running.empty_like(), running.empty_like()};
                std::size_t index = 0;
                for (std::size_t b = 0; b < size; b += kBlock, ++index) {
                    round[index % 2].add(std::span(buffer).subspan(b, std::min(kBlock, size - b)));
                }
                running.merge(std::move(round[0]));
                running.merge(std::move(round[1]));
                start += size;
                continue;
            }
#endif
            std::size_t index = 0;
            for (std::size_t b = 0; b < size; b += kBlock, ++index) {
                (index % 2 == 0 ? running : other).add(std::span(buffer).subspan(b, std::min(kBlock, size - b)));
            }
            start += size;
        }
        running.merge(std::move(other));
        q.finish_pass(std::move(running));
    }
    return q.passes();
}

void seeds(benchmark::State& state, bool in_rounds) {
    constexpr std::uint64_t kSeeds = 16;
    const auto n = static_cast<std::uint64_t>(state.range(0));
    unsigned max_passes = 0;
    unsigned more = 0;
    for (auto _ : state) {
        max_passes = 0;
        more = 0;
        for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
            const unsigned passes = passes_for_seed(n, 1000 + seed, in_rounds);
            max_passes = std::max(max_passes, passes);
            more += passes > 1 ? 1 : 0;
        }
    }
    state.counters["max_passes"] = max_passes;
    state.counters["seeds_with_more_passes"] = more;
}

}  // namespace

BENCHMARK_CAPTURE(add, normal, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(add, lognormal, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(add_steady, normal, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(add_steady, lognormal, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pass, normal, false)->Arg(1'000'000)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(pass, lognormal, true)->Arg(1'000'000)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);

#ifndef IMPACT_BENCH_WITHOUT_ROUNDS
BENCHMARK_CAPTURE(rounds, normal, false)->Arg(1'000'000)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(rounds, lognormal, true)->Arg(1'000'000)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);
#endif
BENCHMARK_CAPTURE(seeds, threads, false)->Arg(1'000'000)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kSecond);
#ifndef IMPACT_BENCH_WITHOUT_ROUNDS
BENCHMARK_CAPTURE(seeds, rounds, true)->Arg(1'000'000)->Arg(10'000'000)->Iterations(1)->Unit(benchmark::kSecond);
#endif

BENCHMARK_MAIN();
