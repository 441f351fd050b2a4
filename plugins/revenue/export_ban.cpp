// Lost revenue, gross profit and present value of an export restriction: the formulas.
#include "export_ban.hpp"

#include <ql/compounding.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
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

// Refuses NaN and infinities as well as values outside [low, high].
void check_range(const char* key, double value, double low, double high) {
    if (!std::isfinite(value) || value < low || value > high)
        throw sdk::InputError(key, std::string(key) + " must be a finite number from " + format_number(low) + " to " +
                                    format_number(high) + ", got " + format_number(value));
}
void check_at_least(const char* key, double value, double low) {
    if (!std::isfinite(value) || value < low)
        throw sdk::InputError(key, std::string(key) + " must be a finite number >= " + format_number(low) + ", got " +
                                    format_number(value));
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

std::vector<CashFlow> ExportBan::gross_profit_flows(double annual_gross_profit, double duration_years) const {
    const int months = months_per_period(timing_);
    const double period_years = months / 12.0;  // 0.25 or 1, both exact in binary
    double periods = duration_years / period_years;
    const double nearest = std::round(periods);
    if (std::abs(periods - nearest) <= whole_period_tolerance * std::max(1.0, nearest)) periods = nearest;
    const int full_periods = static_cast<int>(std::floor(periods));
    const double partial_fraction = periods - full_periods;  // of one period, in [0, 1)

    std::vector<CashFlow> flows;
    flows.reserve(static_cast<std::size_t>(full_periods) + 1);
    const double full_amount = annual_gross_profit * period_years;
    // Each date is counted from as_of, not from the previous flow, so month-end clamping
    // (31 Jan + 1 month = 28 Feb) does not accumulate.
    for (int k = 1; k <= full_periods; ++k)
        flows.push_back({as_of_ + QuantLib::Period(k * months, QuantLib::Months), full_amount});
    if (partial_fraction > 0.0) {
        // The last, partial period ends the same fraction of the way through the calendar
        // days of a full period starting where it starts, rounded to the nearest day.
        const QuantLib::Date start = as_of_ + QuantLib::Period(full_periods * months, QuantLib::Months);
        const QuantLib::Date full_end = as_of_ + QuantLib::Period((full_periods + 1) * months, QuantLib::Months);
        const auto period_days = static_cast<double>(full_end.serialNumber() - start.serialNumber());
        const auto partial_days = static_cast<QuantLib::Date::serial_type>(std::lround(partial_fraction * period_days));
        flows.push_back({start + partial_days, full_amount * partial_fraction});
    }
    return flows;
}

ExportBanResult ExportBan::evaluate(const ExportBanInputs& in) const {
    check_at_least("annual_revenue", in.annual_revenue, 0.0);
    check_range("restricted_share", in.restricted_share, 0.0, 1.0);
    check_range("duration_years", in.duration_years, 0.0, max_duration_years);
    check_range("recapture", in.recapture, 0.0, 1.0);
    check_range("gross_margin", in.gross_margin, 0.0, 1.0);
    check_at_least("one_off_charges", in.one_off_charges, 0.0);
    check_range("discount_rate", in.discount_rate, min_discount_rate, max_discount_rate);

    ExportBanResult out;
    const double annual_lost_revenue = in.annual_revenue * in.restricted_share * (1.0 - in.recapture);
    out.lost_revenue = annual_lost_revenue * in.duration_years;
    out.lost_gross_profit = out.lost_revenue * in.gross_margin;
    out.one_off_charges = in.one_off_charges;
    out.total_impact = out.lost_gross_profit + out.one_off_charges;

    // A curve per row because the rate is a row input; it is local, so rows evaluated on
    // different threads share nothing. Annual compounding on Actual/365 (Fixed) makes the
    // discount factor (1 + r)^-(days / 365).
    const QuantLib::FlatForward curve(as_of_, in.discount_rate, QuantLib::Actual365Fixed(), QuantLib::Compounded,
                                      QuantLib::Annual);
    // One-off charges are booked at as_of: discount factor 1.
    double pv = in.one_off_charges;
    for (const CashFlow& flow : gross_profit_flows(annual_lost_revenue * in.gross_margin, in.duration_years))
        pv += flow.amount * curve.discount(flow.date);
    out.pv_total_impact = pv;
    return out;
}

}  // namespace impact::revenue
