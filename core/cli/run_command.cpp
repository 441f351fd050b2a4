// `impact run` and `impact validate`: scenario files end to end.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/output_file.hpp"
#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

namespace impact::cli {

int run_scenario_command(const GlobalOptions& options, const RunOptions& run) {
    // Everything is computed before anything is written, so a failure writes nothing.
    const scenario::Scenario scenario = scenario::read_scenario_file(run.scenario_file, options.max_input_bytes());
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true);
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::run);
    const std::string report =
        run.format == "json" ? scenario::render_json(scenario, result) : scenario::render_text(scenario, result);
    if (run.output_file) {
        // The report may never replace what the run read.
        std::vector<std::filesystem::path> input_files{scenario.file};
        for (const scenario::DataSource& source : scenario.data) input_files.push_back(source.file);
        io::write_file_atomically(*run.output_file, report, input_files);
        fmt::print(stderr, "impact: wrote {}\n", run.output_file->string());
    } else {
        fmt::print("{}", report);
    }
    return kExitSuccess;
}

int validate_scenario_command(const GlobalOptions& options, const std::filesystem::path& scenario_file) {
    const scenario::Scenario scenario = scenario::read_scenario_file(scenario_file, options.max_input_bytes());
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true);
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::validate);
    fmt::print("{}: valid: {} step{}, {} data source{} ({})\n", scenario_file.string(), result.steps.size(),
               result.steps.size() == 1 ? "" : "s", scenario.data.size(), scenario.data.size() == 1 ? "" : "s",
               scenario.name);
    return kExitSuccess;
}

}  // namespace impact::cli
