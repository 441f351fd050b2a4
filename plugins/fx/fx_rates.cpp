// Currency table and the dated FX quote resolver behind fx.convert.
#include "fx_rates.hpp"

// Narrow QuantLib headers only: the all-in-one header costs seconds per file and pulls in the singletons.
#include <ql/currencies/africa.hpp>
#include <ql/currencies/america.hpp>
#include <ql/currencies/asia.hpp>
#include <ql/currencies/europe.hpp>
#include <ql/currencies/oceania.hpp>
#include <ql/money.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

namespace impact::fx {
namespace {

using QuantLib::Currency;

struct CurrencyEntry {
    std::string_view code;
    Currency (*make)();
};

// Sorted by code so lookups can binary-search. Only currencies in circulation: QuantLib
// also defines legacy ones (DEM, FRF, ...) and crypto, which an impact report never wants.
// Each QuantLib constructor shares one function-local static Data, so building a
// Currency is cheap and thread-safe.
constexpr std::array currency_table{
    CurrencyEntry{"AED", [] { return Currency(QuantLib::AEDCurrency()); }},
    CurrencyEntry{"ARS", [] { return Currency(QuantLib::ARSCurrency()); }},
    CurrencyEntry{"AUD", [] { return Currency(QuantLib::AUDCurrency()); }},
    CurrencyEntry{"BRL", [] { return Currency(QuantLib::BRLCurrency()); }},
    CurrencyEntry{"CAD", [] { return Currency(QuantLib::CADCurrency()); }},
    CurrencyEntry{"CHF", [] { return Currency(QuantLib::CHFCurrency()); }},
    CurrencyEntry{"CLP", [] { return Currency(QuantLib::CLPCurrency()); }},
    CurrencyEntry{"CNY", [] { return Currency(QuantLib::CNYCurrency()); }},
    CurrencyEntry{"COP", [] { return Currency(QuantLib::COPCurrency()); }},
    CurrencyEntry{"CZK", [] { return Currency(QuantLib::CZKCurrency()); }},
    CurrencyEntry{"DKK", [] { return Currency(QuantLib::DKKCurrency()); }},
    CurrencyEntry{"EGP", [] { return Currency(QuantLib::EGPCurrency()); }},
    CurrencyEntry{"EUR", [] { return Currency(QuantLib::EURCurrency()); }},
    CurrencyEntry{"GBP", [] { return Currency(QuantLib::GBPCurrency()); }},
    CurrencyEntry{"HKD", [] { return Currency(QuantLib::HKDCurrency()); }},
    CurrencyEntry{"HUF", [] { return Currency(QuantLib::HUFCurrency()); }},
    CurrencyEntry{"IDR", [] { return Currency(QuantLib::IDRCurrency()); }},
    CurrencyEntry{"ILS", [] { return Currency(QuantLib::ILSCurrency()); }},
    CurrencyEntry{"INR", [] { return Currency(QuantLib::INRCurrency()); }},
    CurrencyEntry{"JPY", [] { return Currency(QuantLib::JPYCurrency()); }},
    CurrencyEntry{"KRW", [] { return Currency(QuantLib::KRWCurrency()); }},
    CurrencyEntry{"MXN", [] { return Currency(QuantLib::MXNCurrency()); }},
    CurrencyEntry{"MYR", [] { return Currency(QuantLib::MYRCurrency()); }},
    CurrencyEntry{"NOK", [] { return Currency(QuantLib::NOKCurrency()); }},
    CurrencyEntry{"NZD", [] { return Currency(QuantLib::NZDCurrency()); }},
    CurrencyEntry{"PHP", [] { return Currency(QuantLib::PHPCurrency()); }},
    CurrencyEntry{"PLN", [] { return Currency(QuantLib::PLNCurrency()); }},
    CurrencyEntry{"SAR", [] { return Currency(QuantLib::SARCurrency()); }},
    CurrencyEntry{"SEK", [] { return Currency(QuantLib::SEKCurrency()); }},
    CurrencyEntry{"SGD", [] { return Currency(QuantLib::SGDCurrency()); }},
    CurrencyEntry{"THB", [] { return Currency(QuantLib::THBCurrency()); }},
    CurrencyEntry{"TRY", [] { return Currency(QuantLib::TRYCurrency()); }},
    CurrencyEntry{"TWD", [] { return Currency(QuantLib::TWDCurrency()); }},
    CurrencyEntry{"USD", [] { return Currency(QuantLib::USDCurrency()); }},
    CurrencyEntry{"VND", [] { return Currency(QuantLib::VNDCurrency()); }},
    CurrencyEntry{"ZAR", [] { return Currency(QuantLib::ZARCurrency()); }},
};

constexpr bool table_is_sorted() {
    for (std::size_t i = 1; i < currency_table.size(); ++i)
        if (!(currency_table[i - 1].code < currency_table[i].code)) return false;
    return true;
}
static_assert(table_is_sorted(), "currency_table must stay sorted by code, without duplicates");

Currency require_currency(std::string_view code) {
    std::optional<Currency> currency = currency_from_code(code);
    if (!currency) throw UnknownCurrency(std::string(code));
    return *currency;
}

std::string pair_name(std::string_view base, std::string_view quote) {
    return fmt::format("{}/{}", base, quote);
}

std::string describe(const RateLeg& leg) {
    return fmt::format("{}{} {}", leg.inverted ? "inverse of " : "", pair_name(leg.quote.base, leg.quote.quote),
                       iso_date(leg.quote.date_days));
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
    return resolved;
}

bool valid_rate(double rate) { return std::isfinite(rate) && rate > 0.0; }

}  // namespace

std::optional<QuantLib::Currency> currency_from_code(std::string_view iso_code) {
    const auto it = std::lower_bound(currency_table.begin(), currency_table.end(), iso_code,
                                     [](const CurrencyEntry& e, std::string_view code) { return e.code < code; });
    if (it == currency_table.end() || it->code != iso_code) return std::nullopt;
    return it->make();
}

std::vector<std::string_view> known_currency_codes() {
    std::vector<std::string_view> codes;
    codes.reserve(currency_table.size());
    for (const CurrencyEntry& e : currency_table) codes.push_back(e.code);
    return codes;
}

std::string unknown_currency_message(std::string_view iso_code) {
    return fmt::format("unknown currency code '{}'; expected an ISO 4217 code such as USD, EUR, KRW (known: {})",
                       iso_code, fmt::join(known_currency_codes(), ", "));
}

UnknownCurrency::UnknownCurrency(std::string iso_code)
    : std::invalid_argument(unknown_currency_message(iso_code)), code_(std::move(iso_code)) {}

std::string iso_date(int32_t date_days) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{date_days}}};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

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

