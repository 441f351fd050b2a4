// A scenario's { dist = ... } value turned into a checked distribution in the input's unit, within the input's bounds.
#pragma once

#include "host/model_info.hpp"
#include "scenario/scenario.hpp"
#include "uncertainty/distribution.hpp"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace impact::scenario {

struct DrawnValue {
    std::shared_ptr<const uncertainty::Distribution> distribution;
    std::string written;  // "triangular: low 12B USD, mode 13.5B USD, high 15B USD", for reports
    std::string note;     // what the host did to it, such as truncating it to the input's bounds; "" when nothing
};

// Reads `spec` for the value `key` ("step.h20.annual_revenue"). `convert` turns a parameter
// written in the input's unit ("12B USD", "60%") into a number, or throws UserError at the
// position it is given. Parameters without a unit (mu, sigma, lambda, weights) are plain
// numbers; p is a number or a percentage. `bounds`, when given, is the model input whose
// declared min and max the distribution must respect: more than kMaxMassOutsideBounds of
// its mass outside them is an error unless min/max truncate it; less is truncated to the
// bounds and said in `note`. Throws UserError at the offending parameter's file:line:column.
DrawnValue read_distribution(const DistributionSpec& spec, const std::string& key, const host::InputInfo* bounds,
                             const std::function<double(const Scalar&, const SourcePos&)>& convert);

// Whether a distribution parameter is written in the input's unit ("12B USD", "3%": low, mode,
// high, mean, sd, min, max, base, values) rather than as a plain number (mu, sigma, lambda,
// weights, p). The runner reads the currency a money input carries from these.
bool in_input_unit(std::string_view param);

// The share of a distribution's mass that may lie outside an input's declared bounds before
// it is an error rather than a truncation (issue #8: "more than 1e-9").
inline constexpr double kMaxMassOutsideBounds = 1e-9;

}  // namespace impact::scenario
