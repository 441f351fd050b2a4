// sdk::Table through the C instance: "impact.tables/1" from get_extension, its tables, and a ragged table refused at create.
#include <impact/sdk/plugin.hpp>

#include "support/plugin_abi.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace sdk = impact::sdk;

namespace {

// test.panel: two tables settled at prepare time; the prepared `scale` multiplies the CARs so the
// tables are seen to come from this instance's inputs.
class Panel {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.panel")
            .name("Panel")
            .input(sdk::Input::number("scale", "Scale").prepared().default_value(1))
            .output(sdk::Output("firms", "Firms"));
    }
    explicit Panel(const sdk::PreparedInputs& in) : scale_(in.number_or("scale", 1)) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 2;
    }
    std::vector<sdk::Table> tables() const {
        std::vector<sdk::Table> out;
        out.push_back(sdk::Table("firms", "Per firm")
                          .description("One row per firm")
                          .text_column("firm", "Firm", {"NVDA", "Soci\xC3\xA9t\xC3\xA9"})
                          .number_column("car", "CAR", "%", {0.125 * scale_, -0.25 * scale_})
                          .number_column("value", "Dollar value", "{currency}",
                                         {std::numeric_limits<double>::quiet_NaN(), 3e9}, true));
        out.push_back(sdk::Table("tests", "Tests").number_column("t", "t", "", {1.5}));
        return out;
    }

private:
    double scale_;
};

// test.plain: no tables() at all.
class Plain {
public:
    static sdk::ModelSpec spec() { return sdk::ModelSpec("test.plain").name("Plain").output(sdk::Output("one", "One")); }
    explicit Plain(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 1;
    }
};

// test.ragged: a table whose second column is one row short, a bug in the plugin.
class Ragged {
public:
    static sdk::ModelSpec spec() { return sdk::ModelSpec("test.ragged").name("Ragged").output(sdk::Output("one", "One")); }
    explicit Ragged(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const {}
    std::vector<sdk::Table> tables() const {
        return {sdk::Table("ragged", "Ragged").number_column("a", "A", "", {1, 2}).text_column("b", "B", {"x"})};
    }
};

// test.no_tables: tables() returns an empty list.
class NoTables {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.no_tables").name("No tables").output(sdk::Output("one", "One"));
    }
    explicit NoTables(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const {}
    std::vector<sdk::Table> tables() const { return {}; }
};

const impact_model_factory_v1& tables_factory() {
    const void* table = sdk::Plugin<Panel, Plain, Ragged, NoTables>::get_interface(IMPACT_MODEL_FACTORY_V1);
    REQUIRE(table != nullptr);
    return *static_cast<const impact_model_factory_v1*>(table);
}

struct Error {
    std::array<char, 256> message{};
    std::array<char, 32> input_key{};
    impact_error error{sizeof(impact_error), message.data(), static_cast<uint32_t>(message.size()),
                       input_key.data(), static_cast<uint32_t>(input_key.size()), -99};
    std::string text() const { return message.data(); }
};

struct InstanceDeleter {
    void operator()(impact_model_instance* instance) const noexcept { instance->destroy(instance); }
};
using InstancePtr = std::unique_ptr<impact_model_instance, InstanceDeleter>;

InstancePtr create(const char* model_id, const impact_prepare_args* args = nullptr) {
    Error error;
    impact_model_instance* raw = nullptr;
    const impact_status status = tables_factory().create(model_id, args, &raw, &error.error);
    INFO(error.text());
    REQUIRE(status == IMPACT_STATUS_OK);
    REQUIRE(raw != nullptr);
    return InstancePtr(raw);
}

const impact_tables_v1* tables_of(const impact_model_instance& instance) {
    REQUIRE(instance.get_extension != nullptr);
    return static_cast<const impact_tables_v1*>(instance.get_extension(&instance, IMPACT_TABLES_V1));
}

}  // namespace

