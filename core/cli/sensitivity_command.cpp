// `impact sensitivity`: which inputs drive one output of a scenario (tornado, rank correlation, Sobol indices).
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "report/report_view.hpp"
#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/sensitivity.hpp"
#include "scenario/simulation.hpp"

namespace impact::cli {

int sensitivity_command(const GlobalOptions& options, const SensitivityCommandOptions& sensitivity) {
    // Everything is computed before anything is written, so a failure writes nothing.
    const ReportRequest report_request = check_report_request(options, sensitivity.report);
    scenario::Scenario scenario = scenario::read_scenario_file(sensitivity.scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, sensitivity.overrides);
    const host::Registry registry = load_scenario_registry(options, scenario);
    scenario::RunOptions run_options;
    run_options.keep_plans = true;
    run_options.cases = !scenario.cases.empty();  // inputs that cases set are swung in the tornado
    const scenario::RunResult run = scenario::run_scenario(scenario, registry, scenario::RunMode::run, run_options);
    scenario::check_correlations(scenario, run);
    scenario::check_headline(scenario, run);
    scenario::SensitivityOptions analysis;
    analysis.output = sensitivity.output;
    analysis.draws = sensitivity.draws;
    analysis.seed = sensitivity.seed;
    analysis.threads = sensitivity.threads;
    analysis.bootstrap_resamples = sensitivity.bootstrap;
    const scenario::SensitivityResult result = scenario::analyse_sensitivity(scenario, run, analysis);
    ReportRenderers renderers;
    renderers.text = [&](const scenario::ReportSink& write) {
        scenario::write_sensitivity_text(scenario, run, result, write, report_request.generated_at_unix);
    };
    renderers.json = [&](const scenario::ReportSink& write) {
        scenario::write_sensitivity_json(scenario, run, result, write, report_request.generated_at_unix);
    };
    renderers.view = [&](const report::ViewOptions& view_options) {
        return report::build_sensitivity_view(scenario, run, result, view_options);
    };
    write_reports(report_request, {scenario.file.stem().string(), files_a_report_may_not_replace(scenario, registry)}, renderers);
    return kExitSuccess;
}

}  // namespace impact::cli
