// Runs `impact run` with the contract test plugin: a step that keeps its series until evaluate, and non-finite outputs.
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using impact::test::run_impact;
using impact::test::TempDir;
using impact::test::write_file;

const std::string plugin_dir = IMPACT_CONTRACT_PLUGIN_DIR;

// The JSON object written for output `key` in an impact.run/1 report ("" when absent).
std::string output_object(const std::string& json, const std::string& key) {
    const auto start = json.find("\"" + key + "\": {");
    if (start == std::string::npos) return {};
    return json.substr(start, json.find('}', start) - start);
}

}  // namespace

TEST_CASE("impact run: a model that keeps its series reads them intact at evaluate", "[instance][cli]") {
    TempDir temp;
    // Closes 1..5 (sum 15) and a scale of 2: total 30, computed here by hand.
    write_file(temp.path() / "points.csv",
               "date,close\n2025-01-02,1\n2025-01-03,2\n2025-01-06,3\n2025-01-07,4\n2025-01-08,5\n");
    write_file(temp.path() / "keeps.toml",
               "[scenario]\nname = \"Keeps series\"\n\n"
               "[data.points]\nfile = \"points.csv\"\nvalue = \"close\"\n\n"
               "[[step]]\nid = \"k\"\nmodel = \"test.keeps_series\"\n"
               "points = { data = \"points\" }\ntag = \"abc\"\nscale = 2\n");
    const auto result = run_impact(IMPACT_EXE, {"--plugin-dir", plugin_dir, "run", (temp.path() / "keeps.toml").string(),
                                                "--format", "json"},
                                   temp.path());
    INFO(result.describe());
    REQUIRE(result.exited);
    CHECK(result.exit_code == 0);
    INFO("total: " << output_object(result.out, "total"));
    CHECK(output_object(result.out, "total").find("\"value\": 30,") != std::string::npos);
    // label "points" (6 bytes, the data id) + tag "abc" (3 bytes).
    CHECK(output_object(result.out, "label_bytes").find("\"value\": 9,") != std::string::npos);
}

TEST_CASE("impact run: a non-finite output fails with exit 3; a flagged one is reported as non_finite",
          "[instance][cli]") {
    TempDir temp;
    write_file(temp.path() / "zero.toml",
               "[scenario]\nname = \"Division\"\n\n[[step]]\nid = \"r\"\nmodel = \"test.ratio\"\nx = 1\ny = 0\n");
    const auto failed = run_impact(IMPACT_EXE, {"--plugin-dir", plugin_dir, "run", (temp.path() / "zero.toml").string()},
                                   temp.path());
    INFO(failed.describe());
    REQUIRE(failed.exited);
    CHECK(failed.exit_code == 3);
    CHECK(failed.out.empty());
    CHECK(failed.err.find("model 'test.ratio': output 'defined' is +inf in row 0") != std::string::npos);
    CHECK(failed.err.find('\n') == failed.err.size() - 1);
}

TEST_CASE("impact run: an output that may be undefined is null with non_finite in JSON, 'undefined' in text",
          "[instance][cli]") {
    // stock.event_study without shares_outstanding: abnormal_market_cap is NaN by design
    // (plugins/stock/README.md); the shared NVDA and S&P 500 closes around 16 April 2025.
    TempDir temp;
    const std::string data = std::string(IMPACT_SHARED_DIR) + "/data/";
    write_file(temp.path() / "es.toml",
               "[scenario]\nname = \"No shares\"\n\n"
               "[data.nvda]\nfile = \"" + data + "nvda-daily-2024-06_2025-05.csv\"\nvalue = \"close\"\n\n"
               "[data.spx]\nfile = \"" + data + "sp500-daily-2024-01_2026-01.csv\"\nvalue = \"close\"\n\n"
               "[[step]]\nid = \"es\"\nmodel = \"stock.event_study\"\nstock = { data = \"nvda\" }\n"
               "market = { data = \"spx\" }\nevent_date = 2025-04-16\n");
    const std::string scenario = (temp.path() / "es.toml").string();
    const auto json = run_impact(IMPACT_EXE, {"run", scenario, "--format", "json"}, temp.path());
    INFO(json.describe());
    REQUIRE(json.exited);
    REQUIRE(json.exit_code == 0);
    const std::string cap = output_object(json.out, "abnormal_market_cap");
    INFO("abnormal_market_cap: " << cap);
    CHECK(cap.find("\"value\": null,") != std::string::npos);
    CHECK(cap.find("\"non_finite\": \"nan\"") != std::string::npos);
    CHECK(cap.find("\"direction\": \"higher_is_better\"") != std::string::npos);

    const auto text = run_impact(IMPACT_EXE, {"run", scenario}, temp.path());
    INFO(text.describe());
    REQUIRE(text.exit_code == 0);
    CHECK(text.out.find("Abnormal market-cap change (abnormal_market_cap)  undefined (nan)") != std::string::npos);

    // A later step that uses the undefined value is refused at the reference, which says why.
    write_file(temp.path() / "es.toml", impact::test::read_file(temp.path() / "es.toml") +
                                            "\n[[step]]\nid = \"krw\"\nmodel = \"fx.convert\"\n"
                                            "amount = { from = \"es.abnormal_market_cap\" }\nto = \"KRW\"\nrate = 1428.8\n");
    const auto chained = run_impact(IMPACT_EXE, {"run", scenario}, temp.path());
    INFO(chained.describe());
    CHECK(chained.exit_code == 2);
    CHECK(chained.out.empty());
    CHECK(chained.err.find("step.krw.amount: must be a finite number, found nan: es.abnormal_market_cap is undefined") !=
          std::string::npos);
}
