// Sensitivity of one output: tornado rows and elasticities, Spearman ranks of the Monte Carlo draws, Sobol indices by Saltelli and Jansen with a bootstrap.
#include "scenario/sensitivity.hpp"

#include "host/model.hpp"
#include "scenario/simulation.hpp"
#include "text/printable.hpp"
#include "text/user_error.hpp"
#include "uncertainty/random_stream.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <exception>
#include <numeric>
#include <thread>
#include <utility>

#ifndef IMPACT_VERSION
#error "IMPACT_VERSION must be defined by the build (core/CMakeLists.txt): reports and provenance name it"
#endif

namespace impact::scenario {
namespace {

// For floor(x N / 2^64): g++'s 128-bit integers (__extension__ keeps -Wpedantic quiet about them).
__extension__ using UInt128 = unsigned __int128;

// Two-sided 95% normal quantile, for the bootstrap intervals (estimate -/+ 1.96 bootstrap sd).
constexpr double kZ95 = 1.959963984540054;

// The random stream of the bootstrap's resampled rows. Its name has a space, which no
// "step.input" can have, so it is never an input's stream.
constexpr std::string_view kBootstrapStream = "sensitivity bootstrap";

// Bootstrap resamples weighed in one pass over the outputs (jansen, below).
constexpr std::size_t kResamplesPerPass = 8;

// Bytes per base draw that Sobol indices keep: the N (k + 2) outputs and one bootstrap worker's
// row counts (kResamplesPerPass 32-bit counts per row).
std::uint64_t sobol_bytes_per_draw(std::size_t k) {
    return (k + 2) * sizeof(double) + kResamplesPerPass * sizeof(std::uint32_t);
}

// Bytes per ranked draw: each drawn input's value (8 k), the output's value and rank (16), and
// for each input being ranked (at most k at once, one per worker) its sorted pairs, a spare
// and its ranks (40 k); 8 more for the output's value when no Sobol indices keep it.
std::uint64_t rank_correlation_bytes_per_draw(std::size_t k) { return 48 * k + 24; }

struct Target {
    std::size_t step = 0, output = 0;
};

Target find_target(const Scenario& scenario, const RunResult& run, const std::string& written) {
    std::vector<std::string> all;
    for (const StepResult& step : run.steps)
        for (const OutputResult& o : step.outputs) all.push_back(step.id + "." + o.key);
    const auto dot = written.find('.');
    for (std::size_t s = 0; dot != std::string::npos && s < run.steps.size(); ++s) {
        if (run.steps[s].id != written.substr(0, dot)) continue;
        for (std::size_t o = 0; o < run.steps[s].outputs.size(); ++o)
            if (run.steps[s].outputs[o].key == written.substr(dot + 1)) return Target{s, o};
    }
    throw UserError(fmt::format("--output: expected STEP.OUTPUT naming an output of {} ({}), found \"{}\"",
                                text::printable(scenario.file.string()), fmt::join(all, ", "), written));
}

// The input a column of step s stands for, as the run reports it (label, unit, range).
const InputUsed* input_used(const RunResult& run, std::size_t s, const std::string& name) {
    const std::string prefix = run.steps[s].id + ".";
    if (name.compare(0, prefix.size(), prefix) != 0) return nullptr;
    for (const InputUsed& in : run.steps[s].inputs)
        if (in.key == name.substr(prefix.size())) return &in;
    return nullptr;
}

// Every uncertain input with the two values it swings to: a distribution's P10 and P90, a range's
// low and high, the lowest and highest value the [[case]] tables give an input.
std::vector<TornadoBar> tornado_bars(const RunResult& run) {
    std::vector<TornadoBar> bars;
    for (std::size_t s = 0; s < run.plans.size(); ++s)
        for (const ColumnSource& c : run.plans[s].columns) {
            // An optional row input left out is NaN at every row: nothing to swing.
            if (c.kind == ColumnSource::Kind::earlier || std::isnan(c.value)) continue;
            const InputUsed* used = input_used(run, s, c.name);
            TornadoBar bar;
            bar.input = c.name;
            bar.label = used ? used->label : c.name;
            bar.unit = used && used->number ? used->number->unit : std::string();
            bar.point = c.value;
            if (c.kind == ColumnSource::Kind::drawn) {
                bar.source = "distribution";
                bar.low_name = "P10";
                bar.high_name = "P90";
                bar.low = c.distribution->quantile(0.10);
                bar.high = c.distribution->quantile(0.90);
            } else if (used && used->number && used->number->low && used->number->high) {
                bar.source = "range";
                bar.low_name = "low";
                bar.high_name = "high";
                bar.low = *used->number->low;
                bar.high = *used->number->high;
            } else if (std::any_of(c.per_case.begin(), c.per_case.end(), [&](double v) { return v != c.value; })) {
                bar.source = "cases";
                bar.low_name = "lowest case";
                bar.high_name = "highest case";
                bar.low = std::min(c.value, *std::min_element(c.per_case.begin(), c.per_case.end()));
                bar.high = std::max(c.value, *std::max_element(c.per_case.begin(), c.per_case.end()));
            } else {
                continue;
            }
            bars.push_back(std::move(bar));
        }
    return bars;
}

// d ln y / d ln x at the point values by a central difference x (1 -/+ h), or one-sided when the
// model refuses one side (an input at its bound) or leaves the output undefined there: the note
// says which side was used. Errors other than the model's refusals propagate.
void add_elasticity(const Scenario& scenario, const RunResult& run, const Target& target, double output_point,
                    TornadoBar& bar) {
    if (bar.point == 0) {
        bar.elasticity_note = "undefined: the input's point value is 0";
        return;
    }
    if (output_point == 0) {
        bar.elasticity_note = "undefined: the output's point value is 0";
        return;
    }
    const double h = kElasticityRelativeStep;
    std::string refused;
    // The output with the input at point * factor, or none when the model refuses that value.
    const auto at = [&](double factor) -> std::optional<double> {
        if (factor == 1) return output_point;
        try {
            const RowSetting row{fmt::format("{} at {} x its point value", bar.input, factor), {{bar.input, bar.point * factor}}};
            const double y = evaluate_rows(scenario, run, {row}, target.step, target.output)[0];
            if (std::isfinite(y)) return y;
            if (refused.empty()) refused = fmt::format("the output is {} at {} x the point value", host::non_finite_name(y), factor);
        } catch (const UserError& e) {
            if (refused.empty()) refused = e.what();
        } catch (const host::CallError& e) {
            if (refused.empty()) refused = e.what();
        }
        return std::nullopt;
    };
    // Factor 1 + h moves the input up when its point value is positive, down when it is negative.
    const char* up = bar.point > 0 ? "above" : "below";
    const char* down = bar.point > 0 ? "below" : "above";
    const std::optional<double> lower = at(1 - h), upper = at(1 + h);
    double elasticity = 0;
    if (lower && upper) {
        elasticity = (*upper - *lower) / (2 * h * output_point);
    } else if (upper) {
        elasticity = (*upper - output_point) / (h * output_point);
        bar.elasticity_note = fmt::format("one-sided ({} the point value): the model refuses a value just {} it", up, down);
    } else if (lower) {
        elasticity = (output_point - *lower) / (h * output_point);
        bar.elasticity_note = fmt::format("one-sided ({} the point value): the model refuses a value just {} it", down, up);
    } else {
        bar.elasticity_note = "undefined: the model refuses values next to the point value: " + refused;
        return;
    }
    if (!std::isfinite(elasticity)) {
        bar.elasticity_note = "undefined: the difference quotient overflows";
        return;
    }
    bar.elasticity = elasticity;
}

// 1-based ranks, ties sharing the mean of their ranks (Spearman's definition with ties), into
// `ranks`; `sorted` and `spare` are reused buffers. A least-significant-digit radix sort of
// (key, position) pairs, the key ordering doubles as integers (0 and -0 alike): six passes of
// 11 bits, a pass skipped when every key has the same digit there, stable so that equal values
// keep their order. Three times faster than std::sort at 10^5 draws (bench/README.md).
struct RankEntry {
    std::uint64_t key;
    std::uint32_t position;
};

void average_ranks(std::span<const double> values, std::vector<RankEntry>& sorted, std::vector<RankEntry>& spare,
                   std::vector<double>& ranks) {
    const std::size_t n = values.size();
    sorted.resize(n);
    spare.resize(n);
    ranks.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto bits = std::bit_cast<std::uint64_t>(values[i] == 0 ? 0.0 : values[i]);
        sorted[i] = RankEntry{bits >> 63 ? ~bits : bits | (std::uint64_t{1} << 63), static_cast<std::uint32_t>(i)};
    }
    constexpr unsigned kDigitBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
    std::vector<std::size_t> starts(kBuckets);
    for (unsigned shift = 0; shift < 64; shift += kDigitBits) {
        std::fill(starts.begin(), starts.end(), 0);
        for (const RankEntry& e : sorted) ++starts[(e.key >> shift) & (kBuckets - 1)];
        if (std::find(starts.begin(), starts.end(), n) != starts.end()) continue;  // one digit for all
        std::size_t at = 0;
        for (std::size_t& start : starts) at += std::exchange(start, at);
        for (const RankEntry& e : sorted) spare[starts[(e.key >> shift) & (kBuckets - 1)]++] = e;
        sorted.swap(spare);
    }
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && sorted[j + 1].key == sorted[i].key) ++j;
        const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
        for (std::size_t t = i; t <= j; ++t) ranks[sorted[t].position] = rank;
        i = j + 1;
    }
}

