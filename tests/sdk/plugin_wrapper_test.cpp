// The C++ wrapper (plugin.hpp) driven through its C tables in-process, without loading a library.
#include <impact/sdk/plugin.hpp>

#include "support/plugin_abi.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace sdk = impact::sdk;

namespace {

// test.scaler: sum = x + y and scaled = factor * x, with a text `mode` that makes it fail
// in each way the wrapper must translate into a status.
class Scaler {
public:
    enum Column : uint32_t { kX, kY };
    enum Result : uint32_t { kSum, kScaled };

    static sdk::ModelSpec spec() {
        using sdk::Input;
        using sdk::Output;
        return sdk::ModelSpec("test.scaler")
            .name("Scaler")
            .version("2.1.0")
            .description("Sum and scaled value")
            .references("test-only formulas")
            .thread_safety(sdk::ThreadSafety::instance_safe)
            .input(Input::text("mode", "Mode").default_text("ok").description("how to fail"))
            .input(Input::number("factor", "Factor").prepared().default_value(2))
            .input(Input::number("x", "X").required())
            .input(Input::money("y", "Y").unit("{currency}").min(0).max(1e6))
            .output(Output("sum", "Sum").unit("{currency}"))
            .output(Output("scaled", "Scaled").description("factor times x"));
    }

    explicit Scaler(const sdk::PreparedInputs& in) : mode_(in.text_or("mode", "ok")), factor_(in.number_or("factor", 2)) {
        if (mode_ == "reject") throw sdk::InputError("mode", "mode 'reject' refuses to prepare");
        if (mode_ == "cannot") throw sdk::ModelError("mode 'cannot' cannot prepare");
    }

    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) {
            const double x = batch.input(row, kX);
            const double y = batch.input(row, kY);
            const auto r = static_cast<int64_t>(row);
            if (x < 0) throw sdk::InputError("x", "x must not be negative", r);
            if (mode_ == "model_error" && row == 2) throw sdk::ModelError("no result for this row", r);
            if (mode_ == "std") throw std::runtime_error("a std::runtime_error from the model");
            if (mode_ == "bad_alloc") throw std::bad_alloc();
            if (mode_ == "int") throw 42;  // not derived from std::exception
            batch.output(row, kSum) = x + y;
            batch.output(row, kScaled) = factor_ * x;
        }
    }

    std::vector<sdk::Note> notes() const { return {{"mode", mode_}, {"factor", std::to_string(factor_)}}; }

private:
    std::string mode_;
    double factor_;
};

// test.constant: no inputs at all and no notes(); the second model of the plugin.
class Constant {
public:
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.constant").name("Constant").output(sdk::Output("one", "One"));
    }
    explicit Constant(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = 1.0;
    }
};

using TestPlugin = sdk::Plugin<Scaler, Constant>;

const impact_model_factory_v1& factory() {
    const void* table = TestPlugin::get_interface(IMPACT_MODEL_FACTORY_V1);
    REQUIRE(table != nullptr);
    return *static_cast<const impact_model_factory_v1*>(table);
}

// Host-side error storage as core/host builds it, with a row the plugin must overwrite.
struct ErrorStorage {
    std::array<char, 128> message{};
    std::array<char, 32> input_key{};
    impact_error error{sizeof(impact_error), message.data(), static_cast<uint32_t>(message.size()),
                       input_key.data(), static_cast<uint32_t>(input_key.size()), -99};
    ErrorStorage() {
        std::strcpy(message.data(), "(not written)");
        std::strcpy(input_key.data(), "(not written)");
    }
    std::string message_text() const { return message.data(); }
    std::string key_text() const { return input_key.data(); }
};

struct InstanceDeleter {
    void operator()(impact_model_instance* instance) const noexcept { instance->destroy(instance); }
};
using InstancePtr = std::unique_ptr<impact_model_instance, InstanceDeleter>;

// Prepared values as a host builds them (tests/support/plugin_abi.hpp).
using impact::test::number_value;
using impact::test::text_value;

