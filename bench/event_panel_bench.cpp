// Times impact::stock::run_event_panel (statistics only, after loading) on the panel bench/gen_event_panel.py writes.
//
// The folder comes from the environment variable IMPACT_BENCH_PANEL_DIR (bench/event_panel.sh sets
// it); without it the benchmark is skipped with an error. From that folder, read once:
//   panel.csv    date,MKT,F0001,...: the market and the firms' closes, ISO dates;
//   events.csv   firm,day0: one event ("bench") whose firms each have their own day 0;
//   panel.toml   estimation_days, gap_days, window = [a, b] and the event's own day 0 (the second
//                token of its events line); defaults L 250, G 10, [0, 1] where absent.
// Each iteration is one call of run_event_panel over every firm: per-firm fits, AR, CAR, SCAR and
// the cross-sectional tests, exactly the work the pandas peer's timed loop does. Items processed
// are (firm, event) observations. The counters repeat the headline results of one untimed run
// (CAAR and the test statistics) so they can be set beside the peer's.
//
//   IMPACT_BENCH_PANEL_DIR=DIR bench_event_panel [--benchmark_min_time=0.5] [--benchmark_repetitions=N]
#include "event_panel.hpp"

#include <impact/sdk/date.hpp>

#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace {

namespace stock = impact::stock;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
    return text;
}

template <typename T>
T parse_number(std::string_view text, std::string_view what) {
    text = trim(text);
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size())
        throw std::runtime_error("cannot read " + std::string(what) + " from '" + std::string(text) + "'");
    return value;
}

int32_t parse_iso_date(std::string_view text) {
    text = trim(text);
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        throw std::runtime_error("not an ISO date: '" + std::string(text) + "'");
    const int year = parse_number<int>(text.substr(0, 4), "a year");
    const auto month = parse_number<unsigned>(text.substr(5, 2), "a month");
    const auto day = parse_number<unsigned>(text.substr(8, 2), "a day");
    return static_cast<int32_t>(impact::sdk::Date::from_ymd(year, month, day).days_since_epoch);
}

// Everything read from the folder; the DatedCloses views point into `dates` and `closes`.
struct Panel {
    std::vector<int32_t> dates;
    std::vector<std::string> keys;             // firm columns, in file order
    std::vector<std::vector<double>> closes;   // one vector per firm column
    std::vector<double> market_closes;
    std::vector<stock::DatedCloses> firms;
    stock::DatedCloses market;
    std::vector<stock::PanelEvent> events;
    stock::EventPanelParameters parameters;
};

void read_csv(const std::string& path, Panel& panel) {
    const std::string text = read_file(path);
    std::vector<std::string_view> lines = split(text, '\n');
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    if (lines.size() < 2) throw std::runtime_error(path + " has no data rows");
    const std::vector<std::string_view> header = split(trim(lines[0]), ',');
    if (header.size() < 3 || header[0] != "date" || header[1] != "MKT")
        throw std::runtime_error(path + ": expected a header date,MKT,F0001,...");
    for (std::size_t c = 2; c < header.size(); ++c) panel.keys.emplace_back(header[c]);
    const std::size_t rows = lines.size() - 1;
    panel.dates.reserve(rows);
    panel.market_closes.reserve(rows);
    panel.closes.assign(panel.keys.size(), {});
    for (auto& column : panel.closes) column.reserve(rows);
    for (std::size_t r = 1; r < lines.size(); ++r) {
        const std::vector<std::string_view> cells = split(trim(lines[r]), ',');
        if (cells.size() != header.size())
            throw std::runtime_error(path + ": line " + std::to_string(r + 1) + " has " + std::to_string(cells.size()) +
                                     " cells, the header " + std::to_string(header.size()));
        panel.dates.push_back(parse_iso_date(cells[0]));
        panel.market_closes.push_back(parse_number<double>(cells[1], "a close"));
        for (std::size_t c = 2; c < cells.size(); ++c) panel.closes[c - 2].push_back(parse_number<double>(cells[c], "a close"));
    }
}

// The few scenario keys the benchmark needs, read line by line (the generator writes one per line).
struct ScenarioKeys {
    std::optional<int32_t> event_day0;
    std::string event_name = "bench";
};

ScenarioKeys read_toml(const std::string& path, stock::EventPanelParameters& parameters) {
    ScenarioKeys keys;
    const std::string text = read_file(path);
    bool in_events = false;
    for (std::string_view line : split(text, '\n')) {
        line = trim(line);
        if (in_events) {
            if (line.starts_with("\"\"\"")) {
                in_events = false;
            } else if (!line.empty() && !keys.event_day0) {
                const std::vector<std::string_view> tokens = split(line, ' ');
                if (tokens.size() >= 2) {
                    keys.event_name = std::string(tokens[0]);
                    keys.event_day0 = parse_iso_date(tokens[1]);
                }
            }
            continue;
        }
        const std::size_t equals = line.find('=');
        if (line.empty() || line.front() == '#' || equals == std::string_view::npos) continue;
        const std::string_view key = trim(line.substr(0, equals));
        const std::string_view value = trim(line.substr(equals + 1));
        if (key == "estimation_days") parameters.estimation_days = parse_number<int>(value, "estimation_days");
        else if (key == "gap_days") parameters.gap_days = parse_number<int>(value, "gap_days");
        else if (key == "window" && value.size() > 2 && value.front() == '[' && value.back() == ']') {
            const std::vector<std::string_view> ends = split(value.substr(1, value.size() - 2), ',');
            if (ends.size() != 2) throw std::runtime_error(path + ": window must be [a, b]");
            parameters.window_start = parse_number<int>(ends[0], "window");
            parameters.window_end = parse_number<int>(ends[1], "window");
        } else if (key == "events" && value == "\"\"\"") {
            in_events = true;
        }
    }
    return keys;
}

