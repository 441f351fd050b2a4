// Fuzz target: the FX quote file reader (impact::data::read_rates_csv), through a file in a
// private temporary folder, as `impact convert --rates FILE` reads it.
// Expected refusal: impact::UserError. Also checks what read_rates_csv promises of its series, and
// that every rate is a normal number: `impact convert` uses a quote inverted (README: inverse and
// cross quotes), and 1 / a subnormal rate is infinite.
#include "fuzz_support.hpp"

#include "data/rates_csv.hpp"
#include "text/user_error.hpp"

#include <cmath>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::filesystem::path file = impact::fuzz::sandbox() / "rates.csv";
    impact::fuzz::write_file(file, impact::fuzz::as_text(data, size));
    try {
        const auto all = impact::data::read_rates_csv(file);
        for (const auto& series : all) {
            if (series.pair.size() != 7 || series.pair[3] != '/')
                impact::fuzz::finding("a pair is written BASE/QUOTE", series.pair);
            if (series.dates.size() != series.rates.size() || series.dates.empty())
                impact::fuzz::finding("a series has one rate per date, and at least one", series.pair);
            for (std::size_t i = 0; i < series.dates.size(); ++i) {
                if (i > 0 && !(series.dates[i - 1] < series.dates[i]))
                    impact::fuzz::finding("dates are strictly increasing", series.pair);
                if (!(std::isfinite(series.rates[i]) && series.rates[i] > 0))
                    impact::fuzz::finding("rates are finite and positive", series.pair);
                if (!std::isnormal(series.rates[i]) || !std::isfinite(1 / series.rates[i]))
                    impact::fuzz::finding("rates are normal numbers, with a finite inverse", series.pair);
            }
        }
    } catch (const impact::UserError&) {
        // A malformed quote file, refused with a message: expected.
    }
    return 0;
}
