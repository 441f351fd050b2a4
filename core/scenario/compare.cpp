// Matches the outputs of several scenario runs by step and output, and measures each side against the baseline.
#include "scenario/compare.hpp"

#include "io/json_output.hpp"
#include "uncertainty/statistics.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::scenario {
namespace {

// The drawn figures compared besides the value, and their probabilities in kReportedPercentiles.
struct DrawnFigure {
    const char* name;
    double probability;  // 0: the mean
};
constexpr DrawnFigure kDrawnFigures[] = {{"mean", 0}, {"P5", 0.05}, {"P50", 0.50}, {"P95", 0.95}};

std::optional<double> drawn_figure(const OutputStatistics& stats, const DrawnFigure& figure) {
    if (figure.probability == 0) return stats.moments.mean;
    for (const auto& p : stats.percentiles)
        if (p.probability == figure.probability) return p.value;
    return std::nullopt;
}

struct Located {
    std::size_t step = 0, output = 0;
};

}  // namespace

std::string side_letter(std::size_t i) { return i < 26 ? std::string(1, static_cast<char>('A' + i)) : fmt::format("S{}", i + 1); }

Tolerance parse_tolerance(const std::string& written) {
    text::Quantity q;
    try {
        q = text::parse_quantity(written, "--tolerance");
    } catch (const UserError&) {
        q.unit = "?";
    }
    Tolerance t;
    t.as_written = written;
    if (q.unit == "%" || q.unit == "bp") {
        t.relative = true;
        t.amount = q.unit == "%" ? q.value / 100 : q.value / 10'000;
    } else if (q.unit.empty()) {
        t.amount = q.value;
    } else {
        q.value = -1;
    }
    if (!(std::isfinite(t.amount) && t.amount >= 0 && q.value >= 0))
        throw UserError(fmt::format("--tolerance: expected a relative tolerance such as \"0.1%\" or \"25bp\", or an absolute "
                                    "one in the outputs' units such as \"1e6\", at least 0, found \"{}\"",
                                    text::printable(written)));
    return t;
}

CompareResult compare_sides(const std::vector<CompareSide>& sides, std::size_t baseline,
                            const std::optional<Tolerance>& tolerance) {
    CompareResult result;
    result.baseline = baseline;
    result.tolerance = tolerance;
    for (const CompareSide& side : sides) result.sides.push_back(side.name);
    // Every side's outputs by name, the baseline's first so that its order leads.
    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::vector<std::optional<Located>>> where;  // [output][side]
    std::vector<std::size_t> order{baseline};
    for (std::size_t s = 0; s < sides.size(); ++s)
        if (s != baseline) order.push_back(s);
    for (std::size_t s : order) {
        const RunResult& run = *sides[s].run;
        for (std::size_t st = 0; st < run.steps.size(); ++st)
            for (std::size_t o = 0; o < run.steps[st].outputs.size(); ++o) {
                const OutputResult& out = run.steps[st].outputs[o];
                const std::string name = run.steps[st].id + "." + out.key;
                auto [it, added] = index.emplace(name, result.outputs.size());
                if (added) {
                    ComparedOutput c;
                    c.name = name;
                    c.step = run.steps[st].id;
                    c.output = out.key;
                    c.label = out.label;
                    c.unit = out.value.unit;
                    c.present.assign(sides.size(), false);
                    result.outputs.push_back(std::move(c));
                    where.emplace_back(sides.size());
                }
                ComparedOutput& c = result.outputs[it->second];
                if (c.unit != out.value.unit)
                    throw UserError(fmt::format("{}: output {} is in {} there but in {} in an earlier scenario: compare needs "
                                                "the same unit on every side",
                                                text::printable(sides[s].name), name, out.value.unit.empty() ? "no unit" : out.value.unit,
                                                c.unit.empty() ? "no unit" : c.unit));
                c.present[s] = true;
                where[it->second][s] = Located{st, o};
            }
    }
    for (std::size_t k = 0; k < result.outputs.size(); ++k) {
        ComparedOutput& c = result.outputs[k];
        // The figures: the value, and the drawn ones when every side that has the output drew it.
        bool drawn_everywhere = true;
        for (std::size_t s = 0; s < sides.size(); ++s) {
            if (!where[k][s]) continue;
            const bool drawn = sides[s].simulation && sides[s].simulation->steps[where[k][s]->step][where[k][s]->output].drawn;
            drawn_everywhere = drawn_everywhere && drawn;
        }
        const auto value_of = [&](std::size_t s, const DrawnFigure* figure) -> std::optional<double> {
            if (!where[k][s]) return std::nullopt;
            const Located at = *where[k][s];
            if (!figure) return sides[s].run->steps[at.step].outputs[at.output].value.value;
            return drawn_figure(sides[s].simulation->steps[at.step][at.output], *figure);
        };
        std::vector<const DrawnFigure*> figures{nullptr};
        if (drawn_everywhere)
            for (const DrawnFigure& f : kDrawnFigures) figures.push_back(&f);
        for (const DrawnFigure* figure : figures) {
            ComparedFigure f;
            f.statistic = figure ? figure->name : "value";
            for (std::size_t s = 0; s < sides.size(); ++s) f.values.push_back(value_of(s, figure));
            const std::optional<double> base = f.values[baseline];
            for (std::size_t s = 0; s < sides.size(); ++s) {
                std::optional<double> difference, ratio;
                bool within = true;
                const std::optional<double> value = f.values[s];
                if (s != baseline) {
                    if (!base || !value) {
                        within = base.has_value() == value.has_value();  // on one side only: a difference
                    } else if (!std::isfinite(*base) || !std::isfinite(*value)) {
                        // An output its model may leave undefined: the same kind of undefined on both
                        // sides is no difference; undefined on one side is.
                        within = std::isnan(*base) ? std::isnan(*value) : *base == *value;
                    } else {
                        difference = *value - *base;
                        if (*base != 0) ratio = *value / *base;
                        if (tolerance) {
                            const double limit = tolerance->relative ? tolerance->amount * std::abs(*base) : tolerance->amount;
                            within = std::abs(*difference) <= limit;
                        }
                    }
                }
                f.differences.push_back(difference);
                f.ratios.push_back(ratio);
                f.within.push_back(within);
                c.within = c.within && within;
            }
            c.figures.push_back(std::move(f));
        }
        if (!c.within) ++result.beyond;
    }
    return result;
}

