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
#include <map>
#include <numeric>

namespace impact::data {
namespace {


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
    struct Quote {
        impact_date_days date;
        double rate;
        std::size_t line;
    };
    std::map<std::string, std::vector<Quote>> by_pair;
    for (const auto& row : table.rows) {
        const CsvCell& date_cell = row[columns[0]];
        const auto date = text::parse_iso_date(date_cell.text);
        if (!date)
            throw UserError(fmt::format("{}: date: expected YYYY-MM-DD, found '{}'", table.where(date_cell), date_cell.text));
        for (int i : {1, 2}) {
            const CsvCell& cell = row[columns[i]];
            if (!text::looks_like_currency_code(cell.text))
                throw UserError(fmt::format("{}: {}: expected a three-letter currency code such as USD, found '{}'",
                                            table.where(cell), names[i], cell.text));
        }
        const CsvCell& rate_cell = row[columns[3]];
        double rate = 0;
        try {
            rate = text::parse_amount(rate_cell.text, "rate");
        } catch (const UserError& e) {
            throw UserError(fmt::format("{}: {}", table.where(rate_cell), e.what()));
        }
        if (!(rate > 0))
            throw UserError(fmt::format("{}: rate: expected a positive number, found '{}'", table.where(rate_cell),
                                        rate_cell.text));
        by_pair[row[columns[1]].text + "/" + row[columns[2]].text].push_back({*date, rate, date_cell.line});
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
