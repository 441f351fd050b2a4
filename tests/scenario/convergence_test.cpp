// Convergence control (--until): target parsing, stage sizes, each precision against an independent computation, determinism.
#include "scenario_test_support.hpp"
#include "simulation_test_support.hpp"

#include "scenario/convergence.hpp"
#include "scenario/simulation.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/random_stream.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace scenario_test;
using namespace simulation_test;
using impact::scenario::ConvergenceRecord;
using impact::scenario::ConvergenceStatistic;
using impact::scenario::ConvergenceTarget;
using impact::scenario::OutputStatistics;
using impact::scenario::parse_convergence_targets;
using impact::scenario::RunMode;
using impact::scenario::RunOptions;
using impact::scenario::SimulationOptions;
using impact::scenario::SimulationResult;

constexpr std::uint64_t kBlock = impact::scenario::kDrawsPerBlock;

struct Simulated {
    impact::scenario::Scenario scenario;
    impact::scenario::RunResult run;
    SimulationResult sim;
};

// Reads and runs `toml` with plans kept, then simulates it: exactly `draws` draws without
// `until`, else in stages of at most `draws`.
Simulated simulate_text(const TempDir& dir, const std::string& toml, std::uint64_t draws, const std::string& until = "",
                        unsigned threads = 2, std::uint64_t seed = 1, std::size_t batch_rows = kBlock,
                        std::function<void(std::uint64_t, std::uint64_t)> progress = {}) {
    const fs::path file = dir.path() / "conv.toml";
    write_file(file, toml);
    Simulated out;
    out.scenario = impact::scenario::read_scenario_file(file);
    RunOptions options;
    options.keep_plans = true;
    out.run = impact::scenario::run_scenario(out.scenario, bundled_registry(), RunMode::run, options);
    SimulationOptions sim;
    sim.draws = draws;
    sim.seed = seed;
    sim.threads = threads;
    sim.batch_rows = batch_rows;
    sim.progress = std::move(progress);
    if (!until.empty()) sim.until = parse_convergence_targets(until);
    out.sim = impact::scenario::simulate(out.scenario, out.run, sim);
    return out;
}




// One formula step f = x with x drawn from `dist`, and a fixed step c that no draw reaches.
std::string one_input(const std::string& dist) {
    return "[scenario]\n"
           "name = \"conv\"\n"
           "\n"
           "[[step]]\n"
           "id = \"f\"\n"
           "expr = \"x\"\n"
           "x = " + dist + "\n"
           "\n"
           "[[step]]\n"
           "id = \"c\"\n"
           "expr = \"2 * k\"\n"
           "k = 3\n";
}
const std::string normal_100_10 = R"({ dist = "normal", mean = 100, sd = 10 })";


// Sample variance of x[from, from + n) in long double, two passes: written here independently of Moments.
long double variance_of(const std::vector<double>& x, std::size_t from, std::size_t n) {
    long double sum = 0;
    for (std::size_t i = from; i < from + n; ++i) sum += x[i];
    const long double mean = sum / static_cast<long double>(n);
    long double m2 = 0;
    for (std::size_t i = from; i < from + n; ++i) m2 += (x[i] - mean) * (x[i] - mean);
    return m2 / static_cast<long double>(n - 1);
}

// The batch-means relative half-width of the sd, computed from the draws themselves.
double batch_means_precision(const std::vector<double>& x) {
    const std::size_t blocks = x.size() / kBlock;
    std::vector<long double> variances;
    for (std::size_t b = 0; b < blocks; ++b) variances.push_back(variance_of(x, b * kBlock, kBlock));
    long double mean = 0;
    for (long double v : variances) mean += v;
    mean /= static_cast<long double>(blocks);
    long double m2 = 0;
    for (long double v : variances) m2 += (v - mean) * (v - mean);
    const long double se_variance = std::sqrt(m2 / static_cast<long double>(blocks - 1)) / std::sqrt(static_cast<long double>(blocks));
    const long double s = std::sqrt(variance_of(x, 0, x.size()));
    return static_cast<double>(1.96L * se_variance / (2 * s) / s);
}

std::string stages_text(const std::vector<std::uint64_t>& stages) {
    std::string out;
    for (std::uint64_t n : stages) out += std::to_string(n) + " ";
    return out;
}

}  // namespace

