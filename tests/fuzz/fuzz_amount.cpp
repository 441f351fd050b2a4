// Fuzz target: amounts and unit-carrying literals as users write them ("5.5B", "1,428.8",
// "6.3%", "25bp", "5.5B USD"): impact::text::parse_amount and impact::text::parse_quantity.
// Expected refusal: impact::UserError. Property: a value that is accepted is finite.
#include "fuzz_support.hpp"

#include "text/amount.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <cmath>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = impact::fuzz::as_text(data, size);
    try {
        const double value = impact::text::parse_amount(text, "amount");
        if (!std::isfinite(value)) impact::fuzz::finding("parse_amount returns a finite value", text);
    } catch (const impact::UserError&) {
    }
    try {
        const impact::text::Quantity q = impact::text::parse_quantity(text, "quantity");
        if (!std::isfinite(q.value)) impact::fuzz::finding("parse_quantity returns a finite value", text);
    } catch (const impact::UserError&) {
    }
    return 0;
}
