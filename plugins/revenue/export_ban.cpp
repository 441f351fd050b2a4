// Lost revenue, gross profit and present value of an export restriction: the formulas.
#include "export_ban.hpp"

#include <ql/time/daycounters/actual365fixed.hpp>
#include <ql/time/period.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace impact::revenue {
namespace {

std::string format_number(double value) {
    std::ostringstream out;
    out.precision(17);
    out << value;
    return out.str();
}

// Refuses NaN and infinities as well as values outside [low, high] (high = no_upper_bound: at least low).
void check_range(const char* key, double value, double low, double high) {
    if (within(value, low, high)) return;
    const std::string expected = high == no_upper_bound
                                     ? "a finite number >= " + format_number(low)
                                     : "a finite number from " + format_number(low) + " to " + format_number(high);
    throw sdk::InputError(key, std::string(key) + " must be " + expected + ", got " + format_number(value));
}

// Periods closer than this (relative) to a whole number count as whole, so that a duration
// such as 0.75 years written in decimal is not split into 3 quarters and a sliver.
constexpr double whole_period_tolerance = 1e-9;

}  // namespace

std::optional<Timing> parse_timing(std::string_view text) {
    if (text == "quarterly") return Timing::quarterly;
    if (text == "annual") return Timing::annual;
    return std::nullopt;
}

const char* timing_name(Timing timing) noexcept { return timing == Timing::quarterly ? "quarterly" : "annual"; }

int months_per_period(Timing timing) noexcept { return timing == Timing::quarterly ? 3 : 12; }

QuantLib::Date valuation_date_from_days(int32_t days_since_epoch) {
    // Built from year, month and day so that no offset between the SDK's 1970 epoch and
    // QuantLib's serial numbers is hard-coded.
    const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{days_since_epoch}}};
    const int year = static_cast<int>(d.year());
    // QuantLib's calendar ends on 2199-12-31; as_of + 50 years must stay inside it.
    if (year < 1901 || year > 2149)
        throw sdk::InputError("as_of", "as_of must lie between 1901-01-01 and 2149-12-31, got year " +
                                        std::to_string(year));
    return QuantLib::Date(static_cast<QuantLib::Day>(static_cast<unsigned>(d.day())),
                          static_cast<QuantLib::Month>(static_cast<unsigned>(d.month())),
                          static_cast<QuantLib::Year>(year));
}

namespace {

// The whole periods and the fraction of one more in duration_years (see README.md, "Cash-flow
// timing").
struct PeriodSplit {
    int full_periods = 0;
    double partial_fraction = 0.0;  // of one period, in [0, 1)
};
PeriodSplit split_periods(double duration_years, double period_years) noexcept {
    double periods = duration_years / period_years;
    const double nearest = std::round(periods);
    if (std::abs(periods - nearest) <= whole_period_tolerance * std::max(1.0, nearest)) periods = nearest;
    const int full_periods = static_cast<int>(std::floor(periods));
    return {full_periods, periods - full_periods};
}

double years_per_period(Timing timing) noexcept { return months_per_period(timing) / 12.0; }  // 0.25 or 1, exact

}  // namespace

ExportBan::ExportBan(QuantLib::Date as_of, Timing timing)
    : as_of_(as_of), timing_(timing), day_count_(QuantLib::Actual365Fixed()) {
    // Every whole period a restriction of up to max_duration_years can have: 200 quarters or
    // 50 years, plus k = 0 (as_of itself, where a partial first period starts).
    const int months = months_per_period(timing_);
    const auto max_periods = static_cast<int>(max_duration_years * 12.0) / months;
    period_ends_.reserve(static_cast<std::size_t>(max_periods) + 1);
    period_end_years_.reserve(static_cast<std::size_t>(max_periods) + 1);
    // Each end is counted from as_of, not from the previous one, so month-end clamping
    // (31 Jan + 1 month = 28 Feb) does not accumulate.
    for (int k = 0; k <= max_periods; ++k) {
        const QuantLib::Date end = as_of_ + QuantLib::Period(k * months, QuantLib::Months);
        period_ends_.push_back(end);
        period_end_years_.push_back(day_count_.yearFraction(as_of_, end));
    }
}

