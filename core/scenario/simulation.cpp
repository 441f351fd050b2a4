// Monte Carlo over a scenario: blocks of draws through every drawn step, on several threads, reduced in a fixed order.
#include "scenario/simulation.hpp"

#include "scenario/formula.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"
#include "uncertainty/copula.hpp"
#include "uncertainty/random_stream.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace impact::scenario {
namespace {

[[noreturn]] void fail(const SourcePos& at, std::string_view key, std::string_view message) {
    throw UserError(fmt::format("{}: {}: {}", at.str(), key, message));
}

// A model failure at a row, with the position of the step that failed in the run, so that
// --keep-going can mark that step failed and simulate again without it. Callers that do not keep
// going see a host::CallError like any other.
class StepCallError : public host::CallError {
public:
    StepCallError(std::size_t step, impact_status status, const std::string& message, std::string input_key = {},
                  int64_t row = -1)
        : host::CallError(status, message, std::move(input_key), row), step_(step) {}
    std::size_t step() const noexcept { return step_; }

private:
    std::size_t step_;
};

// Blocks evaluated between two reductions: the per-block moments of a round are merged in
// block order, so memory does not grow with the number of draws, and the workers' quantile
// collectors are merged into the running ones. 128 rather than 64: half the merges, which run on
// one thread (bench/README.md, "impact against the peer"); the results do not depend on it.
constexpr std::uint64_t kBlocksPerRound = 128;

// The largest number of values one output's exact percentiles may keep in a pass
// (uncertainty/exact_quantiles.hpp): 2^19 doubles, 4 MiB.
constexpr std::size_t kMaxKeptValuesPerOutput = std::size_t{1} << 19;

// A value written in an output's unit: "5.5B USD" for a USD output, "5%" for a percentage.
double value_in_output_unit(const Scalar& value, const SourcePos& pos, const std::string& unit, const std::string& key) {
    if (const double* number = std::get_if<double>(&value.value)) {
        if (unit == "%")
            fail(pos, key, fmt::format("expected a percentage such as \"5%\" (the output is one), found the number {}", *number));
        return *number;
    }
    const std::string& written = std::get<std::string>(value.value);
    text::Quantity q;
    try {
        q = text::parse_quantity(written, key);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}", pos.str(), e.what()));
    }
    if (unit == "%" && q.unit == "%") return q.value / 100;
    if (unit == "%" && q.unit == "bp") return q.value / 10'000;
    if (q.unit == unit || (q.unit.empty() && unit != "%")) return q.value;
    fail(pos, key,
         fmt::format("expected a value in the output's unit ({}), found \"{}\"", unit.empty() ? "a number" : unit, written));
}

double threshold_value(const Threshold& t, const std::string& unit, const std::string& key) {
    return value_in_output_unit(t.value, t.pos, unit, key);
}

// The output an [[actual]] names, or UserError at its output key.
std::pair<std::size_t, std::size_t> actual_output(const Actual& a, std::size_t index, const RunResult& run) {
    const std::string key = fmt::format("actual[{}].output", index + 1);
    for (std::size_t s = 0; s < run.steps.size(); ++s) {
        if (run.steps[s].id != a.step) continue;
        for (std::size_t o = 0; o < run.steps[s].outputs.size(); ++o)
            if (run.steps[s].outputs[o].key == a.output) return {s, o};
        std::vector<std::string> keys;
        for (const auto& o : run.steps[s].outputs) keys.push_back(o.key);
        fail(a.output_pos, key, fmt::format("expected an output of step {} ({}), found \"{}\"", a.step, fmt::join(keys, ", "), a.output));
    }
    fail(a.output_pos, key, fmt::format("expected STEP.OUTPUT naming a step of the scenario, found no step \"{}\"", a.step));
}

// How the rows of a Simulation get their values.
enum class RowKind {
    draws,  // --draws: each row one draw of every distribution
    cases,  // --cases: each row one [[case]] (ColumnSource::per_case)
    given,  // evaluate_rows: each row sets some inputs, the rest stay at their point values
};

// Which steps change from row to row: a step varies when one of its own values does (drawn; with
// --cases, set to another value by some case; with given rows, set by some row) or when it takes
// an output of a step that varies. Under --draws only these are evaluated per draw; the others
// keep their value.
std::vector<bool> varying_steps(const std::vector<StepPlan>& plans, RowKind kind, const std::vector<RowSetting>* rows) {
    std::vector<bool> varies(plans.size(), false);
    for (std::size_t s = 0; s < plans.size(); ++s)
        for (const ColumnSource& c : plans[s].columns) {
            if (c.kind == ColumnSource::Kind::earlier) {
                if (varies[c.step]) varies[s] = true;
                continue;
            }
            bool own = false;
            switch (kind) {
            case RowKind::draws: own = c.kind == ColumnSource::Kind::drawn; break;
            case RowKind::cases:
                own = std::any_of(c.per_case.begin(), c.per_case.end(), [&](double v) { return v != c.value; });
                break;
            case RowKind::given:
                for (const RowSetting& row : *rows)
                    for (const auto& [name, value] : row.values)
                        if (name == c.name && value != c.value) own = true;
                break;
            }
            if (own) varies[s] = true;
        }
    return varies;
}

// A step as the workers evaluate it.
struct StepWork {
    std::size_t index = 0;          // in the run
    const StepPlan* plan = nullptr;
    std::vector<std::shared_ptr<const host::ModelInstance>> instances;  // one, or one per thread
    std::unique_ptr<std::mutex> serial;  // for a model that is not thread-safe
    std::vector<std::uint64_t> streams;  // per column: random stream id (drawn columns)
    std::vector<int> correlated;         // per column: index into the block's correlated values, or -1
    std::vector<int> drawn_input;        // per column: index in drawn_inputs() order (drawn columns), or -1
    std::vector<std::vector<double>> row_values;  // per column: its value at each row (cases and given rows)
};

// One [[correlation]]: its copula and the columns it draws.
struct CopulaGroup {
    std::unique_ptr<uncertainty::GaussianCopula> copula;
    std::vector<std::uint64_t> streams;
    std::vector<const uncertainty::Distribution*> distributions;
    std::vector<int> slots;  // index of each member's values in the block's correlated values
};

