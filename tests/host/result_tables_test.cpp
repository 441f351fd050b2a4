// host::read_result_tables on hand-built "impact.tables/1" C structs: exact copies, every rule's refusal, and the isolation payload.
#include "host/model.hpp"
#include "host/result_tables.hpp"
#include "isolation/channel.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace host = impact::host;
namespace isolation = impact::isolation;

constexpr const char* kModel = "test.tables_model";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// An instance whose get_extension returns a handcrafted impact_tables_v1: table(i) is tables[i]
// (NULL past the end or where a test put NULL), table_count() is tables.size() unless overridden.
struct FakeInstance {
    std::vector<const impact_table*> tables;
    bool override_count = false;
    uint32_t count = 0;
    bool offer_interface = true;
    impact_model_instance c{};

    FakeInstance() {
        c.model_data = this;
        c.get_extension = &get_extension;
    }
    FakeInstance(const FakeInstance&) = delete;
    FakeInstance& operator=(const FakeInstance&) = delete;

    static const FakeInstance& of(const impact_model_instance* self) {
        return *static_cast<const FakeInstance*>(self->model_data);
    }
    static uint32_t table_count(const impact_model_instance* self) {
        const FakeInstance& fake = of(self);
        return fake.override_count ? fake.count : static_cast<uint32_t>(fake.tables.size());
    }
    static const impact_table* table(const impact_model_instance* self, uint32_t index) {
        const FakeInstance& fake = of(self);
        return index < fake.tables.size() ? fake.tables[index] : nullptr;
    }
    static const void* get_extension(const impact_model_instance* self, const char* interface_id) {
        static const impact_tables_v1 interface{&table_count, &table};
        if (!of(self).offer_interface || !interface_id || std::strcmp(interface_id, IMPACT_TABLES_V1) != 0)
            return nullptr;
        return &interface;
    }
};

// A good three-row table "firms": a text column, a number column and a may-be-undefined number
// column with a NaN. Each test breaks one thing in its own copy.
struct GoodTable {
    std::vector<const char*> firms{"NVDA", "ASML", "Soci\xC3\xA9t\xC3\xA9 \xE2\x82\xAC"};  // "Société €"
    std::vector<double> car{0.0525, -0.0125, 1e-300};
    std::vector<double> value{1.5e9, kNaN, -0.0};
    std::vector<impact_table_column> columns{
        {sizeof(impact_table_column), "firm", "Firm", "", IMPACT_COLUMN_TEXT, 0u, nullptr, nullptr},
        {sizeof(impact_table_column), "car", "CAR", "%", IMPACT_COLUMN_NUMBER, 0u, nullptr, nullptr},
        {sizeof(impact_table_column), "value_2", "Dollar value", "{currency}", IMPACT_COLUMN_NUMBER,
         IMPACT_COLUMN_MAY_BE_UNDEFINED, nullptr, nullptr},
    };
    impact_table table{sizeof(impact_table), "firms", "Per firm", "One row per firm", nullptr, 3, 3};

    GoodTable() { point(); }
    GoodTable(const GoodTable&) = delete;
    GoodTable& operator=(const GoodTable&) = delete;
    // Points the views at this object's arrays again (after a test replaced one of them).
    void point() {
        columns[0].texts = firms.data();
        columns[1].numbers = car.data();
        columns[2].numbers = value.data();
        table.columns = columns.data();
        table.column_count = static_cast<uint32_t>(columns.size());
    }
};

// A second good table "tests": one number column of two rows.
struct SmallTable {
    std::vector<double> t{2.5, -1.0};
    std::vector<impact_table_column> columns{
        {sizeof(impact_table_column), "t", "t statistic", "", IMPACT_COLUMN_NUMBER, 0u, t.data(), nullptr}};
    impact_table table{sizeof(impact_table), "tests", "Tests", nullptr, columns.data(), 1, 2};
    SmallTable() = default;
    SmallTable(const SmallTable&) = delete;
    SmallTable& operator=(const SmallTable&) = delete;
};

bool same_number(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b && std::signbit(a) == std::signbit(b);
}

bool same_numbers(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_number(a[i], b[i])) return false;
    return true;
}

