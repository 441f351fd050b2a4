// The revenue.export_ban model: SDK glue around the export_ban formulas.
#include "export_ban.hpp"

#include <impact/sdk/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

namespace sdk = impact::sdk;
namespace rev = impact::revenue;

class ExportBanModel {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        return sdk::ModelSpec("revenue.export_ban")
            .name("Lost revenue from an export restriction")
            .version("1.0.0")
            .description("Revenue and gross profit lost while an export restriction lasts, plus one-off charges, "
                         "undiscounted and as a present value at the valuation date.")
            .references("plugins/revenue/README.md gives every formula. Discounting: QuantLib 1.29 FlatForward "
                        "(ql/termstructures/yield/flatforward.hpp) with reference date as_of, day count "
                        "Actual/365 (Fixed), annual compounding, so DF = (1 + r)^-(days/365); flow dates are "
                        "as_of + 3k months (quarterly) or + k years (annual), QuantLib Date + Period.")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(Input::text("currency", "Currency")
                       .default_text("USD")
                       .description("ISO 4217 code of every money input and output (USD)"))
            .input(Input::money("annual_revenue", "Annual revenue at risk")
                       .unit("{currency}")
                       .required()
                       .min(0)
                       .description("Revenue per year from the market the restriction covers, before it"))
            .input(Input::percent("restricted_share", "Share restricted")
                       .default_value(1)
                       .min(0)
                       .max(1)
                       .description("Fraction of that revenue the restriction stops"))
            .input(Input::number("duration_years", "Duration")
                       .unit("years")
                       .required()
                       .min(0)
                       .max(rev::max_duration_years)
                       .description("How long the restriction lasts, from as_of"))
            .input(Input::percent("recapture", "Recapture")
                       .default_value(0)
                       .min(0)
                       .max(1)
                       .description("Fraction of the restricted sales recovered by selling elsewhere"))
            .input(Input::percent("gross_margin", "Gross margin")
                       .required()
                       .min(0)
                       .max(1)
                       .description("Gross profit per unit of lost revenue"))
            .input(Input::money("one_off_charges", "One-off charges")
                       .unit("{currency}")
                       .default_value(0)
                       .min(0)
                       .description("Write-downs booked at as_of: inventory, purchase commitments, reserves"))
            .input(Input::percent("discount_rate", "Discount rate")
                       .default_value(0)
                       .min(rev::min_discount_rate)
                       .max(rev::max_discount_rate)
                       .description("Annual effective rate, compounded annually on Actual/365 (Fixed)"))
            .input(Input::date("as_of", "Valuation date")
                       .required()
                       .description("Start of the restriction and the date present values refer to"))
            .input(Input::text("timing", "Cash-flow timing")
                       .default_text("quarterly")
                       .description("quarterly or annual: lost gross profit falls at the end of each period"))
            .output(Output("lost_revenue", "Lost revenue")
                        .unit("{currency}")
                        .higher_is_worse()
                        .description("annual_revenue x restricted_share x (1 - recapture) x duration_years"))
            .output(Output("lost_gross_profit", "Lost gross profit")
                        .unit("{currency}")
                        .higher_is_worse()
                        .description("lost_revenue x gross_margin"))
            .output(Output("one_off_charges", "One-off charges")
                        .unit("{currency}")
                        .higher_is_worse()
                        .description("The one-off charges, as given"))
            .output(Output("total_impact", "Total impact")
                        .unit("{currency}")
                        .higher_is_worse()
                        .description("lost_gross_profit + one_off_charges, undiscounted"))
            .output(Output("pv_total_impact", "Present value of the impact")
                        .unit("{currency}")
                        .higher_is_worse()
                        .description("one_off_charges + gross-profit flows discounted to as_of"));
    }

    explicit ExportBanModel(const sdk::PreparedInputs& in)
        : as_of_days_(in.date("as_of").days_since_epoch),
          model_(rev::valuation_date_from_days(as_of_days_), timing(in)),
          // Only a label for the money units, but a typo ("usd", "ABC") must not reach a report.
          currency_(in.currency_or("currency", "USD")) {}

    void evaluate(sdk::Batch& batch) const {
        const uint64_t rows = batch.rows();
        if (rows == 0) return;
        // The usual batch (Monte Carlo draws, a range) has every row in bounds and one duration:
        // checked in one pass without a branch per row, then the flows are laid out once.
        const double duration_years = batch.input(0, duration_years_);
        bool usual = true;
        for (uint64_t row = 0; row < rows; ++row) {
            const rev::ExportBanInputs inputs = row_inputs(batch, row);
            usual &= rev::ExportBan::inputs_in_bounds(inputs) & (inputs.duration_years == duration_years);
        }
        if (usual) {
            const rev::ExportBan::FlowSchedule flows = model_.schedule(duration_years);
            for (uint64_t row = 0; row < rows; ++row) write_outputs(batch, row, model_.evaluate(row_inputs(batch, row), flows));
            return;
        }
        // Otherwise row by row, each row checked with its message; for_each_row gives an error from
        // the formulas its row, and the host says which row (or range end) it was.
        sdk::for_each_row(batch, [&](uint64_t row) { write_outputs(batch, row, model_.evaluate(row_inputs(batch, row))); });
    }

    std::vector<sdk::Note> notes() const {
        const std::string as_of = sdk::Date{as_of_days_}.iso();
        const bool quarterly = model_.timing() == rev::Timing::quarterly;
        return {
            {"as_of", as_of},
            {"timing", std::string(rev::timing_name(model_.timing())) + ": lost gross profit at as_of + " +
                           (quarterly ? "3, 6, 9, ... months" : "1, 2, 3, ... years") +
                           ", a partial last period pro rata"},
            {"discounting", "QuantLib FlatForward from " + as_of + ", Actual/365 (Fixed), compounded annually"},
        };
    }

