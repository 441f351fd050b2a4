// Currency codes and dated FX quote resolution (direct, inverse, triangulated) for fx.convert.
#ifndef IMPACT_PLUGINS_FX_FX_RATES_HPP
#define IMPACT_PLUGINS_FX_FX_RATES_HPP

// Pure logic on the SDK's header-only helpers (currencies, dates), no wrapper types: the
// plugin and the reference tests both link it.
// Thread safety: every function here is safe to call concurrently; QuoteTable is
// immutable after construction. Nothing touches QuantLib's process-wide singletons
// (ExchangeRateManager, Settings, Money::Settings), which are not thread-safe.

#include <ql/currency.hpp>
#include <ql/exchangerate.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact::fx {

// The QuantLib currency for an upper-case ISO 4217 code ("USD"), or nullopt when the
// code is unknown. Codes are case-sensitive: "usd" is unknown.
std::optional<QuantLib::Currency> currency_from_code(std::string_view iso_code);

// Every code currency_from_code() knows (impact::sdk::iso4217_currencies), sorted.
std::vector<std::string_view> known_currency_codes();

// The QuantLib currencies are built from impact/sdk/currencies.hpp (the project's ISO 4217
// table), not from QuantLib's own list: fractions per unit are 10^minor_units and every
// current code works.

// Thrown when a code is not in the table; what() is impact::sdk::unknown_currency_message().
class UnknownCurrency : public std::invalid_argument {
public:
    explicit UnknownCurrency(std::string iso_code);
    const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

// Thrown by QuoteTable::resolve when no usable rate exists; what() names the pair,
// the date, the staleness limit and the latest earlier observation, if any.
class RateNotFound : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// One observed quote: `rate` units of `quote` per 1 `base`, on date_days
// (days since 1970-01-01, as impact::sdk::Date).
struct Quote {
    std::string base;
    std::string quote;
    int32_t date_days = 0;
    double rate = 0.0;
};

// A "BASE/QUOTE" series label split in two, e.g. "USD/KRW" -> {"USD", "KRW"}.
// nullopt unless it is exactly two three-letter upper-case codes around one '/'.
// (The codes are not checked against the currency table here.)
std::optional<std::pair<std::string, std::string>> parse_pair_label(std::string_view label);

// One quote as used in a resolution.
struct RateLeg {
    Quote quote;                  // as observed (base/quote orientation of the table)
    bool inverted = false;        // true when used in the quote->base direction
    bool inverse_agrees = false;  // a direct quote also quoted inversely on its date, within inverse_tolerance
};

// A direct quote (BASE/QUOTE) and an inverse one (QUOTE/BASE) on the same date must agree:
// |direct - 1/inverse| <= inverse_tolerance x direct.
inline constexpr double inverse_tolerance = 1e-6;
bool inverse_agrees(double direct, double inverse) noexcept;

// A resolved conversion from `from` to `to`.
struct ResolvedRate {
    // Direct for a single quote (possibly applied inversely by exchange()),
    // Derived (ExchangeRate::chain) for a triangulation, source/target from -> to.
    QuantLib::ExchangeRate exchange_rate;
    double rate = 1.0;          // effective units of `to` per 1 `from`
    std::vector<RateLeg> legs;  // empty when from == to; 1 direct or inverse; 2 triangulated
    std::string description;    // "USD/KRW 2025-04-14", "inverse of KRW/USD 2025-04-14", ...

    // The oldest leg's date: the date a report should show for the rate. nullopt if no legs.
    std::optional<int32_t> oldest_date_days() const;
};

// A rate given directly: `rate` units of `to` per 1 `from`. Throws UnknownCurrency, or
// std::invalid_argument when rate is not a finite, normal number > 0 (zero, negative, NaN,
// infinite and subnormal rates such as 1e-320 are refused), or from == to and rate != 1.
ResolvedRate given_rate(std::string_view from, std::string_view to, double rate);

// The checks given_rate() makes on the number alone, for a rate given per row: throws
// std::invalid_argument with the same messages, allocates nothing when the rate is valid.
// The codes are not looked up here (the caller has).
void check_given_rate(std::string_view from, std::string_view to, double rate);

// Immutable table of dated quotes and the rule that picks a rate from it.
class QuoteTable {
public:
    // Throws UnknownCurrency for a code not in the currency table, std::invalid_argument
    // for base == quote, a rate that is not a finite normal number > 0, two quotes of the
    // same pair on the same date, or a direct and an inverse quote on the same date that
    // disagree by more than inverse_tolerance. When they agree, resolve() uses the direct
    // one and its description says that the inverse agrees.
    explicit QuoteTable(const std::vector<Quote>& quotes);

    // Rate from -> to on date_days, using observations at most max_stale_days
    // calendar days older than date_days (never later ones). In order of preference:
    //  (a) a direct quote from/to; (b) an inverse quote to/from;
    //  (c) two legs through one pivot currency, trying USD, then EUR, then the other
    //      codes alphabetically; each leg direct or inverse.
    // Each leg uses the latest observation in its window. from == to gives rate 1 with no
    // legs. Throws UnknownCurrency, std::invalid_argument (max_stale_days < 0) or RateNotFound.
    ResolvedRate resolve(std::string_view from, std::string_view to, int32_t date_days,
                         int32_t max_stale_days) const;

private:
    // The latest quote of exactly base/quote dated in [earliest_days, latest_days].
    const Quote* latest_in(const std::string& base, const std::string& quote, int32_t earliest_days,
                           int32_t latest_days) const;
    // A leg from `from` to `to` within the window: direct first, then inverse.
    std::optional<RateLeg> find_leg(const std::string& from, const std::string& to,
                                    int32_t earliest_days, int32_t latest_days) const;

    // Quotes by (base, quote), each vector sorted by date, oldest first.
    std::map<std::pair<std::string, std::string>, std::vector<Quote>> by_pair_;
    // Every code in the table, in pivot preference order: USD, EUR, then alphabetical.
    std::vector<std::string> pivots_;
};

}  // namespace impact::fx

#endif  // IMPACT_PLUGINS_FX_FX_RATES_HPP
