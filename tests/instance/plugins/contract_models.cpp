// Test plugin for the instance contract: a model that keeps its series, one with non-finite outputs, one with exclusive bounds.
#include <impact/sdk/plugin.hpp>

#include <limits>
#include <string>
#include <vector>

namespace {

namespace sdk = impact::sdk;

// Keeps the SeriesView and the text pointer it was given at prepare time and reads them only at
// evaluate, as the C header allows: total = sum of every series value + count of label bytes.
// Reading memory the host freed after create() shows up as a wrong total or an ASan report.
class KeepsSeries {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.keeps_series")
            .name("Keeps its series until evaluate")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::series("points", "Points").required())
            .input(sdk::Input::text("tag", "Tag").required())
            .input(sdk::Input::number("scale", "Scale").required())
            .output(sdk::Output("total", "Sum of the kept values times scale"))
            .output(sdk::Output("label_bytes", "Bytes of every kept label and the tag"));
    }
    explicit KeepsSeries(const sdk::PreparedInputs& in) : series_(in.series("points")) {
        // The wrapper copies text into a std::string; keep the raw pointer instead, as a C
        // plugin would, by asking for the series labels (raw host pointers) and the tag length.
        tag_bytes_ = in.text("tag").size();
    }
    void evaluate(sdk::Batch& batch) const {
        double sum = 0;
        double label_bytes = static_cast<double>(tag_bytes_);
        for (const sdk::SeriesView& s : series_) {
            for (std::size_t i = 0; i < s.size(); ++i) sum += s.value(i);
            label_bytes += static_cast<double>(s.label().size());
        }
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            batch.output(row, 0) = sum * batch.input(row, 0);
            batch.output(row, 1) = label_bytes;
        }
    }

private:
    std::vector<sdk::SeriesView> series_;
    std::size_t tag_bytes_ = 0;
};

// defined = x / y (no flag: a zero y is a model failure); maybe = x / y flagged may_be_undefined.
class Ratio {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.ratio")
            .name("x / y, once strict and once allowed to be undefined")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::number("x", "X").required())
            .input(sdk::Input::number("y", "Y").required())
            .output(sdk::Output("defined", "x / y, must be finite"))
            .output(sdk::Output("maybe", "x / y, may be undefined").may_be_undefined());
    }
    explicit Ratio(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            const double ratio = batch.input(row, 0) / batch.input(row, 1);
            batch.output(row, 0) = ratio;
            batch.output(row, 1) = ratio;
        }
    }
};

// price > 0 (exclusive), share < 1 (exclusive), both declared so the host refuses the bound
// itself: the model would otherwise divide by zero.
class Exclusive {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.exclusive")
            .name("Exclusive bounds")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::number("price", "Price").required().greater_than(0))
            .input(sdk::Input::percent("share", "Share").required().min(0).less_than(1))
            .input(sdk::Input::number("base", "Base").prepared().greater_than(0).default_value(1))
            .output(sdk::Output("value", "base / price / (1 - share)"));
    }
    explicit Exclusive(const sdk::PreparedInputs& in) : base_(in.number_or("base", 1)) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row)
            batch.output(row, 0) = base_ / batch.input(row, 0) / (1 - batch.input(row, 1));
    }

private:
    double base_;
};

// Writes `written` and forgets `forgotten`: the host must not report the buffer's initial value.
class Forgets {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.forgets")
            .name("Forgets its second output")
            .version("1.0.0")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(sdk::Input::number("x", "X").required())
            .output(sdk::Output("written", "x"))
            .output(sdk::Output("forgotten", "never written"));
    }
    explicit Forgets(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = batch.input(row, 0);
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.test.contract", "1.0.0", "Instance contract test models", KeepsSeries, Ratio, Exclusive,
              Forgets);
