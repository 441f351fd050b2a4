// Side by side: the outputs of several scenario runs matched by step and output, with differences and ratios against a baseline and an optional tolerance.
#pragma once

#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "scenario/simulation.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace impact::scenario {

// One scenario as compare ran it.
struct CompareSide {
    std::string name;  // as written on the command line
    const Scenario* scenario = nullptr;
    const RunResult* run = nullptr;
    const SimulationResult* simulation = nullptr;  // with --draws
};

// Side i's label in every compare report: A, B, ..., Z, then S27, S28...
std::string side_letter(std::size_t i);

// --tolerance: "0.1%" is relative to the baseline's figure, a plain number ("1e6") absolute in
// the output's unit. A figure is within when |other - baseline| <= tolerance (relative: times
// |baseline|).
struct Tolerance {
    bool relative = false;
    double amount = 0;
    std::string as_written;
};
// Throws UserError "--tolerance: expected ..., found ..." for anything else (negative, not finite,
// another unit).
Tolerance parse_tolerance(const std::string& written);

// One figure of one output on every side: the value, or a drawn output's mean, P5, P50 or P95.
struct ComparedFigure {
    std::string statistic;                     // "value", "mean", "P5", "P50", "P95"
    std::vector<std::optional<double>> values;  // per side; none where the side lacks it
    std::vector<std::optional<double>> differences;  // per side: value - baseline's (none for the baseline)
    std::vector<std::optional<double>> ratios;       // per side: value / baseline's (none when that is 0)
    std::vector<bool> within;                         // per side, against the tolerance (true without one)
};

// With --draws: side minus baseline draw by draw. Both sides draw with the same seed, so an input
// with the same step.input name and distribution has the same value in both at every draw
// (common random numbers): the spread is the assumptions' difference, not sampling noise.
struct DrawDifference {
    std::uint64_t draws = 0;
    double mean = 0, sd = 0, p5 = 0, p50 = 0, p95 = 0;
    double probability_greater = 0;  // P(side > baseline): the share of draws where it is
};

struct ComparedOutput {
    std::string name;          // "step.output"
    std::string step, output;  // the step id and output key it is made of
    std::string label, unit;
    std::vector<bool> present;  // per side
    std::vector<ComparedFigure> figures;
    // Per side other than the baseline, when both drew the output; why not otherwise.
    std::vector<std::optional<DrawDifference>> differences{};
    std::string differences_note{};
    bool within = true;  // every figure on every side within the tolerance, and present everywhere
};

struct CompareResult {
    std::vector<std::string> sides;
    std::size_t baseline = 0;
    std::optional<Tolerance> tolerance;
    std::vector<ComparedOutput> outputs;  // the baseline's in its order, then those only other sides have
    std::size_t beyond = 0;               // outputs not within (one-sided ones included)
};

// Matches outputs by step id and output key. An output one side lacks is listed, with its
// figures there as none, and counts as beyond the tolerance (a difference). The figures of a
// drawn output are its value, mean, P5, P50 and P95; an output drawn on one side only compares
// its value alone. Units must agree (UserError naming both sides otherwise).
CompareResult compare_sides(const std::vector<CompareSide>& sides, std::size_t baseline,
                            const std::optional<Tolerance>& tolerance);

// The sides' outputs, per draw, at most this many bytes at once (three arrays of N doubles).
inline constexpr std::uint64_t kDrawDifferenceBudgetBytes = std::uint64_t{256} << 20;

// Fills ComparedOutput::differences for every output that the baseline and another side both
// drew (sides drawn with `draws` draws and `seed`), evaluating each side's output draw by draw
// again. Beyond kDrawDifferenceBudgetBytes the note says why there are none.
void add_draw_differences(const std::vector<CompareSide>& sides, CompareResult& result, std::uint64_t draws,
                          std::uint64_t seed, unsigned threads);

// Text for people; JSON `impact.compare/1` (docs/compare.md).
void write_compare_text(const std::vector<CompareSide>& sides, const CompareResult& result, const ReportSink& write);
void write_compare_json(const std::vector<CompareSide>& sides, const CompareResult& result, const ReportSink& write);

}  // namespace impact::scenario
