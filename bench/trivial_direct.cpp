// The trivial model called directly from C++: the baseline the SDK is measured against.
// Its own translation unit, compiled with the plugin's flags (see bench/CMakeLists.txt), so
// the benchmark cannot inline it and both sides are "call a function, which loops".
#include "trivial_model.hpp"

namespace impact::bench {

void evaluate_direct(const double* inputs, uint64_t rows, double* outputs) noexcept {
    lost_profit_rows(inputs, rows, outputs);
}

}  // namespace impact::bench