ResolvedRate given_rate(std::string_view from, std::string_view to, double rate) {
    const Currency from_currency = require_currency(from);
    const Currency to_currency = require_currency(to);
    if (!valid_rate(rate))
        throw std::invalid_argument(
            fmt::format("rate must be a finite number > 0 ({} per 1 {}), got {}", to, from, rate));
    // A same-currency rate other than 1 is a contradiction, not something to ignore.
    if (from == to && rate != 1.0)
        throw std::invalid_argument(
            fmt::format("from and to are both {}, so the rate must be 1, got {}", from, rate));
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
            throw std::invalid_argument(fmt::format("{} quote on {} must be a finite number > 0, got {}",
                                                    pair_name(q.base, q.quote), iso_date(q.date_days), q.rate));
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
                                                    iso_date(duplicate->date_days)));
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
    if (const Quote* direct = latest_in(from, to, earliest_days, latest_days)) return RateLeg{*direct, false};
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
    const std::string nearest = latest_earlier ? fmt::format("latest earlier: {}", iso_date(*latest_earlier))
                                               : fmt::format("no earlier {} or {} quote", pair_name(from, to),
                                                             pair_name(to, from));
    if (max_stale_days == 0)
        throw RateNotFound(fmt::format("no {} rate on {} (max_stale_days is 0; {})", pair_name(from, to),
                                       iso_date(date_days), nearest));
    throw RateNotFound(fmt::format("no {} rate on {} or in the {} day{} before ({})", pair_name(from, to),
                                   iso_date(date_days), max_stale_days, max_stale_days == 1 ? "" : "s", nearest));
}

}  // namespace impact::fx
