// Impact plugin SDK: header-only C++17 wrapper that turns a C++ model class into the C ABI.
#ifndef IMPACT_SDK_PLUGIN_HPP
#define IMPACT_SDK_PLUGIN_HPP

// A model is a class with:
//   static impact::sdk::ModelSpec spec();                       // what it is, its inputs/outputs
//   explicit Model(const impact::sdk::PreparedInputs& inputs);  // prepare (may throw InputError)
//   void evaluate(impact::sdk::Batch& batch) const;             // a batch of rows (may throw)
//   optionally: using batch_type = impact::sdk::FixedBatch<N_in, N_out>; (faster row loops)
//   optionally: std::vector<impact::sdk::Note> notes() const;   // facts for the report
// and a plugin is one line:
//   IMPACT_PLUGIN("org.example.plugin", "1.0.0", "Example models", ModelA, ModelB);
// Every exception stays inside the plugin: the trampolines below are noexcept and turn
// InputError, ModelError (errors.hpp) and anything else into a status code and a message.
// Helpers: Date (date.hpp), currency checks (currencies.hpp, PreparedInputs::currency),
// input_column<M>() / output_column<M>() (batch columns looked up by key), for_each_row().

#include <impact/sdk/currencies.hpp>
#include <impact/sdk/date.hpp>
#include <impact/sdk/errors.hpp>
#include <impact/sdk/impact_plugin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace impact::sdk {

template <class M>
class DescriptorStorage;

enum class Kind : impact_input_kind {
    number = IMPACT_KIND_NUMBER,
    money = IMPACT_KIND_MONEY,
    percent = IMPACT_KIND_PERCENT,
    date = IMPACT_KIND_DATE,
    text = IMPACT_KIND_TEXT,
    series = IMPACT_KIND_SERIES,
};

enum class ThreadSafety : impact_thread_safety {
    unsafe = IMPACT_THREAD_UNSAFE,
    instance_safe = IMPACT_THREAD_INSTANCE_SAFE,
    fully_safe = IMPACT_THREAD_FULLY_SAFE,
};

namespace detail {
// Element i of an array of growable structs, stepped by the writer's struct_size (the SDK's
// array rule), so arrays from a host built against a newer minor version still read right.
// The caller has checked the stride with has_v1_0_size() first.
template <class T>
const T& element(const T* array, std::size_t i) noexcept {
    const std::size_t stride = array[0].struct_size;
    return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(array) + i * stride);
}
// True when a struct the host wrote is at least as large as ABI 1.0 defines it (through
// `last_v1_0_field`): a smaller struct_size would make every field and stride wrong.
template <class T>
bool has_v1_0_size(const T& value, std::size_t end_of_last_v1_0_field) noexcept {
    return value.struct_size >= end_of_last_v1_0_field;
}
#define IMPACT_SDK_END_OF(type, field) (offsetof(type, field) + sizeof(((type*)nullptr)->field))
}  // namespace detail

// A read-only view of one dated series passed by the host.
class SeriesView {
public:
    explicit SeriesView(const impact_series& s) noexcept : s_(&s) {}
    std::string_view label() const noexcept { return s_->label ? s_->label : ""; }
    std::size_t size() const noexcept { return static_cast<std::size_t>(s_->count); }
    Date date(std::size_t i) const noexcept { return Date{s_->dates[i]}; }
    double value(std::size_t i) const noexcept { return s_->values[i]; }
    const impact_date_days* dates() const noexcept { return s_->dates; }
    const double* values() const noexcept { return s_->values; }

private:
    const impact_series* s_;
};

// The values given once at prepare time (text, dates, series, prepared numbers).
class PreparedInputs {
public:
    explicit PreparedInputs(const impact_prepare_args* args) noexcept : args_(args) {}

    bool has(std::string_view key) const noexcept { return find(key) != nullptr; }

