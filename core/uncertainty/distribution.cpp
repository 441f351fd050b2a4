// Distribution checks, inverse CDFs, CDFs and moments (truncated or not) for every DistributionKind.
#include "uncertainty/distribution.hpp"

#include "uncertainty/random_stream.hpp"

#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace impact::uncertainty {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();
constexpr double default_pert_lambda = 4.0;
constexpr double inv_sqrt_2pi = 0.398942280401432677939946059934381868;

// Boost.Math reports through return values here (every function of Distribution is noexcept past
// make()), and works in double: promoting to long double costs about 3x for no visible accuracy.
using quiet_policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::promote_double<false>>;

constexpr std::array kind_names = {std::pair{DistributionKind::uniform, std::string_view("uniform")},
                                   std::pair{DistributionKind::triangular, std::string_view("triangular")},
                                   std::pair{DistributionKind::pert, std::string_view("pert")},
                                   std::pair{DistributionKind::normal, std::string_view("normal")},
                                   std::pair{DistributionKind::lognormal, std::string_view("lognormal")},
                                   std::pair{DistributionKind::discrete, std::string_view("discrete")},
                                   std::pair{DistributionKind::bernoulli, std::string_view("bernoulli")}};

// Shortest text that reads back as the same double ("1.2e+10", "0.6", "-inf").
std::string number_text(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string list_text(const std::vector<double>& values) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i)
        text += (i == 0 ? "" : ", ") + number_text(values[i]);
    return text + "]";
}

[[noreturn]] void fail(std::string parameter, const std::string& message) {
    throw ParameterError(std::move(parameter), message);
}

// Standard normal density.
double phi(double z) noexcept {
    return std::isinf(z) ? 0.0 : inv_sqrt_2pi * std::exp(-0.5 * z * z);
}

// z phi(z), which tends to 0 at both infinities.
double z_phi(double z) noexcept {
    return std::isinf(z) ? 0.0 : z * phi(z);
}

// P(a < Z < b) for a standard normal Z, from whichever tail keeps the precision.
double normal_mass(double a, double b) noexcept {
    if (a > 0.0)
        return normal_cdf(-a) - normal_cdf(-b);
    return normal_cdf(b) - normal_cdf(a);
}

// The integral of t^k (p + q t) over [t0, t1], k = 0, 1 or 2 (moments of a linear density piece).
double linear_piece_moment(int k, double p, double q, double t0, double t1) noexcept {
    const auto power_difference = [&](int n) { return std::pow(t1, n) - std::pow(t0, n); };
    return p * power_difference(k + 1) / (k + 1) + q * power_difference(k + 2) / (k + 2);
}

// Draws are computed by block in quantile_block() and one at a time in quantile(); both go through
// the helpers below, written as selects rather than branches so that g++ -O3 vectorises the block
// loops (SSE2), and both give the same bits for every u.

// Triangular (low, mode, high) from F = p: the rising piece while p (high - low) <= mode - low, else
// the falling one. One square root, of the piece's argument (a negative argument, for p outside
// [0, 1], gives NaN, which the caller replaces by the support's end).
inline double triangular_from_lower(double p, double low, double mode, double high) noexcept {
    const double scaled = p * (high - low);
    const bool rising = scaled <= mode - low;
    const double root = std::sqrt(rising ? scaled * (mode - low) : (1.0 - p) * (high - low) * (high - mode));
    return rising ? low + root : high - root;
}

// Triangular from S = s = 1 - F: the falling piece while s (high - low) < high - mode.
inline double triangular_from_upper(double s, double low, double mode, double high) noexcept {
    const double scaled = s * (high - low);
    const bool rising = scaled >= high - mode;
    const double root = std::sqrt(rising ? (1.0 - s) * (high - low) * (mode - low) : scaled * (high - mode));
    return rising ? low + root : high - root;
}

// What a continuous quantile does around x = F^-1(p): NaN stays the same NaN, u <= 0 and u >= 1
// give the support's ends, and x is clamped to the support (as std::clamp: x < lo, then hi < x).
inline double continuous_result(double u, double x, double lo, double hi) noexcept {
    double value = x < lo ? lo : (hi < x ? hi : x);
    value = u >= 1.0 ? hi : value;
    value = u <= 0.0 ? lo : value;
    return std::isnan(u) ? u : value;
}

}  // namespace

