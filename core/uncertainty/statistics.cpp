// Moments by blockwise two-pass sums and Chan et al.'s pairwise merge; exceedance counting.
#include "uncertainty/statistics.hpp"

#include <algorithm>
#include <cmath>
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

void Moments::add(std::span<const double> values) noexcept {
    if (values.empty()) return;
    const double n = static_cast<double>(values.size());
    double sum = 0;
    for (const double x : values) sum += x;
    double block_mean = sum / n;
    if (!std::isfinite(block_mean)) {
        // The plain sum overflowed (values near 1e308): average term by term, each term scaled first.
        block_mean = 0;
        for (const double x : values) block_mean += x / n;
    }
    // Second pass: squared deviations, plus the sum of the deviations themselves, which is zero in
    // exact arithmetic and corrects the rounding of the mean (Chan, Golub and LeVeque's corrected
    // two-pass algorithm).
    double squares = 0;
    double deviations = 0;
    Moments block;
    block.count = values.size();
    for (const double x : values) {
        const double d = x - block_mean;
        squares += d * d;
        deviations += d;
        if (before_in_total_order(x, block.min)) block.min = x;
        if (before_in_total_order(block.max, x)) block.max = x;
    }
    block.mean = block_mean;
    block.m2 = std::max(0.0, squares - deviations * deviations / n);
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