    std::string text(std::string_view key) const { return require(key, IMPACT_KIND_TEXT).text; }
    std::string text_or(std::string_view key, std::string fallback) const {
        return find(key) ? text(key) : std::move(fallback);
    }
    // A text input that must be a current ISO 4217 code (sdk/currencies.hpp); InputError otherwise.
    std::string currency(std::string_view key) const { return checked_currency(key, text(key)); }
    std::string currency_or(std::string_view key, std::string fallback) const {
        return checked_currency(key, text_or(key, std::move(fallback)));
    }
    Date date(std::string_view key) const { return Date{require(key, IMPACT_KIND_DATE).date}; }
    // A numeric input flagged prepared().
    double number(std::string_view key) const {
        const impact_value* v = find(key);
        if (!v) throw InputError(std::string(key), "required input is missing");
        return v->number;
    }
    double number_or(std::string_view key, double fallback) const {
        const impact_value* v = find(key);
        return v ? v->number : fallback;
    }
    // False when the host left out the optional_row() input `key` (ABI 1.3): its batch column
    // is NaN in every row of this instance. True for every other key, and on a host older than
    // ABI 1.3, which passes no such list (its prepare args end before it): such a host never
    // leaves a batch input out, and refuses a plugin that declares optional_row(), so "given"
    // is the truth there, not a guess.
    bool row_input_given(std::string_view key) const noexcept {
        if (!args_ || args_->struct_size < IMPACT_SDK_END_OF(impact_prepare_args, absent_row_input_count) ||
            !args_->absent_row_inputs)
            return true;
        for (uint32_t i = 0; i < args_->absent_row_input_count; ++i) {
            const char* absent = args_->absent_row_inputs[i];
            if (absent && key == absent) return false;
        }
        return true;
    }
    // The series stay valid as long as the instance: a model may keep these views.
    std::vector<SeriesView> series(std::string_view key) const {
        const impact_value& v = require(key, IMPACT_KIND_SERIES);
        std::vector<SeriesView> out;
        if (v.series_count == 0) return out;
        if (!v.series || !detail::has_v1_0_size(v.series[0], IMPACT_SDK_END_OF(impact_series, count)))
            throw InputError(std::string(key), "series array is NULL or smaller than SDK 1.0 defines");
        out.reserve(v.series_count);
        for (uint32_t i = 0; i < v.series_count; ++i) {
            const impact_series& s = detail::element(v.series, i);
            if (s.count > 0 && (!s.dates || !s.values))
                throw InputError(std::string(key), "series has no dates or values");
            out.emplace_back(s);
        }
        return out;
    }

private:
    static std::string checked_currency(std::string_view key, std::string code) {
        if (!is_iso4217_currency(code)) throw InputError(std::string(key), unknown_currency_message(code));
        return code;
    }
    const impact_value* find(std::string_view key) const noexcept {
        if (!args_ || !args_->values) return nullptr;
        for (uint32_t i = 0; i < args_->value_count; ++i) {
            const impact_value& v = detail::element(args_->values, i);
            if (v.key && key == v.key) return &v;
        }
        return nullptr;
    }
    const impact_value& require(std::string_view key, impact_input_kind kind) const {
        const impact_value* v = find(key);
        if (!v) throw InputError(std::string(key), "required input is missing");
        if (v->kind != kind) throw InputError(std::string(key), "input has the wrong kind");
        if (kind == IMPACT_KIND_TEXT && !v->text) throw InputError(std::string(key), "text input is NULL");
        return *v;
    }
    const impact_prepare_args* args_;
};

// A width not known until run time (the default), as std::dynamic_extent is for spans.
inline constexpr uint32_t dynamic_width = 0xFFFFFFFFu;

// Rows of numeric inputs in, rows of outputs out (row-major, declaration order). With the
// widths as template arguments (FixedBatch<3, 1>) the row stride is a compile-time constant
// and the compiler can vectorise a model's row loop as it would a plain C++ loop; a model
// opts in with `using batch_type = impact::sdk::FixedBatch<3, 1>;` (see sdk/README.md).
template <uint32_t InputWidth = dynamic_width, uint32_t OutputWidth = dynamic_width>
class BasicBatch {
public:
    BasicBatch(const double* inputs, double* outputs, uint64_t rows, uint32_t input_width,
               uint32_t output_width) noexcept
        : inputs_(inputs), outputs_(outputs), rows_(rows), input_width_(input_width),
          output_width_(output_width) {}

    uint64_t rows() const noexcept { return rows_; }
    uint32_t input_width() const noexcept {
        if constexpr (InputWidth == dynamic_width) return input_width_;
        else return InputWidth;
    }
    uint32_t output_width() const noexcept {
        if constexpr (OutputWidth == dynamic_width) return output_width_;
        else return OutputWidth;
    }
    const double* inputs(uint64_t row) const noexcept { return inputs_ + row * input_width(); }
    double* outputs(uint64_t row) const noexcept { return outputs_ + row * output_width(); }
    double input(uint64_t row, uint32_t column) const noexcept { return inputs(row)[column]; }
    double& output(uint64_t row, uint32_t column) const noexcept { return outputs(row)[column]; }

private:
    const double* inputs_;
    double* outputs_;
    uint64_t rows_;
    uint32_t input_width_;
    uint32_t output_width_;
};

