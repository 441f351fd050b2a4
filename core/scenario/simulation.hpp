// Monte Carlo over a scenario's steps (--draws) and named cases (--cases): many rows through the plans a run kept.
#pragma once

#include "scenario/convergence.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "uncertainty/distribution.hpp"
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace impact::scenario {

// Draws are evaluated in blocks of this many rows: one model call per block and step, and the
// unit of every reduction. A constant of the implementation, so that a result never depends on
// how blocks are shared among threads (docs/scenarios.md, "Monte Carlo").
inline constexpr std::uint64_t kDrawsPerBlock = 4096;

struct SimulationOptions {
    std::uint64_t draws = 0;
    std::uint64_t seed = 0;
    unsigned threads = 0;  // 0: every core (std::thread::hardware_concurrency)
    // Rows per model call (at most kDrawsPerBlock). Results do not depend on it: draws come from
    // counter-based streams and reductions use blocks of kDrawsPerBlock whatever it is.
    std::size_t batch_rows = kDrawsPerBlock;
    // Called on the calling thread after each round of blocks: draws evaluated so far, and the
    // draws the whole run will evaluate as far as known (a second pass adds to it).
    std::function<void(std::uint64_t done, std::uint64_t planned)> progress;
    // --until: draw in stages until every target holds, `draws` at most (scenario/convergence.hpp).
    // Empty: exactly `draws` draws.
    std::vector<ConvergenceTarget> until{};
};

struct ThresholdResult {
    bool above = true;
    double value = 0;            // in the output's unit
    std::string as_written;      // "5.5B USD"
    std::uint64_t count = 0;     // draws beyond it (strictly above or strictly below)
    double probability = 0;      // count / draws
};

// The statistics of one output over every draw; `drawn` is false for an output no drawn input
// reaches (it is the same at every draw, and the report shows its value alone).
// How many draws of an output fell below and above an [[actual]] value.
struct ActualCount {
    double value = 0;
    std::uint64_t below = 0, above = 0;
};

struct OutputStatistics {
    bool drawn = false;
    uncertainty::Moments moments;
    std::vector<uncertainty::PercentileResult> percentiles;  // kReportedPercentiles, in order
    std::vector<ThresholdResult> thresholds;
    // With an sd target (--until): each full block's sample variance, folded in block order, for
    // the batch-means standard error of the sd. Empty (count 0) otherwise.
    uncertainty::Moments block_variances{};
    std::vector<ActualCount> actual_counts{};  // one per [[actual]] of this output, in scenario order
};

struct SimulationResult {
    std::uint64_t draws = 0;
    std::uint64_t seed = 0;
    unsigned threads = 1;
    unsigned passes = 0;               // full passes over the draws: 1, or more when a percentile window missed
    std::string generator;             // "Philox4x32-10 (Random123)" or as the library says
    std::string percentile_method;
    std::vector<std::string> correlations;  // one line per [[correlation]] applied
    std::vector<std::vector<OutputStatistics>> steps;  // [step][output]
    // With --until: the stages run and each target's precision at the last one, whose draws
    // `draws` and `steps` are (bit-identical to a run with --draws set to that stage's size).
    std::optional<ConvergenceRecord> convergence{};
};

// Checks the scenario's thresholds against the outputs of `run` (each names an output of its
// step and is written in that output's unit). Throws UserError at file:line:column. Run and
// validate call it, so that validate catches what run would.
void check_thresholds(const Scenario& scenario, const RunResult& run);

// An [[actual]] against the scenario's estimate of it.
struct ActualResult {
    std::string output;  // "step.output"
    std::string label, unit;
    std::string as_written;  // "4.5B USD"
    std::string source;
    impact_date_days date = 0;
    SourcePos pos;
    double estimate = 0;  // the output's value in the run (every input at its point value)
    double actual = 0;    // in the output's unit
    double error = 0;     // estimate - actual
    std::optional<double> relative_error;  // error / |actual|; none when the actual is 0
    // With --draws and a drawn output: the mid-rank percentile at which the actual fell among the
    // draws, (below + equal / 2) / N.
    std::optional<double> percentile;
    // --keep-going: why the estimate is unavailable ("step h20 failed"); then estimate and error are
    // NaN and there is no percentile.
    std::string unavailable{};
};

// Checks each [[actual]]: its output exists and its value is in the output's unit. Throws
// UserError at the [[actual]]'s output or value. Run and validate call it.
void check_actuals(const Scenario& scenario, const RunResult& run);
// Estimate against actual for every [[actual]], with the percentile where `simulation` drew the output.
std::vector<ActualResult> actual_results(const Scenario& scenario, const RunResult& run, const SimulationResult* simulation);

// Checks every [[correlation]]: each input named once, given as a continuous distribution, and a
// valid rank-correlation matrix (square, symmetric, unit diagonal, entries in [-1, 1], positive
// semi-definite once converted). Throws UserError at the offending name or entry. Run (before
// simulating) and validate call it.
void check_correlations(const Scenario& scenario, const RunResult& run);

// Evaluates every step that a drawn input reaches for options.draws draws (run must hold the
// plans: RunOptions::keep_plans), with the scenario's correlations, and returns each output's
// statistics. Deterministic: the same seed gives bit-identical results for any thread count.
// With options.until, runs stages of convergence_stages(options.draws) draws, each afresh over
// draws [0, N), and stops at the first whose statistics meet every target (or at the last).
// Throws UserError (exit 2) for a scenario that cannot be drawn (nothing drawn, a correlation
// over inputs that are not continuous distributions, an invalid matrix, a fixed input that
// would have to follow a drawn output, an --until output that is not drawn) and host::CallError for a model that fails at a draw,
// naming the draw.
SimulationResult simulate(const Scenario& scenario, const RunResult& run, const SimulationOptions& options);

// --keep-going: as simulate(), but a step whose model or formula fails at some draw is marked failed
// in `run` (message naming the draw) with its dependents skipped (mark_failed), and the simulation
// is run again from the first draw without them, so the statistics of the steps left are exactly
// those of a run without them. Steps that failed or were skipped already are left out; an --until
// target on one of their outputs is dropped. A failed step among [[correlation]] inputs stops the
// run (host::CallError): its partners cannot be drawn without it.
SimulationResult simulate_keeping_going(const Scenario& scenario, RunResult& run, const SimulationOptions& options);

// --cases: every step evaluated once per [[case]], each case one row. [step][output][case].
struct CaseResults {
    std::vector<std::string> names;
    std::vector<std::string> descriptions;
    std::vector<std::vector<std::vector<double>>> steps;
};
CaseResults evaluate_cases(const Scenario& scenario, const RunResult& run);
// --keep-going: as evaluate_cases(), but a step that fails at some case is marked failed in `run`
// (its dependents skipped) and the cases are evaluated again without them. A step that failed or was
// skipped has NaN in every case.
CaseResults evaluate_cases_keeping_going(const Scenario& scenario, RunResult& run);

// For sensitivity analysis (scenario/sensitivity.cpp): the same evaluation, with rows chosen by
// the caller.

// One row evaluated with some inputs set ("step.input" and its value, in the unit the plans hold:
// 0.6 for 60%) and every other input at its point value (a distribution's, a range's base).
struct RowSetting {
    std::string name;  // names the row in messages: "h20.annual_revenue at its P10"
    std::vector<std::pair<std::string, double>> values;
};

// Evaluates once per row, as --cases does, every step that some row changes and the steps that
// take their outputs (the others keep the run's values), and returns output `output` of step `step`
// (positions in the run) at each row. An output the model declares may be undefined can come back
// NaN or infinite: the caller checks the one it uses. Throws UserError or host::CallError naming
// the row; UserError too when an input fixed per model instance would have to follow a row's change.
std::vector<double> evaluate_rows(const Scenario& scenario, const RunResult& run, const std::vector<RowSetting>& rows,
                                  std::size_t step, std::size_t output);

// An input given as a distribution, as the run planned it; drawn_inputs() lists them in run order
// (steps in order, each step's columns in order), the order evaluate_draws uses.
struct DrawnInput {
    std::string name;  // "step.input", also its random stream's id
    SourcePos pos;
    std::shared_ptr<const uncertainty::Distribution> distribution;
    double point_value = 0;
    std::size_t step = 0;  // position of its step in the run
};
std::vector<DrawnInput> drawn_inputs(const RunResult& run);

// One matrix of a design such as Saltelli's: drawn input i takes its draw j + draw_offsets[i] at
// row j (empty: all zero, the draws of `impact run --draws`; Saltelli's B takes draws [N, 2N)).
struct DrawMatrix {
    std::vector<std::uint64_t> draw_offsets{};
    // Names the rows in messages ("Saltelli's matrix B" gives "Saltelli's matrix B row 17 (seed 1)");
    // empty: "draw 17 (seed 1)".
    std::string design{};
};

struct DrawRequest {
    std::uint64_t draws = 0;
    std::uint64_t seed = 0;
    unsigned threads = 0;  // 0: every core
    std::size_t step = 0, output = 0;  // the output to return
    std::vector<DrawMatrix> matrices{DrawMatrix{}};
};

// Evaluates rows [0, request.draws) of each matrix m and writes the output at row j to
// values[j * M + m] (M matrices) and, when `inputs` is not empty (one span per drawn input), drawn
// input i's value at row j of the first matrix to inputs[i][j] for the rows the span holds (the
// first inputs[i].size()). One set of workspaces and model instances serves every matrix.
// Deterministic: the same for any number of threads. Draw offsets need a scenario without
// [[correlation]] (std::logic_error otherwise: the copula draws a group together). Throws as
// simulate(), naming a row by its matrix's design.
void evaluate_draws(const Scenario& scenario, const RunResult& run, const DrawRequest& request, std::span<double> values,
                    std::span<const std::span<double>> inputs);

}  // namespace impact::scenario
