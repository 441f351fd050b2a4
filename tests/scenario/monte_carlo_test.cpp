// Monte Carlo over scenarios: exact percentiles against a sort of every draw, determinism, chaining, correlation, cases, errors.
#include "scenario_test_support.hpp"
#include "simulation_test_support.hpp"

#include "scenario/simulation.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/random_stream.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using namespace simulation_test;
using impact::scenario::OutputStatistics;
using impact::scenario::RunMode;
using impact::scenario::RunOptions;
using impact::scenario::SimulationOptions;
using impact::scenario::SimulationResult;

// Reads and runs `toml` (written to a temporary file) with plans kept, then simulates it.
struct Simulated {
    impact::scenario::Scenario scenario;
    impact::scenario::RunResult run;
    SimulationResult sim;
};

Simulated simulate_text(const TempDir& dir, const std::string& toml, std::uint64_t draws, std::uint64_t seed,
                        unsigned threads, std::size_t batch_rows = impact::scenario::kDrawsPerBlock,
                        const std::string& name = "mc.toml") {
    const fs::path file = dir.path() / name;
    write_file(file, toml);
    Simulated out;
    out.scenario = impact::scenario::read_scenario_file(file);
    RunOptions options;
    options.keep_plans = true;
    out.run = impact::scenario::run_scenario(out.scenario, bundled_registry(), RunMode::run, options);
    impact::scenario::check_thresholds(out.scenario, out.run);
    SimulationOptions sim;
    sim.draws = draws;
    sim.seed = seed;
    sim.threads = threads;
    sim.batch_rows = batch_rows;
    out.sim = impact::scenario::simulate(out.scenario, out.run, sim);
    return out;
}




// numpy's default percentile (linear, h = (N-1)p) on sorted values, written out here
// independently of uncertainty/exact_quantiles.cpp: numpy 1.24 function_base._lerp.
double numpy_percentile(const std::vector<double>& sorted, double p) {
    const double h = (static_cast<double>(sorted.size()) - 1) * ((100 * p) / 100);
    const double below = std::floor(h);
    const auto i = static_cast<std::size_t>(below);
    const std::size_t j = std::min(i + 1, sorted.size() - 1);
    const double t = h - below;
    const double a = sorted[i], b = sorted[j];
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

// One export ban whose lost revenue equals the drawn annual revenue (share 100%, recapture 0,
// one year): its draws are the input's draws, which the test regenerates on its own.
std::string ban_scenario(const std::string& annual_revenue, const std::string& extra = "") {
    return "[scenario]\n"
           "name = \"mc\"\n"
           "as_of = 2025-04-16\n"
           "\n"
           "[[step]]\n"
           "id = \"h20\"\n"
           "model = \"revenue.export_ban\"\n"
           "annual_revenue = " + annual_revenue + "\n"
           "restricted_share = \"100%\"\n"
           "duration_years = 1\n"
           "gross_margin = \"60%\"\n"
           "one_off_charges = \"5.5B USD\"\n"
           "discount_rate = \"8%\"\n" + extra;
}


}  // namespace

TEST_CASE("Monte Carlo: percentiles equal numpy's on a sort of every draw, past the keep-everything size",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // 3,000,000 draws: more than one pass keeps whole, so the bounded-memory path answers.
    const std::uint64_t n = 3'000'000;
    const std::uint64_t seed = 20250416;
    const auto s = simulate_text(dir, ban_scenario(R"({ dist = "triangular", low = "12B USD", mode = "13.5B USD", high = "15B USD" })"),
                                 n, seed, 2);
    impact::uncertainty::DistributionParams params;
    params.kind = impact::uncertainty::DistributionKind::triangular;
    params.low = 12e9;
    params.mode = 13.5e9;
    params.high = 15e9;
    std::vector<double> draws = regenerate(params, "h20.annual_revenue", seed, n);
    std::sort(draws.begin(), draws.end());
    const OutputStatistics& lost = stats_of(s.run, s.sim, "h20", "lost_revenue");
    REQUIRE(lost.drawn);
    CHECK(lost.moments.count == n);
    CHECK(same_bits(lost.moments.min, draws.front()));
    CHECK(same_bits(lost.moments.max, draws.back()));
    for (const auto& p : lost.percentiles) {
        CAPTURE(p.probability, n, seed);
        CHECK(same_bits(p.value, numpy_percentile(draws, p.probability)));
        const double np = static_cast<double>(n) * p.probability;
        const double half = 1.96 * std::sqrt(np * (1 - p.probability));
        const auto low_rank = static_cast<std::size_t>(std::max(1.0, std::floor(np - half)));
        const auto high_rank = static_cast<std::size_t>(std::min(static_cast<double>(n), std::ceil(np + half)));
        CHECK(same_bits(p.ci_low, draws[low_rank - 1]));
        CHECK(same_bits(p.ci_high, draws[high_rank - 1]));
    }
    // The mean against the triangular's closed form (a + b + c) / 3, within 5 standard errors.
    CHECK(std::abs(lost.moments.mean - 13.5e9) < 5 * lost.moments.standard_error());
    // sd of triangular(a, c, b): sqrt((a² + b² + c² - ab - ac - bc) / 18).
    const double a = 12e9, c = 13.5e9, b = 15e9;
    const double sd = std::sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18);
    CHECK(std::abs(lost.moments.sd() - sd) / sd < 0.005);
}

