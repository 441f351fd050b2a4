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

    // Takes the values of some draws; throws std::invalid_argument for a NaN or an infinity (the
    // values of its chunk of 256 are then not taken, those of earlier chunks are: a pass that
    // throws is to be abandoned, as the engine does).
    void add(std::span<const double> values);
    // Takes over another collector of the same pass; throws std::logic_error if it is of another.
    void merge(QuantileCollector&& other);
    // An empty collector of the same pass whose windows (edges and targets) are this collector's
    // current windows: no values kept, every count zero, histogram zeroed, count() 0. Merge it into
    // this collector (or any of the pass) after feeding it draws not fed elsewhere; see "Rounds" in
    // ExactQuantiles for why the result stays exact. Calling it marks this collector as the running
    // one, which will see the rest of the pass: from its next narrowing on it reserves for each
    // window the most it is expected to hold until the end of the pass, so that it never copies a
    // large window into a larger buffer while it holds the most (memory, below).
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
//     have grown by 1/16, a collector keeps O(sqrt N) values: at most 215,332 per collector for the
//     nine reported percentiles at N = 1e8 on two collectors, 228,141 for one running collector
//     that sees all 1e8 (bench/README.md). Merging intersects the windows, and the merged
//     collector, having seen more, narrows them further. Narrowing costs O(kept values): it sorts
//     only the values kept since the last narrowing and merges them in, then cuts each window's
//     sorted values in place (no second copy);
//   * a histogram of 4096 bins of equal width in key space over the interval (pass 1: one bin per
//     sign and binary exponent), which costs nothing to merge and needs no pilot.
// After a pass, a target rank that fell in a window is exact (its value is an edge or one of the
// kept values, selected after sorting). One that fell in a gap (a window that was dropped for
// memory, or data that are not identically distributed across draws, such as a first block of
// zeros) gets a next-pass interval: its gap when the gap is small enough to be kept whole,
// else its histogram bin. Both counts are exact, so the next pass knows each target's rank inside.
//
// Routing a value (add) is O(1) for most values: a table of 4096 buckets of equal width in key space
// over the windows' range (and 256 sub-buckets for each bucket holding a window edge) maps a
// bucket without an edge straight to its gap or window; only values in a sub-bucket with an edge
// go through the binary search. The table is rebuilt whenever the windows change.
//
// Passes: one when N <= the budget (everything is kept) and, for independent identically
// distributed draws, one unless a six-sigma window misses its target or the budget is too small
// for the windows. The chance of a miss does not grow with how often a collector narrows: for iid
// draws the seen values are a random subset, so a target's local rank, standardised, follows
// U(t) = B(t) / sqrt(t (1 - t)) for a Brownian bridge B in the fraction t of values seen, and a
// narrowing at t misses only if |U(t)| > 6 there. Even checking at every t, P(sup |U(t)| > c)
// over [t0, t1] is about c phi(c) (s1 - s0) with s = ln(t / (1 - t)) (Pickands' asymptotic for
// the Ornstein-Uhlenbeck process U becomes in s, correlation exp(-|ds| / 2)): with c = 6,
// t0 = 65,536 / 1e8 and t1 =
// 1 - 1e-3, 5e-7 per target rank, 2e-5 for the 36 target ranks of the nine percentiles (the
// 2-rank slack, discrete narrowings and the end of the pass, where the slack dominates, only lower
// it). A miss costs a further pass, never a wrong result. Whatever the data, at most
// kMaxQuantilePasses = 6: a target either resolves or moves to an interval kept whole (resolved
// next pass) or to a histogram bin holding 1/4096 of its interval's keys, and after the sixth pass
// a bin is a single key, i.e. a single value.
//
// Rounds. An engine may merge its per-thread collectors into one running collector after every
// round of blocks and start the next round's collectors with running.empty_like(). This is exact
// for any data: each collector's counts (gaps, edges, kept values) are exact for the values it saw,
// and its windows only ever shrink by its own reasoning about those values, which for iid draws are
// a random subset of the pass, so a window it narrows holds its targets with the chance above.
// A round collector starting from the running windows keeps only what falls inside them; merging
// intersects windows (here they are the same, unless a round collector narrowed further) and adds
// exact counts, so every count of the running collector stays exact and finish_pass() resolves
// each target that stayed inside a window, and sends any other to a further pass, as for any
// collector; the percentiles are bit-identical whatever the rounds. Round collectors keep a
// small share of their values (the running windows are narrow), so memory is the running
// collector's O(sqrt N) plus little per thread, and for iid data it is still one pass.
//
// Memory per collector: at most max_kept_values_per_pass values (8 bytes each; window vectors grow
// by a quarter and get room for the growth until the next narrowing, about 7% more, so capacity
// stays close to the values held; a merge holds both inputs' values until it has narrowed, no more
// than the two collectors held before), plus 32 KiB of histogram per interval (one in pass 1, at
// most one per target rank later) and 8 KiB plus 512 bytes per window edge of bucket table. At
// N = 1e8 a running collector with two round collectors peaks at 1.94 MiB of heap in all
// (bench/README.md). No pilot is needed: each collector's first values play that part, so
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
// or, in rounds:
//   while (q.needs_pass()) { running = q.collector();
//                            per round: collectors = running.empty_like() per thread, each adds
//                            its blocks, running.merge() each of them;
//                            q.finish_pass(std::move(running)); }
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