// Pearson's correlation (two passes); none when either side is constant.
std::optional<double> pearson(std::span<const double> a, std::span<const double> b) {
    const double n = static_cast<double>(a.size());
    const double mean_a = std::accumulate(a.begin(), a.end(), 0.0) / n;
    const double mean_b = std::accumulate(b.begin(), b.end(), 0.0) / n;
    double saa = 0, sbb = 0, sab = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double da = a[i] - mean_a, db = b[i] - mean_b;
        saa += da * da;
        sbb += db * db;
        sab += da * db;
    }
    if (saa == 0 || sbb == 0) return std::nullopt;
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

// Jansen's estimators on Saltelli's design (Saltelli et al. 2010, Computer Physics Communications
// 181:259-270, table 2, (f) and (j)). Row j of y holds f(A_j), f(B_j), f(A_B^1_j) ... f(A_B^k_j).
//   V    = sample variance (divisor 2N - 1) of the 2N values f(A), f(B)
//   S_i  = (V - sum_j (f(B_j) - f(A_B^i_j))^2 / (2N)) / V
//   ST_i = sum_j (f(A_j) - f(A_B^i_j))^2 / (2N) / V
// over every row (times null), or over `group` bootstrap resamples at once, each given as how many
// times it takes each row (times[g * n + j] for resample g: each resample's counts together, so
// that counting its N random rows stays inside the core's cache). Weighting rows in order reads y
// once, front to back, for all the group's resamples, instead of visiting each resample's rows in
// random order: the same sums in another order, about five times faster at N = 10^5
// (bench/README.md). `centre` (the full sample's mean) is subtracted before squaring so that V
// does not cancel.
struct JansenEstimate {
    double variance = 0;
    std::vector<double> first, total;
};