// Equal content: keys, labels, description, units, kinds, flags and every cell (NaN equals NaN).
void require_same_tables(const std::vector<host::ResultTable>& a, const std::vector<host::ResultTable>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t t = 0; t < a.size(); ++t) {
        INFO("table " << t);
        CHECK(a[t].key() == b[t].key());
        CHECK(a[t].label() == b[t].label());
        CHECK(a[t].text() == b[t].text());
        CHECK(a[t].rows() == b[t].rows());
        REQUIRE(a[t].columns().size() == b[t].columns().size());
        for (std::size_t c = 0; c < a[t].columns().size(); ++c) {
            const auto& x = a[t].columns()[c];
            const auto& y = b[t].columns()[c];
            INFO("column " << x.key);
            CHECK(x.key == y.key);
            CHECK(x.label == y.label);
            CHECK(x.unit == y.unit);
            CHECK(x.is_text == y.is_text);
            CHECK(x.may_be_undefined == y.may_be_undefined);
            CHECK(x.texts == y.texts);
            CHECK(same_numbers(x.numbers, y.numbers));
        }
    }
}

// The firms table as read_result_tables must copy it.
void check_good_firms(const host::ResultTable& table) {
    CHECK(table.key() == "firms");
    CHECK(table.label() == "Per firm");
    CHECK(table.text() == "One row per firm");
    CHECK(table.rows() == 3);
    REQUIRE(table.columns().size() == 3);
    const auto& firm = table.columns()[0];
    CHECK(firm.key == "firm");
    CHECK(firm.label == "Firm");
    CHECK(firm.is_text);
    CHECK_FALSE(firm.may_be_undefined);
    CHECK(firm.texts == std::vector<std::string>{"NVDA", "ASML", "Soci\xC3\xA9t\xC3\xA9 \xE2\x82\xAC"});
    CHECK(firm.numbers.empty());
    const auto& car = table.columns()[1];
    CHECK(car.key == "car");
    CHECK(car.label == "CAR");
    CHECK(car.unit == "%");
    CHECK_FALSE(car.is_text);
    CHECK_FALSE(car.may_be_undefined);
    CHECK(car.texts.empty());
    CHECK(same_numbers(car.numbers, {0.0525, -0.0125, 1e-300}));
    const auto& value = table.columns()[2];
    CHECK(value.key == "value_2");
    CHECK(value.label == "Dollar value");
    CHECK(value.unit == "{currency}");
    CHECK_FALSE(value.is_text);
    CHECK(value.may_be_undefined);
    REQUIRE(value.numbers.size() == 3);
    CHECK(value.numbers[0] == 1.5e9);
    CHECK(std::isnan(value.numbers[1]));
    CHECK(value.numbers[2] == 0.0);
    CHECK(std::signbit(value.numbers[2]));
}

// read_result_tables must throw CallError with `status` and a message holding the model id and
// every one of `parts`.
void require_refused(const FakeInstance& fake, impact_status status, const std::vector<std::string>& parts) {
    try {
        const auto tables = host::read_result_tables(fake.c, kModel);
        FAIL("read_result_tables accepted the tables (" << tables.size() << " of them)");
    } catch (const host::CallError& e) {
        const std::string message = e.what();
        INFO("message: " << message);
        CHECK(e.status() == status);
        CHECK(message.find(std::string("'") + kModel + "'") != std::string::npos);
        for (const std::string& part : parts) {
            INFO("expected part: " << part);
            CHECK(message.find(part) != std::string::npos);
        }
    }
}

void require_refused(const GoodTable& good, impact_status status, const std::vector<std::string>& parts) {
    FakeInstance fake;
    fake.tables = {&good.table};
    require_refused(fake, status, parts);
}

}  // namespace

TEST_CASE("read_result_tables copies every table, column and cell exactly", "[host][tables]") {
    GoodTable good;
    SmallTable small;
    FakeInstance fake;
    fake.tables = {&good.table, &small.table};
    const std::vector<host::ResultTable> tables = host::read_result_tables(fake.c, kModel);
    REQUIRE(tables.size() == 2);
    check_good_firms(tables[0]);
    CHECK(tables[1].key() == "tests");
    CHECK(tables[1].label() == "Tests");
    CHECK(tables[1].text().empty());  // a NULL description reads as ""
    CHECK(tables[1].rows() == 2);
    REQUIRE(tables[1].columns().size() == 1);
    CHECK(tables[1].columns()[0].numbers == std::vector<double>{2.5, -1.0});

    // A copy: changing the plugin's memory afterwards changes nothing in it.
    good.car[0] = 99;
    good.firms[0] = "XXXX";
    CHECK(tables[0].columns()[1].numbers[0] == 0.0525);
    CHECK(tables[0].columns()[0].texts[0] == "NVDA");
}

