// Exact percentiles: cost per value of QuantileCollector::add, and the most values a collector keeps, at N = 1e7 and 1e8.
//
//   add/normal, add/lognormal   one collector fed N = 1e7 pre-generated draws in blocks of 4096,
//                               the nine reported percentiles, a budget of 2^19 values (4 MiB);
//                               items are values, so items_per_second gives ns per value.
//   pass/<dist>/N               the engine's loop on 2 collectors (blocks of 4096 dealt
//                               alternately, as two threads would take them), draws generated on
//                               the fly; counters: passes, peak kept values per collector, and
//                               that in MiB (8 bytes a value). Timing includes generating the draws.
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace {

using impact::uncertainty::ExactQuantiles;
using impact::uncertainty::kReportedPercentiles;
using impact::uncertainty::QuantileCollector;

constexpr std::size_t kBlock = 4096;
constexpr std::size_t kBudget = std::size_t{1} << 19;

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
        std::vector<double> x(10'000'000);
        Draws(false, 1).fill(x);
        return x;
    }();
    static const std::vector<double> heavy = [] {
        std::vector<double> x(10'000'000);
        Draws(true, 1).fill(x);
        return x;
    }();
    return lognormal ? heavy : normal;
}

std::vector<double> probabilities() { return {kReportedPercentiles.begin(), kReportedPercentiles.end()}; }

void add(benchmark::State& state, bool lognormal) {
    const std::vector<double>& x = pool(lognormal);
    std::size_t peak = 0;
    for (auto _ : state) {
        ExactQuantiles q(probabilities(), x.size(), kBudget);
        QuantileCollector c = q.collector();
        for (std::size_t start = 0; start < x.size(); start += kBlock) {
            c.add(std::span(x).subspan(start, std::min(kBlock, x.size() - start)));
        }
        peak = c.peak_kept_values();
        benchmark::DoNotOptimize(c.kept_values());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * x.size()));
    state.counters["peak_kept"] = static_cast<double>(peak);
}

void pass(benchmark::State& state, bool lognormal) {
    const auto n = static_cast<std::uint64_t>(state.range(0));
    unsigned passes = 0;
    std::size_t peak = 0;
    std::vector<double> block(kBlock);
    for (auto _ : state) {
        ExactQuantiles q(probabilities(), n, kBudget);
        while (q.needs_pass()) {
            QuantileCollector threads[2] = {q.collector(), q.collector()};
            Draws draws(lognormal, 42);  // the same draws in every pass, as a counter-based generator gives
            std::uint64_t index = 0;
            for (std::uint64_t start = 0; start < n; start += kBlock, ++index) {
                const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, n - start));
                draws.fill(std::span(block).first(size));
                threads[index % 2].add(std::span(block).first(size));
            }
            threads[0].merge(std::move(threads[1]));
            q.finish_pass(std::move(threads[0]));
        }
        passes = q.passes();
        peak = q.peak_kept_values();
        benchmark::DoNotOptimize(q.percentiles());
    }
    state.counters["passes"] = passes;
    state.counters["peak_kept"] = static_cast<double>(peak);
    state.counters["peak_MiB"] = static_cast<double>(peak) * 8.0 / (1024.0 * 1024.0);
}

}  // namespace

BENCHMARK_CAPTURE(add, normal, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(add, lognormal, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(pass, normal, false)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK_CAPTURE(pass, lognormal, true)->Arg(10'000'000)->Arg(100'000'000)->Iterations(1)->Unit(benchmark::kSecond);

BENCHMARK_MAIN();