// The 2k + 2 terms that row `row` adds to Jansen's sums: a + b, a^2 + b^2 (a, b: f(A), f(B) less
// the centre), then (f(B) - f(A_B^i))^2 and (f(A) - f(A_B^i))^2 for each i.
inline void row_terms(const double* row, std::size_t k, double centre, double* q) {
    const double a = row[0] - centre, b = row[1] - centre;
    q[0] = a + b;
    q[1] = a * a + b * b;
    for (std::size_t i = 0; i < k; ++i) {
        const double d_first = row[1] - row[2 + i];
        const double d_total = row[0] - row[2 + i];
        q[2 + i] = d_first * d_first;
        q[2 + k + i] = d_total * d_total;
    }
}

// sums[c * 8 + g] += times[g n + j] q_c(row j) over every row j: the bootstrap's kernel, eight
// resamples a pass. (An AVX2 clone picked at run time was measured slower than this baseline
// code on the project's machine, 0.25 s against 0.23 s for the whole command: not kept.)
void weighted_term_sums(const double* y, std::size_t k, std::uint64_t n, const std::uint32_t* times, double centre,
                        double* q, double* sums) {
    static_assert(kResamplesPerPass == 8);
    const std::size_t width = k + 2, terms = 2 * k + 2;
    for (std::uint64_t j = 0; j < n; ++j) {
        row_terms(y + j * width, k, centre, q);
        double w[8];
        for (std::size_t g = 0; g < 8; ++g) w[g] = static_cast<double>(times[g * n + j]);
        for (std::size_t c = 0; c < terms; ++c)
            for (std::size_t g = 0; g < 8; ++g) sums[c * 8 + g] += w[g] * q[c];
    }
}