TEST_CASE("Convergence: --until targets parse, with or without an output, P and the statistic in any case",
          "[scenario][monte-carlo]") {
    const auto t = parse_convergence_targets("P50:0.1%, h20.total_impact:mean:1.5% ,sd:2%,p99:0.25%,f.value:SD:10%,MEAN:1e-2%");
    REQUIRE(t.size() == 6);
    CHECK(t[0].as_written == "P50:0.1%");
    CHECK(t[0].step.empty());
    CHECK(t[0].statistic == ConvergenceStatistic::percentile);
    CHECK(t[0].probability == 0.5);
    CHECK(t[0].precision == 0.1 / 100);
    CHECK(t[1].as_written == "h20.total_impact:mean:1.5%");
    CHECK(t[1].step == "h20");
    CHECK(t[1].output == "total_impact");
    CHECK(t[1].statistic == ConvergenceStatistic::mean);
    CHECK(t[1].precision == 1.5 / 100);
    CHECK(t[2].statistic == ConvergenceStatistic::sd);
    CHECK(t[3].statistic == ConvergenceStatistic::percentile);
    CHECK(t[3].probability == 0.99);
    CHECK(impact::scenario::statistic_name(t[3]) == "P99");
    CHECK(t[4].statistic == ConvergenceStatistic::sd);
    CHECK(t[4].step == "f");
    CHECK(t[5].statistic == ConvergenceStatistic::mean);
    CHECK(t[5].precision == 1e-2 / 100);
    // Every reported percentile, and only those.
    for (const char* p : {"P1", "P5", "P10", "P25", "P50", "P75", "P90", "P95", "P99"}) {
        CAPTURE(p);
        const auto one = parse_convergence_targets(std::string(p) + ":1%");
        REQUIRE(one.size() == 1);
        CHECK(impact::scenario::statistic_name(one[0]) == p);
    }
}

TEST_CASE("Convergence: every kind of bad --until target is refused with its exact message", "[scenario][monte-carlo]") {
    const std::string stats = "a statistic: mean, sd or a reported percentile (P1, P5, P10, P25, P50, P75, P90, P95, P99)";
    const std::string percent = "a precision above 0 in percent, such as \"0.1%\"";
    const struct {
        const char* until;
        std::string message;
    } cases[] = {
        {"", "--until: expected a target such as \"P50:0.1%\" or \"h20.total_impact:mean:1%\" as target 1, found nothing"},
        {"P50:0.1%,", "--until: expected a target such as \"P50:0.1%\" or \"h20.total_impact:mean:1%\" as target 2, found nothing"},
        {"P50:0.1%, ,mean:1%", "--until: expected a target such as \"P50:0.1%\" or \"h20.total_impact:mean:1%\" as target 2, found nothing"},
        {"P50", "--until: target \"P50\": expected [STEP.OUTPUT:]STAT:PRECISION, found no ':'"},
        {"a.b:P50:1%:2", "--until: target \"a.b:P50:1%:2\": expected [STEP.OUTPUT:]STAT:PRECISION, found 4 parts separated by ':'"},
        {"P42:1%", "--until: target \"P42:1%\": expected " + stats + ", found \"P42\""},
        {"P050:1%", "--until: target \"P050:1%\": expected " + stats + ", found \"P050\""},
        {"median:1%", "--until: target \"median:1%\": expected " + stats + ", found \"median\""},
        {":1%", "--until: target \":1%\": expected " + stats + ", found nothing"},
        {"P50:", "--until: target \"P50:\": expected " + percent + ", found nothing"},
        {"P50:0.1", "--until: target \"P50:0.1\": expected " + percent + ", found \"0.1\""},
        {"P50:%", "--until: target \"P50:%\": expected " + percent + ", found \"%\""},
        {"P50:0%", "--until: target \"P50:0%\": expected " + percent + ", found \"0%\""},
        {"P50:-1%", "--until: target \"P50:-1%\": expected " + percent + ", found \"-1%\""},
        {"P50:inf%", "--until: target \"P50:inf%\": expected " + percent + ", found \"inf%\""},
        {"P50:nan%", "--until: target \"P50:nan%\": expected " + percent + ", found \"nan%\""},
        {"P50:1e999%", "--until: target \"P50:1e999%\": expected " + percent + ", found \"1e999%\""},
        {"P50:0.1%%", "--until: target \"P50:0.1%%\": expected " + percent + ", found \"0.1%%\""},
        {"P50:1 %", "--until: target \"P50:1 %\": expected " + percent + ", found \"1 %\""},
        {"h20:P50:1%", "--until: target \"h20:P50:1%\": expected an output written step.output, found \"h20\""},
        {"a.b.c:P50:1%", "--until: target \"a.b.c:P50:1%\": expected an output written step.output, found \"a.b.c\""},
        {".x:P50:1%", "--until: target \".x:P50:1%\": expected an output written step.output, found \".x\""},
        {"h20.:P50:1%", "--until: target \"h20.:P50:1%\": expected an output written step.output, found \"h20.\""},
        // Control characters are escaped, so the message stays one line.
        {"P5\n0:1%", "--until: target \"P5\\n0:1%\": expected " + stats + ", found \"P5\\n0\""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.until);
        try {
            parse_convergence_targets(c.until);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(std::string(e.what()) == c.message);
        }
    }
}

