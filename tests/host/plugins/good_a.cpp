// Test plugin good_a: a valid plugin (SDK C++ wrapper) with test.add, test.shared_id, test.checked and
// test.optional_row.
#include <impact/sdk/plugin.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace {

namespace sdk = impact::sdk;

// x + y per row: the simplest model whose answer a test can compute itself.
class Add {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.add")
            .name("Add two numbers")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::number("x", "X").required())
            .input(sdk::Input::number("y", "Y").required())
            .output(sdk::Output("sum", "x + y"));
    }
    explicit Add(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = batch.input(row, 0) + batch.input(row, 1);
    }
};

// Declared by good_a and good_b: the output says which plugin answered (good_a = 1).
class SharedId {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.shared_id")
            .name("Shared id, good_a's")
            .version("1.0.0")
            .output(sdk::Output("provider", "Which test plugin answered (1 = good_a)"));
    }
    explicit SharedId(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 1.0;
    }
};

// Every kind of host-side input check in one model: required text, text and date defaults,
// a bounded prepared number with a default, an optional prepared number and bounded row inputs.
// scaled = amount * scale * (1 + growth) + offset (offset 0 when not given).
class Checked {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        return sdk::ModelSpec("test.checked")
            .name("Host input checks")
            .version("1.0.0")
            .input(Input::text("from", "Currency").required())
            .input(Input::text("note", "Note").default_text("none"))
            .input(Input::date("when", "Value date").default_text("2025-04-16"))
            .input(Input::number("scale", "Scale").prepared().default_value(2).min(1).max(10))
            .input(Input::number("offset", "Offset").prepared().unit("{from}"))
            .input(Input::money("amount", "Amount").unit("{from}").min(0).max(1000).required())
            .input(Input::percent("growth", "Growth"))
            .output(sdk::Output("scaled", "Scaled amount").unit("{from}"))
            .output(sdk::Output("scale_used", "Scale the plugin received"));
    }
    explicit Checked(const sdk::PreparedInputs& in)
        : scale_(in.number("scale")), offset_(in.number_or("offset", 0.0)) {
        // Notes echo what the plugin received, so a test can see which defaults the host applied.
        notes_.push_back({"from", in.text("from")});
        notes_.push_back({"note", in.text_or("note", "<absent>")});
        notes_.push_back({"when", in.has("when") ? in.date("when").iso() : "<absent>"});
        notes_.push_back({"offset", in.has("offset") ? "given" : "<absent>"});
    }
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            batch.output(row, 0) = batch.input(row, 0) * scale_ * (1.0 + batch.input(row, 1)) + offset_;
            batch.output(row, 1) = scale_;
        }
    }
    std::vector<sdk::Note> notes() const { return notes_; }

private:
    double scale_;
    double offset_;
    std::vector<sdk::Note> notes_;
};

// An input optional per row (ABI 1.3), echoed: total = x + bonus (x when bonus is left out),
// bonus_is_nan says what the plugin received, and the note what prepare was told.
class OptionalRow {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        return sdk::ModelSpec("test.optional_row")
            .name("Optional row input")
            .version("1.0.0")
            .input(Input::number("x", "X").required())
            .input(Input::number("bonus", "Bonus").optional_row().greater_than(0).max(100))
            .output(sdk::Output("total", "x + bonus, or x"))
            .output(sdk::Output("bonus_is_nan", "1 when bonus arrived as NaN"));
    }
    explicit OptionalRow(const sdk::PreparedInputs& in)
        : notes_{{"bonus", in.row_input_given("bonus") ? "given" : "left out"}} {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            const double bonus = batch.input(row, 1);
            batch.output(row, 0) = batch.input(row, 0) + (std::isnan(bonus) ? 0.0 : bonus);
            batch.output(row, 1) = std::isnan(bonus) ? 1.0 : 0.0;
        }
    }
    std::vector<sdk::Note> notes() const { return notes_; }

private:
    std::vector<sdk::Note> notes_;
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.good-a", "1.0.0", "Host test plugin A", Add, SharedId, Checked, OptionalRow);
