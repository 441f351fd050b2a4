// `impact convert AMOUNT FROM TO`: one conversion through the fx.convert plugin.
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "data/rates_csv.hpp"
#include "host/model.hpp"
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/json_writer.hpp"
#include "text/money_format.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>

namespace impact::cli {
namespace {

constexpr const char* kFxModel = "fx.convert";

std::string note_or(const std::vector<std::pair<std::string, std::string>>& notes, std::string_view key,
                    std::string fallback) {
    for (const auto& [k, v] : notes)
        if (k == key) return v;
    return fallback;
}

}  // namespace

int run_convert(const GlobalOptions& options, const ConvertOptions& convert) {
    const double amount = text::parse_amount(convert.amount, "amount");
    host::PreparedValues values;
    values.set_text("from", convert.from);
    values.set_text("to", convert.to);
    if (convert.rate) {
        const double rate = text::parse_amount(*convert.rate, "--rate");
        // isnormal: refuses 0 and subnormal rates such as 1e-320, which would print as "1 USD = 0 KRW".
        if (!(rate > 0) || !std::isnormal(rate))
            throw UserError(fmt::format("--rate: expected a positive number of {} per 1 {}, such as 1428.8, found '{}'",
                                        convert.to, convert.from, *convert.rate));
        values.set_number("rate", rate);
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
    const host::ModelInstance instance = model->prepare(std::move(values));
    const std::array<double, 1> row{amount};
    std::array<double, 2> outputs{};
    instance.evaluate(row, outputs);
    const double converted = outputs[0];
    const double rate = outputs[1];
    const auto notes = instance.notes();
    const std::string source = note_or(notes, "rate_source", "given");
    const std::string rate_date = note_or(notes, "rate_date", "");

    if (convert.json) {
        text::JsonWriter w;
        w.begin_object();
        w.key("schema").value("impact.convert/1");
        w.key("amount").begin_object().key("value").value(amount).key("currency").value(convert.from).end_object();
        w.key("converted").begin_object().key("value").value(converted).key("currency").value(convert.to).end_object();
        w.key("rate").begin_object().key("value").value(rate).key("unit").value(instance.resolve_unit("{to}/{from}"));
        w.key("source").value(source).key("date");
        rate_date.empty() ? w.null() : w.value(rate_date);
        w.end_object();
        if (convert.to == "KRW") w.key("korean_units").value(text::format_korean_units(converted));
        w.key("model").begin_object().key("id").value(model->info().id).key("version").value(model->info().version);
        w.key("plugin").value(model->plugin().id).key("plugin_version").value(model->plugin().version).end_object();
        w.end_object();
        fmt::print("{}", w.str());
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
