// Tests the host's input checks in Model::prepare and ModelInstance::evaluate, its guard against
// plugins that throw, and resolve_unit.
#include "host/model.hpp"
#include "host/plugin_library.hpp"
#include "host_test_support.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace host_test;
using impact::host::CallError;
using impact::host::LoadedPlugin;
using impact::host::Model;
using impact::host::ModelInstance;
using impact::host::PreparedValues;

constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

// test.checked's declared bounds and defaults (tests/host/plugins/good_a.cpp).
constexpr double scale_min = 1.0;
constexpr double scale_max = 10.0;
constexpr double scale_default = 2.0;
constexpr double amount_min = 0.0;
constexpr double amount_max = 1000.0;

const std::shared_ptr<const LoadedPlugin>& plugin_a() {
    static const auto plugin = LoadedPlugin::load(good_a_file);
    return plugin;
}
const std::shared_ptr<const LoadedPlugin>& throwing_plugin() {
    static const auto plugin = LoadedPlugin::load(throwing_model_file);
    return plugin;
}

Model model_of(const std::shared_ptr<const LoadedPlugin>& plugin, std::string_view id) {
    for (const auto& model : plugin->info().models)
        if (model.id == id) return Model(plugin, &model);
    throw std::runtime_error("no model " + std::string(id) + " in " + plugin->info().file.string());
}

Model checked() { return model_of(plugin_a(), "test.checked"); }

// The smallest valid set for test.checked: only the required text input.
PreparedValues minimal_values() {
    PreparedValues values;
    values.set_text("from", "EUR");
    return values;
}

// The CallError that `f` throws, or nullopt when it throws none.
template <class F>
std::optional<CallError> call_error(F&& f) {
    try {
        f();
    } catch (const CallError& e) {
        return e;
    }
    return std::nullopt;
}

std::optional<CallError> prepare_error(PreparedValues values) {
    return call_error([&] { (void)checked().prepare(std::move(values)); });
}

// Checks an input refusal: status, input key, row and the words of the message.
void check_input_error(const std::optional<CallError>& error, const std::string& key, int64_t row,
                       const std::vector<std::string>& message_parts) {
    REQUIRE(error);
    INFO("message: " << error->what() << "\ninput key: " << error->input_key() << "\nrow: " << error->row());
    CHECK(error->status() == IMPACT_STATUS_INVALID_INPUT);
    CHECK(error->is_input_error());
    CHECK(error->input_key() == key);
    CHECK(error->row() == row);
    CHECK(is_one_line(error->what()));
    for (const auto& part : message_parts) {
        INFO("expected in the message: " << part);
        CHECK(contains(error->what(), part));
    }
}

std::map<std::string, std::string> notes_of(const ModelInstance& instance) {
    std::map<std::string, std::string> notes;
    for (const auto& [key, value] : instance.notes()) notes[key] = value;
    return notes;
}

// "key=value; ..." for failure messages.
std::string notes_text(const std::map<std::string, std::string>& notes) {
    std::string text;
    for (const auto& [key, value] : notes) text += key + "=" + value + "; ";
    return text;
}

// test.checked's formula, computed here: scaled = amount * scale * (1 + growth) + offset.
double expected_scaled(double amount, double growth, double scale, double offset) {
    return amount * scale * (1.0 + growth) + offset;
}

}  // namespace

TEST_CASE("host model: an unknown input key is refused naming it") {
    PreparedValues values = minimal_values();
    values.set_text("colour", "red");
    check_input_error(prepare_error(std::move(values)), "colour", -1, {"colour", "test.checked"});
}

TEST_CASE("host model: a row input given as a prepared value is refused") {
    PreparedValues values = minimal_values();
    values.set_number("amount", 5.0);
    check_input_error(prepare_error(std::move(values)), "amount", -1, {"amount", "batch column"});
}