InstancePtr create_scaler(const char* mode, double factor = 3) {
    const impact_value values[] = {text_value("mode", mode), number_value("factor", factor)};
    const impact_prepare_args args{sizeof(impact_prepare_args), values, 2, nullptr, 0};
    ErrorStorage error;
    impact_model_instance* instance = nullptr;
    const impact_status status = factory().create("test.scaler", &args, &instance, &error.error);
    INFO(error.message_text());
    REQUIRE(status == IMPACT_STATUS_OK);
    REQUIRE(instance != nullptr);
    return InstancePtr(instance);
}

// Two rows x, y -> (x + y, factor * x); row 1 is x = 0, the edge between valid and not.
constexpr std::array<double, 6> kInputs = {1.5, 10.0, 0.0, 2.0, 4.0, 0.25};

}  // namespace

// The plugin's one exported symbol, as a real plugin writes it.
IMPACT_PLUGIN("org.impact.wrapper-test", "0.3.0", "Wrapper test plugin", Scaler, Constant);

TEST_CASE("IMPACT_PLUGIN defines an entry with this header's ABI and the Plugin's get_interface", "[sdk][wrapper]") {
    const impact_plugin_entry& entry = IMPACT_PLUGIN_ENTRY_NAME;
    CHECK(entry.struct_size == sizeof(impact_plugin_entry));
    CHECK(entry.abi_major == IMPACT_ABI_MAJOR);
    CHECK(entry.abi_minor == IMPACT_ABI_MINOR);
    CHECK(std::string(entry.plugin_id) == "org.impact.wrapper-test");
    CHECK(std::string(entry.plugin_version) == "0.3.0");
    CHECK(std::string(entry.plugin_name) == "Wrapper test plugin");
    CHECK(entry.get_interface == &TestPlugin::get_interface);
}

TEST_CASE("get_interface returns the factory for its id and NULL for any other id", "[sdk][wrapper]") {
    const auto* table = static_cast<const impact_model_factory_v1*>(TestPlugin::get_interface(IMPACT_MODEL_FACTORY_V1));
    REQUIRE(table != nullptr);
    CHECK(table->model_count == &TestPlugin::model_count);
    CHECK(table->model_descriptor == &TestPlugin::model_descriptor);
    CHECK(table->create == &TestPlugin::create);
    CHECK(TestPlugin::get_interface("impact.model-factory/2") == nullptr);
    CHECK(TestPlugin::get_interface("impact.model-factory/1/") == nullptr);
    CHECK(TestPlugin::get_interface("impact.model-factory") == nullptr);
    CHECK(TestPlugin::get_interface("") == nullptr);
    CHECK(TestPlugin::get_interface(nullptr) == nullptr);
}

