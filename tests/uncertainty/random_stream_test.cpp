// Random streams: Philox known answers, the bit recipe, block independence, statistical checks, the normal quantile.
#include "uncertainty/random_stream.hpp"

#include <Random123/philox.h>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <boost/multiprecision/cpp_bin_float.hpp>
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <numeric>
#include <vector>

using namespace impact::uncertainty;

namespace {

constexpr std::size_t million = 1'000'000;

std::vector<double> draw_uniforms(uint64_t seed, uint64_t stream, uint64_t first, std::size_t count) {
    std::vector<double> out(count);
    uniforms(seed, stream, first, out);
    return out;
}

}  // namespace

TEST_CASE("stream ids are FNV-1a 64 of the name", "[uncertainty][random]") {
    // Reference values: the FNV test vectors of Fowler, Noll and Vo (isthe.com/chongo/tech/comp/fnv,
    // test_fnv.c: FNV-1a 64 of "", "a", "foobar").
    CHECK(stream_id("") == 0xcbf29ce484222325ULL);
    CHECK(stream_id("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(stream_id("foobar") == 0x85944171f73967e8ULL);
    CHECK(stream_id("sales.growth") != stream_id("sales.margin"));
}

TEST_CASE("the Philox2x64-10 underneath matches Random123's known answers", "[uncertainty][random]") {
    // Reference values: Random123's examples/kat_vectors, lines "philox2x64 10 ...".
    struct Case {
        uint64_t c0, c1, key, w0, w1;
    };
    const Case cases[] = {
        {0, 0, 0, 0xca00a0459843d731ULL, 0x66c24222c9a845b5ULL},
        {~0ULL, ~0ULL, ~0ULL, 0x65b021d60cd8310fULL, 0x4d02f3222f86df20ULL},
        {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x0a5e742c2997341cULL,
         0xb0f883d38000de5dULL},
    };
    for (const Case& c : cases) {
        CAPTURE(c.c0, c.c1, c.key);
        const philox2x64_ctr_t out = philox2x64_R(10, philox2x64_ctr_t{{c.c0, c.c1}}, philox2x64_key_t{{c.key}});
        CHECK(out.v[0] == c.w0);
        CHECK(out.v[1] == c.w1);
        // The documented recipe: draws 2 c0 and 2 c0 + 1 of stream c1 under seed key are
        // (2 (w0 >> 12) + 1) 2^-53 and (2 (w1 >> 12) + 1) 2^-53. A counter word c0 above 2^63 - 1
        // is the pair of no 64-bit draw index, so that vector checks Philox alone.
        if (c.c0 > (~0ULL >> 1))
            continue;
        const uint64_t even_draw = 2 * c.c0;
        CAPTURE(even_draw);
        double pair[2] = {0, 0};
        uniforms(c.key, c.c1, even_draw, std::span<double>(pair, 2));
        CHECK(pair[0] == std::ldexp(static_cast<double>(2 * (c.w0 >> 12) + 1), -53));
        CHECK(pair[1] == std::ldexp(static_cast<double>(2 * (c.w1 >> 12) + 1), -53));
        // Each draw alone, the odd one starting a call of its own, gives the same bits.
        double alone = 0;
        uniforms(c.key, c.c1, even_draw + 1, std::span<double>(&alone, 1));
        CHECK(alone == pair[1]);
        uniforms(c.key, c.c1, even_draw, std::span<double>(&alone, 1));
        CHECK(alone == pair[0]);
    }
}

TEST_CASE("the recipe takes word 1 of counter (i >> 1) for odd i, up to the last draw index", "[uncertainty][random]") {
    // Reference: Random123's philox2x64_R itself (checked against its known answers above), applied
    // by hand to the documented recipe at draw indices around 2^63 and at the largest index.
    const uint64_t seed = 0x0123456789abcdefULL, stream = stream_id("recipe.check");
    const uint64_t draws[] = {1, 2, 3, 4095, 4096, (1ULL << 63) - 1, 1ULL << 63, (1ULL << 63) + 1, ~0ULL - 1, ~0ULL};
    for (const uint64_t draw : draws) {
        const philox2x64_ctr_t words =
            philox2x64_R(10, philox2x64_ctr_t{{draw >> 1, stream}}, philox2x64_key_t{{seed}});
        const uint64_t word = (draw & 1U) != 0 ? words.v[1] : words.v[0];
        double u = 0;
        uniforms(seed, stream, draw, std::span<double>(&u, 1));
        CAPTURE(draw, word, u);
        CHECK(u == std::ldexp(static_cast<double>(2 * (word >> 12) + 1), -53));
    }
}

TEST_CASE("draws 0 to n in one call equal the draws of calls split at odd and even offsets", "[uncertainty][random]") {
    const uint64_t seed = 99, stream = stream_id("split.offsets");
    constexpr std::size_t n = 1001;  // odd, so that a whole-range call ends on an even draw alone
    const auto whole = draw_uniforms(seed, stream, 0, n);
    // Every split point from 0 to n, odd and even, into two calls; and three calls of odd lengths.
    for (std::size_t split = 0; split <= n; ++split) {
        std::vector<double> parts(n);
        uniforms(seed, stream, 0, std::span<double>(parts).first(split));
        uniforms(seed, stream, split, std::span<double>(parts).subspan(split));
        if (parts != whole) {
            CAPTURE(split);
            FAIL("a split at this offset changed a draw");
        }
    }
    for (const std::size_t first : {0U, 1U, 2U, 7U, 500U, 999U})
        for (const std::size_t length : {0U, 1U, 2U, 3U, 5U, 64U}) {
            const std::size_t count = std::min(length, n - first);
            const auto part = draw_uniforms(seed, stream, first, count);
            for (std::size_t k = 0; k < count; ++k)
                if (part[k] != whole[first + k]) {
                    CAPTURE(first, length, k);
                    FAIL("a call of this start and length changed a draw");
                }
        }
}

TEST_CASE("uniforms lie strictly inside (0, 1) on the odd multiples of 2^-53", "[uncertainty][random]") {
    const auto u = draw_uniforms(42, stream_id("step.input"), 0, 100'000);
    for (std::size_t i = 0; i < u.size(); ++i) {
        const double scaled = std::ldexp(u[i], 53);
        if (!(u[i] > 0.0 && u[i] < 1.0 && scaled == std::floor(scaled) && std::fmod(scaled, 2.0) == 1.0)) {
            CAPTURE(i, u[i]);
            FAIL("uniform off the grid or outside (0, 1)");
        }
    }
}

TEST_CASE("a draw depends only on (seed, stream, index), not on how the run is split", "[uncertainty][random]") {
    const uint64_t seed = 20261122, stream = stream_id("revenue.share");
    const auto whole = draw_uniforms(seed, stream, 0, 10'000);
    // Draw 5 from a call starting at 0 equals draw 5 from a call starting at 5.
    CHECK(draw_uniforms(seed, stream, 5, 1)[0] == whole[5]);
    for (const std::size_t block : {1U, 3U, 64U, 1000U, 4096U}) {
        for (std::size_t first = 0; first < whole.size(); first += block) {
            const std::size_t count = std::min(block, whole.size() - first);
            const auto part = draw_uniforms(seed, stream, first, count);
            for (std::size_t k = 0; k < count; ++k)
                if (part[k] != whole[first + k]) {
                    CAPTURE(block, first, k);
                    FAIL("block split changed a draw");
                }
        }
    }
    std::vector<double> normals(10'000), split(10'000);
    standard_normals(seed, stream, 0, normals);
    standard_normals(seed, stream, 0, std::span<double>(split).first(777));
    standard_normals(seed, stream, 777, std::span<double>(split).subspan(777));
    CHECK(normals == split);
}

TEST_CASE("different streams, seeds and draws give different uniforms", "[uncertainty][random]") {
    const auto a = draw_uniforms(1, stream_id("a.x"), 0, 1000);
    const auto b = draw_uniforms(1, stream_id("a.y"), 0, 1000);
    const auto c = draw_uniforms(2, stream_id("a.x"), 0, 1000);
    std::size_t equal_streams = 0, equal_seeds = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        equal_streams += a[i] == b[i];
        equal_seeds += a[i] == c[i];
    }
    // Two independent 52-bit draws coincide with probability 2^-52: any equality means a broken key.
    CHECK(equal_streams == 0);
    CHECK(equal_seeds == 0);
    std::vector<double> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    // Stream and draw index are not interchangeable (counter words are distinct).
    CHECK(draw_uniforms(1, 7, 3, 1)[0] != draw_uniforms(1, 3, 7, 1)[0]);
}

TEST_CASE("a million uniforms pass chi-square, mean and serial-correlation checks", "[uncertainty][random]") {
    const auto u = draw_uniforms(12345, stream_id("market.cap"), 0, million);
    const double n = static_cast<double>(u.size());

    // Chi-square on 1,000 equal bins: 999 degrees of freedom; accepted between the 1e-6 and
    // 1 - 1e-6 quantiles of that distribution (Boost.Math), so a correct generator fails once in
    // 500,000 runs, and the test is deterministic for this seed.
    constexpr std::size_t bins = 1000;
    std::vector<double> counts(bins, 0.0);
    for (const double x : u)
        counts[std::min(static_cast<std::size_t>(x * bins), bins - 1)] += 1.0;
    const double expected = n / bins;
    double chi2 = 0.0;
    for (const double count : counts)
        chi2 += (count - expected) * (count - expected) / expected;
    const boost::math::chi_squared chi2_999(bins - 1);
    const double chi2_low = boost::math::quantile(chi2_999, 1e-6);
    const double chi2_high = boost::math::quantile(boost::math::complement(chi2_999, 1e-6));
    CAPTURE(chi2, chi2_low, chi2_high);
    CHECK(chi2 > chi2_low);
    CHECK(chi2 < chi2_high);

    // Mean 1/2, standard error sqrt(1/12 / n); 5 standard errors.
    const double mean = std::accumulate(u.begin(), u.end(), 0.0) / n;
    const double mean_tolerance = 5.0 * std::sqrt(1.0 / 12.0 / n);
    CAPTURE(mean, mean_tolerance);
    CHECK(std::fabs(mean - 0.5) < mean_tolerance);

    // Lag-1 serial correlation of consecutive draws: 0, standard error 1/sqrt(n); 5 standard errors.
    double covariance = 0.0, variance = 0.0;
    for (std::size_t i = 0; i + 1 < u.size(); ++i)
        covariance += (u[i] - 0.5) * (u[i + 1] - 0.5);
    for (const double x : u)
        variance += (x - 0.5) * (x - 0.5);
    const double lag1 = covariance / variance;
    CAPTURE(lag1);
    CHECK(std::fabs(lag1) < 5.0 / std::sqrt(n));

    // Correlation between two streams of the same seed: 0, same standard error.
    const auto v = draw_uniforms(12345, stream_id("market.share"), 0, million);
    double cross = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i)
        cross += (u[i] - 0.5) * (v[i] - 0.5);
    const double cross_correlation = cross / variance;
    CAPTURE(cross_correlation);
    CHECK(std::fabs(cross_correlation) < 5.0 / std::sqrt(n));
}

TEST_CASE("inverse_normal_cdf agrees with Boost.Math's normal quantile to 1e-14 relative", "[uncertainty][normal]") {
    // Reference: boost::math::quantile(normal), computed in long double (Boost's default policy).
    const boost::math::normal standard;
    std::vector<double> points;
    for (double exponent = -300.0; exponent <= -0.31; exponent += 0.0173) {
        points.push_back(std::pow(10.0, exponent));
        const double near_one = 1.0 - std::pow(10.0, exponent);
        if (near_one < 1.0 && 1.0 - near_one >= 1e-16)
            points.push_back(near_one);
    }
    for (int i = 1; i < 20000; ++i)
        points.push_back(i / 20000.0);
    for (double offset = 1e-300; offset < 0.1; offset *= 3.7) {
        points.push_back(0.5 + offset);
        points.push_back(0.5 - offset);
    }
    for (const double edge : {0.02425, 1 - 0.02425, 0.075, 0.925, std::exp(-25.0), 1 - std::exp(-25.0), 0.5, 1e-300,
                              1 - 1e-16, 0x1p-53, 1 - 0x1p-53})
        points.push_back(edge);
    double worst = 0.0;
    for (const double u : points) {
        const double expected = boost::math::quantile(standard, u);
        const double actual = inverse_normal_cdf(u);
        const double error = expected == 0.0 ? std::fabs(actual) : std::fabs(actual - expected) / std::fabs(expected);
        worst = std::max(worst, error);
        if (!(error <= 1e-14)) {
            INFO(std::setprecision(17) << "u " << u << ", inverse_normal_cdf " << actual << ", Boost " << expected
                                       << ", error " << error);
            FAIL("inverse_normal_cdf is off");
        }
    }
    INFO("worst relative error " << worst << " over " << points.size() << " points");
    CHECK(worst <= 1e-14);
}

TEST_CASE("inverse_normal_cdf is monotone, symmetric, and inverted by normal_cdf", "[uncertainty][normal]") {
    // Between adjacent doubles u the result may step back by its own rounding error (a few ulps of
    // x: no approximation short of correct rounding avoids that); checked around points where
    // rational approximations of the quantile commonly switch region (AS 241's are |u - 0.5| = 0.425
    // and min(u, 1 - u) = exp(-25)), with a bound of 4 ulps.
    for (const double centre : {0.075, 0.925, std::exp(-25.0), 1 - std::exp(-25.0), 0.02425, 1 - 0.02425, 0.5, 0.25,
                                0.75, 0.5 * std::exp(-9.0), 1 - 0.5 * std::exp(-9.0)}) {
        double previous = -std::numeric_limits<double>::infinity();
        double u = centre - 1e-12;
        for (int i = 0; i < 20000; ++i, u = std::nextafter(u, 1.0)) {
            const double x = inverse_normal_cdf(u);
            const double slack = 4.0 * (std::nextafter(std::fabs(x), 1e300) - std::fabs(x));
            if (!(x >= previous - slack)) {
                INFO(std::setprecision(17) << "u " << u << ", x " << x << ", largest before " << previous);
                FAIL("steps back by more than 4 ulps");
            }
            previous = std::max(previous, x);
        }
    }
    // Strictly increasing on a grid much coarser than the rounding error.
    double previous = -std::numeric_limits<double>::infinity();
    for (int i = 1; i < 1'000'000; ++i) {
        const double u = i / 1e6, x = inverse_normal_cdf(u);
        if (!(x > previous)) {
            CAPTURE(u, x, previous);
            FAIL("not increasing");
        }
        previous = x;
        // 1 - u is exact on this grid only where Sterbenz applies; check symmetry for u >= 0.5.
        if (u >= 0.5 && inverse_normal_cdf(1.0 - u) != -x) {
            CAPTURE(u, x, inverse_normal_cdf(1.0 - u));
            FAIL("not symmetric");
        }
    }
    // Round trip in the lower tail, where Phi has full relative precision. Phi's condition number
    // there is x^2 (d ln Phi / d ln x ~ x^2), so a few ulps of x become (2 + x^2) times as many
    // relative ulps of Phi: about 3e-13 at u = 1e-300 (x = -37). Absolute near 1.
    for (double u = 1e-300; u < 0.5; u *= 1.9) {
        const double x = inverse_normal_cdf(u);
        const double relative_error = std::fabs(normal_cdf(x) - u) / u;
        const double tolerance = 1e-15 * (2.0 + x * x);
        INFO(std::setprecision(17) << "u " << u << ", x " << x << ", relative error " << relative_error
                                   << ", tolerance " << tolerance);
        CHECK(relative_error <= tolerance);
    }
    for (double u = 0.5; u < 1.0; u += 0.0137) {
        CAPTURE(u);
        CHECK(std::fabs(normal_cdf(inverse_normal_cdf(u)) - u) <= 1e-15);
    }
    CHECK(inverse_normal_cdf(0.0) == -std::numeric_limits<double>::infinity());
    CHECK(inverse_normal_cdf(1.0) == std::numeric_limits<double>::infinity());
    CHECK(std::isnan(inverse_normal_cdf(std::numeric_limits<double>::quiet_NaN())));
    CHECK(inverse_normal_cdf(0.5) == 0.0);
    CHECK(normal_cdf(-std::numeric_limits<double>::infinity()) == 0.0);
    CHECK(normal_cdf(std::numeric_limits<double>::infinity()) == 1.0);
    CHECK(normal_cdf(-45.0) == 0.0);
}

namespace {

using big_float = boost::multiprecision::cpp_bin_float_50;

// Phi(z) in 50 decimal digits (Boost.Multiprecision, software arithmetic: independent of the x87
// unit, which some x86 environments run at double precision).
double reference_normal_cdf(double z) {
    return static_cast<double>(boost::math::erfc(-big_float(z) / boost::multiprecision::sqrt(big_float(2))) / 2);
}

}  // namespace

TEST_CASE("normal_cdf and inverse_normal_cdf agree with 50-digit references to a few ulps", "[uncertainty][normal]") {
    // Phi within 1e-15 relative (under 5 ulps) from z = -37.5 (Phi ~ 5e-308) up to 0, and absolute
    // above.
    for (double z = -37.5; z <= 8.0; z += 0.173) {
        const double expected = reference_normal_cdf(z), actual = normal_cdf(z);
        const double error = z < 0 ? std::fabs(actual - expected) / expected : std::fabs(actual - expected);
        INFO(std::setprecision(17) << "z " << z << ", normal_cdf " << actual << ", reference " << expected
                                   << ", error " << error);
        CHECK(error <= 1e-15);
    }
    // Phi^-1 within the 9e-16 relative of random_stream.hpp: the 50-digit quantile, solved by Newton
    // on the 50-digit Phi, down to 1e-300 and up to 1 - 1e-16, including the points where AS 241
    // measured its largest errors (the test below).
    std::vector<double> points;
    for (double u = 1e-300; u < 1.0; u = u < 0.01 ? u * 1e7 : u + 0.0491)
        points.push_back(u);
    for (int k = 2; k <= 16; ++k)
        points.push_back(1.0 - std::pow(10.0, -k));
    for (const double u : {0.32697512189220757, 0.34242831596094747, 0.01271000549971657, 0.99999991052054094,
                           1.6495798134193608e-10, 1.0932068895079491e-175, 6.7243451966307404e-188})
        points.push_back(u);
    for (const double u : points) {
        big_float x = inverse_normal_cdf(u);  // start close; Newton doubles the digits per step
        const big_float target = u;
        for (int step = 0; step < 4; ++step) {
            const big_float cdf = boost::math::erfc(-x / boost::multiprecision::sqrt(big_float(2))) / 2;
            const big_float density =
                boost::multiprecision::exp(-x * x / 2) / boost::multiprecision::sqrt(2 * boost::math::constants::pi<big_float>());
            x -= (cdf - target) / density;
        }
        const double expected = static_cast<double>(x), actual = inverse_normal_cdf(u);
        const double error = std::fabs(actual - expected) / std::fabs(expected);
        INFO(std::setprecision(17) << "u " << u << ", inverse_normal_cdf " << actual << ", reference " << expected
                                   << ", error " << error);
        CHECK(error <= 9e-16);
    }
}

TEST_CASE("inverse_normal_cdf is within 9e-16 relative on a dense grid over (1e-300, 1 - 1e-16)",
          "[uncertainty][normal]") {
    // Reference: Boost.Math's normal quantile in long double (64-bit significand), which agrees with
    // the 50-digit quantile above to within 2e-19 relative at the points checked there, 4,000 times
    // finer than the tolerance. The tolerance is the measured bound of random_stream.hpp: worst
    // 8.6e-16 over 3 x 10^8 points (this grid with 10^8 steps, in the central region and in the
    // first tail region of AS 241).
    const boost::math::normal_distribution<long double> standard;
    double worst = 0.0, worst_u = 0.0;
    const auto check = [&](double u) {
        const long double expected = boost::math::quantile(standard, static_cast<long double>(u));
        const double actual = inverse_normal_cdf(u);
        const double error = static_cast<double>(
            expected == 0.0L ? std::fabs(static_cast<long double>(actual))
                             : std::fabs(static_cast<long double>(actual) - expected) / std::fabs(expected));
        if (error > worst) {
            worst = error;
            worst_u = u;
        }
    };
    constexpr int steps = 300'000;
    for (int i = 1; i < steps; ++i)
        check(static_cast<double>(i) / steps);
    for (int i = 0; i <= steps; ++i) {
        const double u = std::pow(10.0, -300.0 + 299.0 * i / steps);
        check(u);
        if (1.0 - u < 1.0 && u >= 1e-16)
            check(1.0 - u);
    }
    INFO(std::setprecision(17) << "worst relative error " << worst << " at u " << worst_u);
    CHECK(worst <= 9e-16);
}

TEST_CASE("the block inverse_normal_cdf gives the scalar bits for every u, whatever the split", "[uncertainty][normal]") {
    // Bits compared, so that NaN, infinities and signed zeros count too.
    const auto bits = [](double x) { return std::bit_cast<uint64_t>(x); };
    std::vector<double> u = draw_uniforms(5, stream_id("block.normal"), 0, 100'000);
    for (double e = -300.0; e < -0.3; e += 0.01) {
        u.push_back(std::pow(10.0, e));
        u.push_back(1.0 - std::pow(10.0, e));
    }
    for (const double edge : {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 0.075, 0.925, std::nextafter(0.075, 0.0),
                              std::nextafter(0.925, 1.0), std::exp(-25.0), 0x1p-53, 1 - 0x1p-53, 4.9e-324, 1e-310,
                              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN()})
        u.push_back(edge);
    std::vector<double> whole(u.size());
    inverse_normal_cdf(u, whole);
    for (std::size_t i = 0; i < u.size(); ++i)
        if (bits(whole[i]) != bits(inverse_normal_cdf(u[i]))) {
            INFO(std::setprecision(17) << "u " << u[i] << ", block " << whole[i] << ", scalar " << inverse_normal_cdf(u[i]));
            FAIL("the block quantile differs from the scalar one");
        }
    // Split at odd offsets, and in place (z is u itself).
    std::vector<double> parts(u.size());
    for (std::size_t first = 0; first < u.size(); first += 777) {
        const std::size_t count = std::min<std::size_t>(777, u.size() - first);
        inverse_normal_cdf(std::span<const double>(u).subspan(first, count), std::span<double>(parts).subspan(first, count));
    }
    std::vector<double> in_place = u;
    inverse_normal_cdf(in_place, in_place);
    for (std::size_t i = 0; i < u.size(); ++i)
        if (bits(parts[i]) != bits(whole[i]) || bits(in_place[i]) != bits(whole[i])) {
            INFO(std::setprecision(17) << "u " << u[i] << ", whole " << whole[i] << ", split " << parts[i]
                                       << ", in place " << in_place[i]);
            FAIL("a split or an in-place call changed a normal");
        }
}

TEST_CASE("standard normals are the quantiles of the same uniforms, with mean 0 and variance 1",
          "[uncertainty][normal]") {
    const uint64_t seed = 7, stream = stream_id("cost.overrun");
    std::vector<double> z(million);
    standard_normals(seed, stream, 0, z);
    const auto u = draw_uniforms(seed, stream, 0, million);
    for (std::size_t i = 0; i < z.size(); i += 997)
        REQUIRE(z[i] == inverse_normal_cdf(u[i]));
    const double n = static_cast<double>(z.size());
    const double mean = std::accumulate(z.begin(), z.end(), 0.0) / n;
    double squares = 0.0;
    for (const double x : z)
        squares += (x - mean) * (x - mean);
    const double variance = squares / (n - 1.0);
    // Standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the variance of a normal; 5 of each.
    CAPTURE(mean, variance);
    CHECK(std::fabs(mean) < 5.0 / std::sqrt(n));
    CHECK(std::fabs(variance - 1.0) < 5.0 * std::sqrt(2.0 / n));
}
