// render_xlsx on report views built by hand: the bytes, the temporary folder, errors; and workbooks for check_xlsx.py.
#include "report/xlsx_report.hpp"
#include "support/temp_dir.hpp"
#include "text/user_error.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace {

using impact::report::render_xlsx;
using impact::report::View;
namespace fs = std::filesystem;

View figure(std::optional<double> value) { return value ? View(*value) : View(); }

// An output (headline row or step output) with every documented member; statistics when p5 is given.
View output(const char* step, const char* key, const char* label, const char* unit, std::optional<double> value,
            std::optional<double> best = std::nullopt, std::optional<double> worst = std::nullopt,
            const char* direction = "higher_is_better", std::optional<double> p5 = std::nullopt,
            std::optional<double> p50 = std::nullopt, std::optional<double> p95 = std::nullopt) {
    const bool neutral = std::string(direction) == "neutral";
    return View{{"step", step},
                {"output", key},
                {"label", label},
                {"unit", unit},
                {"value", figure(value)},
                {"value_text", "(text)"},
                {"has_range", best.has_value()},
                {"best", figure(best)},
                {"worst", figure(worst)},
                {"best_text", ""},
                {"worst_text", ""},
                {"best_name", neutral ? "low" : "best"},
                {"worst_name", neutral ? "high" : "worst"},
                {"range_text", ""},
                {"direction", direction},
                {"has_statistics", p5.has_value()},
                {"p5", figure(p5)},
                {"p50", figure(p50)},
                {"p95", figure(p95)},
                {"p5_text", ""},
                {"p50_text", ""},
                {"p95_text", ""},
                {"mean", p50 ? View(*p50 + 0.05e9) : View()},
                {"mean_text", ""},
                {"cases", View::array()},
                {"has_cases", false},
                {"thresholds", View::array()},
                {"has_thresholds", false},
                {"percentiles", View::array()}};
}

View step(const char* id, View outputs) {
    return View{{"id", id},           {"model", "revenue.export_ban"}, {"model_version", "1.2.0"}, {"plugin", "org.impact.revenue"},
                {"is_formula", false}, {"expression", ""},             {"ranged", true},           {"status", "ok"},
                {"is_ok", true},      {"message", ""},                 {"outputs", std::move(outputs)},
                {"notes", View::array()}, {"has_notes", false},        {"tables", View::array()},  {"has_tables", false}};
}

// A view with every top-level member, empty: the tests fill in what they exercise.
View empty_view(const char* title) {
    return View{{"schema", "impact.report-view/1"},
                {"kind", "run"},
                {"locale", "en"},
                {"title", title},
                {"description", "Hand-built view for the Excel tests"},
                {"as_of", "2025-04-15"},
                {"currency", "USD"},
                {"incomplete", ""},
                {"is_incomplete", false},
                {"headline", View::array()},
                {"assumptions", View::array()},
                {"overrides", View::array()},
                {"steps", View::array()},
                {"has_simulation", false},
                {"simulation", View{{"draws", 0}, {"seed", 0}, {"threads", 1}, {"generator", ""}, {"percentile_method", ""}}},
                {"has_cases", false},
                {"cases", View::array()},
                {"compare_groups", View::array()},
                {"has_actuals", false},
                {"actuals", View::array()},
                {"charts", View::array()},
                {"has_sensitivity", false},
                {"sensitivity", View::object()},
                {"provenance", View{{"tool", "impact 0.9.0"},
                                    {"abi", "1.4"},
                                    {"generated_at", "2025-04-16T09:00:00Z"},
                                    {"scenario_file", "h20.toml"},
                                    {"scenario_sha256", std::string(64, 'a')},
                                    {"seed", 42},
                                    {"draws", 10000},
                                    {"plugins", View::array({View{{"id", "org.impact.revenue"},
                                                                  {"version", "1.2.0"},
                                                                  {"file", "libimpact_revenue.so"},
                                                                  {"sha256", std::string(64, 'b')}}})}}}};
}

View assumption(const char* input, const char* unit, std::optional<double> value, const char* value_text) {
    return View{{"step", "h20_loss"}, {"input", input},          {"label", input},     {"kind", value ? "number" : "text"},
                {"value", figure(value)}, {"value_text", value_text}, {"unit", unit},   {"origin", "scenario"},
                {"origin_text", "h20.toml:12:1"}, {"is_override", false}, {"override_text", ""}, {"is_drawn", false},
                {"distribution", ""}, {"distribution_note", ""}};
}

