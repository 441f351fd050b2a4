// Streaming Monte Carlo moments (count, mean, sd, min, max, standard error) and threshold exceedance counts.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace impact::uncertainty {

// The percentiles every Monte Carlo report shows, as probabilities (P1 ... P99).
inline constexpr std::array<double, 9> kReportedPercentiles{0.01, 0.05, 0.10, 0.25, 0.50,
                                                            0.75, 0.90, 0.95, 0.99};

// Count, mean, M2 (sum of squared deviations from the mean), min and max of draws.
//
// add() takes one block: it sums the block in eight interleaved partial sums (value i in sum i mod 8)
// added pairwise in a fixed order, takes the block's mean, then its M2 as
// the sum of squared deviations from that mean (two passes over the block, far more accurate than
// one-pass sums of squares), and folds the block in with merge(). merge() is Chan, Golub and
// LeVeque's pairwise update (1979, "Updating formulae and a pairwise algorithm for computing sample
// variances"). Everything is deterministic: when the caller adds fixed-size blocks and merges the
// per-block (or per-run-of-blocks) results in block order, the result is bit-identical whatever the
// number of threads.
//
// Limits, documented rather than hidden: squared deviations are held in a double, so when draws
// spread wider than about 1e154 the M2, variance and sd are +inf (the mean, min and max stay
// right; a block whose plain sum overflows is averaged term by term instead). Block means are
// rounded to double before merging, so for draws whose sd is tiny next to their mean the variance's
// relative error is about ulp(mean) / sd (1e-8 for 1e9 + N(0, 1)); for sd above 1e-4 |mean| it is
// below 1e-12. min and max order
// -0.0 before +0.0, so that they do not depend on the order of the draws.
struct Moments {
    std::uint64_t count = 0;
    double mean = 0;
    double m2 = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    // Folds in one block of finite values (non-finite values are the caller's to refuse).
    void add(std::span<const double> values) noexcept;
    // Folds in the draws that come after this one's (Chan et al.'s pairwise update).
    void merge(const Moments& later) noexcept;
    // Sample variance M2 / (N - 1), numpy's var(ddof=1); NaN for fewer than two draws, as numpy.
    double variance() const noexcept;
    double sd() const noexcept;
    // sd / sqrt(N): the standard error of the mean; NaN for fewer than two draws.
    double standard_error() const noexcept;
};

// How many draws lie strictly above, and strictly below, each of a list of thresholds (the
// probability that an impact exceeds a budget, say). Counts are integers, so any split and any
// order of merging gives the same result.
class ExceedanceCounts {
public:
    explicit ExceedanceCounts(std::vector<double> thresholds);

    void add(std::span<const double> values) noexcept;
    // Adds another collector's counts; throws std::invalid_argument if its thresholds differ.
    void merge(const ExceedanceCounts& other);

    const std::vector<double>& thresholds() const noexcept { return thresholds_; }
    std::uint64_t count() const noexcept { return count_; }
    // Draws strictly greater than thresholds()[i].
    std::uint64_t above(std::size_t i) const { return above_.at(i); }
    // Draws strictly less than thresholds()[i].
    std::uint64_t below(std::size_t i) const { return below_.at(i); }

private:
    std::vector<double> thresholds_;
    std::vector<std::uint64_t> above_;
    std::vector<std::uint64_t> below_;
    std::uint64_t count_ = 0;
};

}  // namespace impact::uncertainty
