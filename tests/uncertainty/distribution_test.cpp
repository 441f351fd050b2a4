// Distributions: a million draws and the closed forms against published moments and CDFs, truncation, and refused parameters.
#include "uncertainty/distribution.hpp"
#include "uncertainty/random_stream.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <functional>
#include <iomanip>
#include <numbers>
#include <string>
#include <vector>

using namespace impact::uncertainty;

namespace {

constexpr std::size_t million = 1'000'000;

// A point x of the distribution with its reference P(X <= x), from a source other than the code.
struct Percentile {
    double x, probability;
};

// Draws a million values by inverse CDF of the library's uniforms, then checks: the sample mean
// within 5 standard errors (sd / sqrt n) of `mean`; the sample variance within 5 standard errors
// of `variance`, sqrt((m4 - s^4) / n) with m4 the sample's fourth central moment; the fraction of
// draws <= x within 5 binomial standard errors sqrt(p (1 - p) / n) of each reference probability;
// every draw inside the support; quantiles non-decreasing in u.
void check_draws(const Distribution& d, double mean, double variance, const std::vector<Percentile>& percentiles) {
    INFO(std::setprecision(17) << d.describe() << ", reference mean " << mean << ", variance " << variance);
    std::vector<double> u(million), x(million);
    uniforms(2026, stream_id(d.describe()), 0, u);
    d.quantiles(u, x);
    const double n = static_cast<double>(x.size());
    double sum = 0.0;
    for (const double value : x)
        sum += value;
    const double sample_mean = sum / n;
    double m2 = 0.0, m4 = 0.0;
    for (const double value : x) {
        const double deviation = value - sample_mean;
        m2 += deviation * deviation;
        m4 += deviation * deviation * deviation * deviation;
    }
    const double sample_variance = m2 / (n - 1.0);
    m4 /= n;
    const double mean_tolerance = 5.0 * std::sqrt(variance / n);
    const double variance_tolerance = 5.0 * std::sqrt(std::max(m4 - sample_variance * sample_variance, 0.0) / n);
    INFO(std::setprecision(17) << "sample mean " << sample_mean << " (tolerance " << mean_tolerance
                               << "), sample variance " << sample_variance << " (tolerance " << variance_tolerance
                               << ")");
    CHECK(std::fabs(sample_mean - mean) <= mean_tolerance);
    CHECK(std::fabs(sample_variance - variance) <= variance_tolerance);
    for (const Percentile& p : percentiles) {
        const double below = static_cast<double>(std::count_if(x.begin(), x.end(), [&](double v) { return v <= p.x; }));
        const double fraction = below / n;
        INFO(std::setprecision(17) << "x " << p.x << ": fraction of draws at or below " << fraction << ", reference "
                                   << p.probability);
        CHECK(std::fabs(fraction - p.probability) <= 5.0 * std::sqrt(p.probability * (1.0 - p.probability) / n));
        CHECK(d.cdf(p.x) == Approx(p.probability).margin(1e-12));
    }
    const double lo = d.support_min().value_or(-HUGE_VAL), hi = d.support_max().value_or(HUGE_VAL);
    CHECK(std::all_of(x.begin(), x.end(), [&](double v) { return v >= lo && v <= hi; }));
    // Monotone on a grid of u.
    double previous = -HUGE_VAL;
    for (int i = 1; i < 100'000; ++i) {
        const double value = d.quantile(i / 1e5);
        if (!(value >= previous)) {
            INFO("u " << i / 1e5);
            FAIL("quantile decreased");
        }
        previous = value;
    }
}

// cdf(quantile(u)) == u for a continuous distribution, to 1e-12 absolute.
void check_round_trip(const Distribution& d) {
    for (double u = 0.001; u < 1.0; u += 0.0173) {
        INFO(std::setprecision(17) << d.describe() << ", u " << u << ", quantile " << d.quantile(u));
        CHECK(d.cdf(d.quantile(u)) == Approx(u).margin(1e-12));
        CHECK(d.mass_below(d.quantile(u)) + d.mass_above(d.quantile(u)) == Approx(1.0).margin(1e-12));
    }
}

// The integral of f over [a, b] by composite Simpson's rule on `panels` panels (an independent
// check of the truncated moments).
double simpson(const std::function<double(double)>& f, double a, double b, int panels = 200'000) {
    const double h = (b - a) / panels;
    double sum = f(a) + f(b);
    for (int i = 1; i < panels; ++i)
        sum += f(a + i * h) * (i % 2 == 1 ? 4.0 : 2.0);
    return sum * h / 3.0;
}

ParameterError refusal(const DistributionParams& params) {
    try {
        Distribution::make(params);
    } catch (const ParameterError& e) {
        return e;
    }
    FAIL("parameters accepted");
    return ParameterError("", "");
}

DistributionParams params(DistributionKind kind) {
    DistributionParams p;
    p.kind = kind;
    return p;
}

}  // namespace