// Buffers of one worker, reused for every block.
struct Workspace {
    std::vector<std::vector<std::vector<double>>> outputs;  // [step][output][row], drawn steps only
    std::vector<double> batch_in, batch_out, column, scratch;
    std::vector<std::vector<double>> correlated;            // [slot][row]
    std::vector<double> z, u;
    std::vector<std::unique_ptr<Formula>> formulas;         // [step], formula steps only
    std::vector<std::vector<double>> drawn_values;          // [drawn input][row], when the Simulation captures them
    // [step]: where a model step's rows are built and evaluated in place, made by its instance
    // (shared with the worker of an isolated plugin, so no batch is copied), and which instance.
    std::vector<std::unique_ptr<host::BatchArea>> areas;
    std::vector<const host::ModelInstance*> area_owners;
    // The current step's batch: a model step's area, or batch_in/batch_out for a formula.
    double* in_rows = nullptr;
    double* out_rows = nullptr;
};

class Simulation {
public:
    // rows: the given rows (RowKind::given only). capture: keep each drawn input's values of the
    // block in Workspace::drawn_values.
    Simulation(const Scenario& scenario, const RunResult& run, std::uint64_t seed, unsigned threads, RowKind kind,
               std::size_t batch_rows = kDrawsPerBlock, const std::vector<RowSetting>* rows = nullptr, bool capture = false)
        : scenario_(scenario), run_(run), seed_(seed), threads_(threads), kind_(kind),
          batch_rows_(std::clamp<std::size_t>(batch_rows, 1, kDrawsPerBlock)), rows_(rows), capture_(capture) {
        if (run.plans.size() != run.steps.size())
            throw std::logic_error("simulation: the run kept no plans (RunOptions::keep_plans)");
        const std::vector<bool> varies = varying_steps(run.plans, kind, rows);
        check_fixed_references(varies);
        // Cases are one batch through every step; draws and given rows go only through the steps
        // they reach (the others keep the run's values, which may be undefined where declared so).
        drawn_ = kind == RowKind::cases ? std::vector<bool>(run.plans.size(), true) : varies;
        // A step that failed or was skipped (--keep-going) has no plan and no values: left out.
        for (std::size_t s = 0; s < run.plans.size(); ++s) {
            if (!run.steps[s].ok()) drawn_[s] = false;
            if (drawn_[s]) add_step(s);
        }
        if (kind == RowKind::draws) add_correlations();
    }

    // Between passes (RowKind::draws): the matrix of a design the next pass evaluates, whose drawn
    // input i takes its draw j + offset i at row j, its rows named after it in messages.
    void use_matrix(const DrawMatrix& matrix) {
        if (!matrix.draw_offsets.empty() && (matrix.draw_offsets.size() != drawn_inputs_ || !groups_.empty()))
            throw std::logic_error("simulation: draw offsets need one per drawn input and no [[correlation]]");
        draw_offsets_ = matrix.draw_offsets;
        design_ = matrix.design;
    }

    const std::vector<bool>& drawn() const noexcept { return drawn_; }
    unsigned threads() const noexcept { return threads_; }
    const std::vector<std::string>& correlation_lines() const noexcept { return correlation_lines_; }

    Workspace workspace() const {
        Workspace w;
        w.outputs.resize(run_.plans.size());
        w.formulas.resize(run_.plans.size());
        for (const StepWork& step : steps_) {
            w.outputs[step.index].assign(step.plan->output_keys.size(), std::vector<double>(kDrawsPerBlock));
            if (step.plan->formula) w.formulas[step.index] = std::make_unique<Formula>(step.plan->formula->expression);
        }
        w.correlated.assign(correlated_slots_, std::vector<double>(kDrawsPerBlock));
        if (capture_) w.drawn_values.assign(drawn_inputs_, std::vector<double>(kDrawsPerBlock));
        return w;
    }

    // Evaluates draws [first, first + count) (or cases) on worker `worker`; the outputs are in
    // w.outputs. Throws UserError or host::CallError naming the draw.
    void evaluate_block(Workspace& w, unsigned worker, std::uint64_t first, std::size_t count) const {
        for (const CopulaGroup& group : groups_) {
            const std::size_t n = group.streams.size();
            w.z.resize(n * count);
            w.u.resize(n * count);
            for (std::size_t j = 0; j < n; ++j)
                uncertainty::standard_normals(seed_, group.streams[j], first, std::span(w.z.data() + j * count, count));
            group.copula->correlated_uniforms(w.z, count, w.u);
            for (std::size_t j = 0; j < n; ++j)
                group.distributions[j]->quantiles(std::span<const double>(w.u.data() + j * count, count),
                                                  std::span(w.correlated[static_cast<std::size_t>(group.slots[j])].data(), count));
        }
        for (const StepWork& step : steps_) {
            const StepPlan& plan = *step.plan;
            const std::size_t width = plan.columns.size();
            const std::size_t n_out = plan.output_keys.size();
            const host::ModelInstance* instance =
                plan.instance ? step.instances[step.instances.size() == 1 ? 0 : worker].get() : nullptr;
            if (instance) {
                if (w.areas.size() <= step.index) {
                    w.areas.resize(run_.plans.size());
                    w.area_owners.resize(run_.plans.size());
                }
                std::unique_ptr<host::BatchArea>& area = w.areas[step.index];
                if (!area || area->max_rows() < count || w.area_owners[step.index] != instance) {
                    area.reset();
                    try {
                        area = instance->batch_area(std::max<std::size_t>(count, kDrawsPerBlock), threads_);
                    } catch (const host::CallError& e) {  // a dead worker: fails the step like its evaluate
                        rethrow_at_draw(step, host::CallError(e.status(), e.what(), e.input_key(), -1), w, first, 0);
                    }
                    w.area_owners[step.index] = instance;
                }
                w.in_rows = area->inputs();
                w.out_rows = area->outputs();
            } else {
                w.batch_in.resize(count * width);
                w.batch_out.resize(count * n_out);
                w.in_rows = w.batch_in.data();
                w.out_rows = w.batch_out.data();
            }
            w.column.resize(count);
            for (std::size_t c = 0; c < width; ++c) {
                fill_column(w, step, c, first, count);
                for (std::size_t r = 0; r < count; ++r) w.in_rows[r * width + c] = w.column[r];
            }
            if (instance) {
                host::BatchArea& area = *w.areas[step.index];
                for (std::size_t from = 0; from < count; from += batch_rows_) {
                    const std::size_t rows = std::min(batch_rows_, count - from);
                    try {
                        if (step.serial) {
                            const std::lock_guard lock(*step.serial);
                            instance->evaluate(area, from, rows);
                        } else {
                            instance->evaluate(area, from, rows);
                        }
                    } catch (const host::CallError& e) {
                        rethrow_at_draw(step, e, w, first, from);
                    }
                }
            } else {
                evaluate_formula(step, w, first, count);
            }
            auto& outputs = w.outputs[step.index];
            for (std::size_t o = 0; o < n_out; ++o) {
                for (std::size_t r = 0; r < count; ++r) {
                    const double v = w.out_rows[r * n_out + o];
                    // Statistics need a value at every draw: an output its model may leave
                    // undefined fails the run at the first draw where it is. Given rows keep an
                    // undefined value the model declares possible (a step that uses it fails on
                    // its input; the sensitivity analysis checks the output it explains).
                    if (!std::isfinite(v) && !(kind_ == RowKind::given && plan.output_may_be_undefined[o]))
                        throw StepCallError(
                            step.index, IMPACT_STATUS_MODEL_FAILED,
                            fmt::format("{}: step.{}: output '{}' is {} at {}: {}{}", scenario_.steps[step.index].pos.str(),
                                        scenario_.steps[step.index].id, plan.output_keys[o], host::non_finite_name(v),
                                        row_name(first + r),
                                        kind_ == RowKind::given ? "the sensitivity analysis needs a value at every row"
                                                                : "Monte Carlo statistics need a value at every draw",
                                        inputs_at(step, w, r)));
                    outputs[o][r] = v;
                }
            }
        }
    }

