// Template model plugin: the percentage change between two values, as a starting point.
#include <impact/sdk/plugin.hpp>

#include <cmath>

namespace {

// template.percent_change: how much `after` differs from `before`, absolutely and in percent.
class PercentChange {
public:
    // 2 inputs and 2 outputs per row, known at compile time, so the row loop below compiles
    // like a plain C++ loop (vectorised); the SDK checks these widths against spec().
    using batch_type = impact::sdk::FixedBatch<2, 2>;

    static impact::sdk::ModelSpec spec() {
        using impact::sdk::Input;
        using impact::sdk::Output;
        return impact::sdk::ModelSpec("template.percent_change")
            .name("Percentage change")
            .version("1.0.0")
            .description("Change from a value before to a value after, absolute and relative.")
            .references("change = after - before; percent_change = after / before - 1")
            .thread_safety(impact::sdk::ThreadSafety::fully_safe)
            // Declare every bound the model relies on: > 0 here, so `impact validate` refuses a
            // zero `before` exactly as evaluation would (ABI 1.2 exclusive bounds).
            .input(Input::number("before", "Value before").greater_than(0).required())
            .input(Input::number("after", "Value after").min(0).required())
            // A signed change: a fall is negative, so higher is better (README.md, "Sign convention").
            .output(Output("change", "Change").higher_is_better())
            .output(Output("percent_change", "Percentage change").unit("%").higher_is_better());
    }

    // Prepare: this model has no text, date or series inputs, so nothing to read.
    explicit PercentChange(const impact::sdk::PreparedInputs&) {}

private:
    // Batch columns, looked up by key in spec() when the model is prepared: no index to keep by hand.
    const uint32_t before_ = impact::sdk::input_column<PercentChange>("before");
    const uint32_t after_ = impact::sdk::input_column<PercentChange>("after");
    const uint32_t change_ = impact::sdk::output_column<PercentChange>("change");
    const uint32_t percent_change_ = impact::sdk::output_column<PercentChange>("percent_change");

public:

    void evaluate(batch_type& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            const double before = batch.input(row, before_);
            const double after = batch.input(row, after_);
            // The host has checked before > 0 already; a direct caller of the C ABI has not.
            if (!(before > 0)) throw impact::sdk::InputError("before", "must be > 0", static_cast<int64_t>(row));
            batch.output(row, change_) = after - before;
            // Outputs in "%" cross as fractions, like percent inputs: 0.063 is 6.3%.
            batch.output(row, percent_change_) = after / before - 1;
        }
    }
};

}  // namespace

IMPACT_PLUGIN("org.example.template", "1.0.0", "Template plugin", PercentChange);
