// `impact`: the command line. Parses arguments with CLI11 and maps every failure to an exit code.
#include "cli/commands.hpp"
#include "cli/error_output.hpp"
#include "cli/exit_codes.hpp"
#include "host/model.hpp"
#include "host/plugin_call_guard.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace {

// True for what is meant as a negative number: -743.75M, -.5, -1e999, and -inf or -nan
// (refused later by the amount parser with its own message, not taken for options).
bool looks_like_negative_number(const std::string& arg) {
    if (arg.size() < 2 || arg[0] != '-') return false;
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (digit(arg[1]) || (arg[1] == '.' && arg.size() > 2 && digit(arg[2]))) return true;
    std::string word = arg.substr(1);
    for (char& c : word) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return word == "inf" || word == "infinity" || word == "nan";
}

// True for a positive or negative amount as `convert` reads it: 5.5B, -743.75M, .5, -inf.
bool looks_like_amount(const std::string& arg) {
    if (looks_like_negative_number(arg)) return true;
    const std::size_t start = !arg.empty() && arg[0] == '+' ? 1 : 0;
    return arg.size() > start && ((arg[start] >= '0' && arg[start] <= '9') || arg[start] == '.');
}

// `impact convert -743.75M USD KRW` and `impact convert -- -743.75M USD KRW --rate R`: CLI11
// takes some negative numbers for options and reads everything after `--` as positionals
// (so `--rate` too). After `convert`, a negative number becomes `--amount=-743.75M`, or
// `--rate=-1` as the value of --rate or --max-stale-days (so that the command's own checks
// report it); a `--` just before it is dropped; other options' values are left alone.
std::vector<std::string> convert_argv(int argc, char** argv) {
    std::vector<std::string> out(argv, argv + argc);
    const auto convert = std::find(out.begin() + (argc > 0 ? 1 : 0), out.end(), "convert");
    if (convert == out.end()) return out;
    std::vector<std::string> rewritten(out.begin(), convert + 1);
    for (auto it = convert + 1; it != out.end(); ++it) {
        // `--` before the amount is how POSIX tools take a negative number; it is dropped before
        // any amount, so `convert -- 5.5B USD KRW --rate R` works as well.
        if (*it == "--" && it + 1 != out.end() && looks_like_amount(*(it + 1))) continue;
        const std::string& previous = rewritten.back();
        if (!looks_like_negative_number(*it) || previous == "--rates" || previous == "--date" ||
            previous == "--plugin-dir") {
            rewritten.push_back(*it);
        } else if (previous == "--rate" || previous == "--max-stale-days") {
            rewritten.back() += "=" + *it;
        } else {
            rewritten.push_back("--amount=" + *it);
        }
    }
    return rewritten;
}

// A report on stdout is the command's product: if it could not all be written (`> /dev/full`, a
// disk filling up), the run failed, even though every figure was computed.
// Exit 4 (compare --tolerance exceeded) is said on stderr only with --error-format json, so that
// every failing exit code comes with its object there.
int finish_stdout(impact::cli::ErrorFormat error_format, int code) {
    using namespace impact::cli;
    const bool flushed = std::fflush(stdout) == 0;
    if (flushed && !std::ferror(stdout)) {
        if (code == kExitBeyondTolerance)
            print_failure(error_format, {FailureKind::tolerance_exceeded, kExitBeyondTolerance,
                                         "compare: some output differs from the baseline by more than --tolerance, "
                                         "or is on one side only; the report is written"});
        return code;
    }
    const int error = errno;
    print_failure(error_format, {FailureKind::input_error, kExitInputError,
                                 fmt::format("cannot write the output to standard output: {}; it is incomplete",
                                             error ? std::strerror(error) : "write error")});
    return kExitInputError;
}