using Batch = BasicBatch<>;

// Calls row_function(row) for each row of the batch. An InputError or ModelError thrown without a
// row (by formulas that know nothing of batches) is thrown again with this row, which the host
// reports ("row 2", or the end of a range).
template <class BatchType, class RowFunction>
void for_each_row(const BatchType& batch, RowFunction&& row_function) {
    for (uint64_t row = 0; row < batch.rows(); ++row) {
        try {
            row_function(row);
        } catch (const InputError& e) {
            if (e.row() >= 0) throw;
            throw InputError(e.key(), e.what(), static_cast<int64_t>(row));
        } catch (const ModelError& e) {
            if (e.row() >= 0) throw;
            throw ModelError(e.what(), static_cast<int64_t>(row));
        }
    }
}
template <uint32_t InputWidth, uint32_t OutputWidth>
using FixedBatch = BasicBatch<InputWidth, OutputWidth>;

struct Note {
    std::string key;
    std::string value;
};

// A result table (ABI 1.4, "impact.tables/1"): results that fixed output keys cannot carry, such
// as one row per firm. A model offers tables from `std::vector<Table> tables() const`, read once
// after its constructor, like notes:
//   sdk::Table("firms", "Per firm").text_column("firm", "Firm", names).number_column("car", "CAR", "%", cars)
// Every column must have the same number of rows; a table that breaks this is a bug in the plugin
// (reported as IMPACT_STATUS_INTERNAL when the instance is created).
class Table {
public:
    struct Column {
        std::string key;
        std::string label;
        std::string unit;
        bool is_text = false;
        bool may_be_undefined = false;  // NaN cells are results ("undefined"), not failures
        std::vector<double> numbers;
        std::vector<std::string> texts;
        std::size_t rows() const noexcept { return is_text ? texts.size() : numbers.size(); }
    };

    Table(std::string key, std::string label) : key_(std::move(key)), label_(std::move(label)) {}
    Table& description(std::string text) {
        description_ = std::move(text);
        return *this;
    }
    Table& text_column(std::string key, std::string label, std::vector<std::string> values) {
        Column c{std::move(key), std::move(label), "", true, false, {}, std::move(values)};
        columns_.push_back(std::move(c));
        return *this;
    }
    // unit as an output's: "%" (cells are fractions), "{currency}", "" for none.
    Table& number_column(std::string key, std::string label, std::string unit, std::vector<double> values,
                         bool may_be_undefined = false) {
        Column c{std::move(key), std::move(label), std::move(unit), false, may_be_undefined, std::move(values), {}};
        columns_.push_back(std::move(c));
        return *this;
    }

    const std::string& key() const noexcept { return key_; }
    const std::string& label() const noexcept { return label_; }
    const std::string& text() const noexcept { return description_; }
    const std::vector<Column>& columns() const noexcept { return columns_; }
    std::vector<Column>& columns() noexcept { return columns_; }
    std::size_t rows() const noexcept { return columns_.empty() ? 0 : columns_.front().rows(); }

private:
    std::string key_;
    std::string label_;
    std::string description_;
    std::vector<Column> columns_;
};

// One input, built fluently: Input::money("amount", "Amount").unit("{from}").min(0).required()
class Input {
public:
    static Input number(std::string key, std::string label) { return Input(Kind::number, std::move(key), std::move(label)); }
    static Input money(std::string key, std::string label) { return Input(Kind::money, std::move(key), std::move(label)); }
    static Input percent(std::string key, std::string label) { return Input(Kind::percent, std::move(key), std::move(label)).unit("%"); }
    static Input date(std::string key, std::string label) { return Input(Kind::date, std::move(key), std::move(label)); }
    static Input text(std::string key, std::string label) { return Input(Kind::text, std::move(key), std::move(label)); }
    static Input series(std::string key, std::string label) { return Input(Kind::series, std::move(key), std::move(label)); }

