// Exact percentiles and their CIs: bit-equal to a full sort with numpy's formula, for any split of the draws, within the memory budget.
#include "draws.hpp"
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace {

using impact::test::Draws;
using impact::test::make_draws;
using impact::uncertainty::ExactQuantiles;
using impact::uncertainty::kReportedPercentiles;
using impact::uncertainty::PercentileResult;
using impact::uncertainty::QuantileCollector;

// The reference: sort every draw, then numpy 1.24's linear method as written in
// numpy/lib/function_base.py (percentile: q / 100; _quantile: virtual index (n - 1) q;
// _get_indexes: floor and floor + 1, both set to the last element when the index is >= n - 1, and
// the weight is then index - (-1); _lerp: a + (b - a) t, or b - (b - a)(1 - t) when t >= 0.5).
// Signed zeros are sorted -0.0 first, as the library documents.
struct Reference {
    std::vector<double> sorted;

    explicit Reference(std::vector<double> x) : sorted(std::move(x)) {
        std::sort(sorted.begin(), sorted.end(), [](double a, double b) {
            return a < b || (a == b && std::signbit(a) && !std::signbit(b));
        });
    }

    double percentile(double p) const {
        const double q = (p * 100.0) / 100.0;
        const double n = static_cast<double>(sorted.size());
        const double h = (n - 1) * q;
        double below_index = std::floor(h);
        double above_index = below_index + 1;
        if (h >= n - 1) below_index = above_index = -1;
        const double t = h - below_index;
        const auto at = [&](double i) { return i < 0 ? sorted.back() : sorted[static_cast<std::size_t>(i)]; };
        const double a = at(below_index);
        const double b = at(above_index);
        double result = a + (b - a) * t;
        if (t >= 0.5) result = b - (b - a) * (1 - t);
        return result;
    }

    // 1-based ranks N p -+ 1.96 sqrt(N p (1 - p)), floor and ceil, clamped to [1, N] (the brief's rule).
    std::pair<std::uint64_t, std::uint64_t> ci_ranks(double p) const {
        const double n = static_cast<double>(sorted.size());
        const double half = 1.96 * std::sqrt(n * p * (1 - p));
        const double lo = std::max(1.0, std::min(n, std::floor(n * p - half)));
        const double hi = std::max(1.0, std::min(n, std::ceil(n * p + half)));
        return {static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)};
    }
};

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// Splits the draws into blocks of random sizes dealt to `collectors` collectors at random, and merges
// them in a random order: what the engine's threads may do.
struct Split {
    unsigned collectors = 1;
    std::uint64_t seed = 1;
    std::size_t max_block = 4096;
};

struct Outcome {
    std::vector<PercentileResult> results;
    unsigned passes = 0;
    std::size_t peak = 0;
};

Outcome run(const std::vector<double>& x, const std::vector<double>& probs, std::size_t budget, const Split& split) {
    ExactQuantiles q(probs, x.size(), budget);
    REQUIRE(q.pilot_draws() == 0);
    std::mt19937_64 rng(split.seed);
    while (q.needs_pass()) {
        REQUIRE(q.passes() < impact::uncertainty::kMaxQuantilePasses);
        std::vector<QuantileCollector> collectors;
        for (unsigned c = 0; c < split.collectors; ++c) collectors.push_back(q.collector());
        std::size_t start = 0;
        while (start < x.size()) {
            const std::size_t size = std::min(x.size() - start, 1 + rng() % split.max_block);
            collectors[rng() % split.collectors].add(std::span(x).subspan(start, size));
            start += size;
        }
        while (collectors.size() > 1) {
            const std::size_t into = rng() % collectors.size();
            std::size_t from = rng() % (collectors.size() - 1);
            if (from >= into) ++from;
            collectors[into].merge(std::move(collectors[from]));
            collectors.erase(collectors.begin() + static_cast<std::ptrdiff_t>(from));
        }
        q.finish_pass(std::move(collectors.front()));
    }
    return {q.percentiles(), q.passes(), q.peak_kept_values()};
}

// Every percentile and CI bound bit-equal to the reference; failures print the case.
void check_against_reference(const std::vector<double>& x, const Outcome& outcome, const std::vector<double>& probs) {
    const Reference reference(x);
    REQUIRE(outcome.results.size() == probs.size());
    for (std::size_t i = 0; i < probs.size(); ++i) {
        const PercentileResult& r = outcome.results[i];
        const double p = probs[i];
        const auto [ci_lo, ci_hi] = reference.ci_ranks(p);
        const double expected = reference.percentile(p);
        CAPTURE(p, r.value, expected, r.ci_low_rank, r.ci_high_rank, ci_lo, ci_hi);
        CHECK(r.probability == p);
        CHECK(bits(r.value) == bits(expected));
        CHECK(r.ci_low_rank == ci_lo);
        CHECK(r.ci_high_rank == ci_hi);
        CHECK(bits(r.ci_low) == bits(reference.sorted[ci_lo - 1]));
        CHECK(bits(r.ci_high) == bits(reference.sorted[ci_hi - 1]));
    }
}