    // The draws of step s's output o in this block (valid after evaluate_block).
    static std::span<const double> values(const Workspace& w, std::size_t s, std::size_t o, std::size_t count) {
        return std::span<const double>(w.outputs[s][o].data(), count);
    }

private:
    std::string row_name(std::uint64_t row) const {
        if (kind_ == RowKind::cases) return fmt::format("case \"{}\"", scenario_.cases[row].name);
        if (kind_ == RowKind::given) return (*rows_)[row].name;
        if (!design_.empty()) return fmt::format("{} row {} (seed {})", design_, row, seed_);
        return fmt::format("draw {} (seed {})", row, seed_);
    }

    // ", with h20.annual_revenue = 1.3e10, ...": the row's values, so that a failing draw can be reproduced.
    std::string inputs_at(const StepWork& step, const Workspace& w, std::size_t r) const {
        std::vector<std::string> shown;
        const std::size_t width = step.plan->columns.size();
        for (std::size_t c = 0; c < width; ++c)
            shown.push_back(fmt::format("{} = {}", step.plan->columns[c].name, w.in_rows[r * width + c]));
        return shown.empty() ? std::string() : fmt::format(" with {}", fmt::join(shown, ", "));
    }

    [[noreturn]] void rethrow_at_draw(const StepWork& step, const host::CallError& e, const Workspace& w,
                                      std::uint64_t first, std::size_t batch_start) const {
        const Step& spec = scenario_.steps[step.index];
        const std::size_t r = batch_start + (e.row() >= 0 ? static_cast<std::size_t>(e.row()) : 0);
        SourcePos at = spec.pos;
        for (const ColumnSource& c : step.plan->columns)
            if (!e.input_key().empty() && c.name == spec.id + "." + e.input_key()) at = c.pos;
        const std::string key = e.input_key().empty() ? "step." + spec.id : "step." + spec.id + "." + e.input_key();
        const std::string message = fmt::format("{}: {}: {} at {}{}", at.str(), key, e.what(),
                                                e.row() >= 0 ? row_name(first + r) : std::string("a block of draws"),
                                                e.row() >= 0 ? inputs_at(step, w, r) : std::string());
        if (e.is_input_error()) throw UserError(message);
        throw StepCallError(step.index, e.status(), message, e.input_key(), e.row());
    }

    void fill_column(Workspace& w, const StepWork& step, std::size_t c, std::uint64_t first, std::size_t count) const {
        const ColumnSource& source = step.plan->columns[c];
        double* out = w.column.data();
        if (kind_ != RowKind::draws) {
            if (source.kind == ColumnSource::Kind::earlier) {
                if (drawn_[source.step]) std::copy_n(w.outputs[source.step][source.output].begin(), count, out);
                else std::fill_n(out, count, run_.steps[source.step].outputs[source.output].value.value);
            } else {
                std::copy_n(step.row_values[c].begin() + static_cast<std::ptrdiff_t>(first), count, out);
            }
            return;
        }
        switch (source.kind) {
        case ColumnSource::Kind::fixed: std::fill_n(out, count, source.value); return;
        case ColumnSource::Kind::earlier:
            if (drawn_[source.step]) std::copy_n(w.outputs[source.step][source.output].begin(), count, out);
            else std::fill_n(out, count, run_.steps[source.step].outputs[source.output].value.value);
            return;
        case ColumnSource::Kind::drawn:
            if (step.correlated[c] >= 0) {
                std::copy_n(w.correlated[static_cast<std::size_t>(step.correlated[c])].begin(), count, out);
                if (capture_) std::copy_n(out, count, w.drawn_values[static_cast<std::size_t>(step.drawn_input[c])].begin());
                return;
            }
            w.scratch.resize(count);
            const std::uint64_t offset =
                draw_offsets_.empty() ? 0 : draw_offsets_[static_cast<std::size_t>(step.drawn_input[c])];
            uncertainty::uniforms(seed_, step.streams[c], first + offset, std::span(w.scratch.data(), count));
            source.distribution->quantiles(std::span<const double>(w.scratch.data(), count), std::span(out, count));
            if (capture_) std::copy_n(out, count, w.drawn_values[static_cast<std::size_t>(step.drawn_input[c])].begin());
            return;
        }
    }

    void evaluate_formula(const StepWork& step, Workspace& w, std::uint64_t first, std::size_t count) const {
        Formula& formula = *w.formulas[step.index];
        const std::size_t width = step.plan->columns.size();
        std::vector<double> values(width);
        const Step& spec = scenario_.steps[step.index];
        for (std::size_t r = 0; r < count; ++r) {
            std::copy_n(w.batch_in.data() + r * width, width, values.begin());
            Formula::Checked checked;
            try {
                checked = formula.evaluate_checked(values);
            } catch (const FormulaError& e) {
                throw UserError(fmt::format("{}: step.{}.expr: {}", spec.formula->at(e.offset()).str(), spec.id, e.what()));
            }
            if (checked.non_finite)
                throw StepCallError(step.index, IMPACT_STATUS_MODEL_FAILED,
                                      fmt::format("{}: step.{}: formula \"{}\" {} at {}{}", spec.formula->start.str(), spec.id,
                                                  spec.formula->expression, *checked.non_finite, row_name(first + r),
                                                  inputs_at(step, w, r)));
            const double result = checked.result;
            w.batch_out[r] = result;
        }
    }

