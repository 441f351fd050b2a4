// Runs every scenario in samples/ and checks its key figures against the seed articles' values.
#include "host/registry.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using impact::scenario::RunResult;

impact::host::Registry bundled_registry() {
    return impact::host::Registry::discover({{IMPACT_PLUGIN_OUTPUT_DIR, "bundled"}});
}

RunResult run_sample(const std::string& name) {
    const auto scenario = impact::scenario::read_scenario_file(fs::path(IMPACT_SOURCE_DIR) / "samples" / name);
    return impact::scenario::run_scenario(scenario, bundled_registry(), impact::scenario::RunMode::run);
}

const impact::scenario::RangedValue& output(const RunResult& run, const std::string& step, const std::string& key) {
    for (const auto& s : run.steps)
        if (s.id == step)
            if (const auto* o = s.find_output(key)) return o->value;
    FAIL("no output " << step << "." << key);
    throw std::logic_error("unreachable");
}

std::string note(const RunResult& run, const std::string& step, const std::string& key) {
    for (const auto& s : run.steps)
        if (s.id == step)
            for (const auto& [k, v] : s.notes)
                if (k == key) return v;
    return {};
}

// One close from a shared/data CSV (date first, the named column), read here independently of
// the host's CSV code.
double close_on(const std::string& file, const std::string& date, std::size_t close_column) {
    std::ifstream in(fs::path(IMPACT_SHARED_DIR) / "data" / file);
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(date + ",", 0) != 0) continue;
        std::stringstream cells(line);
        std::string cell;
        for (std::size_t i = 0; i <= close_column; ++i) std::getline(cells, cell, ',');
        return std::stod(cell);
    }
    FAIL("no " << date << " in " << file);
    return 0;
}

struct Expected {
    const char* step;
    const char* output;
    const char* which;  // "value", "low" or "high"
    double expected;
    const char* source;
};

void check(const RunResult& run, const Expected& e, double relative_tolerance) {
    const auto& v = output(run, e.step, e.output);
    const std::string which = e.which;
    const double actual = which == "low" ? v.low.value_or(NAN) : which == "high" ? v.high.value_or(NAN) : v.value;
    INFO(e.step << "." << e.output << " (" << e.which << "), source: " << e.source);
    INFO("expected " << std::setprecision(17) << e.expected << ", actual " << actual << ", tolerance "
                     << relative_tolerance << " relative");
    CHECK(std::fabs(actual - e.expected) <= relative_tolerance * std::fabs(e.expected));
}

}  // namespace

TEST_CASE("every sample scenario runs", "[samples]") {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(IMPACT_SOURCE_DIR) / "samples")) {
        if (entry.path().extension() != ".toml") continue;
        ++count;
        INFO(entry.path().string());
        const auto scenario = impact::scenario::read_scenario_file(entry.path());
        const RunResult run = impact::scenario::run_scenario(scenario, bundled_registry(), impact::scenario::RunMode::run);
        CHECK(run.steps.size() == scenario.steps.size());
        for (const auto& step : run.steps)
            for (const auto& o : step.outputs) {
                INFO(step.id << "." << o.key);
                // NaN is allowed only where a model documents "not available".
                CHECK((std::isfinite(o.value.value) || o.key == "abnormal_market_cap"));
            }
    }
    CHECK(count >= 2);
}

TEST_CASE("H20 sample reproduces the April 2025 figures", "[samples][h20]") {
    const RunResult run = run_sample("h20-export-licence-2025-04.toml");
    constexpr double tolerance = 1e-12;
    // Sources: ../shared/guide/facts.md, Article 1 and the 10-Q / 8-K rows.
    const Expected expected[] = {
        {"h20", "lost_revenue", "value", 13.5e9, "$12-15B H20 revenue, midpoint; 100% restricted for 1 year"},
        {"h20", "lost_gross_profit", "value", 13.5e9 * 0.60, "lost revenue x 60% gross margin"},
        {"h20", "total_impact", "value", 13.5e9 * 0.60 + 5.5e9, "plus the 8-K's $5.5B of charges"},
        {"move", "return", "value", 105.10 / 112.20 - 1, "Article 1: $112.20 to $105.10, -6.33%"},
        {"move", "market_cap_change", "value", (105.10 - 112.20) * 24.4e9, "x 24.4B shares (10-Q): -$173.24B"},
        {"charge_krw", "converted", "value", 7'858'400'000'000.0, "Article 1: $5.5B = 7조 8,584억 won"},
        {"revenue_krw", "converted", "low", 17'145'600'000'000.0, "Article 1: $12B at 1,428.8, '17조'"},
        {"revenue_krw", "converted", "high", 21'432'000'000'000.0, "Article 1: $15B at 1,428.8, '21조'"},
        {"h20_range", "lost_revenue", "low", 12e9, "Article 1: $12B"},
        {"h20_range", "lost_revenue", "high", 15e9, "Article 1: $15B"},
    };
    for (const Expected& e : expected) check(run, e, tolerance);

    // The article rounds: -6.33% and -$173.24B.
    CHECK(std::round(output(run, "move", "return").value * 10'000) == -633);
    CHECK(std::round(output(run, "move", "market_cap_change").value / 1e7) == -17'324);

    // Event study: the abnormal return on day 0 plus the market model's prediction is the
    // stock's own return, which the test computes from the shared data (adjusted closes
    // 112.1922 -> 104.4827, facts.md) and the S&P 500 closes.
    CHECK(note(run, "es", "day0") == "2025-04-16");
    const double stock_return = close_on("nvda-daily-2024-06_2025-05.csv", "2025-04-16", 4) /
                                    close_on("nvda-daily-2024-06_2025-05.csv", "2025-04-15", 4) -
                                1;
    const double market_return = close_on("sp500-daily-2024-01_2026-01.csv", "2025-04-16", 1) /
                                     close_on("sp500-daily-2024-01_2026-01.csv", "2025-04-15", 1) -
                                 1;
    const double alpha = output(run, "es", "alpha").value;
    const double beta = output(run, "es", "beta").value;
    const double ar0 = output(run, "es", "ar0").value;
    INFO("stock " << stock_return << ", market " << market_return << ", alpha " << alpha << ", beta " << beta);
    CHECK(std::fabs(ar0 + alpha + beta * market_return - stock_return) <= 1e-12);
    CHECK(std::round(stock_return * 10'000) == -687);   // facts.md: -6.87% on 16 April
    CHECK(std::round(market_return * 10'000) == -224);  // facts.md: S&P 500 -2.24%
    CHECK(output(run, "es", "n_estimation").value == 120);
}

TEST_CASE("H200 sample reproduces the December 2025 figures", "[samples][h200]") {
    const RunResult run = run_sample("h200-china-2025-12.toml");
    // Sources: ../shared/guide/facts.md, Article 2 ($70B, about 103조 won) and the sample's comments.
    const Expected expected[] = {
        {"package_krw", "converted", "value", 102'998'000'000'000.0, "Article 2: $70B at 1,471.4, about 103조"},
        {"h200_regained", "lost_revenue", "low", 0.0, "China refuses the imports"},
        {"h200_regained", "lost_revenue", "value", 13.5e9 * 0.75, "H20 2024 midpoint, 75% kept after the US share"},
        {"h200_regained", "lost_revenue", "high", 32e9 * 0.75, "$8.0B a quarter for a year, 75% kept"},
        {"regained_krw", "converted", "high", 32e9 * 0.75 * 1471.4, "the high case in won at 1,471.4"},
    };
    for (const Expected& e : expected) check(run, e, 1e-12);
    CHECK(std::round(output(run, "package_krw", "converted").value / 1e12) == 103);
}