TEST_CASE("model_descriptor describes each model in declaration order and NULL past the end", "[sdk][wrapper]") {
    const impact_model_factory_v1& f = factory();
    REQUIRE(f.model_count() == 2);
    const impact_model_descriptor* d = f.model_descriptor(0);
    REQUIRE(d != nullptr);
    CHECK(f.model_descriptor(0) == d);  // stable: lives as long as the library
    CHECK(d->struct_size == sizeof(impact_model_descriptor));
    CHECK(std::string(d->id) == "test.scaler");
    CHECK(std::string(d->name) == "Scaler");
    CHECK(std::string(d->version) == "2.1.0");
    CHECK(std::string(d->description) == "Sum and scaled value");
    CHECK(std::string(d->references) == "test-only formulas");
    CHECK(d->thread_safety == IMPACT_THREAD_INSTANCE_SAFE);
    REQUIRE(d->input_count == 4);
    REQUIRE(d->output_count == 2);

    const impact_input_descriptor& mode = d->inputs[0];
    CHECK(mode.struct_size == sizeof(impact_input_descriptor));
    CHECK(std::string(mode.key) == "mode");
    CHECK(std::string(mode.description) == "how to fail");
    CHECK(mode.kind == IMPACT_KIND_TEXT);
    CHECK(mode.flags == IMPACT_INPUT_HAS_DEFAULT);
    REQUIRE(mode.default_text != nullptr);
    CHECK(std::string(mode.default_text) == "ok");

    const impact_input_descriptor& factor = d->inputs[1];
    CHECK(std::string(factor.key) == "factor");
    CHECK(factor.kind == IMPACT_KIND_NUMBER);
    CHECK(factor.flags == (IMPACT_INPUT_PREPARED | IMPACT_INPUT_HAS_DEFAULT));
    CHECK(factor.default_number == 2);
    CHECK(factor.default_text == nullptr);  // numeric defaults cross as default_number only

    const impact_input_descriptor& x = d->inputs[2];
    CHECK(std::string(x.key) == "x");
    CHECK(std::string(x.label) == "X");
    CHECK(x.flags == IMPACT_INPUT_REQUIRED);

    const impact_input_descriptor& y = d->inputs[3];
    CHECK(std::string(y.key) == "y");
    CHECK(y.kind == IMPACT_KIND_MONEY);
    CHECK(std::string(y.unit) == "{currency}");
    CHECK(y.flags == (IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_HAS_MAX));
    CHECK(y.min_value == 0);
    CHECK(y.max_value == 1e6);

    CHECK(d->outputs[0].struct_size == sizeof(impact_output_descriptor));
    CHECK(std::string(d->outputs[0].key) == "sum");
    CHECK(std::string(d->outputs[0].unit) == "{currency}");
    CHECK(std::string(d->outputs[1].key) == "scaled");
    CHECK(std::string(d->outputs[1].description) == "factor times x");

    const impact_model_descriptor* constant = f.model_descriptor(1);
    REQUIRE(constant != nullptr);
    CHECK(std::string(constant->id) == "test.constant");
    CHECK(std::string(constant->version) == "1.0.0");  // the wrapper's documented default
    CHECK(std::string(constant->references).empty());
    CHECK(constant->thread_safety == IMPACT_THREAD_UNSAFE);
    CHECK(constant->input_count == 0);
    CHECK(constant->output_count == 1);

    CHECK(f.model_descriptor(2) == nullptr);
    CHECK(f.model_descriptor(UINT32_MAX) == nullptr);
}

TEST_CASE("create passes impact_value arrays to the model and evaluate fills every output row", "[sdk][wrapper]") {
    const double factor = 3;
    const InstancePtr instance = create_scaler("ok", factor);
    std::array<double, 6> outputs{};
    outputs.fill(-1);
    ErrorStorage error;
    REQUIRE(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), &error.error) == IMPACT_STATUS_OK);
    for (std::size_t row = 0; row < 3; ++row) {
        const double x = kInputs[row * 2];
        const double y = kInputs[row * 2 + 1];
        INFO("row " << row);
        CHECK(outputs[row * 2] == x + y);
        CHECK(outputs[row * 2 + 1] == factor * x);
    }
    // Success clears the message and key and says "no row".
    CHECK(error.message_text().empty());
    CHECK(error.key_text().empty());
    CHECK(error.error.row == -1);

    const char* key = nullptr;
    const char* value = nullptr;
    REQUIRE(instance->get_note(instance.get(), 0, &key, &value) == 1);
    CHECK(std::string(key) == "mode");
    CHECK(std::string(value) == "ok");
    REQUIRE(instance->get_note(instance.get(), 1, &key, &value) == 1);
    CHECK(std::string(key) == "factor");
    CHECK(std::stod(value) == factor);
    const char* untouched = "untouched";
    key = value = untouched;
    CHECK(instance->get_note(instance.get(), 2, &key, &value) == 0);
    CHECK(key == untouched);
    CHECK(value == untouched);
    CHECK(instance->get_extension(instance.get(), "impact.anything/1") == nullptr);
}