// Jansen's estimates from the sums of every term (sums[c * stride + g] for resample g).
void estimates_from_sums(const std::vector<double>& sums, std::size_t stride, std::size_t k, std::uint64_t n,
                         std::span<JansenEstimate> out) {
    const double values = 2 * static_cast<double>(n);
    for (std::size_t g = 0; g < out.size(); ++g) {
        JansenEstimate& e = out[g];
        const double sum = sums[g], sum_squares = sums[stride + g];
        e.variance = (sum_squares - sum * sum / values) / (values - 1);
        e.first.resize(k);
        e.total.resize(k);
        for (std::size_t i = 0; i < k; ++i) {
            e.total[i] = sums[(2 + k + i) * stride + g] / values / e.variance;
            // f(A_B^i) = f(A) at every row: input i changes nothing, and S_i <= ST_i = 0. Jansen's
            // first-order estimator would give noise around 0 instead (V - mean((f(B) - f(A))^2) / 2).
            e.first[i] = e.total[i] == 0 ? 0.0 : (e.variance - sums[(2 + i) * stride + g] / values) / e.variance;
        }
    }
}

// Every row once (times null), or up to eight resamples given by their row counts.
void jansen(const std::vector<double>& y, std::size_t k, std::uint64_t n, const std::uint32_t* times, std::size_t group,
            double centre, std::span<JansenEstimate> out) {
    const std::size_t terms = 2 * k + 2;
    std::vector<double> q(terms);
    if (!times) {
        std::vector<double> sums(terms, 0.0);
        for (std::uint64_t j = 0; j < n; ++j) {
            row_terms(y.data() + j * (k + 2), k, centre, q.data());
            for (std::size_t c = 0; c < terms; ++c) sums[c] += q[c];
        }
        estimates_from_sums(sums, 1, k, n, out.first(1));
        return;
    }
    std::vector<double> sums(terms * kResamplesPerPass, 0.0);
    weighted_term_sums(y.data(), k, n, times, centre, q.data(), sums.data());
    estimates_from_sums(sums, kResamplesPerPass, k, n, out.first(group));
}

// Runs `work(worker, item)` for items [0, count) on `threads` threads (the calling one included),
// and rethrows the error of the lowest item that failed.
template <typename Work>
void parallel_items(unsigned threads, std::size_t count, Work&& work) {
    std::atomic<std::size_t> next{0};
    std::vector<std::exception_ptr> errors(count);
    const auto run = [&](unsigned worker) {
        for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
            try {
                work(worker, i);
            } catch (...) {
                errors[i] = std::current_exception();
            }
        }
    };
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < std::min<std::size_t>(threads, count); ++t) helpers.emplace_back(run, t);
    run(0);
    for (std::thread& t : helpers) t.join();
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
}

void rank_correlations(const RunResult& run, const std::vector<DrawnInput>& drawn, std::uint64_t ranked,
                       std::span<const double> output, const std::vector<std::vector<double>>& inputs,
                       unsigned threads, SensitivityResult& result) {
    struct Buffers {
        std::vector<RankEntry> sorted, spare;
        std::vector<double> ranks;
    };
    std::vector<Buffers> buffers(threads);
    std::vector<double> output_ranks;
    average_ranks(output.first(ranked), buffers[0].sorted, buffers[0].spare, output_ranks);
    result.rank.resize(drawn.size());
    parallel_items(threads, drawn.size(), [&](unsigned worker, std::size_t i) {
        Buffers& b = buffers[worker];
        average_ranks(inputs[i], b.sorted, b.spare, b.ranks);
        const InputUsed* used = input_used(run, drawn[i].step, drawn[i].name);
        result.rank[i] = RankCorrelation{drawn[i].name, used ? used->label : drawn[i].name, pearson(b.ranks, output_ranks)};
    });
    std::stable_sort(result.rank.begin(), result.rank.end(), [](const RankCorrelation& a, const RankCorrelation& b) {
        return std::abs(a.spearman.value_or(0)) > std::abs(b.spearman.value_or(0));
    });
}

