// Return, price change and market-value change of one stock price move (stock.price_move).
#ifndef IMPACT_PLUGINS_STOCK_PRICE_MOVE_HPP
#define IMPACT_PLUGINS_STOCK_PRICE_MOVE_HPP

#include <impact/sdk/errors.hpp>

namespace impact::stock {

struct PriceMoveResult {
    double simple_return = 0.0;      // fraction: -0.0633 for -6.33%
    double price_change = 0.0;       // currency per share
    double market_cap_change = 0.0;  // currency
};

// Throws impact::sdk::InputError unless price_before is finite and > 0 and price_after and
// shares_outstanding are finite and >= 0. Pure function: safe from any thread.
PriceMoveResult price_move(double price_before, double price_after, double shares_outstanding);

}  // namespace impact::stock

#endif  // IMPACT_PLUGINS_STOCK_PRICE_MOVE_HPP
