// `impact convert AMOUNT FROM TO`: one conversion through the fx.convert plugin.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "data/rates_csv.hpp"
#include "host/model.hpp"
#include "io/json_output.hpp"
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/money_format.hpp"
#include "text/money_locale.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <vector>

namespace impact::cli {
namespace {

constexpr const char* kFxModel = "fx.convert";

std::string note_or(const std::vector<std::pair<std::string, std::string>>& notes, std::string_view key,
                    std::string fallback) {
    for (const auto& [k, v] : notes)
        if (k == key) return v;
    return fallback;
}

// The amount, in FROM. A currency may be written with it ("55억 달러", "7조 8,584억 원", "5.5B USD"),
// and must then be FROM: `convert "55억 달러" KRW USD` is refused rather than read as won.
double amount_in_from(const ConvertOptions& convert) {
    const std::string& written = convert.amount;
    // A plain number keeps parse_amount's message, which says what is wrong with it.
    if (written.find(' ') == std::string::npos && text::trailing_korean_currency_word(written).empty())
        return text::parse_amount(written, "amount");
    const text::Quantity q = text::parse_quantity(written, "amount");
    if (!q.unit.empty() && q.unit != convert.from)
        throw UserError(fmt::format("amount: expected an amount in {} (FROM), found '{}', which is in {}", convert.from,
                                    written, q.unit));
    return q.value;
}

}  // namespace

int run_convert(const GlobalOptions& options, const ConvertOptions& convert) {
    const double amount = amount_in_from(convert);
    host::PreparedValues values;
    values.set_text("from", convert.from);
    values.set_text("to", convert.to);
    std::optional<double> given_rate;
    if (convert.rate) {
        const double rate = text::parse_amount(*convert.rate, "--rate");
        // isnormal: refuses 0 and subnormal rates such as 1e-320, which would print as "1 USD = 0 KRW".
        if (!(rate > 0) || !std::isnormal(rate))
            throw UserError(fmt::format("--rate: expected a positive number of {} per 1 {}, such as 1428.8, found '{}'",
                                        convert.to, convert.from, *convert.rate));
        given_rate = rate;
    } else if (convert.rates_file) {
        const auto date = text::parse_iso_date(*convert.date);
        if (!date) throw UserError(fmt::format("--date: expected YYYY-MM-DD, found '{}'", *convert.date));
        values.set_date("date", *date);
        for (auto& series : data::read_rates_csv(*convert.rates_file, options.max_input_bytes()))
            values.add_series("rates", series.pair, std::move(series.dates), std::move(series.rates));
        if (convert.max_stale_days) values.set_number("max_stale_days", *convert.max_stale_days);
    } else {
        throw UserError("rate: give --rate R, or --rates FILE with --date YYYY-MM-DD");
    }

    // Only the plugin that provides fx.convert is loaded; the others are listed from the cache.
    const host::Registry registry = load_registry(options, /*warn_rejected=*/true, {kFxModel});
    const auto model = registry.find_model(kFxModel);
    if (!model)
        throw UserError(fmt::format("model: no plugin provides '{}' (see 'impact plugins' for the search path)", kFxModel));
    // fx.convert 1.1.0 takes `rate` per row (optional: left out with --rates); 1.0.0, which a
    // plugin folder may still hold, took it once at prepare time. Both give the same result.
    const host::InputInfo* rate_input = model->info().find_input("rate");
    const bool rate_per_row = rate_input && rate_input->is_row_input();
    if (given_rate && !rate_per_row) values.set_number("rate", *given_rate);
    if (!given_rate && rate_per_row) values.leave_out_row_input("rate");
    const host::ModelInstance instance = model->prepare(std::move(values));
    // The one row, filled by column key, so the column order is the model's business.
    std::vector<double> row;
    for (const host::InputInfo* in : instance.row_inputs())
        row.push_back(in->key == "amount" ? amount
                      : in->key == "rate" && given_rate ? *given_rate
                                                        : std::nan(""));
    std::vector<double> outputs(instance.output_width());
    instance.evaluate(row, outputs);
    const auto output = [&](std::string_view key) {
        const auto& declared = instance.info().outputs;
        for (std::size_t o = 0; o < declared.size(); ++o)
            if (declared[o].key == key) return outputs[o];
        throw UserError(fmt::format("model: '{}' has no output '{}'", kFxModel, key));
    };
    const double converted = output("converted");
    const double rate = output("rate");
    const auto notes = instance.notes();
    const std::string source = note_or(notes, "rate_source", "given");
    const std::string rate_date = note_or(notes, "rate_date", "");

    if (convert.json) {
        io::Json doc = io::Json::object();
        doc["schema"] = "impact.convert/1";
        doc["amount"] = {{"value", io::json_number(amount)}, {"currency", convert.from}};
        doc["converted"] = {{"value", io::json_number(converted)}, {"currency", convert.to}};
        io::Json& about_rate = doc["rate"] = io::Json::object();
        about_rate["value"] = io::json_number(rate);
        about_rate["unit"] = io::json_text(instance.resolve_unit("{to}/{from}"));
        about_rate["source"] = io::json_text(source);
        about_rate["date"] = rate_date.empty() ? io::Json() : io::json_text(rate_date);
        if (convert.to == "KRW") doc["korean_units"] = text::format_korean_units(converted);
        doc["model"] = {{"id", io::json_text(model->info().id)},
                        {"version", io::json_text(model->info().version)},
                        {"plugin", io::json_text(model->plugin().id)},
                        {"plugin_version", io::json_text(model->plugin().version)}};
        fmt::print("{}", io::json_document(doc));
        return kExitSuccess;
    }
    fmt::print("{} = {}\n", text::format_money_and_code(amount, convert.from),
               text::format_money_and_code(converted, convert.to));
    if (convert.to == "KRW") fmt::print("Korean units: {}\n", text::format_korean_units(converted));
    const std::string stale_days = note_or(notes, "stale_days", "0");
    const std::string staleness =
        stale_days == "0" || !convert.date ? std::string()
                                          : fmt::format(", {} days before {}", stale_days, *convert.date);
    fmt::print("Rate: 1 {} = {} {} ({}{})\n", convert.from, text::format_rate(rate), convert.to, source, staleness);
    return kExitSuccess;
}

}  // namespace impact::cli
