// Reports of a scenario run: a text report for people and versioned JSON (impact.run/1) for scripts.
#pragma once

#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace impact::scenario {

// Receives a report piece by piece, so that a report of 60,000 steps goes to its file or to
// stdout without ever being held whole in memory.
using ReportSink = std::function<void(std::string_view)>;

void write_text(const Scenario& scenario, const RunResult& result, const ReportSink& write);
std::string render_text(const Scenario& scenario, const RunResult& result);

// {"schema": "impact.run/1", "scenario": {...}, "overrides": [...], "steps": [...], "provenance": {...}}
void write_json(const Scenario& scenario, const RunResult& result, const ReportSink& write);
std::string render_json(const Scenario& scenario, const RunResult& result);

// A value with its unit for people: "$13,500,000,000.00", "-6.33%", "24,400,000,000 shares".
std::string format_value(double value, const std::string& unit);

}  // namespace impact::scenario