TEST_CASE("read_result_tables accepts zero rows with NULL arrays and a text of exactly IMPACT_MAX_TEXT_BYTES", "[host][tables]") {
    SECTION("zero rows") {
        GoodTable good;
        good.table.row_count = 0;
        good.columns[0].texts = nullptr;
        good.columns[1].numbers = nullptr;
        FakeInstance fake;
        fake.tables = {&good.table};
        const auto tables = host::read_result_tables(fake.c, kModel);
        REQUIRE(tables.size() == 1);
        CHECK(tables[0].rows() == 0);
        REQUIRE(tables[0].columns().size() == 3);
        CHECK(tables[0].columns()[0].texts.empty());
        CHECK(tables[0].columns()[1].numbers.empty());
    }
    SECTION("a text of exactly the limit") {
        const std::string longest(IMPACT_MAX_TEXT_BYTES, 'a');
        GoodTable good;
        good.firms[2] = longest.c_str();
        good.point();
        FakeInstance fake;
        fake.tables = {&good.table};
        const auto tables = host::read_result_tables(fake.c, kModel);
        REQUIRE(tables.size() == 1);
        CHECK(tables[0].columns()[0].texts[2] == longest);
    }
}

TEST_CASE("an instance without get_extension, or without the tables interface, has no tables", "[host][tables]") {
    SECTION("get_extension is NULL") {
        impact_model_instance bare{};
        CHECK(host::read_result_tables(bare, kModel).empty());
    }
    SECTION("get_extension returns NULL for impact.tables/1") {
        GoodTable good;
        FakeInstance fake;
        fake.tables = {&good.table};
        fake.offer_interface = false;
        CHECK(host::read_result_tables(fake.c, kModel).empty());
    }
    SECTION("the interface offers zero tables") {
        FakeInstance fake;
        CHECK(host::read_result_tables(fake.c, kModel).empty());
    }
}

TEST_CASE("a tables interface with a NULL function is refused as internal", "[host][tables]") {
    struct NullFunctions {
        static const void* get_extension(const impact_model_instance*, const char*) {
            static const impact_tables_v1 interface{nullptr, nullptr};
            return &interface;
        }
    };
    impact_model_instance instance{};
    instance.get_extension = &NullFunctions::get_extension;
    try {
        (void)host::read_result_tables(instance, kModel);
        FAIL("a NULL table_count was accepted");
    } catch (const host::CallError& e) {
        CHECK(e.status() == IMPACT_STATUS_INTERNAL);
        CHECK(std::string(e.what()).find("NULL function") != std::string::npos);
    }
}

TEST_CASE("keys that are not [a-z][a-z0-9_]* are refused, naming the table and column", "[host][tables]") {
    for (const char* bad : {"Firms", "1firms", "_firms", "firms-x", "", "firm s"}) {
        INFO("key '" << bad << "'");
        {
            GoodTable good;
            good.table.key = bad;
            require_refused(good, IMPACT_STATUS_INTERNAL, {"table #0 key", "is not [a-z][a-z0-9_]*"});
        }
        {
            GoodTable good;
            good.columns[1].key = bad;
            require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column #1 key", "is not [a-z][a-z0-9_]*"});
        }
    }
    GoodTable good;
    good.table.key = nullptr;
    require_refused(good, IMPACT_STATUS_INTERNAL, {"table #0 key is NULL"});
    GoodTable null_column_key;
    null_column_key.columns[2].key = nullptr;
    require_refused(null_column_key, IMPACT_STATUS_INTERNAL, {"table 'firms' column #2 key is NULL"});
}