ExportBan::FlowSchedule ExportBan::schedule(double duration_years) const {
    FlowSchedule s;
    s.period_years = years_per_period(timing_);
    const PeriodSplit split = split_periods(duration_years, s.period_years);
    s.full_periods = split.full_periods;
    s.full_years = period_end_years_.data() + 1;
    if (split.partial_fraction > 0.0) {
        // The last, partial period ends the same fraction of the way through the calendar
        // days of a full period starting where it starts, rounded to the nearest day. A
        // partial period follows at most max_periods - 1 full ones, so k + 1 is in the table.
        const QuantLib::Date start = period_ends_[split.full_periods];
        const QuantLib::Date full_end = period_ends_[split.full_periods + 1];
        const auto period_days = static_cast<double>(full_end.serialNumber() - start.serialNumber());
        const auto partial_days =
            static_cast<QuantLib::Date::serial_type>(std::lround(split.partial_fraction * period_days));
        s.has_partial = true;
        s.partial_date = start + partial_days;
        s.partial_years = day_count_.yearFraction(as_of_, s.partial_date);
        s.partial_fraction = split.partial_fraction;
    }
    return s;
}

template <class Visit>
void ExportBan::for_each_flow(double annual_gross_profit, double duration_years, Visit&& visit) const {
    const FlowSchedule s = schedule(duration_years);
    const double full_amount = annual_gross_profit * s.period_years;
    for (int k = 1; k <= s.full_periods; ++k) visit(period_ends_[k], s.full_years[k - 1], full_amount);
    if (s.has_partial) visit(s.partial_date, s.partial_years, full_amount * s.partial_fraction);
}

std::vector<CashFlow> ExportBan::gross_profit_flows(double annual_gross_profit, double duration_years) const {
    // Outside evaluate() nothing has checked the duration, and the period table ends at 50 years.
    check_range("duration_years", duration_years, 0.0, max_duration_years);
    std::vector<CashFlow> flows;
    for_each_flow(annual_gross_profit, duration_years,
                  [&](const QuantLib::Date& date, double, double amount) { flows.push_back({date, amount}); });
    return flows;
}

std::vector<DiscountedFlow> ExportBan::discounted_flows(double annual_gross_profit, double duration_years,
                                                        double annual_rate) const {
    check_range("duration_years", duration_years, 0.0, max_duration_years);
    std::vector<DiscountedFlow> flows;
    for_each_flow(annual_gross_profit, duration_years, [&](const QuantLib::Date& date, double years, double amount) {
        flows.push_back({date, years, amount, annual_discount_factor(annual_rate, years)});
    });
    return flows;
}

ExportBanResult ExportBan::evaluate(const ExportBanInputs& in) const {
    for (const RowInputBound& b : row_input_bounds) check_range(b.key, in.*b.member, b.low, b.high);
    return evaluate(in, schedule(in.duration_years));
}

ExportBanResult ExportBan::evaluate(const ExportBanInputs& in, const FlowSchedule& flows) const noexcept {
    ExportBanResult out;
    const double annual_lost_revenue = in.annual_revenue * in.restricted_share * (1.0 - in.recapture);
    out.lost_revenue = annual_lost_revenue * in.duration_years;
    out.lost_gross_profit = out.lost_revenue * in.gross_margin;
    out.one_off_charges = in.one_off_charges;
    out.total_impact = out.lost_gross_profit + out.one_off_charges;

    // One-off charges are booked at as_of: discount factor 1. The flows are summed in date
    // order, each discounted as a FlatForward curve's discount(date) would (to 1e-14); no
    // QuantLib object is built for the row.
    const double full_amount = annual_lost_revenue * in.gross_margin * flows.period_years;
    const double log_growth = annual_log_growth(in.discount_rate);
    double pv = in.one_off_charges;
    for (int k = 0; k < flows.full_periods; ++k)
        pv += full_amount * discount_factor_from_log_growth(log_growth, flows.full_years[k]);
    if (flows.has_partial)
        pv += full_amount * flows.partial_fraction * discount_factor_from_log_growth(log_growth, flows.partial_years);
    out.pv_total_impact = pv;
    return out;
}

}  // namespace impact::revenue
