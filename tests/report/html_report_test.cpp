// HTML reports from hand-made report views: the SVG charts' marks, geometry, ticks and escaping, and the default template.
#include "report/html_report.hpp"
#include "report/svg_chart.hpp"
#include "support/temp_dir.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

using impact::report::View;

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
    return count;
}

// The attributes of every element whose start tag begins with `tag_start` (e.g. `<rect class="bin"`).
std::vector<std::map<std::string, std::string>> elements(const std::string& svg, const std::string& tag_start) {
    std::vector<std::map<std::string, std::string>> out;
    const std::regex attribute(R"re(([a-z0-9-]+)="([^"]*)")re");
    for (std::size_t at = svg.find(tag_start); at != std::string::npos; at = svg.find(tag_start, at + 1)) {
        const std::string tag = svg.substr(at, svg.find('>', at) - at);
        std::map<std::string, std::string> attributes;
        for (std::sregex_iterator it(tag.begin(), tag.end(), attribute), end; it != end; ++it)
            attributes[(*it)[1].str()] = (*it)[2].str();
        out.push_back(attributes);
    }
    return out;
}

double number(const std::map<std::string, std::string>& attributes, const std::string& name) {
    return std::stod(attributes.at(name));
}

// The texts of the tick labels, in order.
std::vector<std::string> tick_texts(const std::string& svg) {
    std::vector<std::string> out;
    const std::regex tick(R"re(<text class="tick"[^>]*>([^<]*)</text>)re");
    for (std::sregex_iterator it(svg.begin(), svg.end(), tick), end; it != end; ++it) out.push_back((*it)[1].str());
    return out;
}

View headline_item(const std::string& step, const std::string& output, const std::string& label, double value,
                   const std::string& value_text) {
    View item = View::object();
    item["step"] = step;
    item["output"] = output;
    item["label"] = label;
    item["unit"] = "USD";
    item["value"] = value;
    item["value_text"] = value_text;
    item["has_range"] = true;
    item["best"] = 12.0e9;
    item["worst"] = 15.0e9;
    item["best_text"] = "$12.0B";
    item["worst_text"] = "$15.0B";
    item["best_name"] = "낙관 (bull)";
    item["worst_name"] = "비관 (bear)";
    item["range_text"] = "$12.0–15.0B";
    item["direction"] = "lower_is_better";
    item["has_statistics"] = true;
    item["p5"] = 12.2e9;
    item["p50"] = 13.5e9;
    item["p95"] = 14.8e9;
    item["p5_text"] = "$12.2B";
    item["p50_text"] = "$13.5B";
    item["p95_text"] = "$14.8B";
    item["mean"] = 13.52e9;
    item["mean_text"] = "$13.5B";
    return item;
}

View bars_chart() {
    View chart = View::object();
    chart["id"] = "bars-h20";
    chart["kind"] = "bars";
    chart["title"] = "H20 매출 손실 by step";
    chart["unit"] = "USD";
    chart["step"] = "";
    chart["output"] = "loss";
    chart["bars"] = View::array();
    const struct {
        const char* label;
        double value;
        const char* value_text;
        bool has_whisker;
        double low, high;
    } bars[] = {
        {"Expected loss (Article 1)", 5.5e9, "$5.5B", false, 0, 0},
        {"H20 revenue 매출", 13.6e9, "$13.6B", true, 12.2e9, 14.8e9},
        {"R&D <capex> \"q\"", 2.0e9, "$2.0B", true, 1.5e9, 15.0e9},
    };
    for (const auto& b : bars) {
        View bar = View::object();
        bar["label"] = b.label;
        bar["value"] = b.value;
        bar["value_text"] = b.value_text;
        bar["has_whisker"] = b.has_whisker;
        bar["low"] = b.has_whisker ? View(b.low) : View(nullptr);
        bar["high"] = b.has_whisker ? View(b.high) : View(nullptr);
        bar["low_text"] = "";
        bar["high_text"] = "";
        chart["bars"].push_back(bar);
    }
    chart["bins"] = View::array();
    chart["rows"] = View::array();
    chart["base"] = nullptr;
    chart["base_text"] = "";
    return chart;
}

// Four bins of unequal widths (1, 0.5, 1.5 and 3 billion dollars).
View histogram_chart() {
    View chart = bars_chart();
    chart["id"] = "hist-h20";
    chart["kind"] = "histogram";
    chart["title"] = "H20 revenue: distribution of draws";
    chart["bars"] = View::array();
    const struct {
        double from, to, share;
    } bins[] = {{10e9, 11e9, 0.1}, {11e9, 11.5e9, 0.2}, {11.5e9, 13e9, 0.45}, {13e9, 16e9, 0.25}};
    for (const auto& b : bins) {
        View bin = View::object();
        bin["from"] = b.from;
        bin["to"] = b.to;
        bin["share"] = b.share;
        bin["density"] = b.share / (b.to - b.from);
        bin["label"] = "bin";
        chart["bins"].push_back(bin);
    }
    chart["base"] = 13.6e9;
    chart["base_text"] = "$13.6B";
    return chart;
}

View tornado_chart() {
    View chart = bars_chart();
    chart["id"] = "tornado-loss";
    chart["kind"] = "tornado";
    chart["title"] = "Loss: one input at a time";
    chart["bars"] = View::array();
    const struct {
        const char* label;
        double at_low, at_high;
        const char* low_text;
        const char* high_text;
    } rows[] = {
        {"H20 units shipped (출하량)", 3.0e9, 8.0e9, "$3.0B", "$8.0B"},
        {"Average selling price", 4.5e9, 6.5e9, "$4.5B", "$6.5B"},
        {"KRW/USD rate", 6.0e9, 5.0e9, "$6.0B", "$5.0B"},  // an input that lowers the loss when it rises
    };
    for (const auto& r : rows) {
        View row = View::object();
        row["input"] = "in";
        row["label"] = r.label;
        row["low_name"] = "P10";
        row["high_name"] = "P90";
        row["output_at_low"] = r.at_low;
        row["output_at_high"] = r.at_high;
        row["low_text"] = r.low_text;
        row["high_text"] = r.high_text;
        row["swing"] = std::fabs(r.at_high - r.at_low);
        row["swing_text"] = "";
        chart["rows"].push_back(row);
    }
    chart["base"] = 5.5e9;
    chart["base_text"] = "$5.5B";
    return chart;
}

// A view with every section, Korean text, every chart kind and a result table of 80 rows with long ids.
View sample_view() {
    View view = View::object();
    view["schema"] = "impact.report-view/1";
    view["kind"] = "run";
    view["locale"] = "ko";
    view["title"] = "H20 수출 규제의 영향 <Q2 & Q3>";
    view["description"] = "엔비디아 H20 수출 제한에 따른 매출 손실 추정 (Article 1: $5.5B, 7조 8,584억 원).";
    view["as_of"] = "2025-04-15";
    view["currency"] = "USD";
    view["incomplete"] = "1 step failed: the figures below are incomplete";
    view["is_incomplete"] = true;
    view["headline"] = View::array({headline_item("h20", "loss", "예상 손실 Expected loss", 5.5e9, "$5.5B"),
                                    headline_item("h20", "revenue_at_risk", "H20 revenue at risk", 13.6e9, "$13.6B"),
                                    headline_item("krw", "loss_krw", "원화 손실", 7.8584e12, "7조 8,584억 원")});
    view["assumptions"] = View::array();
    for (int i = 0; i < 4; ++i) {
        View a = View::object();
        a["step"] = "h20";
        a["input"] = "units_" + std::to_string(i);
        a["label"] = i == 0 ? "출하량 (units shipped)" : "Average selling price";
        a["kind"] = "number";
        a["value"] = 1.0e6;
        a["value_text"] = "1,000,000";
        a["unit"] = "";
        a["origin"] = "scenario";
        a["origin_text"] = "scenario line 12";
        a["is_override"] = i == 1;
        a["override_text"] = i == 1 ? "--set h20.units_1=2e6" : "";
        a["is_drawn"] = i == 2;
        a["distribution"] = i == 2 ? "triangular(0.8M, 1.0M, 1.4M)" : "";
        a["distribution_note"] = i == 2 ? "P5–P95 0.85M–1.31M" : "";
        view["assumptions"].push_back(a);
    }
    view["overrides"] = View::array({View{{"input", "h20.units_1"}, {"value", "2e6"}, {"replaces", "1e6"},
                                          {"replaced_at", "scenario.toml:12:9"}}});

    View step = View::object();
    step["id"] = "h20";
    step["model"] = "revenue.loss";
    step["model_version"] = "1.2.0";
    step["plugin"] = "impact-revenue";
    step["is_formula"] = false;
    step["expression"] = "";
    step["ranged"] = true;
    step["status"] = "ok";
    step["is_ok"] = true;
    step["message"] = "";
    View output = headline_item("h20", "loss", "예상 손실 Expected loss", 5.5e9, "$5.5B");
    output["cases"] = View::array({View{{"name", "낙관 (bull)"}, {"value", 12e9}, {"value_text", "$12.0B"}},
                                   View{{"name", "비관 (bear)"}, {"value", 15e9}, {"value_text", "$15.0B"}}});
    output["has_cases"] = true;
    output["thresholds"] = View::array({View{{"name", "loss > $10B"}, {"probability", 0.82}, {"probability_text", "82.0%"},
                                             {"draws", 8200}}});
    output["has_thresholds"] = true;
    output["percentiles"] = View::array();
    for (const char* name : {"P5", "P50", "P95"})
        output["percentiles"].push_back(View{{"name", name}, {"value", 1.0}, {"value_text", "$13.5B"}, {"ci_low", nullptr},
                                             {"ci_high", nullptr}});
    step["outputs"] = View::array({output});
    step["notes"] = View::array({View{{"key", "source"}, {"value", "Reuters, 2025-04-15; 조선일보 2025-04-16"}}});
    step["has_notes"] = true;
    View table = View::object();
    table["key"] = "daily";
    table["label"] = "Daily abnormal returns (일별 초과수익률)";
    table["description"] = "Market model, estimation window 250 days.";
    table["columns"] = View::array();
    for (const char* column : {"event_id", "date", "AR", "CAR", "t", "p"})
        table["columns"].push_back(View{{"key", column}, {"label", column}, {"unit", ""},
                                        {"is_text", std::string(column) == "event_id" || std::string(column) == "date"}});
    table["rows"] = View::array();
    for (int r = 0; r < 80; ++r) {
        View cells = View::array();
        cells.push_back(View{{"text", "evt_2025_04_15_nvidia_h20_export_license_requirement_notice_8k_" + std::to_string(r)},
                             {"value", nullptr}, {"is_text", true}, {"column_label", "event_id"}});
        cells.push_back(View{{"text", "2025-04-" + std::to_string(10 + r % 20)}, {"value", nullptr}, {"is_text", true},
                             {"column_label", "date"}});
        const char* labels[] = {"AR", "CAR", "t", "p"};
        int column = 0;
        for (const char* figure : {"-0.012345", "-0.098765", "-2.4567", "0.0140"})
            cells.push_back(View{{"text", figure}, {"value", std::stod(figure)}, {"is_text", false}, {"column_label", labels[column++]}});
        table["rows"].push_back(View{{"cells", cells}});
    }
    step["tables"] = View::array({table});
    step["has_tables"] = true;
    View failed = step;
    failed["id"] = "krw";
    failed["status"] = "failed";
    failed["is_ok"] = false;
    failed["message"] = "fx.convert: no KRW/USD quote on 2025-04-15 (rates.csv)";
    view["steps"] = View::array({step, failed});
    view["has_simulation"] = true;
    view["simulation"] = View{{"draws", 10000}, {"seed", 42}, {"threads", 2}, {"generator", "philox4x64-10"},
                              {"percentile_method", "numpy linear"}};
    view["has_cases"] = true;
    view["cases"] = View::array({View{{"name", "낙관 (bull)"}, {"description", "규제 완화"}},
                                 View{{"name", "비관 (bear)"}, {"description", "Full ban"}}});
    View values = View::array({View{{"step", "h20"}, {"value", 5.5e9}, {"value_text", "$5.5B"}},
                               View{{"step", "h20_alt"}, {"value", 6.1e9}, {"value_text", "$6.1B"}}});
    view["compare_groups"] = View::array(
        {View{{"name", "Loss estimates"}, {"steps", View::array({View{{"id", "h20"}}, View{{"id", "h20_alt"}}})},
              {"outputs", View::array({View{{"key", "loss"}, {"label", "손실"}, {"unit", "USD"}, {"values", values}}})}}});
    view["has_actuals"] = true;
    view["actuals"] = View::array({View{{"output", "h20.loss"},
                                        {"label", "예상 손실"},
                                        {"unit", "USD"},
                                        {"estimate", 5.5e9},
                                        {"estimate_text", "$5.5B"},
                                        {"actual", 4.5e9},
                                        {"actual_text", "$4.5B"},
                                        {"date", "2025-05-28"},
                                        {"error", 1.0e9},
                                        {"error_text", "$1.0B"},
                                        {"relative_error", 0.222},
                                        {"relative_error_text", "22.2%"},
                                        {"percentile", 0.03},
                                        {"percentile_text", "P3"},
                                        {"source", "NVIDIA 10-Q, Q1 FY2026"},
                                        {"unavailable", ""}}});
    view["charts"] = View::array({bars_chart(), histogram_chart(), tornado_chart()});
    view["has_sensitivity"] = true;
    view["sensitivity"] = View{
        {"output", "h20.loss"},
        {"label", "예상 손실"},
        {"unit", "USD"},
        {"point_value", 5.5e9},
        {"point_value_text", "$5.5B"},
        {"draws", 4096},
        {"seed", 7},
        {"rank", View::array({View{{"input", "h20.units"}, {"label", "출하량"}, {"spearman", 0.91}, {"spearman_text", "0.91"}}})},
        {"sobol", View::array({View{{"input", "h20.units"}, {"label", "출하량"}, {"first_order", 0.8}, {"total", 0.85},
                                    {"first_order_text", "0.80"}, {"total_text", "0.85"}}})}};
    view["provenance"] = View{{"tool", "impact 0.9.0"},
                              {"abi", "1.4"},
                              {"generated_at", "2026-11-30T00:00:00Z"},
                              {"scenario_file", "samples/h20_export_ban_with_a_long_folder_name/scenario.toml"},
                              {"scenario_sha256", std::string(64, 'a')},
                              {"seed", 42},
                              {"draws", 10000},
                              {"plugins", View::array({View{{"id", "impact-revenue"},
                                                            {"version", "1.2.0"},
                                                            {"file", "/usr/lib/impact/plugins/impact-revenue.so"},
                                                            {"sha256", std::string(64, 'b')}}})}};
    // The flags the view builder sets beside its lists (report_view.cpp).
    for (const char* list : {"headline", "assumptions", "overrides", "compare_groups", "charts"})
        view[std::string("has_") + list] = !view[list].empty();
    return view;
}

}  // namespace

TEST_CASE("bars: one bar per item, whiskers where has_whisker, widths proportional to value", "[report][svg]") {
    const View chart = bars_chart();
    const std::string svg = impact::report::render_svg_chart(chart);
    INFO(svg);
    CHECK(svg.rfind("<svg ", 0) == 0);
    CHECK(svg.find(R"(viewBox="0 0 400.0 )") != std::string::npos);
    CHECK(svg.find(R"(width="100%")") != std::string::npos);
    CHECK(svg.find(R"(aria-label="H20 매출 손실 by step")") != std::string::npos);
    CHECK(svg.find("<title>H20 매출 손실 by step</title>") != std::string::npos);
    const auto bars = elements(svg, R"(<rect class="bar")");
    REQUIRE(bars.size() == 3);
    CHECK(count_of(svg, R"(class="whisker")") == 2);  // items 2 and 3 have whiskers
    // Bars start at 0 and are as long as their values ($5.5B, $13.6B, $2.0B); coordinates carry one
    // decimal, so each width may be off by 0.1 viewBox units.
    const double per_billion = number(bars[1], "width") / 13.6;
    CHECK(number(bars[0], "width") == Approx(5.5 * per_billion).margin(0.15));
    CHECK(number(bars[2], "width") == Approx(2.0 * per_billion).margin(0.15));
    CHECK(number(bars[0], "x") == number(bars[1], "x"));
    // The axis ends at $15B (the highest whisker), in steps of $5B: 15/4 rounds up to 5.
    CHECK(tick_texts(svg) == std::vector<std::string>{"$0", "$5B", "$10B", "$15B"});
    // Text is escaped for XML; the label's raw markup never appears.
    CHECK(svg.find("R&amp;D &lt;capex&gt; &quot;q&quot;") != std::string::npos);
    CHECK(svg.find("<capex>") == std::string::npos);
    CHECK(svg.find("http") == std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(impact::report::render_svg_chart(chart) == svg);  // deterministic
}

TEST_CASE("histogram: bins placed by value, widths by bin width, heights by density", "[report][svg]") {
    const std::string svg = impact::report::render_svg_chart(histogram_chart());
    INFO(svg);
    const auto bins = elements(svg, R"(<rect class="bin")");
    REQUIRE(bins.size() == 4);
    // Bin widths 1, 0.5, 1.5, 3 (billions) and densities 0.1/1, 0.2/0.5, 0.45/1.5, 0.25/3.
    const double widths[] = {1.0, 0.5, 1.5, 3.0};
    const double densities[] = {0.1, 0.4, 0.3, 0.25 / 3.0};
    const double per_billion = number(bins[0], "width") / widths[0];
    const double per_density = number(bins[1], "height") / densities[1];  // the tallest bin
    for (std::size_t i = 0; i < 4; ++i) {
        INFO("bin " << i);
        CHECK(number(bins[i], "width") == Approx(widths[i] * per_billion).margin(0.15));
        CHECK(number(bins[i], "height") == Approx(densities[i] * per_density).margin(0.15));
        if (i > 0) CHECK(number(bins[i], "x") == Approx(number(bins[i - 1], "x") + number(bins[i - 1], "width")).margin(0.15));
    }
    CHECK(count_of(svg, R"(<line class="base")") == 1);
    // 10 to 16 billion: 6/4 = 1.5 rounds to a step of 2.
    CHECK(tick_texts(svg) == std::vector<std::string>{"$10B", "$12B", "$14B", "$16B"});
}

TEST_CASE("tornado: bars from the base value, rows in the order given, labels left", "[report][svg]") {
    const std::string svg = impact::report::render_svg_chart(tornado_chart());
    INFO(svg);
    const auto low = elements(svg, R"(<rect class="bar low")");
    const auto high = elements(svg, R"(<rect class="bar high")");
    REQUIRE(low.size() == 3);
    REQUIRE(high.size() == 3);
    const auto base = elements(svg, R"(<line class="base")");
    REQUIRE(base.size() == 1);
    const double base_x = number(base[0], "x1");
    for (std::size_t i = 0; i < 3; ++i) {
        INFO("row " << i);
        for (const auto& bar : {low[i], high[i]}) {
            const bool touches_base = std::fabs(number(bar, "x") - base_x) < 0.15 ||
                                      std::fabs(number(bar, "x") + number(bar, "width") - base_x) < 0.15;
            CHECK(touches_base);
        }
        if (i > 0) CHECK(number(low[i], "y") > number(low[i - 1], "y"));  // rows top to bottom as given
    }
    // Row 1: the low input gives $3.0B, left of the $5.5B base; the high input $8.0B, right of it.
    CHECK(number(low[0], "x") < base_x);
    CHECK(number(high[0], "x") == Approx(base_x).margin(0.15));
    // Row 3 runs the other way round: its low input lies right of the base.
    CHECK(number(low[2], "x") == Approx(base_x).margin(0.15));
    const std::size_t first = svg.find("H20 units shipped"), second = svg.find("Average selling price"),
                      third = svg.find("KRW/USD rate");
    CHECK(first < second);
    CHECK(second < third);
    CHECK(svg.find("input at P10") != std::string::npos);
}

TEST_CASE("a chart without items, or of an unknown kind, says so", "[report][svg]") {
    View chart = bars_chart();
    chart["bars"] = View::array();
    CHECK(impact::report::render_svg_chart(chart).find(">No data</text>") != std::string::npos);
    chart["kind"] = "pie";
    CHECK(impact::report::render_svg_chart(chart).find(">No data</text>") != std::string::npos);
}

TEST_CASE("axis ticks read as the report's money, in English and in Korean", "[report][svg]") {
    View chart = bars_chart();
    chart["unit"] = "KRW";
    chart["bars"] = View::array({View{{"label", "손실"}, {"value", 7.8584e12}, {"value_text", "7조 8,584억 원"},
                                      {"has_whisker", false}, {"low", nullptr}, {"high", nullptr},
                                      {"low_text", ""}, {"high_text", ""}}});
    // 0 to 7.86조: 7.86/4 = 1.96 rounds to a step of 2조, and the axis ends at 8조. The labels are
    // text::format_money_compact's (docs/money-locale.md), zero without its minor unit.
    CHECK(tick_texts(impact::report::render_svg_chart(chart, impact::text::Locale::ko)) ==
          std::vector<std::string>{"0 원", "2조 원", "4조 원", "6조 원", "8조 원"});
    CHECK(tick_texts(impact::report::render_svg_chart(chart, impact::text::Locale::en)) ==
          std::vector<std::string>{"₩0", "₩2T", "₩4T", "₩6T", "₩8T"});
    chart["unit"] = "USD";
    CHECK(tick_texts(impact::report::render_svg_chart(chart, impact::text::Locale::ko)).at(1) == "2조 달러");
    // Ticks of 2조 5,000억 원 (0 to 10조 in steps of 2.5조) are too long to stand side by side in
    // the plot: every second one is labelled; every tick keeps its grid line.
    chart["unit"] = "KRW";
    chart["bars"][0]["value"] = 9.9e12;
    const std::string thinned = impact::report::render_svg_chart(chart, impact::text::Locale::ko);
    INFO(thinned);
    CHECK(tick_texts(thinned) == std::vector<std::string>{"0 원", "5조 원", "10조 원"});
    CHECK(count_of(thinned, "<line x1=") == 5);
    // A "%" output holds fractions: 0 to 0.35 has a step of 0.1 (0.0875 rounded up), shown as 10%.
    chart["unit"] = "%";
    chart["bars"][0]["value"] = 0.35;
    CHECK(tick_texts(impact::report::render_svg_chart(chart)) ==
          std::vector<std::string>{"0%", "10%", "20%", "30%", "40%"});
    chart["unit"] = "shares";
    chart["bars"][0]["value"] = 2.5e6;
    CHECK(tick_texts(impact::report::render_svg_chart(chart)) ==
          std::vector<std::string>{"0", "1M", "2M", "3M"});  // 2.5M / 4 = 625K rounds up to a step of 1M
}

TEST_CASE("the default template renders every section, every chart and no URL", "[report][html]") {
    const View view = sample_view();
    const std::string html = impact::report::render_html(view, impact::report::default_html_template());
    for (const char* section : {R"(id="summary")", R"(id="charts")", R"(id="assumptions")", R"(id="step-h20")",
                                R"(id="step-krw")", R"(id="compare")", R"(id="actuals")", R"(id="sensitivity")",
                                R"(id="provenance")"}) {
        INFO("section " << section);
        CHECK(count_of(html, section) == 1);
    }
    CHECK(count_of(html, "<svg ") == 3);
    CHECK(count_of(html, R"(<rect class="bin")") == 4);
    CHECK(count_of(html, "<figure class=\"chart") == 3);
    CHECK(html.find("<title>H20 수출 규제의 영향 &lt;Q2 &amp; Q3&gt;</title>") != std::string::npos);
    CHECK(html.find(R"(<html lang="ko">)") != std::string::npos);
    CHECK(html.find("7조 8,584억 원") != std::string::npos);
    // The failed step's message, HTML-escaped as mstch escapes ("/" too).
    CHECK(html.find("fx.convert: no KRW&#x2F;USD quote") != std::string::npos);
    CHECK(html.find("1 step failed") != std::string::npos);
    CHECK(count_of(html, "evt_2025_04_15_nvidia_h20_export_license_requirement_notice_8k_") == 80);
    CHECK(count_of(html, R"(data-label="CAR")") == 80);  // cells know their column (phone cards)
    CHECK(html.find("\"Noto Sans CJK KR\"") != std::string::npos);
    CHECK(html.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("{{") == std::string::npos);
}

TEST_CASE("view text cannot inject markup into the page", "[report][html]") {
    View view = sample_view();
    view["title"] = "<script>alert(1)</script>";
    view["charts"][0]["title"] = "<img src=x onerror=alert(1)>";
    const std::string html = impact::report::render_html(view, impact::report::default_html_template());
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("&lt;script&gt;") != std::string::npos);
}

TEST_CASE("sections without items are left out", "[report][html]") {
    View view = sample_view();
    for (const char* list : {"headline", "assumptions", "compare_groups", "charts"}) {
        view[list] = View::array();
        view[std::string("has_") + list] = false;
    }
    view["has_actuals"] = false;
    view["has_sensitivity"] = false;
    const std::string html = impact::report::render_html(view, impact::report::default_html_template());
    for (const char* section : {R"(id="summary")", R"(id="charts")", R"(id="assumptions")", R"(id="compare")",
                                R"(id="actuals")", R"(id="sensitivity")"}) {
        INFO("section " << section);
        CHECK(html.find(section) == std::string::npos);
    }
    CHECK(html.find(R"(id="step-h20")") != std::string::npos);
}

TEST_CASE("a template is checked against the view's fields, charts[].svg among them", "[report][html]") {
    const View view = sample_view();
    // The fields render_html adds are known to the check ...
    const std::string page = impact::report::render_html(
        view, "{{#has_charts}}{{#charts}}{{{svg}}}{{/charts}}{{/has_charts}}{{#steps}}{{#tables}}{{#rows}}"
              "{{#cells}}[{{column_label}}]{{/cells}}{{/rows}}{{/tables}}{{/steps}}",
        "mine.html.mustache");
    CHECK(count_of(page, "<svg ") == 3);
    CHECK(page.find("[event_id][date][AR][CAR][t][p]") != std::string::npos);
    // ... a name that is no field is refused with where it is, before anything is rendered.
    CHECK_THROWS_WITH(impact::report::render_html(view, "<p>\n{{#charts}}{{svg_text}}{{/charts}}", "mine.html.mustache"),
                      Catch::Contains("mine.html.mustache:2:") && Catch::Contains("svg_text"));
    CHECK_THROWS_AS(impact::report::render_html(view, "{{#charts}}", "mine.html.mustache"), impact::UserError);
    // An empty template is the built-in one.
    CHECK(impact::report::render_html(view, "") ==
          impact::report::render_html(view, impact::report::default_html_template()));
}

// Hidden: run by the ctest report_html_fixture, which the browser tests (tests/browser) need.
TEST_CASE("writes the pages the browser tests open", "[.html-fixture]") {
    const std::filesystem::path folder = IMPACT_HTML_FIXTURE_DIR;
    const View view = sample_view();
    const std::string page_template(impact::report::default_html_template());
    impact::test::write_file(folder / "report.html", impact::report::render_html(view, page_template));

    // A template that fixes a table at 1200 px: the browser test must see the page scroll sideways.
    std::string wide = page_template;
    const std::string table_tag = R"(<table class="cards result-table">)";
    REQUIRE(wide.find(table_tag) != std::string::npos);
    wide.replace(wide.find(table_tag), table_tag.size(), R"(<table class="cards result-table" style="width:1200px">)");
    impact::test::write_file(folder / "wide_table.html", impact::report::render_html(view, wide));

    // A template that loads an image from the network: the browser test must see the request.
    std::string fetching = page_template;
    REQUIRE(fetching.find("<main>") != std::string::npos);
    fetching.replace(fetching.find("<main>"), 6, R"(<main><img src="http://192.0.2.1/logo.png" alt="">)");
    impact::test::write_file(folder / "network_image.html", impact::report::render_html(view, fetching));
}
