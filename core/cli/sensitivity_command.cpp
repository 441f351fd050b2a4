// `impact sensitivity`: which inputs drive one output of a scenario (tornado, rank correlation, Sobol indices).
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "scenario/runner.hpp"
#include "scenario/sensitivity.hpp"
#include "scenario/simulation.hpp"

namespace impact::cli {

int sensitivity_command(const GlobalOptions& options, const SensitivityCommandOptions& sensitivity) {
    // Everything is computed before anything is written, so a failure writes nothing.
    scenario::Scenario scenario = scenario::read_scenario_file(sensitivity.scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, sensitivity.overrides);
    const host::Registry registry = load_scenario_registry(options, scenario);
    scenario::RunOptions run_options;
    run_options.keep_plans = true;
    run_options.cases = !scenario.cases.empty();  // inputs that cases set are swung in the tornado
    const scenario::RunResult run = scenario::run_scenario(scenario, registry, scenario::RunMode::run, run_options);
    scenario::check_correlations(scenario, run);
    scenario::SensitivityOptions analysis;
    analysis.output = sensitivity.output;
    analysis.draws = sensitivity.draws;
    analysis.seed = sensitivity.seed;
    analysis.threads = sensitivity.threads;
    analysis.bootstrap_resamples = sensitivity.bootstrap;
    const scenario::SensitivityResult result = scenario::analyse_sensitivity(scenario, run, analysis);
    write_report(sensitivity.output_file, scenario, registry, [&](const scenario::ReportSink& write) {
        if (sensitivity.format == "json") scenario::write_sensitivity_json(scenario, run, result, write);
        else scenario::write_sensitivity_text(scenario, run, result, write);
    });
    return kExitSuccess;
}

}  // namespace impact::cli
