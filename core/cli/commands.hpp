// The subcommands of `impact`; each writes results to stdout and returns an exit code.
#pragma once

#include "cli/error_output.hpp"
#include "host/registry.hpp"
#include "isolation/isolated_plugin.hpp"
#include "io/input_file.hpp"
#include "report/report_formats.hpp"
#include "report/report_view.hpp"
#include "scenario/report.hpp"
#include "scenario/scenario.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace impact::cli {

struct GlobalOptions {
    std::vector<std::filesystem::path> plugin_dirs;
    // Searched before the bundled folder (impact compare --plugin-dir-for, for one side only).
    std::vector<std::filesystem::path> first_plugin_dirs{};
    bool verbose = false;  // loader log on stderr
    ErrorFormat error_format = ErrorFormat::text;  // --error-format: how failures are written on stderr
    bool no_plugin_cache = false;  // --no-plugin-cache (or IMPACT_NO_PLUGIN_CACHE): load every plugin
    // --allow-unsafe-plugin-dirs: load plugins that others could have written (host/plugin_permissions.hpp).
    bool allow_unsafe_plugin_dirs = false;
    // --max-input-mb: the largest scenario, data or quote file read, in MB of 1,048,576 bytes.
    std::uint64_t max_input_megabytes = io::kDefaultMaxInputMegabytes;

    std::uint64_t max_input_bytes() const noexcept { return max_input_megabytes * io::kBytesPerMegabyte; }

    // --isolate: which plugins run in an impact-worker (docs/isolation.md). A scenario's [run]
    // isolate may raise it (isolation_for).
    isolation::IsolationPolicy isolate = isolation::IsolationPolicy::untrusted;
    // --plugin-timeout, --plugin-memory, --no-sandbox: what an isolated plugin may use.
    isolation::IsolationLimits limits{std::chrono::seconds(60), std::uint64_t{4} << 30};
};

// The options with isolation raised to what the scenario's [run] isolate asks, if higher.
GlobalOptions isolation_for(const GlobalOptions& options, const scenario::Scenario& scenario);

// Builds the registry from the bundled folder, IMPACT_PLUGIN_PATH and --plugin-dir through the
// plugin cache, loads the plugins of `models_to_load` (the models the command will prepare) and
// those with the ids `plugins_to_load`, and logs refusals on stderr (every plugin, cached or
// loaded, with --verbose). `before_load`, when given, sees the registry as listed, before any
// of those loads (and may throw to stop the command there).
host::Registry load_registry(const GlobalOptions& options, bool warn_rejected,
                             const std::vector<std::string>& models_to_load = {},
                             const std::vector<std::string>& plugins_to_load = {},
                             const std::function<void(const host::Registry&)>& before_load = {});

// The registry of a command that runs a scenario (run, validate, sensitivity, compare): the
// plugins of its models and of its [plugins] pins are loaded, and every pin is checked before
// and after loading (UserError, exit 2, at the pin's file:line:column on a missing plugin or a
// version or SHA-256 that differs).
host::Registry load_scenario_registry(const GlobalOptions& options, const scenario::Scenario& scenario);

// `pins`: print a TOML [plugins] table with every usable plugin's version and SHA-256.
int run_plugins(const GlobalOptions& options, bool json, bool pins = false);
int run_describe(const GlobalOptions& options, const std::string& model_id, bool json);

struct ConvertOptions {
    std::string amount;
    std::string from;
    std::string to;
    std::optional<std::string> rate;
    std::optional<std::filesystem::path> rates_file;
    std::optional<std::string> date;
    std::optional<double> max_stale_days;
    bool json = false;
};
int run_convert(const GlobalOptions& options, const ConvertOptions& convert);

// Where and how `run` and `sensitivity` write their reports (docs/reports.md).
struct ReportOutputOptions {
    std::string formats = "text";  // --format: text, md, csv, json, xlsx, html, several separated by commas
    // -o: the file (one format) or the folder (several formats: SCENARIO.EXT each); stdout when absent.
    std::optional<std::filesystem::path> output;
    std::vector<std::string> templates;  // --template FILE | md=FILE | html=FILE
    std::string locale = "en";           // --locale en | ko: money in reports
};

