// The benchmark's trivial model: lost profit = revenue * share * margin, one row at a time.
// Shared by the plugin (bench/trivial_plugin.cpp) and the direct C++ caller
// (bench/trivial_direct.cpp), so both sides run exactly the same arithmetic.
#pragma once

#include <cstdint>

namespace impact::bench {

// Batch columns, in the order they cross the C ABI (row-major, one row after another).
inline constexpr uint32_t trivial_input_width = 3;  // revenue, share, margin
inline constexpr uint32_t trivial_output_width = 1;  // lost_profit

// Profit lost when `share` (a fraction) of `revenue` is lost at profit `margin` (a fraction).
inline double lost_profit(double revenue, double share, double margin) noexcept {
    return revenue * share * margin;
}

// The row loop a C++ caller writes: the widths are compile-time constants. Used by the direct
// caller; the plugin's models write the same loop with the SDK's batch accessors.
inline void lost_profit_rows(const double* inputs, uint64_t rows, double* outputs) noexcept {
    for (uint64_t r = 0; r < rows; ++r) {
        const double* in = inputs + r * trivial_input_width;
        outputs[r * trivial_output_width] = lost_profit(in[0], in[1], in[2]);
    }
}

// The direct caller: lost_profit_rows over the same buffers, defined in its own translation
// unit (trivial_direct.cpp) and never inlined into the benchmark, so the direct side is a
// call plus a loop, like the SDK side.
[[gnu::noinline]] void evaluate_direct(const double* inputs, uint64_t rows, double* outputs) noexcept;

}  // namespace impact::bench