View bar(const char* label, double value, std::optional<double> low, std::optional<double> high) {
    return View{{"label", label}, {"value", value},     {"value_text", ""},     {"has_whisker", low.has_value()},
                {"low", figure(low)}, {"high", figure(high)}, {"low_text", ""}, {"high_text", ""}};
}

View chart(const char* id, const char* kind, const char* title, const char* unit) {
    return View{{"id", id},     {"kind", kind},         {"title", title},       {"unit", unit},
                {"step", "h20_loss"}, {"output", "total_impact"}, {"bars", View::array()}, {"bins", View::array()},
                {"rows", View::array()}, {"base", nullptr}, {"base_text", ""}};
}

// The run of the H20 example: drawn outputs with cases and thresholds, a neutral output, nulls, a
// Korean title and a won output, a failed formula step, steps whose ids need new sheet names, a
// compare group, actuals and three charts.
View run_view() {
    View view = empty_view("H20 수출 규제 영향 (2025년 4월)");
    view["is_incomplete"] = true;
    view["incomplete"] = "1 step failed: the figures below are incomplete";
    view["headline"] = View::array({
        output("h20_loss", "total_impact", "Total impact", "USD", 13.6e9, 12e9, 15.2e9, "higher_is_better", 11.5e9, 13.5e9, 15.8e9),
        output("krw", "loss_krw", "매출 손실", "KRW", 7'858'400'000'000.0),
        output("h20_loss", "margin_change", "Margin change", "%", 0.063, 0.05, 0.08, "neutral"),
        output("h20_loss", "undefined_ratio", "Undefined ratio", "USD", std::nullopt),
    });
    view["assumptions"] = View::array({assumption("h20_revenue", "USD", 5.5e9, "$5.5B"),
                                       assumption("currency", "", std::nullopt, "USD"),
                                       assumption("share_lost", "%", 0.25, "25%"),
                                       // Formats by unit: ISO 4217 decimals (BHD 3, JPY 0), a code
                                       // without a symbol, grouped plain numbers, a rate below one.
                                       assumption("fee", "BHD", 1234.5678, ""), assumption("price", "JPY", 1000, ""),
                                       assumption("cost", "EUR", 2.5, ""), assumption("shares", "shares", 1e6, ""),
                                       assumption("rate", "KRW per USD", 1428.8, ""),
                                       assumption("inverse_rate", "USD per KRW", 0.0006998880179, "")});

    View drawn = output("h20_loss", "total_impact", "Total impact", "USD", 13.6e9, 12e9, 15.2e9, "higher_is_better", 11.5e9,
                        13.5e9, 15.8e9);
    drawn["percentiles"] = View::array({View{{"name", "P5"}, {"value", 11.5e9}, {"value_text", ""}, {"ci_low", 11.4e9}, {"ci_high", 11.6e9}},
                                        View{{"name", "P50"}, {"value", 13.5e9}, {"value_text", ""}, {"ci_low", nullptr}, {"ci_high", nullptr}},
                                        View{{"name", "P95"}, {"value", 15.8e9}, {"value_text", ""}, {"ci_low", 15.7e9}, {"ci_high", 15.9e9}}});
    drawn["has_cases"] = true;
    drawn["cases"] = View::array({View{{"name", "low"}, {"value", 12e9}, {"value_text", ""}},
                                  View{{"name", "high"}, {"value", nullptr}, {"value_text", "undefined"}}});
    drawn["has_thresholds"] = true;
    drawn["thresholds"] = View::array({View{{"name", "above $14B"}, {"probability", 0.42}, {"probability_text", "42%"}, {"draws", 4200}}});
    View h20 = step("h20_loss", View::array({drawn, output("h20_loss", "margin_change", "Margin change", "%", 0.063, 0.05, 0.08, "neutral")}));
    h20["has_notes"] = true;
    h20["notes"] = View::array({View{{"key", "rate_date"}, {"value", "2025-04-14"}}});
    h20["has_tables"] = true;
    h20["tables"] = View::array({View{
        {"key", "by_customer"},
        {"label", "Lost revenue by customer"},
        {"description", "Orders cancelled"},
        {"columns", View::array({View{{"key", "customer"}, {"label", "Customer"}, {"unit", ""}, {"is_text", true}},
                                 View{{"key", "amount"}, {"label", "Amount"}, {"unit", "USD"}, {"is_text", false}},
                                 View{{"key", "share"}, {"label", "Share"}, {"unit", "%"}, {"is_text", false}}})},
        {"rows", View::array({View{{"cells", View::array({View{{"text", "Tencent"}, {"value", nullptr}, {"is_text", true}},
                                                          View{{"text", "1.5B"}, {"value", 1.5e9}, {"is_text", false}},
                                                          View{{"text", ""}, {"value", nullptr}, {"is_text", false}}})}}})}}});

    View failed = step("a_very_long_step_identifier_for_sheet_1", View::array());
    failed["is_formula"] = true;
    failed["expression"] = "h20_loss.total_impact / 0";
    failed["status"] = "failed";
    failed["is_ok"] = false;
    failed["message"] = "division by zero";
    view["steps"] = View::array({h20, failed, step("a_very_long_step_identifier_for_sheet_2", View::array()),
                                 step("summary", View::array({output("summary", "total", "Total", "KRW", 1e12)})),
                                 step("history", View::array())});  // a name English Excel reserves

    view["compare_groups"] = View::array({View{
        {"name", "h20"},
        {"steps", View::array({View{{"id", "h20_loss"}}, View{{"id", "summary"}}})},
        {"outputs", View::array({View{{"key", "total_impact"}, {"label", "Total impact"}, {"unit", "USD"},
                                      {"values", View::array({View{{"step", "h20_loss"}, {"value", 13.6e9}, {"value_text", ""}},
                                                              View{{"step", "summary"}, {"value", nullptr}, {"value_text", ""}}})}}})}}});
    view["has_actuals"] = true;
    view["actuals"] = View::array({View{{"output", "h20_loss.total_impact"}, {"label", "Total impact"}, {"unit", "USD"},
                                        {"estimate", 13.6e9}, {"estimate_text", ""}, {"actual", 15e9}, {"actual_text", ""},
                                        {"date", "2025-05-28"}, {"error", -1.4e9}, {"error_text", ""},
                                        {"relative_error", -0.0933}, {"relative_error_text", ""}, {"percentile", 0.91},
                                        {"percentile_text", ""}, {"source", "NVIDIA 10-Q"}, {"unavailable", ""}}});

    View whiskers = chart("impact_bars", "bars", "Impact with P5–P95", "USD");
    whiskers["bars"] = View::array({bar("H20", 13.6e9, 11.5e9, 15.8e9), bar("H200", 2e9, std::nullopt, std::nullopt)});
    View plain = chart("plain_bars", "bars", "Impact", "USD");
    plain["bars"] = View::array({bar("H20", 13.6e9, std::nullopt, std::nullopt), bar("H200", 2e9, std::nullopt, std::nullopt)});
    View histogram = chart("histogram", "histogram", "Distribution of the total impact", "USD");
    for (int i = 0; i < 3; ++i)
        histogram["bins"].push_back(View{{"from", 10e9 + 2e9 * i}, {"to", 12e9 + 2e9 * i}, {"share", i == 1 ? 0.5 : 0.25},
                                         {"density", 0.0}, {"label", std::to_string(10 + 2 * i) + "–" + std::to_string(12 + 2 * i) + "B"}});
    view["charts"] = View::array({whiskers, plain, histogram});
    return view;
}