    Input&& unit(std::string u) && { unit_ = std::move(u); return std::move(*this); }
    Input&& description(std::string d) && { description_ = std::move(d); return std::move(*this); }
    Input&& required() && { flags_ |= IMPACT_INPUT_REQUIRED; return std::move(*this); }
    Input&& prepared() && { flags_ |= IMPACT_INPUT_PREPARED; return std::move(*this); }
    // A batch input the user may leave out (ABI 1.3): then its column is NaN in every row and
    // PreparedInputs::row_input_given(key) is false at prepare time. Not with required(),
    // default_value() or prepared(): the host refuses such a descriptor.
    Input&& optional_row() && { flags_ |= IMPACT_INPUT_OPTIONAL_ROW; return std::move(*this); }
    Input&& default_value(double v) && { flags_ |= IMPACT_INPUT_HAS_DEFAULT; default_number_ = v; return std::move(*this); }
    Input&& default_text(std::string v) && { flags_ |= IMPACT_INPUT_HAS_DEFAULT; default_text_ = std::move(v); return std::move(*this); }
    // Inclusive bounds: value >= v, value <= v.
    Input&& min(double v) && { flags_ = (flags_ | IMPACT_INPUT_HAS_MIN) & ~IMPACT_INPUT_MIN_EXCLUSIVE; min_ = v; return std::move(*this); }
    Input&& max(double v) && { flags_ = (flags_ | IMPACT_INPUT_HAS_MAX) & ~IMPACT_INPUT_MAX_EXCLUSIVE; max_ = v; return std::move(*this); }
    // Exclusive bounds (ABI 1.2): value > v, value < v. Declare every bound the model
    // enforces, so that `impact validate` catches what evaluation would refuse.
    Input&& greater_than(double v) && { flags_ |= IMPACT_INPUT_HAS_MIN | IMPACT_INPUT_MIN_EXCLUSIVE; min_ = v; return std::move(*this); }
    Input&& less_than(double v) && { flags_ |= IMPACT_INPUT_HAS_MAX | IMPACT_INPUT_MAX_EXCLUSIVE; max_ = v; return std::move(*this); }

private:
    Input(Kind kind, std::string key, std::string label)
        : kind_(kind), key_(std::move(key)), label_(std::move(label)) {}
    friend class ModelSpec;
    template <class M>
    friend class DescriptorStorage;
    Kind kind_;
    std::string key_, label_, description_, unit_, default_text_;
    uint32_t flags_ = 0;
    double default_number_ = 0, min_ = 0, max_ = 0;
};

// Which way an output is good or bad (ABI 1.2); see the sign convention in sdk/README.md.
enum class Direction : impact_direction {
    neutral = IMPACT_DIRECTION_NEUTRAL,
    higher_is_better = IMPACT_DIRECTION_HIGHER_IS_BETTER,
    higher_is_worse = IMPACT_DIRECTION_HIGHER_IS_WORSE,
};

class Output {
public:
    Output(std::string key, std::string label) : key_(std::move(key)), label_(std::move(label)) {}
    Output&& unit(std::string u) && { unit_ = std::move(u); return std::move(*this); }
    Output&& description(std::string d) && { description_ = std::move(d); return std::move(*this); }
    // A signed change in value (a gain > 0, a loss < 0), or a loss stated as a positive amount.
    Output&& higher_is_better() && { direction_ = Direction::higher_is_better; return std::move(*this); }
    Output&& higher_is_worse() && { direction_ = Direction::higher_is_worse; return std::move(*this); }
    // NaN or an infinity is a legitimate result of this output (not a failure of the model).
    Output&& may_be_undefined() && { flags_ |= IMPACT_OUTPUT_MAY_BE_UNDEFINED; return std::move(*this); }

private:
    friend class ModelSpec;
    template <class M>
    friend class DescriptorStorage;
    std::string key_, label_, description_, unit_;
    uint32_t flags_ = 0;
    Direction direction_ = Direction::neutral;
};

// What a model is. Built once per model (a function-local static in the plugin) and
// exposed to the host as C descriptors that point into it.
class ModelSpec {
public:
    explicit ModelSpec(std::string id) : id_(std::move(id)) {}
    ModelSpec&& name(std::string v) && { name_ = std::move(v); return std::move(*this); }
    ModelSpec&& version(std::string v) && { version_ = std::move(v); return std::move(*this); }
    ModelSpec&& description(std::string v) && { description_ = std::move(v); return std::move(*this); }
    ModelSpec&& references(std::string v) && { references_ = std::move(v); return std::move(*this); }
    ModelSpec&& thread_safety(ThreadSafety v) && { thread_safety_ = v; return std::move(*this); }
    ModelSpec&& input(Input in) && { inputs_.push_back(std::move(in)); return std::move(*this); }
    ModelSpec&& output(Output out) && { outputs_.push_back(std::move(out)); return std::move(*this); }