    // An input fixed per model instance cannot follow an output that changes from row to row.
    void check_fixed_references(const std::vector<bool>& varies) const {
        for (std::size_t s = 0; s < run_.plans.size(); ++s)
            for (const FixedReference& ref : run_.plans[s].fixed_references)
                if (varies[ref.step])
                    fail(ref.pos, "step." + ref.name,
                         fmt::format("is fixed per model instance, so it cannot follow {}.{}, which {}",
                                     run_.steps[ref.step].id, run_.steps[ref.step].outputs[ref.output].key,
                                     kind_ == RowKind::cases   ? "the cases change"
                                     : kind_ == RowKind::given ? "the sensitivity analysis varies"
                                                               : "is drawn; it would stay at its point value in every draw"));
    }

    void add_step(std::size_t s) {
        const StepPlan& plan = run_.plans[s];
        StepWork step;
        step.index = s;
        step.plan = &plan;
        if (plan.instance) {
            step.instances.push_back(plan.instance);
            if (threads_ > 1 && plan.thread_safety == IMPACT_THREAD_INSTANCE_SAFE)
                for (unsigned t = 1; t < threads_; ++t) {
                    try {
                        step.instances.push_back(
                            std::make_shared<const host::ModelInstance>(plan.model->prepare(plan.prepared->copy())));
                    } catch (const host::CallError& e) {
                        const Step& spec = scenario_.steps[s];
                        const std::string message = fmt::format("{}: step.{}: {} (preparing the instance of thread {})",
                                                                spec.pos.str(), spec.id, e.what(), t + 1);
                        if (e.is_input_error()) throw UserError(message);
                        throw StepCallError(s, e.status(), message, e.input_key());
                    }
                }
            if (plan.thread_safety == IMPACT_THREAD_UNSAFE) step.serial = std::make_unique<std::mutex>();
        }
        for (const ColumnSource& c : plan.columns) {
            step.streams.push_back(uncertainty::stream_id(c.name));
            step.correlated.push_back(-1);
            const bool drawn = c.kind == ColumnSource::Kind::drawn;
            step.drawn_input.push_back(drawn ? static_cast<int>(drawn_inputs_++) : -1);
            if (kind_ == RowKind::cases) step.row_values.push_back(c.per_case);
            if (kind_ == RowKind::given) {
                std::vector<double>& values = step.row_values.emplace_back(rows_->size(), c.value);
                for (std::size_t r = 0; r < rows_->size(); ++r)
                    for (const auto& [name, value] : (*rows_)[r].values)
                        if (name == c.name) values[r] = value;
            }
        }
        steps_.push_back(std::move(step));
    }

    // The scenario's correlations, checked by check_correlations before the simulation starts.
    void add_correlations() {
        for (std::size_t g = 0; g < scenario_.correlations.size(); ++g) {
            const Correlation& corr = scenario_.correlations[g];
            CopulaGroup group;
            for (const std::string& name : corr.inputs) {
                // --keep-going: the copula draws its inputs together, so the others' draws would
                // change without this one; the run cannot go on without it.
                if (const auto at = scenario_.step_index.find(name.substr(0, name.find('.')));
                    at != scenario_.step_index.end() && at->second < run_.steps.size() && !run_.steps[at->second].ok())
                    throw host::CallError(IMPACT_STATUS_MODEL_FAILED,
                                          fmt::format("{}: correlation[{}]: {} cannot be drawn: its step {} ({}); the "
                                                      "correlated inputs are drawn together, so the others cannot be drawn "
                                                      "without it",
                                                      corr.pos.str(), g + 1, name, run_.steps[at->second].id,
                                                      run_.steps[at->second].status == StepStatus::failed
                                                          ? std::string("failed")
                                                          : "was skipped: it " + run_.steps[at->second].skip_reason()));
                const auto [step, column] = find_drawn_column(name);
                const ColumnSource& source = step->plan->columns[column];
                step->correlated[column] = static_cast<int>(correlated_slots_);
                group.slots.push_back(static_cast<int>(correlated_slots_++));
                group.streams.push_back(step->streams[column]);
                group.distributions.push_back(source.distribution.get());
            }
            group.copula = std::make_unique<uncertainty::GaussianCopula>(corr.matrix, corr.inputs.size());
            correlation_lines_.push_back(fmt::format("correlation[{}]: Spearman rank correlation over {} through a "
                                                     "Gaussian copula",
                                                     g + 1, fmt::join(corr.inputs, ", ")));
            groups_.push_back(std::move(group));
        }
    }

    std::pair<StepWork*, std::size_t> find_drawn_column(const std::string& name) {
        for (StepWork& step : steps_)
            for (std::size_t c = 0; c < step.plan->columns.size(); ++c)
                if (step.plan->columns[c].name == name && step.plan->columns[c].kind == ColumnSource::Kind::drawn)
                    return {&step, c};
        throw std::logic_error("simulation: correlated input " + name + " is not drawn (check_correlations passed it)");
    }

    const Scenario& scenario_;
    const RunResult& run_;
    std::uint64_t seed_;
    unsigned threads_;
    RowKind kind_;
    std::size_t batch_rows_;
    const std::vector<RowSetting>* rows_;
    std::vector<std::uint64_t> draw_offsets_;
    bool capture_;
    std::string design_;  // names the rows of a design such as Saltelli's in messages
    std::size_t drawn_inputs_ = 0;  // drawn columns of the evaluated steps, in run order
    std::vector<bool> drawn_;
    std::vector<StepWork> steps_;
    std::vector<CopulaGroup> groups_;
    std::size_t correlated_slots_ = 0;
    std::vector<std::string> correlation_lines_;

    friend class Driver;
};

// Statistics being collected for one drawn output.
struct OutputCollector {
    std::size_t step = 0, output = 0;
    std::unique_ptr<uncertainty::ExactQuantiles> quantiles;
    uncertainty::Moments moments;
    std::vector<ThresholdResult> thresholds;
    std::vector<double> actuals;  // [[actual]] values of this output, counted after the thresholds
};

