// Rows per second of every bundled model's evaluate(), called through the C ABI on batches of 4,096 rows.
//
// Each bundled plugin file (impact-revenue.so, impact-stock.so, impact-fx.so) is loaded with
// impact::host::LoadedPlugin::load, as `impact` loads it; each model is created through the
// plugin's factory with realistic prepared values and timed on the raw C call
// instance->evaluate(instance, inputs, 4096, outputs, &error), nothing of the host's checks
// around it. Items processed are rows, so Google Benchmark's items_per_second is rows/s on
// one thread. bench/README.md ("Models per row through the C ABI") records the figures.
//
//   --plugin_dir=DIR   load the three plugin files from DIR instead of this build's bundled
//                      folder (to time copies of older builds against the current ones with
//                      one benchmark binary).
#include "data/csv.hpp"
#include "host/model_info.hpp"
#include "host/plugin_library.hpp"
#include "text/iso_date.hpp"

#include <impact/sdk/impact_plugin.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace host = impact::host;

constexpr uint64_t batch_rows = 4096;

// Host-side error storage, as a host provides it.
struct ErrorStorage {
    std::array<char, 1024> message{};
    std::array<char, 128> input_key{};
    impact_error error{};

    ErrorStorage() {
        error.struct_size = sizeof error;
        error.message = message.data();
        error.message_capacity = static_cast<uint32_t>(message.size());
        error.input_key = input_key.data();
        error.input_key_capacity = static_cast<uint32_t>(input_key.size());
        error.row = -1;
    }
    ErrorStorage(const ErrorStorage&) = delete;
    ErrorStorage& operator=(const ErrorStorage&) = delete;
};

// A dated series read from /work/shared/data (never copied into the project).
struct OwnedSeries {
    std::string label;
    std::vector<impact_date_days> dates;
    std::vector<double> values;
};

// The `date` and `close` columns of one of the shared CSV files, read with the host's reader.
OwnedSeries read_closes(const std::filesystem::path& file, std::string label) {
    const impact::data::CsvTable table = impact::data::read_csv(file);
    const auto date_column = table.column("date");
    const auto close_column = table.column("close");
    if (!date_column || !close_column) throw std::runtime_error(file.string() + ": no date or close column");
    OwnedSeries series{std::move(label), {}, {}};
    for (const auto& row : table.rows) {
        const auto date = impact::text::parse_iso_date(row.at(*date_column).text);
        if (!date) throw std::runtime_error(table.where(row.at(*date_column)) + ": not an ISO date");
        series.dates.push_back(*date);
        series.values.push_back(std::stod(std::string(row.at(*close_column).text)));
    }
    return series;
}

// One model instance, its prepared values (alive until destroy, as the C header asks) and one
// batch of rows.
struct Case {
    std::string name;  // the benchmark's name
    std::shared_ptr<const host::LoadedPlugin> plugin;
    std::string model_id;
    std::vector<std::string> keys;  // storage for the impact_value keys and texts
    std::vector<std::string> texts;
    std::vector<OwnedSeries> owned_series;
    std::vector<impact_series> series;
    std::vector<impact_value> values;
    std::vector<const char*> absent_row_inputs;  // optional-per-row inputs left out (ABI 1.3)
    std::size_t input_width = 0;
    std::size_t output_width = 0;
    std::vector<double> inputs;  // batch_rows x input_width, row-major
    std::vector<double> outputs;
    impact_model_instance* instance = nullptr;
    ErrorStorage error;

    Case() = default;
    Case(const Case&) = delete;
    Case& operator=(const Case&) = delete;
    ~Case() {
        if (instance) instance->destroy(instance);  // before `plugin` may unload its code
    }
};

impact_value make_value(const char* key, impact_input_kind kind) {
    impact_value v{};
    v.struct_size = sizeof v;
    v.key = key;
    v.kind = kind;
    return v;
}

const host::ModelInfo& model_info(const host::LoadedPlugin& plugin, std::string_view id) {
    for (const host::ModelInfo& m : plugin.info().models)
        if (m.id == id) return m;
    throw std::runtime_error(plugin.info().file.string() + ": no model " + std::string(id));
}

