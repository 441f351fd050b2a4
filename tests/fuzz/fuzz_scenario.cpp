// Fuzz target: a scenario file read and validated as `impact validate SCENARIO` does:
// impact::scenario::read_scenario_file on the input written to <sandbox>/scenario.toml, then
// run_scenario(..., RunMode::validate) with the plugins bundled in this build (fx, revenue,
// stock), loaded once. That covers the TOML structure checks, units of literals, references,
// ranges, data sources (CSV files beside the scenario) and each model's input checks and
// prepare call. Expected refusals: impact::UserError and host::CallError. Anything else (another
// exception, a crash, a sanitizer report, an input slower than libFuzzer's -timeout) is a finding.
//
// The sandbox holds two price series the inputs can name, nvda.csv and spx.csv (date,close), as
// `file = "nvda.csv"` in a [data.<id>] table.
//
// Sandbox rule: an input whose data file path is absolute or contains ".." is skipped before
// validation. Such a path leaves the private folder: the fuzzer would then read whatever the
// machine holds (/dev/zero or /dev/stdin never end, /proc changes between runs, a FIFO blocks),
// so findings would not reproduce elsewhere and a campaign could hang on a read that is not a bug
// of ours. Paths inside the folder (the scenario itself, ".", a missing file) are still fuzzed.
#include "fuzz_support.hpp"

#include "host/model.hpp"
#include "host/registry.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"
#include "text/iso_date.hpp"
#include "text/user_error.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#ifndef IMPACT_FUZZ_PLUGIN_DIR
#error "IMPACT_FUZZ_PLUGIN_DIR (the bundled plugins' folder of this build) must be defined"
#endif

namespace {

std::optional<impact::host::Registry> registry;

// A daily close series on weekdays from 2024-01-02, `days` rows, deterministic.
std::string price_series(int days, double start, double drift, double wave) {
    std::string csv = "date,close\n";
    impact_date_days day = *impact::text::parse_iso_date("2024-01-02");
    for (int i = 0; i < days; ++day) {
        if ((day + 4) % 7 == 0 || (day + 4) % 7 == 6) continue;  // 1970-01-01 was a Thursday
        const double close = start + drift * i + wave * std::sin(i / 5.0) + (i % 3) * 0.5;
        char cell[64];
        std::snprintf(cell, sizeof cell, "%.2f", close);
        csv += impact::text::format_iso_date(day) + "," + cell + "\n";
        ++i;
    }
    return csv;
}

bool leaves_sandbox(const std::string& written) {
    return std::filesystem::path(written).is_absolute() || written.find("..") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const std::filesystem::path dir = impact::fuzz::sandbox();
    impact::fuzz::write_file(dir / "nvda.csv", price_series(600, 110.0, 0.05, 4.0));
    impact::fuzz::write_file(dir / "spx.csv", price_series(600, 5000.0, 1.0, 40.0));
    registry = impact::host::Registry::discover({{IMPACT_FUZZ_PLUGIN_DIR, "bundled"}});
    if (registry->models().empty() || !registry->rejected().empty()) {
        std::fprintf(stderr, "fuzz_scenario: expected the bundled plugins in %s, found %zu models and %zu rejected files\n",
                     IMPACT_FUZZ_PLUGIN_DIR, registry->models().size(), registry->rejected().size());
        for (const auto& r : registry->rejected()) std::fprintf(stderr, "  rejected: %s\n", r.reason.c_str());
        std::abort();
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::filesystem::path file = impact::fuzz::sandbox() / "scenario.toml";
    impact::fuzz::write_file(file, impact::fuzz::as_text(data, size));
    try {
        const impact::scenario::Scenario scenario = impact::scenario::read_scenario_file(file);
        for (const auto& source : scenario.data)
            if (leaves_sandbox(source.file_as_written)) return 0;
        impact::scenario::run_scenario(scenario, *registry, impact::scenario::RunMode::validate);
    } catch (const impact::UserError&) {
        // A malformed scenario, refused with a message: expected.
    } catch (const impact::host::CallError&) {
        // A model refusing its inputs: expected.
    }
    return 0;
}
