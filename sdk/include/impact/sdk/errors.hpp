// The two exceptions a model throws, which the C++ wrapper turns into an impact_status and a message.
//
// Header-only, C++17, standard library only: a model's formulas can throw these without
// including the wrapper (plugin.hpp), and stay free of every other SDK type.
#ifndef IMPACT_SDK_ERRORS_HPP
#define IMPACT_SDK_ERRORS_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace impact::sdk {

// An input is missing or unusable: reported as IMPACT_STATUS_INVALID_INPUT with its key, and
// with the batch row when one is known (row < 0: none). for_each_row() fills in the row of an
// error thrown without one.
class InputError : public std::runtime_error {
public:
    InputError(std::string key, const std::string& message, int64_t row = -1)
        : std::runtime_error(message), key_(std::move(key)), row_(row) {}
    const std::string& key() const noexcept { return key_; }
    int64_t row() const noexcept { return row_; }

private:
    std::string key_;
    int64_t row_;
};

// The inputs were fine but the model cannot produce a result: IMPACT_STATUS_MODEL_FAILED.
class ModelError : public std::runtime_error {
public:
    explicit ModelError(const std::string& message, int64_t row = -1)
        : std::runtime_error(message), row_(row) {}
    int64_t row() const noexcept { return row_; }

private:
    int64_t row_;
};

}  // namespace impact::sdk

#endif  // IMPACT_SDK_ERRORS_HPP
