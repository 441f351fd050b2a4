// FX quote files: validated cell by cell, grouped by pair, sorted by date.
#include "data/rates_csv.hpp"

#include "data/csv.hpp"
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace impact::data {
namespace {

// A direct and an inverse quote of one pair on one date must agree to this relative
// tolerance: |direct - 1/inverse| <= kInverseTolerance x direct. 1e-6 leaves room for a
// quote written with 7 significant digits and its inverse rounded the same way.
constexpr double kInverseTolerance = 1e-6;

struct Quote {
    impact_date_days date;
    double rate;
    std::size_t line;
};

}  // namespace

std::vector<RateSeries> read_rates_csv(const std::filesystem::path& file, std::uint64_t max_bytes) {
    const CsvTable table = read_csv(file, {}, max_bytes);
    std::size_t columns[4];
    const char* names[4] = {"date", "base", "quote", "rate"};
    for (int i = 0; i < 4; ++i) {
        const auto column = table.column(names[i]);
        if (!column)
            throw UserError(fmt::format("{}:1:1: expected a '{}' column (header date,base,quote,rate), found header "
                                        "'{}'",
                                        file.string(), names[i], fmt::join(table.header_names(), ",")));
        columns[i] = *column;
    }
    if (table.rows.empty()) {
        const std::size_t header_line = table.header.empty() ? 1 : table.header.front().line;
        throw UserError(fmt::format("{}:{}:1: expected at least one quote row after the header {}, found none",
                                    file.string(), header_line + 1, fmt::join(table.header_names(), ",")));
    }
    std::map<std::string, std::vector<Quote>> by_pair;
    for (const auto& row : table.rows) {
        const CsvCell& date_cell = row[columns[0]];
        const auto date = text::parse_iso_date(date_cell.text);
        if (!date)
            throw UserError(fmt::format("{}: date: expected YYYY-MM-DD, found '{}'", table.where(date_cell), date_cell.text));
        for (int i : {1, 2}) {
            const CsvCell& cell = row[columns[i]];
            if (!text::is_currency_code(cell.text))
                throw UserError(fmt::format("{}: {}: expected a current ISO 4217 code such as USD, found '{}'",
                                            table.where(cell), names[i], cell.text));
        }
        const CsvCell& rate_cell = row[columns[3]];
        double rate = 0;
        try {
            rate = text::parse_amount(rate_cell.text, "rate");
        } catch (const UserError& e) {
            throw UserError(fmt::format("{}: {}", table.where(rate_cell), e.what()));
        }
        // isnormal: not zero, not subnormal (1e-320 would print as a rate of 0), finite.
        if (!(rate > 0) || !std::isnormal(rate))
            throw UserError(fmt::format("{}: rate: expected a positive number, found '{}'", table.where(rate_cell),
                                        rate_cell.text));
        by_pair[fmt::format("{}/{}", row[columns[1]].text, row[columns[2]].text)].push_back({*date, rate, date_cell.line});
    }
    // A pair quoted both ways on one date: the two must say the same thing.
    for (const auto& [pair, quotes] : by_pair) {
        const std::string base = pair.substr(0, pair.find('/'));
        const std::string quote = pair.substr(pair.find('/') + 1);
        const auto inverse = by_pair.find(quote + "/" + base);
        if (inverse == by_pair.end()) continue;
        std::map<impact_date_days, const Quote*> inverse_by_date;
        for (const Quote& q : inverse->second) inverse_by_date.emplace(q.date, &q);
        for (const Quote& direct : quotes) {
            const auto found = inverse_by_date.find(direct.date);
            // Report each disagreement once, at the line that comes first in the file.
            if (found == inverse_by_date.end() || found->second->line < direct.line) continue;
            const Quote& other = *found->second;
            const double implied = 1.0 / other.rate;
            if (std::fabs(direct.rate - implied) <= kInverseTolerance * direct.rate) continue;
            throw UserError(fmt::format("{}:{}:1: {} {} on {} disagrees with the inverse {}/{} quote on line {} "
                                        "(1/{} = {:.6g}), more than 1e-6 relative",
                                        file.string(), direct.line, pair, direct.rate,
                                        text::format_iso_date(direct.date), quote, base, other.line, other.rate,
                                        implied));
        }
    }
    std::vector<RateSeries> out;
    for (auto& [pair, quotes] : by_pair) {
        std::stable_sort(quotes.begin(), quotes.end(), [](const Quote& a, const Quote& b) { return a.date < b.date; });
        RateSeries series{pair, {}, {}};
        for (std::size_t i = 0; i < quotes.size(); ++i) {
            if (i > 0 && quotes[i].date == quotes[i - 1].date)
                throw UserError(fmt::format("{}:{}:1: {} is quoted twice on {} (also on line {})", file.string(),
                                            std::max(quotes[i].line, quotes[i - 1].line), pair,
                                            text::format_iso_date(quotes[i].date),
                                            std::min(quotes[i].line, quotes[i - 1].line)));
            series.dates.push_back(quotes[i].date);
            series.rates.push_back(quotes[i].rate);
        }
        out.push_back(std::move(series));
    }
    return out;
}

}  // namespace impact::data
