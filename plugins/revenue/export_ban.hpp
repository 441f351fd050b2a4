// Lost revenue, gross profit and present value of an export restriction (revenue.export_ban).
#ifndef IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP
#define IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP

// Pure logic; of the SDK only its header-only errors: the plugin links it and so could a test.
//
// Speed: the model is evaluated for millions of Monte Carlo rows, so everything that does not
// depend on a row's numbers is done once, when the instance is prepared. The flow dates of a
// restriction depend on its duration (a row input), but the end of its k-th whole period does
// not: it is as_of + k periods whatever the duration. So the constructor lays out the end of
// every whole period a restriction of up to 50 years can have (200 quarter ends or 50 year
// ends, QuantLib Date + Period) with its Actual/365 (Fixed) year fraction from as_of
// (QuantLib Actual365Fixed::yearFraction). A row then reads its full periods from that table;
// only a partial last period needs a date of its own, a few integer operations on the
// prepared dates. The discount factor is the closed form DF = (1 + r)^-t (see
// annual_discount_factor), so a row builds no QuantLib object and allocates nothing.
//
// Thread safety: ExportBan is immutable after construction (the period table included: it
// covers every duration, so nothing is cached or filled in later), so one ExportBan may be
// evaluated from several threads at once. Nothing reads or writes QuantLib's
// Settings::evaluationDate or any other process-wide singleton: every year fraction is
// counted from the explicit as_of.

#include <impact/sdk/errors.hpp>

#include <ql/time/date.hpp>
#include <ql/time/daycounter.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
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

// A flow as evaluate() discounts it: its Actual/365 (Fixed) year fraction from as_of and its
// discount factor at the row's rate.
struct DiscountedFlow {
    QuantLib::Date date;
    double years_from_as_of = 0.0;  // Actual/365 (Fixed): calendar days / 365
    double amount = 0.0;
    double discount_factor = 0.0;
};

// DF = (1 + annual_rate)^-years: annual compounding, what QuantLib's FlatForward(as_of,
// annual_rate, Actual365Fixed(), Compounded, Annual).discount(d) gives for d `years` after
// as_of, within 1e-14 relative (tests/models pin this against the curve). Computed as
// exp(-years * log1p(r)) from the row's log growth, taken once per row, rather than as QuantLib's
// 1 / pow(1 + r, t) per flow: one exp per flow costs a third of a pow, and log1p does not round
// 1 + r first. evaluate() and discounted_flows() both use these two functions, so they agree bit
// for bit.
inline double annual_log_growth(double annual_rate) noexcept { return std::log1p(annual_rate); }
inline double discount_factor_from_log_growth(double log_growth, double years) noexcept {
    return std::exp(-years * log_growth);
}
inline double annual_discount_factor(double annual_rate, double years) noexcept {
    return discount_factor_from_log_growth(annual_log_growth(annual_rate), years);
}

// Bounds of the row inputs, shared by the plugin's descriptor and the checks here.
inline constexpr double max_duration_years = 50.0;
inline constexpr double min_discount_rate = -0.5;
inline constexpr double max_discount_rate = 1.0;

// In [low, high] (finite bounds): false for NaN and infinities.
constexpr bool within(double value, double low, double high) noexcept { return value >= low && value <= high; }

// Each row input's bounds, [low, high]; high = DBL_MAX means "finite and at least low". The one
// list that evaluate() checks with its messages and ExportBan::inputs_in_bounds without them.
struct RowInputBound {
    const char* key;
    double ExportBanInputs::*member;
    double low;
    double high;
};
inline constexpr double no_upper_bound = std::numeric_limits<double>::max();
inline constexpr RowInputBound row_input_bounds[] = {
    {"annual_revenue", &ExportBanInputs::annual_revenue, 0.0, no_upper_bound},
    {"restricted_share", &ExportBanInputs::restricted_share, 0.0, 1.0},
    {"duration_years", &ExportBanInputs::duration_years, 0.0, max_duration_years},
    {"recapture", &ExportBanInputs::recapture, 0.0, 1.0},
    {"gross_margin", &ExportBanInputs::gross_margin, 0.0, 1.0},
    {"one_off_charges", &ExportBanInputs::one_off_charges, 0.0, no_upper_bound},
    {"discount_rate", &ExportBanInputs::discount_rate, min_discount_rate, max_discount_rate},
};