// Runs passes over the draws: blocks shared among threads by an atomic counter, rounds of
// kBlocksPerRound blocks, per-block moments merged in block order after each round.
class Driver {
public:
    Driver(const Simulation& sim, const SimulationOptions& options, std::uint64_t draws)
        : sim_(sim), options_(options), draws_(draws) {
        for (unsigned t = 0; t < sim.threads(); ++t) workspaces_.push_back(sim.workspace());
    }

    // Calls visit(worker, first_draw, count, workspace) for every block of draws [0, n) after
    // evaluating it, and after each round merge(round_first_block, blocks_in_round).
    template <typename Visit, typename Merge>
    void pass(std::uint64_t n, Visit&& visit, Merge&& merge) {
        const std::uint64_t blocks = (n + kDrawsPerBlock - 1) / kDrawsPerBlock;
        for (std::uint64_t round_first = 0; round_first < blocks; round_first += kBlocksPerRound) {
            const std::uint64_t round_blocks = std::min(kBlocksPerRound, blocks - round_first);
            std::atomic<std::uint64_t> next{0};
            std::vector<std::exception_ptr> errors(round_blocks);
            const auto work = [&](unsigned worker) {
                for (std::uint64_t i = next.fetch_add(1); i < round_blocks; i = next.fetch_add(1)) {
                    const std::uint64_t first = (round_first + i) * kDrawsPerBlock;
                    const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(kDrawsPerBlock, n - first));
                    try {
                        sim_.evaluate_block(workspaces_[worker], worker, first, count);
                        visit(worker, round_first + i, first, count, workspaces_[worker]);
                    } catch (...) {
                        errors[i] = std::current_exception();
                        next.store(round_blocks);  // stop handing out blocks of this round
                    }
                }
            };
            const unsigned helpers = static_cast<unsigned>(std::min<std::uint64_t>(sim_.threads(), round_blocks)) - 1;
            std::vector<std::thread> threads;
            threads.reserve(helpers);
            for (unsigned t = 1; t <= helpers; ++t) threads.emplace_back(work, t);
            work(0);
            for (std::thread& t : threads) t.join();
            // The error of the lowest block, so that the same draw is named whatever the timing.
            for (const std::exception_ptr& e : errors)
                if (e) std::rethrow_exception(e);
            merge(round_first, round_blocks);
            done_ += std::min(n, (round_first + round_blocks) * kDrawsPerBlock) - round_first * kDrawsPerBlock;
            if (options_.progress) options_.progress(done_, planned_);
        }
    }

    void plan(std::uint64_t draws) { planned_ += draws; }

private:
    const Simulation& sim_;
    const SimulationOptions& options_;
    std::uint64_t draws_;
    std::vector<Workspace> workspaces_;
    std::uint64_t done_ = 0, planned_ = 0;
};

}  // namespace

void check_thresholds(const Scenario& scenario, const RunResult& run) {
    for (std::size_t s = 0; s < scenario.steps.size() && s < run.steps.size(); ++s) {
        const Step& step = scenario.steps[s];
        for (const Threshold& t : step.thresholds) {
            const std::string key = "step." + step.id + ".thresholds." + t.output;
            const OutputResult* out = run.steps[s].find_output(t.output);
            if (!out) {
                std::vector<std::string> keys;
                for (const auto& o : run.steps[s].outputs) keys.push_back(o.key);
                fail(t.pos, key, fmt::format("expected an output of step {} ({}), found \"{}\"", step.id, fmt::join(keys, ", "), t.output));
            }
            threshold_value(t, out->value.unit, key);
        }
    }
}

void check_actuals(const Scenario& scenario, const RunResult& run) { (void)actual_results(scenario, run, nullptr); }

std::vector<ActualResult> actual_results(const Scenario& scenario, const RunResult& run, const SimulationResult* simulation) {
    std::vector<ActualResult> results;
    for (std::size_t a = 0; a < scenario.actuals.size(); ++a) {
        const Actual& actual = scenario.actuals[a];
        const auto [s, o] = actual_output(actual, a, run);
        const OutputResult& out = run.steps[s].outputs[o];
        ActualResult r;
        r.output = actual.step + "." + actual.output;
        r.label = out.label;
        r.unit = out.value.unit;
        r.as_written = actual.value.as_written();
        r.source = actual.source;
        r.date = actual.date;
        r.pos = actual.pos;
        r.actual = value_in_output_unit(actual.value, actual.value_pos, out.value.unit, fmt::format("actual[{}].value", a + 1));
        r.estimate = out.value.value;
        r.error = r.estimate - r.actual;
        if (r.actual != 0) r.relative_error = r.error / std::abs(r.actual);
        if (run.steps[s].status == StepStatus::failed) r.unavailable = fmt::format("step {} failed", actual.step);
        if (run.steps[s].status == StepStatus::skipped)
            r.unavailable = fmt::format("step {} was skipped: it {}", actual.step, run.steps[s].skip_reason());
        if (!r.unavailable.empty()) {
            r.estimate = r.error = std::nan("");
            r.relative_error.reset();
            results.push_back(std::move(r));
            continue;
        }
        std::size_t earlier = 0;
        for (std::size_t b = 0; b < a; ++b)
            if (scenario.actuals[b].step == actual.step && scenario.actuals[b].output == actual.output) ++earlier;
        if (simulation && s < simulation->steps.size() && simulation->steps[s][o].drawn) {
            const ActualCount& count = simulation->steps[s][o].actual_counts.at(earlier);
            const double n = static_cast<double>(simulation->draws);
            const double equal = n - static_cast<double>(count.below) - static_cast<double>(count.above);
            r.percentile = (static_cast<double>(count.below) + equal / 2) / n;
        }
        results.push_back(std::move(r));
    }
    return results;
}

