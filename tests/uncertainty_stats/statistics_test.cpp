// Moments against a long-double two-pass reference, bit-identical across splits; exceedance counts against direct counting.
#include "draws.hpp"
#include "uncertainty/statistics.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>
#include <span>
#include <vector>

namespace {

using impact::test::Draws;
using impact::test::make_draws;
using impact::uncertainty::ExceedanceCounts;
using impact::uncertainty::Moments;

// The textbook two-pass formulas in long double (64-bit mantissa on x86-64): mean, then the sum of
// squared deviations, divided by N - 1 (numpy's ddof=1).
struct ReferenceMoments {
    long double mean = 0;
    long double variance = 0;
};

ReferenceMoments reference_moments(const std::vector<double>& x) {
    long double sum = 0;
    for (const double v : x) sum += v;
    const long double mean = sum / static_cast<long double>(x.size());
    long double squares = 0;
    for (const double v : x) squares += (v - mean) * (v - mean);
    return {mean, squares / static_cast<long double>(x.size() - 1)};
}

bool close_relative(double actual, long double expected, double tolerance) {
    return std::fabs(static_cast<long double>(actual) - expected) <= tolerance * std::fabs(expected);
}

// What the engine does: Moments of each fixed-size block, merged in block order.
Moments blockwise(const std::vector<double>& x, std::size_t block) {
    Moments total;
    for (std::size_t start = 0; start < x.size(); start += block) {
        Moments m;
        m.add(std::span(x).subspan(start, std::min(block, x.size() - start)));
        total.merge(m);
    }
    return total;
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

}  // namespace

TEST_CASE("mean and sd agree with a long-double two-pass reference to 1e-12", "[uncertainty][moments]") {
    for (const Draws kind : {Draws::uniform, Draws::normal, Draws::lognormal, Draws::bernoulli, Draws::late_shift}) {
        for (const std::size_t n : {std::size_t{2}, std::size_t{3}, std::size_t{4097}, std::size_t{1'000'000}}) {
            const std::vector<double> x = make_draws(kind, n, 3);
            const ReferenceMoments reference = reference_moments(x);
            const Moments m = blockwise(x, 4096);
            CAPTURE(impact::test::name(kind), n, m.mean, static_cast<double>(reference.mean), m.variance(),
                    static_cast<double>(reference.variance));
            CHECK(m.count == n);
            CHECK(close_relative(m.mean, reference.mean, 1e-12));
            if (reference.variance == 0) {
                CHECK(m.variance() == 0);
            } else {
                CHECK(close_relative(m.variance(), reference.variance, 1e-12));
            }
            CHECK(m.min == *std::min_element(x.begin(), x.end()));
            CHECK(m.max == *std::max_element(x.begin(), x.end()));
            CHECK(m.standard_error() == m.sd() / std::sqrt(static_cast<double>(n)));
        }
    }
}

TEST_CASE("a large offset does not cost the variance its digits", "[uncertainty][moments]") {
    // 1e9 + normal: a one-pass sum of squares would lose every digit here. Block means are rounded
    // to double (ulp(1e9) = 1.2e-7, i.e. 1.2e-7 sd), and the merge's between-block term inherits that
    // rounding, so the bound is 1e-7 relative, not the 1e-12 of well-centred data.
    std::vector<double> x = make_draws(Draws::normal, 100'000, 4);
    for (double& v : x) v += 1e9;
    const ReferenceMoments reference = reference_moments(x);
    const Moments m = blockwise(x, 4096);
    CAPTURE(m.variance(), static_cast<double>(reference.variance));
    CHECK(close_relative(m.variance(), reference.variance, 1e-7));
    CHECK(close_relative(m.mean, reference.mean, 1e-15));
}

TEST_CASE("moments are bit-identical whichever thread computed which block, merged in block order", "[uncertainty][moments]") {
    const std::vector<double> x = make_draws(Draws::lognormal, 300'000, 9);
    constexpr std::size_t block = 4096;
    const std::size_t blocks = (x.size() + block - 1) / block;
    const Moments sequential = blockwise(x, block);
    for (const unsigned threads : {2U, 3U, 8U}) {
        // Blocks computed in a shuffled order (as threads would finish them), then merged by index.
        std::vector<std::size_t> order(blocks);
        for (std::size_t i = 0; i < blocks; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), std::mt19937_64(threads));
        std::vector<Moments> per_block(blocks);
        for (const std::size_t b : order) {
            per_block[b].add(std::span(x).subspan(b * block, std::min(block, x.size() - b * block)));
        }
        Moments merged;
        for (const Moments& m : per_block) merged.merge(m);
        CAPTURE(threads);
        CHECK(merged.count == sequential.count);
        CHECK(bits(merged.mean) == bits(sequential.mean));
        CHECK(bits(merged.m2) == bits(sequential.m2));
        CHECK(bits(merged.min) == bits(sequential.min));
        CHECK(bits(merged.max) == bits(sequential.max));
    }
}

TEST_CASE("moments of one draw, two draws, equal draws and extreme magnitudes", "[uncertainty][moments]") {
    Moments one;
    one.add(std::vector<double>{3.5});
    CHECK(one.mean == 3.5);
    CHECK(std::isnan(one.variance()));  // numpy: var([3.5], ddof=1) is nan
    CHECK(std::isnan(one.standard_error()));

    Moments two;
    two.add(std::vector<double>{1.0, 3.0});
    CHECK(two.mean == 2.0);
    CHECK(two.variance() == 2.0);  // ((1-2)^2 + (3-2)^2) / 1

    Moments equal;
    equal.add(std::vector<double>(10'000, 0.1));
    CHECK(equal.variance() == 0.0);
    CHECK(equal.min == 0.1);
    CHECK(equal.max == 0.1);

    // Near the overflow limit the block sum overflows; the mean must not. It is then a sequential sum
    // of 4096 terms x / 4096, whose relative error is at most 4096 eps = 9.1e-13.
    Moments huge;
    huge.add(std::vector<double>(4096, 1.5e308));
    CHECK(huge.mean == Approx(1.5e308).epsilon(1e-12));
    CHECK(huge.max == 1.5e308);

    // -0.0 is the minimum and +0.0 the maximum in whichever order they come.
    for (const auto& values : {std::vector<double>{0.0, -0.0}, std::vector<double>{-0.0, 0.0}}) {
        Moments zeros;
        zeros.add(values);
        CHECK(std::signbit(zeros.min));
        CHECK(!std::signbit(zeros.max));
    }

    Moments empty;
    empty.merge(Moments{});
    CHECK(empty.count == 0);
}

TEST_CASE("min and max follow the total order in blocks of any size, zeros of either sign anywhere",
          "[uncertainty][moments]") {
    // Reference: std::sort with the IEEE 754 total order on finite values (-0.0 before +0.0), on
    // the same values; add() finds the extremes in eight lanes and fixes a zero's sign afterwards,
    // so the lane a zero falls in and the block size must not matter.
    std::mt19937_64 rng(20261129);
    std::uniform_real_distribution<double> positive(0.5, 2.0);
    const auto total_order = [](double a, double b) {
        return a < b || (a == b && std::signbit(a) && !std::signbit(b));
    };
    for (const std::size_t size : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{8}, std::size_t{9},
                                   std::size_t{17}, std::size_t{37}, std::size_t{4096}}) {
        for (int pattern = 0; pattern < 6; ++pattern) {
            // 0: positives only; 1: a +0.0; 2: a -0.0; 3: both; 4: negatives with a +0.0 as the
            // maximum; 5: negatives with a -0.0 and a +0.0.
            std::vector<double> values(size);
            for (double& v : values) v = pattern >= 4 ? -positive(rng) : positive(rng);
            std::uniform_int_distribution<std::size_t> place(0, size - 1);
            if (pattern == 1 || pattern == 3 || pattern >= 4) values[place(rng)] = 0.0;
            if (pattern == 2 || pattern == 3 || pattern == 5) values[place(rng)] = -0.0;
            Moments m;
            m.add(values);
            std::vector<double> sorted = values;
            std::sort(sorted.begin(), sorted.end(), total_order);
            INFO("size " << size << ", pattern " << pattern << ", expected min " << sorted.front() << " (sign "
                         << std::signbit(sorted.front()) << "), max " << sorted.back() << " (sign "
                         << std::signbit(sorted.back()) << ")");
            CHECK(std::bit_cast<std::uint64_t>(m.min) == std::bit_cast<std::uint64_t>(sorted.front()));
            CHECK(std::bit_cast<std::uint64_t>(m.max) == std::bit_cast<std::uint64_t>(sorted.back()));
        }
    }
}

TEST_CASE("exceedance counts equal direct counting, for any split", "[uncertainty][exceedance]") {
    const std::vector<double> x = make_draws(Draws::bernoulli, 10'001, 6);
    const std::vector<double> thresholds{-1.0, 0.0, 0.5, 1.0, 2.0};
    ExceedanceCounts whole(thresholds);
    whole.add(x);
    ExceedanceCounts first(thresholds);
    ExceedanceCounts second(thresholds);
    first.add(std::span(x).subspan(0, 3333));
    second.add(std::span(x).subspan(3333));
    second.merge(first);
    const auto ones = static_cast<std::uint64_t>(std::count(x.begin(), x.end(), 1.0));
    const std::uint64_t zeros = x.size() - ones;
    // Expected counts from the Bernoulli draws themselves: above -1 all, above 0 the ones, ...
    const std::uint64_t above[] = {x.size(), ones, ones, 0, 0};
    const std::uint64_t below[] = {0, 0, zeros, zeros, x.size()};
    for (std::size_t i = 0; i < thresholds.size(); ++i) {
        CAPTURE(thresholds[i], ones, zeros);
        CHECK(whole.above(i) == above[i]);
        CHECK(whole.below(i) == below[i]);
        CHECK(second.above(i) == above[i]);
        CHECK(second.below(i) == below[i]);
    }
    CHECK(second.count() == x.size());
    CHECK_THROWS_AS(second.merge(ExceedanceCounts({1.0})), std::invalid_argument);
    CHECK_THROWS_AS(ExceedanceCounts({std::nan("")}), std::invalid_argument);
}