TEST_CASE("a model without notes() and without prepare args still creates and evaluates", "[sdk][wrapper]") {
    impact_model_instance* raw = nullptr;
    ErrorStorage error;
    REQUIRE(factory().create("test.constant", nullptr, &raw, &error.error) == IMPACT_STATUS_OK);
    const InstancePtr instance(raw);
    std::array<double, 4> outputs{};
    // No inputs: the input pointer may be NULL; four rows of one output each.
    REQUIRE(instance->evaluate(instance.get(), nullptr, 4, outputs.data(), &error.error) == IMPACT_STATUS_OK);
    CHECK(std::all_of(outputs.begin(), outputs.end(), [](double v) { return v == 1.0; }));
    const char* key = nullptr;
    const char* value = nullptr;
    CHECK(instance->get_note(instance.get(), 0, &key, &value) == 0);
}

TEST_CASE("exceptions thrown by evaluate come back as status, message, input key and row", "[sdk][wrapper]") {
    std::array<double, 6> outputs{};

    SECTION("InputError -> INVALID_INPUT with its key and row") {
        const InstancePtr instance = create_scaler("ok");
        std::array<double, 6> inputs = kInputs;
        inputs[2] = -1;  // x of row 1
        ErrorStorage error;
        CHECK(instance->evaluate(instance.get(), inputs.data(), 3, outputs.data(), &error.error) ==
              IMPACT_STATUS_INVALID_INPUT);
        CHECK(error.message_text() == "x must not be negative");
        CHECK(error.key_text() == "x");
        CHECK(error.error.row == 1);
    }
    SECTION("ModelError -> MODEL_FAILED with its row and no key") {
        const InstancePtr instance = create_scaler("model_error");
        ErrorStorage error;
        CHECK(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), &error.error) ==
              IMPACT_STATUS_MODEL_FAILED);
        CHECK(error.message_text() == "no result for this row");
        CHECK(error.key_text().empty());
        CHECK(error.error.row == 2);
    }
    SECTION("std::exception -> INTERNAL with what()") {
        const InstancePtr instance = create_scaler("std");
        ErrorStorage error;
        CHECK(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), &error.error) ==
              IMPACT_STATUS_INTERNAL);
        CHECK(error.message_text() == "a std::runtime_error from the model");
        CHECK(error.key_text().empty());
        CHECK(error.error.row == -1);
    }
    SECTION("std::bad_alloc -> INTERNAL") {
        const InstancePtr instance = create_scaler("bad_alloc");
        ErrorStorage error;
        CHECK(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), &error.error) ==
              IMPACT_STATUS_INTERNAL);
        CHECK_FALSE(error.message_text().empty());
        CHECK(error.message_text() != "(not written)");
        CHECK(error.error.row == -1);
    }
    SECTION("a non-std exception -> INTERNAL with a message") {
        const InstancePtr instance = create_scaler("int");
        ErrorStorage error;
        CHECK(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), &error.error) ==
              IMPACT_STATUS_INTERNAL);
        CHECK_FALSE(error.message_text().empty());
        CHECK(error.message_text() != "(not written)");
        CHECK(error.key_text().empty());
        CHECK(error.error.row == -1);
    }
    SECTION("a NULL error pointer is allowed and the status still comes back") {
        const InstancePtr instance = create_scaler("std");
        CHECK(instance->evaluate(instance.get(), kInputs.data(), 3, outputs.data(), nullptr) == IMPACT_STATUS_INTERNAL);
    }
}