    const std::string& id() const noexcept { return id_; }

    // Number of numeric inputs that are batch columns (not prepared()).
    uint32_t row_input_count() const noexcept {
        return static_cast<uint32_t>(std::count_if(inputs_.begin(), inputs_.end(), [](const Input& in) {
            return is_numeric(in.kind_) && !(in.flags_ & IMPACT_INPUT_PREPARED);
        }));
    }
    uint32_t output_count() const noexcept { return static_cast<uint32_t>(outputs_.size()); }

    static bool is_numeric(Kind k) noexcept { return k == Kind::number || k == Kind::money || k == Kind::percent; }

    // The batch column of the row input `key` (its place among the numeric, non-prepared inputs)
    // and of the output `key`, found in the spec itself so that no hand-kept index can drift from
    // it. A key the spec does not declare so is a bug in the plugin: std::logic_error, which the
    // wrapper reports as IMPACT_STATUS_INTERNAL naming the key.
    uint32_t input_column(std::string_view key) const {
        uint32_t column = 0;
        for (const Input& in : inputs_) {
            const bool is_row_input = is_numeric(in.kind_) && !(in.flags_ & IMPACT_INPUT_PREPARED);
            if (in.key_ == key) {
                if (is_row_input) return column;
                break;
            }
            if (is_row_input) ++column;
        }
        throw std::logic_error(id_ + " declares no row input '" + std::string(key) + "'");
    }
    uint32_t output_column(std::string_view key) const {
        for (std::size_t i = 0; i < outputs_.size(); ++i)
            if (outputs_[i].key_ == key) return static_cast<uint32_t>(i);
        throw std::logic_error(id_ + " declares no output '" + std::string(key) + "'");
    }

private:
    template <class M> friend class DescriptorStorage;
    std::string id_, name_, version_ = "1.0.0", description_, references_;
    ThreadSafety thread_safety_ = ThreadSafety::unsafe;
    std::vector<Input> inputs_;
    std::vector<Output> outputs_;
};

// Owns a model's spec and the C descriptors that point into it. Never moves.
template <class M>
class DescriptorStorage {
public:
    DescriptorStorage() : spec_(M::spec()) {
        inputs_.reserve(spec_.inputs_.size());
        for (const Input& in : spec_.inputs_) {
            impact_input_descriptor d{};
            d.struct_size = sizeof d;
            d.key = in.key_.c_str();
            d.label = in.label_.c_str();
            d.description = in.description_.c_str();
            d.kind = static_cast<impact_input_kind>(in.kind_);
            d.unit = in.unit_.c_str();
            d.flags = in.flags_;
            d.default_number = in.default_number_;
            d.default_text = (in.flags_ & IMPACT_INPUT_HAS_DEFAULT) && !ModelSpec::is_numeric(in.kind_)
                                 ? in.default_text_.c_str()
                                 : nullptr;
            d.min_value = in.min_;
            d.max_value = in.max_;
            inputs_.push_back(d);
        }
        outputs_.reserve(spec_.outputs_.size());
        for (const Output& out : spec_.outputs_) {
            impact_output_descriptor d{};
            d.struct_size = sizeof d;
            d.key = out.key_.c_str();
            d.label = out.label_.c_str();
            d.description = out.description_.c_str();
            d.unit = out.unit_.c_str();
            d.flags = out.flags_;
            d.direction = static_cast<impact_direction>(out.direction_);
            outputs_.push_back(d);
        }
        descriptor_.struct_size = sizeof descriptor_;
        descriptor_.id = spec_.id_.c_str();
        descriptor_.name = spec_.name_.c_str();
        descriptor_.version = spec_.version_.c_str();
        descriptor_.description = spec_.description_.c_str();
        descriptor_.thread_safety = static_cast<impact_thread_safety>(spec_.thread_safety_);
        descriptor_.inputs = inputs_.data();
        descriptor_.input_count = static_cast<uint32_t>(inputs_.size());
        descriptor_.outputs = outputs_.data();
        descriptor_.output_count = static_cast<uint32_t>(outputs_.size());
        descriptor_.references = spec_.references_.c_str();
    }
    DescriptorStorage(const DescriptorStorage&) = delete;
    DescriptorStorage& operator=(const DescriptorStorage&) = delete;