TEST_CASE("kind names round-trip, exact lower case only", "[uncertainty][distribution]") {
    for (const auto kind : {DistributionKind::uniform, DistributionKind::triangular, DistributionKind::pert,
                            DistributionKind::normal, DistributionKind::lognormal, DistributionKind::discrete,
                            DistributionKind::bernoulli}) {
        CAPTURE(kind_name(kind));
        CHECK(parse_kind(kind_name(kind)) == kind);
    }
    CHECK(kind_name(DistributionKind::pert) == "pert");
    CHECK_FALSE(parse_kind("Normal"));
    CHECK_FALSE(parse_kind("gaussian"));
    CHECK_FALSE(parse_kind(""));
}

TEST_CASE("uniform: moments and percentiles of a million draws", "[uncertainty][distribution]") {
    auto p = params(DistributionKind::uniform);
    p.low = 2.0;
    p.high = 5.0;
    const auto d = Distribution::make(p);
    // Mean (a + b) / 2, variance (b - a)^2 / 12, F(x) = (x - a) / (b - a).
    CHECK(d.mean() == Approx(3.5).epsilon(1e-15));
    CHECK(d.variance() == Approx(0.75).epsilon(1e-15));
    CHECK(d.median() == 3.5);
    CHECK(d.point_value() == 3.5);
    check_draws(d, 3.5, 0.75, {{2.3, 0.1}, {3.5, 0.5}, {4.85, 0.95}});
    check_round_trip(d);
    CHECK(d.support_min() == 2.0);
    CHECK(d.support_max() == 5.0);
}

TEST_CASE("triangular: closed-form moments, CDF and a million draws", "[uncertainty][distribution]") {
    const double a = 1.2e10, c = 1.35e10, b = 1.5e10;
    auto p = params(DistributionKind::triangular);
    p.low = a;
    p.mode = c;
    p.high = b;
    const auto d = Distribution::make(p);
    // Mean (a + b + c) / 3, variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18, and
    // F(x) = (x - a)^2 / ((b - a)(c - a)) below the mode (e.g. Evans, Hastings and Peacock, Statistical
    // Distributions, ch. "Triangular"). Exact here: the spread is 1.5e9 about a mode at the midpoint.
    const double mean = (a + b + c) / 3.0;
    // With a = c - h and b = c + h: a^2 + b^2 + c^2 - ab - ac - bc = 3 h^2, so the variance is h^2 / 6.
    const double h = 1.5e9;
    CHECK(d.mean() == Approx(mean).epsilon(1e-14));
    CHECK(d.variance() == Approx(h * h / 6.0).epsilon(1e-12));
    CHECK(d.median() == Approx(c).epsilon(1e-15));
    const double x_quarter = a + 0.5 * (c - a);  // F = (h/2)^2 / (2h * h) = 1/8
    check_draws(d, mean, h * h / 6.0, {{x_quarter, 0.125}, {c, 0.5}, {b - 0.5 * h, 0.875}});
    check_round_trip(d);
    CHECK(d.describe() == "triangular(low 1.2e+10, mode 1.35e+10, high 1.5e+10)");
    CHECK(d.truncated_to(1.25e10, std::nullopt).describe() ==
          "triangular(low 1.2e+10, mode 1.35e+10, high 1.5e+10), truncated to [1.25e+10, inf)");

    // Mode at an end (a right triangle): mean (2a + b) / 3 when c = a.
    auto right = params(DistributionKind::triangular);
    right.low = 0.0;
    right.mode = 0.0;
    right.high = 3.0;
    const auto r = Distribution::make(right);
    CHECK(r.mean() == Approx(1.0).epsilon(1e-15));
    check_draws(r, 1.0, 0.5, {{1.5, 0.75}});  // variance (0 + 9 + 0 - 0 - 0 - 0) / 18; F(1.5) = 1 - 1.5^2 / 9
}

