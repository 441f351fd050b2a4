// Return, price change and market-value change of one stock price move: the formulas.
#include "price_move.hpp"

#include <cmath>
#include <sstream>
#include <string>

namespace impact::stock {
namespace {

std::string format_number(double value) {
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
}

}  // namespace

PriceMoveResult price_move(double price_before, double price_after, double shares_outstanding) {
    // A zero price before would make the return infinite, so it is refused, not reported.
    if (!std::isfinite(price_before) || price_before <= 0.0)
        throw sdk::InputError("price_before", "price_before must be a finite number > 0, got " + format_number(price_before));
    if (!std::isfinite(price_after) || price_after < 0.0)
        throw sdk::InputError("price_after", "price_after must be a finite number >= 0, got " + format_number(price_after));
    if (!std::isfinite(shares_outstanding) || shares_outstanding < 0.0)
        throw sdk::InputError("shares_outstanding",
                           "shares_outstanding must be a finite number >= 0, got " + format_number(shares_outstanding));
    PriceMoveResult out;
    out.price_change = price_after - price_before;
    // (after - before) / before equals after / before - 1 but keeps the digits of a small
    // move that the subtraction of 1 would cancel.
    out.simple_return = out.price_change / price_before;
    out.market_cap_change = out.price_change * shares_outstanding;
    return out;
}

}  // namespace impact::stock
