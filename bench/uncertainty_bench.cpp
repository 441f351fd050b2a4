// Per-draw cost of the random streams and of every distribution's inverse CDF, in blocks of 4,096 draws.
#include "uncertainty/distribution.hpp"
#include "uncertainty/random_stream.hpp"

#include <benchmark/benchmark.h>
#include <boost/math/distributions/normal.hpp>

#include <vector>

namespace {

using namespace impact::uncertainty;

constexpr std::size_t block_draws = 4096;
constexpr uint64_t bench_seed = 20261122;

void report_per_draw(benchmark::State& state) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * block_draws));
    // ns per draw, from the CPU time of the block.
    state.counters["ns_per_draw"] =
        benchmark::Counter(static_cast<double>(state.iterations() * block_draws),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void bm_uniforms(benchmark::State& state) {
    std::vector<double> out(block_draws);
    uint64_t first = 0;
    for (auto _ : state) {
        uniforms(bench_seed, stream_id("bench.input"), first, out);
        first += block_draws;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report_per_draw(state);
}
BENCHMARK(bm_uniforms);

void bm_standard_normals(benchmark::State& state) {
    std::vector<double> out(block_draws);
    uint64_t first = 0;
    for (auto _ : state) {
        standard_normals(bench_seed, stream_id("bench.input"), first, out);
        first += block_draws;
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report_per_draw(state);
}
BENCHMARK(bm_standard_normals);

// The normal quantile alone, ours one value at a time and Boost.Math's (double and default long-double policies), on
// the same uniforms: the comparison behind the choice in random_stream.cpp.
template <int Which>
void bm_normal_quantile(benchmark::State& state) {
    std::vector<double> u(block_draws), out(block_draws);
    uniforms(bench_seed, 1, 0, u);
    using double_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
    const boost::math::normal_distribution<double, double_policy> fast_boost;
    const boost::math::normal default_boost;
    for (auto _ : state) {
        for (std::size_t i = 0; i < block_draws; ++i) {
            if constexpr (Which == 0)
                out[i] = inverse_normal_cdf(u[i]);
            else if constexpr (Which == 1)
                out[i] = boost::math::quantile(fast_boost, u[i]);
            else
                out[i] = boost::math::quantile(default_boost, u[i]);
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report_per_draw(state);
}
BENCHMARK(bm_normal_quantile<0>)->Name("inverse_normal_cdf");

// The block normal quantile (central region vectorised), on the same uniforms.
void bm_normal_quantile_block(benchmark::State& state) {
    std::vector<double> u(block_draws), out(block_draws);
    uniforms(bench_seed, 1, 0, u);
    for (auto _ : state) {
        inverse_normal_cdf(u, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report_per_draw(state);
}
BENCHMARK(bm_normal_quantile_block)->Name("inverse_normal_cdf_block");
BENCHMARK(bm_normal_quantile<1>)->Name("boost_normal_quantile_double");
BENCHMARK(bm_normal_quantile<2>)->Name("boost_normal_quantile_long_double");

Distribution make(DistributionKind kind, bool truncate) {
    DistributionParams p;
    p.kind = kind;
    switch (kind) {
        case DistributionKind::uniform: p.low = 1.2e10; p.high = 1.5e10; break;
        case DistributionKind::triangular:
        case DistributionKind::pert: p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; break;
        case DistributionKind::normal: p.mean = 0.06; p.sd = 0.01; break;
        case DistributionKind::lognormal: p.mean = 12e9; p.sd = 3e9; break;
        case DistributionKind::discrete: p.values = {1, 2, 3, 4, 5, 6, 7, 8}; p.weights = {1, 2, 3, 4, 4, 3, 2, 1}; break;
        case DistributionKind::bernoulli: p.p = 0.3; break;
    }
    if (truncate) {
        if (kind == DistributionKind::normal) {
            p.min = 0.05;
            p.max = 0.09;
        } else if (kind == DistributionKind::lognormal) {
            p.max = 2e10;
        } else if (kind == DistributionKind::discrete) {
            p.min = 2;
        } else if (kind != DistributionKind::bernoulli) {
            p.min = 1.25e10;
        }
    }
    return Distribution::make(p);
}

// Distribution::quantiles on a block of ready uniforms: the inverse CDF alone.
void bm_quantiles(benchmark::State& state) {
    const auto kind = static_cast<DistributionKind>(state.range(0));
    const Distribution d = make(kind, state.range(1) != 0);
    state.SetLabel(d.describe());
    std::vector<double> u(block_draws), out(block_draws);
    uniforms(bench_seed, 2, 0, u);
    for (auto _ : state) {
        d.quantiles(u, out);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report_per_draw(state);
}
BENCHMARK(bm_quantiles)->ArgsProduct({{0, 1, 2, 3, 4, 5, 6}, {0, 1}})->ArgNames({"kind", "truncated"});

}  // namespace

BENCHMARK_MAIN();