TEST_CASE("pert: closed-form moments, Beta CDF and a million draws", "[uncertainty][distribution]") {
    auto p = params(DistributionKind::pert);
    p.low = 0.0;
    p.mode = 2.0;
    p.high = 10.0;
    const auto d = Distribution::make(p);
    // Mean (a + lambda m + b) / (lambda + 2) = 18 / 6 = 3 (Vose, Risk Analysis, 3rd ed., PERT). With
    // alpha = 1 + 4 * 0.2 = 1.8 and beta = 1 + 4 * 0.8 = 4.2 the Beta variance alpha beta /
    // ((alpha + beta)^2 (alpha + beta + 1)) = 7.56 / 252 = 0.03, times (b - a)^2 = 100: 3.
    CHECK(d.mean() == Approx(3.0).epsilon(1e-14));
    CHECK(d.variance() == Approx(3.0).epsilon(1e-14));
    CHECK(*d.params().lambda == 4.0);
    const boost::math::beta_distribution<> beta(1.8, 4.2);
    std::vector<Percentile> percentiles;
    for (const double x : {0.5, 2.0, 3.0, 6.0, 9.0})
        percentiles.push_back({x, boost::math::cdf(beta, x / 10.0)});
    check_draws(d, 3.0, 3.0, percentiles);
    check_round_trip(d);

    p.lambda = 2.0;  // mean (0 + 4 + 10) / 4 = 3.5
    CHECK(Distribution::make(p).mean() == Approx(3.5).epsilon(1e-14));
}

TEST_CASE("normal: moments, CDF and a million draws", "[uncertainty][distribution]") {
    auto p = params(DistributionKind::normal);
    p.mean = 100.0;
    p.sd = 15.0;
    const auto d = Distribution::make(p);
    CHECK(d.mean() == 100.0);
    CHECK(d.variance() == 225.0);
    CHECK(d.median() == 100.0);
    CHECK_FALSE(d.support_min());
    CHECK_FALSE(d.support_max());
    // Phi(-1) = 0.158655253931457051, Phi(1.96) = 0.975002104851780 (standard tables, e.g. Abramowitz
    // and Stegun 26.2), Phi(-3) = 0.00134989803163009.
    check_draws(d, 100.0, 225.0, {{85.0, 0.158655253931457051}, {129.4, 0.975002104851780}, {55.0, 0.00134989803163009}});
    check_round_trip(d);
    p.base = 90.0;
    CHECK(Distribution::make(p).point_value() == 90.0);
}

TEST_CASE("lognormal: both parametrisations, moments, CDF and a million draws", "[uncertainty][distribution]") {
    auto p = params(DistributionKind::lognormal);
    p.mu = 1.0;
    p.sigma = 0.5;
    const auto d = Distribution::make(p);
    // Mean exp(mu + sigma^2 / 2), variance (exp(sigma^2) - 1) exp(2 mu + sigma^2), median exp(mu).
    const double mean = std::exp(1.125), variance = (std::exp(0.25) - 1.0) * std::exp(2.25);
    CHECK(d.mean() == Approx(mean).epsilon(1e-14));
    CHECK(d.variance() == Approx(variance).epsilon(1e-13));
    CHECK(d.median() == Approx(std::exp(1.0)).epsilon(1e-15));
    const boost::math::lognormal_distribution<> reference(1.0, 0.5);
    std::vector<Percentile> percentiles;
    for (const double x : {1.0, 2.0, 2.718281828459045, 5.0, 9.0})
        percentiles.push_back({x, boost::math::cdf(reference, x)});
    check_draws(d, mean, variance, percentiles);
    check_round_trip(d);

    // By the variable's own mean and sd: 12e9 and 3e9 give back exactly those moments.
    auto by_moments = params(DistributionKind::lognormal);
    by_moments.mean = 12e9;
    by_moments.sd = 3e9;
    const auto m = Distribution::make(by_moments);
    CHECK(m.mean() == Approx(12e9).epsilon(1e-12));
    CHECK(std::sqrt(m.variance()) == Approx(3e9).epsilon(1e-12));
    // sigma^2 = ln(1 + 1/16), median exp(mu) = m / sqrt(1 + s^2/m^2).
    CHECK(m.median() == Approx(12e9 / std::sqrt(1.0625)).epsilon(1e-13));
    check_draws(m, 12e9, 9e18, {{12e9 / std::sqrt(1.0625), 0.5}});
}

