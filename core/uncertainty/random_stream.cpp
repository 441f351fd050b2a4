// Philox2x64-10 uniforms by counter, the normal quantile (Wichura's AS 241) and the normal CDF.
#include "uncertainty/random_stream.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace impact::uncertainty {

namespace {

constexpr uint64_t fnv1a64_offset_basis = 0xcbf29ce484222325ULL;
constexpr uint64_t fnv1a64_prime = 0x100000001b3ULL;

constexpr double inv_sqrt2 = 0.707106781186547524400844362104849039;
// 1/sqrt 2 - inv_sqrt2: what the double constant leaves out.
constexpr double inv_sqrt2_tail = -4.833646656726457e-17;
constexpr double inv_sqrt_2pi = 0.398942280401432677939946059934381868;

// (2 k + 1) 2^-53 with k the top 52 bits of a Philox word. 2k + 1 < 2^53 fits a signed 64-bit
// integer, whose conversion to double is one instruction and exact; the product by a power of two
// is exact too.
inline double odd_grid_uniform(uint64_t word) noexcept {
    const auto odd = static_cast<int64_t>(((word >> 12) << 1) | 1U);
    return static_cast<double>(odd) * 0x1p-53;
}

// Phi^-1 by M. J. Wichura, "Algorithm AS 241: The Percentage Points of the Normal Distribution",
// Applied Statistics 37(3), 1988, 477-484: PPND16, rational functions of degree 7/7 whose
// coefficients below are the paper's, in three regions. Chosen over Boost.Math's erfc_inv (about
// 20 ns per draw) because its central region, 85 % of draws, is one branch-free rational function
// that g++ vectorises with SSE2 in the block version; the accuracy is measured in
// random_stream_test.cpp (worst relative error in random_stream.hpp).
constexpr double central_split = 0.425;  // |u - 0.5| <= 0.425: q = u - 0.5, r = 0.180625 - q^2
constexpr double central_r0 = 0.180625;  // 0.425^2
constexpr double tail_split = 5.0;       // s = sqrt(-ln min(u, 1 - u)): 1.6 <= s <= 5, then s > 5
constexpr double tail_s0 = 1.6;

// x = q A(r) / B(r), Horner from the highest power, in the paper's order.
inline double central_quantile(double q) noexcept {
    const double r = central_r0 - q * q;
    const double numerator =
        (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
             4.5921953931549871457e+4) * r + 1.3731693765509461125e+4) * r + 1.9715909503065514427e+3) * r +
          1.3314166789178437745e+2) * r + 3.3871328727963666080e+0);
    const double denominator =
        (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
             2.1213794301586595867e+4) * r + 5.3941960214247511077e+3) * r + 6.8718700749205790830e+2) * r +
          4.2313330701600911252e+1) * r + 1.0);
    return q * numerator / denominator;
}

// |x| for a tail probability p = min(u, 1 - u) < 0.075, exact in double (1 - u is exact for
// u >= 0.5): C(t) / D(t) with t = s - 1.6 up to s = 5 (p >= 1.4e-11), E(t) / F(t) with t = s - 5 beyond.
inline double tail_magnitude(double p) noexcept {
    const double s = std::sqrt(-std::log(p));
    if (s <= tail_split) {
        const double t = s - tail_s0;
        const double numerator =
            (((((((7.74545014278341407640e-4 * t + 2.27238449892691845833e-2) * t + 2.41780725177450611770e-1) * t +
                 1.27045825245236838258e+0) * t + 3.64784832476320460504e+0) * t + 5.76949722146069140550e+0) * t +
              4.63033784615654529590e+0) * t + 1.42343711074968357734e+0);
        const double denominator =
            (((((((1.05075007164441684324e-9 * t + 5.47593808499534494600e-4) * t + 1.51986665636164571966e-2) * t +
                 1.48103976427480074590e-1) * t + 6.89767334985100004550e-1) * t + 1.67638483018380384940e+0) * t +
              2.05319162663775882187e+0) * t + 1.0);
        return numerator / denominator;
    }
    // Beyond s = 5 (p < 1.4e-11, about 3 draws in 10^11) AS 241 alone measured up to 1.06e-15
    // relative (random_stream_test.cpp), so one Newton step on Phi follows, below.
    const double t = s - tail_split;
    const double numerator =
        (((((((2.01033439929228813265e-7 * t + 2.71155556874348757815e-5) * t + 1.24266094738807843860e-3) * t +
             2.65321895265761230930e-2) * t + 2.96560571828504891230e-1) * t + 1.78482653991729133580e+0) * t +
          5.46378491116411436990e+0) * t + 6.65790464350110377720e+0);
    const double denominator =
        (((((((2.04426310338993978564e-15 * t + 1.42151175831644588870e-7) * t + 1.84631831751005468180e-5) * t +
             7.86869131145613259100e-4) * t + 1.48753612908506148525e-2) * t + 1.36929880922735805310e-1) * t +
          5.99832206555887937690e-1) * t + 1.0);
    // Newton on Phi(x) = p at x = -|x|: normal_cdf keeps full relative precision this far down
    // (within 1e-15), and its error moves x by only that over x^2 (x^2 > 50 here), so the step
    // leaves little beyond the final rounding. The density is a normal double down to p = 1e-300
    // and positive down to the smallest subnormal p; the step is skipped if it ever underflows.
    const double x = -(numerator / denominator);
    const double density = inv_sqrt_2pi * std::exp(-0.5 * x * x);
    if (!(density > 0.0))
        return -x;
    return -(x - (normal_cdf(x) - p) / density);
}

}  // namespace

