// Probability distributions of uncertain inputs, each drawn by inverse CDF of one uniform per draw.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace impact::uncertainty {

// The distributions an input may follow. Every parameter is in the input's own unit, converted
// by the caller before it gets here: "60%" is 0.6, "12B USD" is 12e9, and the spread of a
// percent input (sd, low, high...) is in the same fraction, so "sd 5 percentage points" is 0.05.
//
//   uniform     low < high. Flat on [low, high].
//   triangular  low <= mode <= high, low < high. Density rising linearly from low to mode and
//               falling to high. Mean (low + mode + high) / 3.
//   pert        low <= mode <= high, low < high, lambda > 0 (default 4). Beta(alpha, beta) scaled to
//               [low, high] with alpha = 1 + lambda (mode - low) / (high - low) and
//               beta = 1 + lambda (high - mode) / (high - low); mean (low + lambda mode + high) / (lambda + 2).
//               Its inverse CDF is Boost.Math's ibeta_inv, an iterative solver: several times
//               slower per draw than the others (bench/README.md, "Random draws and distributions").
//   normal      mean, sd > 0.
//   lognormal   exp(mu + sigma Z), Z standard normal, given EITHER by the mean and sd of its log
//               (mu, sigma > 0) OR by the mean m > 0 and sd s > 0 of the variable itself, which are
//               converted with sigma^2 = ln(1 + s^2 / m^2) and mu = ln m - sigma^2 / 2 (the two
//               parametrisations cannot be mixed).
//   discrete    values (finite, at least one) with weights (same count, finite, >= 0, sum > 0;
//               equal weights when omitted). The values are sorted by value first (ties keep
//               their given order), then quantile(u) is the smallest value whose cumulative
//               normalised weight is >= u.
//   bernoulli   p in [0, 1], the probability of "so"; values = {if_not, if_so}, default {0, 1}.
//               It is the discrete distribution on those two values with weights {1 - p, p}: when
//               if_so >= if_not, quantile(u) is if_so for u > 1 - p and if_not otherwise; when
//               if_so < if_not, the inverse CDF stays non-decreasing, so if_so comes for u <= p.
//
// Any kind may add min and/or max (truncation to [min, max], both inclusive) and base (the point
// value shown when the input is not drawn; default the median). A truncated continuous
// distribution is drawn exactly by quantile(u) = F^-1(F(min) + u (F(max) - F(min))), computed
// from the upper tail (survival function) when the window lies above the median so that far
// tails keep their precision; a truncated discrete one keeps the values inside [min, max] and
// renormalises their weights.
enum class DistributionKind { uniform, triangular, pert, normal, lognormal, discrete, bernoulli };

// "uniform", "triangular", "pert", "normal", "lognormal", "discrete", "bernoulli".
std::string_view kind_name(DistributionKind kind);
// The kind of an exact lower-case name above; nullopt for anything else.
std::optional<DistributionKind> parse_kind(std::string_view name);

// Parameters in the input's own unit, already converted by the caller ("60%" -> 0.6, "12B USD" -> 12e9).
struct DistributionParams {
    DistributionKind kind{};
    std::optional<double> low, mode, high;  // uniform (low, high); triangular and pert (low, mode, high)
    std::optional<double> mean, sd;         // normal; lognormal by the variable's own mean and sd
    std::optional<double> mu, sigma;        // lognormal by the mean and sd of its log
    std::optional<double> lambda;           // pert shape, default 4
    std::optional<double> p;                // bernoulli probability of "so" (values[1])
    std::vector<double> values, weights;    // discrete (same length); bernoulli values = {if_not, if_so}, default {0, 1}
    std::optional<double> min, max;         // truncation (either or both)
    std::optional<double> base;             // point value override
};

// A bad parameter: `parameter` names it ("sd", "weights", "mode", "min", "values"...) so the caller can
// point at its file:line:column; what() is one sentence "expected ..., found ..." (no position).
struct ParameterError : std::runtime_error {
    std::string parameter;
    ParameterError(std::string parameter, const std::string& message);
};

// An immutable value: copies share one constant state (a shared_ptr), so copying is cheap and any
// number of threads may use one distribution at the same time.
class Distribution {
public:
    // Checks every parameter (see the list at the top of this file) and precomputes what drawing
    // needs. Throws ParameterError naming the first bad parameter: a missing required one, one
    // that does not belong to the kind ("expected one of low, high for uniform, found mode"), a
    // non-finite one, an out-of-range one, min above max, a truncation that leaves no mass ("min"
    // or "max"), a base outside the support ("base").
    static Distribution make(const DistributionParams& params);

    DistributionKind kind() const noexcept;
    bool is_continuous() const noexcept;  // false for discrete and bernoulli

    // u in (0, 1) -> the value of the (truncated) distribution; non-decreasing in u and always
    // inside [support_min, support_max]. u <= 0 and u >= 1 give the support's ends (infinite for
    // an unbounded side).
    double quantile(double u) const noexcept;
    // quantile of every u into out (same size; the sizes' minimum is used; out may be u itself),
    // with the same bits as quantile(u) for every u. The hot path: one loop per kind, the kind
    // dispatched once per 512 draws, uniform and the normal quantile's central region vectorised.
    void quantiles(std::span<const double> u, std::span<double> out) const noexcept;

    double cdf(double x) const noexcept;         // P(X <= x) of the truncated distribution
    double mass_below(double x) const noexcept;  // P(X < x)
    double mass_above(double x) const noexcept;  // P(X > x)
    double median() const noexcept;              // quantile(0.5)
    double point_value() const noexcept;         // base if given, else the median
    // Of the truncated distribution: closed forms (normal and lognormal through Phi, pert through
    // the regularised incomplete beta, triangular by integrating its piecewise-linear density).
    // Relative accuracy about 1e-12 except where a truncation window is so narrow or so far in
    // a tail that E[X^2] - E[X]^2 cancels.
    double mean() const noexcept;
    double variance() const noexcept;
    std::optional<double> support_min() const noexcept;  // nullopt = unbounded below
    std::optional<double> support_max() const noexcept;  // nullopt = unbounded above

    // Further truncated to [lo, hi] (either may be nullopt; each combines with an existing bound by
    // taking the tighter). The host clips to an input's declared bounds with it when at most 1e-9
    // of the mass lies outside. Throws ParameterError("min"/"max") when no mass would remain, and
    // ParameterError("base") when a given base falls outside the new support.
    Distribution truncated_to(std::optional<double> lo, std::optional<double> hi) const;
    bool truncated() const noexcept;  // min or max given (whether or not it cuts any mass)

    // E.g. "triangular(low 1.2e+10, mode 1.35e+10, high 1.5e+10), truncated to [1.25e+10, 1.5e+10]"
    // with the shortest round-trip text of each number; an open side reads "(-inf" or "inf)".
    std::string describe() const;

    // The parameters as given (after defaults: pert lambda, bernoulli values).
    const DistributionParams& params() const noexcept;

    struct State;  // defined in distribution.cpp

private:
    explicit Distribution(std::shared_ptr<const State> state) noexcept;
    std::shared_ptr<const State> state_;
};

}  // namespace impact::uncertainty
