// The SDK's model helpers: columns by key, for_each_row's row, currency inputs and checks, all through the C tables.
#include <impact/sdk/plugin.hpp>

#include "support/plugin_abi.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sdk = impact::sdk;

namespace {

// Row inputs interleaved with text, date and prepared inputs, so a column is not a declaration index.
sdk::ModelSpec interleaved_spec(const char* id) {
    using sdk::Input;
    using sdk::Output;
    return sdk::ModelSpec(id)
        .input(Input::text("currency", "Currency").default_text("USD"))
        .input(Input::money("price", "Price").unit("{currency}"))   // column 0
        .input(Input::number("window", "Window").prepared())        // not a column
        .input(Input::date("as_of", "As of"))                       // not a column
        .input(Input::percent("share", "Share"))                    // column 1
        .output(Output("value", "Value").unit("{currency}"))        // output 0
        .output(Output("flag", "Flag"));                            // output 1
}

// test.helpers: value = price x share. A formula that knows no rows throws for share > 1
// (InputError) and price == 7 (ModelError); share == 0.5 with price < 0 throws one with row 99.
class Helpers {
public:
    static sdk::ModelSpec spec() { return interleaved_spec("test.helpers"); }
    explicit Helpers(const sdk::PreparedInputs& in) : currency_(in.currency_or("currency", "USD")) {}
    void evaluate(sdk::Batch& batch) const {
        sdk::for_each_row(batch, [&](uint64_t row) {
            const double price = batch.input(row, price_), share = batch.input(row, share_);
            if (share > 1) throw sdk::InputError("share", "share above 100%");
            if (price == 7) throw sdk::ModelError("no value at 7");
            if (price < 0) throw sdk::InputError("price", "negative, row given", 99);
            batch.output(row, value_) = price * share;
            batch.output(row, flag_) = currency_ == "KRW" ? 1 : 0;
        });
    }

private:
    const uint32_t price_ = sdk::input_column<Helpers>("price");
    const uint32_t share_ = sdk::input_column<Helpers>("share");
    const uint32_t value_ = sdk::output_column<Helpers>("value");
    const uint32_t flag_ = sdk::output_column<Helpers>("flag");
    std::string currency_;
};

// test.misspelt: asks for a column its spec does not declare ("prise"), a plugin bug.
class Misspelt {
public:
    static sdk::ModelSpec spec() { return interleaved_spec("test.misspelt"); }
    explicit Misspelt(const sdk::PreparedInputs&) {}
    void evaluate(sdk::Batch&) const {}

private:
    const uint32_t price_ = sdk::input_column<Misspelt>("prise");
};

using HelperPlugin = sdk::Plugin<Helpers, Misspelt>;

const impact_model_factory_v1& factory() {
    return *static_cast<const impact_model_factory_v1*>(HelperPlugin::get_interface(IMPACT_MODEL_FACTORY_V1));
}

struct ErrorStorage {
    std::array<char, 256> message{};
    std::array<char, 32> input_key{};
    impact_error error{sizeof(impact_error), message.data(), static_cast<uint32_t>(message.size()),
                       input_key.data(), static_cast<uint32_t>(input_key.size()), -99};
};

struct Created {
    impact_status status;
    impact_model_instance* instance;
    std::string message, key;
};

Created create(const char* model, const char* currency) {
    const impact_value values[] = {impact::test::text_value("currency", currency)};
    const impact_prepare_args args{sizeof(impact_prepare_args), values, currency ? 1u : 0u, nullptr, 0};
    ErrorStorage error;
    impact_model_instance* instance = nullptr;
    const impact_status status = factory().create(model, &args, &instance, &error.error);
    return {status, instance, error.message.data(), error.input_key.data()};
}

}  // namespace

TEST_CASE("input_column and output_column count only row inputs, by key", "[sdk][helpers]") {
    const sdk::ModelSpec spec = interleaved_spec("test.columns");
    CHECK(spec.input_column("price") == 0);
    CHECK(spec.input_column("share") == 1);
    CHECK(spec.output_column("value") == 0);
    CHECK(spec.output_column("flag") == 1);
    // Declared, but not a batch column; and not declared at all.
    for (const char* key : {"window", "as_of", "currency", "prise"}) {
        INFO("key " << key);
        CHECK_THROWS_WITH(spec.input_column(key), Catch::Contains(std::string("'") + key + "'"));
    }
    CHECK_THROWS_AS(spec.output_column("values"), std::logic_error);
}

TEST_CASE("a column key the spec does not declare fails create as a plugin bug naming the key", "[sdk][helpers]") {
    const Created c = create("test.misspelt", "USD");
    INFO(c.message);
    CHECK(c.status == IMPACT_STATUS_INTERNAL);
    CHECK(c.instance == nullptr);
    CHECK(c.message == "test.misspelt declares no row input 'prise'");
}