TEST_CASE("discrete and bernoulli: sorted values, the smallest value reaching u, moments", "[uncertainty][distribution]") {
    auto p = params(DistributionKind::discrete);
    p.values = {3.0, 1.0, 2.0};
    p.weights = {2.0, 5.0, 3.0};  // normalised 0.2, 0.5, 0.3
    const auto d = Distribution::make(p);
    CHECK_FALSE(d.is_continuous());
    // Sorted 1, 2, 3 with cumulative 0.5, 0.8, 1.
    CHECK(d.quantile(1e-12) == 1.0);
    CHECK(d.quantile(0.5) == 1.0);
    CHECK(d.quantile(0.5000001) == 2.0);
    CHECK(d.quantile(0.8) == 2.0);
    CHECK(d.quantile(0.8000001) == 3.0);
    CHECK(d.median() == 1.0);
    CHECK(d.cdf(2.0) == Approx(0.8).epsilon(1e-15));
    CHECK(d.mass_below(2.0) == Approx(0.5).epsilon(1e-15));
    CHECK(d.mass_above(2.0) == Approx(0.2).epsilon(1e-14));
    // Mean 0.5 + 0.6 + 0.6 = 1.7; E[X^2] = 0.5 + 1.2 + 1.8 = 3.5; variance 3.5 - 2.89 = 0.61.
    CHECK(d.mean() == Approx(1.7).epsilon(1e-15));
    CHECK(d.variance() == Approx(0.61).epsilon(1e-14));
    check_draws(d, 1.7, 0.61, {{1.0, 0.5}, {2.0, 0.8}, {2.5, 0.8}});

    auto coin = params(DistributionKind::bernoulli);
    coin.p = 0.3;
    const auto b = Distribution::make(coin);
    CHECK(b.params().values == std::vector<double>{0.0, 1.0});
    CHECK(b.quantile(0.7) == 0.0);  // "so" (values[1]) when u > 1 - p
    CHECK(b.quantile(std::nextafter(0.7, 1.0)) == 1.0);
    check_draws(b, 0.3, 0.21, {{0.0, 0.7}});  // mean p, variance p (1 - p)

    // A loss that happens with probability p: if_so below if_not. The inverse CDF stays
    // non-decreasing, so "so" comes for u <= p.
    coin.values = {0.0, -1e9};
    const auto loss = Distribution::make(coin);
    CHECK(loss.quantile(0.3) == -1e9);
    CHECK(loss.quantile(std::nextafter(0.3, 1.0)) == 0.0);
    CHECK(loss.mean() == Approx(-0.3e9).epsilon(1e-15));
    CHECK(loss.support_min() == -1e9);
    CHECK(loss.support_max() == 0.0);
}

TEST_CASE("truncated normal: closed-form mean, draws inside, far tails", "[uncertainty][truncation]") {
    auto p = params(DistributionKind::normal);
    p.mean = 0.0;
    p.sd = 1.0;
    p.min = -1.0;
    p.max = 2.0;
    const auto d = Distribution::make(p);
    CHECK(d.truncated());
    // Mean (phi(-1) - phi(2)) / (Phi(2) - Phi(-1)) and variance 1 + (-phi(-1) - 2 phi(2)) / Z - mean^2
    // (Johnson, Kotz and Balakrishnan, Continuous Univariate Distributions vol. 1, 13.10).
    const auto density = [](double z) { return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi); };
    const auto Phi = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
    const double z = Phi(2.0) - Phi(-1.0);
    const double mean = (density(-1.0) - density(2.0)) / z;
    const double variance = 1.0 + (-1.0 * density(-1.0) - 2.0 * density(2.0)) / z - mean * mean;
    CHECK(d.mean() == Approx(mean).epsilon(1e-13));
    CHECK(d.variance() == Approx(variance).epsilon(1e-13));
    CHECK(d.support_min() == -1.0);
    CHECK(d.support_max() == 2.0);
    check_draws(d, mean, variance, {{0.0, (0.5 - Phi(-1.0)) / z}, {1.0, (Phi(1.0) - Phi(-1.0)) / z}});
    check_round_trip(d);
    CHECK(d.quantile(1e-300) >= -1.0);
    CHECK(d.quantile(1.0 - 1e-16) <= 2.0);
    // Truncating through truncated_to gives the same distribution.
    p.min.reset();
    p.max.reset();
    const auto clipped = Distribution::make(p).truncated_to(-1.0, 2.0);
    for (double u = 0.01; u < 1.0; u += 0.07)
        CHECK(clipped.quantile(u) == d.quantile(u));

    // Far upper tail [8, inf): drawn from the survival function, so draws stay distinct and above
    // 8; mean phi(8) / Q(8) with Q(8) = 6.22096057427178e-16 (Boost.Math's complemented cdf).
    auto tail = params(DistributionKind::normal);
    tail.mean = 0.0;
    tail.sd = 1.0;
    tail.min = 8.0;
    const auto t = Distribution::make(tail);
    const double q8 = boost::math::cdf(boost::math::complement(boost::math::normal(), 8.0));
    CHECK(t.mean() == Approx(density(8.0) / q8).epsilon(1e-12));
    CHECK(t.quantile(0.5) > 8.0);
    CHECK(t.quantile(0.25) < t.quantile(0.5));
    CHECK(t.cdf(t.quantile(0.3)) == Approx(0.3).margin(1e-12));
}