// Creates the instance from c.values, then fills c.inputs with `row(i, columns)` for each row.
template <class RowFunction>
void create(Case& c, const RowFunction& row) {
    const host::ModelInfo& info = model_info(*c.plugin, c.model_id);
    c.input_width = info.row_inputs().size();
    c.output_width = info.outputs.size();
    const impact_prepare_args args{sizeof(impact_prepare_args), c.values.data(), static_cast<uint32_t>(c.values.size()),
                                   c.absent_row_inputs.empty() ? nullptr : c.absent_row_inputs.data(),
                                   static_cast<uint32_t>(c.absent_row_inputs.size())};
    if (c.plugin->factory().create(c.model_id.c_str(), &args, &c.instance, &c.error.error) != IMPACT_STATUS_OK ||
        !c.instance)
        throw std::runtime_error(c.model_id + ": create failed: " + c.error.message.data());
    // At least one element, so data() is a valid pointer for a model with no batch columns.
    c.inputs.assign(std::max<std::size_t>(1, batch_rows * c.input_width), 0.0);
    for (uint64_t i = 0; i < batch_rows; ++i) row(i, &c.inputs[i * c.input_width]);
    c.outputs.assign(batch_rows * c.output_width, 0.0);
}

// One evaluate of the whole batch, checked: a benchmark of a model that refuses its rows or
// gives non-finite outputs would time the error path. Throws with the plugin's message.
void evaluate_checked(Case& c) {
    if (c.instance->evaluate(c.instance, c.inputs.data(), batch_rows, c.outputs.data(), &c.error.error) !=
        IMPACT_STATUS_OK)
        throw std::runtime_error(c.name + ": evaluate failed at row " + std::to_string(c.error.error.row) + ": " +
                                 c.error.message.data());
    const host::ModelInfo& info = model_info(*c.plugin, c.model_id);
    for (std::size_t i = 0; i < c.outputs.size(); ++i) {
        const host::OutputInfo& out = info.outputs[i % c.output_width];
        if (!std::isfinite(c.outputs[i]) && !out.may_be_undefined)
            throw std::runtime_error(c.name + ": output " + out.key + " of row " + std::to_string(i / c.output_width) +
                                     " is not finite");
    }
}