TEST_CASE("Monte Carlo: the same seed gives bit-identical statistics on 1 and 2 threads and any batch size",
          "[scenario][monte-carlo]") {
    TempDir dir;
    const std::string scenario = ban_scenario(
        R"({ dist = "triangular", low = "12B USD", mode = "13.5B USD", high = "15B USD" })",
        "thresholds = { total_impact = { above = [\"13.5B USD\"] } }\n"
        "\n"
        "[[step]]\n"
        "id = \"krw\"\n"
        "model = \"fx.convert\"\n"
        "amount = { from = \"h20.total_impact\" }\n"
        "to = \"KRW\"\n"
        "rate = 1428.8\n"
        "\n"
        "[[step]]\n"
        "id = \"total\"\n"
        "expr = \"h20.pv_total_impact - h20.total_impact\"\n"
        "unit = \"USD\"\n");
    // More than one round of 128 blocks of 4,096 draws (524,288): the rounds' collectors and
    // moments are merged across rounds too, in whichever order the workers finish.
    const std::uint64_t n = 600'000;
    const auto one = simulate_text(dir, scenario, n, 7, 1, 4096, "a.toml");
    const auto two = simulate_text(dir, scenario, n, 7, 2, 4096, "b.toml");
    const auto odd_batches = simulate_text(dir, scenario, n, 7, 2, 1000, "c.toml");
    for (const auto& [step, output] : {std::pair{"h20", "lost_revenue"}, std::pair{"h20", "total_impact"},
                                       std::pair{"h20", "pv_total_impact"}, std::pair{"krw", "converted"},
                                       std::pair{"total", "value"}}) {
        CAPTURE(step, output);
        require_identical(stats_of(one.run, one.sim, step, output), stats_of(two.run, two.sim, step, output));
        require_identical(stats_of(one.run, one.sim, step, output), stats_of(odd_batches.run, odd_batches.sim, step, output));
    }
    // Another seed gives other draws.
    const auto other = simulate_text(dir, scenario, n, 8, 2, 4096, "d.toml");
    CHECK_FALSE(same_bits(stats_of(one.run, one.sim, "h20", "lost_revenue").moments.mean, stats_of(other.run, other.sim, "h20", "lost_revenue").moments.mean));
}

TEST_CASE("Monte Carlo: chaining is per draw, a fixed step stays undrawn, thresholds count the draws beyond",
          "[scenario][monte-carlo]") {
    TempDir dir;
    const std::string scenario = ban_scenario(
        R"({ dist = "uniform", low = "12B USD", high = "15B USD" })",
        "thresholds = { lost_revenue = { above = [\"14B USD\"], below = [\"12.5B USD\"] } }\n"
        "\n"
        "[[step]]\n"
        "id = \"krw\"\n"
        "model = \"fx.convert\"\n"
        "amount = { from = \"h20.lost_revenue\" }\n"
        "to = \"KRW\"\n"
        "rate = 1428.8\n"
        "\n"
        "[[step]]\n"
        "id = \"fixed\"\n"
        "model = \"fx.convert\"\n"
        "amount = \"5.5B USD\"\n"
        "to = \"KRW\"\n"
        "rate = 1428.8\n");
    const std::uint64_t n = 100'000, seed = 3;
    const auto s = simulate_text(dir, scenario, n, seed, 2);
    const OutputStatistics& usd = stats_of(s.run, s.sim, "h20", "lost_revenue");
    const OutputStatistics& krw = stats_of(s.run, s.sim, "krw", "converted");
    CHECK_FALSE(stats_of(s.run, s.sim, "fixed", "converted").drawn);
    // Converting is multiplying each draw by 1428.8: every percentile (an order statistic or an
    // interpolation between two) scales with it, to rounding.
    for (std::size_t i = 0; i < usd.percentiles.size(); ++i) {
        CAPTURE(usd.percentiles[i].probability, usd.percentiles[i].value, krw.percentiles[i].value);
        CHECK(krw.percentiles[i].value == Approx(usd.percentiles[i].value * 1428.8).epsilon(1e-13));
    }
    CHECK(krw.moments.mean == Approx(usd.moments.mean * 1428.8).epsilon(1e-12));
    // Threshold counts against the draws regenerated here.
    impact::uncertainty::DistributionParams params;
    params.kind = impact::uncertainty::DistributionKind::uniform;
    params.low = 12e9;
    params.high = 15e9;
    const std::vector<double> draws = regenerate(params, "h20.annual_revenue", seed, n);
    const auto above = static_cast<std::uint64_t>(std::count_if(draws.begin(), draws.end(), [](double x) { return x > 14e9; }));
    const auto below = static_cast<std::uint64_t>(std::count_if(draws.begin(), draws.end(), [](double x) { return x < 12.5e9; }));
    REQUIRE(usd.thresholds.size() == 2);
    CHECK(usd.thresholds[0].above);
    CHECK(usd.thresholds[0].count == above);
    CHECK_FALSE(usd.thresholds[1].above);
    CHECK(usd.thresholds[1].count == below);
    // And near their closed forms: P(U > 14) = 1/3, P(U < 12.5) = 1/6, within 5 binomial sd.
    CHECK(std::abs(usd.thresholds[0].probability - 1.0 / 3) < 5 * std::sqrt((1.0 / 3) * (2.0 / 3) / n));
    CHECK(std::abs(usd.thresholds[1].probability - 1.0 / 6) < 5 * std::sqrt((1.0 / 6) * (5.0 / 6) / n));
}