TEST_CASE("truncated triangular, pert and lognormal: moments against numerical integration", "[uncertainty][truncation]") {
    // Reference: Simpson's rule on the untruncated density (its own closed form), 200,000 panels.
    const auto check_moments = [](const DistributionParams& p, const std::function<double(double)>& density, double lo,
                                  double hi) {
        const auto d = Distribution::make(p);
        const double mass = simpson(density, lo, hi);
        const double mean = simpson([&](double x) { return x * density(x); }, lo, hi) / mass;
        const double variance = simpson([&](double x) { return (x - mean) * (x - mean) * density(x); }, lo, hi) / mass;
        INFO(std::setprecision(17) << d.describe() << ": mean " << d.mean() << " vs " << mean << ", variance "
                                   << d.variance() << " vs " << variance);
        CHECK(d.mean() == Approx(mean).epsilon(1e-9));
        CHECK(d.variance() == Approx(variance).epsilon(1e-8));
        check_draws(d, mean, variance, {});
    };
    auto tri = params(DistributionKind::triangular);
    tri.low = 1.0;
    tri.mode = 4.0;
    tri.high = 6.0;
    tri.min = 2.0;
    tri.max = 5.5;
    check_moments(tri, [](double x) { return x <= 4.0 ? 2.0 * (x - 1.0) / (5.0 * 3.0) : 2.0 * (6.0 - x) / (5.0 * 2.0); },
                  2.0, 5.5);
    auto pert = params(DistributionKind::pert);
    pert.low = 0.0;
    pert.mode = 2.0;
    pert.high = 10.0;
    pert.min = 1.0;
    pert.max = 7.0;
    const boost::math::beta_distribution<> beta(1.8, 4.2);
    check_moments(pert, [&](double x) { return boost::math::pdf(beta, x / 10.0) / 10.0; }, 1.0, 7.0);
    pert.min = 6.0;  // a window above the median, drawn from the upper tail
    pert.max.reset();
    check_moments(pert, [&](double x) { return boost::math::pdf(beta, x / 10.0) / 10.0; }, 6.0, 10.0);
    auto logn = params(DistributionKind::lognormal);
    logn.mu = 0.0;
    logn.sigma = 1.0;
    logn.max = 3.0;
    const boost::math::lognormal_distribution<> reference(0.0, 1.0);
    check_moments(logn, [&](double x) { return x <= 0.0 ? 0.0 : boost::math::pdf(reference, x); }, 1e-12, 3.0);
}

TEST_CASE("truncation of uniform and discrete; truncated_to refuses an empty window", "[uncertainty][truncation]") {
    auto u = params(DistributionKind::uniform);
    u.low = 0.0;
    u.high = 10.0;
    u.min = 2.0;
    const auto d = Distribution::make(u);
    CHECK(d.mean() == 6.0);
    CHECK(d.quantile(1e-300) >= 2.0);
    CHECK(d.cdf(6.0) == Approx(0.5).epsilon(1e-15));

    auto values = params(DistributionKind::discrete);
    values.values = {1.0, 2.0, 3.0, 4.0};
    values.max = 3.5;
    const auto v = Distribution::make(values);
    CHECK(v.mean() == Approx(2.0).epsilon(1e-15));
    CHECK(v.support_max() == 3.0);

    u.min.reset();
    const auto plain = Distribution::make(u);
    CHECK(refusal([&] {
              auto q = u;
              q.min = 11.0;
              return q;
          }()).parameter == "min");
    try {
        (void)plain.truncated_to(11.0, std::nullopt);
        FAIL("empty window accepted");
    } catch (const ParameterError& e) {
        CHECK(e.parameter == "min");
    }
    try {
        (void)plain.truncated_to(std::nullopt, -1.0);
        FAIL("empty window accepted");
    } catch (const ParameterError& e) {
        CHECK(e.parameter == "max");
    }
    CHECK(plain.truncated_to(std::nullopt, 5.0).mean() == 2.5);
}