TEST_CASE("for_each_row gives an error thrown without a row the row it came from", "[sdk][helpers]") {
    const Created c = create("test.helpers", "KRW");
    INFO(c.message);
    REQUIRE(c.status == IMPACT_STATUS_OK);
    const struct {
        std::array<double, 6> inputs;  // three rows of (price, share)
        impact_status status;
        const char* key;
        int64_t row;
    } cases[] = {
        {{1, 0.5, 2, 0.25, 3, 1.5}, IMPACT_STATUS_INVALID_INPUT, "share", 2},
        {{1, 0.5, 7, 0.25, 3, 0.5}, IMPACT_STATUS_MODEL_FAILED, "", 1},
        {{-1, 0.5, 2, 0.25, 3, 0.5}, IMPACT_STATUS_INVALID_INPUT, "price", 99},  // its own row is kept
    };
    for (const auto& k : cases) {
        ErrorStorage error;
        std::array<double, 6> outputs{};
        const impact_status status = c.instance->evaluate(c.instance, k.inputs.data(), 3, outputs.data(), &error.error);
        INFO("inputs " << k.inputs[0] << "," << k.inputs[1] << " " << k.inputs[2] << "," << k.inputs[3] << " "
                       << k.inputs[4] << "," << k.inputs[5] << ": " << error.message.data());
        CHECK(status == k.status);
        CHECK(std::string(error.input_key.data()) == k.key);
        CHECK(error.error.row == k.row);
    }
    std::array<double, 6> outputs{};
    const std::array<double, 6> inputs{2, 0.5, 4, 0.25, 10, 1};
    REQUIRE(c.instance->evaluate(c.instance, inputs.data(), 3, outputs.data(), nullptr) == IMPACT_STATUS_OK);
    CHECK(outputs == std::array<double, 6>{1, 1, 1, 1, 10, 1});  // price x share, KRW flag
    c.instance->destroy(c.instance);
}

TEST_CASE("currency inputs must be current ISO 4217 codes, with one message", "[sdk][helpers][currency]") {
    // ISO 4217 List One (sdk/currencies.hpp cites the edition): KRW and XAF are current; DEM was
    // withdrawn in 2002; CNH is a market convention, not an ISO code; codes are upper-case.
    CHECK(sdk::is_iso4217_currency("KRW"));
    CHECK(sdk::is_iso4217_currency("XAF"));
    for (const char* code : {"krw", "ABC", "DEM", "CNH", "", "USDX"}) {
        INFO("code '" << code << "'");
        CHECK_FALSE(sdk::is_iso4217_currency(code));
        const Created c = create("test.helpers", code);
        CHECK(c.status == IMPACT_STATUS_INVALID_INPUT);
        CHECK(c.key == "currency");
        CHECK(c.message == sdk::unknown_currency_message(code));
        CHECK(c.instance == nullptr);
    }
    CHECK(sdk::unknown_currency_message("ABC").rfind("unknown currency code 'ABC'; expected a current ISO 4217 code", 0) ==
          0);
    const Created fallback = create("test.helpers", nullptr);  // absent: currency_or's "USD"
    INFO(fallback.message);
    CHECK(fallback.status == IMPACT_STATUS_OK);
    if (fallback.instance) fallback.instance->destroy(fallback.instance);
}

TEST_CASE("row_input_given reads the host's list of left-out inputs, and says given when there is none",
          "[sdk][helpers][abi]") {
    const char* const absent[] = {"rate"};
    impact_prepare_args args{};
    args.struct_size = sizeof args;
    args.absent_row_inputs = absent;
    args.absent_row_input_count = 1;
    const sdk::PreparedInputs listed(&args);
    CHECK_FALSE(listed.row_input_given("rate"));
    CHECK(listed.row_input_given("amount"));
    CHECK(listed.row_input_given("rat"));  // whole keys only

    // A host of ABI 1.2 passes prepare args that end after value_count (24 bytes on LP64): the
    // list is not there, whatever bytes follow, and such a host never leaves a batch input out.
    impact_prepare_args v1_2 = args;
    v1_2.struct_size = static_cast<uint32_t>(offsetof(impact_prepare_args, absent_row_inputs));
    CAPTURE(v1_2.struct_size);
    CHECK(sdk::PreparedInputs(&v1_2).row_input_given("rate"));
    // An empty list, and no args at all.
    impact_prepare_args empty{};
    empty.struct_size = sizeof empty;
    CHECK(sdk::PreparedInputs(&empty).row_input_given("rate"));
    CHECK(sdk::PreparedInputs(nullptr).row_input_given("rate"));
}

TEST_CASE("Input::optional_row sets IMPACT_INPUT_OPTIONAL_ROW on a batch column", "[sdk][helpers][abi]") {
    struct OptionalRate {
        static sdk::ModelSpec spec() {
            return sdk::ModelSpec("test.optional_rate")
                .input(sdk::Input::number("amount", "Amount").required())
                .input(sdk::Input::number("rate", "Rate").optional_row().greater_than(0))
                .output(sdk::Output("out", "Out"));
        }
    };
    const sdk::DescriptorStorage<OptionalRate>& storage = sdk::DescriptorStorage<OptionalRate>::get();
    const impact_model_descriptor* d = storage.descriptor();
    REQUIRE(d->input_count == 2);
    CHECK(d->inputs[1].flags == (IMPACT_INPUT_OPTIONAL_ROW | IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE));
    CHECK(storage.spec().input_column("rate") == 1);  // still a batch column
    CHECK(storage.spec().row_input_count() == 2);
}