std::string_view kind_name(DistributionKind kind) {
    for (const auto& [k, name] : kind_names)
        if (k == kind)
            return name;
    return "unknown";
}

std::optional<DistributionKind> parse_kind(std::string_view name) {
    for (const auto& [k, kind_text] : kind_names)
        if (kind_text == name)
            return k;
    return std::nullopt;
}

ParameterError::ParameterError(std::string parameter_name, const std::string& message)
    : std::runtime_error(message), parameter(std::move(parameter_name)) {}

struct Distribution::State {
    DistributionParams params;  // as given, with defaults filled in
    DistributionKind kind{};
    bool continuous = true;
    // Shape: uniform [low, high] already narrowed to its truncation; triangular and pert
    // (low, mode, high); pert (alpha, beta); normal (location = mean, scale = sd); lognormal
    // (location = mu, scale = sigma).
    double low = 0, mode = 0, high = 0, alpha = 1, beta = 1, location = 0, scale = 1;
    // Continuous truncation window: F and S (= 1 - F, computed directly) at min and max. `upper`
    // draws through S when the window lies above the median; `width` is the window's mass.
    double f_lo = 0, f_hi = 1, s_lo = 1, s_hi = 0, width = 1;
    bool upper = false;
    double support_lo = -infinity, support_hi = infinity;
    // Discrete and bernoulli: values sorted and inside the truncation, their normalised
    // probabilities and cumulative probabilities (the last exactly 1).
    std::vector<double> values, probabilities, cumulative;

    // The untruncated shape's F(x) and S(x) = 1 - F(x), and their inverses (continuous kinds).
    double lower(double x) const noexcept;
    double upper_tail(double x) const noexcept;
    double from_lower(double p) const noexcept;
    double from_upper(double s) const noexcept;

    double quantile(double u) const noexcept;
    // quantile() of u[0, n) into out (which may be u itself), by one loop per kind; p is scratch
    // of n doubles.
    void quantile_block(const double* u, double* out, std::size_t n, double* p) const noexcept;
    double table_quantile(double u) const noexcept;  // discrete and bernoulli
    double cdf(double x) const noexcept;
    double mass_below(double x) const noexcept;
    double mass_above(double x) const noexcept;
    std::pair<double, double> mean_variance() const noexcept;
};

double Distribution::State::lower(double x) const noexcept {
    switch (kind) {
        case DistributionKind::uniform:
            return std::clamp((x - low) / (high - low), 0.0, 1.0);
        case DistributionKind::triangular:
            if (x <= low)
                return 0.0;
            if (x >= high)
                return 1.0;
            if (x <= mode)
                return (x - low) * (x - low) / ((high - low) * (mode - low));
            return 1.0 - (high - x) * (high - x) / ((high - low) * (high - mode));
        case DistributionKind::pert:
            if (x <= low)
                return 0.0;
            if (x >= high)
                return 1.0;
            return boost::math::ibeta(alpha, beta, (x - low) / (high - low), quiet_policy());
        case DistributionKind::normal:
            return normal_cdf((x - location) / scale);
        case DistributionKind::lognormal:
            return x <= 0.0 ? 0.0 : normal_cdf((std::log(x) - location) / scale);
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }
    return 0.0;
}

double Distribution::State::upper_tail(double x) const noexcept {
    switch (kind) {
        case DistributionKind::uniform:
            return std::clamp((high - x) / (high - low), 0.0, 1.0);
        case DistributionKind::triangular:
            if (x <= low)
                return 1.0;
            if (x >= high)
                return 0.0;
            if (x <= mode)
                return 1.0 - (x - low) * (x - low) / ((high - low) * (mode - low));
            return (high - x) * (high - x) / ((high - low) * (high - mode));
        case DistributionKind::pert:
            if (x <= low)
                return 1.0;
            if (x >= high)
                return 0.0;
            return boost::math::ibetac(alpha, beta, (x - low) / (high - low), quiet_policy());
        case DistributionKind::normal:
            return normal_cdf((location - x) / scale);
        case DistributionKind::lognormal:
            return x <= 0.0 ? 1.0 : normal_cdf((location - std::log(x)) / scale);
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }
    return 0.0;
}