    const ModelSpec& spec() const noexcept { return spec_; }
    const impact_model_descriptor* descriptor() const noexcept { return &descriptor_; }

    // Built on first use; C++11 guarantees the initialisation is thread-safe.
    static const DescriptorStorage& get() {
        static const DescriptorStorage storage;
        return storage;
    }

private:
    ModelSpec spec_;
    std::vector<impact_input_descriptor> inputs_;
    std::vector<impact_output_descriptor> outputs_;
    impact_model_descriptor descriptor_{};
};

// The columns of model M's row input and output `key`, from M::spec() (built once, see
// DescriptorStorage::get). Look them up when the model is prepared, not per row:
//   const uint32_t amount_ = sdk::input_column<FxConvert>("amount");
template <class M>
uint32_t input_column(std::string_view key) {
    return DescriptorStorage<M>::get().spec().input_column(key);
}
template <class M>
uint32_t output_column(std::string_view key) {
    return DescriptorStorage<M>::get().spec().output_column(key);
}

namespace detail {

inline void copy_text(char* buffer, uint32_t capacity, std::string_view text) noexcept {
    if (!buffer || capacity == 0) return;
    const std::size_t n = std::min<std::size_t>(text.size(), capacity - 1);
    // An empty string_view may hold a NULL data(); memcpy with NULL is undefined even for 0 bytes.
    if (n > 0) std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
}

// Writes into host storage, touching only fields inside the host's struct_size.
inline impact_status report(impact_error* error, impact_status status, std::string_view message,
                            std::string_view key = {}, int64_t row = -1) noexcept {
    if (!error) return status;
    const std::size_t size = error->struct_size;
    if (size >= offsetof(impact_error, message_capacity) + sizeof(uint32_t))
        copy_text(error->message, error->message_capacity, message);
    if (size >= offsetof(impact_error, input_key_capacity) + sizeof(uint32_t))
        copy_text(error->input_key, error->input_key_capacity, key);
    if (size >= offsetof(impact_error, row) + sizeof(int64_t)) error->row = row;
    return status;
}

// Runs f and turns any exception into a status; nothing escapes.
template <class F>
impact_status guarded(impact_error* error, F&& f) noexcept {
    try {
        f();
        return report(error, IMPACT_STATUS_OK, "");
    } catch (const InputError& e) {
        return report(error, IMPACT_STATUS_INVALID_INPUT, e.what(), e.key(), e.row());
    } catch (const ModelError& e) {
        return report(error, IMPACT_STATUS_MODEL_FAILED, e.what(), {}, e.row());
    } catch (const std::bad_alloc&) {
        return report(error, IMPACT_STATUS_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return report(error, IMPACT_STATUS_INTERNAL, e.what());
    } catch (...) {
        return report(error, IMPACT_STATUS_INTERNAL, "unknown exception inside the plugin");
    }
}

// The batch type a model's evaluate takes: its batch_type if it declares one, else Batch.
template <class M, class = void>
struct batch_type_of {
    using type = Batch;
};
template <class M>
struct batch_type_of<M, std::void_t<typename M::batch_type>> {
    using type = typename M::batch_type;
};

template <uint32_t I, uint32_t O>
void check_fixed_widths(const BasicBatch<I, O>*, uint32_t input_width, uint32_t output_width) {
    if ((I != dynamic_width && I != input_width) || (O != dynamic_width && O != output_width))
        // A bug in the plugin, not in the user's inputs: reported as IMPACT_STATUS_INTERNAL.
        throw std::logic_error("the model's batch_type declares " + std::to_string(I) + " inputs and " +
                               std::to_string(O) + " outputs per row, but its spec() has " +
                               std::to_string(input_width) + " and " + std::to_string(output_width));
}

template <class M, class = void>
struct has_notes : std::false_type {};
template <class M>
struct has_notes<M, std::void_t<decltype(std::declval<const M&>().notes())>> : std::true_type {};
template <class M, class = void>
struct has_tables : std::false_type {};
template <class M>
struct has_tables<M, std::void_t<decltype(std::declval<const M&>().tables())>> : std::true_type {};

// A model's tables and the C views of them ("impact.tables/1"), built once; the views point into
// `tables`, which never changes afterwards.
struct TableStorage {
    std::vector<Table> tables;
    std::vector<std::vector<impact_table_column>> columns;
    std::vector<std::vector<std::vector<const char*>>> texts;  // [table][column][row]
    std::vector<impact_table> views;

    explicit TableStorage(std::vector<Table> built) : tables(std::move(built)) {
        columns.resize(tables.size());
        texts.resize(tables.size());
        views.reserve(tables.size());
        for (std::size_t t = 0; t < tables.size(); ++t) {
            const Table& table = tables[t];
            texts[t].resize(table.columns().size());
            for (std::size_t c = 0; c < table.columns().size(); ++c) {
                const Table::Column& column = table.columns()[c];
                if (column.rows() != table.rows())
                    throw std::logic_error("table '" + table.key() + "': column '" + column.key + "' has " +
                                           std::to_string(column.rows()) + " rows, but column '" +
                                           table.columns().front().key + "' has " + std::to_string(table.rows()));
                impact_table_column view{};
                view.struct_size = sizeof(impact_table_column);
                view.key = column.key.c_str();
                view.label = column.label.c_str();
                view.unit = column.unit.c_str();
                view.kind = column.is_text ? IMPACT_COLUMN_TEXT : IMPACT_COLUMN_NUMBER;
                view.flags = column.may_be_undefined ? IMPACT_COLUMN_MAY_BE_UNDEFINED : 0u;
                if (column.is_text) {
                    for (const std::string& cell : column.texts) texts[t][c].push_back(cell.c_str());
                    view.texts = texts[t][c].data();
                } else {
                    view.numbers = column.numbers.data();
                }
                columns[t].push_back(view);
            }
            impact_table view{};
            view.struct_size = sizeof(impact_table);
            view.key = table.key().c_str();
            view.label = table.label().c_str();
            view.description = table.text().c_str();
            view.columns = columns[t].data();
            view.column_count = static_cast<uint32_t>(columns[t].size());
            view.row_count = table.rows();
            views.push_back(view);
        }
    }
};

// The C instance and the C++ model it wraps, in one allocation.
template <class M>
struct Instance {
    impact_model_instance c{};
    M model;
    std::vector<Note> notes;
    TableStorage tables;  // built in place: its views point into itself
    uint32_t input_width;
    uint32_t output_width;

    static std::vector<Table> tables_of(const M& m) {
        if constexpr (has_tables<M>::value) return m.tables();
        else return {};
    }

    explicit Instance(const PreparedInputs& prepared)
        : model(prepared),
          tables(tables_of(model)),
          input_width(DescriptorStorage<M>::get().spec().row_input_count()),
          output_width(DescriptorStorage<M>::get().spec().output_count()) {
        check_fixed_widths(static_cast<const typename batch_type_of<M>::type*>(nullptr), input_width, output_width);
        if constexpr (has_notes<M>::value) notes = model.notes();
        c.model_data = this;
        c.evaluate = &evaluate;
        c.get_note = &get_note;
        c.get_extension = &get_extension;
        c.destroy = &destroy;
    }

    static impact_status evaluate(const impact_model_instance* self, const double* inputs, uint64_t rows,
                                  double* outputs, impact_error* error) noexcept {
        const auto* instance = static_cast<const Instance*>(self->model_data);
        return guarded(error, [&] {
            typename batch_type_of<M>::type batch(inputs, outputs, rows, instance->input_width, instance->output_width);
            instance->model.evaluate(batch);
        });
    }
    static uint32_t get_note(const impact_model_instance* self, uint32_t index, const char** key,
                             const char** value) noexcept {
        const auto* instance = static_cast<const Instance*>(self->model_data);
        if (index >= instance->notes.size()) return 0;
        *key = instance->notes[index].key.c_str();
        *value = instance->notes[index].value.c_str();
        return 1;
    }
    static const void* get_extension(const impact_model_instance*, const char* interface_id) noexcept {
        static constexpr impact_tables_v1 tables_interface{&table_count, &table};
        if (has_tables<M>::value && interface_id && std::strcmp(interface_id, IMPACT_TABLES_V1) == 0)
            return &tables_interface;
        return nullptr;
    }
    static uint32_t table_count(const impact_model_instance* self) noexcept {
        return static_cast<uint32_t>(static_cast<const Instance*>(self->model_data)->tables.views.size());
    }
    static const impact_table* table(const impact_model_instance* self, uint32_t index) noexcept {
        const auto& views = static_cast<const Instance*>(self->model_data)->tables.views;
        return index < views.size() ? &views[index] : nullptr;
    }
    static void destroy(impact_model_instance* self) noexcept { delete static_cast<Instance*>(self->model_data); }
};

// Creates an M when model_id is M's: returns true and sets *status; false when not M's.
template <class M>
bool try_create(const char* model_id, const impact_prepare_args* args, impact_model_instance** out,
                impact_error* error, impact_status* status) noexcept {
    bool matches = false;
    *status = guarded(error, [&] { matches = DescriptorStorage<M>::get().spec().id() == model_id; });
    if (*status != IMPACT_STATUS_OK) return true;
    if (!matches) return false;
    if (args && (args->struct_size < IMPACT_SDK_END_OF(impact_prepare_args, value_count) ||
                 (args->value_count > 0 &&
                  (!args->values || args->values[0].struct_size < IMPACT_SDK_END_OF(impact_value, series_count))))) {
        *status = report(error, IMPACT_STATUS_ABI_MISMATCH, "prepare arguments are smaller than SDK 1.0 defines");
        return true;
    }
    *status = guarded(error, [&] {
        PreparedInputs prepared(args);
        *out = &(new Instance<M>(prepared))->c;
    });
    return true;
}

}  // namespace detail

// The plugin's model list, exposed as the "impact.model-factory/1" interface.
template <class... Models>
struct Plugin {
    static uint32_t model_count() noexcept { return sizeof...(Models); }

