// `impact run` and `impact validate`: scenario files end to end.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "io/output_file.hpp"
#include "scenario/report.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "scenario/simulation.hpp"
#include "cli/progress_bar.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>

namespace impact::cli {

std::vector<std::string> models_of(const scenario::Scenario& scenario) {
    std::set<std::string_view> seen;
    std::vector<std::string> ids;
    for (const scenario::Step& step : scenario.steps)
        if (!step.formula && seen.insert(step.model).second) ids.push_back(step.model);
    return ids;
}

namespace {

// Each pin against the plugin of that id as the registry has it now (listed or loaded).
void check_pins(const scenario::Scenario& scenario, const host::Registry& registry) {
    for (const scenario::PluginPin& pin : scenario.pins) {
        const std::string key = fmt::format("plugins.\"{}\"", pin.plugin_id);
        const auto entry = std::find_if(registry.plugins().begin(), registry.plugins().end(),
                                        [&](const host::Registry::Entry& e) { return e.info->id == pin.plugin_id; });
        if (entry == registry.plugins().end()) {
            const std::size_t refused = registry.rejected().size();
            throw UserError(fmt::format(
                "{}: {}: the scenario pins plugin {}, which is not {} (see 'impact plugins')", pin.pos.str(), key,
                pin.plugin_id,
                refused == 0 ? std::string("on the search path")
                             : fmt::format("among the usable plugins on the search path ({} file{} refused)", refused,
                                           refused == 1 ? " was" : "s were")));
        }
        const host::PluginInfo& info = *entry->info;
        if (pin.version && *pin.version != info.version)
            throw UserError(fmt::format("{}: {}.version: plugin {} in {}: expected version {}, found {}",
                                        pin.version_pos.str(), key, pin.plugin_id, info.file.string(), *pin.version,
                                        info.version));
        if (pin.sha256) {
            const std::string found = registry.file_sha256(info.file);
            if (found != *pin.sha256)
                throw UserError(fmt::format("{}: {}.sha256: plugin {} in {}: expected SHA-256 {}, found {}",
                                            pin.sha256_pos.str(), key, pin.plugin_id, info.file.string(), *pin.sha256,
                                            found));
        }
    }
}

}  // namespace

host::Registry load_scenario_registry(const GlobalOptions& options, const scenario::Scenario& scenario) {
    std::vector<std::string> pinned;
    for (const scenario::PluginPin& pin : scenario.pins) pinned.push_back(pin.plugin_id);
    // Checked before loading, so that a plugin whose file is not the pinned one never runs its
    // code when its entry comes from the cache, and again after: a late load may find an entry
    // stale and settle the plugins anew.
    const auto check = [&](const host::Registry& listed) { check_pins(scenario, listed); };
    host::Registry registry =
        load_registry(isolation_for(options, scenario), /*warn_rejected=*/true, models_of(scenario), pinned, check);
    check_pins(scenario, registry);
    return registry;
}

std::vector<std::filesystem::path> files_a_report_may_not_replace(const scenario::Scenario& scenario,
                                                                  const host::Registry& registry) {
    std::vector<std::filesystem::path> files{scenario.file};
    for (const scenario::DataSource& source : scenario.data) files.push_back(source.file);
    for (const host::Registry::Entry& entry : registry.plugins()) files.push_back(entry.info->file);
    // A refused plugin file is still someone's plugin: a report must not replace it either.
    for (const host::RejectedFile& rejected : registry.rejected()) files.push_back(rejected.file);
    std::error_code ec;
    if (const auto self = std::filesystem::read_symlink("/proc/self/exe", ec); !ec) files.push_back(self);
    return files;
}

void write_report(const std::optional<std::filesystem::path>& output_file, const scenario::Scenario& scenario,
                  const host::Registry& registry, const std::function<void(const scenario::ReportSink&)>& render) {
    if (!output_file) {
        render([](std::string_view piece) { fmt::print("{}", piece); });
        return;
    }
    io::write_file_atomically(*output_file, render, files_a_report_may_not_replace(scenario, registry));
    fmt::print(stderr, "impact: wrote {}\n", text::printable(output_file->string()));
}

int run_scenario_command(const GlobalOptions& options, const RunOptions& run) {
    // Everything is computed before anything is written, so a failure writes nothing.
    // A mistyped --until, --format or template fails before any file is read or any plugin loaded.
    const ReportRequest report_request = check_report_request(options, run.report);
    const std::vector<scenario::ConvergenceTarget> until =
        run.until ? scenario::parse_convergence_targets(*run.until) : std::vector<scenario::ConvergenceTarget>{};
    scenario::Scenario scenario = scenario::read_scenario_file(run.scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, run.overrides);
    const host::Registry registry = load_scenario_registry(options, scenario);
    scenario::RunOptions run_options;
    run_options.keep_plans = run.draws.has_value() || run.cases;
    run_options.cases = run.cases;
    run_options.keep_going = run.keep_going;
    // Not const: with --keep-going, a step that fails at some draw or case is marked failed in it.
    scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::run, run_options);
    scenario::check_thresholds(scenario, result);
    scenario::check_actuals(scenario, result);
    scenario::check_headline(scenario, result);
    std::optional<scenario::SimulationResult> simulation;
    std::optional<scenario::CaseResults> cases;
    scenario::ReportExtras extras;
    extras.locale = report_request.locale;
    extras.generated_at_unix = report_request.generated_at_unix;
    if (run.draws) {
        scenario::SimulationOptions simulation_options;
        simulation_options.draws = *run.draws;
        simulation_options.seed = run.seed;
        simulation_options.threads = run.threads;
        simulation_options.until = until;
        ProgressBar progress(run.quiet);
        simulation_options.progress = [&](std::uint64_t done, std::uint64_t planned) { progress.update(done, planned); };
        simulation = run.keep_going ? scenario::simulate_keeping_going(scenario, result, simulation_options)
                                    : scenario::simulate(scenario, result, simulation_options);
        progress.finish();
        extras.simulation = &*simulation;
    }
    if (run.cases) {
        cases = run.keep_going ? scenario::evaluate_cases_keeping_going(scenario, result)
                               : scenario::evaluate_cases(scenario, result);
        extras.cases = &*cases;
    }
    const std::vector<scenario::ActualResult> actuals =
        scenario::actual_results(scenario, result, simulation ? &*simulation : nullptr);
    if (!scenario.actuals.empty()) extras.actuals = &actuals;
    // Text, JSON and CSV are written piece by piece as they are rendered: a run of 60,000 steps
    // never holds them whole. The other formats render the report view.
    ReportRenderers renderers;
    renderers.text = [&](const scenario::ReportSink& write) { scenario::write_text(scenario, result, write, extras); };
    renderers.json = [&](const scenario::ReportSink& write) { scenario::write_json(scenario, result, write, extras); };
    renderers.csv = [&](const scenario::ReportSink& write) {
        report::write_run_csv(scenario, result, extras, report_request.locale, write);
    };
    renderers.view = [&](const report::ViewOptions& view_options) {
        return report::build_run_view(scenario, result, extras, view_options);
    };
    // Each failure on stderr as the run without --keep-going would have printed the first.
    for (const scenario::StepResult& step : result.steps)
        if (step.status == scenario::StepStatus::failed)
            print_failure(options.error_format, {FailureKind::model_failed, kExitModelFailed, step.failure});
    write_reports(report_request, {scenario.file.stem().string(), files_a_report_may_not_replace(scenario, registry)}, renderers);
    const auto [failed, skipped] = scenario::failed_and_skipped(result);
    if (failed == 0) return kExitSuccess;
    fmt::print(stderr, "impact: {} step{} failed, {} skipped (--keep-going): the report is incomplete\n", failed,
               failed == 1 ? "" : "s", skipped);
    return kExitModelFailed;
}

int validate_scenario_command(const GlobalOptions& options, const std::filesystem::path& scenario_file,
                              const std::vector<std::string>& overrides) {
    scenario::Scenario scenario = scenario::read_scenario_file(scenario_file, options.max_input_bytes());
    scenario::apply_overrides(scenario, overrides);
    const host::Registry registry = load_scenario_registry(options, scenario);
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::validate);
    scenario::check_thresholds(scenario, result);
    scenario::check_actuals(scenario, result);
    scenario::check_headline(scenario, result);
    scenario::check_correlations(scenario, result);
    fmt::print("{}: valid: {} step{}, {} data source{} ({})\n", text::printable(scenario_file.string()),
               result.steps.size(), result.steps.size() == 1 ? "" : "s", scenario.data.size(),
               scenario.data.size() == 1 ? "" : "s", text::printable(scenario.name));
    return kExitSuccess;
}

}  // namespace impact::cli