void add_draw_differences(const std::vector<CompareSide>& sides, CompareResult& result, std::uint64_t draws,
                          std::uint64_t seed, unsigned threads) {
    const bool fits = draws <= kDrawDifferenceBudgetBytes / (3 * sizeof(double));
    // Per side, where each drawn output is, by "step.output": found once, not once per output.
    std::vector<std::unordered_map<std::string, Located>> drawn(sides.size());
    for (std::size_t s = 0; s < sides.size(); ++s) {
        if (!sides[s].simulation) continue;
        const RunResult& run = *sides[s].run;
        for (std::size_t st = 0; st < run.steps.size(); ++st)
            for (std::size_t o = 0; o < run.steps[st].outputs.size(); ++o)
                if (sides[s].simulation->steps[st][o].drawn)
                    drawn[s].emplace(run.steps[st].id + "." + run.steps[st].outputs[o].key, Located{st, o});
    }
    for (ComparedOutput& c : result.outputs) {
        c.differences.assign(sides.size(), std::nullopt);
        if (!fits) {
            c.differences_note = fmt::format("not computed: {} draws of two sides would pass {} MiB", draws,
                                             kDrawDifferenceBudgetBytes >> 20);
            continue;
        }
        // Where side s has the output and drew it.
        const auto locate = [&](std::size_t s) -> std::optional<Located> {
            const auto found = drawn[s].find(c.name);
            if (found == drawn[s].end()) return std::nullopt;
            return found->second;
        };
        const auto draws_of = [&](std::size_t s, const Located& at) {
            std::vector<double> values(draws);
            DrawRequest request;
            request.draws = draws;
            request.seed = seed;
            request.threads = threads;
            request.step = at.step;
            request.output = at.output;
            evaluate_draws(*sides[s].scenario, *sides[s].run, request, values, {});
            return values;
        };
        const std::optional<Located> base_at = locate(result.baseline);
        if (!base_at) {
            // Another side drew it, the baseline has it but did not: say so rather than show nothing.
            // (An output the baseline lacks is already listed as "not in" it.)
            if (!c.present[result.baseline]) continue;
            for (std::size_t s = 0; s < sides.size(); ++s)
                if (s != result.baseline && locate(s)) {
                    c.differences_note = fmt::format("not computed: the baseline {} did not draw this output (no distribution "
                                                     "reaches it there)",
                                                     side_letter(result.baseline));
                    break;
                }
            continue;
        }
        const std::vector<double> base = draws_of(result.baseline, *base_at);
        for (std::size_t s = 0; s < sides.size(); ++s) {
            if (s == result.baseline) continue;
            const std::optional<Located> at = locate(s);
            if (!at) continue;
            std::vector<double> diff = draws_of(s, *at);
            std::uint64_t greater = 0;
            for (std::uint64_t j = 0; j < draws; ++j) {
                greater += diff[j] > base[j];
                diff[j] -= base[j];
            }
            DrawDifference d;
            d.draws = draws;
            uncertainty::Moments m;
            for (std::uint64_t first = 0; first < draws; first += kDrawsPerBlock) {
                uncertainty::Moments block;
                block.add(std::span<const double>(diff.data() + first, std::min<std::uint64_t>(kDrawsPerBlock, draws - first)));
                m.merge(block);
            }
            d.mean = m.mean;
            d.sd = draws > 1 ? m.sd() : 0;
            std::sort(diff.begin(), diff.end());
            // numpy's default percentile (linear, h = (N - 1) p) on the sorted differences.
            const auto percentile = [&](double p) {
                const double h = (static_cast<double>(draws) - 1) * p;
                const auto i = static_cast<std::size_t>(std::floor(h));
                const std::size_t j = std::min<std::size_t>(i + 1, diff.size() - 1);
                return diff[i] + (diff[j] - diff[i]) * (h - std::floor(h));
            };
            d.p5 = percentile(0.05);
            d.p50 = percentile(0.50);
            d.p95 = percentile(0.95);
            d.probability_greater = static_cast<double>(greater) / static_cast<double>(draws);
            c.differences[s] = d;
        }
    }
}

