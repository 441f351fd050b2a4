// impact sensitivity: Ishigami's closed-form Sobol indices, a linear model's closed-form tornado, Spearman by hand, determinism, errors, the CLI.
#include "scenario_test_support.hpp"

#include "support/json_parse.hpp"
#include "support/process.hpp"

#include "scenario/sensitivity.hpp"
#include "scenario/simulation.hpp"
#include "uncertainty/random_stream.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using impact::scenario::SensitivityOptions;
using impact::scenario::SensitivityResult;
using impact::test::CommandResult;

constexpr double kPi = std::numbers::pi;

const impact::host::Registry& test_registry() {
    static const impact::host::Registry registry = impact::host::Registry::discover(
        {{fs::path(IMPACT_PLUGIN_OUTPUT_DIR), "bundled"}, {fs::path(IMPACT_SENSITIVITY_PLUGIN_DIR), "test"}});
    return registry;
}

struct Analysed {
    impact::scenario::Scenario scenario;
    impact::scenario::RunResult run;
    SensitivityResult result;
};

Analysed analyse(const TempDir& dir, const std::string& toml, SensitivityOptions options) {
    const fs::path file = dir.path() / "sensitivity.toml";
    write_file(file, toml);
    Analysed a;
    a.scenario = impact::scenario::read_scenario_file(file);
    impact::scenario::RunOptions run_options;
    run_options.keep_plans = true;
    run_options.cases = !a.scenario.cases.empty();
    a.run = impact::scenario::run_scenario(a.scenario, test_registry(), impact::scenario::RunMode::run, run_options);
    a.result = impact::scenario::analyse_sensitivity(a.scenario, a.run, options);
    return a;
}

const impact::scenario::SobolIndex& sobol_of(const SensitivityResult& r, std::string_view input) {
    for (const auto& s : r.sobol)
        if (s.input == input) return s;
    throw std::runtime_error("no Sobol index for " + std::string(input));
}

const impact::scenario::TornadoBar& bar_of(const SensitivityResult& r, std::string_view input) {
    for (const auto& b : r.tornado)
        if (b.input == input) return b;
    throw std::runtime_error("no tornado bar for " + std::string(input));
}

// The estimate is within 3 half-widths of its 95% bootstrap interval of the reference, and the
// interval is narrow enough to mean something.
void check_within_interval(std::string_view what, double estimate, double low, double high, double reference,
                           double max_half_width) {
    const double half = (high - low) / 2;
    INFO(what << ": estimate " << estimate << " [" << low << ", " << high << "], reference " << reference);
    CHECK(half > 0);
    CHECK(half < max_half_width);
    CHECK(std::abs(estimate - reference) <= 3 * half);
}

const std::string kIshigami = R"(
[scenario]
name = "Ishigami"

[[step]]
id = "ish"
model = "test.ishigami"
x1 = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
x2 = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
x3 = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
)";

