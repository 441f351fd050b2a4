// Formula steps: expr = "..." computed by the host from earlier outputs and the step's own values.
#pragma once

#include "scenario/earlier_steps.hpp"
#include "scenario/runner.hpp"
#include "scenario/scenario.hpp"

namespace impact::scenario {

// Runs (or, in validate mode, checks) one formula step: resolves its operands, checks that their
// units combine into the stated unit, and evaluates it at one row or at low, base and high.
// Throws UserError at file:line:column for a problem in the step, and host::CallError
// (IMPACT_STATUS_MODEL_FAILED) when the result is not a finite number.
// With `plan`, also records what the simulation needs to evaluate the step for many rows, and
// with `cases` each operand's value in each [[case]]. With `keep_going`, a result that is not a
// finite number marks the step failed instead of throwing, and an operand from a failed or skipped
// step marks it skipped (RunOptions::keep_going).
StepResult run_formula_step(const Scenario& scenario, const Step& step, const EarlierSteps& earlier, RunMode mode,
                            StepPlan* plan = nullptr, bool cases = false, bool keep_going = false);

}  // namespace impact::scenario