void write_compare_text(const std::vector<CompareSide>& sides, const CompareResult& r, const ReportSink& write) {
    write(fmt::format("Compare: {} scenarios, baseline {}\n", sides.size(), side_letter(r.baseline)));
    for (std::size_t s = 0; s < sides.size(); ++s)
        write(fmt::format("  {}  {}  ({}{}){}\n", side_letter(s), text::printable(sides[s].name),
                          text::printable(sides[s].scenario->name),
                          sides[s].simulation ? fmt::format(", {} draws, seed {}", sides[s].simulation->draws, sides[s].simulation->seed)
                                              : std::string(),
                          s == r.baseline ? "  baseline" : ""));
    write(r.tolerance ? fmt::format("Tolerance: {} ({})\n", text::printable(r.tolerance->as_written),
                                    r.tolerance->relative ? "of the baseline's figure" : "absolute, in each output's unit")
                      : std::string("Tolerance: none (a report, not a check)\n"));
    for (const ComparedOutput& c : r.outputs) {
        // Without --tolerance a gap between defined figures is shown, not judged: only an output that
        // is not on every side, or undefined on one side only, is marked (as in the other formats).
        const bool everywhere = std::all_of(c.present.begin(), c.present.end(), [](bool p) { return p; });
        write(fmt::format("\n{}{}{}\n", text::printable(c.name), c.label.empty() ? "" : "  " + text::printable(c.label),
                          c.within         ? ""
                          : r.tolerance    ? "  BEYOND"
                          : !everywhere    ? "  not on every side"
                                           : "  undefined on one side"));
        for (std::size_t s = 0; s < sides.size(); ++s)
            if (!c.present[s]) write(fmt::format("  not in {} ({})\n", side_letter(s), text::printable(sides[s].name)));
        for (const ComparedFigure& f : c.figures) {
            std::string line = fmt::format("  {:<6}", f.statistic);
            for (std::size_t s = 0; s < sides.size(); ++s) {
                line += fmt::format("  {}: {}", side_letter(s), f.values[s] ? format_value(*f.values[s], c.unit) : "none");
                if (s == r.baseline || !f.values[s]) continue;
                if (f.differences[s])
                    line += fmt::format(" ({}{}{})", *f.differences[s] >= 0 ? "+" : "", format_value(*f.differences[s], c.unit),
                                        f.ratios[s] ? fmt::format(", x{:.6g}", *f.ratios[s]) : std::string());
                if (r.tolerance && !f.within[s]) line += " beyond";
            }
            write(line + "\n");
        }
        for (std::size_t s = 0; s < c.differences.size(); ++s)
            if (c.differences[s]) {
                const DrawDifference& d = *c.differences[s];
                write(fmt::format("  {} - {} per draw (same draws): mean {}  sd {}  P5 {}  P50 {}  P95 {}  P({} > {}) = {:.2f}%\n",
                                  side_letter(s), side_letter(r.baseline), format_value(d.mean, c.unit),
                                  format_value(d.sd, c.unit), format_value(d.p5, c.unit), format_value(d.p50, c.unit),
                                  format_value(d.p95, c.unit), side_letter(s), side_letter(r.baseline),
                                  d.probability_greater * 100));
            }
        if (!c.differences_note.empty()) write(fmt::format("  per-draw difference {}\n", c.differences_note));
    }
    write(fmt::format("\n{} output{} compared; {} {}\n", r.outputs.size(), r.outputs.size() == 1 ? "" : "s", r.beyond,
                      r.tolerance ? fmt::format("beyond the tolerance {}", text::printable(r.tolerance->as_written))
                                  : std::string("differ (on one side only, or undefined on one side)")));
}