TEST_CASE("Convergence: stages start at 32,768 draws, double, and end exactly at --draws", "[scenario][monte-carlo]") {
    using V = std::vector<std::uint64_t>;
    CHECK(impact::scenario::convergence_stages(1) == V{1});
    CHECK(impact::scenario::convergence_stages(5000) == V{5000});
    CHECK(impact::scenario::convergence_stages(32768) == V{32768});
    CHECK(impact::scenario::convergence_stages(32769) == V{32768, 32769});
    CHECK(impact::scenario::convergence_stages(100000) == V{32768, 65536, 100000});
    CHECK(impact::scenario::convergence_stages(131072) == V{32768, 65536, 131072});
    const V big = impact::scenario::convergence_stages(std::uint64_t{1} << 40);  // --draws' largest
    REQUIRE(big.size() == 26);
    for (std::size_t k = 0; k < big.size(); ++k) CHECK(big[k] == std::uint64_t{32768} << k);
}

TEST_CASE("Convergence: each precision on hand-made statistics, with 0 and unknown cases", "[scenario][monte-carlo]") {
    using impact::uncertainty::Moments;
    // mean 50, sd 10 over 400 draws: 1.96 * 10 / 20 / 50.
    Moments m;
    m.count = 400;
    m.mean = -50;
    m.m2 = 100.0 * 399;
    m.min = -80;
    m.max = -20;
    CHECK(impact::scenario::mean_precision(m).relative == Approx(1.96 * 0.5 / 50).epsilon(1e-14));
    Moments zero_mean = m;
    zero_mean.mean = 0;
    const auto unknown = impact::scenario::mean_precision(zero_mean);
    CHECK(std::isinf(unknown.relative));
    CHECK(unknown.unknown == "the estimate is 0, so no relative precision exists");
    // The same value at every draw: every statistic is exact, whatever the value (0 too).
    Moments constant;
    const double zeros[3] = {0, 0, 0};
    constant.add(zeros);
    CHECK(impact::scenario::mean_precision(constant).relative == 0);
    CHECK(impact::scenario::sd_precision(constant, Moments{}).relative == 0);
    // Percentile: the half-width of its interval over |value|; an interval of width 0 is exact.
    CHECK(impact::scenario::percentile_precision({0.5, -4, -5, -2, 1, 2}).relative == Approx(1.5 / 4).epsilon(1e-15));
    CHECK(impact::scenario::percentile_precision({0.25, 0, 0, 0, 1, 2}).relative == 0);
    CHECK(std::isinf(impact::scenario::percentile_precision({0.5, 0, -1, 1, 1, 2}).relative));
    // sd: 1.96 * sd(block variances) / sqrt(blocks) / (2 s) / s, unknown below two full blocks.
    Moments blocks;
    const double variances[4] = {90, 110, 95, 105};  // mean 100, sample sd sqrt(250/3)
    blocks.add(variances);
    const double expected = 1.96 * (std::sqrt(250.0 / 3) / 2) / (2 * 10) / 10;
    CHECK(impact::scenario::sd_precision(m, blocks).relative == Approx(expected).epsilon(1e-13));
    Moments one_block;
    one_block.add(std::span<const double>(variances, 1));
    const auto few = impact::scenario::sd_precision(m, one_block);
    CHECK(std::isinf(few.relative));
    CHECK(few.unknown == "fewer than 2 full blocks of 4,096 draws for the batch means (1)");
}

