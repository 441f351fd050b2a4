// The trivial model wrapped with the SDK's C++ wrapper. Built for the benchmark only, never
// bundled. Two models with the same inputs, arithmetic and row loop (batch.input(row, column),
// batch.output(row, column)), differing only in the batch type the SDK hands them:
//   bench.lost_profit_fixed_batch  opts in to compile-time row widths with
//                                  `using batch_type = sdk::FixedBatch<3, 1>;`, as the SDK
//                                  recommends: the model a plugin author is told to write, and
//                                  the one measured against the targets.
//   bench.lost_profit              takes the default sdk::Batch, whose row width is known only
//                                  at run time: shows what the opt-in buys.
#include "trivial_model.hpp"

#include <impact/sdk/plugin.hpp>

#include <string>
#include <utility>

namespace {

namespace sdk = impact::sdk;
using impact::bench::lost_profit;

sdk::ModelSpec lost_profit_spec(std::string id, std::string description) {
    using sdk::Input;
    using sdk::Output;
    return sdk::ModelSpec(std::move(id))
        .name("Lost profit (benchmark)")
        .version("1.0.0")
        .description(std::move(description))
        .thread_safety(sdk::ThreadSafety::fully_safe)
        .input(Input::money("revenue", "Revenue").unit("USD").min(0).required())
        .input(Input::percent("share", "Share of revenue lost").min(0).max(1).required())
        .input(Input::percent("margin", "Profit margin").min(-1).max(1).required())
        .output(Output("lost_profit", "Lost profit").unit("USD"));
}

class LostProfitFixedBatch {
public:
    // 3 inputs and 1 output per row, as spec() declares; the SDK checks this at create.
    using batch_type = sdk::FixedBatch<3, 1>;

    static sdk::ModelSpec spec() {
        return lost_profit_spec("bench.lost_profit_fixed_batch",
                                "revenue * share * margin, row by row through FixedBatch<3, 1>'s accessors.");
    }
    explicit LostProfitFixedBatch(const sdk::PreparedInputs&) {}

    void evaluate(batch_type& batch) const {
        for (uint64_t r = 0; r < batch.rows(); ++r)
            batch.output(r, 0) = lost_profit(batch.input(r, 0), batch.input(r, 1), batch.input(r, 2));
    }
};

class LostProfit {
public:
    static sdk::ModelSpec spec() {
        return lost_profit_spec("bench.lost_profit",
                                "revenue * share * margin, row by row through the dynamic Batch's accessors.");
    }
    explicit LostProfit(const sdk::PreparedInputs&) {}

    // The same loop; with the default Batch the row stride is a run-time value.
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t r = 0; r < batch.rows(); ++r)
            batch.output(r, 0) = lost_profit(batch.input(r, 0), batch.input(r, 1), batch.input(r, 2));
    }
};

}  // namespace

IMPACT_PLUGIN("org.impact.bench", "1.0.0", "Benchmark models", LostProfitFixedBatch, LostProfit);