double Distribution::State::from_lower(double p) const noexcept {
    switch (kind) {
        case DistributionKind::uniform:
            return low + p * (high - low);
        case DistributionKind::triangular:
            return triangular_from_lower(p, low, mode, high);
        case DistributionKind::pert:
            return low + (high - low) * boost::math::ibeta_inv(alpha, beta, p, quiet_policy());
        case DistributionKind::normal:
            return location + scale * inverse_normal_cdf(p);
        case DistributionKind::lognormal:
            return std::exp(location + scale * inverse_normal_cdf(p));
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }
    return 0.0;
}

double Distribution::State::from_upper(double s) const noexcept {
    switch (kind) {
        case DistributionKind::uniform:
            return high - s * (high - low);
        case DistributionKind::triangular:
            return triangular_from_upper(s, low, mode, high);
        case DistributionKind::pert:
            return low + (high - low) * boost::math::ibetac_inv(alpha, beta, s, quiet_policy());
        case DistributionKind::normal:
            return location - scale * inverse_normal_cdf(s);
        case DistributionKind::lognormal:
            return std::exp(location - scale * inverse_normal_cdf(s));
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }
    return 0.0;
}

double Distribution::State::table_quantile(double u) const noexcept {
    if (std::isnan(u))
        return u;
    if (u <= 0.0)
        return support_lo;
    // The smallest value whose cumulative probability is >= u (zero-weight values are never it,
    // except through u <= 0 above, which gives the smallest value of positive weight).
    const auto it = std::lower_bound(cumulative.begin(), cumulative.end(), u);
    return it == cumulative.end() ? support_hi : values[static_cast<std::size_t>(it - cumulative.begin())];
}

double Distribution::State::quantile(double u) const noexcept {
    if (!continuous)
        return table_quantile(u);
    if (std::isnan(u))
        return u;
    if (u <= 0.0)
        return support_lo;
    if (u >= 1.0)
        return support_hi;
    const double x = upper ? from_upper(s_lo - u * width) : from_lower(f_lo + u * width);
    return continuous_result(u, x, support_lo, support_hi);
}

void Distribution::State::quantile_block(const double* u, double* out, std::size_t n, double* p) const noexcept {
    if (!continuous) {
        for (std::size_t i = 0; i < n; ++i)
            out[i] = table_quantile(u[i]);
        return;
    }
    const double lo = support_lo, hi = support_hi;
    if (kind == DistributionKind::uniform) {
        // An affine map of the probability, in one pass; out[i] is written after u[i] was read,
        // so out may be u. The parameters are copied to locals: out might otherwise alias them
        // for the compiler, which then does not vectorise.
        const double a = low, b = high, range = b - a, f = f_lo, s = s_lo, w = width;
        if (upper)
            for (std::size_t i = 0; i < n; ++i)
                out[i] = continuous_result(u[i], b - (s - u[i] * w) * range, lo, hi);
        else
            for (std::size_t i = 0; i < n; ++i)
                out[i] = continuous_result(u[i], a + (f + u[i] * w) * range, lo, hi);
        return;
    }
    // The probability to invert, F(min) + u (F(max) - F(min)) or its survival form, as quantile()
    // computes it (for an untruncated shape, exactly u).
    if (upper)
        for (std::size_t i = 0; i < n; ++i)
            p[i] = s_lo - u[i] * width;
    else
        for (std::size_t i = 0; i < n; ++i)
            p[i] = f_lo + u[i] * width;
    switch (kind) {
        case DistributionKind::triangular: {
            const double a = low, c = mode, b = high;
            if (upper)
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], triangular_from_upper(p[i], a, c, b), lo, hi);
            else
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], triangular_from_lower(p[i], a, c, b), lo, hi);
            return;
        }
        case DistributionKind::pert:
            // ibeta_inv is an iterative solver: called only for u inside (0, 1), as quantile() does.
            for (std::size_t i = 0; i < n; ++i) {
                const double v = u[i];
                if (!(v > 0.0 && v < 1.0)) {
                    out[i] = continuous_result(v, 0.0, lo, hi);
                    continue;
                }
                const double y = upper ? boost::math::ibetac_inv(alpha, beta, p[i], quiet_policy())
                                       : boost::math::ibeta_inv(alpha, beta, p[i], quiet_policy());
                out[i] = continuous_result(v, low + (high - low) * y, lo, hi);
            }
            return;
        case DistributionKind::normal:
        case DistributionKind::lognormal: {
            // The block normal quantile gives the scalar one's bits; x = location -/+ scale z.
            inverse_normal_cdf(std::span<const double>(p, n), std::span<double>(p, n));
            const bool log_scale = kind == DistributionKind::lognormal;
            if (upper && log_scale)
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], std::exp(location - scale * p[i]), lo, hi);
            else if (log_scale)
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], std::exp(location + scale * p[i]), lo, hi);
            else if (upper)
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], location - scale * p[i], lo, hi);
            else
                for (std::size_t i = 0; i < n; ++i)
                    out[i] = continuous_result(u[i], location + scale * p[i], lo, hi);
            return;
        }
        case DistributionKind::uniform:  // above
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }
}