TEST_CASE("two tables with one key, or two columns with one key, are refused", "[host][tables]") {
    SECTION("tables") {
        GoodTable first;
        GoodTable second;
        second.table.label = "Per firm again";
        FakeInstance fake;
        fake.tables = {&first.table, &second.table};
        require_refused(fake, IMPACT_STATUS_INTERNAL, {"two named 'firms'"});
    }
    SECTION("columns") {
        GoodTable good;
        good.columns[2].key = "car";
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' has two columns 'car'"});
    }
}

TEST_CASE("a column count of zero or above IMPACT_MAX_TABLE_COLUMNS is refused", "[host][tables]") {
    SECTION("zero") {
        GoodTable good;
        good.table.column_count = 0;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' has 0 columns", "1 to 256"});
    }
    SECTION("NULL columns") {
        GoodTable good;
        good.table.columns = nullptr;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms'", "columns"});
    }
    SECTION("one too many") {
        // Every column valid and distinct, so only the count can be what is refused.
        std::vector<std::string> keys;
        for (uint32_t c = 0; c <= IMPACT_MAX_TABLE_COLUMNS; ++c) keys.push_back("c" + std::to_string(c));
        const double cell = 1.0;
        std::vector<impact_table_column> columns;
        for (const std::string& key : keys)
            columns.push_back({sizeof(impact_table_column), key.c_str(), "C", "", IMPACT_COLUMN_NUMBER, 0u, &cell,
                               nullptr});
        impact_table table{sizeof(impact_table), "wide", "Wide", "", columns.data(),
                           static_cast<uint32_t>(columns.size()), 1};
        FakeInstance fake;
        fake.tables = {&table};
        require_refused(fake, IMPACT_STATUS_INTERNAL, {"table 'wide' has 257 columns", "1 to 256"});
        // And the limit itself is allowed.
        table.column_count = IMPACT_MAX_TABLE_COLUMNS;
        const auto tables = host::read_result_tables(fake.c, kModel);
        REQUIRE(tables.size() == 1);
        CHECK(tables[0].columns().size() == IMPACT_MAX_TABLE_COLUMNS);
        CHECK(tables[0].columns().back().key == "c255");
    }
}

TEST_CASE("a row count above IMPACT_MAX_TABLE_ROWS is refused before any cell is read", "[host][tables]") {
    GoodTable good;
    good.table.row_count = uint64_t{IMPACT_MAX_TABLE_ROWS} + 1;
    require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' has 1000001 rows", "IMPACT_MAX_TABLE_ROWS"});
    good.table.row_count = UINT64_MAX;
    require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' has 18446744073709551615 rows"});
}

TEST_CASE("more than IMPACT_MAX_TABLE_CELLS cells over all tables are refused before any cell is read", "[host][tables]") {
    // A good table first (9 cells), then one of 10 columns of a million rows: 10,000,009 cells in
    // all, one table within every other limit. Its columns point at one number each, so reading a
    // cell past the first would be out of bounds: the cap must come before any cell is read.
    GoodTable good;
    std::vector<std::string> keys;
    for (int c = 0; c < 10; ++c) keys.push_back("c" + std::to_string(c));
    const double cell = 1.0;
    std::vector<impact_table_column> columns;
    for (const std::string& key : keys)
        columns.push_back({sizeof(impact_table_column), key.c_str(), "C", "", IMPACT_COLUMN_NUMBER, 0u, &cell, nullptr});
    impact_table big{sizeof(impact_table), "big", "Big", "", columns.data(), static_cast<uint32_t>(columns.size()),
                     IMPACT_MAX_TABLE_ROWS};
    FakeInstance fake;
    fake.tables = {&good.table, &big};
    require_refused(fake, IMPACT_STATUS_INTERNAL, {"more than IMPACT_MAX_TABLE_CELLS (10000000) cells in all"});
}

TEST_CASE("NULL texts or numbers with rows are refused, naming the column", "[host][tables]") {
    SECTION("texts") {
        GoodTable good;
        good.columns[0].texts = nullptr;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'firm' has no texts"});
    }
    SECTION("numbers") {
        GoodTable good;
        good.columns[1].numbers = nullptr;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'car' has no numbers"});
    }
    SECTION("one NULL text cell") {
        GoodTable good;
        good.firms[1] = nullptr;
        good.point();
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'firm' row 1 is NULL"});
    }
}