TEST_CASE("Ishigami: first-order and total Sobol indices agree with the closed form within their bootstrap intervals",
          "[sensitivity][sobol]") {
    // Closed forms for a = 7, b = 0.1, x_i ~ U(-pi, pi): Ishigami and Homma (1990); Sobol' and
    // Levitan (1999); Saltelli et al., "Global Sensitivity Analysis: The Primer" (2008), 4.9.
    const double a = 7, b = 0.1;
    const double v1 = 0.5 * std::pow(1 + b * std::pow(kPi, 4) / 5, 2);
    const double v2 = a * a / 8;
    const double vt3 = 8 * b * b * std::pow(kPi, 8) / 225;
    const double variance = v1 + v2 + vt3;  // = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
    REQUIRE(variance == Approx(a * a / 8 + b * std::pow(kPi, 4) / 5 + b * b * std::pow(kPi, 8) / 18 + 0.5).epsilon(1e-12));

    TempDir dir;
    SensitivityOptions options;
    options.output = "ish.y";
    options.draws = 40'000;
    options.seed = 7;
    options.threads = 2;
    const Analysed a_run = analyse(dir, kIshigami, options);
    const SensitivityResult& r = a_run.result;
    REQUIRE(r.sobol_status == "computed");
    REQUIRE(r.sobol.size() == 3);
    CHECK(r.sobol_evaluations == 40'000u * 5);
    INFO("variance " << r.sobol_variance << ", closed form " << variance);
    CHECK(std::abs(r.sobol_variance - variance) < 0.05 * variance);

    const auto& x1 = sobol_of(r, "ish.x1");
    const auto& x2 = sobol_of(r, "ish.x2");
    const auto& x3 = sobol_of(r, "ish.x3");
    check_within_interval("S1", x1.first_order, x1.first_order_low, x1.first_order_high, v1 / variance, 0.03);
    check_within_interval("S2", x2.first_order, x2.first_order_low, x2.first_order_high, v2 / variance, 0.03);
    check_within_interval("S3", x3.first_order, x3.first_order_low, x3.first_order_high, 0.0, 0.03);
    check_within_interval("ST1", x1.total, x1.total_low, x1.total_high, (v1 + vt3) / variance, 0.03);
    check_within_interval("ST2", x2.total, x2.total_low, x2.total_high, v2 / variance, 0.03);
    check_within_interval("ST3", x3.total, x3.total_low, x3.total_high, vt3 / variance, 0.03);
    // Ranked by total index: x1 (0.558), x2 (0.442), x3 (0.244).
    CHECK(r.sobol[0].input == "ish.x1");
    CHECK(r.sobol[1].input == "ish.x2");
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST_CASE("Sensitivity: every figure is bit-identical on one thread and on three", "[sensitivity][determinism]") {
    TempDir dir;
    SensitivityOptions options;
    options.output = "ish.y";
    options.draws = 9'000;  // not a multiple of the 4096-draw block
    options.threads = 1;
    const SensitivityResult one = analyse(dir, kIshigami, options).result;
    options.threads = 3;
    const SensitivityResult three = analyse(dir, kIshigami, options).result;
    REQUIRE(one.sobol.size() == three.sobol.size());
    for (std::size_t i = 0; i < one.sobol.size(); ++i) {
        INFO(one.sobol[i].input);
        CHECK(one.sobol[i].input == three.sobol[i].input);
        CHECK(same_bits(one.sobol[i].first_order, three.sobol[i].first_order));
        CHECK(same_bits(one.sobol[i].first_order_low, three.sobol[i].first_order_low));
        CHECK(same_bits(one.sobol[i].total, three.sobol[i].total));
        CHECK(same_bits(one.sobol[i].total_high, three.sobol[i].total_high));
    }
    REQUIRE(one.rank.size() == three.rank.size());
    for (std::size_t i = 0; i < one.rank.size(); ++i) {
        CHECK(one.rank[i].input == three.rank[i].input);
        CHECK(same_bits(*one.rank[i].spearman, *three.rank[i].spearman));
    }
    CHECK(same_bits(one.sobol_variance, three.sobol_variance));
}

// y = 2 x1 - 3 x2 + 0.5 x3 + 4 x4 + x5 + 0 x6 + 10: four distributions (one without effect), a range
// and a value set by cases.
const std::string kLinear = R"(
[scenario]
name = "Linear"

[[step]]
id = "lin"
expr = "2*x1 - 3*x2 + 0.5*x3 + 4*x4 + x5 + 0*x6 + 10"
x1 = { dist = "uniform", low = 0, high = 10 }
x2 = { dist = "normal", mean = 5, sd = 2 }
x3 = { dist = "triangular", low = 1, mode = 2, high = 6 }
x4 = { low = 1, high = 3 }
x5 = 1
x6 = { dist = "uniform", low = 0, high = 1 }

[[case]]
name = "low"
lin.x5 = 0

[[case]]
name = "high"
lin.x5 = 4
)";

TEST_CASE("Linear model: tornado swings, elasticities and Sobol indices have closed forms", "[sensitivity][tornado]") {
    TempDir dir;
    SensitivityOptions options;
    options.output = "lin.value";
    options.draws = 20'000;
    const SensitivityResult r = analyse(dir, kLinear, options).result;

    // Closed-form quantiles: uniform low + u (high - low); normal mean + z_u sd with
    // z_0.9 = 1.2815515655446004; triangular (1, 2, 6): 1 + sqrt(5 u) below its mode's
    // u = 0.2, 6 - sqrt(20 (1 - u)) above.
    const double z90 = 1.2815515655446004;
    struct Reference {
        const char* input;
        double coefficient, point, low, high;
        const char* source;
    };
    const std::vector<Reference> references{
        {"lin.x1", 2, 5, 1, 9, "distribution"},
        {"lin.x2", -3, 5, 5 - z90 * 2, 5 + z90 * 2, "distribution"},
        {"lin.x3", 0.5, 6 - std::sqrt(10.0), 1 + std::sqrt(0.5), 6 - std::sqrt(2.0), "distribution"},
        {"lin.x4", 4, 2, 1, 3, "range"},
        {"lin.x5", 1, 1, 0, 4, "cases"},
        {"lin.x6", 0, 0.5, 0.1, 0.9, "distribution"},
    };
    double y0 = 10;
    for (const Reference& ref : references) y0 += ref.coefficient * ref.point;
    CHECK(r.point_value == Approx(y0).epsilon(1e-12));
    REQUIRE(r.tornado.size() == references.size());
    for (const Reference& ref : references) {
        const auto& bar = bar_of(r, ref.input);
        INFO(ref.input << ": point " << bar.point << ", low " << bar.low << ", high " << bar.high << ", y0 " << y0);
        CHECK(bar.source == ref.source);
        CHECK(bar.point == Approx(ref.point).epsilon(1e-12));
        CHECK(bar.low == Approx(ref.low).epsilon(1e-9));
        CHECK(bar.high == Approx(ref.high).epsilon(1e-9));
        CHECK(bar.output_at_low == Approx(y0 + ref.coefficient * (ref.low - ref.point)).epsilon(1e-9));
        CHECK(bar.output_at_high == Approx(y0 + ref.coefficient * (ref.high - ref.point)).epsilon(1e-9));
        CHECK(bar.swing == Approx(std::abs(ref.coefficient) * (ref.high - ref.low)).epsilon(1e-9));
        REQUIRE(bar.elasticity.has_value());
        CHECK(*bar.elasticity == Approx(ref.coefficient * ref.point / y0).epsilon(1e-7));
        CHECK(bar.elasticity_note.empty());
    }
    // Largest swing first: x2 (6 z90 = 15.4), x1 (16), ... so x1, x2, x4 (8), x3, x5 (4).
    for (std::size_t b = 1; b < r.tornado.size(); ++b) CHECK(r.tornado[b - 1].swing >= r.tornado[b].swing);
    CHECK(r.tornado[0].input == "lin.x1");

    // Sobol: an additive model's first-order and total indices are both b_i^2 Var(x_i) / Var(y)
    // over the drawn inputs (the range and the case value stay at their point values).
    const double var1 = 100.0 / 12, var2 = 4, var3 = (1 + 36 + 4 - 6 - 2 - 12) / 18.0;
    const double total = 4 * var1 + 9 * var2 + 0.25 * var3;
    REQUIRE(r.sobol_status == "computed");
    for (const auto& [input, share] : std::vector<std::pair<std::string, double>>{
             {"lin.x1", 4 * var1 / total}, {"lin.x2", 9 * var2 / total}, {"lin.x3", 0.25 * var3 / total}}) {
        const auto& s = sobol_of(r, input);
        check_within_interval(input + " first-order", s.first_order, s.first_order_low, s.first_order_high, share, 0.05);
        check_within_interval(input + " total", s.total, s.total_low, s.total_high, share, 0.05);
    }
    // x6 changes nothing: f(A_B^6) = f(A) at every row, so both indices are exactly 0, intervals too.
    const auto& x6 = sobol_of(r, "lin.x6");
    CHECK(x6.first_order == 0);
    CHECK(x6.total == 0);
    CHECK(x6.first_order_low == 0);
    CHECK(x6.first_order_high == 0);
}

// Spearman's rho with average ranks for ties, the slow obvious way: rank = 1 + (number below) +
// (number equal - 1) / 2, then Pearson's correlation of the ranks.
double spearman_by_hand(const std::vector<double>& x, const std::vector<double>& y) {
    const auto ranks = [](const std::vector<double>& v) {
        std::vector<double> r(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            double below = 0, equal = 0;
            for (double w : v) {
                below += w < v[i];
                equal += w == v[i];
            }
            r[i] = 1 + below + (equal - 1) / 2;
        }
        return r;
    };
    const std::vector<double> rx = ranks(x), ry = ranks(y);
    const double n = static_cast<double>(x.size()), mean = (n + 1) / 2;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    return sxy / std::sqrt(sxx * syy);
}

TEST_CASE("Rank correlation: Spearman's rho on every draw matches one computed by hand from the same draws",
          "[sensitivity][spearman]") {
    // y = 2 x1 - 3 x2 + 0.5 x3 + ... over draws regenerated here from the documented streams
    // (uniforms of seed S, stream FNV-1a of "step.input", draw j), with ties in x1 (a discrete input).
    const std::string toml = R"(
[scenario]
name = "Spearman"

[[step]]
id = "lin"
expr = "2*x1 - 3*x2 + 0.5*x3"
x1 = { dist = "discrete", values = [1, 2, 3], weights = [0.2, 0.5, 0.3] }
x2 = { dist = "normal", mean = 5, sd = 2 }
x3 = { dist = "triangular", low = 1, mode = 2, high = 6 }
)";
    TempDir dir;
    SensitivityOptions options;
    options.output = "lin.value";
    options.draws = 1'500;
    options.seed = 11;
    // Every draw within the budget; the first 1000 when the budget holds 1000 draws' values,
    // ranks and sort buffers (48 k + 24 bytes per draw for k = 3 inputs, docs/sensitivity.md).
    const std::uint64_t ranked = GENERATE(1'500u, 1'000u);
    if (ranked < 1'500u) options.rank_budget_bytes = ranked * (48 * 3 + 24);
    const Analysed a = analyse(dir, toml, options);
    INFO(a.result.rank_method);
    REQUIRE(a.result.rank_status == "computed");
    CHECK(a.result.rank_draws == ranked);
    CHECK(starts_with(a.result.rank_method, ranked == 1'500u ? "exact: Spearman's rho over all 1500 draws"
                                                             : "subsample: Spearman's rho over the first 1000 of 1500 draws"));
    const auto drawn = impact::scenario::drawn_inputs(a.run);
    REQUIRE(drawn.size() == 3);
    std::vector<std::vector<double>> x(3, std::vector<double>(ranked));
    for (std::size_t i = 0; i < 3; ++i) {
        std::vector<double> u(ranked);
        impact::uncertainty::uniforms(11, impact::uncertainty::stream_id(drawn[i].name), 0, u);
        for (std::size_t j = 0; j < u.size(); ++j) x[i][j] = drawn[i].distribution->quantile(u[j]);
    }
    std::vector<double> y(ranked);
    for (std::size_t j = 0; j < y.size(); ++j) y[j] = 2 * x[0][j] - 3 * x[1][j] + 0.5 * x[2][j];
    for (std::size_t i = 0; i < 3; ++i) {
        const double expected = spearman_by_hand(x[i], y);
        bool found = false;
        for (const auto& c : a.result.rank)
            if (c.input == drawn[i].name) {
                found = true;
                INFO(c.input << ": impact " << c.spearman.value_or(NAN) << ", by hand " << expected);
                REQUIRE(c.spearman.has_value());
                CHECK(*c.spearman == Approx(expected).margin(1e-12));
            }
        CHECK(found);
    }
}

TEST_CASE("Elasticity at an input's bound is one-sided and says so, and at a zero point value it is undefined",
          "[sensitivity][tornado]") {
    TempDir dir;
    SensitivityOptions options;
    options.output = "cap.y";
    options.draws = 100;
    const Analysed a = analyse(dir, R"(
[scenario]
name = "Capped"

[[step]]
id = "cap"
model = "test.capped_linear"
share = { low = "80%", base = "100%", high = "100%" }

[[step]]
id = "zero"
expr = "k * cap.y"
k = { low = -1, base = 0, high = 1 }
)", options);
    const auto& bar = bar_of(a.result, "cap.share");
    INFO(bar.elasticity_note);
    REQUIRE(bar.elasticity.has_value());
    CHECK(*bar.elasticity == Approx(3.0 * 1 / 4).epsilon(1e-7));  // y = 3 share + 1 at share 1
    CHECK(contains(bar.elasticity_note, "one-sided (below the point value)"));
    // No drawn input: the tornado alone.
    CHECK(contains(a.result.rank_status, "no input is given as a distribution"));
    CHECK(contains(a.result.sobol_status, "no input is given as a distribution"));

    // A negative point value at its lower bound: x (1 + h) is below it, so only x (1 - h) is used.
    options.output = "floor.y";
    const Analysed f = analyse(dir, R"(
[scenario]
name = "Floored"

[[step]]
id = "floor"
model = "test.floored_linear"
level = { low = -2, base = -2, high = 0 }
)", options);
    const auto& level = bar_of(f.result, "floor.level");
    INFO(level.elasticity_note);
    REQUIRE(level.elasticity.has_value());
    CHECK(*level.elasticity == Approx(3.0 * -2 / 4).epsilon(1e-7));
    CHECK(level.elasticity_note == "one-sided (above the point value): the model refuses a value just below it");

    options.output = "zero.value";
    const Analysed z = analyse(dir, R"(
[scenario]
name = "Zero"

[[step]]
id = "zero"
expr = "k * 2"
k = { low = -1, base = 0, high = 1 }
)", options);
    const auto& k = bar_of(z.result, "zero.k");
    CHECK_FALSE(k.elasticity.has_value());
    CHECK(k.elasticity_note == "undefined: the input's point value is 0");
    CHECK(k.swing == Approx(4));
}

TEST_CASE("Correlated inputs: rank correlation is computed, Sobol indices are refused with the reason",
          "[sensitivity][sobol]") {
    TempDir dir;
    SensitivityOptions options;
    options.output = "lin.value";
    options.draws = 2'000;
    const Analysed a = analyse(dir, R"(
[scenario]
name = "Correlated"

[[step]]
id = "lin"
expr = "x1 + x2 + x3"
x1 = { dist = "uniform", low = 0, high = 1 }
x2 = { dist = "uniform", low = 0, high = 1 }
x3 = { dist = "uniform", low = 0, high = 1 }

[[correlation]]
inputs = ["lin.x1", "lin.x2"]
spearman = [[1, 0.6], [0.6, 1]]
)", options);
    CHECK(a.result.rank_status == "computed");
    // The correlated inputs drive y together: each ranks above the independent x3 (rho about 0.8
    // against 0.45; both were once reported as "the same at every draw").
    REQUIRE(a.result.rank.size() == 3);
    for (const auto& c : a.result.rank) {
        INFO(c.input);
        REQUIRE(c.spearman.has_value());
    }
    CHECK(a.result.rank[2].input == "lin.x3");
    CHECK(*a.result.rank[1].spearman > *a.result.rank[2].spearman + 0.15);
    CHECK(a.result.sobol.empty());
    INFO(a.result.sobol_status);
    CHECK(starts_with(a.result.sobol_status, "not computed: Sobol indices assume independent inputs"));
    CHECK(contains(a.result.sobol_status, "lin.x1, lin.x2"));
}

TEST_CASE("Sensitivity refuses a bad --output, a scenario with nothing uncertain and a draw count beyond the budget",
          "[sensitivity][errors]") {
    TempDir dir;
    SensitivityOptions options;
    options.output = "lin.nope";
    options.draws = 100;
    try {
        (void)analyse(dir, kLinear, options);
        FAIL("no error for --output lin.nope");
    } catch (const impact::UserError& e) {
        INFO(e.what());
        CHECK(starts_with(e.what(), "--output: expected STEP.OUTPUT naming an output of "));
        CHECK(contains(e.what(), "(lin.value), found \"lin.nope\""));
    }
    options.output = "c.value";
    try {
        (void)analyse(dir, "[scenario]\nname = \"Certain\"\n\n[[step]]\nid = \"c\"\nexpr = \"x * 2\"\nx = 3\n", options);
        FAIL("no error for a scenario without uncertain inputs");
    } catch (const impact::UserError& e) {
        INFO(e.what());
        CHECK(contains(e.what(), "sensitivity.toml:1:1: sensitivity: expected at least one uncertain input"));
    }
    options.output = "ish.y";
    // (k + 2) doubles and 8 bootstrap counts of 4 bytes per base draw: 72 bytes for k = 3.
    options.draws = impact::scenario::kSobolBudgetBytes / 72 + 1;
    try {
        (void)analyse(dir, kIshigami, options);
        FAIL("no error for too many draws");
    } catch (const impact::UserError& e) {
        INFO(e.what());
        CHECK(starts_with(e.what(), "--draws: expected at most 14913080 base draws for Sobol indices over 3 drawn inputs"));
    }
}

TEST_CASE("An undefined output of another step does not stop the analysis, and an undefined explained output is refused",
          "[sensitivity][errors]") {
    // stock.event_study without shares_outstanding leaves abnormal_market_cap undefined (NaN), as
    // `impact run` reports it; the analysis of lin.value never evaluates that step again.
    const std::string toml = "[scenario]\nname = \"Undefined elsewhere\"\n\n" + shared_data_tables() +
                             "[[step]]\nid = \"es\"\nmodel = \"stock.event_study\"\nstock = { data = \"nvda\" }\n"
                             "market = { data = \"spx\" }\nevent_date = 2025-04-16\n\n"
                             "[[step]]\nid = \"lin\"\nexpr = \"2*x1 + x2\"\n"
                             "x1 = { dist = \"uniform\", low = 0, high = 1 }\nx2 = { low = 1, base = 2, high = 3 }\n";
    INFO(with_line_numbers(toml));
    TempDir dir;
    SensitivityOptions options;
    options.output = "lin.value";
    options.draws = 500;
    const Analysed a = analyse(dir, toml, options);
    CHECK(bar_of(a.result, "lin.x2").swing == Approx(2));  // x2 from 1 to 3, coefficient 1
    CHECK(a.result.sobol_status == "computed");

    options.output = "es.abnormal_market_cap";
    try {
        (void)analyse(dir, toml, options);
        FAIL("no error for an undefined explained output");
    } catch (const impact::host::CallError& e) {
        INFO(e.what());
        CHECK(contains(e.what(), "step.es: output 'abnormal_market_cap' is nan at every input at its point value: the "
                                 "sensitivity analysis needs a value at every row"));
    }
}

// SplitMix64 (Steele, Lea and Flood 2014), as docs/sensitivity.md gives the bootstrap's recipe.
std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t x = (state += 0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
    x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
    return x ^ (x >> 31);
}

TEST_CASE("Sobol: the estimates and bootstrap intervals match a recomputation by hand from the documented recipe",
          "[sensitivity][sobol]") {
    // y = 2 x1 + x2 * x3: A is draws [0, N) and B draws [N, 2N) of each input's stream; the
    // bootstrap gathers each resample's rows (the engine weighs rows by counts instead).
    const std::string toml = R"(
[scenario]
name = "By hand"

[[step]]
id = "f"
expr = "2*x1 + x2*x3"
x1 = { dist = "uniform", low = 0, high = 1 }
x2 = { dist = "normal", mean = 1, sd = 0.5 }
x3 = { dist = "triangular", low = 0, mode = 1, high = 3 }
)";
    const std::uint64_t n = 300, seed = 5;
    const unsigned resamples = 12;
    TempDir dir;
    SensitivityOptions options;
    options.output = "f.value";
    options.draws = n;
    options.seed = seed;
    options.bootstrap_resamples = resamples;
    const Analysed a = analyse(dir, toml, options);
    REQUIRE(a.result.sobol_status == "computed");
    const auto drawn = impact::scenario::drawn_inputs(a.run);
    REQUIRE(drawn.size() == 3);
    const std::size_t k = 3;
    // x[i][d]: input i at draw d of its stream, d in [0, 2N).
    std::vector<std::vector<double>> x(k, std::vector<double>(2 * n));
    for (std::size_t i = 0; i < k; ++i) {
        std::vector<double> u(2 * n);
        impact::uncertainty::uniforms(seed, impact::uncertainty::stream_id(drawn[i].name), 0, u);
        for (std::size_t d = 0; d < u.size(); ++d) x[i][d] = drawn[i].distribution->quantile(u[d]);
    }
    const auto f = [&](std::uint64_t d1, std::uint64_t d2, std::uint64_t d3) { return 2 * x[0][d1] + x[1][d2] * x[2][d3]; };
    // rows[j]: f(A_j), f(B_j), f(A_B^1_j), f(A_B^2_j), f(A_B^3_j).
    std::vector<std::vector<double>> rows(n);
    for (std::uint64_t j = 0; j < n; ++j)
        rows[j] = {f(j, j, j), f(j + n, j + n, j + n), f(j + n, j, j), f(j, j + n, j), f(j, j, j + n)};
    struct Indices {
        std::vector<double> first, total;
    };
    const auto estimate = [&](const std::vector<std::uint64_t>& pick) {
        double mean = 0;
        for (std::uint64_t j : pick) mean += rows[j][0] + rows[j][1];
        mean /= 2.0 * n;
        double v = 0;
        for (std::uint64_t j : pick) v += (rows[j][0] - mean) * (rows[j][0] - mean) + (rows[j][1] - mean) * (rows[j][1] - mean);
        v /= 2.0 * n - 1;
        Indices e;
        for (std::size_t i = 0; i < k; ++i) {
            double first = 0, total = 0;
            for (std::uint64_t j : pick) {
                first += (rows[j][1] - rows[j][2 + i]) * (rows[j][1] - rows[j][2 + i]);
                total += (rows[j][0] - rows[j][2 + i]) * (rows[j][0] - rows[j][2 + i]);
            }
            e.first.push_back((v - first / (2.0 * n)) / v);
            e.total.push_back(total / (2.0 * n) / v);
        }
        return e;
    };
    std::vector<std::uint64_t> all(n);
    for (std::uint64_t j = 0; j < n; ++j) all[j] = j;
    const Indices full = estimate(all);
    std::vector<Indices> boot;
    for (unsigned r = 0; r < resamples; ++r) {
        double start = 0;
        impact::uncertainty::uniforms(seed, impact::uncertainty::stream_id("sensitivity bootstrap"), r, std::span(&start, 1));
        std::uint64_t state = 0;
        std::memcpy(&state, &start, sizeof state);
        std::vector<std::uint64_t> pick(n);
        for (std::uint64_t t = 0; t < n; ++t)
            pick[t] = static_cast<std::uint64_t>((static_cast<long double>(splitmix64(state)) * n) / 18446744073709551616.0L);
        boot.push_back(estimate(pick));
    }
    const auto half_width = [&](auto value) {
        double mean = 0, squares = 0;
        for (const Indices& b : boot) mean += value(b);
        mean /= resamples;
        for (const Indices& b : boot) squares += (value(b) - mean) * (value(b) - mean);
        return 1.959963984540054 * std::sqrt(squares / (resamples - 1));
    };
    for (std::size_t i = 0; i < k; ++i) {
        const auto& s = sobol_of(a.result, drawn[i].name);
        const double first_half = half_width([&](const Indices& b) { return b.first[i]; });
        const double total_half = half_width([&](const Indices& b) { return b.total[i]; });
        INFO(drawn[i].name << ": impact S " << s.first_order << " [" << s.first_order_low << ", " << s.first_order_high
                           << "], by hand " << full.first[i] << " -/+ " << first_half << "; impact ST " << s.total << " ["
                           << s.total_low << ", " << s.total_high << "], by hand " << full.total[i] << " -/+ " << total_half);
        CHECK(s.first_order == Approx(full.first[i]).margin(1e-12));
        CHECK(s.total == Approx(full.total[i]).margin(1e-12));
        CHECK(s.first_order_high - s.first_order == Approx(first_half).epsilon(1e-9));
        CHECK(s.total_high - s.total == Approx(total_half).epsilon(1e-9));
    }
}

