// Helpers shared by the scenario tests: temporary folders, files, the bundled plugin registry, running scenarios.
#pragma once

#include "host/registry.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace scenario_test {

namespace fs = std::filesystem;

// A fresh folder under the system temp folder, removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "impact-scenario-test-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

inline void write_file(const fs::path& file, std::string_view content) {
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

inline std::string read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }
inline bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// Every occurrence of `from` in `text` replaced by `to`.
inline std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// The shared market data, read in place (never copied into the repository).
inline fs::path shared_data(std::string_view name) { return fs::path(IMPACT_SHARED_DIR) / "data" / name; }

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
