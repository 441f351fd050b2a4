// Reads { dist = ... } values: parameters in the input's unit, the distribution's own checks, the input's bounds.
#include "scenario/distribution_value.hpp"

#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <optional>
#include <vector>

namespace impact::scenario {
namespace {

[[noreturn]] void fail(const SourcePos& at, std::string_view key, std::string_view message) {
    throw UserError(fmt::format("{}: {}: {}", at.str(), key, message));
}

bool is_list_param(std::string_view name) { return name == "values" || name == "weights"; }

// A number without a unit (mu, sigma, lambda, weights), or for `p` also a percentage.
double plain_number(const Scalar& scalar, const SourcePos& at, const std::string& key, bool percent_allowed) {
    if (const double* number = std::get_if<double>(&scalar.value)) return *number;
    const std::string& written = std::get<std::string>(scalar.value);
    text::Quantity q;
    try {
        q = text::parse_quantity(written, key);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}", at.str(), e.what()));
    }
    if (q.unit.empty()) return q.value;
    if (percent_allowed && q.unit == "%") return q.value / 100;
    fail(at, key,
         fmt::format("expected a number without a unit{}, found \"{}\"", percent_allowed ? " or a percentage" : "", written));
}

std::string written_value(const DistributionParam& param) {
    std::vector<std::string> parts;
    for (const Scalar& s : param.list) parts.push_back(s.as_written());
    return param.is_list ? fmt::format("[{}]", fmt::join(parts, ", ")) : parts.front();
}

}  // namespace

bool in_input_unit(std::string_view param) {
    for (const char* n : {"low", "mode", "high", "mean", "sd", "min", "max", "base", "values"})
        if (param == n) return true;
    return false;
}

DrawnValue read_distribution(const DistributionSpec& spec, const std::string& key, const host::InputInfo* bounds,
                             const std::function<double(const Scalar&, const SourcePos&)>& convert) {
    const auto kind = uncertainty::parse_kind(spec.dist);
    if (!kind)
        fail(spec.dist_pos, key + ".dist",
             fmt::format("expected uniform, triangular, pert, normal, lognormal, discrete or bernoulli, found \"{}\"",
                         spec.dist));
    uncertainty::DistributionParams params;
    params.kind = *kind;
    std::vector<std::string> written;
    for (const DistributionParam& param : spec.params) {
        const std::string where = key + "." + param.name;
        written.push_back(fmt::format("{} {}", param.name, written_value(param)));
        if (param.is_list != is_list_param(param.name))
            fail(param.pos, where,
                 param.is_list ? fmt::format("expected one value, found a list of {}", param.list.size())
                               : fmt::format("expected a list such as [{}], found one value", param.name == "weights" ? "1, 3" : "\"0 USD\", \"32B USD\""));
        std::vector<double> numbers;
        for (std::size_t i = 0; i < param.list.size(); ++i) {
            const Scalar& s = param.list[i];
            const SourcePos& at = param.list_pos[i];
            numbers.push_back(in_input_unit(param.name) ? convert(s, at) : plain_number(s, at, where, param.name == "p"));
        }
        const std::string& n = param.name;
        if (n == "values") params.values = numbers;
        else if (n == "weights") params.weights = numbers;
        else {
            const double v = numbers.front();
            if (n == "low") params.low = v;
            else if (n == "mode") params.mode = v;
            else if (n == "high") params.high = v;
            else if (n == "mean") params.mean = v;
            else if (n == "sd") params.sd = v;
            else if (n == "mu") params.mu = v;
            else if (n == "sigma") params.sigma = v;
            else if (n == "lambda") params.lambda = v;
            else if (n == "p") params.p = v;
            else if (n == "min") params.min = v;
            else if (n == "max") params.max = v;
            else if (n == "base") params.base = v;
        }
    }
    DrawnValue result;
    result.written = fmt::format("{}: {}", spec.dist, fmt::join(written, ", "));
    const auto at_param = [&](const std::string& name) {
        const DistributionParam* param = spec.find(name);
        return param ? param->pos : spec.pos;
    };
    std::optional<uncertainty::Distribution> distribution;
    try {
        distribution = uncertainty::Distribution::make(params);
    } catch (const uncertainty::ParameterError& e) {
        fail(at_param(e.parameter), key + (e.parameter.empty() ? "" : "." + e.parameter), e.what());
    }

    if (bounds && (bounds->min_value || bounds->max_value)) {
        const auto& in = *bounds;
        // Mass on the wrong side of each bound; an exclusive bound excludes the bound itself.
        const double below = !in.min_value ? 0.0 : in.min_exclusive ? distribution->cdf(*in.min_value)
                                                                    : distribution->mass_below(*in.min_value);
        const double above = !in.max_value ? 0.0 : in.max_exclusive ? 1.0 - distribution->mass_below(*in.max_value)
                                                                    : distribution->mass_above(*in.max_value);
        const auto bound_text = [&] {
            std::vector<std::string> parts;
            if (in.min_value) parts.push_back(fmt::format("{} {}", in.min_exclusive ? ">" : ">=", *in.min_value));
            if (in.max_value) parts.push_back(fmt::format("{} {}", in.max_exclusive ? "<" : "<=", *in.max_value));
            return fmt::format("{}", fmt::join(parts, " and "));
        };
        if (below + above > kMaxMassOutsideBounds) {
            const bool low_side = below >= above;
            fail(spec.pos, key,
                 fmt::format("expected a distribution inside the input's bounds ({}), found {:.3g} of its mass {} {} ({}); "
                             "truncate it with {} = ... or change its parameters",
                             bound_text(), low_side ? below : above, low_side ? "below" : "above",
                             low_side ? *in.min_value : *in.max_value, result.written, low_side ? "min" : "max"));
        }
        if (below + above > 0) {
            try {
                distribution = distribution->truncated_to(below > 0 ? in.min_value : std::nullopt,
                                                          above > 0 ? in.max_value : std::nullopt);
            } catch (const uncertainty::ParameterError& e) {
                fail(spec.pos, key, e.what());
            }
            result.note = fmt::format("truncated to the input's bounds ({}): {:.3g} of its mass lay outside them",
                                      bound_text(), below + above);
        }
    }
    result.distribution = std::make_shared<const uncertainty::Distribution>(std::move(*distribution));
    return result;
}

}  // namespace impact::scenario