uint64_t stream_id(std::string_view step_dot_input) noexcept {
    uint64_t hash = fnv1a64_offset_basis;
    for (const char c : step_dot_input) {
        hash ^= static_cast<unsigned char>(c);
        hash *= fnv1a64_prime;
    }
    return hash;
}

void uniforms(uint64_t seed, uint64_t stream, uint64_t first_draw, std::span<double> out) noexcept {
    const philox2x64_key_t key = {{seed}};
    const std::size_t count = out.size();
    double* const values = out.data();
    if (count == 0)
        return;
    // Draws 2j and 2j + 1 are words 0 and 1 of counter {j, stream}: an odd first draw takes word 1
    // of its pair alone, whole pairs follow, and an even last draw takes word 0 of its pair alone.
    uint64_t pair = first_draw >> 1;
    std::size_t i = 0;
    if ((first_draw & 1U) != 0) {
        values[0] = odd_grid_uniform(philox2x64_R(10, philox2x64_ctr_t{{pair, stream}}, key).v[1]);
        ++pair;
        i = 1;
    }
    for (; i + 2 <= count; i += 2, ++pair) {
        const philox2x64_ctr_t bits = philox2x64_R(10, philox2x64_ctr_t{{pair, stream}}, key);
        values[i] = odd_grid_uniform(bits.v[0]);
        values[i + 1] = odd_grid_uniform(bits.v[1]);
    }
    if (i < count)
        values[i] = odd_grid_uniform(philox2x64_R(10, philox2x64_ctr_t{{pair, stream}}, key).v[0]);
}

void standard_normals(uint64_t seed, uint64_t stream, uint64_t first_draw, std::span<double> out) noexcept {
    uniforms(seed, stream, first_draw, out);
    inverse_normal_cdf(out, out);
}

double inverse_normal_cdf(double u) noexcept {
    const double q = u - 0.5;
    if (std::fabs(q) <= central_split)
        return central_quantile(q);
    if (std::isnan(u))
        return u;
    if (u <= 0.0)
        return -std::numeric_limits<double>::infinity();
    if (u >= 1.0)
        return std::numeric_limits<double>::infinity();
    return q < 0.0 ? -tail_magnitude(u) : tail_magnitude(1.0 - u);
}

void inverse_normal_cdf(std::span<const double> u, std::span<double> z) noexcept {
    // By chunks that stay in L1, through a local buffer so that z may be u itself. First the
    // central rational function for every lane, branch-free so that g++ -O3 vectorises it (lanes
    // outside the central region compute a harmless finite or NaN value there); then the lanes
    // outside it, about 15 % of uniform draws, again through the scalar function. The central
    // lanes run exactly the scalar function's operations, so any split gives the same bits.
    constexpr std::size_t chunk = 512;
    double buffer[chunk];
    const std::size_t count = std::min(u.size(), z.size());
    for (std::size_t start = 0; start < count; start += chunk) {
        const std::size_t n = std::min(chunk, count - start);
        const double* const in = u.data() + start;
        for (std::size_t j = 0; j < n; ++j)
            buffer[j] = central_quantile(in[j] - 0.5);
        for (std::size_t j = 0; j < n; ++j)
            if (!(std::fabs(in[j] - 0.5) <= central_split))
                buffer[j] = inverse_normal_cdf(in[j]);
        std::copy_n(buffer, n, z.data() + start);
    }
}

double normal_cdf(double z) noexcept {
    const double t = -z * inv_sqrt2;
    // erfc(t) has condition number about 2 t^2, so the rounding of t alone would cost about z^2
    // ulps (3e-13 relative at z = -37). Below z = -3 (0.13 % of draws) the rounding error delta of
    // t is recovered exactly (Dekker's product by Veltkamp splitting, no FMA needed) and applied to
    // first order, erfc(t + delta) = erfc(t) (1 - 2 t delta), which keeps Phi within a few ulps.
    // (Not long double: on some x86 environments the x87 unit runs at double precision.)
    if (z < -3.0 && z > -40.0) {  // below -40, Phi underflows to 0 anyway (and -inf must not reach the split)
        const double minus_z = -z;
        const auto split = [](double value, double& high, double& low) {
            const double scaled = value * 134217729.0;  // 2^27 + 1
            high = scaled - (scaled - value);
            low = value - high;
        };
        double z_high = 0, z_low = 0, c_high = 0, c_low = 0;
        split(minus_z, z_high, z_low);
        split(inv_sqrt2, c_high, c_low);
        const double product_error =
            ((z_high * c_high - t) + z_high * c_low + z_low * c_high) + z_low * c_low;
        const double delta = product_error + minus_z * inv_sqrt2_tail;
        return 0.5 * std::erfc(t) * (1.0 - 2.0 * t * delta);
    }
    return 0.5 * std::erfc(t);
}

}  // namespace impact::uncertainty