TEST_CASE("host model: a value of the wrong kind is refused naming both kinds") {
    PreparedValues values = minimal_values();
    std::string key;
    std::string expected_kind;
    std::string found_kind;
    SECTION("text for a prepared number") {
        key = "scale";
        values.set_text(key, "3");
        expected_kind = "number";
        found_kind = "text";
    }
    SECTION("number for a text") {
        key = "note";
        values.set_number(key, 3.0);
        expected_kind = "text";
        found_kind = "number";
    }
    SECTION("date for a text") {
        key = "note";
        values.set_date(key, 20194);
        expected_kind = "text";
        found_kind = "date";
    }
    SECTION("text for a date") {
        key = "when";
        values.set_text(key, "2025-04-16");
        expected_kind = "date";
        found_kind = "text";
    }
    SECTION("series for a date") {
        key = "when";
        values.add_series(key, "USD/KRW", {20194}, {1428.8});
        expected_kind = "date";
        found_kind = "series";
    }
    CAPTURE(key, expected_kind, found_kind);
    check_input_error(prepare_error(std::move(values)), key, -1, {key, expected_kind, found_kind});
}

TEST_CASE("host model: a missing required input is refused naming it") {
    check_input_error(prepare_error(PreparedValues{}), "from", -1, {"from", "test.checked"});
}

TEST_CASE("host model: text and prepared-number defaults are applied and optional inputs stay absent") {
    const ModelInstance instance = checked().prepare(minimal_values());
    const auto notes = notes_of(instance);
    INFO("notes: " << notes_text(notes));
    CHECK(notes.at("from") == "EUR");
    CHECK(notes.at("note") == "none");       // default_text
    CHECK(notes.at("offset") == "<absent>");  // optional, no default: not invented by the host
    const std::array<double, 2> row{100.0, 0.0};  // amount, growth
    std::array<double, 2> out{};
    instance.evaluate(row, out);
    CHECK(out[1] == scale_default);  // scale_used: the default reached the plugin
    CHECK(out[0] == expected_scaled(100.0, 0.0, scale_default, 0.0));
}

TEST_CASE("host model: a date input's ISO default_text is applied") {
    // The ABI says default_text serves text and date inputs; the plugin must then receive the
    // date 2025-04-16 (20194 days) without the caller giving it.
    const ModelInstance instance = checked().prepare(minimal_values());
    const auto notes = notes_of(instance);
    INFO("notes: " << notes_text(notes));
    CHECK(notes.at("when") == "2025-04-16");
}

TEST_CASE("host model: given values override defaults") {
    PreparedValues values = minimal_values();
    values.set_text("note", "mine");
    values.set_date("when", 19724);  // 2024-01-02
    values.set_number("scale", 4.0);
    values.set_number("offset", -7.5);
    const ModelInstance instance = checked().prepare(std::move(values));
    const auto notes = notes_of(instance);
    INFO("notes: " << notes_text(notes));
    CHECK(notes.at("note") == "mine");
    CHECK(notes.at("when") == "2024-01-02");
    CHECK(notes.at("offset") == "given");
    const std::array<double, 4> rows{10.0, 0.063, 1000.0, -0.5};  // (amount, growth) per row
    std::array<double, 4> out{};
    instance.evaluate(rows, out);
    CHECK(out[0] == expected_scaled(10.0, 0.063, 4.0, -7.5));
    CHECK(out[1] == 4.0);
    CHECK(out[2] == expected_scaled(1000.0, -0.5, 4.0, -7.5));
}

TEST_CASE("host model: prepared numbers are checked against their bounds") {
    SECTION("the bounds themselves are accepted") {
        for (const double scale : {scale_min, scale_max}) {
            PreparedValues values = minimal_values();
            values.set_number("scale", scale);
            CAPTURE(scale);
            CHECK_NOTHROW(checked().prepare(std::move(values)));
        }
    }
    SECTION("below min") {
        PreparedValues values = minimal_values();
        values.set_number("scale", 0.5);
        check_input_error(prepare_error(std::move(values)), "scale", -1, {">= 1", "0.5"});
    }
    SECTION("above max") {
        PreparedValues values = minimal_values();
        values.set_number("scale", 10.5);
        check_input_error(prepare_error(std::move(values)), "scale", -1, {"<= 10", "10.5"});
    }
    SECTION("not a number") {
        PreparedValues values = minimal_values();
        values.set_number("scale", nan_value);
        check_input_error(prepare_error(std::move(values)), "scale", -1, {"a finite number"});
    }
}

