// Counter-based random streams (Philox2x64-10): uniforms and standard normals that depend only on (seed, stream, draw).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace impact::uncertainty {

// The id of an input's random stream: FNV-1a 64 of the UTF-8 bytes of "step.input" (offset basis
// 0xcbf29ce484222325, prime 0x100000001b3; no normalisation, no terminator). Stable across
// platforms and releases: a run's draws are reproducible from its seed and its input names.
uint64_t stream_id(std::string_view step_dot_input) noexcept;

// Uniforms strictly inside (0, 1) for draws [first_draw, first_draw + out.size()) of `stream` under
// `seed`. The exact recipe for draw i, so that anyone can reproduce it:
//   (w0, w1) = philox2x64_R(10, counter = {i >> 1, stream}, key = {seed})  (Random123 1.14, philox.h)
//   w        = w0 when i is even, w1 when i is odd                      (both words of each block)
//   k        = w >> 12                                                  (the top 52 bits of w)
//   u        = (2 k + 1) * 2^-53                                         (exact in a double)
// So u takes the 2^52 odd multiples of 2^-53: the smallest is 2^-53, the largest 1 - 2^-53, never 0
// or 1, and the grid is symmetric (1 - u is another possible draw, exactly), which keeps normals
// symmetric. Resolution is 2^-52 between neighbours (a 53-bit fixed-point number whose last bit is
// always set). Philox is keyed by the seed; the stream sits in the counter's second word, so every
// (stream, pair of draws) is a distinct counter and the 128-bit outputs of the bijection never
// repeat within a seed; draws 2j and 2j + 1 are the two 64-bit halves of one output, which halves
// the cost per draw. Draw i depends only on (seed, stream, i): any split of a run into blocks, at
// odd or even offsets, gives the same bits.
void uniforms(uint64_t seed, uint64_t stream, uint64_t first_draw, std::span<double> out) noexcept;

// Standard normals for the same draws: inverse_normal_cdf of the same uniforms, one uniform per
// draw, so that a Gaussian copula over these normals stays exact.
void standard_normals(uint64_t seed, uint64_t stream, uint64_t first_draw, std::span<double> out) noexcept;

// Phi^-1(u): the standard normal quantile. Within 9e-16 relative of a 50-digit reference over
// (1e-300, 1 - 1e-16), a measured bound: the worst error found over 3 x 10^8 points (10^8 each
// of an even grid on (0, 1), a log grid 1e-300..0.1 with its mirror near 1, and random draws)
// was 8.6e-16, near 0.33 and in the first tail region; random_stream_test.cpp checks it.
// -inf at u <= 0, +inf at u >= 1, NaN for NaN. Wichura's algorithm AS 241 (PPND16, Applied
// Statistics 37(3), 1988) evaluated in double without fused multiply-adds, plus one Newton step
// on normal_cdf where min(u, 1 - u) < exp(-25) = 1.4e-11, the only region where AS 241 alone
// exceeded 1e-15 (1.06e-15). Non-decreasing in u up to its rounding (a few ulps between adjacent
// u), and odd: inverse_normal_cdf(1 - u) == -inverse_normal_cdf(u) wherever 1 - u and u - 0.5
// are exact (always for draws).
double inverse_normal_cdf(double u) noexcept;

// inverse_normal_cdf of every u into z (the sizes' minimum is used; z may be u itself, but must
// not overlap it otherwise). Bit-identical to the scalar function for every u, so a draw never
// depends on how a run is split into blocks; faster, because the central region (|u - 0.5| <= 0.425,
// 85 % of uniform draws) is vectorised.
void inverse_normal_cdf(std::span<const double> u, std::span<double> z) noexcept;

// Phi(z) = P(Z <= z) for a standard normal Z, as 0.5 erfc(-z / sqrt 2): full relative accuracy in
// the lower tail (down to the smallest normal doubles), absolute accuracy near 1.
double normal_cdf(double z) noexcept;

}  // namespace impact::uncertainty