TEST_CASE("Convergence: a mean target stops at the first stage that meets it, bit-identical to --draws of that stage",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // x ~ normal(100, 10), target mean:0.05%: 1.96 * 10 / (100 sqrt(N)) <= 0.0005 needs
    // N >= (1.96 * 10 / (100 * 0.0005))^2 = 153,664, so the first stage that can meet it is the
    // smallest of 32,768 * 2^k above that: 262,144. (Estimated sd and mean move N by far less than
    // the factor 2 between stages: at 131,072 the precision is about 0.054%.)
    const double needed = std::pow(1.96 * 10 / (100 * 0.0005), 2);
    std::uint64_t expected_stage = 32768;
    while (static_cast<double>(expected_stage) < needed) expected_stage *= 2;
    REQUIRE(expected_stage == 262144);
    const auto staged = simulate_text(dir, one_input(normal_100_10), 1'000'000, "mean:0.05%");
    REQUIRE(staged.sim.convergence);
    const ConvergenceRecord& c = *staged.sim.convergence;
    INFO("stages: " << stages_text(c.stages) << " achieved " << c.targets.at(0).achieved.relative);
    CHECK(c.converged);
    CHECK(c.max_draws == 1'000'000);
    CHECK(c.stages == std::vector<std::uint64_t>{32768, 65536, 131072, 262144});
    CHECK(c.draws_evaluated == 32768 + 65536 + 131072 + 262144);
    CHECK(staged.sim.draws == expected_stage);
    REQUIRE(c.targets.size() == 1);
    CHECK(c.targets[0].met);
    CHECK(c.targets[0].output == "f.value");  // c.value is not drawn, so not covered
    CHECK(c.targets[0].outputs_checked == 1);

    // The result is the plain run of that many draws, bit for bit.
    const auto plain = simulate_text(dir, one_input(normal_100_10), expected_stage);
    CHECK_FALSE(plain.sim.convergence);
    require_identical(stats_of(staged.run, staged.sim, "f", "value"), stats_of(plain.run, plain.sim, "f", "value"));
    // The achieved precision, recomputed from the plain run's moments.
    const auto& m = stats_of(plain.run, plain.sim, "f", "value").moments;
    const double achieved = 1.96 * m.sd() / std::sqrt(static_cast<double>(m.count)) / std::fabs(m.mean);
    CAPTURE(m.mean, m.sd(), achieved);
    CHECK(c.targets[0].achieved.relative == Approx(achieved).epsilon(1e-12));
    CHECK(achieved <= 0.0005);
    // ... and the stage before did not meet it.
    const auto before = simulate_text(dir, one_input(normal_100_10), expected_stage / 2);
    const auto& mb = stats_of(before.run, before.sim, "f", "value").moments;
    const double achieved_before = 1.96 * mb.sd() / std::sqrt(static_cast<double>(mb.count)) / std::fabs(mb.mean);
    CAPTURE(achieved_before);
    CHECK(achieved_before > 0.0005);
}