TEST_CASE("host model: each batch row is checked against its bounds and the failing row is named") {
    const ModelInstance instance = checked().prepare(minimal_values());
    REQUIRE(instance.input_width() == 2);  // amount, growth
    std::array<double, 6> out{};
    const auto evaluate_error = [&](const std::array<double, 6>& rows) {
        return call_error([&] { instance.evaluate(rows, out); });
    };
    SECTION("rows at the bounds evaluate") {
        const std::array<double, 6> rows{amount_min, 0.0, amount_max, 0.1, 500.0, -1.0};
        REQUIRE_NOTHROW(instance.evaluate(rows, out));
        CHECK(out[0] == expected_scaled(amount_min, 0.0, scale_default, 0.0));
        CHECK(out[2] == expected_scaled(amount_max, 0.1, scale_default, 0.0));
        CHECK(out[4] == expected_scaled(500.0, -1.0, scale_default, 0.0));
    }
    SECTION("above max in row 2") {
        check_input_error(evaluate_error({10.0, 0.0, 1000.0, 0.0, 1000.5, 0.0}), "amount", 2, {"<= 1000", "1000.5"});
    }
    SECTION("below min in row 1") {
        check_input_error(evaluate_error({10.0, 0.0, -0.01, 0.0, 5.0, 0.0}), "amount", 1, {">= 0", "-0.01"});
    }
    SECTION("not a number in row 0") {
        check_input_error(evaluate_error({nan_value, 0.0, 1.0, 0.0, 2.0, 0.0}), "amount", 0, {"a finite number"});
    }
    SECTION("an unbounded column still refuses NaN, with its own key") {
        check_input_error(evaluate_error({1.0, 0.0, 2.0, 0.0, 3.0, nan_value}), "growth", 2, {"a finite number"});
    }
    SECTION("a batch that does not fit the row width is an internal error") {
        const std::array<double, 3> ragged{1.0, 0.0, 2.0};
        const auto error = call_error([&] { instance.evaluate(ragged, out); });
        REQUIRE(error);
        INFO("message: " << error->what());
        CHECK(error->status() == IMPACT_STATUS_INTERNAL);
    }
}

// ABI 1.3: test.optional_row (tests/host/plugins/good_a.cpp) has x (required) and bonus (optional
// per row, > 0 and <= 100); total = x + bonus, or x when bonus is left out.
TEST_CASE("host model: an optional row input left out arrives as NaN, unchecked, and prepare is told") {
    const Model model = model_of(plugin_a(), "test.optional_row");
    PreparedValues values;
    values.leave_out_row_input("bonus");
    const ModelInstance instance = model.prepare(std::move(values));
    CHECK(notes_of(instance) == std::map<std::string, std::string>{{"bonus", "left out"}});
    REQUIRE(instance.input_width() == 2);  // x, bonus
    // NaN fails every bound, so a checked column would refuse these rows.
    const std::array<double, 4> rows{1.5, nan_value, -2.0, nan_value};
    std::array<double, 4> out{};
    REQUIRE_NOTHROW(instance.evaluate(rows, out));
    CAPTURE(rows, out);
    CHECK(out[0] == 1.5);
    CHECK(out[1] == 1.0);  // the plugin saw NaN
    CHECK(out[2] == -2.0);
    CHECK(out[3] == 1.0);

    SECTION("a value in a column left out is a host bug, not the user's input") {
        const std::array<double, 2> bad{1.0, 5.0};
        std::array<double, 2> one{};
        const auto error = call_error([&] { instance.evaluate(bad, one); });
        REQUIRE(error);
        INFO("message: " << error->what());
        CHECK(error->status() == IMPACT_STATUS_INTERNAL);
        CHECK(contains(error->what(), "'bonus' was left out"));
    }
}