// --format, -o, --template and --locale, the same for run and sensitivity (docs/reports.md).
// `file_names`: what each report is called in -o's folder ("SCENARIO.EXT", "compare.EXT").
void add_report_options(CLI::App& command, impact::cli::ReportOutputOptions& report, const std::string& output_names,
                        const std::string& file_names = "SCENARIO.EXT") {
    command.add_option("--format", report.formats,
                       "Report format: text, md, csv, json, xlsx or html; several separated by commas (md,xlsx,html) "
                       "write one file each into the folder -o names")
        ->type_name("FORMATS")
        ->default_str("text");
    command.add_option(output_names, report.output,
                       "Write the report to this file (one format) or the reports into this folder (several formats: " +
                           file_names + " each), all or nothing, instead of stdout");
    command.add_option("--template", report.templates,
                       "A Mustache template for the Markdown or HTML report (md=FILE, html=FILE, or FILE when only one of "
                       "them is written); 'impact template md|html' (compare-md|compare-html for compare) prints the built-in one")
        ->type_name("FILE");
    command.add_option("--locale", report.locale, "Money in reports: en ($13.6B) or ko (7조 8,584억 원)")
        ->type_name("en|ko")
        ->default_str("en");
}

}  // namespace

int main(int argc, char** argv) {
    using namespace impact::cli;
    // Before any plugin is loaded: a plugin that calls exit() ends the run with exit 3, not 0.
    impact::host::install_plugin_exit_handler();
    CLI::App app{"Impact: financial-impact models as plugins", "impact"};
    app.set_version_flag("--version", std::string(IMPACT_VERSION) + " (plugin ABI " +
                                          std::to_string(IMPACT_ABI_MAJOR) + "." + std::to_string(IMPACT_ABI_MINOR) + ")");
    app.require_subcommand(1);
    // Global options such as --plugin-dir may also follow the subcommand.
    app.fallthrough();
    app.footer("Exit codes: 0 success, 2 usage or input error, 3 a model failed (or a plugin called exit()), 4 compare --tolerance exceeded, 1 internal "
               "error.\n"
               "--error-format json: each failure is one JSON object on one stderr line (schema impact.error/1, "
               "docs/schemas/README.md): code (usage_error, input_error, model_failed, tolerance_exceeded, "
               "internal_error), exit_code, file, line, column, key, expected, found, message (the text line "
               "after 'impact: error: '). file, line and column come from a leading FILE:LINE:COLUMN: ; key is the "
               "word before the next ': ' after that position (or a leading --option, or the plugin input a model "
               "refused); expected and found come from '... expected X, found Y' (found runs to the end). What "
               "the message does not say that way is null. Warnings stay text.\n"
               "Plugins are searched in the bundled folder, then IMPACT_PLUGIN_PATH (':'-separated absolute "
               "folders), then each --plugin-dir; the first plugin to declare a model id wins. Plugin files and "
               "folders that other users can write to are refused.");

    GlobalOptions global;
    app.add_option("--plugin-dir", global.plugin_dirs, "Also load plugins from this folder (repeatable)")
        ->check(CLI::ExistingDirectory);
    app.add_flag("--allow-unsafe-plugin-dirs", global.allow_unsafe_plugin_dirs,
                 "DANGEROUS: load plugins from files and folders that other users can write to (group- or "
                 "world-writable, or owned by another user); anyone who can write there runs code as you");
    app.add_flag("-v,--verbose", global.verbose, "Log every plugin load on stderr");
    app.add_flag("--no-plugin-cache", global.no_plugin_cache,
                 "Load every plugin instead of listing them from the plugin cache (also IMPACT_NO_PLUGIN_CACHE=1)");
    // At most 1 TB: a bound far above any real input that keeps MB * 1,048,576 well inside 64 bits.
    app.add_option("--max-input-mb", global.max_input_megabytes,
                   "Refuse scenario, data and quote files larger than this many MB (default 64)")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1024} * 1024));

    std::string isolate = "untrusted";
    app.add_option("--isolate", isolate,
                   "Which plugins run in a worker process of their own: none, untrusted (default: every plugin "
                   "not bundled with impact) or all. A scenario's [run] isolate may raise it")
        ->type_name("POLICY")
        ->check(CLI::IsMember({"none", "untrusted", "all"}));
    std::string plugin_timeout = "60s";
    app.add_option("--plugin-timeout", plugin_timeout,
                   "Stop an isolated plugin's worker when one call takes longer (default 60s; 0: no limit)")
        ->type_name("DURATION")
        ->check([](const std::string& text) {
            return impact::isolation::parse_duration(text) ? std::string()
                                                           : "expected a duration such as 60s, 1.5s or 500ms";
        });
    std::string plugin_memory = "4G";
    app.add_option("--plugin-memory", plugin_memory,
                   "Limit each isolated plugin's worker to this much heap (default 4G; 0: no limit)")
        ->type_name("SIZE")
        ->check([](const std::string& text) {
            return impact::isolation::parse_byte_size(text) ? std::string() : "expected a size such as 4G or 512M";
        });
    std::string error_format_name = "text";
    app.add_option("--error-format", error_format_name,
                   "How failures are written on stderr: text (default) or json, one impact.error/1 object per line "
                   "(below)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    bool no_sandbox = false;
    app.add_flag("--no-sandbox", no_sandbox,
                 "Let isolated plugins make any system call (debugging a plugin only: the SDK forbids file and "
                 "network I/O, and the sandbox enforces it)");

    bool plugins_json = false;
    CLI::App* plugins = app.add_subcommand("plugins", "List plugins, their models, and rejected files");
    plugins->add_flag("--json", plugins_json, "Machine-readable output (schema impact.plugins/1)");
    bool plugins_pins = false;
    plugins->add_flag("--pins", plugins_pins,
                      "Print a TOML [plugins] table pinning every usable plugin (version and SHA-256), to paste "
                      "into a scenario")
        ->excludes("--json");

    std::string describe_model;
    bool describe_json = false;
    CLI::App* describe = app.add_subcommand("describe", "Show a model's inputs and outputs");
    describe->add_option("model", describe_model, "Model id, such as fx.convert")->required();
    describe->add_flag("--json", describe_json, "Machine-readable output (schema impact.describe/1)");

    ConvertOptions convert_options;
    CLI::App* convert = app.add_subcommand("convert", "Convert an amount between currencies (model fx.convert)");
    convert->add_option("amount,--amount", convert_options.amount,
                        "Amount: 5.5B, 1,428.8, 12e9, 250K; negative for a loss (-743.75M)")
        ->required();
    convert->add_option("from", convert_options.from, "ISO 4217 code of the amount, such as USD")->required();
    convert->add_option("to", convert_options.to, "ISO 4217 code to convert into, such as KRW")->required();
    CLI::Option* rate = convert->add_option("--rate", convert_options.rate, "Units of TO per 1 FROM");
    CLI::Option* rates = convert->add_option("--rates", convert_options.rates_file,
                                             "CSV of dated quotes with columns date,base,quote,rate")
                             ->check(CLI::ExistingFile);
    CLI::Option* date = convert->add_option("--date", convert_options.date, "Value date YYYY-MM-DD (with --rates)");
    convert->add_option("--max-stale-days", convert_options.max_stale_days,
                        "With --rates: use the latest earlier quote at most this many days old (default 7)")
        ->needs(rates);
    convert->add_flag("--json", convert_options.json, "Machine-readable output (schema impact.convert/1)");
    rate->excludes(rates);
    rates->needs(date);
    date->needs(rates);

    RunOptions run_options;
    CLI::App* run = app.add_subcommand("run", "Run a scenario file and write its report");
    run->add_option("scenario", run_options.scenario_file, "Scenario file (TOML)")->required()->check(CLI::ExistingFile);
    add_report_options(*run, run_options.report, "-o,--output");
    const char* set_help = "Replace (or add) an input's value for this run: STEP.INPUT=VALUE, such as "
                           "h20.gross_margin=55% (repeatable; the report lists every override)";
    run->add_option("--set", run_options.overrides, set_help)->type_name("STEP.INPUT=VALUE")->expected(1)->take_all();
    CLI::Option* draws = run->add_option("--draws", run_options.draws,
                                         "Monte Carlo: evaluate the scenario for N draws of its distributions and report "
                                         "each output's statistics")
                             ->type_name("N")
                             ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    run->add_option("--seed", run_options.seed, "With --draws: the random seed (default 1); the same seed gives the same "
                                                "result on any number of threads")
        ->type_name("S")
        ->needs(draws);
    run->add_option("--threads", run_options.threads, "With --draws: worker threads (default: every core)")
        ->type_name("K")
        ->check(CLI::Range(1u, 256u))
        ->needs(draws);
    run->add_option("--until", run_options.until,
                    "With --draws N: draw in stages (32,768 draws, then doubling, at most N) until every target "
                    "holds: comma-separated [STEP.OUTPUT:]STAT:PRECISION, STAT mean, sd or P1 P5 P10 P25 P50 P75 "
                    "P90 P95 P99, PRECISION the relative half-width of its 95% interval (\"P50:0.1%,mean:0.5%\"); "
                    "without STEP.OUTPUT, for every drawn output. Exits 0 either way; the report says whether it converged")
        ->type_name("TARGETS")
        ->needs(draws);
    run->add_flag("--cases", run_options.cases, "Evaluate each [[case]] of the scenario (one row each), side by side")
        ->excludes(draws);
    run->add_flag("-q,--quiet", run_options.quiet, "No progress bar on stderr");
    run->add_flag("--keep-going", run_options.keep_going,
                  "When a model or formula step fails, report it as failed and the steps that use its outputs as "
                  "skipped, run the others and write the report; the exit code is still 3. Input errors still stop "
                  "the run");

    SensitivityCommandOptions sensitivity_options;
    CLI::App* sensitivity = app.add_subcommand(
        "sensitivity", "Which inputs drive one output: tornado, rank correlation and Sobol indices (docs/sensitivity.md)");
    sensitivity->add_option("scenario", sensitivity_options.scenario_file, "Scenario file (TOML)")
        ->required()
        ->check(CLI::ExistingFile);
    sensitivity->add_option("--output", sensitivity_options.output, "The output to explain, such as h20.total_impact")
        ->type_name("STEP.OUTPUT")
        ->required();
    sensitivity->add_option("--draws", sensitivity_options.draws,
                            "Monte Carlo draws ranked for the rank correlation, and Saltelli's base draws N for the "
                            "Sobol indices (N (k + 2) evaluations for k drawn inputs; default 10000)")
        ->type_name("N")
        ->check(CLI::Range(std::uint64_t{10}, std::uint64_t{1} << 31));
    sensitivity->add_option("--seed", sensitivity_options.seed, "Random seed (default 1); the same seed gives the same "
                                                               "result on any number of threads")
        ->type_name("S");
    sensitivity->add_option("--threads", sensitivity_options.threads, "Worker threads (default: every core)")
        ->type_name("K")
        ->check(CLI::Range(1u, 256u));
    sensitivity->add_option("--bootstrap", sensitivity_options.bootstrap,
                            "Bootstrap resamples behind the Sobol indices' 95% intervals (default 100)")
        ->type_name("R")
        ->check(CLI::Range(2u, 100000u));
    add_report_options(*sensitivity, sensitivity_options.report, "-o,--output-file");
    sensitivity->add_option("--set", sensitivity_options.overrides, set_help)
        ->type_name("STEP.INPUT=VALUE")
        ->expected(1)
        ->take_all();

    CompareCommandOptions compare_options;
    CLI::App* compare = app.add_subcommand(
        "compare", "Run several scenario files and put their outputs side by side against a baseline (docs/compare.md)");
    compare->add_option("scenarios", compare_options.scenario_files, "Scenario files (TOML), two or more")
        ->required()
        ->check(CLI::ExistingFile);
    compare->add_option("--baseline", compare_options.baseline, "The scenario file the others are measured against "
                                                                "(default: the first)");
    compare->add_option("--tolerance", compare_options.tolerance,
                        "Make compare a check: \"0.1%\" of the baseline's figure or \"1e6\" in the output's unit; exit 4 "
                        "when any output differs by more or is on one side only");
    compare->add_option("--plugin-dir-for", compare_options.plugin_dir_for,
                        "FILE=DIR: that scenario searches DIR for plugins before the bundled folder, so that two "
                        "versions of a plugin can be compared (repeatable)")
        ->type_name("FILE=DIR");
    CLI::Option* compare_draws = compare->add_option("--draws", compare_options.draws,
                                                     "Draw every scenario N times with the same seed and compare mean, P5, "
                                                     "P50 and P95 too")
                                     ->type_name("N")
                                     ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
    compare->add_option("--seed", compare_options.seed, "With --draws: the random seed (default 1)")->type_name("S")->needs(compare_draws);
    compare->add_option("--threads", compare_options.threads, "With --draws: worker threads (default: every core)")
        ->type_name("K")
        ->check(CLI::Range(1u, 256u))
        ->needs(compare_draws);
    add_report_options(*compare, compare_options.report, "-o,--output", "compare.EXT");

    std::filesystem::path validate_file;
    std::vector<std::string> validate_overrides;
    CLI::App* validate = app.add_subcommand("validate", "Check a scenario file and its data without running it");
    validate->add_option("scenario", validate_file, "Scenario file (TOML)")->required()->check(CLI::ExistingFile);
    validate->add_option("--set", validate_overrides, set_help)->type_name("STEP.INPUT=VALUE")->expected(1)->take_all();

    std::string template_format;
    CLI::App* template_command = app.add_subcommand(
        "template", "Print the built-in Markdown or HTML report template, to copy, edit and pass with --template");
    template_command
        ->add_option("format", template_format, "md or html (impact run and sensitivity), compare-md or compare-html (impact compare)")
        ->required()
        ->check(CLI::IsMember({"md", "html", "compare-md", "compare-html"}));

    std::vector<std::string> args = convert_argv(argc, argv);
    // Before parsing, so that CLI11's own errors come out in the format asked for.
    const ErrorFormat early_error_format =
        error_format_in(std::vector<std::string>(args.begin() + (args.empty() ? 0 : 1), args.end()));
    try {
        std::reverse(args.begin(), args.end());
        if (!args.empty()) args.pop_back();  // the program name: CLI11's vector form takes the arguments only
        app.parse(args);
        // A relative --plugin-dir is what the user typed, meant against the current folder now:
        // made absolute here so the search path (and the plugin cache's key) never depends on
        // where a later step runs.
        for (std::filesystem::path& dir : global.plugin_dirs) {
            std::error_code ec;
            const std::filesystem::path absolute = std::filesystem::absolute(dir, ec);
            if (!ec) dir = absolute.lexically_normal();
        }
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        print_failure(early_error_format,
                      {FailureKind::usage_error, kExitInputError, std::string(e.what()) + " (see 'impact --help')"});
        return kExitInputError;
    }
    global.error_format = error_format_name == "json" ? ErrorFormat::json : ErrorFormat::text;
    global.isolate = *impact::isolation::parse_isolation_policy(isolate);
    global.limits.call_timeout = *impact::isolation::parse_duration(plugin_timeout);
    global.limits.memory_bytes = *impact::isolation::parse_byte_size(plugin_memory);
    global.limits.sandbox = !no_sandbox;

    try {
        int code = kExitInternal;
        if (*plugins) code = run_plugins(global, plugins_json, plugins_pins);
        else if (*describe) code = run_describe(global, describe_model, describe_json);
        else if (*convert) code = run_convert(global, convert_options);
        else if (*run) code = run_scenario_command(global, run_options);
        else if (*sensitivity) code = sensitivity_command(global, sensitivity_options);
        else if (*compare) code = compare_command(global, compare_options);
        else if (*validate) code = validate_scenario_command(global, validate_file, validate_overrides);
        else if (*template_command) {
            using impact::report::ReportFormat;
            using impact::report::ReportKind;
            const bool compare_template = template_format.starts_with("compare-");
            fmt::print("{}", impact::report::default_template(template_format.ends_with("md") ? ReportFormat::md : ReportFormat::html,
                                                              compare_template ? ReportKind::compare : ReportKind::run));
            code = kExitSuccess;
        }
        return finish_stdout(global.error_format, code);
    } catch (const impact::UserError& e) {
        print_failure(global.error_format, {FailureKind::input_error, kExitInputError, e.what()});
        return kExitInputError;
    } catch (const impact::host::CallError& e) {
        const std::string where = e.input_key().empty() ? std::string() : fmt::format("input '{}': ", e.input_key());
        const int code = e.is_input_error() ? kExitInputError : kExitModelFailed;
        std::optional<std::string> key;
        if (!e.input_key().empty()) key = e.input_key();
        print_failure(global.error_format, {e.is_input_error() ? FailureKind::input_error : FailureKind::model_failed,
                                            code, where + e.what(), key});
        return code;
    } catch (const std::exception& e) {
        // fmt::print throws when stdout cannot take the report (a full disk, a closed pipe).
        if (std::ferror(stdout)) return finish_stdout(global.error_format, kExitSuccess);
        print_failure(global.error_format, {FailureKind::internal_error, kExitInternal, e.what()});
        return kExitInternal;
    }
}