TEST_CASE("Convergence: a target --draws cannot meet ends at --draws, not converged, with the last stage's statistics",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // Needs about 1.5e9 draws.
    const auto staged = simulate_text(dir, one_input(normal_100_10), 100'000, "P50:0.1%,mean:0.001%");
    REQUIRE(staged.sim.convergence);
    const ConvergenceRecord& c = *staged.sim.convergence;
    INFO("stages: " << stages_text(c.stages));
    CHECK_FALSE(c.converged);
    CHECK(c.stages == std::vector<std::uint64_t>{32768, 65536, 100000});
    CHECK(staged.sim.draws == 100'000);
    REQUIRE(c.targets.size() == 2);
    CHECK(c.targets[0].met);  // P50 is met from the first stage on; the run goes on for the mean
    CHECK_FALSE(c.targets[1].met);
    CHECK(c.targets[1].achieved.relative > 0.00001);
    const auto plain = simulate_text(dir, one_input(normal_100_10), 100'000);
    require_identical(stats_of(staged.run, staged.sim, "f", "value"), stats_of(plain.run, plain.sim, "f", "value"));
}

TEST_CASE("Convergence: the same seed and targets give the same stages and bits on 1 and 2 threads and any batch size",
          "[scenario][monte-carlo]") {
    TempDir dir;
    const std::string toml = one_input(R"({ dist = "triangular", low = 10, mode = 30, high = 100 })");
    const std::string until = "P90:0.3%,sd:1%,f.value:mean:0.2%";
    const auto one = simulate_text(dir, toml, 2'000'000, until, 1, 7);
    const auto two = simulate_text(dir, toml, 2'000'000, until, 2, 7, 1000);
    REQUIRE(one.sim.convergence);
    REQUIRE(two.sim.convergence);
    INFO("stages: " << stages_text(one.sim.convergence->stages));
    CHECK(one.sim.convergence->converged);
    CHECK(one.sim.convergence->stages.size() > 1);  // the test covers stopping after a first stage failed
    CHECK(one.sim.convergence->stages == two.sim.convergence->stages);
    require_identical(stats_of(one.run, one.sim, "f", "value"), stats_of(two.run, two.sim, "f", "value"));
    for (std::size_t i = 0; i < one.sim.convergence->targets.size(); ++i) {
        CAPTURE(i);
        CHECK(same_bits(one.sim.convergence->targets[i].achieved.relative, two.sim.convergence->targets[i].achieved.relative));
    }
}

TEST_CASE("Convergence: the sd's batch-means precision equals one computed from the draws and the closed forms",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // 256 full blocks; sd:0.0001% cannot be met, so the last stage is --draws.
    const std::uint64_t n = 256 * kBlock;
    struct Case {
        const char* name;
        std::string dist;
        impact::uncertainty::DistributionParams params;
        // Var(s^2) over a block of n draws = sigma^4 (kurtosis - (n-3)/(n-1)) / n (Cramér 1946,
        // 27.4): kurtosis 3 for a normal, 9/5 for a uniform. Relative half-width of s over B blocks:
        // 1.96 sqrt(Var(s^2) / B) / (2 sigma^2).
        double kurtosis;
    };
    impact::uncertainty::DistributionParams normal, uniform;
    normal.kind = impact::uncertainty::DistributionKind::normal;
    normal.mean = 100;
    normal.sd = 10;
    uniform.kind = impact::uncertainty::DistributionKind::uniform;
    uniform.low = 0;
    uniform.high = 1;
    const Case cases[] = {{"normal", normal_100_10, normal, 3.0}, {"uniform", R"({ dist = "uniform", low = 0, high = 1 })", uniform, 1.8}};
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const auto s = simulate_text(dir, one_input(c.dist), n, "f.value:sd:0.0001%");
        REQUIRE(s.sim.convergence);
        CHECK_FALSE(s.sim.convergence->converged);
        CHECK(s.sim.draws == n);
        const auto& stats = stats_of(s.run, s.sim, "f", "value");
        CHECK(stats.block_variances.count == 256);
        const double achieved = s.sim.convergence->targets.at(0).achieved.relative;
        // From the draws, regenerated here, block by block.
        const std::vector<double> x = regenerate(c.params, "f.x", 1, n);
        const double from_draws = batch_means_precision(x);
        const double b = static_cast<double>(kBlock);
        const double closed = 1.96 * std::sqrt((c.kurtosis - (b - 3) / (b - 1)) / b / 256) / 2;
        CAPTURE(achieved, from_draws, closed);
        CHECK(achieved == Approx(from_draws).epsilon(1e-9));
        // The estimate of sd(block variances) from 256 blocks has a relative error of about
        // 1 / sqrt(2 * 255) = 4.4 %: 15 % is more than three of those.
        CHECK(achieved == Approx(closed).epsilon(0.15));
    }
    // The uniform's figure is not the normal's: no normality is assumed (ratio sqrt(0.8 / 2) = 0.63).
    const double normal_closed = 1.96 * std::sqrt(2.0 / 4095 / 256) / 2;
    const auto u = simulate_text(dir, one_input(R"({ dist = "uniform", low = 0, high = 1 })"), n, "f.value:sd:0.0001%");
    CHECK(u.sim.convergence->targets.at(0).achieved.relative < 0.75 * normal_closed);
}

TEST_CASE("Convergence: an sd target below two full blocks is unknown, so never met", "[scenario][monte-carlo]") {
    TempDir dir;
    const auto s = simulate_text(dir, one_input(normal_100_10), 8000, "sd:50%");
    REQUIRE(s.sim.convergence);
    const auto& t = s.sim.convergence->targets.at(0);
    CHECK_FALSE(s.sim.convergence->converged);
    CHECK(std::isinf(t.achieved.relative));
    CHECK(t.achieved.unknown == "fewer than 2 full blocks of 4,096 draws for the batch means (1)");
    CHECK_FALSE(t.met);
    // 8,192 draws: two full blocks, and 50% is then easily met.
    const auto two = simulate_text(dir, one_input(normal_100_10), 8192, "sd:50%");
    CHECK(two.sim.convergence->converged);
    CHECK(stats_of(two.run, two.sim, "f", "value").block_variances.count == 2);
}

TEST_CASE("Convergence: a target for every output reports the least precise, an output the same at every draw is exact",
          "[scenario][monte-carlo]") {
    TempDir dir;
    // g is drawn (y reaches it) but always 5; h has twice f's spread around a smaller mean.
    const std::string toml = one_input(normal_100_10) +
                             "\n[[step]]\nid = \"g\"\nexpr = \"y * 0 + 5\"\ny = { dist = \"uniform\", low = 0, high = 1 }\n"
                             "\n[[step]]\nid = \"h\"\nexpr = \"f.value * 2 - 150\"\n";
    const auto s = simulate_text(dir, toml, 1'000'000, "mean:1%");
    REQUIRE(s.sim.convergence);
    const auto& t = s.sim.convergence->targets.at(0);
    CHECK(t.outputs_checked == 3);  // f.value, g.value, h.value; not c.value
    CHECK(t.output == "h.value");   // sd 20 around 50, against sd 10 around 100
    const auto& h = stats_of(s.run, s.sim, "h", "value").moments;
    CHECK(t.achieved.relative == Approx(1.96 * h.standard_error() / std::fabs(h.mean)).epsilon(1e-12));
    CHECK(s.sim.convergence->converged);
    CHECK(s.sim.draws == 32768);
    CHECK(impact::scenario::mean_precision(stats_of(s.run, s.sim, "g", "value").moments).relative == 0);
}

TEST_CASE("Convergence: an --until output that is missing or not drawn is refused before drawing", "[scenario][monte-carlo]") {
    TempDir dir;
    const auto refused = [&](const std::string& until, const std::string& message) {
        CAPTURE(until);
        try {
            simulate_text(dir, one_input(normal_100_10), 100'000, until);
            FAIL("accepted");
        } catch (const impact::UserError& e) {
            CHECK(std::string(e.what()) == message);
        }
    };
    refused("g.value:mean:1%", "--until: target \"g.value:mean:1%\": expected a step of the scenario (f, c), found step \"g\"");
    refused("f.nope:mean:1%", "--until: target \"f.nope:mean:1%\": expected an output of step f (value), found \"nope\"");
    refused("P50:1%,c.value:mean:1%",
            "--until: target \"c.value:mean:1%\": expected an output that a drawn input reaches, found \"c.value\", which is the "
            "same at every draw");
}

TEST_CASE("Convergence: progress counts every stage's draws and never passes what is planned", "[scenario][monte-carlo]") {
    TempDir dir;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
    const auto s = simulate_text(dir, one_input(normal_100_10), 1'000'000, "mean:0.05%", 2, 1, kBlock,
                                 [&](std::uint64_t done, std::uint64_t planned) { calls.emplace_back(done, planned); });
    REQUIRE(s.sim.convergence);
    REQUIRE_FALSE(calls.empty());
    for (std::size_t i = 0; i < calls.size(); ++i) {
        CAPTURE(i, calls[i].first, calls[i].second);
        CHECK(calls[i].first <= calls[i].second);
        if (i > 0) CHECK(calls[i].first > calls[i - 1].first);
    }
    CHECK(calls.back().first == s.sim.convergence->draws_evaluated);
    // Before anything converged, the plan is every stage up to --draws.
    CHECK(calls.front().second == 32768 + 65536 + 131072 + 262144 + 524288 + 1'000'000);
}
