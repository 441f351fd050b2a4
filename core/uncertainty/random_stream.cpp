// Philox2x64-10 uniforms by counter, the normal quantile (Boost.Math in double) and the normal CDF.
#include "uncertainty/random_stream.hpp"

#include <Random123/philox.h>
#include <boost/math/distributions/normal.hpp>

#include <cmath>
#include <limits>

namespace impact::uncertainty {

namespace {

constexpr uint64_t fnv1a64_offset_basis = 0xcbf29ce484222325ULL;
constexpr uint64_t fnv1a64_prime = 0x100000001b3ULL;

constexpr double inv_sqrt2 = 0.707106781186547524400844362104849039;
// 1/sqrt 2 - inv_sqrt2: what the double constant leaves out.
constexpr double inv_sqrt2_tail = -4.833646656726457e-17;

// Boost.Math's normal quantile (-sqrt 2 erfc_inv(2u), rational approximations by region) kept in
// double: promoting to long double (Boost's default) costs 3.6x for nothing visible in the result.
// Measured against Acklam's approximation plus one Halley step on erf/erfc (commit a8db7c2; bench_uncertainty,
// bench/README.md): 19.6 against 31.3 ns per draw, worst relative errors 4.7e-16 against 3.9e-16
// over (1e-300, 1) against a 50-digit reference. Errors are returned, never thrown: (0, 1) maps
// inside the domain, and the ends are handled before the call.
using quantile_policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;
const boost::math::normal_distribution<double, quantile_policy> standard_normal;

// (2 k + 1) 2^-53 with k the top 52 bits of a Philox word. 2k + 1 < 2^53 fits a signed 64-bit
// integer, whose conversion to double is one instruction and exact; the product by a power of two
// is exact too.
inline double odd_grid_uniform(uint64_t word) noexcept {
    const auto odd = static_cast<int64_t>(((word >> 12) << 1) | 1U);
    return static_cast<double>(odd) * 0x1p-53;
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
    for (double& value : out)
        value = inverse_normal_cdf(value);
}

double inverse_normal_cdf(double u) noexcept {
    if (std::isnan(u))
        return u;
    if (u <= 0.0)
        return -std::numeric_limits<double>::infinity();
    if (u >= 1.0)
        return std::numeric_limits<double>::infinity();
    return boost::math::quantile(standard_normal, u);
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
