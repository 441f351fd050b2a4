// --until: parsing targets, the stage sizes, and each statistic's precision (docs/scenarios.md, "Convergence").
#include "scenario/convergence.hpp"

#include "scenario/simulation.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace impact::scenario {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr std::string_view kExample = "such as \"P50:0.1%\" or \"h20.total_impact:mean:1%\"";

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void refuse(std::string_view target, std::string_view expected, std::string_view found) {
    throw UserError(fmt::format("--until: target \"{}\": expected {}, found {}", text::printable(target), expected, found));
}

std::string in_quotes(std::string_view s) { return fmt::format("\"{}\"", text::printable(s)); }

// "mean", "MEAN", "sd", "P50", "p50": a reported percentile only, written as the report writes it.
void parse_statistic(std::string_view target, std::string_view stat, ConvergenceTarget& out) {
    std::string lower(stat);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "mean") {
        out.statistic = ConvergenceStatistic::mean;
        return;
    }
    if (lower == "sd") {
        out.statistic = ConvergenceStatistic::sd;
        return;
    }
    if (lower.size() >= 2 && lower[0] == 'p')
        for (const double p : uncertainty::kReportedPercentiles)
            if (lower.substr(1) == std::to_string(static_cast<int>(std::lround(p * 100)))) {
                out.statistic = ConvergenceStatistic::percentile;
                out.probability = p;
                return;
            }
    refuse(target, "a statistic: mean, sd or a reported percentile (P1, P5, P10, P25, P50, P75, P90, P95, P99)",
           stat.empty() ? std::string("nothing") : in_quotes(stat));
}

// "0.1%": a finite number above 0 followed by '%'.
double parse_precision(std::string_view target, std::string_view written) {
    constexpr std::string_view expected = "a precision above 0 in percent, such as \"0.1%\"";
    if (written.empty()) refuse(target, expected, "nothing");
    if (written.back() != '%') refuse(target, expected, in_quotes(written));
    const std::string_view number = written.substr(0, written.size() - 1);
    double value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (number.empty() || ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value) || !(value > 0))
        refuse(target, expected, in_quotes(written));
    return value / 100;
}

ConvergenceTarget parse_target(std::string_view target) {
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
        const std::size_t colon = target.find(':', from);
        parts.push_back(trimmed(target.substr(from, colon == std::string_view::npos ? colon : colon - from)));
        if (colon == std::string_view::npos) break;
        from = colon + 1;
    }
    if (parts.size() < 2 || parts.size() > 3)
        refuse(target, "[STEP.OUTPUT:]STAT:PRECISION",
               parts.size() == 1 ? std::string("no ':'") : fmt::format("{} parts separated by ':'", parts.size()));
    ConvergenceTarget out;
    out.as_written = std::string(target);
    if (parts.size() == 3) {
        const std::string_view name = parts[0];
        const std::size_t dot = name.find('.');
        if (dot == std::string_view::npos || dot == 0 || dot + 1 == name.size() || name.find('.', dot + 1) != std::string_view::npos)
            refuse(target, "an output written step.output", in_quotes(name));
        out.step = std::string(name.substr(0, dot));
        out.output = std::string(name.substr(dot + 1));
    }
    parse_statistic(target, parts[parts.size() - 2], out);
    out.precision = parse_precision(target, parts.back());
    return out;
}

std::string output_name(const RunResult& run, std::size_t s, std::size_t o) {
    return run.steps[s].id + "." + run.steps[s].outputs[o].key;
}

// The relative half-width `half / |estimate|`, with the convention for 0 (convergence.hpp).
Precision relative(double half_width, double estimate) {
    if (half_width == 0) return {0, {}};
    if (estimate == 0) return {kInfinity, "the estimate is 0, so no relative precision exists"};
    return {half_width / std::fabs(estimate), {}};
}

}  // namespace

std::vector<ConvergenceTarget> parse_convergence_targets(std::string_view text) {
    std::vector<ConvergenceTarget> targets;
    for (std::size_t from = 0, index = 1;; ++index) {
        const std::size_t comma = text.find(',', from);
        const std::string_view piece = trimmed(text.substr(from, comma == std::string_view::npos ? comma : comma - from));
        if (piece.empty())
            throw UserError(fmt::format("--until: expected a target {} as target {}, found nothing", kExample, index));
        targets.push_back(parse_target(piece));
        if (comma == std::string_view::npos) break;
        from = comma + 1;
    }
    return targets;
}

std::string statistic_name(const ConvergenceTarget& target) {
    switch (target.statistic) {
        case ConvergenceStatistic::mean: return "mean";
        case ConvergenceStatistic::sd: return "sd";
        case ConvergenceStatistic::percentile: break;
    }
    return fmt::format("P{}", static_cast<int>(std::lround(target.probability * 100)));
}