// A sensitivity view: its table and a tornado of two inputs around a base of $13.6B.
View sensitivity_view() {
    View view = empty_view("Sensitivity of the H20 impact");
    view["kind"] = "sensitivity";
    view["has_sensitivity"] = true;
    view["sensitivity"] = View{
        {"output", "h20_loss.total_impact"}, {"label", "Total impact"}, {"unit", "USD"}, {"point_value", 13.6e9},
        {"point_value_text", "$13.6B"}, {"draws", 4096}, {"seed", 7},
        {"rank", View::array({View{{"input", "share_lost"}, {"label", "Share lost"}, {"spearman", 0.81}, {"spearman_text", ""}},
                              View{{"input", "rate"}, {"label", "Rate"}, {"spearman", nullptr}, {"spearman_text", ""}}})},
        {"sobol", View::array({View{{"input", "share_lost"}, {"label", "Share lost"}, {"first_order", 0.62}, {"total", 0.7},
                                    {"first_order_text", ""}, {"total_text", ""}}})}};
    View tornado = chart("tornado", "tornado", "What moves the total impact", "USD");
    tornado["base"] = 13.6e9;
    tornado["rows"] = View::array({View{{"input", "share_lost"}, {"label", "Share lost"}, {"low_name", "10%"}, {"high_name", "40%"},
                                        {"output_at_low", 12e9}, {"output_at_high", 15e9}, {"low_text", ""}, {"high_text", ""},
                                        {"swing", 3e9}, {"swing_text", ""}},
                                   View{{"input", "rate"}, {"label", "Rate"}, {"low_name", "1,400"}, {"high_name", "1,450"},
                                        {"output_at_low", 13.5e9}, {"output_at_high", 13.8e9}, {"low_text", ""}, {"high_text", ""},
                                        {"swing", 0.3e9}, {"swing_text", ""}}});
    view["charts"] = View::array({tornado});
    return view;
}

