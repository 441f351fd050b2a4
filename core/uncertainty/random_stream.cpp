// Philox2x64-10 uniforms by counter, the normal quantile (Acklam + one Halley step) and the normal CDF.
#include "uncertainty/random_stream.hpp"

#include <Random123/philox.h>

#include <cmath>
#include <limits>

namespace impact::uncertainty {

namespace {

constexpr uint64_t fnv1a64_offset_basis = 0xcbf29ce484222325ULL;
constexpr uint64_t fnv1a64_prime = 0x100000001b3ULL;

constexpr double sqrt_2pi = 2.50662827463100050241576528481104525;
constexpr double inv_sqrt2 = 0.707106781186547524400844362104849039;
// 1/sqrt 2 - inv_sqrt2: what the double constant leaves out.
constexpr double inv_sqrt2_tail = -4.833646656726457e-17;

// Acklam, P. J. (2003), "An algorithm for computing the inverse normal cumulative distribution
// function" (coefficients of the published rational approximations; relative error below 1.15e-9).
constexpr double central_num[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                  1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
constexpr double central_den[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                  6.680131188771972e+01,  -1.328068155288572e+01};
constexpr double tail_num[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
constexpr double tail_den[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
// Below this probability (and above 1 minus it) the tail approximation is used.
constexpr double tail_probability = 0.02425;

// Acklam's central approximation of Phi^-1(0.5 + r), |r| <= 0.5 - tail_probability.
double central_guess(double r) noexcept {
    const double r2 = r * r;
    const double num =
        (((((central_num[0] * r2 + central_num[1]) * r2 + central_num[2]) * r2 + central_num[3]) * r2 +
          central_num[4]) * r2 + central_num[5]) * r;
    const double den =
        ((((central_den[0] * r2 + central_den[1]) * r2 + central_den[2]) * r2 + central_den[3]) * r2 +
         central_den[4]) * r2 + 1.0;
    return num / den;
}

// Acklam's lower-tail approximation of Phi^-1(q), 0 < q <= tail_probability (a negative number).
double tail_guess(double q) noexcept {
    const double t = std::sqrt(-2.0 * std::log(q));
    const double num =
        ((((tail_num[0] * t + tail_num[1]) * t + tail_num[2]) * t + tail_num[3]) * t + tail_num[4]) * t +
        tail_num[5];
    const double den = (((tail_den[0] * t + tail_den[1]) * t + tail_den[2]) * t + tail_den[3]) * t + 1.0;
    return num / den;
}

// One Halley step for Phi(x) = target, given the residual e = Phi(x) - target. With f' = phi(x) and
// f'' = -x phi(x), Halley's update is x - t / (1 + x t / 2) with t = e / phi(x). exp(x^2/2) is taken
// as two factors exp(x^2/4) so that it does not overflow before the tiny residual scales it down.
double halley_step(double x, double residual) noexcept {
    const double half_growth = std::exp(0.25 * x * x);
    const double t = residual * half_growth * sqrt_2pi * half_growth;
    return x - t / (1.0 + 0.5 * x * t);
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
    for (std::size_t i = 0; i < count; ++i) {
        const philox2x64_ctr_t counter = {{first_draw + i, stream}};
        const philox2x64_ctr_t bits = philox2x64_R(10, counter, key);
        // 2k + 1 < 2^53 fits a signed 64-bit integer, whose conversion to double is one instruction
        // and exact; the product by a power of two is exact too.
        const auto odd = static_cast<int64_t>(((bits.v[0] >> 12) << 1) | 1U);
        values[i] = static_cast<double>(odd) * 0x1p-53;
    }
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
    // u - 0.5 is exact for u >= 0.25 (Sterbenz) and for smaller u it only feeds the branch test.
    const double r = u - 0.5;
    if (std::fabs(r) <= 0.5 - tail_probability) {
        const double x = central_guess(r);
        // Residual through erf, which keeps full relative accuracy near 0, where x is tiny.
        return halley_step(x, 0.5 * std::erf(x * inv_sqrt2) - r);
    }
    // Work in the lower tail; 1 - u is exact for u >= 0.5, so the upper tail is as accurate.
    const double q = r < 0.0 ? u : 1.0 - u;
    const double x = tail_guess(q);
    const double refined = halley_step(x, 0.5 * std::erfc(-x * inv_sqrt2) - q);
    return r < 0.0 ? refined : -refined;
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