const std::vector<double> kProbs(kReportedPercentiles.begin(), kReportedPercentiles.end());
constexpr std::size_t kBudget = std::size_t{1} << 20;

}  // namespace

TEST_CASE("percentiles and CIs equal a full sort with numpy's formula, for many N and distributions", "[uncertainty][quantiles]") {
    const Draws kinds[] = {Draws::uniform, Draws::normal, Draws::lognormal, Draws::cauchy, Draws::bernoulli,
                           Draws::constant, Draws::late_shift, Draws::signed_zeros, Draws::huge, Draws::subnormal};
    // 0 and 1 as probabilities reach numpy's edge branch (index >= N - 1).
    std::vector<double> probs = kProbs;
    probs.push_back(0.0);
    probs.push_back(1.0);
    probs.push_back(0.333);
    for (const std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{10}, std::size_t{1000},
                                (std::size_t{1} << 20) + 1}) {
        for (const Draws kind : kinds) {
            const std::vector<double> x = make_draws(kind, n);
            for (const unsigned collectors : {1U, 3U}) {
                CAPTURE(n, impact::test::name(kind), collectors, kBudget);
                const Outcome outcome = run(x, probs, kBudget, Split{collectors, 7 + n, 4096});
                check_against_reference(x, outcome, probs);
                CHECK(outcome.peak <= kBudget);
                if (n <= kBudget) CHECK(outcome.passes == 1);  // everything kept: one pass
            }
        }
    }
}

TEST_CASE("three million draws: one pass for independent draws, exact all the same when the start misleads", "[uncertainty][quantiles]") {
    constexpr std::size_t n = 3'000'000;
    constexpr std::size_t budget = std::size_t{1} << 19;  // 4 MiB of values per collector
    for (const Draws kind : {Draws::normal, Draws::lognormal, Draws::bernoulli, Draws::late_shift}) {
        const std::vector<double> x = make_draws(kind, n);
        CAPTURE(impact::test::name(kind), n, budget);
        const Outcome outcome = run(x, kProbs, budget, Split{2, 99, 4096});
        check_against_reference(x, outcome, kProbs);
        CHECK(outcome.peak <= budget);
        CAPTURE(outcome.passes, outcome.peak);
        if (kind != Draws::late_shift) CHECK(outcome.passes == 1);
        CHECK(outcome.passes <= 2);
    }
}

