// `impact compare`: several scenario files run and their outputs side by side, against a baseline and optionally a tolerance.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "report/compare_view.hpp"
#include "scenario/compare.hpp"
#include "scenario/runner.hpp"
#include "scenario/simulation.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace impact::cli {

int compare_command(const GlobalOptions& options, const CompareCommandOptions& compare) {
    if (compare.scenario_files.size() < 2)
        throw UserError(fmt::format("compare: expected at least two scenario files, found {}", compare.scenario_files.size()));
    // A mistyped --format or a broken template fails before any scenario runs.
    const ReportRequest report_request = check_report_request(options, compare.report, report::ReportKind::compare);
    std::optional<scenario::Tolerance> tolerance;
    if (compare.tolerance) tolerance = scenario::parse_tolerance(*compare.tolerance);
    std::size_t baseline = 0;
    if (compare.baseline) {
        const auto it = std::find(compare.scenario_files.begin(), compare.scenario_files.end(), *compare.baseline);
        if (it == compare.scenario_files.end())
            throw UserError(fmt::format("--baseline: expected one of the scenario files given, found \"{}\"",
                                        text::printable(compare.baseline->string())));
        baseline = static_cast<std::size_t>(it - compare.scenario_files.begin());
    }
    // --plugin-dir-for FILE=DIR: that side searches DIR before the bundled folder.
    std::vector<GlobalOptions> side_options(compare.scenario_files.size(), options);
    for (const std::string& assignment : compare.plugin_dir_for) {
        const auto equals = assignment.rfind('=');
        const std::string file = equals == std::string::npos ? assignment : assignment.substr(0, equals);
        const auto it = std::find(compare.scenario_files.begin(), compare.scenario_files.end(), std::filesystem::path(file));
        if (equals == std::string::npos || equals + 1 == assignment.size() || it == compare.scenario_files.end())
            throw UserError(fmt::format("--plugin-dir-for: expected FILE=DIR with FILE one of the scenario files given, found \"{}\"",
                                        text::printable(assignment)));
        std::error_code ec;
        // Made absolute now, as --plugin-dir is: the folder the user meant from here.
        std::filesystem::path dir = assignment.substr(equals + 1);
        if (const auto absolute = std::filesystem::absolute(dir, ec); !ec) dir = absolute.lexically_normal();
        if (!std::filesystem::is_directory(dir, ec))
            throw UserError(fmt::format("--plugin-dir-for: expected a folder after '=', found \"{}\", which is not one",
                                        text::printable(dir.string())));
        side_options[static_cast<std::size_t>(it - compare.scenario_files.begin())].first_plugin_dirs.push_back(dir);
    }
    // Every side is read, run and drawn before anything is written: a failure writes nothing.
    struct Side {
        scenario::Scenario scenario;
        std::unique_ptr<host::Registry> registry;
        scenario::RunResult run;
        std::optional<scenario::SimulationResult> simulation;
    };
    std::vector<Side> sides(compare.scenario_files.size());
    for (std::size_t s = 0; s < sides.size(); ++s) {
        Side& side = sides[s];
        side.scenario = scenario::read_scenario_file(compare.scenario_files[s], options.max_input_bytes());
        side.registry =
            std::make_unique<host::Registry>(load_scenario_registry(side_options[s], side.scenario));
        scenario::RunOptions run_options;
        run_options.keep_plans = compare.draws.has_value();
        side.run = scenario::run_scenario(side.scenario, *side.registry, scenario::RunMode::run, run_options);
        scenario::check_thresholds(side.scenario, side.run);
        scenario::check_actuals(side.scenario, side.run);
        // A side with no distribution is the same at every draw: its values are compared alone.
        if (compare.draws && !scenario::drawn_inputs(side.run).empty()) {
            scenario::SimulationOptions simulation;
            simulation.draws = *compare.draws;
            simulation.seed = compare.seed;
            simulation.threads = compare.threads;
            side.simulation = scenario::simulate(side.scenario, side.run, simulation);
        }
    }
    std::vector<scenario::CompareSide> compared;
    for (std::size_t s = 0; s < sides.size(); ++s)
        compared.push_back(scenario::CompareSide{compare.scenario_files[s].string(), &sides[s].scenario, &sides[s].run,
                                                 sides[s].simulation ? &*sides[s].simulation : nullptr});
    scenario::CompareResult result = scenario::compare_sides(compared, baseline, tolerance);
    if (compare.draws) scenario::add_draw_differences(compared, result, *compare.draws, compare.seed, compare.threads);
    ReportRenderers renderers;
    renderers.text = [&](const scenario::ReportSink& write) { scenario::write_compare_text(compared, result, write); };
    renderers.json = [&](const scenario::ReportSink& write) { scenario::write_compare_json(compared, result, write); };
    renderers.view = [&](const report::ViewOptions& view_options) {
        // Each side's actuals: only the view's formats show them.
        std::vector<std::vector<scenario::ActualResult>> actuals(sides.size());
        for (std::size_t s = 0; s < sides.size(); ++s)
            actuals[s] = scenario::actual_results(sides[s].scenario, sides[s].run, sides[s].simulation ? &*sides[s].simulation : nullptr);
        return report::build_compare_view(compared, result, actuals, view_options);
    };
    // No report may replace any side's scenario, data or plugins.
    ReportDestination destination{"compare", {}};
    for (const Side& side : sides)
        for (std::filesystem::path& file : files_a_report_may_not_replace(side.scenario, *side.registry))
            destination.protected_files.push_back(std::move(file));
    write_reports(report_request, destination, renderers);
    return tolerance && result.beyond > 0 ? kExitBeyondTolerance : kExitSuccess;
}

}  // namespace impact::cli