void sobol_indices(const RunResult& run, const std::vector<DrawnInput>& drawn, const std::vector<double>& y,
                   std::uint64_t n, unsigned threads, unsigned resamples, std::uint64_t seed, SensitivityResult& result) {
    const std::size_t k = drawn.size();
    double centre = 0;
    for (std::uint64_t j = 0; j < n; ++j) centre += y[j * (k + 2)] + y[j * (k + 2) + 1];
    centre /= 2 * static_cast<double>(n);
    JansenEstimate estimate;
    jansen(y, k, n, nullptr, 1, centre, std::span(&estimate, 1));
    if (!(estimate.variance > 0)) {
        result.sobol_status = fmt::format("not computed: {} is the same at every draw, so there is no variance to share out",
                                          result.output_name);
        return;
    }
    // Bootstrap: resample the N rows with replacement (the same rows for f(A), f(B) and every
    // f(A_B^i)), re-estimate, and take estimate -/+ 1.96 sd of the resampled estimates.
    std::vector<JansenEstimate> boot(resamples);
    const std::uint64_t stream = uncertainty::stream_id(kBootstrapStream);
    const std::size_t groups = (resamples + kResamplesPerPass - 1) / kResamplesPerPass;
    // One worker's row counts are inside the budget (sobol_bytes_per_draw); more workers only while
    // the budget holds them, so that memory stays bounded and no run fails for its thread count.
    const std::uint64_t counts_bytes = n * kResamplesPerPass * sizeof(std::uint32_t);
    const std::uint64_t spare_bytes = kSobolBudgetBytes - n * (k + 2) * sizeof(double) - counts_bytes;
    threads = static_cast<unsigned>(std::min<std::uint64_t>({threads, groups, 1 + spare_bytes / counts_bytes}));
    std::vector<std::vector<std::uint32_t>> times_of(threads, std::vector<std::uint32_t>(n * kResamplesPerPass));
    parallel_items(threads, groups, [&](unsigned worker, std::size_t group_index) {
        const std::size_t first = group_index * kResamplesPerPass;
        const std::size_t group = std::min<std::size_t>(kResamplesPerPass, resamples - first);
        std::vector<std::uint32_t>& times = times_of[worker];
        std::fill(times.begin(), times.end(), 0u);
        for (std::size_t g = 0; g < group; ++g) {
            // Resample r's N rows: SplitMix64 (Steele, Lea and Flood 2014) from a start that is
            // uniform r of the bootstrap stream, row floor(x N / 2^64) for each output x (a bias
            // below N / 2^64). A quarter of the cost of N Philox uniforms, and as reproducible.
            double start = 0;
            uncertainty::uniforms(seed, stream, first + g, std::span(&start, 1));
            std::uint64_t state = std::bit_cast<std::uint64_t>(start);
            for (std::uint64_t t = 0; t < n; ++t) {
                std::uint64_t x = (state += 0x9e3779b97f4a7c15);
                x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
                x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
                x ^= x >> 31;
                const auto row = static_cast<std::uint64_t>((static_cast<UInt128>(x) * n) >> 64);
                ++times[g * n + row];
            }
        }
        jansen(y, k, n, times.data(), group, centre, std::span(boot).subspan(first, group));
    });
    const auto half_width = [&](auto pick) {
        if (resamples < 2) return std::nan("");
        double mean = 0;
        for (const JansenEstimate& b : boot) mean += pick(b);
        mean /= resamples;
        double squares = 0;
        for (const JansenEstimate& b : boot) squares += (pick(b) - mean) * (pick(b) - mean);
        return kZ95 * std::sqrt(squares / (resamples - 1));
    };
    result.sobol_status = "computed";
    result.sobol_variance = estimate.variance;
    for (std::size_t i = 0; i < k; ++i) {
        const double first_half = half_width([&](const JansenEstimate& b) { return b.first[i]; });
        const double total_half = half_width([&](const JansenEstimate& b) { return b.total[i]; });
        const InputUsed* used = input_used(run, drawn[i].step, drawn[i].name);
        result.sobol.push_back(SobolIndex{drawn[i].name, used ? used->label : drawn[i].name, estimate.first[i],
                                          estimate.first[i] - first_half, estimate.first[i] + first_half,
                                          estimate.total[i], estimate.total[i] - total_half,
                                          estimate.total[i] + total_half});
    }
    std::stable_sort(result.sobol.begin(), result.sobol.end(),
                     [](const SobolIndex& a, const SobolIndex& b) { return a.total > b.total; });
}

}  // namespace

