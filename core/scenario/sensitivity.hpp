// Which inputs drive one output of a scenario: tornado swings, Spearman rank correlations, Sobol indices.
#pragma once

#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace impact::scenario {

// Rank correlations are computed on every draw while the values and ranks they need fit in this
// many bytes, and otherwise on the first draws that fit (docs/sensitivity.md, "Rank correlation").
inline constexpr std::uint64_t kRankCorrelationBudgetBytes = std::uint64_t{256} << 20;
// Sobol indices keep N (k + 2) output values (k drawn inputs); more than this many bytes is refused.
inline constexpr std::uint64_t kSobolBudgetBytes = std::uint64_t{1} << 30;
// Relative step of the central difference behind each elasticity: x (1 -/+ h).
inline constexpr double kElasticityRelativeStep = 1e-5;

struct SensitivityOptions {
    std::string output;              // "step.output", as written after --output
    std::uint64_t draws = 10'000;    // N: the draws ranked, and Saltelli's base draws
    std::uint64_t seed = 1;
    unsigned threads = 0;            // 0: every core
    unsigned bootstrap_resamples = 100;
    std::uint64_t rank_budget_bytes = kRankCorrelationBudgetBytes;  // tests lower it to reach the subsample
};

// One bar of the tornado: an uncertain input swung from `low` to `high` with every other input at
// its point value.
struct TornadoBar {
    std::string input;   // "step.input"
    std::string label;
    std::string unit;    // the input's unit as reports show it ("USD", "%", "")
    std::string source;  // "distribution", "range" or "cases"
    std::string low_name, high_name;  // "P10" and "P90", "low" and "high", "lowest case" and "highest case"
    double point = 0, low = 0, high = 0;
    double output_at_low = 0, output_at_high = 0;
    double swing = 0;  // |output_at_high - output_at_low|
    // d ln(output) / d ln(input) at the point values; none when the input's or the output's point
    // value is 0 or the model refuses every nearby value (elasticity_note says why). A one-sided
    // difference (at a bound) says so in elasticity_note.
    std::optional<double> elasticity;
    std::string elasticity_note;
};

struct RankCorrelation {
    std::string input, label;
    std::optional<double> spearman;  // none when the input is the same at every ranked draw
};

struct SobolIndex {
    std::string input, label;
    double first_order = 0, first_order_low = 0, first_order_high = 0;
    double total = 0, total_low = 0, total_high = 0;
};

struct SensitivityResult {
    std::size_t step = 0, output = 0;  // the output analysed: positions in the run
    std::string output_name, label, unit;
    double point_value = 0;            // the output at every input's point value
    std::uint64_t draws = 0, seed = 0;
    unsigned threads = 1;
    std::vector<std::string> correlations;  // the [[correlation]] tables, one line each

    std::vector<TornadoBar> tornado;  // largest swing first (ties: scenario order)

    // Rank correlation over the draws of `impact run --draws N --seed S` (correlations applied).
    std::string rank_status;  // "computed", or why not
    std::uint64_t rank_draws = 0;
    std::string rank_method;
    std::vector<RankCorrelation> rank;  // largest |spearman| first

    // Sobol indices: Saltelli's design, Jansen's estimators, bootstrap intervals.
    std::string sobol_status;  // "computed", or why not
    std::uint64_t sobol_evaluations = 0;
    double sobol_variance = 0;
    unsigned bootstrap_resamples = 0;
    std::vector<SobolIndex> sobol;  // largest total index first
};

// Runs the analysis on a run made with RunOptions::keep_plans (and cases when the scenario has
// [[case]] tables). Throws UserError for a bad --output, a scenario with no uncertain input or a
// draw count beyond the budgets; host::CallError when a model fails on a row it must evaluate.
SensitivityResult analyse_sensitivity(const Scenario& scenario, const RunResult& run, const SensitivityOptions& options);

// Text for people; JSON `impact.sensitivity/1` (docs/sensitivity.md documents every member).
// `generated_at_unix`: when the report was made (SOURCE_DATE_EPOCH or now), in the provenance of both.
void write_sensitivity_text(const Scenario& scenario, const RunResult& run, const SensitivityResult& result,
                            const ReportSink& write, std::optional<long long> generated_at_unix = {});
void write_sensitivity_json(const Scenario& scenario, const RunResult& run, const SensitivityResult& result,
                            const ReportSink& write, std::optional<long long> generated_at_unix = {});

}  // namespace impact::scenario