// The valuation date as a QuantLib date, from days since 1970-01-01. Throws impact::sdk::InputError
// ("as_of") unless the date lies in [1901-01-01, 2149-12-31]: QuantLib dates end in 2199
// and the longest restriction (50 years) must still fit.
QuantLib::Date valuation_date_from_days(int32_t days_since_epoch);

class ExportBan {
public:
    // Lays out the end of every whole period up to max_duration_years after as_of with its year
    // fraction (see above). as_of must leave room for 50 years before QuantLib's last date, as
    // valuation_date_from_days ensures; QuantLib throws otherwise.
    ExportBan(QuantLib::Date as_of, Timing timing);

    // Checks every input (finite and within its bounds; throws impact::sdk::InputError naming the key)
    // and computes the outputs.
    ExportBanResult evaluate(const ExportBanInputs& in) const;

    // The gross-profit flows of one duration, without their amounts: whole periods k = 1 .. full_periods
    // end full_years[k - 1] years after as_of, and a partial last period, if any, ends partial_years
    // after it and loses partial_fraction of a whole period's amount. Points into this ExportBan's
    // period table: valid while it lives.
    struct FlowSchedule {
        int full_periods = 0;
        const double* full_years = nullptr;
        double period_years = 0.0;       // 0.25 (quarterly) or 1 (annual)
        bool has_partial = false;
        QuantLib::Date partial_date{};
        double partial_years = 0.0;
        double partial_fraction = 0.0;   // of one period, in (0, 1)
    };
    // The schedule of a restriction lasting duration_years, which must lie in [0, max_duration_years]
    // (inputs_in_bounds); computed once per batch when every row has the same duration.
    FlowSchedule schedule(double duration_years) const;

    // True exactly when evaluate(in) would not throw: the same bounds, without building a message,
    // so that a batch can be checked in one branch-free pass.
    static bool inputs_in_bounds(const ExportBanInputs& in) noexcept;
    // The outputs of a row whose inputs are in bounds, with the schedule of its duration: the same
    // arithmetic in the same order as evaluate(in), so the results are bit-identical.
    ExportBanResult evaluate(const ExportBanInputs& in, const FlowSchedule& flows) const noexcept;

    // The dated gross-profit flows of a restriction lasting duration_years that loses
    // annual_gross_profit a year: one flow per full period at as_of + k periods, plus a
    // final partial one (see README.md, "Cash-flow timing"). Empty for a zero duration.
    // Throws impact::sdk::InputError unless duration_years lies in [0, max_duration_years].
    std::vector<CashFlow> gross_profit_flows(double annual_gross_profit, double duration_years) const;

    // The same flows with the year fractions and discount factors evaluate() uses at
    // annual_rate, computed by the same code: for tests that compare them with QuantLib's curve.
    std::vector<DiscountedFlow> discounted_flows(double annual_gross_profit, double duration_years,
                                                 double annual_rate) const;

    QuantLib::Date as_of() const noexcept { return as_of_; }
    Timing timing() const noexcept { return timing_; }

private:
    // Calls visit(date, years_from_as_of, amount) for each flow, in date order; allocates nothing.
    template <class Visit>
    void for_each_flow(double annual_gross_profit, double duration_years, Visit&& visit) const;

    QuantLib::Date as_of_;
    Timing timing_;
    QuantLib::DayCounter day_count_;              // Actual/365 (Fixed)
    std::vector<QuantLib::Date> period_ends_;     // [k] = as_of + k periods, k = 0 .. max whole periods
    std::vector<double> period_end_years_;        // [k] = day_count_.yearFraction(as_of, period_ends_[k])
};

// Inline, so that a batch's check loop sees the comparisons (it runs on every Monte Carlo batch).
inline bool ExportBan::inputs_in_bounds(const ExportBanInputs& in) noexcept {
    // &= rather than &&: no branch per input, so a batch's rows are checked at the speed of the data.
    bool in_bounds = true;
    for (const RowInputBound& b : row_input_bounds) in_bounds &= within(in.*b.member, b.low, b.high);
    return in_bounds;
}

}  // namespace impact::revenue

#endif  // IMPACT_PLUGINS_REVENUE_EXPORT_BAN_HPP