double Distribution::State::cdf(double x) const noexcept {
    if (std::isnan(x))
        return x;
    if (!continuous) {
        const auto it = std::upper_bound(values.begin(), values.end(), x);
        return it == values.begin() ? 0.0 : cumulative[static_cast<std::size_t>(it - values.begin()) - 1];
    }
    if (x < support_lo)
        return 0.0;
    if (x >= support_hi)
        return 1.0;
    const double mass = upper ? s_lo - upper_tail(x) : lower(x) - f_lo;
    return std::clamp(mass / width, 0.0, 1.0);
}

double Distribution::State::mass_below(double x) const noexcept {
    if (std::isnan(x))
        return x;
    if (!continuous) {
        const auto it = std::lower_bound(values.begin(), values.end(), x);
        return it == values.begin() ? 0.0 : cumulative[static_cast<std::size_t>(it - values.begin()) - 1];
    }
    return cdf(x);  // no single point carries mass
}

double Distribution::State::mass_above(double x) const noexcept {
    if (std::isnan(x))
        return x;
    if (!continuous)
        return 1.0 - cdf(x);
    if (x < support_lo)
        return 1.0;
    if (x >= support_hi)
        return 0.0;
    return std::clamp((upper_tail(x) - s_hi) / width, 0.0, 1.0);
}

std::pair<double, double> Distribution::State::mean_variance() const noexcept {
    const bool is_truncated = params.min.has_value() || params.max.has_value();
    switch (kind) {
        case DistributionKind::uniform:
            return {0.5 * (low + high), (high - low) * (high - low) / 12.0};
        case DistributionKind::triangular: {
            if (!is_truncated)
                return {(low + mode + high) / 3.0,
                        (low * low + mode * mode + high * high - low * mode - low * high - mode * high) / 18.0};
            // Integrate the two linear pieces of the density over the support, in t = x - mode so
            // that large offsets (values near 1e10) do not cancel in the second moment.
            std::array<double, 3> moment{};
            const double t_lo = support_lo - mode, t_hi = support_hi - mode;
            if (mode > low && t_lo < 0.0) {
                const double k = 2.0 / ((high - low) * (mode - low));
                for (int i = 0; i < 3; ++i)
                    moment[i] += linear_piece_moment(i, k * (mode - low), k, t_lo, std::min(t_hi, 0.0));
            }
            if (high > mode && t_hi > 0.0) {
                const double k = 2.0 / ((high - low) * (high - mode));
                for (int i = 0; i < 3; ++i)
                    moment[i] += linear_piece_moment(i, k * (high - mode), -k, std::max(t_lo, 0.0), t_hi);
            }
            const double shift = moment[1] / moment[0];
            return {mode + shift, moment[2] / moment[0] - shift * shift};
        }
        case DistributionKind::pert: {
            const double range = high - low, total = alpha + beta;
            if (!is_truncated)
                return {low + range * alpha / total, range * range * alpha * beta / (total * total * (total + 1.0))};
            const double y_lo = (support_lo - low) / range, y_hi = (support_hi - low) / range;
            // Mass of Beta(a, beta) between y_lo and y_hi, from the tail the window was drawn from.
            const auto mass = [&](double a) {
                if (upper)
                    return boost::math::ibetac(a, beta, y_lo, quiet_policy()) -
                           boost::math::ibetac(a, beta, y_hi, quiet_policy());
                return boost::math::ibeta(a, beta, y_hi, quiet_policy()) -
                       boost::math::ibeta(a, beta, y_lo, quiet_policy());
            };
            const double z = mass(alpha);
            const double m1 = alpha / total * mass(alpha + 1.0) / z;
            const double m2 = alpha * (alpha + 1.0) / (total * (total + 1.0)) * mass(alpha + 2.0) / z;
            return {low + range * m1, range * range * (m2 - m1 * m1)};
        }
        case DistributionKind::normal: {
            if (!is_truncated)
                return {location, scale * scale};
            const double a = (support_lo - location) / scale, b = (support_hi - location) / scale;
            const double z = normal_mass(a, b);
            const double shift = (phi(a) - phi(b)) / z;
            return {location + scale * shift, scale * scale * (1.0 + (z_phi(a) - z_phi(b)) / z - shift * shift)};
        }
        case DistributionKind::lognormal: {
            const double s2 = scale * scale;
            if (!is_truncated)
                return {std::exp(location + 0.5 * s2), std::expm1(s2) * std::exp(2.0 * location + s2)};
            const double a = support_lo > 0.0 ? (std::log(support_lo) - location) / scale : -infinity;
            const double b = (std::log(support_hi) - location) / scale;
            const double z = normal_mass(a, b);
            const double m1 = std::exp(location + 0.5 * s2) * normal_mass(a - scale, b - scale) / z;
            const double m2 = std::exp(2.0 * (location + s2)) * normal_mass(a - 2.0 * scale, b - 2.0 * scale) / z;
            return {m1, m2 - m1 * m1};
        }
        case DistributionKind::discrete:
        case DistributionKind::bernoulli: {
            double mean = 0.0;
            for (std::size_t i = 0; i < values.size(); ++i)
                mean += probabilities[i] * values[i];
            double variance = 0.0;  // second pass, about the mean: no cancellation
            for (std::size_t i = 0; i < values.size(); ++i)
                variance += probabilities[i] * (values[i] - mean) * (values[i] - mean);
            return {mean, variance};
        }
    }
    return {0.0, 0.0};
}