void check_correlations(const Scenario& scenario, const RunResult& run) {
    std::map<std::string, SourcePos> correlated_at;  // "step.input" -> where a correlation names it
    for (std::size_t g = 0; g < scenario.correlations.size(); ++g) {
        const Correlation& corr = scenario.correlations[g];
        const std::string key = fmt::format("correlation[{}]", g + 1);
        for (std::size_t i = 0; i < corr.inputs.size(); ++i) {
            const std::string& name = corr.inputs[i];
            const SourcePos& at = corr.input_pos[i];
            if (const auto it = correlated_at.find(name); it != correlated_at.end())
                fail(at, key + ".inputs",
                     fmt::format("\"{}\" is correlated already (at {}); list it in one [[correlation]] only", name,
                                 it->second.str()));
            correlated_at.emplace(name, at);
            // The input as the run used it: drawn when it has a distribution as written.
            const auto dot = name.find('.');
            const auto step = std::find_if(run.steps.begin(), run.steps.end(),
                                           [&](const StepResult& r) { return r.id == name.substr(0, dot); });
            const InputUsed* input = nullptr;
            if (step != run.steps.end())
                for (const InputUsed& in : step->inputs)
                    if (in.key == name.substr(dot + 1)) input = &in;
            if (!input || input->distribution.empty())
                fail(at, key + ".inputs",
                     fmt::format("expected an input given as a distribution, written \"step.input\", found \"{}\", {}",
                                 name, step == run.steps.end() ? "which names no step"
                                       : !input                ? "which names no input of that step"
                                                               : "which is not drawn"));
            const auto kind = uncertainty::parse_kind(input->distribution.substr(0, input->distribution.find(':')));
            if (kind == uncertainty::DistributionKind::discrete || kind == uncertainty::DistributionKind::bernoulli)
                fail(at, key + ".inputs",
                     fmt::format("expected an input drawn from a continuous distribution, found \"{}\", which is {}: a "
                                 "rank correlation with a discrete input is not defined by a Gaussian copula",
                                 name, uncertainty::kind_name(*kind)));
        }
        try {
            uncertainty::GaussianCopula copula(corr.matrix, corr.inputs.size());
        } catch (const uncertainty::CopulaError& e) {
            const std::size_t entry = e.row * corr.inputs.size() + e.column;
            if (e.names_entry && entry < corr.matrix_pos.size())
                fail(corr.matrix_pos[entry], fmt::format("{}.spearman[{}][{}]", key, e.row + 1, e.column + 1), e.what());
            fail(corr.pos, key + ".spearman", e.what());
        }
    }
}

namespace {

// One run over draws [0, draws): every output's moments, percentiles and threshold counts, and
// with `block_variances` each full block's variance (for --until's sd targets).
SimulationResult simulate_draws(const Scenario& scenario, const RunResult& run, const Simulation& sim,
                                const SimulationOptions& options, std::uint64_t draws, bool block_variances) {
    const unsigned threads = sim.threads();
    const std::vector<bool>& drawn = sim.drawn();
    SimulationResult result;
    result.draws = draws;
    result.seed = options.seed;
    result.threads = threads;
    result.generator = "Philox2x64-10 (Random123), one stream per input keyed by seed, counter (draw / 2, FNV-1a 64 of step.input), word draw % 2";
    result.percentile_method = "exact: linear interpolation between order statistics (numpy's default, "
                               "h = (N-1)p), computed in bounded memory";
    result.correlations = sim.correlation_lines();
    result.steps.resize(run.steps.size());

    std::vector<OutputCollector> collectors;
    const std::vector<double> probabilities(uncertainty::kReportedPercentiles.begin(), uncertainty::kReportedPercentiles.end());
    for (std::size_t s = 0; s < run.steps.size(); ++s) {
        result.steps[s].resize(run.steps[s].outputs.size());
        if (!drawn[s]) continue;
        for (std::size_t o = 0; o < run.steps[s].outputs.size(); ++o) {
            OutputCollector c;
            c.step = s;
            c.output = o;
            c.quantiles = std::make_unique<uncertainty::ExactQuantiles>(probabilities, draws, kMaxKeptValuesPerOutput);
            for (const Threshold& t : scenario.steps[s].thresholds)
                if (t.output == run.steps[s].outputs[o].key)
                    c.thresholds.push_back(ThresholdResult{
                        t.above, threshold_value(t, run.steps[s].outputs[o].value.unit, "step." + scenario.steps[s].id + ".thresholds." + t.output),
                        t.value.as_written(), 0, 0});
            for (std::size_t a = 0; a < scenario.actuals.size(); ++a)
                if (actual_output(scenario.actuals[a], a, run) == std::pair{s, o})
                    c.actuals.push_back(value_in_output_unit(scenario.actuals[a].value, scenario.actuals[a].value_pos,
                                                             run.steps[s].outputs[o].value.unit,
                                                             fmt::format("actual[{}].value", a + 1)));
            collectors.push_back(std::move(c));
        }
    }
    // Thresholds on steps that no drawn input reaches: the value is the same at every draw.
    for (std::size_t s = 0; s < run.steps.size(); ++s) {
        if (drawn[s] || !run.steps[s].ok()) continue;
        for (const Threshold& t : scenario.steps[s].thresholds) {
            const OutputResult* out = run.steps[s].find_output(t.output);
            const std::size_t o = static_cast<std::size_t>(out - run.steps[s].outputs.data());
            const double v = threshold_value(t, out->value.unit, "step." + scenario.steps[s].id + ".thresholds." + t.output);
            const bool beyond = t.above ? out->value.value > v : out->value.value < v;
            result.steps[s][o].thresholds.push_back(
                ThresholdResult{t.above, v, t.value.as_written(), beyond ? draws : 0, beyond ? 1.0 : 0.0});
        }
    }

    Driver driver(sim, options, draws);
    const std::size_t n_outputs = collectors.size();
    std::vector<uncertainty::Moments> variances(n_outputs);
    std::vector<std::vector<ActualCount>> actual_counts(n_outputs);  // [[actual]] values counted in the first pass

    // Exact percentiles need no pilot sample (uncertainty/exact_quantiles.hpp): one pass, and a
    // further one only for a rank that a window missed.
    driver.plan(draws);

    // The main pass: moments per block (merged in block order), exceedance counts, percentiles.
    bool first_pass = true;
    while (std::any_of(collectors.begin(), collectors.end(), [](const OutputCollector& c) { return c.quantiles->needs_pass(); })) {
        if (!first_pass) driver.plan(draws);
        // One running collector per output sees the whole pass; each round's blocks go to
        // per-worker collectors that start from its windows (empty_like) and are merged into it
        // after the round, so memory is one collector's plus a round's worth of little ones
        // (uncertainty/exact_quantiles.hpp, "Rounds"). The percentiles do not depend on this.
        std::vector<uncertainty::QuantileCollector> running;
        for (const OutputCollector& c : collectors) running.push_back(c.quantiles->collector());
        std::vector<std::vector<uncertainty::QuantileCollector>> per_worker(threads);
        for (auto& worker : per_worker)
            for (const uncertainty::QuantileCollector& r : running) worker.push_back(r.empty_like());
        std::vector<std::vector<uncertainty::Moments>> round_moments(kBlocksPerRound, std::vector<uncertainty::Moments>(n_outputs));
        // Exceedance counts per worker and output, added up after the pass (integers: any order).
        std::vector<std::vector<uncertainty::ExceedanceCounts>> counts(threads);
        for (auto& worker : counts)
            for (const OutputCollector& c : collectors) {
                std::vector<double> values;
                for (const ThresholdResult& t : c.thresholds) values.push_back(t.value);
                values.insert(values.end(), c.actuals.begin(), c.actuals.end());
                worker.emplace_back(std::move(values));
            }
        const bool with_moments = first_pass;
        result.passes += 1;
        driver.pass(
            draws,
            [&](unsigned worker, std::uint64_t block, std::uint64_t, std::size_t count, const Workspace& w) {
                for (std::size_t k = 0; k < n_outputs; ++k) {
                    const auto v = Simulation::values(w, collectors[k].step, collectors[k].output, count);
                    if (collectors[k].quantiles->needs_pass()) per_worker[worker][k].add(v);
                    if (!with_moments) continue;
                    uncertainty::Moments m;
                    m.add(v);
                    round_moments[block % kBlocksPerRound][k] = m;
                    if (!collectors[k].thresholds.empty() || !collectors[k].actuals.empty()) counts[worker][k].add(v);
                }
            },
            [&](std::uint64_t, std::uint64_t blocks) {
                for (std::size_t k = 0; k < n_outputs; ++k) {
                    if (!collectors[k].quantiles->needs_pass()) continue;
                    for (auto& worker : per_worker) running[k].merge(std::move(worker[k]));
                    for (auto& worker : per_worker) worker[k] = running[k].empty_like();
                }
                if (!with_moments) return;
                for (std::uint64_t b = 0; b < blocks; ++b)
                    for (std::size_t k = 0; k < n_outputs; ++k) collectors[k].moments.merge(round_moments[b][k]);
                if (!block_variances) return;
                // Batch means for the sd's precision: full blocks only, folded in block order.
                for (std::uint64_t b = 0; b < blocks; ++b)
                    for (std::size_t k = 0; k < n_outputs; ++k)
                        if (round_moments[b][k].count == kDrawsPerBlock) {
                            const double variance = round_moments[b][k].variance();
                            variances[k].add(std::span<const double>(&variance, 1));
                        }
            });
        for (std::size_t k = 0; k < n_outputs; ++k) {
            if (with_moments) {
                for (unsigned worker = 1; worker < threads; ++worker) counts[0][k].merge(counts[worker][k]);
                for (std::size_t t = 0; t < collectors[k].thresholds.size(); ++t) {
                    ThresholdResult& th = collectors[k].thresholds[t];
                    th.count = th.above ? counts[0][k].above(t) : counts[0][k].below(t);
                }
                const std::size_t first_actual = collectors[k].thresholds.size();
                for (std::size_t a = 0; a < collectors[k].actuals.size(); ++a)
                    actual_counts[k].push_back(ActualCount{collectors[k].actuals[a], counts[0][k].below(first_actual + a),
                                                           counts[0][k].above(first_actual + a)});
            }
            if (collectors[k].quantiles->needs_pass()) collectors[k].quantiles->finish_pass(std::move(running[k]));
        }
        first_pass = false;
    }

    for (OutputCollector& c : collectors) {
        OutputStatistics& stats = result.steps[c.step][c.output];
        stats.drawn = true;
        stats.moments = c.moments;
        stats.block_variances = variances[static_cast<std::size_t>(&c - collectors.data())];
        stats.percentiles = c.quantiles->percentiles();
        for (ThresholdResult& t : c.thresholds) t.probability = static_cast<double>(t.count) / static_cast<double>(draws);
        stats.thresholds = std::move(c.thresholds);
        stats.actual_counts = std::move(actual_counts[static_cast<std::size_t>(&c - collectors.data())]);
    }
    return result;
}

}  // namespace