private:
    rev::ExportBanInputs row_inputs(const sdk::Batch& batch, uint64_t row) const noexcept {
        rev::ExportBanInputs inputs;
        inputs.annual_revenue = batch.input(row, annual_revenue_);
        inputs.restricted_share = batch.input(row, restricted_share_);
        inputs.duration_years = batch.input(row, duration_years_);
        inputs.recapture = batch.input(row, recapture_);
        inputs.gross_margin = batch.input(row, gross_margin_);
        inputs.one_off_charges = batch.input(row, one_off_charges_input_);
        inputs.discount_rate = batch.input(row, discount_rate_);
        return inputs;
    }
    void write_outputs(const sdk::Batch& batch, uint64_t row, const rev::ExportBanResult& result) const noexcept {
        batch.output(row, lost_revenue_) = result.lost_revenue;
        batch.output(row, lost_gross_profit_) = result.lost_gross_profit;
        batch.output(row, one_off_charges_output_) = result.one_off_charges;
        batch.output(row, total_impact_) = result.total_impact;
        batch.output(row, pv_total_impact_) = result.pv_total_impact;
    }

    static rev::Timing timing(const sdk::PreparedInputs& in) {
        const std::string text = in.text_or("timing", "quarterly");
        if (const auto timing = rev::parse_timing(text)) return *timing;
        throw sdk::InputError("timing", "timing must be 'quarterly' or 'annual', got '" + text + "'");
    }

    // Batch columns, looked up by key in spec() once per instance.
    const uint32_t annual_revenue_ = sdk::input_column<ExportBanModel>("annual_revenue");
    const uint32_t restricted_share_ = sdk::input_column<ExportBanModel>("restricted_share");
    const uint32_t duration_years_ = sdk::input_column<ExportBanModel>("duration_years");
    const uint32_t recapture_ = sdk::input_column<ExportBanModel>("recapture");
    const uint32_t gross_margin_ = sdk::input_column<ExportBanModel>("gross_margin");
    const uint32_t one_off_charges_input_ = sdk::input_column<ExportBanModel>("one_off_charges");
    const uint32_t discount_rate_ = sdk::input_column<ExportBanModel>("discount_rate");
    const uint32_t lost_revenue_ = sdk::output_column<ExportBanModel>("lost_revenue");
    const uint32_t lost_gross_profit_ = sdk::output_column<ExportBanModel>("lost_gross_profit");
    const uint32_t one_off_charges_output_ = sdk::output_column<ExportBanModel>("one_off_charges");
    const uint32_t total_impact_ = sdk::output_column<ExportBanModel>("total_impact");
    const uint32_t pv_total_impact_ = sdk::output_column<ExportBanModel>("pv_total_impact");
    impact_date_days as_of_days_;  // declared before model_: model_ is built from it
    rev::ExportBan model_;
    std::string currency_;
};

}  // namespace

IMPACT_PLUGIN("org.impact.revenue", "1.0.0", "Revenue impact models", ExportBanModel);
