// Deterministic test draws (uniform, normal, lognormal, Bernoulli, awkward cases) from std::mt19937_64 with fixed seeds.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace impact::test {

enum class Draws {
    uniform,        // [0, 1)
    normal,         // Box-Muller
    lognormal,      // exp(3 Z): heavy right tail
    cauchy,         // ratio of two normals: heavy tails on both sides
    bernoulli,      // 0 or 1, P(1) = 0.3: two point masses
    constant,       // every draw 42.5
    late_shift,     // first 65,536 draws 0, the rest 1e6 + normal: the start is not representative
    signed_zeros,   // -0.0, +0.0 and a few small values
    huge,           // +-1e300 scale
    subnormal,      // multiples of the smallest subnormal
};

inline const char* name(Draws d) {
    switch (d) {
        case Draws::uniform: return "uniform";
        case Draws::normal: return "normal";
        case Draws::lognormal: return "lognormal(0, 3)";
        case Draws::cauchy: return "normal/normal";
        case Draws::bernoulli: return "bernoulli(0.3)";
        case Draws::constant: return "constant";
        case Draws::late_shift: return "65536 zeros then 1e6+normal";
        case Draws::signed_zeros: return "signed zeros";
        case Draws::huge: return "1e300 scale";
        case Draws::subnormal: return "subnormal";
    }
    return "?";
}

// A uniform double in (0, 1], from the top 53 bits (never 0, so the logarithm below is finite).
inline double open_uniform(std::mt19937_64& rng) {
    return (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;
}

// One standard normal by the Box-Muller transform (the cosine branch only, for simplicity).
inline double standard_normal(std::mt19937_64& rng) {
    const double u1 = open_uniform(rng);
    const double u2 = open_uniform(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

inline std::vector<double> make_draws(Draws kind, std::size_t n, std::uint64_t seed = 20261201) {
    std::mt19937_64 rng(seed);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (kind) {
            case Draws::uniform: x[i] = open_uniform(rng) - 0x1.0p-53; break;
            case Draws::normal: x[i] = standard_normal(rng); break;
            case Draws::lognormal: x[i] = std::exp(3.0 * standard_normal(rng)); break;
            case Draws::cauchy: x[i] = standard_normal(rng) / standard_normal(rng); break;
            case Draws::bernoulli: x[i] = open_uniform(rng) <= 0.3 ? 1.0 : 0.0; break;
            case Draws::constant: x[i] = 42.5; break;
            case Draws::late_shift: x[i] = i < 65536 ? 0.0 : 1e6 + standard_normal(rng); break;
            case Draws::signed_zeros: {
                const auto r = rng() % 5;
                x[i] = r == 0 ? -0.0 : r == 1 ? 0.0 : r == 2 ? -1e-3 * open_uniform(rng) : r == 3 ? 1e-3 : 0.0;
                break;
            }
            case Draws::huge: x[i] = 1e300 * standard_normal(rng); break;
            case Draws::subnormal: x[i] = std::ldexp(static_cast<double>(rng() % 1000), -1074); break;
        }
    }
    return x;
}

}  // namespace impact::test