namespace {

// simulate(); with `nothing_drawn_is_fine` (--keep-going, when every drawn step failed or was
// skipped) a scenario left with no drawn step gives statistics of no output instead of an error.
SimulationResult simulate_run(const Scenario& scenario, const RunResult& run, const SimulationOptions& options,
                              bool nothing_drawn_is_fine) {
    check_correlations(scenario, run);
    if (options.draws == 0) throw UserError("--draws: expected a number of draws of at least 1, found 0");
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    const Simulation sim(scenario, run, options.seed, threads, RowKind::draws, options.batch_rows);
    const std::vector<bool>& drawn = sim.drawn();
    const bool nothing_drawn = std::none_of(drawn.begin(), drawn.end(), [](bool d) { return d; });
    if (nothing_drawn && nothing_drawn_is_fine) return simulate_draws(scenario, run, sim, options, options.draws, false);
    if (nothing_drawn)
        throw UserError(fmt::format("{}:1:1: --draws: expected at least one input given as a distribution "
                                    "({{ dist = \"triangular\", ... }}), found none: every draw would be the same",
                                    scenario.file.string()));
    if (options.until.empty()) return simulate_draws(scenario, run, sim, options, options.draws, false);

    // --until: stages of doubling size, each a fresh run over draws [0, N). Draw i depends only on
    // (seed, i, input), so a stage's result is exactly that of --draws N, and the stage where the
    // run stops does not depend on the thread count. The cost is at most about twice the last stage.
    const std::vector<ResolvedTarget> targets = resolve_convergence_targets(options.until, run, drawn);
    const bool with_sd = std::any_of(targets.begin(), targets.end(),
                                     [](const ResolvedTarget& t) { return t.target.statistic == ConvergenceStatistic::sd; });
    const std::vector<std::uint64_t> stages = convergence_stages(options.draws);
    ConvergenceRecord record;
    record.max_draws = options.draws;
    // One progress bar over every stage: done counts all stages so far, planned adds the stages
    // that may still come, so it shrinks to `done` when a stage meets every target.
    SimulationOptions stage_options = options;
    std::uint64_t earlier = 0;
    SimulationResult result;
    for (std::size_t k = 0; k < stages.size(); ++k) {
        std::uint64_t later = 0;
        for (std::size_t j = k + 1; j < stages.size(); ++j) later += stages[j];
        if (options.progress)
            stage_options.progress = [&, later](std::uint64_t done, std::uint64_t planned) {
                options.progress(earlier + done, earlier + planned + later);
            };
        result = simulate_draws(scenario, run, sim, stage_options, stages[k], with_sd);
        earlier += stages[k] * result.passes;
        record.stages.push_back(stages[k]);
        record.targets = evaluate_convergence_targets(targets, result.steps, run);
        record.converged = std::all_of(record.targets.begin(), record.targets.end(), [](const TargetOutcome& t) { return t.met; });
        if (record.converged) break;
    }
    record.draws_evaluated = earlier;
    result.convergence = std::move(record);
    return result;
}

}  // namespace

