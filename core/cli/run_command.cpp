// `impact run` and `impact validate`: scenario files end to end.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/output_file.hpp"
#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <set>
#include <string_view>

namespace impact::cli {
namespace {

// The models a scenario's steps name, each once: only their plugins are loaded (validate
// prepares them too). Formula steps name none.
std::vector<std::string> models_of(const scenario::Scenario& scenario) {
    std::set<std::string_view> seen;
    std::vector<std::string> ids;
    for (const scenario::Step& step : scenario.steps)
        if (!step.formula && seen.insert(step.model).second) ids.push_back(step.model);
    return ids;
}

}  // namespace

int run_scenario_command(const GlobalOptions& options, const RunOptions& run) {
    // Everything is computed before anything is written, so a failure writes nothing.
    scenario::Scenario scenario = scenario::read_scenario_file(run.scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, run.overrides);
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true, models_of(scenario));
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::run);
    // The report is written piece by piece as it is rendered: a run of 60,000 steps never holds it whole.
    const auto render = [&](const scenario::ReportSink& write) {
        if (run.format == "json") scenario::write_json(scenario, result, write);
        else scenario::write_text(scenario, result, write);
    };
    if (run.output_file) {
        // The report may never replace what the run read or runs: the scenario, its data, the
        // plugin files on the search path and the `impact` executable itself.
        std::vector<std::filesystem::path> input_files{scenario.file};
        for (const scenario::DataSource& source : scenario.data) input_files.push_back(source.file);
        for (const host::Registry::Entry& entry : registry.plugins()) input_files.push_back(entry.info->file);
        // A refused plugin file is still someone's plugin: a report must not replace it either.
        for (const host::RejectedFile& rejected : registry.rejected()) input_files.push_back(rejected.file);
        std::error_code ec;
        if (const auto self = std::filesystem::read_symlink("/proc/self/exe", ec); !ec) input_files.push_back(self);
        io::write_file_atomically(*run.output_file, render, input_files);
        fmt::print(stderr, "impact: wrote {}\n", text::printable(run.output_file->string()));
    } else {
        render([](std::string_view piece) { fmt::print("{}", piece); });
    }
    return kExitSuccess;
}

int validate_scenario_command(const GlobalOptions& options, const std::filesystem::path& scenario_file,
                              const std::vector<std::string>& overrides) {
    scenario::Scenario scenario = scenario::read_scenario_file(scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, overrides);
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true, models_of(scenario));
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::validate);
    fmt::print("{}: valid: {} step{}, {} data source{} ({})\n", text::printable(scenario_file.string()),
               result.steps.size(), result.steps.size() == 1 ? "" : "s", scenario.data.size(),
               scenario.data.size() == 1 ? "" : "s", text::printable(scenario.name));
    return kExitSuccess;
}

}  // namespace impact::cli