TEST_CASE("every bad parameter is refused naming it, in one 'expected ..., found ...' sentence",
          "[uncertainty][parameters]") {
    using K = DistributionKind;
    struct Case {
        const char* what;
        DistributionParams params;
        const char* parameter;
    };
    const auto make = [](K kind, const std::function<void(DistributionParams&)>& set) {
        DistributionParams p;
        p.kind = kind;
        set(p);
        return p;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const Case cases[] = {
        {"uniform without high", make(K::uniform, [](auto& p) { p.low = 1; }), "high"},
        {"uniform without low", make(K::uniform, [](auto& p) { p.high = 1; }), "low"},
        {"uniform low > high", make(K::uniform, [](auto& p) { p.low = 5; p.high = 3; }), "low"},
        {"uniform low = high", make(K::uniform, [](auto& p) { p.low = 3; p.high = 3; }), "low"},
        {"uniform with mode", make(K::uniform, [](auto& p) { p.low = 0; p.high = 1; p.mode = 0.5; }), "mode"},
        {"triangular without mode", make(K::triangular, [](auto& p) { p.low = 0; p.high = 1; }), "mode"},
        {"triangular mode above high", make(K::triangular, [](auto& p) { p.low = 0; p.mode = 2; p.high = 1; }), "mode"},
        {"pert mode below low", make(K::pert, [](auto& p) { p.low = 0; p.mode = -1; p.high = 1; }), "mode"},
        {"pert lambda 0", make(K::pert, [](auto& p) { p.low = 0; p.mode = 0.5; p.high = 1; p.lambda = 0; }), "lambda"},
        {"normal without mean", make(K::normal, [](auto& p) { p.sd = 1; }), "mean"},
        {"normal without sd", make(K::normal, [](auto& p) { p.mean = 1; }), "sd"},
        {"normal sd 0", make(K::normal, [](auto& p) { p.mean = 1; p.sd = 0; }), "sd"},
        {"normal sd negative", make(K::normal, [](auto& p) { p.mean = 1; p.sd = -2; }), "sd"},
        {"normal mean NaN", make(K::normal, [&](auto& p) { p.mean = nan; p.sd = 1; }), "mean"},
        {"normal sd infinite", make(K::normal, [&](auto& p) { p.mean = 0; p.sd = inf; }), "sd"},
        {"normal with mode", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.mode = 0; }), "mode"},
        {"normal with p", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.p = 0.5; }), "p"},
        {"lognormal both ways", make(K::lognormal, [](auto& p) { p.mean = 1; p.sd = 1; p.mu = 0; p.sigma = 1; }), "mu"},
        {"lognormal mixed", make(K::lognormal, [](auto& p) { p.mean = 1; p.sigma = 1; }), "sigma"},
        {"lognormal mean 0", make(K::lognormal, [](auto& p) { p.mean = 0; p.sd = 1; }), "mean"},
        {"lognormal mean negative", make(K::lognormal, [](auto& p) { p.mean = -1; p.sd = 1; }), "mean"},
        {"lognormal sigma 0", make(K::lognormal, [](auto& p) { p.mu = 0; p.sigma = 0; }), "sigma"},
        {"lognormal mu alone", make(K::lognormal, [](auto& p) { p.mu = 0; }), "sigma"},
        {"lognormal nothing", make(K::lognormal, [](auto&) {}), "mean"},
        {"bernoulli p above 1", make(K::bernoulli, [](auto& p) { p.p = 1.5; }), "p"},
        {"bernoulli p below 0", make(K::bernoulli, [](auto& p) { p.p = -0.1; }), "p"},
        {"bernoulli without p", make(K::bernoulli, [](auto&) {}), "p"},
        {"bernoulli three values", make(K::bernoulli, [](auto& p) { p.p = 0.5; p.values = {1, 2, 3}; }), "values"},
        {"bernoulli weights", make(K::bernoulli, [](auto& p) { p.p = 0.5; p.weights = {1, 1}; }), "weights"},
        {"discrete no values", make(K::discrete, [](auto&) {}), "values"},
        {"discrete negative weight", make(K::discrete, [](auto& p) { p.values = {1, 2}; p.weights = {1, -1}; }), "weights"},
        {"discrete NaN weight", make(K::discrete, [&](auto& p) { p.values = {1, 2}; p.weights = {1, nan}; }), "weights"},
        {"discrete weight count", make(K::discrete, [](auto& p) { p.values = {1, 2}; p.weights = {1}; }), "weights"},
        {"discrete zero weights", make(K::discrete, [](auto& p) { p.values = {1, 2}; p.weights = {0, 0}; }), "weights"},
        {"discrete infinite value", make(K::discrete, [&](auto& p) { p.values = {1, inf}; }), "values"},
        {"discrete with sd", make(K::discrete, [](auto& p) { p.values = {1}; p.sd = 1; }), "sd"},
        {"min above max", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.min = 2; p.max = 1; }), "max"},
        {"normal min beyond all mass", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.min = 40; }), "min"},
        {"normal max below all mass", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.max = -40; }), "max"},
        {"uniform min above high", make(K::uniform, [](auto& p) { p.low = 0; p.high = 1; p.min = 2; }), "min"},
        {"uniform max below low", make(K::uniform, [](auto& p) { p.low = 0; p.high = 1; p.max = -1; }), "max"},
        {"triangular min = max", make(K::triangular, [](auto& p) { p.low = 0; p.mode = 1; p.high = 2; p.min = 1; p.max = 1; }), "max"},
        {"lognormal max at 0", make(K::lognormal, [](auto& p) { p.mu = 0; p.sigma = 1; p.max = 0; }), "max"},
        {"pert min at high", make(K::pert, [](auto& p) { p.low = 0; p.mode = 1; p.high = 2; p.min = 2; }), "min"},
        {"discrete min above values", make(K::discrete, [](auto& p) { p.values = {1, 2}; p.min = 3; }), "min"},
        {"discrete max below values", make(K::discrete, [](auto& p) { p.values = {1, 2}; p.max = 0; }), "max"},
        {"min NaN", make(K::normal, [&](auto& p) { p.mean = 0; p.sd = 1; p.min = nan; }), "min"},
        {"base outside uniform", make(K::uniform, [](auto& p) { p.low = 0; p.high = 1; p.base = 2; }), "base"},
        {"base outside truncation", make(K::normal, [](auto& p) { p.mean = 0; p.sd = 1; p.min = 0; p.base = -1; }), "base"},
        {"base outside lognormal", make(K::lognormal, [](auto& p) { p.mu = 0; p.sigma = 1; p.base = -1; }), "base"},
    };
    for (const Case& c : cases) {
        const ParameterError e = refusal(c.params);
        const std::string message = e.what();
        INFO(c.what << ": parameter '" << e.parameter << "', message '" << message << "'");
        CHECK(e.parameter == c.parameter);
        CHECK(message.rfind("expected ", 0) == 0);
        CHECK(message.find(", found ") != std::string::npos);
        CHECK(message.find('\n') == std::string::npos);
    }
    auto uniform_with_mode = params(DistributionKind::uniform);
    uniform_with_mode.low = 0;
    uniform_with_mode.high = 1;
    uniform_with_mode.mode = 0.5;
    CHECK(std::string(refusal(uniform_with_mode).what()) == "expected one of low, high for uniform, found mode");
}