View number_at(const char* sheet, const char* cell, double value, const char* format) {
    return View{{"sheet", sheet}, {"cell", cell}, {"value", value}, {"format", format}};
}
View text_at(const char* sheet, const char* cell, const char* value) { return View{{"sheet", sheet}, {"cell", cell}, {"value", value}}; }
View empty_at(const char* sheet, const char* cell) { return View{{"sheet", sheet}, {"cell", cell}}; }

// What check_xlsx.py must find in run.xlsx. The cells follow the layout of xlsx_report.cpp:
// Summary rows 1-4 title, description, as of, warning; headline header in row 6, rows from 7.
View run_expectations() {
    const char* usd = "[$$-409]#,##0.00";
    const char* krw = "[$₩-412]#,##0";
    const char* h20_sheet = "h20_loss";
    return View{
        {"sheets", View::array({"Summary", "Assumptions", "h20_loss", "a_very_long_step_identifier_for", "a_very_long_step_identifier_f~2",
                                "summary~2", "history~2", "Actuals", "Compare", "Charts", "Charts data"})},
        {"numbers",
         View::array({number_at("Summary", "B7", 13.6e9, usd), number_at("Summary", "C7", 12e9, usd),
                      number_at("Summary", "D7", 15.2e9, usd), number_at("Summary", "E7", 11.5e9, usd),
                      number_at("Summary", "G7", 15.8e9, usd), number_at("Summary", "B8", 7'858'400'000'000.0, krw),
                      number_at("Summary", "B9", 0.063, "0.00%"), number_at("Summary", "C9", 0.05, "0.00%"),
                      number_at("Summary", "B18", 42, "0"), number_at("Summary", "B19", 10000, "#,##0"),
                      number_at("Assumptions", "E2", 5.5e9, usd), number_at("Assumptions", "E4", 0.25, "0.00%"),
                      number_at("Assumptions", "E5", 1234.5678, "[$BHD] #,##0.000"),
                      number_at("Assumptions", "E6", 1000, "[$¥-411]#,##0"), number_at("Assumptions", "E7", 2.5, "[$€]#,##0.00"),
                      number_at("Assumptions", "E8", 1e6, "#,##0"), number_at("Assumptions", "E9", 1428.8, "#,##0.00"),
                      number_at("Assumptions", "E10", 0.0006998880179, "General"),
                      number_at(h20_sheet, "B7", 13.6e9, usd), number_at(h20_sheet, "B8", 0.063, "0.00%"),
                      number_at(h20_sheet, "B12", 11.5e9, usd), number_at(h20_sheet, "C12", 11.4e9, usd),
                      number_at(h20_sheet, "B18", 12e9, usd), number_at(h20_sheet, "B23", 0.42, "0.00%"),
                      number_at(h20_sheet, "C23", 4200, "#,##0"), number_at(h20_sheet, "B31", 1.5e9, usd),
                      number_at("summary~2", "B7", 1e12, krw),
                      number_at("Actuals", "D2", 13.6e9, usd), number_at("Actuals", "E2", 15e9, usd),
                      number_at("Actuals", "F2", -1.4e9, usd), number_at("Actuals", "G2", -0.0933, "0.00%"),
                      number_at("Compare", "D3", 13.6e9, usd),
                      number_at("Charts data", "B3", 13.6e9, usd), number_at("Charts data", "C3", 11.5e9, usd),
                      number_at("Charts data", "D3", 15.8e9, usd), number_at("Charts data", "B8", 13.6e9, usd),
                      number_at("Charts data", "D14", 0.5, "0.0%")})},
        {"texts", View::array({text_at("Summary", "A1", "H20 수출 규제 영향 (2025년 4월)"),
                               text_at("Summary", "A4", "1 step failed: the figures below are incomplete"),
                               text_at("Summary", "C6", "best / low"), text_at("Summary", "A8", "매출 손실"),
                               text_at("Assumptions", "E3", "USD"), text_at(h20_sheet, "A31", "Tencent"), text_at(h20_sheet, "B30", "Amount (USD)"), text_at(h20_sheet, "C30", "Share"),
                               text_at("a_very_long_step_identifier_for", "B4", "division by zero"),
                               text_at("Charts data", "A14", "12–14B")})},
        {"empty", View::array({empty_at("Summary", "C8"), empty_at("Summary", "E8"), empty_at("Summary", "B10"),
                               empty_at("Summary", "E9"), empty_at(h20_sheet, "C13"), empty_at(h20_sheet, "B19"), empty_at(h20_sheet, "C31"),
                               empty_at("Compare", "E3"), empty_at("Charts data", "C4"), empty_at("Charts data", "D4")})},
        {"charts", View::array({"line", "column", "column"})}};
}

