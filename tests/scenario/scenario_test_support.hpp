// Helpers shared by the scenario tests: scenario fixtures, the bundled plugin registry, running scenarios.
#pragma once

#include "support/temp_dir.hpp"

#include "host/registry.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace scenario_test {

namespace fs = std::filesystem;

using impact::test::read_file;
using impact::test::TempDir;
using impact::test::write_file;

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }
inline bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// Every occurrence of `from` in `text` replaced by `to`.
inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// A scenario's text with line numbers ("7| amount = ..."), for INFO on failure.
inline std::string with_line_numbers(const std::string& text) {
    std::istringstream in(text);
    std::string out;
    int n = 0;
    for (std::string line; std::getline(in, line);) out += std::to_string(++n) + "| " + line + "\n";
    return out;
}

// The shared market data, read in place (never copied into the repository).
inline fs::path shared_data(std::string_view name) { return fs::path(IMPACT_SHARED_DIR) / "data" / name; }

// The shared NVDA and S&P 500 closes as [data.nvda] and [data.spx] tables: 8 lines, the last one blank.
inline std::string shared_data_tables() {
    return "[data.nvda]\n"
           "file = \"" + shared_data("nvda-daily-2024-06_2025-05.csv").string() + "\"\n"
           "value = \"close\"\n"
           "\n"
           "[data.spx]\n"
           "file = \"" + shared_data("sp500-daily-2024-01_2026-01.csv").string() + "\"\n"
           "value = \"close\"\n"
           "\n";
}

// Writes flat.csv (a stock at 100 every day of February 2025), market.csv (a market that moves) and
// zero-variance.toml, an event study of the one against the other, into `dir`, and returns the
// scenario's path. The abnormal returns have zero variance, so stock.event_study cannot compute a
// t-statistic: a model failure (exit code 3 on the command line) at the step "es", whose [[step]]
// is line 12, column 1.
inline fs::path write_zero_variance_scenario(const fs::path& dir) {
    std::string flat = "date,close\n", market = "date,close\n";
    for (int day = 1; day <= 28; ++day) {
        char date[16];
        std::snprintf(date, sizeof date, "2025-02-%02d", day);
        flat += std::string(date) + ",100\n";
        market += std::string(date) + "," + std::to_string(100 + day % 5 + day * 0.3) + "\n";
    }
    write_file(dir / "flat.csv", flat);
    write_file(dir / "market.csv", market);
    const fs::path scenario = dir / "zero-variance.toml";
    write_file(scenario, "[scenario]\n"
                         "name = \"Zero variance\"\n"
                         "\n"
                         "[data.flat]\n"
                         "file = \"flat.csv\"\n"
                         "value = \"close\"\n"
                         "\n"
                         "[data.market]\n"
                         "file = \"market.csv\"\n"
                         "value = \"close\"\n"
                         "\n"
                         "[[step]]\n"  // 12
                         "id = \"es\"\n"
                         "model = \"stock.event_study\"\n"
                         "stock = { data = \"flat\" }\n"
                         "market = { data = \"market\" }\n"
                         "event_date = 2025-02-20\n"
                         "estimation_days = 10\n"
                         "gap_days = 0\n");
    return scenario;
}

// The bundled plugins (fx, revenue, stock), loaded once per test process.
inline const impact::host::Registry& bundled_registry() {
    static const impact::host::Registry registry =
        impact::host::Registry::discover({{fs::path(IMPACT_PLUGIN_OUTPUT_DIR), "bundled"}});
    return registry;
}

// Reads and runs a scenario file with the bundled plugins.
inline impact::scenario::RunResult run_file(const fs::path& file,
                                            impact::scenario::RunMode mode = impact::scenario::RunMode::run) {
    const impact::scenario::Scenario scenario = impact::scenario::read_scenario_file(file);
    return impact::scenario::run_scenario(scenario, bundled_registry(), mode);
}

// How reading and running a scenario ended: "ok", "UserError", "CallError" or "other", and the message.
struct Outcome {
    std::string kind;
    std::string message;
};

inline Outcome outcome_of(const fs::path& file, impact::scenario::RunMode mode) {
    try {
        run_file(file, mode);
        return {"ok", ""};
    } catch (const impact::UserError& e) {
        return {"UserError", e.what()};
    } catch (const impact::host::CallError& e) {
        return {"CallError", e.what()};
    } catch (const std::exception& e) {
        return {"other", e.what()};
    }
}

inline const impact::scenario::StepResult& step_of(const impact::scenario::RunResult& result, std::string_view id) {
    for (const auto& s : result.steps)
        if (s.id == id) return s;
    throw std::runtime_error("no step " + std::string(id) + " in the result");
}

inline const impact::scenario::OutputResult& output_of(const impact::scenario::StepResult& step, std::string_view key) {
    if (const auto* o = step.find_output(key)) return *o;
    throw std::runtime_error("step " + step.id + " has no output " + std::string(key));
}

inline const impact::scenario::InputUsed* input_of(const impact::scenario::StepResult& step, std::string_view key) {
    for (const auto& in : step.inputs)
        if (in.key == key) return &in;
    return nullptr;
}

// The inputs of a step as "key=value unit (origin)" lines, for INFO on failure.
inline std::string describe_inputs(const impact::scenario::StepResult& step) {
    std::string out;
    for (const auto& in : step.inputs) {
        out += "  " + in.key + " = ";
        if (in.number) {
            out += std::to_string(in.number->value) + " " + in.number->unit;
            if (in.number->low) out += " low " + std::to_string(*in.number->low);
            if (in.number->high) out += " high " + std::to_string(*in.number->high);
        } else {
            out += "'" + in.text + "'";
        }
        out += " (" + in.origin + ")\n";
    }
    return out;
}

}  // namespace scenario_test
