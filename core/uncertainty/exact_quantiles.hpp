// Exact Monte Carlo percentiles (numpy's linear method) and their order-statistic confidence intervals, in bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace impact::uncertainty {

// One percentile of the draws, exactly as numpy 1.24 computes np.percentile(x, 100 * probability)
// (method "linear", Hyndman and Fan's definition 7): with h = (N - 1) * q and the sorted draws x,
//   value = _lerp(x[floor h], x[floor h + 1], h - floor h),  _lerp(a, b, t) = a + (b - a) * t,
//   or b - (b - a) * (1 - t) when t >= 0.5,
// where q = (100 * probability) / 100 (np.percentile divides its argument by 100) and, as in
// numpy's _get_indexes, h >= N - 1 takes both neighbours at the last draw (the weight then being
// h + 1). The arithmetic is done in the same order and in double, so results are bit-equal.
//
// The 95% confidence interval is the pair of order statistics at 1-based ranks
//   ci_low_rank  = floor(N p - 1.96 sqrt(N p (1 - p))),
//   ci_high_rank = ceil (N p + 1.96 sqrt(N p (1 - p))),
// each clamped to [1, N]: the normal approximation to the binomial count of draws below the true
// quantile (Conover, "Practical Nonparametric Statistics", 3rd ed., section 3.2), rounded outward
// so that the interval is never narrower than the approximation says.
struct PercentileResult {
    double probability;
    double value;
    double ci_low;
    double ci_high;
    std::uint64_t ci_low_rank;
    std::uint64_t ci_high_rank;
};

// At most this many passes over the draws, whatever the data (see ExactQuantiles).
inline constexpr unsigned kMaxQuantilePasses = 6;
// The smallest budget of kept values ExactQuantiles accepts.
inline constexpr std::size_t kMinKeptValuesPerPass = 256;

namespace detail {
struct PassPlan;
}

// Collects one pass's values for an ExactQuantiles: one per thread (or per block), then merged.
// Values are compared in a total order in which -0.0 comes before +0.0, so what is kept does not
// depend on the order of the values, the split among collectors or the order of merging.
class QuantileCollector {
public:
    QuantileCollector(QuantileCollector&&) noexcept;
    QuantileCollector& operator=(QuantileCollector&&) noexcept;
    ~QuantileCollector();

    // Takes the values of some draws; throws std::invalid_argument for a NaN or an infinity.
    void add(std::span<const double> values);
    // Takes over another collector of the same pass; throws std::logic_error if it is of another.
    void merge(QuantileCollector&& other);
    // An empty collector of the same pass whose windows are this collector's current windows: no
    // values, every count zero, histogram zeroed. Feed it some draws, then merge it back (see
    // "Rounds" in ExactQuantiles).
    QuantileCollector empty_like() const;

    // Values added to this collector (and to those merged into it).
    std::uint64_t count() const noexcept;
    // Values held now, and the most this collector (or any merged into it) held at once.
    std::size_t kept_values() const noexcept;
    std::size_t peak_kept_values() const noexcept;

