// What a run keeps of each step so that it can be evaluated again for many rows: Monte Carlo draws and cases.
#pragma once

#include "host/model.hpp"
#include "scenario/scenario.hpp"
#include "uncertainty/distribution.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace impact::scenario {

// Where one numeric value of a step comes from at each row: a batch column of a model step, or an
// operand of a formula step.
struct ColumnSource {
    enum class Kind {
        fixed,    // the same at every row: a literal, a default, a range (at its base under --draws)
        drawn,    // a distribution, drawn per row from its own random stream
        earlier,  // an output of an earlier step, row by row
    };
    Kind kind = Kind::fixed;
    double value = 0;  // fixed: the value; drawn: the point value; earlier: the earlier step's point value
    std::shared_ptr<const uncertainty::Distribution> distribution;  // drawn
    std::size_t step = 0;    // earlier: position of the step in the run
    std::size_t output = 0;  // earlier: index of the output in that step
    std::string name;        // "step.input": the random stream's id, correlation and case keys, messages
    SourcePos pos;           // where the value was written (the step's position for a default)
    // --cases: the value at each case (the case's value where it sets this input, else `value`).
    std::vector<double> per_case;
};

// An input fixed per model instance that takes an earlier step's output: it cannot follow a
// drawn output row by row, which the simulation checks.
struct FixedReference {
    std::string name;  // "step.input"
    SourcePos pos;
    std::size_t step = 0;
    std::size_t output = 0;
};

struct StepPlan {
    // A model step: its prepared instance, and how to prepare more (one per thread for a model
    // that declares IMPACT_THREAD_INSTANCE_SAFE).
    std::shared_ptr<const host::ModelInstance> instance;
    std::optional<host::Model> model;
    std::shared_ptr<const host::PreparedValues> prepared;
    impact_thread_safety thread_safety = IMPACT_THREAD_UNSAFE;
    // A formula step (instance is null).
    std::shared_ptr<const FormulaSpec> formula;
    std::vector<ColumnSource> columns;  // batch columns, or the formula's operands in Formula::operands() order
    std::vector<FixedReference> fixed_references;
    std::vector<std::string> output_keys;
    std::vector<bool> output_may_be_undefined;
};

}  // namespace impact::scenario