TEST_CASE("Monte Carlo: adding an uncertain input leaves the other inputs' draws unchanged", "[scenario][monte-carlo]") {
    TempDir dir;
    const std::string revenue = R"({ dist = "normal", mean = "13.5B USD", sd = "0.5B USD" })";
    const auto alone = simulate_text(dir, ban_scenario(revenue), 50'000, 11, 2, 4096, "a.toml");
    std::string with_margin = replace_all(ban_scenario(revenue), "gross_margin = \"60%\"",
                                          R"(gross_margin = { dist = "uniform", low = "55%", high = "65%" })");
    const auto both = simulate_text(dir, with_margin, 50'000, 11, 2, 4096, "b.toml");
    require_identical(stats_of(alone.run, alone.sim, "h20", "lost_revenue"), stats_of(both.run, both.sim, "h20", "lost_revenue"));
    // The margin does move what depends on it.
    CHECK_FALSE(same_bits(stats_of(alone.run, alone.sim, "h20", "lost_gross_profit").moments.sd(),
                          stats_of(both.run, both.sim, "h20", "lost_gross_profit").moments.sd()));
}

TEST_CASE("Monte Carlo: a Spearman correlation reaches the sum's variance of its Gaussian copula",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // x and y standard normal with rank correlation 0.5: normal correlation rho = 2 sin(pi 0.5 / 6)
    // (Pearson 1907), so var(x + y) = 2 + 2 rho.
    const std::string toml = "[scenario]\nname = \"corr\"\n\n"
                             "[[step]]\n"
                             "id = \"sum\"\n"
                             "expr = \"x + y\"\n"
                             "x = { dist = \"normal\", mean = 0, sd = 1 }\n"
                             "y = { dist = \"normal\", mean = 0, sd = 1 }\n"
                             "\n"
                             "[[correlation]]\n"
                             "inputs = [\"sum.x\", \"sum.y\"]\n"
                             "spearman = [[1, 0.5], [0.5, 1]]\n";
    const std::uint64_t n = 200'000;
    const auto s = simulate_text(dir, toml, n, 5, 2);
    const double rho = 2 * std::sin(M_PI * 0.5 / 6);
    const double expected_variance = 2 + 2 * rho;
    const double variance = stats_of(s.run, s.sim, "sum", "value").moments.variance();
    CAPTURE(rho, expected_variance, variance);
    // The sample variance of n normals has sd sigma² sqrt(2 / (n - 1)); 5 of them.
    CHECK(std::abs(variance - expected_variance) < 5 * expected_variance * std::sqrt(2.0 / (n - 1)));
    REQUIRE(s.sim.correlations.size() == 1);
}

TEST_CASE("Monte Carlo: bad distributions and correlations fail at file:line:column with exit code 2",
          "[scenario][monte-carlo]") {
    TempDir dir;
    struct Case {
        const char* name;
        std::string value;        // annual_revenue's value (line 8 of ban_scenario)
        std::string extra;        // appended after the step
        const char* where;        // expected position and key
        const char* says;
    };
    const std::vector<Case> cases{
        {"low above high", R"({ dist = "uniform", low = "15B USD", high = "12B USD" })", "", "mc.toml:8:", "low"},
        {"sd zero", R"({ dist = "normal", mean = "13B USD", sd = "0 USD" })", "", "mc.toml:8:", "sd"},
        {"mode outside", R"({ dist = "triangular", low = "12B USD", mode = "16B USD", high = "15B USD" })", "",
         "mc.toml:8:", "mode"},
        {"wrong currency", R"({ dist = "uniform", low = "12B EUR", high = "15B USD" })", "", "mc.toml:8:", "EUR"},
        {"unknown kind", R"({ dist = "gamma", low = "12B USD" })", "", "mc.toml:8:", "gamma"},
        {"negative weight", R"({ dist = "discrete", values = ["12B USD", "15B USD"], weights = [1, -1] })", "",
         "mc.toml:8:", "weights"},
        {"p above 1", R"({ dist = "bernoulli", p = 1.5, values = ["0 USD", "15B USD"] })", "", "mc.toml:8:", "p"},
        {"mass below the bound", R"({ dist = "normal", mean = "1B USD", sd = "1B USD" })", "", "mc.toml:8:",
         "below 0"},
        {"correlation of an undrawn input", R"({ dist = "uniform", low = "12B USD", high = "15B USD" })",
         "\n[[correlation]]\ninputs = [\"h20.annual_revenue\", \"h20.gross_margin\"]\nspearman = [[1, 0.2], [0.2, 1]]\n",
         "mc.toml:16:", "h20.gross_margin"},
        {"correlation not positive semi-definite",
         R"({ dist = "uniform", low = "12B USD", high = "15B USD" })",
         "\n[[step]]\nid = \"f\"\nexpr = \"a + b\"\na = { dist = \"uniform\", low = 0, high = 1 }\n"
         "b = { dist = \"uniform\", low = 0, high = 1 }\n"
         "\n[[correlation]]\ninputs = [\"h20.annual_revenue\", \"f.a\", \"f.b\"]\n"
         "spearman = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]\n",
         "mc.toml:", "correlation[1]"},
        {"threshold in the wrong unit", R"({ dist = "uniform", low = "12B USD", high = "15B USD" })",
         "thresholds = { lost_revenue = { above = [\"5%\"] } }\n", "mc.toml:14:", "thresholds.lost_revenue"},
        {"correlation with a discrete input",
         R"({ dist = "discrete", values = ["12B USD", "15B USD"], weights = [1, 1] })",
         "\n[[step]]\nid = \"f\"\nexpr = \"a\"\na = { dist = \"uniform\", low = 0, high = 1 }\n"
         "\n[[correlation]]\ninputs = [\"h20.annual_revenue\", \"f.a\"]\nspearman = [[1, 0.5], [0.5, 1]]\n",
         "mc.toml:", "continuous"},
    };
    for (const Case& c : cases) {
        const std::string toml = ban_scenario(c.value, c.extra);
        INFO(c.name << "\n" << with_line_numbers(toml));
        try {
            simulate_text(dir, toml, 1000, 1, 1);
            FAIL("expected an error");
        } catch (const impact::UserError& e) {
            CAPTURE(e.what());
            CHECK(starts_with(e.what(), (dir.path() / c.where).string()));
            CHECK(contains(e.what(), c.says));
        }
    }
}

TEST_CASE("Cases: each [[case]] is one row, unset inputs stay at their point value", "[scenario][monte-carlo]") {
    TempDir dir;
    const std::string toml = ban_scenario(R"({ dist = "uniform", low = "12B USD", high = "15B USD" })",
                                          "\n[[case]]\nname = \"bear\"\nh20.annual_revenue = \"15B USD\"\n"
                                          "h20.gross_margin = \"65%\"\n"
                                          "\n[[case]]\nname = \"bull\"\ndescription = \"less revenue at stake\"\n"
                                          "h20.annual_revenue = \"12B USD\"\n");
    const fs::path file = dir.path() / "cases.toml";
    write_file(file, toml);
    const auto scenario = impact::scenario::read_scenario_file(file);
    RunOptions options;
    options.keep_plans = true;
    options.cases = true;
    const auto run = impact::scenario::run_scenario(scenario, bundled_registry(), RunMode::run, options);
    const auto cases = impact::scenario::evaluate_cases(scenario, run);
    REQUIRE(cases.names == std::vector<std::string>{"bear", "bull"});
    const auto& h20 = step_of(run, "h20");
    const std::size_t lost = static_cast<std::size_t>(&output_of(h20, "lost_revenue") - h20.outputs.data());
    const std::size_t profit = static_cast<std::size_t>(&output_of(h20, "lost_gross_profit") - h20.outputs.data());
    // lost revenue = revenue x 100% x (1 - 0) x 1 year; gross profit = that x margin.
    CHECK(cases.steps[0][lost][0] == 15e9);
    CHECK(cases.steps[0][lost][1] == 12e9);
    CHECK(cases.steps[0][profit][0] == Approx(15e9 * 0.65).epsilon(1e-15));
    CHECK(cases.steps[0][profit][1] == Approx(12e9 * 0.60).epsilon(1e-15));
    // The point run: the uniform's median, 13.5B.
    CHECK(output_of(h20, "lost_revenue").value.value == 13.5e9);
}