void write_compare_json(const std::vector<CompareSide>& sides, const CompareResult& r, const ReportSink& write) {
    io::Json doc = io::Json::object();
    doc["schema"] = "impact.compare/1";
    io::Json& side_list = doc["sides"] = io::Json::array();
    for (std::size_t s = 0; s < sides.size(); ++s) {
        io::Json side = io::Json::object();
        side["label"] = side_letter(s);
        side["as_given"] = io::json_text(sides[s].name);
        side["scenario"] = scenario_json(*sides[s].scenario);
        side["overrides"] = overrides_json(*sides[s].scenario);
        side["draws"] = sides[s].simulation ? io::Json(sides[s].simulation->draws) : io::Json();
        side["seed"] = sides[s].simulation ? io::Json(sides[s].simulation->seed) : io::Json();
        side["provenance"] = provenance_json(*sides[s].scenario, *sides[s].run);
        side_list.push_back(std::move(side));
    }
    doc["baseline"] = side_letter(r.baseline);
    if (r.tolerance) {
        io::Json t = io::Json::object();
        t["as_written"] = io::json_text(r.tolerance->as_written);
        t["relative"] = r.tolerance->relative;
        t["amount"] = io::json_number(r.tolerance->amount);
        doc["tolerance"] = std::move(t);
    } else {
        doc["tolerance"] = io::Json();
    }
    const auto optional_numbers = [](const std::vector<std::optional<double>>& values) {
        io::Json out = io::Json::array();
        for (const auto& v : values) out.push_back(v ? io::json_number(*v) : io::Json());
        return out;
    };
    io::Json& outputs = doc["outputs"] = io::Json::array();
    for (const ComparedOutput& c : r.outputs) {
        io::Json o = io::Json::object();
        o["name"] = io::json_text(c.name);
        o["label"] = io::json_text(c.label);
        o["unit"] = io::json_text(c.unit);
        o["present"] = c.present;
        o["within"] = c.within;
        io::Json& figures = o["figures"] = io::Json::array();
        for (const ComparedFigure& f : c.figures) {
            io::Json fig = io::Json::object();
            fig["statistic"] = f.statistic;
            fig["values"] = optional_numbers(f.values);
            fig["differences"] = optional_numbers(f.differences);
            fig["ratios"] = optional_numbers(f.ratios);
            fig["within"] = f.within;
            figures.push_back(std::move(fig));
        }
        if (!c.differences.empty()) {
            io::Json& per_draw = o["per_draw_differences"] = io::Json::array();
            for (const auto& d : c.differences) {
                if (!d) {
                    per_draw.push_back(io::Json());
                    continue;
                }
                io::Json e = io::Json::object();
                e["draws"] = d->draws;
                e["mean"] = io::json_number(d->mean);
                e["sd"] = io::json_number(d->sd);
                e["P5"] = io::json_number(d->p5);
                e["P50"] = io::json_number(d->p50);
                e["P95"] = io::json_number(d->p95);
                e["probability_greater"] = io::json_number(d->probability_greater);
                per_draw.push_back(std::move(e));
            }
            if (!c.differences_note.empty()) o["per_draw_differences_note"] = io::json_text(c.differences_note);
        }
        outputs.push_back(std::move(o));
    }
    doc["beyond"] = r.beyond;
    doc["tool"] = fmt::format("impact {}", IMPACT_VERSION);
    write(io::json_document(doc));
}

}  // namespace impact::scenario