    struct State;

private:
    friend class ExactQuantiles;
    explicit QuantileCollector(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

// Exact percentiles of one output over N draws (N up to 1e9 and beyond), holding at most a fixed
// number of values per collector whatever N is.
//
// Design. Every value is mapped to a 64-bit key that orders doubles totally. A pass looks for the
// target ranks (floor h, floor h + 1 and both CI ranks of each percentile) inside one or more key
// intervals (pass 1: all keys). Per interval each collector keeps
//   * windows: closed key ranges around the targets' estimated positions, holding the values strictly
//     inside, counts of the values equal to either edge, and counts of the values in the gaps
//     between windows. A collector keeps every value until it holds 65,536 (or the budget, if
//     smaller), then narrows each window to the local ranks the target can still take:
//     rank * n / M +- (6 sigma + 2), sigma being the hypergeometric sd sqrt(n f (1 - f) (1 - n/M))
//     of a target's local rank when the collector has seen n of the interval's M values (4 and 3
//     sigma when the values would not fit in half the budget; past that, the fullest window is
//     given up). Windows only ever shrink, so every count stays exact; a window whose target has
//     left it collapses to one edge. Runs of four or more equal values are stored as (value, count),
//     so point masses (Bernoulli outputs) cost nothing. Narrowing again whenever the kept values
//     have grown by half, a collector keeps O(sqrt N) values: at most 255,057 per collector for the
//     nine reported percentiles at N = 1e8 on two collectors (bench/README.md). Merging intersects
//     the windows, and the merged collector, having seen more, narrows them further;
//   * a histogram of 4096 bins of equal width in key space over the interval (pass 1: one bin per
//     sign and binary exponent), which costs nothing to merge and needs no pilot.
// After a pass, a target rank that fell in a window is exact (its value is an edge or one of the
// kept values, selected after sorting). One that fell in a gap (a window that was dropped for
// memory, or data that are not identically distributed across draws, such as a first block of
// zeros) gets a next-pass interval: its gap when the gap is small enough to be kept whole,
// else its histogram bin. Both counts are exact, so the next pass knows each target's rank inside.
//
// Passes: one when N <= the budget (everything is kept) and, for independent identically
// distributed draws, one unless a six-sigma window misses its target (a chance of the order of
// 1e-9 per window and narrowing) or the budget is too small for the windows. Whatever the data, at most kMaxQuantilePasses = 6: a target either resolves or moves to an
// interval kept whole (resolved next pass) or to a histogram bin holding 1/4096 of its interval's
// keys, and after the sixth pass a bin is a single key, i.e. a single value.
//
// Memory per collector: at most max_kept_values_per_pass values (8 bytes each; vectors may hold up
// to twice that in capacity; a merge holds both inputs' values until it has narrowed, no more than
// the two collectors held before), plus 32 KiB of histogram per interval (one in pass 1, at most one per
// target rank later). No pilot is needed: each collector's first values play that part, so
// pilot_draws() is 0.
//
// Signed zeros: -0.0 sorts before +0.0. numpy's partition leaves equal values in an unspecified
// order, so when both zeros are among the draws numpy may report either sign; the numbers agree.
//
// Not thread-safe; each thread adds to its own collector. A caller's loop:
//   ExactQuantiles q(probs, N, budget);
//   if (q.pilot_draws()) q.set_pilot(first values);
//   while (q.needs_pass()) { collectors = q.collector() per thread; each adds its blocks;
//                            merge them (any order); q.finish_pass(std::move(merged)); }
class ExactQuantiles {
public:
    // probabilities in [0, 1]; total_draws >= 1; max_kept_values_per_pass >= kMinKeptValuesPerPass.
    // Throws std::invalid_argument otherwise.
    ExactQuantiles(std::vector<double> probabilities, std::uint64_t total_draws,
                   std::size_t max_kept_values_per_pass);
    ExactQuantiles(ExactQuantiles&&) noexcept;
    ExactQuantiles& operator=(ExactQuantiles&&) noexcept;
    ~ExactQuantiles();

    // The values of draws [0, n) for the pilot, n = pilot_draws(); skip when pilot_draws() == 0,
    // which is always the case in this design (see above).
    std::uint64_t pilot_draws() const noexcept;
    void set_pilot(std::span<const double> values);

    bool needs_pass() const noexcept;  // true until every target is exact
    QuantileCollector collector() const;  // empty collector for this pass (one per thread)
    // Every draw's value fed exactly once in the pass; throws std::logic_error if the count differs
    // from total_draws, if the collector belongs to another pass, or if the values differ from the
    // previous pass's (the draws must be regenerated identically).
    void finish_pass(QuantileCollector&& merged);
    unsigned passes() const noexcept;

    // After !needs_pass(); throws std::logic_error before.
    std::vector<PercentileResult> percentiles() const;
    // The value of a 1-based rank used by percentiles() (floor h + 1, floor h + 2, the CI ranks);
    // throws std::out_of_range for other ranks, std::logic_error before the end.
    double order_statistic(std::uint64_t rank_1based) const;
    // Most values held at once by one collector (after each add, merge or narrowing), over all passes.
    std::size_t peak_kept_values() const noexcept;

    const std::vector<double>& probabilities() const noexcept;
    std::uint64_t total_draws() const noexcept;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace impact::uncertainty
