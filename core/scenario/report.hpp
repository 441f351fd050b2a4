// Reports of a scenario run: a text report for people and versioned JSON (impact.run/1) for scripts.
#pragma once

#include "io/json_output.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "scenario/simulation.hpp"
#include "text/money_locale.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace impact::scenario {

// Receives a report piece by piece, so that a report of 60,000 steps goes to its file or to
// stdout without ever being held whole in memory.
using ReportSink = std::function<void(std::string_view)>;

// What a run computed beyond each output's value: Monte Carlo statistics (--draws) or the
// value in each named case (--cases). Either may be absent.
struct ReportExtras {
    const SimulationResult* simulation = nullptr;
    const CaseResults* cases = nullptr;
    const std::vector<ActualResult>* actuals = nullptr;  // [[actual]] against estimate
    text::Locale locale = text::Locale::en;             // --locale: money in the text report's summary
    // When the report was made, seconds since 1970 UTC (provenance); none: not said.
    std::optional<long long> generated_at_unix{};
};

// The scenario's compare groups (`compare = "name"`) in order of first appearance: each name with
// the positions of its steps; and the output keys of a group's steps, each once, in that order.
std::vector<std::pair<std::string, std::vector<std::size_t>>> compare_groups(const Scenario& scenario, const RunResult& result);
std::vector<std::string> group_output_keys(const RunResult& result, const std::vector<std::size_t>& steps);

// The two ends of an output's range named by its direction (ABI 1.2): for "higher is worse" the
// larger end is the worst case, for "higher is better" the smaller; a neutral output keeps "low"
// (the smaller) and "high". An end that is undefined (NaN, an output that may be undefined) orders
// nothing: both ends keep their input's order as "low" and "high". None when there is no range.
struct BestWorst {
    double best = 0, worst = 0;
    std::string_view best_name, worst_name;  // "best"/"worst", or "low"/"high" when neutral
};
std::optional<BestWorst> best_and_worst(const RangedValue& value, impact_direction direction);

// The outputs a report's summary shows, as (step, output) positions: the scenario's headline, or
// the first output of each of the first kDefaultHeadlineSteps steps.
inline constexpr std::size_t kDefaultHeadlineSteps = 12;
std::vector<std::pair<std::size_t, std::size_t>> headline_outputs(const Scenario& scenario, const RunResult& result);

// Where an input's value came from, for people: "written in the scenario", "--set (this run only)",
// "the model's default", "[scenario] as_of", "output of step h20.total_impact", "data file nvda.csv".
std::string origin_description(const Scenario& scenario, const InputUsed& input);

// --until's outcome as the text report writes it, one line each, without indentation: the verdict
// and stages, then each target's precision.
std::vector<std::string> convergence_lines(const ConvergenceRecord& record);

// "2025-11-30T00:00:00Z"
std::string iso_utc(long long unix_seconds);

void write_text(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras = {});
// The text reports' closing "Provenance" section: tool and ABI, when the report was made
// (extras.generated_at_unix), the scenario file and SHA-256, seed and draws when drawn, each plugin.
std::string provenance_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras);
std::string render_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras = {});

// {"schema": "impact.run/1", "scenario": {...}, "overrides": [...], ["uncertainty": {...},]
// ["cases": [...],] "steps": [...], "provenance": {...}}; docs/scenarios.md documents every member.
void write_json(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras = {});
std::string render_json(const Scenario& scenario, const RunResult& result, const ReportExtras& extras = {});

// Pieces every JSON report shares: the scenario's "scenario" and "overrides" members, and the
// "provenance" member (tool, ABI, the scenario's SHA-256, each plugin's id, version, file and SHA-256).
io::Json scenario_json(const Scenario& scenario);
io::Json overrides_json(const Scenario& scenario);
// With `generated_at_unix`, provenance also says when the report was made ("generated_at").
io::Json provenance_json(const Scenario& scenario, const RunResult& result, std::optional<long long> generated_at_unix = {});
// A JSON value dumped at a nesting depth of a document written piece by piece (two spaces a level).
std::string indented(const io::Json& value, int depth);

// Checks [scenario] headline against the run: each names a step of the scenario and an output of
// it. Throws UserError at the entry's file:line:column. Run, validate and sensitivity call it.
void check_headline(const Scenario& scenario, const RunResult& result);

// A value with its unit for people: "$13,500,000,000.00", "-6.33%", "24,400,000,000 shares".
std::string format_value(double value, const std::string& unit);

}  // namespace impact::scenario