    static const impact_model_descriptor* model_descriptor(uint32_t index) noexcept {
        if (index >= sizeof...(Models)) return nullptr;
        const impact_model_descriptor* found = nullptr;
        uint32_t i = 0;
        // Descriptor construction allocates; a failure there must not escape.
        try {
            ((i++ == index ? (found = DescriptorStorage<Models>::get().descriptor(), 0) : 0), ...);
        } catch (...) {
            return nullptr;
        }
        return found;
    }

    static impact_status create(const char* model_id, const impact_prepare_args* args,
                                impact_model_instance** out_instance, impact_error* error) noexcept {
        if (!out_instance) return detail::report(error, IMPACT_STATUS_INTERNAL, "out_instance is NULL");
        *out_instance = nullptr;
        if (!model_id) return detail::report(error, IMPACT_STATUS_UNKNOWN_MODEL, "model id is NULL");
        impact_status status = IMPACT_STATUS_OK;
        const bool handled = (detail::try_create<Models>(model_id, args, out_instance, error, &status) || ...);
        if (!handled)
            return detail::report(error, IMPACT_STATUS_UNKNOWN_MODEL,
                                  std::string("no model '") + model_id + "' in this plugin");
        return status;
    }

    // Builds descriptor `index` again and reports the exception that stopped it (a C++
    // static whose initialiser threw is retried on the next call), so the host can say why.
    static impact_status descriptor_failure(uint32_t index, impact_error* error) noexcept {
        if (index >= sizeof...(Models))
            return detail::report(error, IMPACT_STATUS_UNKNOWN_MODEL, "no model at this index");
        uint32_t i = 0;
        return detail::guarded(error, [&] { ((i++ == index ? (DescriptorStorage<Models>::get(), 0) : 0), ...); });
    }