CommandResult run_impact(const std::vector<std::string>& args, const fs::path& scratch) {
    return impact::test::run_impact(IMPACT_SENSITIVITY_IMPACT_EXE, args, scratch);
}

TEST_CASE("impact sensitivity: text and impact.sensitivity/1 JSON, a file all or nothing, one-line errors with exit 2",
          "[sensitivity][cli]") {
    TempDir dir;
    const fs::path scenario = dir.path() / "linear.toml";
    write_file(scenario, kLinear);
    const std::string plugins = IMPACT_SENSITIVITY_PLUGIN_DIR;

    const CommandResult text = run_impact({"sensitivity", scenario.string(), "--output", "lin.value", "--draws", "500"}, dir.path());
    INFO(text.describe());
    REQUIRE(text.exit_code == 0);
    CHECK(contains(text.out, "Sensitivity of lin.value"));
    CHECK(contains(text.out, "One-at-a-time swings ignore correlation between inputs"));
    CHECK(contains(text.out, "Sobol indices assume independent inputs"));
    CHECK(contains(text.out, "exact: Spearman's rho over all 500 draws"));

    const fs::path report = dir.path() / "out" / "sensitivity.json";
    fs::create_directories(report.parent_path());
    const CommandResult json = run_impact({"sensitivity", scenario.string(), "--output", "lin.value", "--draws", "500",
                                           "--format", "json", "-o", report.string()},
                                          dir.path());
    INFO(json.describe());
    REQUIRE(json.exit_code == 0);
    CHECK(json.out.empty());
    const nlohmann::json doc = impact::test::parse_json(read_file(report));
    CHECK(doc["schema"] == "impact.sensitivity/1");
    CHECK(doc["output"]["name"] == "lin.value");
    CHECK(doc["tornado"]["inputs"].size() == 6);
    CHECK(doc["rank_correlation"]["draws"] == 500);
    CHECK(doc["sobol"]["status"] == "computed");
    CHECK(doc["sobol"]["evaluations"] == 500 * 6);
    CHECK(doc["sobol"]["inputs"][0]["first_order_ci"].size() == 2);
    CHECK(doc["provenance"]["scenario_sha256"].get<std::string>().size() == 64);

    // --set moves a point value: x5 from 1 to 3 adds 2 to the output at every input's point value.
    const CommandResult set = run_impact({"sensitivity", scenario.string(), "--output", "lin.value", "--draws", "100",
                                          "--format", "json", "--set", "lin.x5=3"},
                                         dir.path());
    INFO(set.describe());
    REQUIRE(set.exit_code == 0);
    const nlohmann::json moved = impact::test::parse_json(set.out);
    CHECK(moved["output"]["point_value"].get<double>() ==
          Approx(doc["output"]["point_value"].get<double>() + 2).epsilon(1e-12));
    CHECK(moved["overrides"][0]["input"] == "lin.x5");

    // Refusals: one line on stderr, exit 2, and no report file replaced.
    const std::string before = read_file(report);
    const CommandResult bad = run_impact({"sensitivity", scenario.string(), "--output", "lin.missing", "--format", "json",
                                          "-o", report.string()},
                                         dir.path());
    INFO(bad.describe());
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err.find('\n') == bad.err.size() - 1);
    CHECK(contains(bad.err, "--output: expected STEP.OUTPUT"));
    CHECK(read_file(report) == before);
    const CommandResult no_output = run_impact({"sensitivity", scenario.string()}, dir.path());
    CHECK(no_output.exit_code == 2);
    CHECK(contains(no_output.err, "--output is required"));

    // The test models, found through --plugin-dir like any plugin built out of tree.
    const fs::path ishigami = dir.path() / "ishigami.toml";
    write_file(ishigami, kIshigami);
    const CommandResult ish = run_impact({"--plugin-dir", plugins, "sensitivity", ishigami.string(), "--output", "ish.y",
                                          "--draws", "2000", "--format", "json", "--threads", "2"},
                                         dir.path());
    INFO(ish.describe());
    REQUIRE(ish.exit_code == 0);
    CHECK(impact::test::parse_json(ish.out)["sobol"]["inputs"].size() == 3);
}

}  // namespace