Panel load_panel(const std::string& folder) {
    Panel panel;
    panel.parameters.estimation_days = 250;
    panel.parameters.gap_days = 10;
    panel.parameters.window_start = 0;
    panel.parameters.window_end = 1;
    panel.parameters.returns = stock::ReturnType::simple;
    panel.parameters.method = stock::Method::market_model;
    read_csv(folder + "/panel.csv", panel);
    const ScenarioKeys keys = read_toml(folder + "/panel.toml", panel.parameters);

    stock::PanelEvent event;
    event.name = keys.event_name;
    const std::string events_text = read_file(folder + "/events.csv");
    std::vector<std::string_view> lines = split(events_text, '\n');
    if (lines.empty() || trim(lines[0]) != "firm,day0") throw std::runtime_error(folder + "/events.csv: expected firm,day0");
    for (std::size_t r = 1; r < lines.size(); ++r) {
        const std::string_view line = trim(lines[r]);
        if (line.empty()) continue;
        const std::vector<std::string_view> cells = split(line, ',');
        if (cells.size() != 2) throw std::runtime_error(folder + "/events.csv: line " + std::to_string(r + 1));
        event.firms.push_back({std::string(cells[0]), parse_iso_date(cells[1])});
    }
    if (event.firms.empty()) throw std::runtime_error(folder + "/events.csv lists no firm");
    event.event_date_days = keys.event_day0 ? *keys.event_day0 : *event.firms.front().event_date_days;
    panel.events.push_back(std::move(event));
    return panel;  // make_views() points the DatedCloses into it once it sits where it will stay
}

void make_views(Panel& panel) {
    panel.firms.clear();
    for (std::size_t i = 0; i < panel.keys.size(); ++i)
        panel.firms.push_back({panel.keys[i], panel.dates, panel.closes[i]});
    panel.market = {"market", panel.dates, panel.market_closes};
}

// The panel, read on first use; an error message instead when it cannot be read.
const Panel* shared_panel(std::string& error) {
    static std::string load_error;
    static const Panel* const panel = []() -> const Panel* {
        const char* folder = std::getenv("IMPACT_BENCH_PANEL_DIR");
        if (folder == nullptr || *folder == '\0') {
            load_error = "IMPACT_BENCH_PANEL_DIR is not set: point it at a folder written by bench/gen_event_panel.py";
            return nullptr;
        }
        try {
            auto* loaded = new Panel(load_panel(folder));  // lives to the end of the program
            make_views(*loaded);
            return loaded;
        } catch (const std::exception& e) {
            load_error = std::string("reading ") + folder + ": " + e.what();
            return nullptr;
        }
    }();
    error = load_error;
    return panel;
}

void BM_EventPanel(benchmark::State& state) {
    std::string error;
    const Panel* panel = shared_panel(error);
    if (panel == nullptr) {
        state.SkipWithError(error.c_str());
        return;
    }
    // One untimed run: it must succeed, and its headline results become counters.
    stock::EventPanelResult first;
    try {
        first = stock::run_event_panel(panel->firms, panel->market, panel->events, panel->parameters);
    } catch (const std::exception& e) {
        const std::string message = std::string("run_event_panel threw: ") + e.what();
        state.SkipWithError(message.c_str());
        return;
    }
    if (first.events.size() != 1 || first.observations.size() != panel->events.front().firms.size()) {
        state.SkipWithError("run_event_panel did not return one event with one observation per firm");
        return;
    }

    for (auto _ : state) {
        stock::EventPanelResult result =
            stock::run_event_panel(panel->firms, panel->market, panel->events, panel->parameters);
        benchmark::DoNotOptimize(result);
        benchmark::ClobberMemory();
    }

    const stock::EventAggregate& event = first.events.front();
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(first.observations.size()));
    state.counters["firms"] = event.firm_count;
    state.counters["caar"] = event.caar;
    state.counters["cross_sectional_t"] = event.cross_sectional_t.statistic;
    state.counters["patell_z"] = event.patell_z.statistic;
    state.counters["bmp_t"] = event.bmp_t.statistic;
    state.counters["kolari_pynnonen_t"] = event.kolari_pynnonen_t.statistic;
    if (event.corrado_z) state.counters["corrado_z"] = event.corrado_z->statistic;
    state.counters["generalized_sign_z"] = event.generalized_sign_z.statistic;
    state.counters["mean_residual_correlation"] = event.mean_residual_correlation;
}
BENCHMARK(BM_EventPanel)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
