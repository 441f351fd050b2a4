// The error the stock models' logic throws for an unusable input, naming the input's key.
#ifndef IMPACT_PLUGINS_STOCK_INVALID_INPUT_HPP
#define IMPACT_PLUGINS_STOCK_INVALID_INPUT_HPP

#include <stdexcept>
#include <string>
#include <utility>

namespace impact::stock {

// The logic stays free of SDK types; the plugin turns this into impact::sdk::InputError.
class InvalidInput : public std::invalid_argument {
public:
    InvalidInput(std::string key, const std::string& message)
        : std::invalid_argument(message), key_(std::move(key)) {}
    const std::string& key() const noexcept { return key_; }

private:
    std::string key_;
};

}  // namespace impact::stock

#endif  // IMPACT_PLUGINS_STOCK_INVALID_INPUT_HPP