View sensitivity_expectations() {
    const char* usd = "[$$-409]#,##0.00";
    return View{{"sheets", View::array({"Summary", "Assumptions", "Sensitivity", "Charts", "Charts data"})},
                {"numbers", View::array({number_at("Sensitivity", "B3", 13.6e9, usd), number_at("Sensitivity", "B5", 4096, "#,##0"),
                                         number_at("Sensitivity", "C9", 0.81, "0.000"), number_at("Sensitivity", "C13", 0.62, "0.000"),
                                         number_at("Charts data", "D3", -1.6e9, usd), number_at("Charts data", "E3", 1.4e9, usd),
                                         number_at("Charts data", "D4", -0.1e9, usd)})},
                {"texts", View::array({text_at("Charts data", "A3", "Share lost")})},
                {"empty", View::array({empty_at("Sensitivity", "C10")})},
                {"charts", View::array({"bar"})}};
}

// Runs `body` with TMPDIR pointing at a fresh folder, and returns whether that folder is empty after.
template <class Body>
bool leaves_temp_folder_empty(Body body) {
    const impact::test::TempDir temp;
    const char* old = std::getenv("TMPDIR");
    const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
    ::setenv("TMPDIR", temp.path().c_str(), 1);
    try {
        body();
    } catch (...) {
        saved ? ::setenv("TMPDIR", saved->c_str(), 1) : ::unsetenv("TMPDIR");
        throw;
    }
    saved ? ::setenv("TMPDIR", saved->c_str(), 1) : ::unsetenv("TMPDIR");
    return fs::is_empty(temp.path());
}

}  // namespace

TEST_CASE("render_xlsx returns a zip and removes its temporary folder", "[report][xlsx]") {
    std::string bytes;
    CHECK(leaves_temp_folder_empty([&] { bytes = render_xlsx(run_view()); }));
    REQUIRE(bytes.size() > 1000);
    CHECK(bytes.substr(0, 4) == std::string("PK\x03\x04", 4));  // a zip's local file header
}

TEST_CASE("render_xlsx gives the same bytes for the same view", "[report][xlsx]") {
    // The workbook's creation time comes from provenance.generated_at, not the clock, so that a
    // report made under SOURCE_DATE_EPOCH is reproducible.
    CHECK(render_xlsx(sensitivity_view()) == render_xlsx(sensitivity_view()));
}

TEST_CASE("a text over Excel's 32,767 characters is a UserError naming the cell, and leaves nothing behind", "[report][xlsx]") {
    View view = run_view();
    view["description"] = std::string(40000, 'x');
    CHECK(leaves_temp_folder_empty([&] {
        try {
            render_xlsx(view);
            FAIL("render_xlsx accepted a 40,000-character description");
        } catch (const impact::UserError& error) {
            INFO(error.what());
            CHECK(std::string(error.what()).find("sheet 'Summary' cell A2") != std::string::npos);
        }
    }));
}

TEST_CASE("a view without a documented member is refused, naming it, and leaves nothing behind", "[report][xlsx]") {
    View view = run_view();
    view["steps"][0]["outputs"][1].erase("has_thresholds");
    CHECK(leaves_temp_folder_empty([&] {
        CHECK_THROWS_WITH(render_xlsx(view), Catch::Contains("steps[0].outputs[1]") && Catch::Contains("has_thresholds"));
    }));
    View wrong_type = run_view();
    wrong_type["headline"][0]["value"] = "13.6B";
    CHECK_THROWS_WITH(render_xlsx(wrong_type), Catch::Contains("headline[0].value") && Catch::Contains("expected a number"));
}

// Hidden ([.write]): run by the report_xlsx_write ctest case, which check_xlsx.py's cases require.
TEST_CASE("write the workbooks and expectations that check_xlsx.py reads", "[.write]") {
    const fs::path folder = XLSX_TEST_OUTPUT_DIR;
    impact::test::write_file(folder / "run.xlsx", render_xlsx(run_view()));
    impact::test::write_file(folder / "run.expect.json", run_expectations().dump(2));
    impact::test::write_file(folder / "sensitivity.xlsx", render_xlsx(sensitivity_view()));
    impact::test::write_file(folder / "sensitivity.expect.json", sensitivity_expectations().dump(2));
}