namespace {

// The parameters a kind accepts besides min, max and base, in the order messages list them.
std::vector<std::string_view> kind_parameters(DistributionKind kind) {
    switch (kind) {
        case DistributionKind::uniform: return {"low", "high"};
        case DistributionKind::triangular: return {"low", "mode", "high"};
        case DistributionKind::pert: return {"low", "mode", "high", "lambda"};
        case DistributionKind::normal: return {"mean", "sd"};
        case DistributionKind::lognormal: return {"mean", "sd", "mu", "sigma"};
        case DistributionKind::discrete: return {"values", "weights"};
        case DistributionKind::bernoulli: return {"p", "values"};
    }
    return {};
}

// Every parameter that was given, by name, with its values (one for a number, all for a list).
std::vector<std::pair<std::string_view, std::vector<double>>> given_parameters(const DistributionParams& p) {
    std::vector<std::pair<std::string_view, std::vector<double>>> given;
    const std::pair<std::string_view, const std::optional<double>*> numbers[] = {
        {"low", &p.low}, {"mode", &p.mode}, {"high", &p.high},   {"mean", &p.mean},
        {"sd", &p.sd},   {"mu", &p.mu},     {"sigma", &p.sigma}, {"lambda", &p.lambda},
        {"p", &p.p},     {"min", &p.min},   {"max", &p.max},     {"base", &p.base}};
    for (const auto& [name, value] : numbers)
        if (value->has_value())
            given.emplace_back(name, std::vector<double>{**value});
    if (!p.values.empty())
        given.emplace_back("values", p.values);
    if (!p.weights.empty())
        given.emplace_back("weights", p.weights);
    return given;
}

void require(const std::optional<double>& value, std::string_view name, std::string_view what,
             DistributionKind kind) {
    if (!value)
        fail(std::string(name),
             "expected " + std::string(what) + " for " + std::string(kind_name(kind)) + ", found none");
}

void check_range_params(const DistributionParams& p, bool needs_mode) {
    const std::string kind = std::string(kind_name(p.kind));
    require(p.low, "low", "low", p.kind);
    if (needs_mode)
        require(p.mode, "mode", "mode", p.kind);
    require(p.high, "high", "high", p.kind);
    if (!(*p.low < *p.high))
        fail("low", "expected low below high " + number_text(*p.high) + " for " + kind + ", found " +
                        number_text(*p.low));
    if (needs_mode && (*p.mode < *p.low || *p.mode > *p.high))
        fail("mode", "expected mode within [" + number_text(*p.low) + ", " + number_text(*p.high) + "] for " +
                         kind + ", found " + number_text(*p.mode));
}

void check_positive(const std::optional<double>& value, std::string_view name, DistributionKind kind) {
    if (*value <= 0.0)
        fail(std::string(name), "expected " + std::string(name) + " above 0 for " + std::string(kind_name(kind)) +
                                    ", found " + number_text(*value));
}

// Sorted (value, weight) pairs of a discrete or bernoulli distribution, truncated to [lo, hi].
void build_table(Distribution::State& s, const std::vector<double>& values, const std::vector<double>& weights) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    double total = 0.0;
    for (const std::size_t i : order) {
        if ((s.params.min && values[i] < *s.params.min) || (s.params.max && values[i] > *s.params.max))
            continue;
        s.values.push_back(values[i]);
        s.probabilities.push_back(weights[i]);
        total += weights[i];
    }
    if (!(total > 0.0)) {
        double highest = -infinity;  // of the values with positive weight
        for (std::size_t i = 0; i < values.size(); ++i)
            if (weights[i] > 0.0)
                highest = std::max(highest, values[i]);
        const bool above_all = s.params.min && highest < *s.params.min;
        fail(above_all ? "min" : "max",
             "expected a truncation that keeps a value of positive weight, found none in [" +
                 (s.params.min ? number_text(*s.params.min) : "-inf") + ", " +
                 (s.params.max ? number_text(*s.params.max) : "inf") + "]");
    }
    double running = 0.0;
    for (double& probability : s.probabilities) {
        probability /= total;
        running += probability;
        s.cumulative.push_back(running);
    }
    s.cumulative.back() = 1.0;
    // The support is spanned by the values that carry mass.
    for (std::size_t i = 0; i < s.values.size(); ++i)
        if (s.probabilities[i] > 0.0) {
            s.support_hi = s.values[i];
            if (s.support_lo == -infinity)
                s.support_lo = s.values[i];
        }
}

}  // namespace

