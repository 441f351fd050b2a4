// Compiles the SDK's C header and C++ wrapper at one C++ standard (built once as C++17, once as C++20).
#include <impact/sdk/impact_plugin.h>  // first: the C header must be self-contained in C++ too
#include <impact/sdk/plugin.hpp>

#include <string>
#include <vector>

// CMake passes the __cplusplus value the target's CXX_STANDARD must produce, so a target that
// silently fell back to another standard fails here instead of testing the wrong thing.
#if !defined(IMPACT_EXPECTED_CPLUSPLUS) || __cplusplus != IMPACT_EXPECTED_CPLUSPLUS
#error "cxx_header_check.cpp was not compiled with the C++ standard its target asks for"
#endif

namespace {

// Every C type named once, so a type that stops compiling in C++ fails this target.
[[maybe_unused]] void use_every_c_type() {
    impact_error error{};
    impact_series series{};
    impact_input_descriptor input{};
    impact_output_descriptor output{};
    impact_model_descriptor model{};
    impact_value value{};
    impact_prepare_args args{};
    impact_model_instance instance{};
    impact_model_factory_v1 factory{};
    impact_plugin_entry entry{};
    impact_status status = IMPACT_STATUS_OK;
    impact_date_days date = 0;
    impact_input_kind kind = IMPACT_KIND_SERIES;
    impact_thread_safety safety = IMPACT_THREAD_FULLY_SAFE;
    (void)error, (void)series, (void)input, (void)output, (void)model, (void)value, (void)args;
    (void)instance, (void)factory, (void)entry, (void)status, (void)date, (void)kind, (void)safety;
}

// A model that touches every part of the wrapper, so each template is instantiated.
class EveryFeature {
public:
    static impact::sdk::ModelSpec spec() {
        using impact::sdk::Input;
        using impact::sdk::Output;
        return impact::sdk::ModelSpec("check.every_feature")
            .name("Every feature")
            .version("1.0.0")
            .description("Instantiates every wrapper template")
            .references("none")
            .thread_safety(impact::sdk::ThreadSafety::instance_safe)
            .input(Input::number("n", "N").required().min(0).max(10))
            .input(Input::money("m", "M").unit("{c}").default_value(1))
            .input(Input::percent("p", "P").prepared().default_value(0.5))
            .input(Input::date("d", "D").default_text("2025-01-02"))
            .input(Input::text("c", "C").default_text("USD").description("currency"))
            .input(Input::series("s", "S"))
            .output(Output("o", "O").unit("{c}").description("out"));
    }
    explicit EveryFeature(const impact::sdk::PreparedInputs& in)
        : p_(in.number_or("p", 0.5)), text_(in.text_or("c", "USD")) {
        if (in.has("d")) date_ = in.date("d");
        if (in.has("s"))
            for (const impact::sdk::SeriesView& s : in.series("s"))
                if (s.size() > 0) last_ = s.value(s.size() - 1) + static_cast<double>(s.date(0).days_since_epoch);
    }
    void evaluate(impact::sdk::Batch& batch) const {
        for (uint64_t row = 0; row < batch.rows(); ++row) batch.output(row, 0) = batch.input(row, 0) * p_ + last_;
    }
    std::vector<impact::sdk::Note> notes() const { return {{"date", date_.iso()}, {"currency", text_}}; }

private:
    double p_;
    std::string text_;
    impact::sdk::Date date_{};
    double last_ = 0;
};

}  // namespace

// The macro as plugins use it. These check libraries are never linked together or loaded,
// so each defining the entry is harmless.
IMPACT_PLUGIN("org.impact.cxx-check", "1.0.0", "C++ header check", EveryFeature);
