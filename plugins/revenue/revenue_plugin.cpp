// The revenue.export_ban model: SDK glue around the export_ban formulas.
#include "export_ban.hpp"

#include <impact/sdk/currencies.hpp>
#include <impact/sdk/plugin.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

namespace sdk = impact::sdk;
namespace rev = impact::revenue;

// Column of each row input in the batch: the declaration order of the numeric,
// non-prepared inputs in spec() below.
enum Column : uint32_t {
    annual_revenue_column,
    restricted_share_column,
    duration_years_column,
    recapture_column,
    gross_margin_column,
    one_off_charges_column,
    discount_rate_column,
};
enum OutputColumn : uint32_t {
    lost_revenue_output,
    lost_gross_profit_output,
    one_off_charges_output,
    total_impact_output,
    pv_total_impact_output,
};


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
        : as_of_days_(in.date("as_of").days_since_epoch), model_(valuation_date(as_of_days_), timing(in)) {
        currency_ = in.text_or("currency", "USD");
        // Only a label for the money units, but a typo ("usd", "ABC") must not reach a report.
        if (!sdk::find_currency(currency_))
            throw sdk::InputError("currency", "currency must be a current ISO 4217 code such as USD, got '" +
                                                  currency_ + "'");
    }

    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            rev::ExportBanInputs inputs;
            inputs.annual_revenue = batch.input(row, annual_revenue_column);
            inputs.restricted_share = batch.input(row, restricted_share_column);
            inputs.duration_years = batch.input(row, duration_years_column);
            inputs.recapture = batch.input(row, recapture_column);
            inputs.gross_margin = batch.input(row, gross_margin_column);
            inputs.one_off_charges = batch.input(row, one_off_charges_column);
            inputs.discount_rate = batch.input(row, discount_rate_column);
            rev::ExportBanResult result;
            try {
                result = model_.evaluate(inputs);
            } catch (const rev::InvalidInput& e) {
                // The row travels in the error; the host says which row (or range end) it was.
                throw sdk::InputError(e.key(), e.what(), static_cast<int64_t>(row));
            }
            batch.output(row, lost_revenue_output) = result.lost_revenue;
            batch.output(row, lost_gross_profit_output) = result.lost_gross_profit;
            batch.output(row, one_off_charges_output) = result.one_off_charges;
            batch.output(row, total_impact_output) = result.total_impact;
            batch.output(row, pv_total_impact_output) = result.pv_total_impact;
        }
    }

    std::vector<sdk::Note> notes() const {
        const std::string as_of = rev::iso_date(as_of_days_);
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
    // Member-initialiser helpers, so that the model is complete once constructed.
    static QuantLib::Date valuation_date(impact_date_days as_of_days) {
        try {
            return rev::valuation_date_from_days(as_of_days);
        } catch (const rev::InvalidInput& e) {
            throw sdk::InputError(e.key(), e.what());
        }
    }
    static rev::Timing timing(const sdk::PreparedInputs& in) {
        const std::string text = in.text_or("timing", "quarterly");
        if (const auto timing = rev::parse_timing(text)) return *timing;
        throw sdk::InputError("timing", "timing must be 'quarterly' or 'annual', got '" + text + "'");
    }

    impact_date_days as_of_days_;  // declared before model_: model_ is built from it
    rev::ExportBan model_;
    std::string currency_;
};

}  // namespace

IMPACT_PLUGIN("org.impact.revenue", "1.0.0", "Revenue impact models", ExportBanModel);
