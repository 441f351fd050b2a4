// The fx.convert model: converts amounts between currencies at a rate given per row or a dated rate.
#include "fx_rates.hpp"

#include <impact/sdk/plugin.hpp>

#include <ql/currency.hpp>
#include <ql/exchangerate.hpp>
#include <ql/money.hpp>

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace sdk = impact::sdk;
namespace fx = impact::fx;

constexpr double default_max_stale_days = 7.0;

// 5.5e9, 1e300, 1428.8: six significant digits, exponent without '+' or leading zeros.
std::string short_number(double value) {
    std::string s = fmt::format("{:.6g}", value);
    const std::size_t e = s.find('e');
    if (e == std::string::npos) return s;
    std::size_t digits = e + 1;
    if (s[digits] == '+') s.erase(digits, 1);
    else if (s[digits] == '-') ++digits;
    while (digits + 1 < s.size() && s[digits] == '0') s.erase(digits, 1);
    return s;
}
constexpr double max_max_stale_days = 366.0;

class FxConvert {
public:
    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        return sdk::ModelSpec("fx.convert")
            .name("Currency conversion")
            .version("1.1.0")
            .description("Converts an amount from one currency to another at a given rate or at the rate a "
                         "dated quote table gives for a date (direct, inverse or through one common currency).")
            .references("QuantLib 1.29 Money and ExchangeRate (ql/money.hpp, ql/exchangerate.hpp): "
                        "ExchangeRate::exchange(Money) applies a quote in either direction and "
                        "ExchangeRate::chain derives a cross rate; no rounding is applied. "
                        "plugins/fx/README.md gives the rate-resolution rule.")
            .thread_safety(sdk::ThreadSafety::fully_safe)
            .input(Input::money("amount", "Amount")
                       .unit("{from}")
                       .required()
                       .description("Amount to convert, in the `from` currency; negative for a loss"))
            .input(Input::text("from", "From currency")
                       .required()
                       .description("ISO 4217 code of the amount's currency, upper-case (USD)"))
            .input(Input::text("to", "To currency")
                       .required()
                       .description("ISO 4217 code of the result's currency, upper-case (KRW)"))
            // Per row (1.1.0), so ranges and Monte Carlo draws reach it; optional because a
            // quote table may give the rate instead, and the model must know which at prepare time.
            .input(Input::number("rate", "Exchange rate")
                       .optional_row()
                       .unit("{to}/{from}")
                       .greater_than(0)
                       .description("Units of `to` per 1 `from`, greater than 0, per row; give either this or `rates`"))
            .input(Input::series("rates", "Rate table")
                       .description("Dated quotes, one series per pair labelled BASE/QUOTE (USD/KRW) holding units "
                                    "of QUOTE per 1 BASE; give either this or `rate`"))
            .input(Input::date("date", "Rate date")
                       .description("Date whose rate is taken from `rates`; required with `rates`"))
            .input(Input::number("max_stale_days", "Maximum rate age")
                       .prepared()
                       .default_value(default_max_stale_days)
                       .min(0)
                       .max(max_max_stale_days)
                       .unit("days")
                       .description("How many calendar days before `date` a quote may be and still be used"))
            .output(Output("converted", "Converted amount").unit("{to}").description("The amount in `to`"))
            .output(Output("rate", "Rate used").unit("{to}/{from}").description("Units of `to` per 1 `from`"));
    }

    explicit FxConvert(const sdk::PreparedInputs& in)
        : from_code_(in.currency("from")), to_code_(in.currency("to")) {
        // Both codes are in the SDK's table, which is the one currency_from_code() builds from.
        from_ = *fx::currency_from_code(from_code_);
        to_ = *fx::currency_from_code(to_code_);
        same_currency_ = from_code_ == to_code_;

        // `rate` is a batch column: the host says here whether it was given, so that both
        // refusals below happen at prepare time, in `impact validate` as in `impact run`.
        const bool has_rate = in.row_input_given("rate");
        const bool has_rates = in.has("rates");
        if (has_rate && has_rates)
            throw sdk::InputError("rate", "give either `rate` or `rates`, not both");
        if (!has_rate && !has_rates)
            throw sdk::InputError("rate", fmt::format("give `rate` ({} per 1 {}) or `rates` (a dated quote table)",
                                                      to_code_, from_code_));

        if (has_rate) {
            // Each row brings its own rate, so the note cannot name one; "given" is what 1.0.0
            // reported for its one rate, and the `rate` output of each row is that row's rate.
            rate_per_row_ = true;
            notes_.push_back({"rate_source", "given"});
            return;
        }
        fx::ResolvedRate resolved = from_table(in);
        exchange_rate_ = std::move(resolved.exchange_rate);
        rate_ = resolved.rate;

        notes_.push_back({"rate_source", resolved.description});
        if (const std::optional<int32_t> rate_date_days = resolved.oldest_date_days()) {
            notes_.push_back({"rate_date", sdk::Date{*rate_date_days}.iso()});
            notes_.push_back({"stale_days", std::to_string(date_days_ - *rate_date_days)});
        }
    }

    void evaluate(sdk::Batch& batch) const {
        // A given rate's ExchangeRate, built again only when a row's rate differs from the row
        // before: a batch at one rate (a plain run, a range of another input) costs what a rate
        // from `rates` does, and Monte Carlo draws pay one on-stack ExchangeRate a row (two
        // Currency handle copies, no allocation; bench/README.md). Local, so one instance may
        // still evaluate on several threads at once.
        QuantLib::ExchangeRate row_exchange_rate;
        double row_exchange_rate_of = std::numeric_limits<double>::quiet_NaN();
        sdk::for_each_row(batch, [&](uint64_t row) {
            const double amount = batch.input(row, amount_column_);
            // Conversion is linear, so losses (negative amounts) convert like gains; NaN and
            // infinities are refused: no finite report can be built on one.
            if (!std::isfinite(amount))
                throw sdk::InputError("amount", fmt::format("amount must be a finite number, got {} in row {}", amount, row));
            // QuantLib 1.29's exchange() multiplies (or divides, for an inverse quote) without
            // rounding and without consulting Money::Settings, so the value is the exact
            // floating-point product of the amount and the quote(s).
            const double rate = rate_per_row_ ? checked_row_rate(batch.input(row, rate_input_column_)) : rate_;
            if (rate_per_row_ && rate != row_exchange_rate_of) {
                row_exchange_rate = QuantLib::ExchangeRate(from_, to_, rate);
                row_exchange_rate_of = rate;
            }
            const QuantLib::ExchangeRate& exchange_rate = rate_per_row_ ? row_exchange_rate : exchange_rate_;
            const QuantLib::Money converted = exchange_rate.exchange(QuantLib::Money(from_, amount));
            if (!std::isfinite(converted.value()))
                throw sdk::ModelError(fmt::format("converted overflows to infinity: {} × {} in row {}",
                                                  short_number(amount), short_number(rate), row));
            batch.output(row, converted_column_) = converted.value();
            batch.output(row, rate_column_) = rate;
        });
    }

    std::vector<sdk::Note> notes() const { return notes_; }