SimulationResult simulate(const Scenario& scenario, const RunResult& run, const SimulationOptions& options) {
    return simulate_run(scenario, run, options, false);
}

SimulationResult simulate_keeping_going(const Scenario& scenario, RunResult& run, const SimulationOptions& options) {
    const bool failed_before = failed_and_skipped(run) != std::pair<std::size_t, std::size_t>{0, 0};
    bool failed_since = false;
    for (;;) {
        // An --until target on an output of a failed or skipped step has no draws to measure.
        SimulationOptions attempt = options;
        std::erase_if(attempt.until, [&](const ConvergenceTarget& t) {
            const auto at = scenario.step_index.find(t.step);
            return !t.step.empty() && at != scenario.step_index.end() && at->second < run.steps.size() &&
                   !run.steps[at->second].ok();
        });
        try {
            // Every draw is afresh, so the statistics of the steps left are those of a scenario
            // without the failed step and its dependents, bit for bit.
            return simulate_run(scenario, run, attempt, failed_before || failed_since);
        } catch (const StepCallError& e) {
            mark_failed(run, e.step(), e.what());
            failed_since = true;
        }
    }
}

CaseResults evaluate_cases_keeping_going(const Scenario& scenario, RunResult& run) {
    for (;;) {
        try {
            return evaluate_cases(scenario, run);
        } catch (const StepCallError& e) {
            mark_failed(run, e.step(), e.what());
        }
    }
}

CaseResults evaluate_cases(const Scenario& scenario, const RunResult& run) {
    if (scenario.cases.empty())
        throw UserError(fmt::format("{}:1:1: --cases: expected [[case]] tables in the scenario, found none", scenario.file.string()));
    const Simulation sim(scenario, run, 0, 1, RowKind::cases);
    Workspace w = sim.workspace();
    CaseResults results;
    for (const Case& c : scenario.cases) {
        results.names.push_back(c.name);
        results.descriptions.push_back(c.description);
    }
    const std::size_t n = scenario.cases.size();
    if (n > kDrawsPerBlock) throw UserError(fmt::format("--cases: expected at most {} cases, found {}", kDrawsPerBlock, n));
    sim.evaluate_block(w, 0, 0, n);
    results.steps.resize(run.steps.size());
    for (std::size_t s = 0; s < run.steps.size(); ++s)
        for (std::size_t o = 0; o < run.steps[s].outputs.size(); ++o) {
            // A step that failed or was skipped has no value in any case.
            if (!sim.drawn()[s]) {
                results.steps[s].emplace_back(n, std::nan(""));
                continue;
            }
            const auto v = Simulation::values(w, s, o, n);
            results.steps[s].emplace_back(v.begin(), v.end());
        }
    return results;
}

std::vector<DrawnInput> drawn_inputs(const RunResult& run) {
    std::vector<DrawnInput> inputs;
    for (std::size_t s = 0; s < run.plans.size(); ++s)
        for (std::size_t c = 0; c < run.plans[s].columns.size(); ++c) {
            const ColumnSource& source = run.plans[s].columns[c];
            if (source.kind == ColumnSource::Kind::drawn)
                inputs.push_back(DrawnInput{source.name, source.pos, source.distribution, source.value, s});
        }
    return inputs;
}

std::vector<double> evaluate_rows(const Scenario& scenario, const RunResult& run, const std::vector<RowSetting>& rows,
                                  std::size_t step, std::size_t output) {
    const Simulation sim(scenario, run, 0, 1, RowKind::given, kDrawsPerBlock, &rows);
    if (!sim.drawn()[step]) return std::vector<double>(rows.size(), run.steps[step].outputs[output].value.value);
    Workspace w = sim.workspace();
    std::vector<double> values;
    values.reserve(rows.size());
    for (std::size_t first = 0; first < rows.size(); first += kDrawsPerBlock) {
        const std::size_t count = std::min<std::size_t>(kDrawsPerBlock, rows.size() - first);
        sim.evaluate_block(w, 0, first, count);
        const auto v = Simulation::values(w, step, output, count);
        values.insert(values.end(), v.begin(), v.end());
    }
    return values;
}

void evaluate_draws(const Scenario& scenario, const RunResult& run, const DrawRequest& request, std::span<double> values,
                    std::span<const std::span<double>> inputs) {
    check_correlations(scenario, run);
    const std::size_t stride = request.matrices.size();
    if (request.draws == 0 || stride == 0 || values.size() < request.draws * stride)
        throw std::logic_error("evaluate_draws: no draws or matrices, or too little room for the values");
    const unsigned threads = request.threads ? request.threads : std::max(1u, std::thread::hardware_concurrency());
    // One Simulation and one set of workspaces for every matrix: only the draw offsets change.
    Simulation sim(scenario, run, request.seed, threads, RowKind::draws, kDrawsPerBlock, nullptr, !inputs.empty());
    const bool target_drawn = sim.drawn()[request.step];
    const double constant = run.steps[request.step].outputs[request.output].value.value;
    SimulationOptions options;
    options.threads = threads;
    Driver driver(sim, options, request.draws);
    for (std::size_t m = 0; m < stride; ++m) {
        sim.use_matrix(request.matrices[m]);
        driver.pass(
            request.draws,
            [&](unsigned, std::uint64_t, std::uint64_t first, std::size_t count, const Workspace& w) {
                double* out = values.data() + first * stride + m;
                if (target_drawn) {
                    const auto v = Simulation::values(w, request.step, request.output, count);
                    for (std::size_t r = 0; r < count; ++r) out[r * stride] = v[r];
                } else {
                    for (std::size_t r = 0; r < count; ++r) out[r * stride] = constant;
                }
                if (m != 0) return;  // inputs: those of the first matrix
                for (std::size_t i = 0; i < inputs.size(); ++i)
                    if (first < inputs[i].size())
                        std::copy_n(w.drawn_values[i].begin(), std::min<std::uint64_t>(count, inputs[i].size() - first),
                                    inputs[i].begin() + static_cast<std::ptrdiff_t>(first));
            },
            [](std::uint64_t, std::uint64_t) {});
    }
}

}  // namespace impact::scenario