    static constexpr impact_model_factory_v1 factory = {&model_count, &model_descriptor, &create};
    static constexpr impact_descriptor_diagnostics_v1 diagnostics = {&descriptor_failure};

    static const void* get_interface(const char* interface_id) noexcept {
        if (!interface_id) return nullptr;
        if (std::strcmp(interface_id, IMPACT_MODEL_FACTORY_V1) == 0) return &factory;
        if (std::strcmp(interface_id, IMPACT_DESCRIPTOR_DIAGNOSTICS_V1) == 0) return &diagnostics;
        return nullptr;
    }
};

}  // namespace impact::sdk

// Defines the plugin's one exported symbol. Use once per plugin, at namespace scope,
// followed by a semicolon.
#define IMPACT_PLUGIN(PLUGIN_ID, PLUGIN_VERSION, PLUGIN_NAME, ...)                                  \
    extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME;             \
    extern "C" IMPACT_PLUGIN_EXPORT const impact_plugin_entry IMPACT_PLUGIN_ENTRY_NAME = {          \
        sizeof(impact_plugin_entry), IMPACT_ABI_MAJOR,  IMPACT_ABI_MINOR,                           \
        PLUGIN_ID,                   PLUGIN_VERSION,    PLUGIN_NAME,                                \
        &::impact::sdk::Plugin<__VA_ARGS__>::get_interface}

#endif  // IMPACT_SDK_PLUGIN_HPP