struct RunOptions {
    std::filesystem::path scenario_file;
    ReportOutputOptions report;
    std::vector<std::string> overrides;  // --set STEP.INPUT=VALUE, in order
    std::optional<std::uint64_t> draws;  // --draws N: Monte Carlo
    std::uint64_t seed = 1;              // --seed S
    unsigned threads = 0;                // --threads K; 0: every core
    std::optional<std::string> until;    // --until TARGETS: draw in stages until they hold
    bool cases = false;                  // --cases: each [[case]] as one row
    bool quiet = false;                  // --quiet: no progress bar
    // --keep-going: a step whose model fails is reported as failed, the steps that depend on it as
    // skipped, the rest run; the report is written and the exit code is still 3.
    bool keep_going = false;
};
int run_scenario_command(const GlobalOptions& options, const RunOptions& run);
struct SensitivityCommandOptions {
    std::filesystem::path scenario_file;
    std::string output;                  // --output STEP.OUTPUT
    ReportOutputOptions report;
    std::vector<std::string> overrides;  // --set
    std::uint64_t draws = 10'000;        // --draws N: ranked draws and Sobol base draws
    std::uint64_t seed = 1;
    unsigned threads = 0;
    unsigned bootstrap = 100;            // --bootstrap R
};
int sensitivity_command(const GlobalOptions& options, const SensitivityCommandOptions& sensitivity);

struct CompareCommandOptions {
    std::vector<std::filesystem::path> scenario_files;
    std::optional<std::filesystem::path> baseline;  // --baseline FILE (default: the first)
    std::optional<std::string> tolerance;           // --tolerance 0.1% | 1e6
    std::vector<std::string> plugin_dir_for;        // --plugin-dir-for FILE=DIR, repeatable
    ReportOutputOptions report;                     // --format, -o, --template, --locale as for run
    std::optional<std::uint64_t> draws;             // --draws N: every side drawn, same seed
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
// Exit 4 (kExitBeyondTolerance) when --tolerance is given and some output differs by more.
int compare_command(const GlobalOptions& options, const CompareCommandOptions& compare);

// The models a scenario's steps name, each once: only their plugins are loaded (validate
// prepares them too). Formula steps name none.
std::vector<std::string> models_of(const scenario::Scenario& scenario);

// What a report may never replace: the scenario, its data files, every plugin file on the search
// path (refused ones too) and the `impact` executable itself.
std::vector<std::filesystem::path> files_a_report_may_not_replace(const scenario::Scenario& scenario,
                                                                  const host::Registry& registry);

// Writes a report to `output_file` all or nothing (never replacing the scenario, its data, a
// plugin or `impact` itself), or to stdout when there is none.
void write_report(const std::optional<std::filesystem::path>& output_file, const scenario::Scenario& scenario,
                  const host::Registry& registry, const std::function<void(const scenario::ReportSink&)>& render);

// The reports a run asked for, rendered and written together: each format to its own file (every
// file complete before the first replaces anything), or the one format to stdout. `text` and `json`
// (and `csv` when given) write the command's own documents piece by piece; the other formats
// render `view`, built once and only when one of them is asked for.
struct ReportRenderers {
    std::function<void(const scenario::ReportSink&)> text;
    std::function<void(const scenario::ReportSink&)> json;
    // Optional: CSV written piece by piece (impact run); without it CSV renders `view`.
    std::function<void(const scenario::ReportSink&)> csv{};
    std::function<io::Json(const report::ViewOptions&)> view;
};
// The checked report request: formats, templates read and checked, locale. Made before the
// scenario runs, so that a mistyped format or a broken template costs no computation.
struct ReportRequest {
    std::vector<report::ReportFormat> formats;
    std::optional<std::filesystem::path> output;
    std::string markdown_template, markdown_template_name;  // empty: the built-in one
    std::string html_template, html_template_name;
    text::Locale locale = text::Locale::en;
    // When the reports say they were made: SOURCE_DATE_EPOCH when set (reproducible output, the
    // golden files' fixed clock), else now.
    long long generated_at_unix = 0;
};
// `kind`: whose templates --template must match (run and sensitivity, or compare).
ReportRequest check_report_request(const GlobalOptions& options, const ReportOutputOptions& report,
                                   report::ReportKind kind = report::ReportKind::run);
// Where reports go: with several formats, -o's folder gets STEM.EXT for each; none of them may
// replace a file of `protected_files` (files_a_report_may_not_replace).
struct ReportDestination {
    std::string stem;
    std::vector<std::filesystem::path> protected_files;
};
void write_reports(const ReportRequest& request, const ReportDestination& destination, const ReportRenderers& renderers);

int validate_scenario_command(const GlobalOptions& options, const std::filesystem::path& scenario_file,
                              const std::vector<std::string>& overrides);

}  // namespace impact::cli