std::vector<std::uint64_t> convergence_stages(std::uint64_t max_draws) {
    std::vector<std::uint64_t> stages{std::min(max_draws, kFirstStageDraws)};
    while (stages.back() < max_draws) stages.push_back(stages.back() > max_draws / 2 ? max_draws : 2 * stages.back());
    return stages;
}

Precision mean_precision(const uncertainty::Moments& moments) {
    if (moments.count > 0 && moments.min == moments.max) return {0, {}};
    if (moments.count < 2) return {kInfinity, "fewer than 2 draws"};
    return relative(kConvergenceZ * moments.standard_error(), moments.mean);
}

Precision percentile_precision(const uncertainty::PercentileResult& p) {
    return relative((p.ci_high - p.ci_low) / 2, p.value);
}

Precision sd_precision(const uncertainty::Moments& moments, const uncertainty::Moments& block_variances) {
    if (moments.count > 0 && moments.min == moments.max) return {0, {}};
    if (block_variances.count < 2)
        return {kInfinity, fmt::format("fewer than 2 full blocks of 4,096 draws for the batch means ({})", block_variances.count)};
    const double s = moments.sd();
    const double se_variance = block_variances.sd() / std::sqrt(static_cast<double>(block_variances.count));
    return relative(kConvergenceZ * se_variance / (2 * s), s);
}

std::vector<ResolvedTarget> resolve_convergence_targets(const std::vector<ConvergenceTarget>& targets,
                                                        const RunResult& run, const std::vector<bool>& drawn) {
    std::vector<ResolvedTarget> resolved;
    for (const ConvergenceTarget& t : targets) {
        ResolvedTarget r;
        r.target = t;
        if (t.step.empty()) {
            for (std::size_t s = 0; s < run.steps.size(); ++s)
                if (drawn[s])
                    for (std::size_t o = 0; o < run.steps[s].outputs.size(); ++o) r.outputs.emplace_back(s, o);
        } else {
            const auto step = std::find_if(run.steps.begin(), run.steps.end(), [&](const StepResult& st) { return st.id == t.step; });
            if (step == run.steps.end()) {
                std::vector<std::string> ids;
                for (const StepResult& st : run.steps) ids.push_back(st.id);
                refuse(t.as_written, fmt::format("a step of the scenario ({})", fmt::join(ids, ", ")), fmt::format("step {}", in_quotes(t.step)));
            }
            const std::size_t s = static_cast<std::size_t>(step - run.steps.begin());
            const OutputResult* out = step->find_output(t.output);
            if (!out) {
                std::vector<std::string> keys;
                for (const OutputResult& o : step->outputs) keys.push_back(o.key);
                refuse(t.as_written, fmt::format("an output of step {} ({})", t.step, fmt::join(keys, ", ")), in_quotes(t.output));
            }
            if (!drawn[s])
                refuse(t.as_written, "an output that a drawn input reaches",
                       fmt::format("{}, which is the same at every draw", in_quotes(t.step + "." + t.output)));
            r.outputs.emplace_back(s, static_cast<std::size_t>(out - step->outputs.data()));
        }
        resolved.push_back(std::move(r));
    }
    return resolved;
}

std::vector<TargetOutcome> evaluate_convergence_targets(const std::vector<ResolvedTarget>& targets,
                                                        const std::vector<std::vector<OutputStatistics>>& steps,
                                                        const RunResult& run) {
    std::vector<TargetOutcome> outcomes;
    for (const ResolvedTarget& r : targets) {
        TargetOutcome outcome;
        outcome.target = r.target;
        outcome.outputs_checked = r.outputs.size();
        bool first = true;
        for (const auto& [s, o] : r.outputs) {
            const OutputStatistics& stats = steps[s][o];
            Precision p;
            switch (r.target.statistic) {
                case ConvergenceStatistic::mean: p = mean_precision(stats.moments); break;
                case ConvergenceStatistic::sd: p = sd_precision(stats.moments, stats.block_variances); break;
                case ConvergenceStatistic::percentile: {
                    const auto it = std::find_if(stats.percentiles.begin(), stats.percentiles.end(),
                                                 [&](const uncertainty::PercentileResult& pr) { return pr.probability == r.target.probability; });
                    p = it == stats.percentiles.end() ? Precision{kInfinity, "not computed"} : percentile_precision(*it);
                    break;
                }
            }
            // The worst output is reported; the first of equals, so the report does not depend on ties.
            if (first || p.relative > outcome.achieved.relative) {
                outcome.achieved = std::move(p);
                outcome.output = output_name(run, s, o);
                first = false;
            }
        }
        // A target over no outputs (a run with nothing drawn never gets here) holds vacuously.
        outcome.met = outcome.achieved.relative <= r.target.precision;
        outcomes.push_back(std::move(outcome));
    }
    return outcomes;
}

}  // namespace impact::scenario
