// Reads a dated FX quote file (date,base,quote,rate) into one series per currency pair.
#pragma once

#include "io/input_file.hpp"

#include <impact/sdk/impact_plugin.h>

#include <cstdint>

#include <filesystem>
#include <string>
#include <vector>

namespace impact::data {

// Quotes of one pair, oldest first: `rate` units of quote per 1 base on each date.
struct RateSeries {
    std::string pair;  // "USD/KRW"
    std::vector<impact_date_days> dates;
    std::vector<double> rates;
};

// Columns date, base, quote, rate (any order, other columns ignored). Throws UserError with
// file:line:column and what was expected for a missing column, no quote row, a bad date, a
// currency code that is not a current ISO 4217 code, a rate that is not a positive normal
// number, a pair quoted twice on one date, or a direct and an inverse quote of one pair on one
// date that disagree by more than 1e-6 relative (both lines named), and for a file that is not a regular file of at most `max_bytes`.
std::vector<RateSeries> read_rates_csv(const std::filesystem::path& file,
                                       std::uint64_t max_bytes = io::kDefaultMaxInputBytes);

}  // namespace impact::data