Distribution::Distribution(std::shared_ptr<const State> state) noexcept : state_(std::move(state)) {}

Distribution Distribution::make(const DistributionParams& params) {
    auto state = std::make_shared<State>();
    State& s = *state;
    s.params = params;
    DistributionParams& p = s.params;
    s.kind = p.kind;
    const std::string kind = std::string(kind_name(p.kind));

    // Parameters that do not belong to the kind, then non-finite numbers.
    const auto accepted = kind_parameters(p.kind);
    const auto given = given_parameters(p);
    for (const auto& [name, numbers] : given) {
        if (name == "min" || name == "max" || name == "base" ||
            std::find(accepted.begin(), accepted.end(), name) != accepted.end())
            continue;
        std::string expected;
        for (const std::string_view a : accepted)
            expected += (expected.empty() ? "" : ", ") + std::string(a);
        fail(std::string(name), "expected one of " + expected + " for " + kind + ", found " + std::string(name));
    }
    for (const auto& [name, numbers] : given)
        for (const double number : numbers)
            if (!std::isfinite(number))
                fail(std::string(name), "expected a finite number for " + std::string(name) + ", found " +
                                            number_text(number));
    if (p.min && p.max && *p.min > *p.max)
        fail("max", "expected max at or above min " + number_text(*p.min) + ", found " + number_text(*p.max));

    // The shape and its natural support.
    double natural_lo = -infinity, natural_hi = infinity;
    switch (p.kind) {
        case DistributionKind::uniform:
            check_range_params(p, false);
            s.low = *p.low;
            s.high = *p.high;
            natural_lo = s.low;
            natural_hi = s.high;
            break;
        case DistributionKind::triangular:
        case DistributionKind::pert:
            check_range_params(p, true);
            s.low = *p.low;
            s.mode = *p.mode;
            s.high = *p.high;
            natural_lo = s.low;
            natural_hi = s.high;
            if (p.kind == DistributionKind::pert) {
                if (!p.lambda)
                    p.lambda = default_pert_lambda;
                check_positive(p.lambda, "lambda", p.kind);
                s.alpha = 1.0 + *p.lambda * (s.mode - s.low) / (s.high - s.low);
                s.beta = 1.0 + *p.lambda * (s.high - s.mode) / (s.high - s.low);
            }
            break;
        case DistributionKind::normal:
            require(p.mean, "mean", "mean", p.kind);
            require(p.sd, "sd", "sd", p.kind);
            check_positive(p.sd, "sd", p.kind);
            s.location = *p.mean;
            s.scale = *p.sd;
            break;
        case DistributionKind::lognormal: {
            const bool by_moments = p.mean || p.sd, by_log = p.mu || p.sigma;
            if (by_moments && by_log)
                fail(p.mu ? "mu" : "sigma",
                     std::string("expected either mean and sd or mu and sigma for lognormal, found ") +
                         (p.mean ? "mean" : "sd") + " and " + (p.mu ? "mu" : "sigma"));
            if (by_log) {
                require(p.mu, "mu", "mu (with sigma)", p.kind);
                require(p.sigma, "sigma", "sigma (with mu)", p.kind);
                check_positive(p.sigma, "sigma", p.kind);
                s.location = *p.mu;
                s.scale = *p.sigma;
            } else {
                require(p.mean, "mean", "mean and sd, or mu and sigma,", p.kind);
                require(p.sd, "sd", "sd (with mean)", p.kind);
                check_positive(p.mean, "mean", p.kind);
                check_positive(p.sd, "sd", p.kind);
                const double ratio = *p.sd / *p.mean;
                const double log_variance = std::log1p(ratio * ratio);
                s.location = std::log(*p.mean) - 0.5 * log_variance;
                s.scale = std::sqrt(log_variance);
            }
            natural_lo = 0.0;
            break;
        }
        case DistributionKind::discrete:
        case DistributionKind::bernoulli:
            break;
    }

    if (p.kind == DistributionKind::discrete || p.kind == DistributionKind::bernoulli) {
        s.continuous = false;
        std::vector<double> weights;
        if (p.kind == DistributionKind::discrete) {
            if (p.values.empty())
                fail("values", "expected at least one value for discrete, found none");
            if (!p.weights.empty() && p.weights.size() != p.values.size())
                fail("weights", "expected " + std::to_string(p.values.size()) + " weights (one per value), found " +
                                    std::to_string(p.weights.size()));
            weights = p.weights.empty() ? std::vector<double>(p.values.size(), 1.0) : p.weights;
            double total = 0.0;
            for (const double w : weights) {
                if (w < 0.0)
                    fail("weights", "expected weights at or above 0, found " + number_text(w));
                total += w;
            }
            if (!(total > 0.0))
                fail("weights", "expected weights with a positive sum, found " + list_text(weights));
            if (!std::isfinite(total))
                fail("weights", "expected weights with a finite sum, found " + list_text(weights));
        } else {
            require(p.p, "p", "p", p.kind);
            if (*p.p < 0.0 || *p.p > 1.0)
                fail("p", "expected p within [0, 1] for bernoulli, found " + number_text(*p.p));
            if (p.values.empty())
                p.values = {0.0, 1.0};
            if (p.values.size() != 2)
                fail("values", "expected 2 values (if not, if so) for bernoulli, found " +
                                   std::to_string(p.values.size()));
            weights = {1.0 - *p.p, *p.p};
        }
        build_table(s, p.values, weights);
    } else if (p.kind == DistributionKind::uniform) {
        // A truncated uniform is the uniform on the overlap.
        const double lo = p.min ? std::max(s.low, *p.min) : s.low, hi = p.max ? std::min(s.high, *p.max) : s.high;
        if (!(lo < hi))
            fail(p.min && *p.min >= s.high ? "min" : "max",
                 "expected a truncation that keeps part of [" + number_text(s.low) + ", " + number_text(s.high) +
                     "], found none left");
        s.low = s.support_lo = lo;
        s.high = s.support_hi = hi;
    } else {
        s.support_lo = p.min ? std::max(natural_lo, *p.min) : natural_lo;
        s.support_hi = p.max ? std::min(natural_hi, *p.max) : natural_hi;
        if (p.min) {
            s.f_lo = s.lower(*p.min);
            s.s_lo = s.upper_tail(*p.min);
        }
        if (p.max) {
            s.f_hi = s.lower(*p.max);
            s.s_hi = s.upper_tail(*p.max);
        }
        s.upper = s.f_lo > 0.5;
        s.width = s.upper ? s.s_lo - s.s_hi : s.f_hi - s.f_lo;
        if (!(s.width > 0.0) || !(s.support_lo < s.support_hi))
            fail((p.min && *p.min >= natural_hi) || (s.upper && !(p.max && *p.max <= natural_lo)) ? "min" : "max",
                 "expected a truncation that keeps some probability, found none in [" +
                     (p.min ? number_text(*p.min) : "-inf") + ", " + (p.max ? number_text(*p.max) : "inf") + "]");
    }

    if (p.base && (*p.base < s.support_lo || *p.base > s.support_hi))
        fail("base", "expected base within the support [" + number_text(s.support_lo) + ", " +
                         number_text(s.support_hi) + "], found " + number_text(*p.base));
    return Distribution(std::move(state));
}

