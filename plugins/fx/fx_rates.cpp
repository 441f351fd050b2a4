// Currency table and the dated FX quote resolver behind fx.convert.
#include "fx_rates.hpp"

#include <impact/sdk/currencies.hpp>
#include <impact/sdk/date.hpp>

#include <ql/math/rounding.hpp>
#include <ql/money.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <set>

namespace impact::fx {
namespace {

using QuantLib::Currency;

// QuantLib's Currency for one entry of the project's ISO 4217 table. Fractions per unit are
// 10^minor_units (KRW, JPY, VND, CLP 1; USD 100; BHD 1000), not QuantLib's own figures, and
// no rounding is attached. QuantLib compares currencies by name, and ISO gives VED and VES
// the same name, so the name carries the code to keep every currency distinct.
Currency make_currency(const sdk::CurrencyInfo& info) {
    int fractions_per_unit = 1;
    for (int i = 0; i < info.minor_units; ++i) fractions_per_unit *= 10;
    const std::string code(info.code);
    return Currency(fmt::format("{} ({})", info.name, code), code, static_cast<QuantLib::Integer>(info.numeric),
                    code, "", fractions_per_unit, QuantLib::Rounding(),
                    fmt::format("%3% %1$.{}f", static_cast<int>(info.minor_units)));
}

// One QuantLib Currency per table entry, in table order, built once (thread-safe static
// initialisation); copies share their data.
const std::vector<Currency>& quantlib_currencies() {
    static const std::vector<Currency> currencies = [] {
        std::vector<Currency> out;
        out.reserve(sdk::iso4217_currencies.size());
        for (const sdk::CurrencyInfo& info : sdk::iso4217_currencies) out.push_back(make_currency(info));
        return out;
    }();
    return currencies;
}

Currency require_currency(std::string_view code) {
    std::optional<Currency> currency = currency_from_code(code);
    if (!currency) throw UnknownCurrency(std::string(code));
    return *currency;
}

std::string pair_name(std::string_view base, std::string_view quote) {
    return fmt::format("{}/{}", base, quote);
}

std::string describe(const RateLeg& leg) {
    const std::string agreement =
        leg.inverse_agrees ? fmt::format(", confirmed by the inverse {} quote within 1e-6",
                                         pair_name(leg.quote.quote, leg.quote.base))
                           : std::string();
    return fmt::format("{}{} {}{}", leg.inverted ? "inverse of " : "", pair_name(leg.quote.base, leg.quote.quote),
                       sdk::Date{leg.quote.date_days}.iso(), agreement);
}

// The ExchangeRate of one quote as observed; exchange() applies it either way round.
QuantLib::ExchangeRate exchange_rate_of(const Quote& quote) {
    return QuantLib::ExchangeRate(require_currency(quote.base), require_currency(quote.quote), quote.rate);
}

// Fills rate from exchange_rate by converting one unit, the same path evaluation takes,
// and checks the result lands in `to`.
ResolvedRate finish(ResolvedRate resolved, const Currency& from, const Currency& to) {
    const QuantLib::Money one_unit = resolved.exchange_rate.exchange(QuantLib::Money(from, 1.0));
    if (one_unit.currency() != to)
        throw std::logic_error(fmt::format("exchange rate converts {} to {}, not {}", from.code(),
                                           one_unit.currency().code(), to.code()));
    resolved.rate = one_unit.value();
    // Each quote was checked, but a cross rate through a pivot can still overflow or underflow
    // (1e300 x 1e300): refuse it here, as a bad input, instead of converting at 0 or infinity.
    if (!(resolved.rate > 0.0 && std::isnormal(resolved.rate)))
        throw std::invalid_argument(fmt::format("the {} rate {} resolves to {}, not a finite normal number > 0; "
                                                "check the quotes it is made of",
                                                pair_name(from.code(), to.code()), resolved.description,
                                                resolved.rate));
    return resolved;
}

// Finite, > 0 and normal: a subnormal rate such as 1e-320 has lost its precision and would
// print as 0.
bool valid_rate(double rate) { return rate > 0.0 && std::isnormal(rate); }

}  // namespace

bool inverse_agrees(double direct, double inverse) noexcept {
    return std::fabs(direct - 1.0 / inverse) <= inverse_tolerance * std::fabs(direct);
}

std::optional<QuantLib::Currency> currency_from_code(std::string_view iso_code) {
    const sdk::CurrencyInfo* info = sdk::find_currency(iso_code);
    if (!info) return std::nullopt;
    return quantlib_currencies()[static_cast<std::size_t>(info - sdk::iso4217_currencies.data())];
}

std::vector<std::string_view> known_currency_codes() {
    std::vector<std::string_view> codes;
    codes.reserve(sdk::iso4217_currencies.size());
    for (const sdk::CurrencyInfo& c : sdk::iso4217_currencies) codes.push_back(c.code);
    return codes;
}

UnknownCurrency::UnknownCurrency(std::string iso_code)
    : std::invalid_argument(sdk::unknown_currency_message(iso_code)), code_(std::move(iso_code)) {}

std::optional<std::pair<std::string, std::string>> parse_pair_label(std::string_view label) {
    const auto is_code = [](std::string_view s) {
        return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    };
    const std::size_t slash = label.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string_view base = label.substr(0, slash);
    const std::string_view quote = label.substr(slash + 1);
    if (!is_code(base) || !is_code(quote)) return std::nullopt;
    return std::pair{std::string(base), std::string(quote)};
}

std::optional<int32_t> ResolvedRate::oldest_date_days() const {
    if (legs.empty()) return std::nullopt;
    int32_t oldest = legs.front().quote.date_days;
    for (const RateLeg& leg : legs) oldest = std::min(oldest, leg.quote.date_days);
    return oldest;
}

void check_given_rate(std::string_view from, std::string_view to, double rate) {
    if (!valid_rate(rate))
        throw std::invalid_argument(
            fmt::format("rate must be a finite number > 0, not below 2.2e-308 ({} per 1 {}), got {}", to, from, rate));
    // A same-currency rate other than 1 is a contradiction, not something to ignore.
    if (from == to && rate != 1.0)
        throw std::invalid_argument(
            fmt::format("from and to are both {}, so the rate must be 1, got {}", from, rate));
}

ResolvedRate given_rate(std::string_view from, std::string_view to, double rate) {
    const Currency from_currency = require_currency(from);
    const Currency to_currency = require_currency(to);
    check_given_rate(from, to, rate);
    ResolvedRate resolved;
    resolved.exchange_rate = QuantLib::ExchangeRate(from_currency, to_currency, rate);
    resolved.description = "given";
    return finish(std::move(resolved), from_currency, to_currency);
}

QuoteTable::QuoteTable(const std::vector<Quote>& quotes) {
    std::set<std::string> codes;
    for (const Quote& q : quotes) {
        require_currency(q.base);
        require_currency(q.quote);
        if (q.base == q.quote)
            throw std::invalid_argument(fmt::format("quote {} has the same currency on both sides",
                                                    pair_name(q.base, q.quote)));
        if (!valid_rate(q.rate))
            throw std::invalid_argument(fmt::format("{} quote on {} must be a finite number > 0, not below 2.2e-308, got {}",
                                                    pair_name(q.base, q.quote), sdk::Date{q.date_days}.iso(), q.rate));
        by_pair_[{q.base, q.quote}].push_back(q);
        codes.insert(q.base);
        codes.insert(q.quote);
    }
    for (auto& [pair, observed] : by_pair_) {
        std::sort(observed.begin(), observed.end(),
                  [](const Quote& a, const Quote& b) { return a.date_days < b.date_days; });
        const auto duplicate = std::adjacent_find(
            observed.begin(), observed.end(), [](const Quote& a, const Quote& b) { return a.date_days == b.date_days; });
        if (duplicate != observed.end())
            throw std::invalid_argument(fmt::format("two {} quotes on {}", pair_name(pair.first, pair.second),
                                                    sdk::Date{duplicate->date_days}.iso()));
    }
    // A pair quoted both ways on one date: refuse the two if they disagree, naming first the
    // one that comes first in `quotes` (so each disagreement is reported once).
    for (const Quote& direct : quotes) {
        const Quote* other = latest_in(direct.quote, direct.base, direct.date_days, direct.date_days);
        if (!other || inverse_agrees(direct.rate, other->rate)) continue;
        throw std::invalid_argument(fmt::format(
            "{} {} on {} disagrees with the inverse {} quote {} (1/{} = {:.6g}), more than 1e-6 relative",
            pair_name(direct.base, direct.quote), direct.rate, sdk::Date{direct.date_days}.iso(),
            pair_name(other->base, other->quote), other->rate, other->rate, 1.0 / other->rate));
    }
    // The pivot order is part of the documented rule: USD and EUR are the usual vehicle
    // currencies, the rest alphabetical so the choice never depends on input order.
    for (const char* preferred : {"USD", "EUR"})
        if (codes.erase(preferred)) pivots_.emplace_back(preferred);
    pivots_.insert(pivots_.end(), codes.begin(), codes.end());
}

const Quote* QuoteTable::latest_in(const std::string& base, const std::string& quote, int32_t earliest_days,
                                   int32_t latest_days) const {
    const auto found = by_pair_.find({base, quote});
    if (found == by_pair_.end()) return nullptr;
    const std::vector<Quote>& observed = found->second;
    // First observation after latest_days; the one before it is the candidate.
    const auto after = std::upper_bound(observed.begin(), observed.end(), latest_days,
                                        [](int32_t day, const Quote& q) { return day < q.date_days; });
    if (after == observed.begin()) return nullptr;
    const Quote& candidate = *std::prev(after);
    return candidate.date_days >= earliest_days ? &candidate : nullptr;
}

std::optional<RateLeg> QuoteTable::find_leg(const std::string& from, const std::string& to, int32_t earliest_days,
                                            int32_t latest_days) const {
    if (const Quote* direct = latest_in(from, to, earliest_days, latest_days)) {
        // The constructor refused disagreeing pairs, so an inverse quote on the same day agrees.
        const bool confirmed = latest_in(to, from, direct->date_days, direct->date_days) != nullptr;
        return RateLeg{*direct, false, confirmed};
    }
    if (const Quote* inverse = latest_in(to, from, earliest_days, latest_days)) return RateLeg{*inverse, true};
    return std::nullopt;
}

ResolvedRate QuoteTable::resolve(std::string_view from_code, std::string_view to_code, int32_t date_days,
                                 int32_t max_stale_days) const {
    const Currency from_currency = require_currency(from_code);
    const Currency to_currency = require_currency(to_code);
    if (max_stale_days < 0)
        throw std::invalid_argument(fmt::format("max_stale_days must be >= 0, got {}", max_stale_days));
    const std::string from(from_code), to(to_code);

    if (from == to) {
        ResolvedRate resolved;
        resolved.exchange_rate = QuantLib::ExchangeRate(from_currency, to_currency, 1.0);
        resolved.description = fmt::format("same currency ({}), rate 1", from);
        return finish(std::move(resolved), from_currency, to_currency);
    }

    // In 64 bits so that a date near the start of the int32 range cannot overflow.
    const int32_t earliest_days = static_cast<int32_t>(std::max<int64_t>(
        int64_t{date_days} - max_stale_days, std::numeric_limits<int32_t>::min()));

    if (std::optional<RateLeg> leg = find_leg(from, to, earliest_days, date_days)) {
        ResolvedRate resolved;
        resolved.exchange_rate = exchange_rate_of(leg->quote);
        resolved.description = describe(*leg);
        resolved.legs.push_back(std::move(*leg));
        return finish(std::move(resolved), from_currency, to_currency);
    }

    for (const std::string& pivot : pivots_) {
        if (pivot == from || pivot == to) continue;
        std::optional<RateLeg> first = find_leg(from, pivot, earliest_days, date_days);
        if (!first) continue;
        std::optional<RateLeg> second = find_leg(pivot, to, earliest_days, date_days);
        if (!second) continue;
        ResolvedRate resolved;
        // chain(r1, r2) with r1 on from/pivot and r2 on pivot/to yields source from and
        // target to whichever way each quote is written.
        resolved.exchange_rate =
            QuantLib::ExchangeRate::chain(exchange_rate_of(first->quote), exchange_rate_of(second->quote));
        resolved.description = describe(*first) + " x " + describe(*second);
        resolved.legs.push_back(std::move(*first));
        resolved.legs.push_back(std::move(*second));
        return finish(std::move(resolved), from_currency, to_currency);
    }

    // Nothing usable: say what the nearest miss was, so the user can widen the window
    // or add a quote.
    std::optional<int32_t> latest_earlier;
    for (const Quote* q : {latest_in(from, to, std::numeric_limits<int32_t>::min(), date_days),
                           latest_in(to, from, std::numeric_limits<int32_t>::min(), date_days)})
        if (q && (!latest_earlier || q->date_days > *latest_earlier)) latest_earlier = q->date_days;
    const std::string nearest = latest_earlier ? fmt::format("latest earlier: {}", sdk::Date{*latest_earlier}.iso())
                                               : fmt::format("no earlier {} or {} quote", pair_name(from, to),
                                                             pair_name(to, from));
    if (max_stale_days == 0)
        throw RateNotFound(fmt::format("no {} rate on {} (max_stale_days is 0; {})", pair_name(from, to),
                                       sdk::Date{date_days}.iso(), nearest));
    throw RateNotFound(fmt::format("no {} rate on {} or in the {} day{} before ({})", pair_name(from, to),
                                   sdk::Date{date_days}.iso(), max_stale_days, max_stale_days == 1 ? "" : "s", nearest));
}

}  // namespace impact::fx