TEST_CASE("a small budget forces further passes, which stay exact, bounded and within the budget", "[uncertainty][quantiles]") {
    for (const Draws kind : {Draws::normal, Draws::lognormal, Draws::cauchy, Draws::bernoulli, Draws::late_shift,
                             Draws::signed_zeros, Draws::huge, Draws::subnormal}) {
        for (const std::size_t budget : {std::size_t{256}, std::size_t{1000}}) {
            const std::vector<double> x = make_draws(kind, 200'000, 5);
            CAPTURE(impact::test::name(kind), budget);
            const Outcome outcome = run(x, kProbs, budget, Split{4, 3, 777});
            CAPTURE(outcome.passes, outcome.peak);
            check_against_reference(x, outcome, kProbs);
            CHECK(outcome.peak <= budget);
            CHECK(outcome.passes <= impact::uncertainty::kMaxQuantilePasses);
        }
    }
    // The budget must be small enough to bite: the normal case needs more than one pass.
    const std::vector<double> x = make_draws(Draws::normal, 200'000, 5);
    CHECK(run(x, kProbs, 256, Split{4, 3, 777}).passes > 1);
    // Point masses are counted, not kept: two values fit any budget in one pass.
    const std::vector<double> coin = make_draws(Draws::bernoulli, 200'000, 5);
    CHECK(run(coin, kProbs, 256, Split{4, 3, 777}).passes == 1);
}

TEST_CASE("results are bit-identical whatever the number of collectors and the split of the draws", "[uncertainty][quantiles]") {
    for (const Draws kind : {Draws::normal, Draws::signed_zeros, Draws::lognormal}) {
        const std::vector<double> x = make_draws(kind, 300'000, 11);
        const Outcome first = run(x, kProbs, 4096, Split{1, 1, 4096});
        for (const unsigned collectors : {2U, 5U, 16U}) {
            for (const std::uint64_t seed : {2U, 3U}) {
                CAPTURE(impact::test::name(kind), collectors, seed);
                const Outcome other = run(x, kProbs, 4096, Split{collectors, seed, 1 + seed * 1000});
                for (std::size_t i = 0; i < kProbs.size(); ++i) {
                    CAPTURE(kProbs[i], first.results[i].value, other.results[i].value);
                    CHECK(bits(other.results[i].value) == bits(first.results[i].value));
                    CHECK(bits(other.results[i].ci_low) == bits(first.results[i].ci_low));
                    CHECK(bits(other.results[i].ci_high) == bits(first.results[i].ci_high));
                }
            }
        }
    }
}

TEST_CASE("order statistics are available for every rank a percentile uses", "[uncertainty][quantiles]") {
    const std::vector<double> x = make_draws(Draws::normal, 5000, 2);
    const Reference reference(x);
    ExactQuantiles q({0.5}, x.size(), 1024);
    while (q.needs_pass()) {
        QuantileCollector c = q.collector();
        c.add(x);
        q.finish_pass(std::move(c));
    }
    // h = 4999 * 0.5 = 2499.5: ranks 2500 and 2501; CI ranks 2500 -+ 1.96 sqrt(1250) = 2430.7, 2569.3.
    for (const std::uint64_t rank : {std::uint64_t{2500}, std::uint64_t{2501}, std::uint64_t{2430}, std::uint64_t{2570}}) {
        CAPTURE(rank);
        CHECK(bits(q.order_statistic(rank)) == bits(reference.sorted[rank - 1]));
    }
    CHECK_THROWS_AS(q.order_statistic(1), std::out_of_range);
    CHECK_THROWS_AS(q.order_statistic(0), std::out_of_range);
}

TEST_CASE("misuse is refused with an exception", "[uncertainty][quantiles]") {
    CHECK_THROWS_AS(ExactQuantiles({1.5}, 10, 1024), std::invalid_argument);
    CHECK_THROWS_AS(ExactQuantiles({std::nan("")}, 10, 1024), std::invalid_argument);
    CHECK_THROWS_AS(ExactQuantiles({0.5}, 0, 1024), std::invalid_argument);
    CHECK_THROWS_AS(ExactQuantiles({0.5}, 10, 10), std::invalid_argument);

    ExactQuantiles q({0.5}, 3, 1024);
    CHECK_THROWS_AS(q.set_pilot(std::vector<double>{1.0}), std::invalid_argument);
    CHECK_THROWS_AS(q.percentiles(), std::logic_error);
    QuantileCollector c = q.collector();
    const double bad[] = {1.0, std::numeric_limits<double>::infinity()};
    CHECK_THROWS_AS(c.add(std::span<const double>(bad, 2)), std::invalid_argument);
    const double nan_value[] = {std::nan("")};
    CHECK_THROWS_AS(c.add(nan_value), std::invalid_argument);

    // Two values where three were promised.
    QuantileCollector short_pass = q.collector();
    short_pass.add(std::vector<double>{1.0, 2.0});
    CHECK_THROWS_AS(q.finish_pass(std::move(short_pass)), std::logic_error);

    // A collector of another ExactQuantiles.
    ExactQuantiles other({0.5}, 3, 1024);
    QuantileCollector foreign = other.collector();
    QuantileCollector mine = q.collector();
    CHECK_THROWS_AS(mine.merge(other.collector()), std::logic_error);
    foreign.add(std::vector<double>{1.0, 2.0, 3.0});
    CHECK_THROWS_AS(q.finish_pass(std::move(foreign)), std::logic_error);
}

TEST_CASE("a second pass with different draws is detected", "[uncertainty][quantiles]") {
    std::vector<double> x = make_draws(Draws::normal, 100'000, 8);
    ExactQuantiles q(kProbs, x.size(), 256);
    QuantileCollector first = q.collector();
    first.add(x);
    q.finish_pass(std::move(first));
    REQUIRE(q.needs_pass());  // 256 values cannot hold every window of 100,000 draws
    for (double& v : x) v += 1.0;  // not the same draws any more
    QuantileCollector second = q.collector();
    second.add(x);
    CHECK_THROWS_AS(q.finish_pass(std::move(second)), std::logic_error);
}

namespace {

// The engine's loop with rounds: per pass one running collector; each round deals `blocks_per_round`
// blocks of `block` values to `per_round` collectors made by running.empty_like(), then merges them
// into the running one, so every round starts from the running collector's narrowed windows.
Outcome run_in_rounds(const std::vector<double>& x, const std::vector<double>& probs, std::size_t budget,
                      std::size_t blocks_per_round, unsigned per_round, std::size_t block) {
    ExactQuantiles q(probs, x.size(), budget);
    while (q.needs_pass()) {
        REQUIRE(q.passes() < impact::uncertainty::kMaxQuantilePasses);
        QuantileCollector running = q.collector();
        std::size_t start = 0;
        while (start < x.size()) {
            std::vector<QuantileCollector> round;
            for (unsigned c = 0; c < per_round; ++c) round.push_back(running.empty_like());
            for (std::size_t b = 0; b < blocks_per_round && start < x.size(); ++b) {
                const std::size_t size = std::min(block, x.size() - start);
                round[b % per_round].add(std::span(x).subspan(start, size));
                start += size;
            }
            for (QuantileCollector& c : round) running.merge(std::move(c));
        }
        REQUIRE(running.count() == x.size());
        q.finish_pass(std::move(running));
    }
    return {q.percentiles(), q.passes(), q.peak_kept_values()};
}

}  // namespace

TEST_CASE("rounds of empty_like collectors merged into a running one give the same bits as one collector and a full sort", "[uncertainty][quantiles]") {
    constexpr std::size_t n = 2'000'000;
    constexpr std::size_t budget = std::size_t{1} << 19;
    // late_shift: a first stretch of 65,536 zeros (16 blocks), then 1e6 + normal: the running
    // collector's early windows are wrong for the rest, so a further pass is needed.
    for (const Draws kind : {Draws::normal, Draws::lognormal, Draws::bernoulli, Draws::late_shift}) {
        const std::vector<double> x = make_draws(kind, n, 17);
        const Outcome one = run(x, kProbs, budget, Split{1, 5, 4096});
        for (const auto& [blocks_per_round, per_round, block] :
             {std::tuple{std::size_t{64}, 2U, std::size_t{4096}}, std::tuple{std::size_t{5}, 3U, std::size_t{1000}}}) {
            const Outcome rounds = run_in_rounds(x, kProbs, budget, blocks_per_round, per_round, block);
            CAPTURE(impact::test::name(kind), n, budget, blocks_per_round, per_round, block, one.passes, rounds.passes);
            check_against_reference(x, rounds, kProbs);
            for (std::size_t i = 0; i < kProbs.size(); ++i) {
                CAPTURE(kProbs[i], one.results[i].value, rounds.results[i].value);
                CHECK(bits(rounds.results[i].value) == bits(one.results[i].value));
                CHECK(bits(rounds.results[i].ci_low) == bits(one.results[i].ci_low));
                CHECK(bits(rounds.results[i].ci_high) == bits(one.results[i].ci_high));
            }
            CHECK(rounds.peak <= budget);
            if (kind == Draws::late_shift) {
                CHECK(rounds.passes > 1);
                CHECK(rounds.passes <= impact::uncertainty::kMaxQuantilePasses);
            } else {
                CHECK(rounds.passes == 1);
            }
        }
    }
}

TEST_CASE("empty_like starts from the current windows with nothing counted", "[uncertainty][quantiles]") {
    const std::vector<double> x = make_draws(Draws::normal, 300'000, 4);
    constexpr std::size_t budget = std::size_t{1} << 17;
    ExactQuantiles q(kProbs, x.size(), budget);
    QuantileCollector running = q.collector();
    running.add(std::span(x).first(200'000));
    REQUIRE(running.kept_values() > 0);
    QuantileCollector fresh = running.empty_like();
    CHECK(fresh.count() == 0);
    CHECK(fresh.kept_values() == 0);
    CHECK(fresh.peak_kept_values() == 0);
    // Its windows are the running one's, narrowed after at least 65,536 values: it keeps a small
    // share of new values (the windows of the nine percentiles hold under a quarter of the draws).
    fresh.add(std::span(x).subspan(200'000));
    CAPTURE(fresh.kept_values(), running.kept_values());
    CHECK(fresh.count() == 100'000);
    CHECK(fresh.kept_values() < 25'000);
    running.merge(std::move(fresh));
    q.finish_pass(std::move(running));
    REQUIRE_FALSE(q.needs_pass());
    check_against_reference(x, Outcome{q.percentiles(), q.passes(), q.peak_kept_values()}, kProbs);
    // A collector made by empty_like belongs to its pass: another pass's collector refuses it.
    ExactQuantiles other(kProbs, x.size(), budget);
    QuantileCollector foreign = other.collector();
    ExactQuantiles third(kProbs, x.size(), budget);
    QuantileCollector mine = third.collector();
    CHECK_THROWS_AS(mine.merge(foreign.empty_like()), std::logic_error);
}