DistributionKind Distribution::kind() const noexcept { return state_->kind; }

bool Distribution::is_continuous() const noexcept { return state_->continuous; }

double Distribution::quantile(double u) const noexcept { return state_->quantile(u); }

void Distribution::quantiles(std::span<const double> u, std::span<double> out) const noexcept {
    // By chunks that stay in L1 with their scratch; the kind is dispatched once per chunk.
    constexpr std::size_t chunk = 512;
    double scratch[chunk];
    const std::size_t count = std::min(u.size(), out.size());
    for (std::size_t start = 0; start < count; start += chunk)
        state_->quantile_block(u.data() + start, out.data() + start, std::min(chunk, count - start), scratch);
}

double Distribution::cdf(double x) const noexcept { return state_->cdf(x); }

double Distribution::mass_below(double x) const noexcept { return state_->mass_below(x); }

double Distribution::mass_above(double x) const noexcept { return state_->mass_above(x); }

double Distribution::median() const noexcept { return state_->quantile(0.5); }

double Distribution::point_value() const noexcept {
    return state_->params.base ? *state_->params.base : median();
}

double Distribution::mean() const noexcept { return state_->mean_variance().first; }

double Distribution::variance() const noexcept { return state_->mean_variance().second; }

std::optional<double> Distribution::support_min() const noexcept {
    if (std::isinf(state_->support_lo))
        return std::nullopt;
    return state_->support_lo;
}