TEST_CASE("invalid UTF-8 in a cell or a label is refused, naming the table, column and row", "[host][tables]") {
    SECTION("a cell") {
        GoodTable good;
        good.firms[2] = "AB\xC3(";  // a lead byte without its continuation, at byte 2
        good.point();
        require_refused(good, IMPACT_STATUS_INTERNAL,
                        {"table 'firms' column 'firm' row 2", "not valid UTF-8", "at byte 2"});
    }
    SECTION("a column label") {
        GoodTable good;
        good.columns[1].label = "\xFF";
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'car' label", "not valid UTF-8"});
    }
    SECTION("a table description") {
        GoodTable good;
        good.table.description = "ok \xED\xA0\x80";  // an encoded surrogate
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' description", "not valid UTF-8"});
    }
}

TEST_CASE("a text longer than IMPACT_MAX_TEXT_BYTES is refused without reading past the limit", "[host][tables]") {
    // Exactly IMPACT_MAX_TEXT_BYTES + 1 bytes and no NUL: the host must stop at the limit.
    const std::vector<char> no_nul(IMPACT_MAX_TEXT_BYTES + 1, 'x');
    GoodTable good;
    good.firms[2] = no_nul.data();
    good.point();
    require_refused(good, IMPACT_STATUS_INTERNAL,
                    {"table 'firms' column 'firm' row 2", "longer than IMPACT_MAX_TEXT_BYTES (4096 bytes)"});
}

TEST_CASE("a non-finite number without IMPACT_COLUMN_MAY_BE_UNDEFINED fails the model, naming column and row", "[host][tables]") {
    SECTION("NaN") {
        GoodTable good;
        good.car[1] = kNaN;
        require_refused(good, IMPACT_STATUS_MODEL_FAILED, {"table 'firms' column 'car' is NaN in row 1"});
    }
    SECTION("+inf") {
        GoodTable good;
        good.car[2] = kInf;
        require_refused(good, IMPACT_STATUS_MODEL_FAILED, {"table 'firms' column 'car' is infinite in row 2"});
    }
    SECTION("-inf") {
        GoodTable good;
        good.car[0] = -kInf;
        require_refused(good, IMPACT_STATUS_MODEL_FAILED, {"table 'firms' column 'car' is infinite in row 0"});
    }
    SECTION("+inf in a may-be-undefined column is kept") {
        GoodTable good;
        good.value[0] = kInf;
        FakeInstance fake;
        fake.tables = {&good.table};
        const auto tables = host::read_result_tables(fake.c, kModel);
        REQUIRE(tables.size() == 1);
        CHECK(tables[0].columns()[2].numbers[0] == kInf);
    }
}

TEST_CASE("an unknown column kind or unknown column flags are refused", "[host][tables]") {
    SECTION("kind") {
        GoodTable good;
        good.columns[1].kind = 2;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'car' has unknown kind 2"});
    }
    SECTION("flags") {
        GoodTable good;
        good.columns[2].flags = IMPACT_COLUMN_MAY_BE_UNDEFINED | 0x4u;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms' column 'value_2' has unknown flags 0x4"});
    }
}

TEST_CASE("a struct_size smaller than ABI 1.4's table or column is refused", "[host][tables]") {
    SECTION("table") {
        GoodTable good;
        good.table.struct_size = sizeof(impact_table) - 8;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table #0 has struct_size 48"});
    }
    SECTION("column") {
        GoodTable good;
        good.columns[0].struct_size = sizeof(impact_table_column) - 8;
        require_refused(good, IMPACT_STATUS_INTERNAL, {"table 'firms'", "columns have struct_size 48"});
    }
}

TEST_CASE("a NULL table below table_count, and more than IMPACT_MAX_TABLES tables, are refused", "[host][tables]") {
    SECTION("NULL table") {
        GoodTable good;
        FakeInstance fake;
        fake.tables = {&good.table, nullptr};
        require_refused(fake, IMPACT_STATUS_INTERNAL, {"table #1 is NULL though table_count is 2"});
    }
    SECTION("table_count past what table() gives") {
        GoodTable good;
        FakeInstance fake;
        fake.tables = {&good.table};
        fake.override_count = true;
        fake.count = 3;
        require_refused(fake, IMPACT_STATUS_INTERNAL, {"table #1 is NULL though table_count is 3"});
    }
    SECTION("too many") {
        FakeInstance fake;
        fake.override_count = true;
        fake.count = IMPACT_MAX_TABLES + 1;
        require_refused(fake, IMPACT_STATUS_INTERNAL, {"65 of them", "IMPACT_MAX_TABLES (64)"});
    }
}