TEST_CASE("a model with tables() offers impact.tables/1 with its rows, columns and strings", "[sdk][wrapper][tables]") {
    const impact_value values[] = {impact::test::number_value("scale", 2)};
    const impact_prepare_args args{sizeof(impact_prepare_args), values, 1, nullptr, 0};
    const InstancePtr instance = create("test.panel", &args);
    const impact_tables_v1* tables = tables_of(*instance);
    REQUIRE(tables != nullptr);
    REQUIRE(tables->table_count != nullptr);
    REQUIRE(tables->table != nullptr);
    REQUIRE(tables->table_count(instance.get()) == 2);

    const impact_table* firms = tables->table(instance.get(), 0);
    REQUIRE(firms != nullptr);
    CHECK(firms->struct_size == sizeof(impact_table));
    CHECK(std::string(firms->key) == "firms");
    CHECK(std::string(firms->label) == "Per firm");
    CHECK(std::string(firms->description) == "One row per firm");
    REQUIRE(firms->column_count == 3);
    REQUIRE(firms->row_count == 2);
    REQUIRE(firms->columns != nullptr);
    CHECK(firms->columns[0].struct_size == sizeof(impact_table_column));

    const impact_table_column& firm = firms->columns[0];
    CHECK(std::string(firm.key) == "firm");
    CHECK(std::string(firm.label) == "Firm");
    CHECK(std::string(firm.unit).empty());
    CHECK(firm.kind == IMPACT_COLUMN_TEXT);
    CHECK(firm.flags == 0u);
    CHECK(firm.numbers == nullptr);
    REQUIRE(firm.texts != nullptr);
    CHECK(std::string(firm.texts[0]) == "NVDA");
    CHECK(std::string(firm.texts[1]) == "Soci\xC3\xA9t\xC3\xA9");

    const impact_table_column& car = firms->columns[1];
    CHECK(std::string(car.key) == "car");
    CHECK(std::string(car.label) == "CAR");
    CHECK(std::string(car.unit) == "%");
    CHECK(car.kind == IMPACT_COLUMN_NUMBER);
    CHECK(car.flags == 0u);
    CHECK(car.texts == nullptr);
    REQUIRE(car.numbers != nullptr);
    CHECK(car.numbers[0] == 0.25);  // 0.125 * scale 2
    CHECK(car.numbers[1] == -0.5);

    const impact_table_column& value = firms->columns[2];
    CHECK(std::string(value.key) == "value");
    CHECK(std::string(value.unit) == "{currency}");
    CHECK(value.kind == IMPACT_COLUMN_NUMBER);
    CHECK(value.flags == IMPACT_COLUMN_MAY_BE_UNDEFINED);
    REQUIRE(value.numbers != nullptr);
    CHECK(std::isnan(value.numbers[0]));
    CHECK(value.numbers[1] == 3e9);

    const impact_table* tests = tables->table(instance.get(), 1);
    REQUIRE(tests != nullptr);
    CHECK(std::string(tests->key) == "tests");
    CHECK(std::string(tests->description).empty());
    REQUIRE(tests->column_count == 1);
    CHECK(tests->row_count == 1);
    CHECK(tests->columns[0].numbers[0] == 1.5);

    CHECK(tables->table(instance.get(), 2) == nullptr);
    CHECK(tables->table(instance.get(), UINT32_MAX) == nullptr);

    // The tables are settled: evaluate leaves every pointer and value where it was.
    double output = 0;
    Error error;
    REQUIRE(instance->evaluate(instance.get(), nullptr, 1, &output, &error.error) == IMPACT_STATUS_OK);
    CHECK(output == 2);
    CHECK(tables->table(instance.get(), 0) == firms);
    CHECK(firms->columns[1].numbers[0] == 0.25);
    CHECK(std::string(firms->columns[0].texts[0]) == "NVDA");
}

TEST_CASE("two instances of one model have tables of their own", "[sdk][wrapper][tables]") {
    const impact_value three[] = {impact::test::number_value("scale", 3)};
    const impact_prepare_args args{sizeof(impact_prepare_args), three, 1, nullptr, 0};
    const InstancePtr scaled = create("test.panel", &args);
    const InstancePtr plain = create("test.panel");  // scale defaults to 1
    const impact_table* a = tables_of(*scaled)->table(scaled.get(), 0);
    const impact_table* b = tables_of(*plain)->table(plain.get(), 0);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a != b);
    CHECK(a->columns[1].numbers[0] == 0.375);
    CHECK(b->columns[1].numbers[0] == 0.125);
}

TEST_CASE("a model without tables() returns NULL for impact.tables/1, and any other id is NULL", "[sdk][wrapper][tables]") {
    const InstancePtr plain = create("test.plain");
    CHECK(tables_of(*plain) == nullptr);
    const InstancePtr panel = create("test.panel");
    CHECK(panel->get_extension(panel.get(), "impact.tables/2") == nullptr);
    CHECK(panel->get_extension(panel.get(), "impact.tables") == nullptr);
    CHECK(panel->get_extension(panel.get(), IMPACT_MODEL_FACTORY_V1) == nullptr);
    CHECK(panel->get_extension(panel.get(), nullptr) == nullptr);
    CHECK(panel->get_extension(panel.get(), IMPACT_TABLES_V1) != nullptr);
}

TEST_CASE("a model whose tables() is empty offers zero tables", "[sdk][wrapper][tables]") {
    const InstancePtr instance = create("test.no_tables");
    const impact_tables_v1* tables = tables_of(*instance);
    // The model has tables(), so it has the interface; it lists no table.
    REQUIRE(tables != nullptr);
    CHECK(tables->table_count(instance.get()) == 0);
    CHECK(tables->table(instance.get(), 0) == nullptr);
}

TEST_CASE("a table whose columns differ in length fails create as internal, naming table and column", "[sdk][wrapper][tables]") {
    Error error;
    impact_model_instance sentinel{};
    impact_model_instance* raw = &sentinel;  // create must reset it to NULL
    const impact_status status = tables_factory().create("test.ragged", nullptr, &raw, &error.error);
    INFO(error.text());
    CHECK(status == IMPACT_STATUS_INTERNAL);
    CHECK(raw == nullptr);
    CHECK(error.text().find("table 'ragged'") != std::string::npos);
    CHECK(error.text().find("column 'b' has 1 rows") != std::string::npos);
    CHECK(error.text().find("column 'a' has 2") != std::string::npos);
}