TEST_CASE("quantiles by block give the per-value quantile's bits for every kind, truncated or not",
          "[uncertainty][distribution]") {
    // Reference: Distribution::quantile(u), one value at a time, compared bit for bit (NaN included).
    const auto bits = [](double x) { return std::bit_cast<uint64_t>(x); };
    std::vector<double> all_u(100'000);
    uniforms(31, stream_id("block.quantiles"), 0, all_u);
    for (double e = -300.0; e < -0.3; e += 0.5) {
        all_u.push_back(std::pow(10.0, e));
        all_u.push_back(1.0 - std::pow(10.0, e));
    }
    for (const double edge : {0x1p-53, 1 - 0x1p-53, 0.0, -0.0, 1.0, -0.5, 1.5, 0.5, 0.075, 0.925, 4.9e-324,
                              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                              std::numeric_limits<double>::quiet_NaN()})
        all_u.push_back(edge);

    std::vector<DistributionParams> cases;
    const auto add = [&](DistributionKind kind, const std::function<void(DistributionParams&)>& set) {
        DistributionParams p;
        p.kind = kind;
        set(p);
        cases.push_back(p);
    };
    using K = DistributionKind;
    add(K::uniform, [](DistributionParams& p) { p.low = 1.2e10; p.high = 1.5e10; });
    add(K::uniform, [](DistributionParams& p) { p.low = -1.0; p.high = 3.0; p.min = 0.5; p.max = 2.5; });
    add(K::triangular, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; });
    add(K::triangular, [](DistributionParams& p) { p.low = 0.0; p.mode = 0.0; p.high = 1.0; });
    add(K::triangular, [](DistributionParams& p) { p.low = 0.0; p.mode = 1.0; p.high = 1.0; });
    add(K::triangular, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; p.min = 1.25e10; });
    // A window above the median: drawn through the survival function.
    add(K::triangular, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; p.min = 1.45e10; });
    add(K::pert, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; });
    add(K::pert, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; p.max = 1.4e10; });
    add(K::pert, [](DistributionParams& p) { p.low = 1.2e10; p.mode = 1.35e10; p.high = 1.5e10; p.min = 1.45e10; });
    add(K::normal, [](DistributionParams& p) { p.mean = 0.06; p.sd = 0.01; });
    add(K::normal, [](DistributionParams& p) { p.mean = 0.06; p.sd = 0.01; p.min = 0.05; p.max = 0.09; });
    add(K::normal, [](DistributionParams& p) { p.mean = 0.0; p.sd = 1.0; p.min = 6.0; });
    add(K::normal, [](DistributionParams& p) { p.mean = 0.0; p.sd = 1.0; p.max = -6.0; });
    add(K::lognormal, [](DistributionParams& p) { p.mean = 12e9; p.sd = 3e9; });
    add(K::lognormal, [](DistributionParams& p) { p.mean = 12e9; p.sd = 3e9; p.max = 2e10; });
    add(K::lognormal, [](DistributionParams& p) { p.mu = 0.0; p.sigma = 0.5; p.min = 2.0; });
    add(K::discrete, [](DistributionParams& p) { p.values = {1, 2, 3, 4, 5, 6, 7, 8}; p.weights = {1, 2, 3, 4, 4, 3, 2, 1}; });
    add(K::discrete, [](DistributionParams& p) { p.values = {1, 2, 3, 4, 5, 6, 7, 8}; p.weights = {1, 0, 3, 4, 4, 3, 2, 0}; p.min = 2; });
    add(K::bernoulli, [](DistributionParams& p) { p.p = 0.3; });
    add(K::bernoulli, [](DistributionParams& p) { p.p = 0.3; p.values = {5.0, -5.0}; });

    for (const DistributionParams& params : cases) {
        const Distribution d = Distribution::make(params);
        // Boost's ibeta_inv throws an evaluation_error, whatever the policy, for these PERT shapes
        // at probabilities below about 1e-150 (through noexcept: std::terminate), in quantile()
        // as in quantiles(); uniform draws never go below 2^-53, so such u are left out for PERT.
        std::vector<double> u = all_u;
        if (params.kind == DistributionKind::pert)
            std::erase_if(u, [](double v) { return v > 0.0 && v < 1e-100; });
        std::vector<double> block(u.size());
        d.quantiles(u, block);
        // In place (out is u itself) and split at an odd offset, too.
        std::vector<double> in_place = u, split(u.size());
        d.quantiles(in_place, in_place);
        d.quantiles(std::span<const double>(u).first(4097), std::span<double>(split).first(4097));
        d.quantiles(std::span<const double>(u).subspan(4097), std::span<double>(split).subspan(4097));
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < u.size(); ++i) {
            const double expected = d.quantile(u[i]);
            if (bits(block[i]) != bits(expected) || bits(in_place[i]) != bits(expected) ||
                bits(split[i]) != bits(expected)) {
                if (++mismatches <= 3) {
                    INFO(std::setprecision(17) << d.describe() << ": u " << u[i] << ", per value " << expected
                                               << ", block " << block[i] << ", in place " << in_place[i]
                                               << ", split " << split[i]);
                    CHECK(bits(block[i]) == bits(expected));
                }
            }
        }
        INFO(d.describe() << ": " << mismatches << " of " << u.size() << " differ");
        CHECK(mismatches == 0);
    }
}
