// Reference arithmetic for tests, independent of the code under test: calendar days and relative tolerance.
#pragma once

#include <cstdint>

namespace impact::test {

// Days since 1970-01-01, computed with std::chrono rather than with the project's own dates.
std::int32_t days(int year, unsigned month, unsigned day);

// Whether `actual` is within `tolerance` of `expected`, relative to |expected| (absolute when expected is 0).
bool close_relative(double actual, double expected, double tolerance);

}  // namespace impact::test