private:
    // A row's given rate, with given_rate()'s checks: the host has refused NaN, infinities and
    // rates <= 0 already, but not subnormal ones, nor a rate other than 1 between one currency.
    // The message is built only for a rate that fails; for_each_row adds the row.
    double checked_row_rate(double rate) const {
        if (rate > 0.0 && std::isnormal(rate) && (!same_currency_ || rate == 1.0)) return rate;
        try {
            fx::check_given_rate(from_code_, to_code_, rate);
        } catch (const std::invalid_argument& e) {
            throw sdk::InputError("rate", e.what());
        }
        return rate;  // not reached: check_given_rate refuses what the line above refused
    }

    fx::ResolvedRate from_table(const sdk::PreparedInputs& in) {
        if (!in.has("date")) throw sdk::InputError("date", "`date` is required with `rates`: the rate of which day?");
        date_days_ = in.date("date").days_since_epoch;

        const double max_stale_days = in.number_or("max_stale_days", default_max_stale_days);
        if (!(max_stale_days >= 0.0 && max_stale_days <= max_max_stale_days) ||
            max_stale_days != std::floor(max_stale_days))
            throw sdk::InputError("max_stale_days",
                                  fmt::format("max_stale_days must be a whole number from 0 to {}, got {}",
                                              max_max_stale_days, max_stale_days));

        std::vector<fx::Quote> quotes;
        for (const sdk::SeriesView& series : in.series("rates")) {
            const auto pair = fx::parse_pair_label(series.label());
            if (!pair)
                throw sdk::InputError("rates", fmt::format("series label '{}' is not BASE/QUOTE, such as USD/KRW",
                                                           series.label()));
            if (series.size() > 0 && (!series.dates() || !series.values()))
                throw sdk::InputError("rates", fmt::format("series '{}' has no dates or values", series.label()));
            for (std::size_t i = 0; i < series.size(); ++i)
                quotes.push_back({pair->first, pair->second, series.date(i).days_since_epoch, series.value(i)});
        }
        try {
            const fx::QuoteTable table(quotes);
            return table.resolve(from_code_, to_code_, date_days_, static_cast<int32_t>(max_stale_days));
        } catch (const std::invalid_argument& e) {  // UnknownCurrency or a bad quote
            throw sdk::InputError("rates", e.what());
        } catch (const fx::RateNotFound& e) {
            throw sdk::InputError("rates", e.what());
        }
    }

    const uint32_t amount_column_ = sdk::input_column<FxConvert>("amount");
    const uint32_t rate_input_column_ = sdk::input_column<FxConvert>("rate");
    const uint32_t converted_column_ = sdk::output_column<FxConvert>("converted");
    const uint32_t rate_column_ = sdk::output_column<FxConvert>("rate");
    std::string from_code_, to_code_;
    QuantLib::Currency from_, to_;
    bool same_currency_ = false;
    bool rate_per_row_ = false;  // `rate` given: each row converts at its own rate
    QuantLib::ExchangeRate exchange_rate_;  // from `rates`; unused when rate_per_row_
    double rate_ = 1.0;        // units of `to` per 1 `from`, from `rates`
    int32_t date_days_ = 0;    // the `date` input; used only with `rates`
    std::vector<sdk::Note> notes_;
};

}  // namespace

IMPACT_PLUGIN("org.impact.fx", "1.1.0", "Currency conversion", FxConvert);
