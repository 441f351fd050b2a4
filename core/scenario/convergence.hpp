// Convergence control for Monte Carlo (--until): targets, stage sizes, and the precision each statistic reached.
#pragma once

#include "scenario/runner.hpp"
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace impact::scenario {

struct OutputStatistics;  // scenario/simulation.hpp, which includes this header

// Every precision is the half-width of a 95% interval: z = 1.96.
inline constexpr double kConvergenceZ = 1.96;

// The first stage has this many draws (or --draws, if fewer); each later stage doubles, and the
// last is clamped to --draws. 8 full blocks of kDrawsPerBlock: enough for the sd's batch means.
inline constexpr std::uint64_t kFirstStageDraws = 32768;

enum class ConvergenceStatistic { mean, sd, percentile };

// One target of --until, as written: [STEP.OUTPUT:]STAT:PRECISION.
struct ConvergenceTarget {
    std::string as_written;  // trimmed: "h20.total_impact:P50:0.1%"
    std::string step;        // empty: every drawn output of the run
    std::string output;
    ConvergenceStatistic statistic = ConvergenceStatistic::mean;
    double probability = 0;  // P50: 0.5 (percentile targets only)
    double precision = 0;    // the relative half-width wanted: 0.001 for "0.1%"
};

// Parses --until: comma-separated targets, each [STEP.OUTPUT:]STAT:PRECISION, where STAT is mean,
// sd or a reported percentile P1 ... P99 (case does not matter) and PRECISION a percentage above 0
// ("0.1%"). Throws UserError "--until: ..." naming the bad target, what was expected and found.
std::vector<ConvergenceTarget> parse_convergence_targets(std::string_view text);

// "mean", "sd", "P50".
std::string statistic_name(const ConvergenceTarget& target);

// The draws of each stage for at most `max_draws`: min(max, kFirstStageDraws), then doubling, the
// last clamped to max_draws. Each stage is a fresh run over draws [0, N).
std::vector<std::uint64_t> convergence_stages(std::uint64_t max_draws);

// The precision a statistic reached: the relative half-width of its 95% interval, or +inf with
// the reason when it is unknown.
struct Precision {
    double relative = 0;
    std::string unknown;  // why `relative` is +inf: "the estimate is 0", "fewer than 2 full blocks"
};

// An interval of width 0 is precision 0 whatever the estimate (an output the same at every draw
// has every statistic exactly); otherwise an estimate of exactly 0 has no relative precision.
//   mean: 1.96 * standard error / |mean| (normal approximation to the mean).
Precision mean_precision(const uncertainty::Moments& moments);
//   Pxx: (ci_high - ci_low) / 2 / |value|, the order-statistic interval (Conover, 3rd ed., 3.2).
Precision percentile_precision(const uncertainty::PercentileResult& percentile);
//   sd: batch means over full blocks, no normality assumed: SE(s^2) = sd(block variances) /
//   sqrt(blocks), SE(s) = SE(s^2) / (2 s), precision 1.96 SE(s) / s; unknown below 2 blocks.
//   `block_variances` holds one value per full block: that block's sample variance.
Precision sd_precision(const uncertainty::Moments& moments, const uncertainty::Moments& block_variances);

// A target with the outputs it covers, as indices into the run: [step, output] pairs.
struct ResolvedTarget {
    ConvergenceTarget target;
    std::vector<std::pair<std::size_t, std::size_t>> outputs;
};

// Matches each target's STEP.OUTPUT against the run (every drawn output when it names none).
// `drawn[s]` says whether a drawn input reaches step s. Throws UserError "--until: ..." for an
// output the run does not have or that is the same at every draw.
std::vector<ResolvedTarget> resolve_convergence_targets(const std::vector<ConvergenceTarget>& targets,
                                                        const RunResult& run, const std::vector<bool>& drawn);

// How one target stands after a stage: the precision of the output that is furthest from it.
struct TargetOutcome {
    ConvergenceTarget target;
    std::size_t outputs_checked = 0;  // how many outputs it covers
    std::string output;               // "step.output" reported: the worst of those it covers
    Precision achieved{};
    bool met = false;
};

// Evaluates every target against a stage's statistics ([step][output], as SimulationResult::steps).
std::vector<TargetOutcome> evaluate_convergence_targets(const std::vector<ResolvedTarget>& targets,
                                                        const std::vector<std::vector<OutputStatistics>>& steps,
                                                        const RunResult& run);

// What --until did: reported beside the statistics of the last stage.
struct ConvergenceRecord {
    bool converged = false;                // every target met at the last stage
    std::uint64_t max_draws = 0;           // --draws
    std::vector<std::uint64_t> stages{};   // draws of each stage run, in order; the last is the result's
    std::uint64_t draws_evaluated = 0;     // over every stage and pass: the cost
    std::vector<TargetOutcome> targets{};  // at the last stage
};

}  // namespace impact::scenario