TEST_CASE("exceptions thrown while preparing come back from create with no instance", "[sdk][wrapper]") {
    // A non-NULL sentinel: create must reset *out_instance on every failure.
    impact_model_instance sentinel{};
    SECTION("InputError -> INVALID_INPUT with its key") {
        const impact_value values[] = {text_value("mode", "reject")};
        const impact_prepare_args args{sizeof(impact_prepare_args), values, 1, nullptr, 0};
        impact_model_instance* out = &sentinel;
        ErrorStorage error;
        CHECK(factory().create("test.scaler", &args, &out, &error.error) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(out == nullptr);
        CHECK(error.message_text() == "mode 'reject' refuses to prepare");
        CHECK(error.key_text() == "mode");
        CHECK(error.error.row == -1);
    }
    SECTION("ModelError -> MODEL_FAILED") {
        const impact_value values[] = {text_value("mode", "cannot")};
        const impact_prepare_args args{sizeof(impact_prepare_args), values, 1, nullptr, 0};
        impact_model_instance* out = &sentinel;
        ErrorStorage error;
        CHECK(factory().create("test.scaler", &args, &out, &error.error) == IMPACT_STATUS_MODEL_FAILED);
        CHECK(out == nullptr);
        CHECK(error.message_text() == "mode 'cannot' cannot prepare");
        CHECK(error.key_text().empty());
    }
}

TEST_CASE("create refuses unknown or missing model ids and a NULL out pointer", "[sdk][wrapper]") {
    impact_model_instance sentinel{};
    SECTION("unknown id -> UNKNOWN_MODEL naming the id") {
        impact_model_instance* out = &sentinel;
        ErrorStorage error;
        CHECK(factory().create("test.nope", nullptr, &out, &error.error) == IMPACT_STATUS_UNKNOWN_MODEL);
        CHECK(out == nullptr);
        CHECK(error.message_text().find("test.nope") != std::string::npos);
        CHECK(error.key_text().empty());
    }
    SECTION("an id that is only a prefix of a model's id is unknown") {
        impact_model_instance* out = &sentinel;
        CHECK(factory().create("test.scale", nullptr, &out, nullptr) == IMPACT_STATUS_UNKNOWN_MODEL);
        CHECK(out == nullptr);
    }
    SECTION("NULL id -> UNKNOWN_MODEL") {
        impact_model_instance* out = &sentinel;
        ErrorStorage error;
        CHECK(factory().create(nullptr, nullptr, &out, &error.error) == IMPACT_STATUS_UNKNOWN_MODEL);
        CHECK(out == nullptr);
    }
    SECTION("NULL out_instance -> INTERNAL, no crash") {
        ErrorStorage error;
        CHECK(factory().create("test.scaler", nullptr, nullptr, &error.error) == IMPACT_STATUS_INTERNAL);
    }
}

namespace {

// An impact_error whose struct_size says it is shorter than this SDK's, placed at the start of
// a larger buffer of guard bytes: the bytes past struct_size are not the host's to write.
struct ShortErrorBuffer {
    static constexpr unsigned char kGuard = 0xA5;
    alignas(impact_error) unsigned char bytes[sizeof(impact_error) + 16];
    std::array<char, 64> message{};
    std::array<char, 32> input_key{};

    explicit ShortErrorBuffer(uint32_t struct_size_bytes) {
        std::memset(bytes, kGuard, sizeof bytes);
        message.fill('#');
        input_key.fill('#');
        const impact_error full{struct_size_bytes, message.data(), static_cast<uint32_t>(message.size()),
                                input_key.data(), static_cast<uint32_t>(input_key.size()), -99};
        // The host's part only; struct_size itself is always there, even when it says 0.
        std::memcpy(bytes, &full, std::max<std::size_t>(struct_size_bytes, sizeof full.struct_size));
    }
    impact_error* error() noexcept { return reinterpret_cast<impact_error*>(bytes); }
    bool guard_intact_from(std::size_t offset_bytes) const noexcept {
        return std::all_of(bytes + offset_bytes, bytes + sizeof bytes, [](unsigned char b) { return b == kGuard; });
    }
    bool untouched(const std::array<char, 64>& a) const { return std::all_of(a.begin(), a.end(), [](char c) { return c == '#'; }); }
    bool untouched(const std::array<char, 32>& a) const { return std::all_of(a.begin(), a.end(), [](char c) { return c == '#'; }); }
};

impact_status fail_row_one(impact_error* error) {
    static const InstancePtr instance = create_scaler("ok");
    std::array<double, 6> inputs = kInputs;
    inputs[2] = -1;  // x of row 1: InputError with message, key and row to write
    std::array<double, 6> outputs{};
    return instance->evaluate(instance.get(), inputs.data(), 3, outputs.data(), error);
}

}  // namespace

TEST_CASE("an error buffer is never written past its struct_size", "[sdk][wrapper][error]") {
    SECTION("struct_size 0: nothing is written") {
        ShortErrorBuffer b(0);
        CHECK(fail_row_one(b.error()) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(b.guard_intact_from(sizeof(uint32_t)));
        CHECK(b.untouched(b.message));
        CHECK(b.untouched(b.input_key));
    }
    SECTION("only the message fields: message written, input_key and row not") {
        // message (8) and message_capacity (16..20) are inside; input_key at 24 is not.
        ShortErrorBuffer b(offsetof(impact_error, input_key));
        CHECK(fail_row_one(b.error()) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::string(b.message.data()) == "x must not be negative");
        CHECK(b.untouched(b.input_key));
        CHECK(b.guard_intact_from(offsetof(impact_error, input_key)));
    }
    SECTION("everything but row: row, the last field, is not written") {
        ShortErrorBuffer b(offsetof(impact_error, row));
        CHECK(fail_row_one(b.error()) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::string(b.message.data()) == "x must not be negative");
        CHECK(std::string(b.input_key.data()) == "x");
        CHECK(b.guard_intact_from(offsetof(impact_error, row)));
    }
    SECTION("a full struct: row written, nothing past it") {
        ShortErrorBuffer b(sizeof(impact_error));
        CHECK(fail_row_one(b.error()) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(b.error()->row == 1);
        CHECK(b.guard_intact_from(sizeof(impact_error)));
    }
}

TEST_CASE("error text is truncated to the host's capacity and never written past it", "[sdk][wrapper][error]") {
    std::array<char, 32> message{};
    std::array<char, 16> key{};
    message.fill('#');
    key.fill('#');
    impact_error error{sizeof(impact_error), message.data(), 8, key.data(), 1, -99};
    CHECK(fail_row_one(&error) == IMPACT_STATUS_INVALID_INPUT);
    // capacity 8 = 7 characters and the NUL.
    CHECK(std::string(message.data()) == std::string("x must not be negative").substr(0, 7));
    CHECK(std::all_of(message.begin() + 8, message.end(), [](char c) { return c == '#'; }));
    // capacity 1 = the NUL alone.
    CHECK(key[0] == '\0');
    CHECK(std::all_of(key.begin() + 1, key.end(), [](char c) { return c == '#'; }));
    CHECK(error.row == 1);

    SECTION("capacity 0 and NULL buffers mean 'not wanted'") {
        message.fill('#');
        key.fill('#');
        impact_error none{sizeof(impact_error), message.data(), 0, nullptr, 16, -99};
        CHECK(fail_row_one(&none) == IMPACT_STATUS_INVALID_INPUT);
        CHECK(std::all_of(message.begin(), message.end(), [](char c) { return c == '#'; }));
        CHECK(none.row == 1);
    }
}

// A host built against a later minor version that appended a field to impact_value: the
// wrapper must step through the array by the host's struct_size, not by its own sizeof.
TEST_CASE("prepared values are read with the host's struct_size as the array stride", "[sdk][wrapper][abi]") {
    struct FutureValue {
        impact_value v;
        double appended_in_a_later_minor;
    };
    FutureValue values[2] = {{text_value("mode", "ok"), -1.0}, {number_value("factor", 5.0), -1.0}};
    for (FutureValue& f : values) f.v.struct_size = sizeof(FutureValue);
    const impact_prepare_args args{sizeof(impact_prepare_args), &values[0].v, 2, nullptr, 0};
    ErrorStorage error;
    impact_model_instance* raw = nullptr;
    REQUIRE(factory().create("test.scaler", &args, &raw, &error.error) == IMPACT_STATUS_OK);
    InstancePtr instance(raw);
    const double inputs[2] = {1.5, 10.0};
    double outputs[2] = {};
    REQUIRE(instance->evaluate(instance.get(), inputs, 1, outputs, &error.error) == IMPACT_STATUS_OK);
    // factor 5 was found in element 1 only if the stride was sizeof(FutureValue).
    CHECK(outputs[Scaler::kScaled] == 5.0 * 1.5);
}

TEST_CASE("prepare arguments smaller than SDK 1.0 are refused as an ABI mismatch", "[sdk][wrapper][abi]") {
    impact_value value = text_value("mode", "ok");
    value.struct_size = 8;  // a key pointer's end: far short of the 1.0 layout
    const impact_prepare_args args{sizeof(impact_prepare_args), &value, 1, nullptr, 0};
    ErrorStorage error;
    impact_model_instance* instance = nullptr;
    CHECK(factory().create("test.scaler", &args, &instance, &error.error) == IMPACT_STATUS_ABI_MISMATCH);
    CHECK(instance == nullptr);
    const impact_prepare_args short_args{4, &value, 1, nullptr, 0};
    CHECK(factory().create("test.scaler", &short_args, &instance, &error.error) == IMPACT_STATUS_ABI_MISMATCH);
    CHECK(error.message_text().find("smaller than SDK 1.0") != std::string::npos);
}

namespace {

// test.fixed_sum: y = a + b with compile-time batch widths, as sdk/README.md recommends.
class FixedSum {
public:
    using batch_type = sdk::FixedBatch<2, 1>;
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.fixed_sum")
            .input(sdk::Input::number("a", "A"))
            .input(sdk::Input::number("b", "B"))
            .output(sdk::Output("y", "Y"));
    }
    explicit FixedSum(const sdk::PreparedInputs&) {}
    void evaluate(batch_type& batch) const {
        static_assert(std::is_same_v<decltype(batch.input_width()), uint32_t>);
        for (uint64_t r = 0; r < batch.rows(); ++r) batch.output(r, 0) = batch.input(r, 0) + batch.input(r, 1);
    }
};

// test.wrong_widths: declares 3 inputs per row in batch_type but only 2 in spec().
class WrongWidths {
public:
    using batch_type = sdk::FixedBatch<3, 1>;
    static sdk::ModelSpec spec() {
        return sdk::ModelSpec("test.wrong_widths")
            .input(sdk::Input::number("a", "A"))
            .input(sdk::Input::number("b", "B"))
            .output(sdk::Output("y", "Y"));
    }
    explicit WrongWidths(const sdk::PreparedInputs&) {}
    void evaluate(batch_type&) const {}
};

const impact_model_factory_v1& fixed_factory() {
    return *static_cast<const impact_model_factory_v1*>(
        sdk::Plugin<FixedSum, WrongWidths>::get_interface(IMPACT_MODEL_FACTORY_V1));
}

}  // namespace

TEST_CASE("a model with a FixedBatch evaluates every row with compile-time widths", "[sdk][wrapper][batch]") {
    ErrorStorage error;
    impact_model_instance* raw = nullptr;
    REQUIRE(fixed_factory().create("test.fixed_sum", nullptr, &raw, &error.error) == IMPACT_STATUS_OK);
    InstancePtr instance(raw);
    const double inputs[6] = {1, 2, 30, 40, -5, 0.5};
    double outputs[3] = {};
    REQUIRE(instance->evaluate(instance.get(), inputs, 3, outputs, &error.error) == IMPACT_STATUS_OK);
    CHECK(outputs[0] == 3);
    CHECK(outputs[1] == 70);
    CHECK(outputs[2] == -4.5);
}

TEST_CASE("a batch_type whose widths differ from spec() is refused at create as a plugin bug", "[sdk][wrapper][batch]") {
    ErrorStorage error;
    impact_model_instance* raw = nullptr;
    CHECK(fixed_factory().create("test.wrong_widths", nullptr, &raw, &error.error) == IMPACT_STATUS_INTERNAL);
    CHECK(raw == nullptr);
    INFO(error.message_text());
    CHECK(error.message_text().find("batch_type declares 3 inputs") != std::string::npos);
}