SensitivityResult analyse_sensitivity(const Scenario& scenario, const RunResult& run, const SensitivityOptions& options) {
    if (run.plans.size() != run.steps.size())
        throw std::logic_error("analyse_sensitivity: the run kept no plans (RunOptions::keep_plans)");
    const Target target = find_target(scenario, run, options.output);
    SensitivityResult result;
    result.step = target.step;
    result.output = target.output;
    const OutputResult& out = run.steps[target.step].outputs[target.output];
    result.output_name = run.steps[target.step].id + "." + out.key;
    result.label = out.label;
    result.unit = out.value.unit;
    result.draws = options.draws;
    result.seed = options.seed;
    result.threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t g = 0; g < scenario.correlations.size(); ++g)
        result.correlations.push_back(fmt::format("correlation[{}]: {}", g + 1, fmt::join(scenario.correlations[g].inputs, ", ")));

    // Tornado: the point row, then each bar's low and high rows.
    result.tornado = tornado_bars(run);
    if (result.tornado.empty())
        throw UserError(fmt::format("{}:1:1: sensitivity: expected at least one uncertain input (a distribution, a range "
                                    "or a value that a [[case]] sets), found none",
                                    scenario.file.string()));
    std::vector<RowSetting> rows{RowSetting{"every input at its point value", {}}};
    for (const TornadoBar& bar : result.tornado) {
        rows.push_back(RowSetting{fmt::format("tornado row {} at its {}", bar.input, bar.low_name), {{bar.input, bar.low}}});
        rows.push_back(RowSetting{fmt::format("tornado row {} at its {}", bar.input, bar.high_name), {{bar.input, bar.high}}});
    }
    const std::vector<double> values = evaluate_rows(scenario, run, rows, target.step, target.output);
    // The model may declare the output possibly undefined: the analysis needs it at every row.
    for (std::size_t r = 0; r < values.size(); ++r)
        if (!std::isfinite(values[r]))
            throw host::CallError(IMPACT_STATUS_MODEL_FAILED,
                                  fmt::format("{}: step.{}: output '{}' is {} at {}: the sensitivity analysis needs a "
                                              "value at every row",
                                              scenario.steps[target.step].pos.str(), run.steps[target.step].id, out.key,
                                              host::non_finite_name(values[r]), rows[r].name));
    result.point_value = values[0];
    for (std::size_t b = 0; b < result.tornado.size(); ++b) {
        TornadoBar& bar = result.tornado[b];
        bar.output_at_low = values[1 + 2 * b];
        bar.output_at_high = values[2 + 2 * b];
        bar.swing = std::abs(bar.output_at_high - bar.output_at_low);
        if (!std::isfinite(bar.swing))
            throw host::CallError(IMPACT_STATUS_MODEL_FAILED,
                                  fmt::format("{}: step.{}: the swing of output '{}' over {} overflows a double ({} to {})",
                                              scenario.steps[target.step].pos.str(), run.steps[target.step].id, out.key,
                                              bar.input, bar.output_at_low, bar.output_at_high));
        add_elasticity(scenario, run, target, result.point_value, bar);
    }
    std::stable_sort(result.tornado.begin(), result.tornado.end(),
                     [](const TornadoBar& a, const TornadoBar& b) { return a.swing > b.swing; });

    // Rank correlation and Sobol indices need the drawn inputs.
    const std::vector<DrawnInput> drawn = drawn_inputs(run);
    const std::uint64_t n = options.draws;
    if (drawn.empty()) {
        result.rank_status = result.sobol_status = "not computed: no input is given as a distribution";
        return result;
    }
    const std::size_t k = drawn.size();
    if (options.bootstrap_resamples < 2) throw std::logic_error("analyse_sensitivity: fewer than two bootstrap resamples");
    const bool sobol = scenario.correlations.empty();
    if (sobol && n > kSobolBudgetBytes / sobol_bytes_per_draw(k))
        throw UserError(fmt::format("--draws: expected at most {} base draws for Sobol indices over {} drawn inputs (they "
                                    "keep N (k + 2) values and one bootstrap worker's row counts within {} MiB), found {}",
                                    kSobolBudgetBytes / sobol_bytes_per_draw(k), k, kSobolBudgetBytes >> 20, n));
    const std::uint64_t rank_bytes_per_draw = rank_correlation_bytes_per_draw(k);
    result.rank_draws = std::min<std::uint64_t>(n, options.rank_budget_bytes / rank_bytes_per_draw);
    if (result.rank_draws < 2)
        throw std::logic_error("analyse_sensitivity: a rank-correlation budget too small for two draws");
    result.rank_method = result.rank_draws == n
                             ? fmt::format("exact: Spearman's rho over all {} draws (average ranks for ties)", n)
                             : fmt::format("subsample: Spearman's rho over the first {} of {} draws (the draws are "
                                           "independent, so the first M are a random sample of them), as all would "
                                           "not fit in {:g} MiB; average ranks for ties",
                                           result.rank_draws, n, static_cast<double>(options.rank_budget_bytes) / (1 << 20));

    // Without Sobol indices only the ranked draws are needed.
    const std::uint64_t evaluated = sobol ? n : result.rank_draws;
    const std::size_t width = sobol ? k + 2 : 1;
    std::vector<double> y(evaluated * width);
    std::vector<std::vector<double>> inputs(k, std::vector<double>(result.rank_draws));
    std::vector<std::span<double>> input_spans(inputs.begin(), inputs.end());
    DrawRequest request;
    request.draws = evaluated;
    request.seed = options.seed;
    request.threads = result.threads;
    request.step = target.step;
    request.output = target.output;
    // f(A): the draws of `impact run --draws N`; without correlations also f(B) (every input from
    // draws [N, 2N)) and each f(A_B^i) (input i from there, the others as in A), in one pass each.
    if (sobol) {
        request.matrices.push_back(DrawMatrix{std::vector<std::uint64_t>(k, n), "Saltelli's matrix B (draws N to 2N - 1 of every input)"});
        for (std::size_t i = 0; i < k; ++i) {
            DrawMatrix& ab = request.matrices.emplace_back();
            ab.draw_offsets.assign(k, 0);
            ab.draw_offsets[i] = n;
            ab.design = fmt::format("Saltelli's matrix A_B^{} ({} from B)", i + 1, drawn[i].name);
        }
    }
    evaluate_draws(scenario, run, request, y, input_spans);
    std::vector<double> output_a(result.rank_draws);
    for (std::uint64_t j = 0; j < result.rank_draws; ++j) output_a[j] = y[j * width];
    if (std::all_of(output_a.begin(), output_a.end(), [&](double v) { return v == output_a[0]; })) {
        result.rank_status = fmt::format("not computed: {} is the same at every draw", result.output_name);
    } else {
        result.rank_status = "computed";
        rank_correlations(run, drawn, result.rank_draws, output_a, inputs, result.threads, result);
    }
    inputs.clear();

    if (!sobol) {
        result.sobol_status = fmt::format("not computed: Sobol indices assume independent inputs, and the scenario "
                                          "correlates some ({})",
                                          fmt::join(result.correlations, "; "));
        return result;
    }
    result.sobol_evaluations = n * (k + 2);
    result.bootstrap_resamples = options.bootstrap_resamples;
    sobol_indices(run, drawn, y, n, result.threads, options.bootstrap_resamples, options.seed, result);
    return result;
}

}  // namespace impact::scenario
