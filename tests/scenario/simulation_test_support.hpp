// Helpers shared by the Monte Carlo and convergence tests: bit-for-bit comparison of statistics, an output's statistics by name, draws regenerated from the streams.
#pragma once

#include "scenario/runner.hpp"
#include "scenario/simulation.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/random_stream.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace simulation_test {

// Bit-for-bit equality of doubles (NaN never appears here).
inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Two runs' statistics of one output are the same to the bit: moments, percentiles with their
// intervals, threshold counts.
inline void require_identical(const impact::scenario::OutputStatistics& a, const impact::scenario::OutputStatistics& b) {
    REQUIRE(a.drawn == b.drawn);
    CHECK(same_bits(a.moments.mean, b.moments.mean));
    CHECK(same_bits(a.moments.m2, b.moments.m2));
    CHECK(same_bits(a.moments.min, b.moments.min));
    CHECK(same_bits(a.moments.max, b.moments.max));
    CHECK(a.moments.count == b.moments.count);
    REQUIRE(a.percentiles.size() == b.percentiles.size());
    for (std::size_t i = 0; i < a.percentiles.size(); ++i) {
        CAPTURE(a.percentiles[i].probability);
        CHECK(same_bits(a.percentiles[i].value, b.percentiles[i].value));
        CHECK(same_bits(a.percentiles[i].ci_low, b.percentiles[i].ci_low));
        CHECK(same_bits(a.percentiles[i].ci_high, b.percentiles[i].ci_high));
    }
    REQUIRE(a.thresholds.size() == b.thresholds.size());
    for (std::size_t i = 0; i < a.thresholds.size(); ++i) CHECK(a.thresholds[i].count == b.thresholds[i].count);
}

// The statistics of output `step.output` in a simulation of `run`.
inline const impact::scenario::OutputStatistics& stats_of(const impact::scenario::RunResult& run,
                                                          const impact::scenario::SimulationResult& sim,
                                                          std::string_view step, std::string_view output) {
    for (std::size_t i = 0; i < run.steps.size(); ++i) {
        if (run.steps[i].id != step) continue;
        for (std::size_t o = 0; o < run.steps[i].outputs.size(); ++o)
            if (run.steps[i].outputs[o].key == output) return sim.steps[i][o];
    }
    throw std::runtime_error("no output " + std::string(step) + "." + std::string(output));
}

// The draws of input `name` under `seed`, regenerated through the random streams directly (not the engine).
inline std::vector<double> regenerate(const impact::uncertainty::DistributionParams& params, const std::string& name,
                                      std::uint64_t seed, std::size_t n) {
    const auto dist = impact::uncertainty::Distribution::make(params);
    std::vector<double> u(n), x(n);
    impact::uncertainty::uniforms(seed, impact::uncertainty::stream_id(name), 0, u);
    dist.quantiles(u, x);
    return x;
}

}  // namespace simulation_test