TEST_CASE("host model: an optional row input that is given is checked like any batch input") {
    const Model model = model_of(plugin_a(), "test.optional_row");
    const ModelInstance instance = model.prepare(PreparedValues{});
    CHECK(notes_of(instance) == std::map<std::string, std::string>{{"bonus", "given"}});
    std::array<double, 4> out{};
    const std::array<double, 4> rows{1.5, 2.0, -2.0, 100.0};
    REQUIRE_NOTHROW(instance.evaluate(rows, out));
    CAPTURE(rows, out);
    CHECK(out[0] == 1.5 + 2.0);
    CHECK(out[1] == 0.0);
    CHECK(out[2] == -2.0 + 100.0);
    const auto evaluate_error = [&](const std::array<double, 4>& bad) {
        return call_error([&] { instance.evaluate(bad, out); });
    };
    check_input_error(evaluate_error({1.0, 1.0, 1.0, 0.0}), "bonus", 1, {"> 0", "found 0"});
    check_input_error(evaluate_error({1.0, 100.5, 1.0, 1.0}), "bonus", 0, {"<= 100", "100.5"});
    check_input_error(evaluate_error({1.0, 1.0, 1.0, nan_value}), "bonus", 1, {"a finite number"});
}

TEST_CASE("host model: only an input optional per row may be left out") {
    const Model model = model_of(plugin_a(), "test.optional_row");
    PreparedValues required_left_out;
    required_left_out.leave_out_row_input("x");
    check_input_error(call_error([&] { (void)model.prepare(std::move(required_left_out)); }), "x", -1,
                      {"only an input optional per row may be left out"});
    PreparedValues unknown;
    unknown.leave_out_row_input("colour");
    check_input_error(call_error([&] { (void)model.prepare(std::move(unknown)); }), "colour", -1, {"no input 'colour'"});
}

TEST_CASE("host model: a C++ exception from a raw plugin's create becomes an internal CallError") {
    const Model model = model_of(throwing_plugin(), "test.throw_on_create");
    const auto error = call_error([&] { (void)model.prepare({}); });
    REQUIRE(error);
    INFO("message: " << error->what());
    CHECK(error->status() == IMPACT_STATUS_INTERNAL);
    CHECK_FALSE(error->is_input_error());
    CHECK(is_one_line(error->what()));
    CHECK(contains(error->what(), reason_threw));
    CHECK(contains(error->what(), "create"));
    CHECK(contains(error->what(), "test.throw_on_create"));
}

TEST_CASE("host model: a C++ exception from a raw plugin's evaluate becomes an internal CallError") {
    const Model model = model_of(throwing_plugin(), "test.throw_on_evaluate");
    const ModelInstance instance = model.prepare({});
    const std::array<double, 1> row{1.0};
    std::array<double, 1> out{};
    // Both entry points reach the plugin: the checked one and the one without bounds checks.
    for (const bool checked_call : {true, false}) {
        CAPTURE(checked_call);
        const auto error = call_error([&] {
            if (checked_call)
                instance.evaluate(row, out);
            else
                instance.evaluate_unchecked(row.data(), 1, out.data());
        });
        REQUIRE(error);
        INFO("message: " << error->what());
        CHECK(error->status() == IMPACT_STATUS_INTERNAL);
        CHECK(is_one_line(error->what()));
        CHECK(contains(error->what(), reason_threw));
        CHECK(contains(error->what(), "evaluate"));
        CHECK(contains(error->what(), "test.throw_on_evaluate"));
    }
}

TEST_CASE("host model: resolve_unit replaces {from} with the prepared text and leaves the rest") {
    const ModelInstance instance = checked().prepare(minimal_values());  // from = EUR
    CHECK(instance.resolve_unit("{from}") == "EUR");
    CHECK(instance.resolve_unit(instance.info().outputs[0].unit) == "EUR");  // "scaled" is in {from}
    CHECK(instance.resolve_unit("{from}/{from}") == "EUR/EUR");
    CHECK(instance.resolve_unit("per {from} share") == "per EUR share");
    CHECK(instance.resolve_unit("shares") == "shares");
    CHECK(instance.resolve_unit("") == "");
    // Not a prepared text: left as written, so a report shows what is missing.
    CHECK(instance.resolve_unit("{to}/{from}") == "{to}/EUR");
    CHECK(instance.resolve_unit("{scale}") == "{scale}");
    CHECK(instance.resolve_unit("{from") == "{from");
}
