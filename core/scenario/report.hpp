// Reports of a scenario run: a text report for people and versioned JSON (impact.run/1) for scripts.
#pragma once

#include "io/json_output.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "scenario/simulation.hpp"

#include <functional>
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
};

void write_text(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras = {});
std::string render_text(const Scenario& scenario, const RunResult& result, const ReportExtras& extras = {});

// {"schema": "impact.run/1", "scenario": {...}, "overrides": [...], ["uncertainty": {...},]
// ["cases": [...],] "steps": [...], "provenance": {...}}; docs/scenarios.md documents every member.
void write_json(const Scenario& scenario, const RunResult& result, const ReportSink& write, const ReportExtras& extras = {});
std::string render_json(const Scenario& scenario, const RunResult& result, const ReportExtras& extras = {});

// Pieces every JSON report shares: the scenario's "scenario" and "overrides" members, and the
// "provenance" member (tool, ABI, the scenario's SHA-256, each plugin's id, version, file and SHA-256).
io::Json scenario_json(const Scenario& scenario);
io::Json overrides_json(const Scenario& scenario);
io::Json provenance_json(const Scenario& scenario, const RunResult& result);
// A JSON value dumped at a nesting depth of a document written piece by piece (two spaces a level).
std::string indented(const io::Json& value, int depth);

// A value with its unit for people: "$13,500,000,000.00", "-6.33%", "24,400,000,000 shares".
std::string format_value(double value, const std::string& unit);

}  // namespace impact::scenario
