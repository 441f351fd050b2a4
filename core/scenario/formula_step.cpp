// Formula steps: operands resolved and unit-checked by the host, arithmetic by muParser (formula.cpp).
#include "scenario/formula_step.hpp"

#include "host/model.hpp"
#include "scenario/distribution_value.hpp"
#include "scenario/formula.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

namespace impact::scenario {

namespace {

[[noreturn]] void fail(const SourcePos& at, std::string_view key, std::string_view message) {
    throw UserError(fmt::format("{}: {}: {}", at.str(), key, message));
}

// One operand's values (low, base, high; equal when it is not a range) and unit.
struct Operand {
    std::string name;
    RangedValue value;
    Dimension dimension;
    SourcePos pos;
    std::string label;
    std::string origin;
    ColumnSource source{};  // for the simulation: fixed, drawn or an earlier output
    std::string distribution{}, distribution_note{};
};

// A literal of the step's own: a number has no unit, "60%" is 0.6 (shown as a percentage),
// "25bp" is 0.0025, "5.5B USD" is money in USD, "3 shares" is in shares.
std::pair<double, std::string> literal(const Scalar& scalar, const std::string& key, const SourcePos& at) {
    if (const double* number = std::get_if<double>(&scalar.value)) return {*number, ""};
    text::Quantity q;
    try {
        q = text::parse_quantity(std::get<std::string>(scalar.value), key);
    } catch (const UserError& e) {
        throw UserError(fmt::format("{}: {}", at.str(), e.what()));
    }
    if (q.unit == "%") return {q.value / 100, "%"};
    if (q.unit == "bp") return {q.value / 10'000, "%"};
    // Three letters read as a currency: "usd", the withdrawn "DEM" or a made-up "ABC" would
    // otherwise pass as a unit of their own and never meet the dollars they were meant to be.
    const bool three_letters = q.unit.size() == 3 && std::all_of(q.unit.begin(), q.unit.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    if (three_letters && !text::is_currency_code(q.unit))
        throw UserError(fmt::format("{}: {}: expected a current ISO 4217 currency code in upper case such as USD, found "
                                    "\"{}\"",
                                    at.str(), key, q.unit));
    return {q.value, q.unit};
}

class FormulaStepRunner {
public:
    FormulaStepRunner(const Scenario& scenario, const Step& step, const EarlierSteps& earlier, StepPlan* plan, bool cases,
                      bool keep_going)
        : scenario_(scenario), step_(step), spec_(*step.formula), earlier_(earlier), plan_(plan), cases_(cases),
          keep_going_(keep_going), expr_key_("step." + step.id + ".expr") {}

    StepResult run(RunMode mode) {
        Formula formula = compile();
        std::vector<Operand> operands;
        std::vector<Dimension> dimensions;
        for (const std::string& name : formula.operands()) {
            operands.push_back(operand(name, formula.offset_of(name)));
            dimensions.push_back(operands.back().dimension);
        }
        for (const InputSpec& input : step_.inputs) {
            if (std::find(formula.operands().begin(), formula.operands().end(), input.key) == formula.operands().end())
                fail(input.pos, "step." + step_.id + "." + input.key,
                     fmt::format("expected an operand of the expression \"{}\" (it uses {}), found an input it does not use",
                                 spec_.expression, fmt::join(formula.operands(), ", ")));
        }
        const std::string unit = checked_unit(formula, dimensions, operands);

        StepResult result;
        result.id = step_.id;
        result.model_id = "formula";
        result.expression = spec_.expression;
        result.ranged = std::any_of(operands.begin(), operands.end(), [](const Operand& o) { return o.value.low.has_value(); });
        // Listed in the order the expression names them (the formula keeps them sorted by name).
        std::vector<const Operand*> in_order;
        for (const Operand& o : operands) in_order.push_back(&o);
        std::stable_sort(in_order.begin(), in_order.end(), [&](const Operand* a, const Operand* b) {
            return formula.offset_of(a->name) < formula.offset_of(b->name);
        });
        for (const Operand* op : in_order) {
            const Operand& o = *op;
            const std::string kind = o.value.unit == "%"                  ? "percent"
                                     : text::is_currency_code(o.value.unit) ? "money"
                                                                            : "number";
            result.inputs.push_back(InputUsed{o.name, o.label, kind, o.value, {}, o.origin, o.distribution, o.distribution_note});
        }
        if (plan_) {
            plan_->formula = step_.formula;
            plan_->output_keys = {"value"};
            plan_->output_may_be_undefined = {false};
            for (Operand& o : operands) {
                o.source.value = o.value.value;
                if (o.source.name.empty()) o.source.name = step_.id + "." + o.name;
                o.source.pos = o.pos;
                plan_->columns.push_back(o.source);
            }
            if (cases_) fill_cases(operands);
        }
        RangedValue value{0, std::nullopt, std::nullopt, unit};
        if (!blocked_by_.empty()) {
            // --keep-going: an operand comes from a failed step; checked, not evaluated.
            result.status = StepStatus::skipped;
            result.failed_dependencies = blocked_by_;
            value.value = std::nan("");
        } else if (mode == RunMode::run) {
            try {
                value = evaluate(formula, operands, result.ranged);
            } catch (const host::CallError& e) {
                if (!keep_going_) throw;
                result.status = StepStatus::failed;
                result.failure = e.what();
                value = RangedValue{std::nan(""), std::nullopt, std::nullopt, unit};
            }
        }
        result.outputs.push_back(OutputResult{"value", spec_.expression, value, IMPACT_DIRECTION_NEUTRAL});
        return result;
    }

private:
    Formula compile() const {
        try {
            return Formula(spec_.expression);
        } catch (const FormulaError& e) {
            fail_in_expression(e.offset(), e.what());
        }
    }

    // A problem at character `offset` of the expression. When its columns are not exact
    // (escapes, a multi-line string), the message says which character is meant.
    [[noreturn]] void fail_in_expression(std::size_t offset, std::string_view message) const {
        if (spec_.columns_exact) fail(spec_.at(offset), expr_key_, message);
        fail(spec_.at(offset), expr_key_, fmt::format("{} (at character {} of the expression)", message, offset + 1));
    }

    Operand operand(const std::string& name, std::size_t offset) const {
        const auto local = std::find_if(step_.inputs.begin(), step_.inputs.end(), [&](const InputSpec& i) { return i.key == name; });
        if (local != step_.inputs.end()) return local_operand(*local);
        const auto dot = name.find('.');
        if (dot == std::string::npos)
            fail_in_expression(offset, fmt::format("expected an earlier step's output written as step.output, or an input "
                                                   "of this step, found \"{}\", which is neither",
                                                   name));
        return referenced(Reference{name.substr(0, dot), name.substr(dot + 1)}, name, offset, std::nullopt, "");
    }

    Operand local_operand(const InputSpec& input) const {
        const std::string key = "step." + step_.id + "." + input.key;
        const std::string origin = input.from_command_line ? "--set" : "scenario";
        if (const auto* scalar = std::get_if<Scalar>(&input.value)) {
            const auto [v, unit] = literal(*scalar, key, input.pos);
            return Operand{input.key, RangedValue{v, std::nullopt, std::nullopt, unit}, Dimension::of_unit(unit),
                           input.pos, input.key, origin};
        }
        if (const Range* range = as_range(input.value)) {
            const auto [low, low_unit] = literal(range->low, key, range->low_pos);
            const auto [high, high_unit] = literal(range->high, key, range->high_pos);
            double base = (low + high) / 2;
            if (range->base) {
                const auto [b, base_unit] = literal(*range->base, key, range->base_pos);
                if (base_unit != low_unit) fail(range->base_pos, key, fmt::format("expected {} like low, found {}", unit_name(low_unit), unit_name(base_unit)));
                base = b;
            }
            if (high_unit != low_unit)
                fail(range->high_pos, key, fmt::format("expected {} like low, found {}", unit_name(low_unit), unit_name(high_unit)));
            if (!(low <= base && base <= high))
                fail(input.pos, key, fmt::format("expected low <= base <= high, found low {}, base {}, high {}", low, base, high));
            return Operand{input.key, RangedValue{base, low, high, low_unit}, Dimension::of_unit(low_unit), input.pos,
                           input.key, origin};
        }
        if (const auto* ref = std::get_if<Reference>(&input.value))
            return referenced(*ref, input.key, 0, input.pos, input.from_command_line ? " (--set)" : "");
        if (const DistributionSpec* dist = as_distribution(input.value)) {
            // Every parameter in the input's unit is written in one unit, which is the operand's.
            std::optional<std::string> unit;
            const DrawnValue drawn = read_distribution(*dist, key, nullptr, [&](const Scalar& scalar, const SourcePos& at) {
                const auto [v, u] = literal(scalar, key, at);
                if (unit && *unit != u) fail(at, key, fmt::format("expected {} like the other parameters, found {}", unit_name(*unit), unit_name(u)));
                unit = u;
                return v;
            });
            Operand o{input.key, RangedValue{drawn.distribution->point_value(), std::nullopt, std::nullopt, unit.value_or("")},
                      Dimension::of_unit(unit.value_or("")), input.pos, input.key, origin};
            o.source.kind = ColumnSource::Kind::drawn;
            o.source.distribution = drawn.distribution;
            o.distribution = drawn.written;
            o.distribution_note = drawn.note;
            return o;
        }
        fail(input.pos, key,
             fmt::format("expected a number, an amount such as \"5.5B USD\", a percentage, a range or {{ from = "
                         "\"step.output\" }}, found {}",
                         describe_value(input.value)));
    }

    static std::string unit_name(const std::string& unit) {
        return unit.empty() ? "a number without a unit" : unit == "%" ? "a percentage" : fmt::format("'{}'", unit);
    }

    // An earlier step's output, named in the expression (at `offset`) or by an input of the
    // step ({ from = ... } written at `input_pos`).
    Operand referenced(const Reference& ref, const std::string& name, std::size_t offset,
                       const std::optional<SourcePos>& input_pos, std::string_view origin_suffix) const {
        const auto problem = [&](const std::string& message) {
            if (input_pos) fail(*input_pos, "step." + step_.id + "." + name, message);
            fail_in_expression(offset, message);
        };
        if (ref.step == step_.id) problem(fmt::format("a step cannot use its own output ({}.{})", ref.step, ref.output));
        const StepResult* target = earlier_.find(ref.step);
        if (!target) {
            if (const Step* later = scenario_.find_step(ref.step))
                problem(fmt::format("expected a step above this one, found step \"{}\" defined below at {} (a step can "
                                    "use only outputs of earlier steps, so references cannot form a cycle)",
                                    ref.step, later->pos.str()));
            problem(fmt::format("expected an earlier step ({}), found unknown step \"{}\" in \"{}\"", earlier_.some_ids(),
                                ref.step, name));
        }
        const OutputResult* output = target->find_output(ref.output);
        if (!output) {
            std::vector<std::string_view> keys;
            for (const auto& o : target->outputs) keys.push_back(o.key);
            problem(fmt::format("expected an output of step {} ({}: {}), found \"{}\"", target->id, target->model_id,
                                fmt::join(keys, ", "), ref.output));
        }
        const SourcePos at = input_pos ? *input_pos : spec_.at(offset);
        if (!target->ok()) add_failed_roots(*target, blocked_by_);
        Operand o{name, output->value, Dimension::of_unit(output->value.unit), at,
                  fmt::format("{} of step {}", output->label, target->id),
                  fmt::format("step {}.{}{}", ref.step, ref.output, origin_suffix)};
        o.source.kind = ColumnSource::Kind::earlier;
        o.source.step = *earlier_.position(target->id);
        o.source.output = static_cast<std::size_t>(output - target->outputs.data());
        o.source.name = input_pos ? step_.id + "." + name : name;
        return o;
    }

    // The unit the result is reported in: the one the step states, which must be the one its
    // operands give. A result with a unit must state it, so that a change of operands cannot
    // change the report's unit unnoticed.
    std::string checked_unit(const Formula& formula, const std::vector<Dimension>& dimensions,
                             const std::vector<Operand>& operands) const {
        Dimension result;
        try {
            result = formula.result_dimension(dimensions);
        } catch (const FormulaError& e) {
            // The expression is the file's, an operand may not be: say which came from --set.
            std::vector<std::string> overridden;
            for (const Operand& o : operands)
                if (o.origin.find("--set") != std::string::npos) overridden.push_back(fmt::format("{} (at {})", o.name, o.pos.str()));
            if (overridden.empty()) fail_in_expression(e.offset(), e.what());
            fail_in_expression(e.offset(), fmt::format("{}; set on the command line: {}", e.what(), fmt::join(overridden, ", ")));
        }
        const std::string unit_key = "step." + step_.id + ".unit";
        if (!spec_.unit) {
            if (!result.dimensionless())
                fail(step_.pos, unit_key,
                     fmt::format("expected unit = \"{}\", the unit of \"{}\", found no unit (a formula step states the unit "
                                 "of a result that has one)",
                                 result.str(), spec_.expression));
            return "";
        }
        const std::string& declared = *spec_.unit;
        const std::optional<Dimension> stated = Dimension::of_stated_unit(declared);
        if (!stated)
            fail(spec_.unit_pos, unit_key,
                 fmt::format("expected a unit written as \"\", \"%\", \"USD\", \"KRW/USD\", \"USD^2\" or \"1/days\" (symbols of "
                             "letters, digits and '_', no spaces, not cancelling), found \"{}\"{}",
                             text::printable(declared),
                             result.dimensionless() ? std::string() : fmt::format(" (the expression gives {})", result.str())));
        if (!(*stated == result))
            fail(spec_.unit_pos, unit_key,
                 fmt::format("expected {} (the unit of \"{}\"), found unit = \"{}\"",
                             result.dimensionless() ? std::string("\"\" or \"%\"") : fmt::format("\"{}\"", result.str()),
                             spec_.expression, declared));
        return declared;
    }

    RangedValue evaluate(Formula& formula, const std::vector<Operand>& operands, bool ranged) const {
        static constexpr std::array<const char*, 3> row_names{"the low row", "the base row", "the high row"};
        std::array<double, 3> results{};
        const std::size_t rows = ranged ? 3 : 1;
        std::vector<double> values(operands.size());
        for (std::size_t row = 0; row < rows; ++row) {
            for (std::size_t i = 0; i < operands.size(); ++i) {
                const RangedValue& v = operands[i].value;
                values[i] = !ranged || row == 1 ? v.value : row == 0 ? v.low.value_or(v.value) : v.high.value_or(v.value);
                if (!std::isfinite(values[i]))
                    fail(operands[i].pos, expr_key_,
                         fmt::format("must be a finite number, found {} for {}{} (its model declares that it may be "
                                     "undefined)",
                                     values[i], operands[i].name, ranged ? fmt::format(" in {}", row_names[row]) : ""));
            }
            Formula::Checked checked;
            try {
                checked = formula.evaluate_checked(values);
            } catch (const FormulaError& e) {
                fail_in_expression(e.offset(), e.what());
            }
            if (checked.non_finite) {
                std::vector<std::string> shown;
                for (std::size_t i = 0; i < operands.size(); ++i) shown.push_back(fmt::format("{} = {}", operands[i].name, values[i]));
                throw host::CallError(IMPACT_STATUS_MODEL_FAILED,
                                      fmt::format("{}: step.{}: formula \"{}\" {}{}{}{}", spec_.start.str(), step_.id,
                                                  spec_.expression, *checked.non_finite,
                                                  ranged ? fmt::format(" in {}", row_names[row]) : "",
                                                  shown.empty() ? "" : " with ", fmt::join(shown, ", ")));
            }
            const double result = checked.result;
            results[row] = result;
        }
        RangedValue value{ranged ? results[1] : results[0], std::nullopt, std::nullopt, ""};
        if (ranged && (results[0] != results[1] || results[2] != results[1])) {
            value.low = results[0];
            value.high = results[2];
        }
        value.unit = spec_.unit.value_or("");
        return value;
    }

    // --cases: each operand's value in each case; a case sets the step's own literal operands.
    void fill_cases(const std::vector<Operand>& operands) {
        for (ColumnSource& source : plan_->columns) source.per_case.assign(scenario_.cases.size(), source.value);
        for (std::size_t k = 0; k < scenario_.cases.size(); ++k) {
            for (const CaseValue& value : scenario_.cases[k].values) {
                if (value.step != step_.id) continue;
                const std::string key = "case." + scenario_.cases[k].name + "." + value.step + "." + value.input;
                const auto it = std::find_if(operands.begin(), operands.end(), [&](const Operand& o) { return o.name == value.input; });
                const auto* scalar = std::get_if<Scalar>(&value.value);
                if (it == operands.end() || it->source.kind == ColumnSource::Kind::earlier)
                    fail(value.pos, key, fmt::format("expected an input of step {} written as a value (its operands {}), "
                                                     "found \"{}\"",
                                                     step_.id, fmt::join(formula_operand_names(operands), ", "), value.input));
                if (!scalar) fail(value.pos, key, fmt::format("expected one value for the case, found {}", describe_value(value.value)));
                const auto [v, unit] = literal(*scalar, key, value.pos);
                if (unit != it->value.unit)
                    fail(value.pos, key, fmt::format("expected {} like the step's value, found {}", unit_name(it->value.unit), unit_name(unit)));
                plan_->columns[static_cast<std::size_t>(it - operands.begin())].per_case[k] = v;
            }
        }
    }

    static std::vector<std::string> formula_operand_names(const std::vector<Operand>& operands) {
        std::vector<std::string> names;
        for (const Operand& o : operands)
            if (o.source.kind != ColumnSource::Kind::earlier) names.push_back(o.name);
        return names;
    }

    const Scenario& scenario_;
    const Step& step_;
    const FormulaSpec& spec_;
    const EarlierSteps& earlier_;
    StepPlan* plan_;
    bool cases_;
    bool keep_going_;
    std::string expr_key_;
    // --keep-going: the failed steps an operand's value comes from (set while resolving operands).
    mutable std::vector<std::string> blocked_by_;
};

}  // namespace

StepResult run_formula_step(const Scenario& scenario, const Step& step, const EarlierSteps& earlier, RunMode mode,
                            StepPlan* plan, bool cases, bool keep_going) {
    return FormulaStepRunner(scenario, step, earlier, plan, cases, keep_going).run(mode);
}

}  // namespace impact::scenario
