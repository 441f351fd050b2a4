// Lost revenue, gross profit and present value of an export restriction (revenue.export_ban).
#ifndef IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP
#define IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP

// Pure logic; of the SDK only its header-only errors: the plugin links it and so could a test.
// Thread safety: ExportBan is immutable after construction and evaluate() builds its
// QuantLib term structure locally, so one ExportBan may be evaluated from several
// threads at once. Nothing reads or writes QuantLib's Settings::evaluationDate or any
// other process-wide singleton: the curve has an explicit reference date.

#include <impact/sdk/errors.hpp>

#include <ql/time/date.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact::revenue {

// When lost gross profit is booked: at the end of each quarter or of each year of the
// restriction, counted from the valuation date.
enum class Timing { quarterly, annual };

// "quarterly" or "annual" (exact, lower-case); nullopt otherwise.
std::optional<Timing> parse_timing(std::string_view text);
const char* timing_name(Timing timing) noexcept;
int months_per_period(Timing timing) noexcept;

// One row of numeric inputs. Percent inputs are fractions (60% is 0.60); money in the
// model's currency.
struct ExportBanInputs {
    double annual_revenue = 0.0;     // revenue per year from the restricted market, before the ban
    double restricted_share = 1.0;   // fraction of that revenue the restriction covers, [0, 1]
    double duration_years = 0.0;     // how long the restriction lasts, [0, 50]
    double recapture = 0.0;          // fraction of restricted sales sold elsewhere instead, [0, 1]
    double gross_margin = 0.0;       // gross profit per unit of lost revenue, [0, 1]
    double one_off_charges = 0.0;    // write-downs at the valuation date (inventory, commitments), >= 0
    double discount_rate = 0.0;      // annual effective rate, [-0.5, 1]
};

struct ExportBanResult {
    double lost_revenue = 0.0;
    double lost_gross_profit = 0.0;
    double one_off_charges = 0.0;
    double total_impact = 0.0;      // lost_gross_profit + one_off_charges, undiscounted
    double pv_total_impact = 0.0;   // one_off_charges + discounted gross-profit flows
};

// One gross-profit flow: an amount lost on a date.
struct CashFlow {
    QuantLib::Date date;
    double amount = 0.0;
};

// Bounds of the row inputs, shared by the plugin's descriptor and the checks here.
inline constexpr double max_duration_years = 50.0;
inline constexpr double min_discount_rate = -0.5;
inline constexpr double max_discount_rate = 1.0;

// The valuation date as a QuantLib date, from days since 1970-01-01. Throws impact::sdk::InputError
// ("as_of") unless the date lies in [1901-01-01, 2149-12-31]: QuantLib dates end in 2199
// and the longest restriction (50 years) must still fit.
QuantLib::Date valuation_date_from_days(int32_t days_since_epoch);

class ExportBan {
public:
    ExportBan(QuantLib::Date as_of, Timing timing) noexcept : as_of_(as_of), timing_(timing) {}

    // Checks every input (finite and within its bounds; throws impact::sdk::InputError naming the key)
    // and computes the outputs.
    ExportBanResult evaluate(const ExportBanInputs& in) const;

    // The dated gross-profit flows of a restriction lasting duration_years that loses
    // annual_gross_profit a year: one flow per full period at as_of + k periods, plus a
    // final partial one (see README.md, "Cash-flow timing"). Empty for a zero duration.
    std::vector<CashFlow> gross_profit_flows(double annual_gross_profit, double duration_years) const;

    QuantLib::Date as_of() const noexcept { return as_of_; }
    Timing timing() const noexcept { return timing_; }

private:
    QuantLib::Date as_of_;
    Timing timing_;
};

}  // namespace impact::revenue

#endif  // IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP
