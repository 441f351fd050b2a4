// A real run's report view as HTML: the h20 sample scenario, simulated, in English and Korean (browser test pages).
#include "report/html_report.hpp"
#include "report/report_view.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "scenario/simulation.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;

// Also run by the ctest report_html_sample, the fixture of the browser test browser_html_sample.
TEST_CASE("writes the h20 sample's simulated report as HTML in English and Korean", "[report][html-sample]") {
    using namespace impact;
    const host::Registry registry = host::Registry::discover({{fs::path(IMPACT_PLUGIN_OUTPUT_DIR), "bundled"}});
    const fs::path file = fs::path(IMPACT_SOURCE_DIR) / "samples" / "h20-export-licence-2025-04.toml";
    const scenario::Scenario scenario = scenario::read_scenario_file(file);
    scenario::RunOptions run_options;
    run_options.keep_plans = true;
    const scenario::RunResult result = scenario::run_scenario(scenario, registry, scenario::RunMode::run, run_options);
    scenario::SimulationOptions simulation_options;
    simulation_options.draws = 2000;
    simulation_options.seed = 7;
    simulation_options.threads = 1;
    const scenario::SimulationResult simulation = scenario::simulate(scenario, result, simulation_options);
    scenario::ReportExtras extras;
    extras.simulation = &simulation;
    for (const text::Locale locale : {text::Locale::en, text::Locale::ko}) {
        const report::View view = report::build_run_view(scenario, result, extras, report::ViewOptions{locale, 1764460800});
        INFO("locale " << text::locale_name(locale));
        REQUIRE_FALSE(view["charts"].empty());
        const std::string page = report::render_html(view, report::default_html_template());
        CHECK(page.find("<svg ") != std::string::npos);
        test::write_file(fs::path(IMPACT_HTML_FIXTURE_DIR) / fmt::format("sample_{}.html", text::locale_name(locale)), page);
    }
}