// Fixed seeds: every run evaluates the same rows, all inside the models' declared bounds.
std::vector<std::unique_ptr<Case>> make_cases(const std::filesystem::path& plugin_dir,
                                              const std::filesystem::path& data_dir) {
    const auto revenue = host::LoadedPlugin::load(plugin_dir / "impact-revenue.so");
    const auto stock = host::LoadedPlugin::load(plugin_dir / "impact-stock.so");
    const auto fx = host::LoadedPlugin::load(plugin_dir / "impact-fx.so");
    std::vector<std::unique_ptr<Case>> cases;

    // revenue.export_ban, the H20 case (plugins/revenue/README.md, "Worked example"): as_of
    // 2025-04-16, quarterly, one year, so four flows a row; the other numbers drawn around the
    // sample scenario's assumptions as a Monte Carlo run would. `duration` says how long.
    const auto export_ban = [&](std::string name, auto duration_years) {
        auto c = std::make_unique<Case>();
        c->name = std::move(name);
        c->plugin = revenue;
        c->model_id = "revenue.export_ban";
        impact_value currency = make_value("currency", IMPACT_KIND_TEXT);
        currency.text = "USD";
        impact_value as_of = make_value("as_of", IMPACT_KIND_DATE);
        as_of.date = *impact::text::parse_iso_date("2025-04-16");
        impact_value timing = make_value("timing", IMPACT_KIND_TEXT);
        timing.text = "quarterly";
        c->values = {currency, as_of, timing};
        std::mt19937_64 rng(20250416);
        std::uniform_real_distribution<double> annual_revenue(12e9, 15e9), share(0.8, 1.0), recapture(0.0, 0.2),
            margin(0.55, 0.65), one_off(4.5e9, 5.5e9), rate(0.06, 0.10);
        create(*c, [&](uint64_t, double* r) {
            r[0] = annual_revenue(rng);
            r[1] = share(rng);
            r[2] = duration_years(rng);
            r[3] = recapture(rng);
            r[4] = margin(rng);
            r[5] = one_off(rng);
            r[6] = rate(rng);
        });
        cases.push_back(std::move(c));
    };
    export_ban("revenue.export_ban", [](std::mt19937_64&) { return 1.0; });
    // Duration drawn too, uniform over 0 to 5 years: every row a different duration_years,
    // 0 to 20 flows (10 on average) and almost always a partial last quarter.
    export_ban("revenue.export_ban/duration_0_to_5y",
               [d = std::uniform_real_distribution<double>(0.0, 5.0)](std::mt19937_64& rng) mutable { return d(rng); });

    {  // stock.price_move: NVDA around 2025-04-16 (shared/data README: 112.19 -> 104.48), 24.4B shares.
        auto c = std::make_unique<Case>();
        c->name = "stock.price_move";
        c->plugin = stock;
        c->model_id = "stock.price_move";
        impact_value currency = make_value("currency", IMPACT_KIND_TEXT);
        currency.text = "USD";
        c->values = {currency};
        std::mt19937_64 rng(20250416);
        std::uniform_real_distribution<double> before(100.0, 120.0), move(-0.15, 0.05), shares(24e9, 25e9);
        create(*c, [&](uint64_t, double* r) {
            r[0] = before(rng);
            r[1] = r[0] * (1.0 + move(rng));
            r[2] = shares(rng);
        });
        cases.push_back(std::move(c));
    }
    {  // stock.event_study: the real NVDA and S&P 500 closes, day 0 = 2025-04-16, defaults
       // otherwise. Every input is prepared, so a row only copies the study's results.
        auto c = std::make_unique<Case>();
        c->name = "stock.event_study";
        c->plugin = stock;
        c->model_id = "stock.event_study";
        c->owned_series.push_back(read_closes(data_dir / "nvda-daily-2024-06_2025-05.csv", "NVDA close"));
        c->owned_series.push_back(read_closes(data_dir / "sp500-daily-2024-01_2026-01.csv", "S&P 500"));
        for (const OwnedSeries& s : c->owned_series)
            c->series.push_back({sizeof(impact_series), s.label.c_str(), s.dates.data(), s.values.data(), s.dates.size()});
        impact_value stock_closes = make_value("stock", IMPACT_KIND_SERIES);
        stock_closes.series = &c->series[0];
        stock_closes.series_count = 1;
        impact_value market_closes = make_value("market", IMPACT_KIND_SERIES);
        market_closes.series = &c->series[1];
        market_closes.series_count = 1;
        impact_value event_date = make_value("event_date", IMPACT_KIND_DATE);
        event_date.date = *impact::text::parse_iso_date("2025-04-16");
        impact_value shares = make_value("shares_outstanding", IMPACT_KIND_NUMBER);
        shares.number = 24.4e9;
        c->values = {stock_closes, market_closes, event_date, shares};
        create(*c, [](uint64_t, double*) {});
        cases.push_back(std::move(c));
    }
    // fx.convert: USD to KRW, amounts of a few billion dollars either way; `rate` is a batch
    // column (1.1.0), at 1428.8 in every row, or drawn per row as a Monte Carlo run would.
    const auto fx_convert = [&](std::string name, auto rate_of_row) {
        auto c = std::make_unique<Case>();
        c->name = std::move(name);
        c->plugin = fx;
        c->model_id = "fx.convert";
        impact_value from = make_value("from", IMPACT_KIND_TEXT);
        from.text = "USD";
        impact_value to = make_value("to", IMPACT_KIND_TEXT);
        to.text = "KRW";
        c->values = {from, to};
        std::mt19937_64 rng(20250416);
        std::uniform_real_distribution<double> amount(-15e9, 15e9);
        create(*c, [&](uint64_t, double* r) {
            r[0] = amount(rng);
            r[1] = rate_of_row(rng);
        });
        cases.push_back(std::move(c));
    };
    fx_convert("fx.convert", [](std::mt19937_64&) { return 1428.8; });
    fx_convert("fx.convert/rate_per_row",
               [d = std::uniform_real_distribution<double>(1400.0, 1450.0)](std::mt19937_64& rng) mutable {
                   return d(rng);
               });
    {  // fx.convert from a one-quote USD/KRW table: `rate` left out, one ExchangeRate per instance,
       // the path 1.0.0 took for every rate (the baseline for the per-row ExchangeRate above).
        auto c = std::make_unique<Case>();
        c->name = "fx.convert/rates_table";
        c->plugin = fx;
        c->model_id = "fx.convert";
        c->owned_series.push_back({"USD/KRW", {*impact::text::parse_iso_date("2025-04-14")}, {1428.8}});
        const OwnedSeries& s = c->owned_series[0];
        c->series.push_back({sizeof(impact_series), s.label.c_str(), s.dates.data(), s.values.data(), s.dates.size()});
        impact_value from = make_value("from", IMPACT_KIND_TEXT);
        from.text = "USD";
        impact_value to = make_value("to", IMPACT_KIND_TEXT);
        to.text = "KRW";
        impact_value rates = make_value("rates", IMPACT_KIND_SERIES);
        rates.series = &c->series[0];
        rates.series_count = 1;
        impact_value date = make_value("date", IMPACT_KIND_DATE);
        date.date = *impact::text::parse_iso_date("2025-04-17");
        c->values = {from, to, rates, date};
        c->absent_row_inputs = {"rate"};
        std::mt19937_64 rng(20250416);
        std::uniform_real_distribution<double> amount(-15e9, 15e9);
        create(*c, [&](uint64_t, double* r) {
            r[0] = amount(rng);
            r[1] = std::numeric_limits<double>::quiet_NaN();
        });
        cases.push_back(std::move(c));
    }
    for (const auto& c : cases) evaluate_checked(*c);

    // A known row, so that a benchmark of a wrong model is not reported: the worked example of
    // plugins/revenue/README.md, $13,220,788,405.44, and 1 USD = 1428.8 KRW.
    Case& ban = *cases[0];
    const std::array<double, 7> h20 = {13.5e9, 1.0, 1.0, 0.0, 0.6, 5.5e9, 0.08};
    std::vector<double> h20_out(ban.output_width);
    if (ban.instance->evaluate(ban.instance, h20.data(), 1, h20_out.data(), &ban.error.error) != IMPACT_STATUS_OK ||
        std::abs(h20_out[4] - 13'220'788'405.44) > 0.01)
        throw std::runtime_error("revenue.export_ban: the worked example gives " + std::to_string(h20_out[4]) +
                                 ", not 13220788405.44");
    Case& convert = **std::find_if(cases.begin(), cases.end(), [](const auto& c) { return c->name == "fx.convert"; });
    const std::array<double, 2> one_dollar = {1.0, 1428.8};  // amount, rate
    std::array<double, 2> converted{};
    if (convert.instance->evaluate(convert.instance, one_dollar.data(), 1, converted.data(), &convert.error.error) !=
            IMPACT_STATUS_OK ||
        converted[0] != 1428.8)
        throw std::runtime_error("fx.convert: 1 USD gives " + std::to_string(converted[0]) + " KRW, not 1428.8");
    return cases;
}

void evaluate_rows(benchmark::State& state, Case* c) {
    const impact_model_instance* instance = c->instance;
    const double* in = c->inputs.data();
    double* out = c->outputs.data();
    impact_error* error = &c->error.error;
    for (auto _ : state) {
        if (instance->evaluate(instance, in, batch_rows, out, error) != IMPACT_STATUS_OK) [[unlikely]] {
            state.SkipWithError("evaluate failed");
            break;
        }
        benchmark::DoNotOptimize(out);
        benchmark::ClobberMemory();
    }
    const auto rows = static_cast<double>(state.iterations()) * static_cast<double>(batch_rows);
    state.SetItemsProcessed(static_cast<int64_t>(rows));
    // Seconds per row (the inverse of items_per_second), printed with an SI prefix ("1.3us").
    state.counters["time_per_row"] = benchmark::Counter(rows, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Takes --plugin_dir=DIR out of argv (Google Benchmark refuses flags it does not know).
std::filesystem::path take_plugin_dir(int& argc, char** argv) {
    std::filesystem::path dir = IMPACT_BENCH_BUNDLED_PLUGIN_DIR;
    constexpr std::string_view flag = "--plugin_dir=";
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.substr(0, flag.size()) == flag) dir = arg.substr(flag.size());
        else argv[kept++] = argv[i];
    }
    argc = kept;
    return dir;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    const std::filesystem::path plugin_dir = take_plugin_dir(argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    try {
        const std::vector<std::unique_ptr<Case>> cases = make_cases(plugin_dir, IMPACT_BENCH_SHARED_DIR "/data");
        for (const auto& c : cases)
            benchmark::RegisterBenchmark((c->name + "/rows:4096").c_str(), evaluate_rows, c.get());
        benchmark::AddCustomContext("plugin_dir", plugin_dir.string());
        benchmark::AddCustomContext("build_type", IMPACT_BENCH_BUILD_TYPE);
        benchmark::AddCustomContext("compiler", IMPACT_BENCH_COMPILER);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "model_rows_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
