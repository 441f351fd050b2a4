// Text and JSON (impact.sensitivity/1) renderings of a sensitivity analysis.
#include "scenario/sensitivity.hpp"

#include "io/json_output.hpp"
#include "text/money_format.hpp"
#include "text/printable.hpp"

#include <fmt/format.h>

#include <cmath>

namespace impact::scenario {
namespace {

constexpr std::string_view kTornadoMethod =
    "each uncertain input alone at two values (a distribution at its P10 and P90, a range at its low and high, a "
    "value that [[case]] tables set at the lowest and highest of the case values and its own), every other input "
    "at its point value (a distribution's base or median, a range's base); largest swing first";
constexpr std::string_view kTornadoCaveat =
    "One-at-a-time swings ignore correlation between inputs and interactions between them.";
constexpr std::string_view kElasticityMethod =
    "d ln(output) / d ln(input) at the point values: central difference at the input's point value x (1 -/+ 1e-5), "
    "every other input at its point value";
constexpr std::string_view kSobolMethod =
    "Saltelli's design (matrices A and B of N independent draws, A_B^i: A with input i from B; N (k + 2) "
    "evaluations, pseudo-random Philox draws: A is draws [0, N), B draws [N, 2N) of each input's stream) and Jansen's "
    "estimators: S_i = (V - mean((f(B) - f(A_B^i))^2) / 2) / V, ST_i = mean((f(A) - f(A_B^i))^2) / 2 / V, V the "
    "sample variance of f(A) and f(B) together (Saltelli et al. 2010, table 2, (f) and (j)); 95% intervals "
    "estimate -/+ 1.96 sd of the estimates over bootstrap resamples of the N rows";
constexpr std::string_view kSobolCaveat =
    "Sobol indices assume independent inputs; estimates can fall slightly outside [0, 1] by Monte Carlo error.";

std::string signed_fixed(double v, int decimals) { return fmt::format("{:+.{}f}", v, decimals); }

std::string with_label(const std::string& name, const std::string& label) {
    return label.empty() || label == name ? text::printable(name) : fmt::format("{} ({})", text::printable(name), text::printable(label));
}

io::Json number_or_null(const std::optional<double>& v) { return v ? io::json_number(*v) : io::Json(); }

}  // namespace

void write_sensitivity_text(const Scenario& scenario, const RunResult& run, const SensitivityResult& r,
                            const ReportSink& write, std::optional<long long> generated_at_unix) {
    // Who made the report, from what, and when: last, whichever sections were computed.
    const auto provenance = [&] {
        ReportExtras extras;
        extras.generated_at_unix = generated_at_unix;
        write(provenance_text(scenario, run, extras));
    };
    write(fmt::format("Sensitivity of {}\n", with_label(r.output_name, r.label)));
    write(fmt::format("Scenario: {} ({})\n", text::printable(scenario.name), text::printable(scenario.file.string())));
    write(fmt::format("Point value (every input at its point value): {}\n", format_value(r.point_value, r.unit)));
    for (const std::string& line : r.correlations) write(fmt::format("Correlated inputs: {}\n", text::printable(line)));

    write(fmt::format("\nTornado: {}.\n{}\n", kTornadoMethod, kTornadoCaveat));
    for (std::size_t b = 0; b < r.tornado.size(); ++b) {
        const TornadoBar& bar = r.tornado[b];
        write(fmt::format("  {:>2}. {}, {}\n", b + 1, with_label(bar.input, bar.label), bar.source));
        write(fmt::format("        {} {}: {}\n", bar.low_name, format_value(bar.low, bar.unit), format_value(bar.output_at_low, r.unit)));
        write(fmt::format("        {} {}: {}\n", bar.high_name, format_value(bar.high, bar.unit),
                          format_value(bar.output_at_high, r.unit)));
        write(fmt::format("        swing {}; elasticity {}{}\n", format_value(bar.swing, r.unit),
                          bar.elasticity ? fmt::format("{:.4g}", *bar.elasticity) : std::string("none"),
                          bar.elasticity_note.empty() ? std::string() : " (" + text::printable(bar.elasticity_note) + ")"));
    }
    write(fmt::format("Elasticity: {}.\n", kElasticityMethod));

    write(fmt::format("\nRank correlation over the Monte Carlo draws (seed {}): ", r.seed));
    if (r.rank_status != "computed") {
        write(text::printable(r.rank_status) + "\n");
    } else {
        write(fmt::format("{}.\n", r.rank_method));
        for (const RankCorrelation& c : r.rank)
            write(fmt::format("  {:>7}  {}\n", c.spearman ? signed_fixed(*c.spearman, 4) : std::string("none"),
                              with_label(c.input, c.label) + (c.spearman ? "" : " (the same at every draw)")));
    }

    write("\nSobol indices: ");
    if (r.sobol_status != "computed") {
        write(text::printable(r.sobol_status) + "\n");
        provenance();
        return;
    }
    write(fmt::format("N = {} base draws, {} evaluations, {} bootstrap resamples; variance of the output {}.\n",
                      text::format_grouped(static_cast<double>(r.draws), 0),
                      text::format_grouped(static_cast<double>(r.sobol_evaluations), 0), r.bootstrap_resamples,
                      r.unit == "%" || r.unit.empty() ? fmt::format("{:.6g}", r.sobol_variance)
                                                      : fmt::format("{:.6g} {}^2", r.sobol_variance, r.unit)));
    write(fmt::format("  {:<26} {:<26} {}\n", "first-order [95% interval]", "total [95% interval]", "input"));
    double first_sum = 0;
    for (const SobolIndex& s : r.sobol) {
        first_sum += s.first_order;
        write(fmt::format("  {:<26} {:<26} {}\n",
                          fmt::format("{:.4f} [{:.4f}, {:.4f}]", s.first_order, s.first_order_low, s.first_order_high),
                          fmt::format("{:.4f} [{:.4f}, {:.4f}]", s.total, s.total_low, s.total_high),
                          with_label(s.input, s.label)));
    }
    write(fmt::format("  sum of first-order indices {:.4f} (1 when the output is additive in its inputs; the rest is "
                      "their interactions)\n",
                      first_sum));
    write(fmt::format("Method: {}.\n{}\n", kSobolMethod, kSobolCaveat));
    provenance();
}

void write_sensitivity_json(const Scenario& scenario, const RunResult& run, const SensitivityResult& r,
                            const ReportSink& write, std::optional<long long> generated_at_unix) {
    io::Json doc = io::Json::object();
    doc["schema"] = "impact.sensitivity/1";
    doc["scenario"] = scenario_json(scenario);
    doc["overrides"] = overrides_json(scenario);
    io::Json& output = doc["output"] = io::Json::object();
    output["name"] = io::json_text(r.output_name);
    output["label"] = io::json_text(r.label);
    output["unit"] = io::json_text(r.unit);
    output["point_value"] = io::json_number(r.point_value);
    doc["draws"] = r.draws;
    doc["seed"] = r.seed;
    doc["threads"] = r.threads;
    io::Json& correlations = doc["correlations"] = io::Json::array();
    for (const std::string& line : r.correlations) correlations.push_back(io::json_text(line));

    io::Json& tornado = doc["tornado"] = io::Json::object();
    tornado["method"] = kTornadoMethod;
    tornado["caveat"] = kTornadoCaveat;
    tornado["elasticity_method"] = kElasticityMethod;
    io::Json& bars = tornado["inputs"] = io::Json::array();
    for (const TornadoBar& bar : r.tornado) {
        io::Json b = io::Json::object();
        b["input"] = io::json_text(bar.input);
        b["label"] = io::json_text(bar.label);
        b["unit"] = io::json_text(bar.unit);
        b["source"] = bar.source;
        b["point"] = io::json_number(bar.point);
        b["low_name"] = bar.low_name;
        b["low"] = io::json_number(bar.low);
        b["high_name"] = bar.high_name;
        b["high"] = io::json_number(bar.high);
        b["output_at_low"] = io::json_number(bar.output_at_low);
        b["output_at_high"] = io::json_number(bar.output_at_high);
        b["swing"] = io::json_number(bar.swing);
        b["elasticity"] = number_or_null(bar.elasticity);
        b["elasticity_note"] = io::json_text(bar.elasticity_note);
        bars.push_back(std::move(b));
    }

    io::Json& rank = doc["rank_correlation"] = io::Json::object();
    rank["status"] = io::json_text(r.rank_status);
    if (r.rank_status == "computed") {
        rank["method"] = io::json_text(r.rank_method);
        rank["draws"] = r.rank_draws;
        io::Json& inputs = rank["inputs"] = io::Json::array();
        for (const RankCorrelation& c : r.rank) {
            io::Json i = io::Json::object();
            i["input"] = io::json_text(c.input);
            i["label"] = io::json_text(c.label);
            i["spearman"] = number_or_null(c.spearman);
            if (!c.spearman) i["spearman_note"] = "none: the input is the same at every ranked draw";
            inputs.push_back(std::move(i));
        }
    }

    io::Json& sobol = doc["sobol"] = io::Json::object();
    sobol["status"] = io::json_text(r.sobol_status);
    if (r.sobol_status == "computed") {
        sobol["method"] = kSobolMethod;
        sobol["caveat"] = kSobolCaveat;
        sobol["base_draws"] = r.draws;
        sobol["evaluations"] = r.sobol_evaluations;
        sobol["variance"] = io::json_number(r.sobol_variance);
        sobol["bootstrap_resamples"] = r.bootstrap_resamples;
        sobol["confidence"] = 0.95;
        io::Json& inputs = sobol["inputs"] = io::Json::array();
        for (const SobolIndex& s : r.sobol) {
            io::Json i = io::Json::object();
            i["input"] = io::json_text(s.input);
            i["label"] = io::json_text(s.label);
            i["first_order"] = io::json_number(s.first_order);
            i["first_order_ci"] = io::Json::array({io::json_number(s.first_order_low), io::json_number(s.first_order_high)});
            i["total"] = io::json_number(s.total);
            i["total_ci"] = io::Json::array({io::json_number(s.total_low), io::json_number(s.total_high)});
            inputs.push_back(std::move(i));
        }
    }
    doc["provenance"] = provenance_json(scenario, run, generated_at_unix);
    write(io::json_document(doc));
}

}  // namespace impact::scenario
