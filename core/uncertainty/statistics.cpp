// Moments by blockwise two-pass sums and Chan et al.'s pairwise merge; exceedance counting.
#include "uncertainty/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace impact::uncertainty {

namespace {

// Total order on the extremes: -0.0 counts as smaller than +0.0, so the sign of a zero minimum
// does not depend on which zero came first.
bool before_in_total_order(double a, double b) noexcept {
    return a < b || (a == b && std::signbit(a) && !std::signbit(b));
}

}  // namespace

// Sums are kept in kLanes interleaved partial sums (value i goes to lane i mod kLanes) and the
// lanes are added pairwise in a fixed order: the same bits whatever the machine's vector width,
// and independent chains of additions that the compiler can vectorise, where one running sum
// waits four cycles per value for the previous addition.
constexpr std::size_t kLanes = 8;

// Calls visit(lane, x[i]) for every i in [0, size), lane = i mod kLanes, as kLanes-wide steps
// (which g++ vectorises once visit is inlined) and then the tail.
template <class Visit>
inline void for_each_in_lanes(const double* x, std::size_t size, Visit&& visit) noexcept {
    const std::size_t whole = size - size % kLanes;
    for (std::size_t i = 0; i < whole; i += kLanes)
        for (std::size_t j = 0; j < kLanes; ++j) visit(j, x[i + j]);
    for (std::size_t i = whole; i < size; ++i) visit(i - whole, x[i]);
}

double sum_of_lanes(const double (&lanes)[kLanes]) noexcept {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

void Moments::add(std::span<const double> values) noexcept {
    if (values.empty()) return;
    const std::size_t size = values.size();
    const double* x = values.data();
    const double n = static_cast<double>(size);
    double sums[kLanes] = {};
    for_each_in_lanes(x, size, [&](std::size_t lane, double v) { sums[lane] += v; });
    double block_mean = sum_of_lanes(sums) / n;
    if (!std::isfinite(block_mean)) {
        // The plain sum overflowed (values near 1e308): average term by term, each term scaled first.
        block_mean = 0;
        for (const double v : values) block_mean += v / n;
    }
    // Second pass: squared deviations, plus the sum of the deviations themselves, which is zero in
    // exact arithmetic and corrects the rounding of the mean (Chan, Golub and LeVeque's corrected
    // two-pass algorithm).
    double squares[kLanes] = {};
    double deviations[kLanes] = {};
    for_each_in_lanes(x, size, [&](std::size_t lane, double v) {
        const double d = v - block_mean;
        squares[lane] += d * d;
        deviations[lane] += d;
    });
    Moments block;
    block.count = size;
    // min and max by plain comparisons in lanes (minpd/maxpd), then, only when the result is a
    // zero, its sign from the total order (-0.0 before +0.0), which the comparisons cannot see: so
    // they do not depend on the order of the values.
    double lows[kLanes];
    double highs[kLanes];
    std::fill(std::begin(lows), std::end(lows), block.min);
    std::fill(std::begin(highs), std::end(highs), block.max);
    for_each_in_lanes(x, size, [&](std::size_t lane, double v) {
        lows[lane] = v < lows[lane] ? v : lows[lane];
        highs[lane] = v > highs[lane] ? v : highs[lane];
    });
    for (std::size_t j = 0; j < kLanes; ++j) {
        block.min = std::min(block.min, lows[j]);
        block.max = std::max(block.max, highs[j]);
    }
    if (block.min == 0.0 || block.max == 0.0) {
        bool negative_zero = false;
        bool positive_zero = false;
        for (const double v : values) {
            negative_zero |= v == 0.0 && std::signbit(v);
            positive_zero |= v == 0.0 && !std::signbit(v);
        }
        if (block.min == 0.0) block.min = negative_zero ? -0.0 : 0.0;
        if (block.max == 0.0) block.max = positive_zero ? 0.0 : -0.0;
    }
    const double deviation_sum = sum_of_lanes(deviations);
    block.mean = block_mean;
    block.m2 = std::max(0.0, sum_of_lanes(squares) - deviation_sum * deviation_sum / n);
    merge(block);
}

void Moments::merge(const Moments& later) noexcept {
    if (later.count == 0) return;
    if (count == 0) {
        *this = later;
        return;
    }
    const double n_a = static_cast<double>(count);
    const double n_b = static_cast<double>(later.count);
    const double n = n_a + n_b;
    const double delta = later.mean - mean;
    if (std::isfinite(delta)) {
        mean += delta * (n_b / n);
        m2 += later.m2 + delta * delta * (n_a * n_b / n);
    } else {
        // Means of opposite sign near the overflow limit: weight them instead of subtracting.
        mean = mean * (n_a / n) + later.mean * (n_b / n);
        m2 = std::numeric_limits<double>::infinity();
    }
    count += later.count;
    if (before_in_total_order(later.min, min)) min = later.min;
    if (before_in_total_order(max, later.max)) max = later.max;
}

double Moments::variance() const noexcept {
    if (count < 2) return std::numeric_limits<double>::quiet_NaN();
    return m2 / static_cast<double>(count - 1);
}

double Moments::sd() const noexcept { return std::sqrt(variance()); }

double Moments::standard_error() const noexcept {
    return sd() / std::sqrt(static_cast<double>(count));
}

ExceedanceCounts::ExceedanceCounts(std::vector<double> thresholds)
    : thresholds_(std::move(thresholds)), above_(thresholds_.size(), 0), below_(thresholds_.size(), 0) {
    for (const double t : thresholds_) {
        if (std::isnan(t)) throw std::invalid_argument("exceedance threshold is NaN");
    }
}

void ExceedanceCounts::add(std::span<const double> values) noexcept {
    count_ += values.size();
    for (std::size_t i = 0; i < thresholds_.size(); ++i) {
        const double t = thresholds_[i];
        std::uint64_t above = 0;
        std::uint64_t below = 0;
        for (const double x : values) {
            above += x > t ? 1U : 0U;
            below += x < t ? 1U : 0U;
        }
        above_[i] += above;
        below_[i] += below;
    }
}

void ExceedanceCounts::merge(const ExceedanceCounts& other) {
    if (other.thresholds_.size() != thresholds_.size()) {
        throw std::invalid_argument("merging exceedance counts of different thresholds");
    }
    for (std::size_t i = 0; i < thresholds_.size(); ++i) {
        // Bitwise comparison: thresholds come from the same list, so any difference is a caller bug.
        if (!(other.thresholds_[i] == thresholds_[i])) {
            throw std::invalid_argument("merging exceedance counts of different thresholds");
        }
        above_[i] += other.above_[i];
        below_[i] += other.below_[i];
    }
    count_ += other.count_;
}

}  // namespace impact::uncertainty