std::optional<double> Distribution::support_max() const noexcept {
    if (std::isinf(state_->support_hi))
        return std::nullopt;
    return state_->support_hi;
}

Distribution Distribution::truncated_to(std::optional<double> lo, std::optional<double> hi) const {
    DistributionParams narrowed = state_->params;
    if (lo)
        narrowed.min = narrowed.min ? std::max(*narrowed.min, *lo) : *lo;
    if (hi)
        narrowed.max = narrowed.max ? std::min(*narrowed.max, *hi) : *hi;
    if (narrowed.min && narrowed.max && *narrowed.min > *narrowed.max)
        fail(hi ? "max" : "min", "expected a truncation that keeps some probability, found none in [" +
                                     number_text(*narrowed.min) + ", " + number_text(*narrowed.max) + "]");
    return make(narrowed);
}

bool Distribution::truncated() const noexcept {
    return state_->params.min.has_value() || state_->params.max.has_value();
}

const DistributionParams& Distribution::params() const noexcept { return state_->params; }

std::string Distribution::describe() const {
    const DistributionParams& p = state_->params;
    std::string text = std::string(kind_name(p.kind)) + "(";
    bool first = true;
    const auto add = [&](std::string_view name, const std::string& value) {
        text += (first ? "" : ", ") + std::string(name) + " " + value;
        first = false;
    };
    const auto add_number = [&](std::string_view name, const std::optional<double>& value) {
        if (value)
            add(name, number_text(*value));
    };
    add_number("low", p.low);
    add_number("mode", p.mode);
    add_number("high", p.high);
    add_number("lambda", p.lambda);
    add_number("mean", p.mean);
    add_number("sd", p.sd);
    add_number("mu", p.mu);
    add_number("sigma", p.sigma);
    add_number("p", p.p);
    if (!p.values.empty())
        add("values", list_text(p.values));
    if (!p.weights.empty())
        add("weights", list_text(p.weights));
    text += ")";
    if (truncated())
        text += ", truncated to " + (p.min ? "[" + number_text(*p.min) : std::string("(-inf")) + ", " +
                (p.max ? number_text(*p.max) + "]" : std::string("inf)"));
    if (p.base)
        text += ", base " + number_text(*p.base);
    return text;
}

}  // namespace impact::uncertainty
