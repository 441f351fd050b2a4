// days and close_relative of reference_math.hpp.
#include "support/reference_math.hpp"

#include <chrono>
#include <cmath>

namespace impact::test {

std::int32_t days(int year, unsigned month, unsigned day) {
    const std::chrono::sys_days d{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}};
    return static_cast<std::int32_t>(d.time_since_epoch().count());
}

bool close_relative(double actual, double expected, double tolerance) {
    if (expected == 0.0) return std::abs(actual) <= tolerance;
    return std::abs(actual - expected) <= tolerance * std::abs(expected);
}

}  // namespace impact::test