TEST_CASE("columns with a struct_size larger than today's are stepped by columns[0].struct_size", "[host][tables]") {
    // A column of a future minor: today's fields, then one more that this host does not know.
    struct FutureColumn {
        impact_table_column column;
        uint64_t appended;
    };
    static_assert(sizeof(FutureColumn) > sizeof(impact_table_column));
    const char* const names[] = {"NVDA", "AMD"};
    const double numbers[] = {1.25, -2.5};
    FutureColumn future[2]{};
    future[0].column = {sizeof(FutureColumn), "firm", "Firm", "", IMPACT_COLUMN_TEXT, 0u, nullptr, names};
    future[0].appended = 0xDEADBEEF;
    future[1].column = {sizeof(FutureColumn), "car", "CAR", "%", IMPACT_COLUMN_NUMBER, 0u, numbers, nullptr};
    future[1].appended = 0xFEEDFACE;
    // A future impact_table is larger too; its fields read the same.
    struct FutureTable {
        impact_table table;
        uint64_t appended;
    };
    FutureTable table{{sizeof(FutureTable), "firms", "Per firm", "", &future[0].column, 2, 2}, 7};
    FakeInstance fake;
    fake.tables = {&table.table};
    const auto tables = host::read_result_tables(fake.c, kModel);
    REQUIRE(tables.size() == 1);
    REQUIRE(tables[0].columns().size() == 2);
    CHECK(tables[0].columns()[0].key == "firm");
    CHECK(tables[0].columns()[0].texts == std::vector<std::string>{"NVDA", "AMD"});
    CHECK(tables[0].columns()[1].key == "car");
    CHECK(tables[0].columns()[1].unit == "%");
    CHECK(tables[0].columns()[1].numbers == std::vector<double>{1.25, -2.5});
}

TEST_CASE("tables written to the isolation payload read back equal", "[host][tables][isolation]") {
    GoodTable good;
    SmallTable small;
    FakeInstance fake;
    fake.tables = {&good.table, &small.table};
    const std::vector<host::ResultTable> tables = host::read_result_tables(fake.c, kModel);
    REQUIRE(tables.size() == 2);

    isolation::PayloadWriter out;
    host::write_result_tables(out, tables);
    out.u32(0xABCD1234);  // what follows the tables in a reply must stay where it was
    const std::string& bytes = out.bytes();
    isolation::PayloadReader in(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
    const std::vector<host::ResultTable> back = host::read_result_tables(in);
    require_same_tables(tables, back);
    check_good_firms(back.at(0));
    CHECK(in.u32() == 0xABCD1234);
    CHECK(in.remaining() == 0);

    SECTION("no tables") {
        isolation::PayloadWriter none;
        host::write_result_tables(none, {});
        isolation::PayloadReader none_in(reinterpret_cast<const std::byte*>(none.bytes().data()), none.bytes().size());
        CHECK(host::read_result_tables(none_in).empty());
        CHECK(none_in.remaining() == 0);
    }
    SECTION("every truncation throws std::runtime_error") {
        // Cut after every byte but the last: each prefix is a malformed payload.
        const std::size_t tables_size = bytes.size() - sizeof(uint32_t);
        for (std::size_t size = 0; size < tables_size; ++size) {
            INFO("payload cut at " << size << " of " << tables_size << " bytes");
            isolation::PayloadReader cut(reinterpret_cast<const std::byte*>(bytes.data()), size);
            CHECK_THROWS_AS(host::read_result_tables(cut), std::runtime_error);
        }
    }
    SECTION("a count over the limit throws std::runtime_error") {
        isolation::PayloadWriter many;
        many.u32(IMPACT_MAX_TABLES + 1);
        isolation::PayloadReader many_in(reinterpret_cast<const std::byte*>(many.bytes().data()), many.bytes().size());
        CHECK_THROWS_AS(host::read_result_tables(many_in), std::runtime_error);
    }
}
