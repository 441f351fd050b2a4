// TOML scenario files (toml++): structure checks with file:line:column for every problem.
#include "scenario/scenario.hpp"
#include "host/plugin_library.hpp"

#include "io/sha256.hpp"
#include "text/amount.hpp"
#include "text/iso_date.hpp"
#include "text/printable.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <unordered_map>
#include <array>
#include <iterator>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

namespace impact::scenario {

std::string SourcePos::str() const { return fmt::format("{}:{}:{}", file ? *file : std::string(), line, column); }

std::string Scalar::as_written() const {
    if (const auto* text = std::get_if<std::string>(&value)) return *text;
    return fmt::format("{}", std::get<double>(value));
}

const DataSource* Scenario::find_data(std::string_view id) const noexcept {
    auto it = std::find_if(data.begin(), data.end(), [&](const DataSource& d) { return d.id == id; });
    return it == data.end() ? nullptr : &*it;
}

const Step* Scenario::find_step(std::string_view id) const noexcept {
    const auto it = step_index.find(std::string(id));
    return it == step_index.end() ? nullptr : &steps[it->second];
}

std::string describe_value(const ValueSpec& value) {
    return std::visit(
        [](const auto& v) -> std::string {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Scalar>) {
                return std::holds_alternative<double>(v.value) ? fmt::format("the number {}", v.as_written())
                                                                : fmt::format("\"{}\"", v.as_written());
            } else if constexpr (std::is_same_v<T, DateLiteral>) {
                return fmt::format("the date {}", text::format_iso_date(v.days));
            } else if constexpr (std::is_same_v<T, NumberList>) {
                return fmt::format("the array [{}]", fmt::join(v.values, ", "));
            } else if constexpr (std::is_same_v<T, Reference>) {
                return fmt::format("a reference to {}.{}", v.step, v.output);
            } else if constexpr (std::is_same_v<T, DataReference>) {
                return fmt::format("a data reference to {}", v.data_id);
            } else if constexpr (std::is_same_v<T, std::shared_ptr<const Range>>) {
                return fmt::format("a range from {} to {}", v->low.as_written(), v->high.as_written());
            } else {
                return fmt::format("a {} distribution", v->dist);
            }
        },
        value);
}

namespace {

class Reader {
public:
    explicit Reader(std::string file) : file_(std::make_shared<const std::string>(std::move(file))) {}

    SourcePos pos(const toml::source_region& region) const {
        return SourcePos{file_, static_cast<uint32_t>(region.begin.line), static_cast<uint32_t>(region.begin.column)};
    }
    SourcePos pos(const toml::node& node) const { return pos(node.source()); }

    [[noreturn]] void fail(const SourcePos& at, std::string_view key, std::string_view message) const {
        throw UserError(fmt::format("{}: {}: {}", at.str(), key, message));
    }

    static std::string type_name(const toml::node& node) {
        switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return fmt::format("the string \"{}\"", *node.value<std::string>());
        case toml::node_type::integer: return fmt::format("the number {}", *node.value<int64_t>());
        case toml::node_type::floating_point: return fmt::format("the number {}", *node.value<double>());
        case toml::node_type::boolean: return *node.value<bool>() ? "true" : "false";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
        }
    }

    std::string string(const toml::node& node, std::string_view key, std::string_view expected = "a string") const {
        if (!node.is_string()) fail(pos(node), key, fmt::format("expected {}, found {}", expected, type_name(node)));
        return text_without_nul(node, key);
    }

    // A TOML string may hold "\u0000"; C code (every plugin) would stop reading at it while the
    // report showed the rest, so the same value would mean two things. Refused.
    std::string text_without_nul(const toml::node& node, std::string_view key) const {
        std::string text = *node.value<std::string>();
        if (const auto nul = text.find('\0'); nul != std::string::npos)
            fail(pos(node), key,
                 fmt::format("expected text without NUL characters, found one at character {} of \"{}\"", nul + 1,
                             text::printable(text)));
        return text;
    }

    // A TOML number as the double a model computes with, only when that double is exactly what
    // was written: integers beyond 2^53 would silently become another number, and TOML's
    // inf and nan are not amounts.
    double number(const toml::node& node, std::string_view key) const {
        if (const auto* integer = node.as_integer()) {
            const int64_t value = integer->get();
            if (!text::int64_is_exact_double(value))
                fail(pos(node), key,
                     fmt::format("expected a number a double holds exactly, found {} (whole numbers beyond 2^53 = "
                                 "9007199254740992 are rounded: this one would become {:.0f}); write it as a float "
                                 "such as {:.15e} if an approximation is meant",
                                 value, static_cast<double>(value), static_cast<double>(value)));
            return static_cast<double>(value);
        }
        const double value = node.as_floating_point()->get();
        if (!std::isfinite(value))
            fail(pos(node), key, fmt::format("expected a finite number, found {}", value));
        return value;
    }

    impact_date_days date(const toml::node& node, std::string_view key) const {
        if (const auto* d = node.as_date()) {
            const toml::date& v = d->get();
            const auto days = text::parse_iso_date(fmt::format("{:04}-{:02}-{:02}", v.year, v.month, v.day));
            if (days) return *days;
        } else if (node.is_string()) {
            if (const auto days = text::parse_iso_date(*node.value<std::string>())) return *days;
        }
        fail(pos(node), key, fmt::format("expected a date such as 2025-04-16, found {}", type_name(node)));
    }

    Scalar scalar(const toml::node& node, std::string_view key) const {
        if (node.is_string()) return Scalar{text_without_nul(node, key)};
        if (node.is_integer() || node.is_floating_point()) return Scalar{number(node, key)};
        fail(pos(node), key, fmt::format("expected a number or a string such as \"12B USD\", found {}", type_name(node)));
    }

    ValueSpec value(const toml::node& node, const std::string& key) const {
        if (node.is_string() || node.is_integer() || node.is_floating_point()) return scalar(node, key);
        // A switch such as skip_incomplete = true reaches its (text) input as "true" or "false".
        if (const auto* flag = node.as_boolean()) return Scalar{std::string(flag->get() ? "true" : "false")};
        if (node.is_date()) return DateLiteral{date(node, key)};
        if (const auto* array = node.as_array()) {
            NumberList list;
            for (const toml::node& element : *array) {
                if (!element.is_integer() && !element.is_floating_point())
                    fail(pos(element), key, fmt::format("expected an array of numbers such as [0, 1], found {} in it",
                                                        type_name(element)));
                list.values.push_back(number(element, key));
            }
            return list;
        }
        if (const auto* table = node.as_table()) return inline_table(*table, key);
        fail(pos(node), key, fmt::format("expected a number, a string, a date, an array or an inline table, found {}",
                                         type_name(node)));
    }

    ValueSpec inline_table(const toml::table& table, const std::string& key) const {
        const auto has = [&](const char* k) { return table.contains(k); };
        const auto only = [&](std::initializer_list<std::string_view> allowed, std::string_view form) {
            for (const auto& [k, v] : table)
                if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
                    fail(pos(k.source()), key + "." + std::string(k.str()),
                         fmt::format("unexpected key in {}", form));
        };
        if (has("from")) {
            only({"from"}, "a reference { from = \"step.output\" }");
            const std::string target = string(*table.get("from"), key + ".from", "a reference \"step.output\"");
            const auto dot = target.find('.');
            if (dot == std::string::npos || dot == 0 || dot + 1 == target.size())
                fail(pos(*table.get("from")), key,
                     fmt::format("expected a reference \"step.output\" such as \"h20.one_off_charges\", found \"{}\"",
                                 target));
            return Reference{target.substr(0, dot), target.substr(dot + 1)};
        }
        if (has("data")) {
            only({"data"}, "a data reference { data = \"id\" }");
            return DataReference{string(*table.get("data"), key + ".data", "the id of a [data.<id>] table")};
        }
        if (has("dist")) return distribution(table, key);
        if (has("low") || has("high")) {
            only({"low", "base", "high"}, "a range { low = ..., base = ..., high = ... }");
            if (!has("low") || !has("high"))
                fail(pos(table), key, "expected a range with both low and high, found only one of them");
            Range range{scalar(*table.get("low"), key + ".low"), std::nullopt, scalar(*table.get("high"), key + ".high"),
                        pos(*table.get("low")), {}, pos(*table.get("high"))};
            if (has("base")) {
                range.base = scalar(*table.get("base"), key + ".base");
                range.base_pos = pos(*table.get("base"));
            }
            return std::make_shared<const Range>(std::move(range));
        }
        fail(pos(table), key,
             "expected { from = \"step.output\" }, { data = \"id\" }, { low = ..., high = ... } or { dist = ... }, found "
             "another inline table");
    }

    // { dist = "...", ... }: the parameters as written; which ones a kind takes, and their
    // values, are checked by the runner against the input (it knows the unit).
    std::shared_ptr<const DistributionSpec> distribution(const toml::table& table, const std::string& key) const {
        static constexpr std::string_view known[]{"low",   "mode",  "high", "mean",   "sd",   "mu",
                                                                "sigma", "lambda", "p",   "values", "weights", "min",
                                                                "max",   "base",  "dist"};
        DistributionSpec spec;
        spec.pos = pos(table);
        const toml::node& dist = *table.get("dist");
        spec.dist = string(dist, key + ".dist", "a distribution name such as \"triangular\"");
        spec.dist_pos = pos(dist);
        for (const auto& [k, node] : table) {
            const std::string name(k.str());
            if (name == "dist") continue;
            const std::string where = key + "." + name;
            if (std::find(std::begin(known), std::end(known), name) == std::end(known))
                fail(pos(k.source()), where,
                     fmt::format("unexpected key in a distribution; expected its parameters (low, mode, high, mean, sd, "
                                 "mu, sigma, lambda, p, values, weights) or min, max, base, found \"{}\"",
                                 text::printable(name)));
            DistributionParam param{name, {}, {}, false, pos(node)};
            if (const auto* array = node.as_array()) {
                param.is_list = true;
                for (const toml::node& element : *array) {
                    param.list.push_back(scalar(element, where));
                    param.list_pos.push_back(pos(element));
                }
            } else {
                param.list.push_back(scalar(node, where));
                param.list_pos.push_back(pos(node));
            }
            spec.params.push_back(std::move(param));
        }
        // toml++ keeps keys sorted; messages and reports follow the order written.
        std::sort(spec.params.begin(), spec.params.end(), [](const DistributionParam& a, const DistributionParam& b) {
            return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
        });
        return std::make_shared<const DistributionSpec>(std::move(spec));
    }

private:
    std::shared_ptr<const std::string> file_;
};

// True when `text` is written on line pos.line at pos.column between quotes exactly as it
// reads (no escapes, no multi-line string), so that its characters have columns.
// `line_starts` holds the offset of each line's first byte (line 1 at index 0).
bool written_verbatim(const std::string& content, const std::vector<std::size_t>& line_starts, const SourcePos& pos,
                      const std::string& text) {
    if (pos.line == 0 || pos.line > line_starts.size()) return false;
    const std::size_t at = line_starts[pos.line - 1] + pos.column - 1;
    if (pos.column == 0 || at + text.size() + 2 > content.size()) return false;
    const char quote = content[at];
    if (quote != '"' && quote != '\'') return false;
    return content.compare(at + 1, text.size(), text) == 0 && content[at + 1 + text.size()] == quote &&
           text.find('\\') == std::string::npos;
}

bool is_identifier(std::string_view id) noexcept {
    if (id.empty() || !(id.front() >= 'a' && id.front() <= 'z')) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

}  // namespace

namespace {

// thresholds = { total_impact = { above = ["5.5B USD", "8B USD"] }, market_cap_change = { below = [...] } }
void read_thresholds(const Reader& r, const toml::node& node, Step& step) {
    const std::string key = "step." + step.id + ".thresholds";
    step.thresholds_pos = r.pos(node);
    const toml::table* table = node.as_table();
    if (!table)
        r.fail(r.pos(node), key,
               fmt::format("expected a table such as {{ total_impact = {{ above = [\"5.5B USD\"] }} }}, found {}",
                           Reader::type_name(node)));
    for (const auto& [output_key, per_output] : *table) {
        const std::string output(output_key.str());
        const std::string where = key + "." + output;
        const toml::table* sides = per_output.as_table();
        if (!sides)
            r.fail(r.pos(per_output), where,
                   fmt::format("expected {{ above = [...] }} or {{ below = [...] }}, found {}", Reader::type_name(per_output)));
        for (const auto& [side_key, list] : *sides) {
            const std::string side(side_key.str());
            if (side != "above" && side != "below")
                r.fail(r.pos(side_key.source()), where + "." + side, "expected above or below");
            const auto add = [&](const toml::node& element) {
                step.thresholds.push_back(
                    Threshold{output, side == "above", r.scalar(element, where + "." + side), r.pos(element)});
            };
            if (const auto* array = list.as_array()) {
                if (array->empty()) r.fail(r.pos(list), where + "." + side, "expected at least one threshold, found []");
                for (const toml::node& element : *array) add(element);
            } else {
                add(list);
            }
        }
    }
    std::sort(step.thresholds.begin(), step.thresholds.end(), [](const Threshold& a, const Threshold& b) {
        return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
}

// [[correlation]] inputs = ["h20.annual_revenue", "h20.gross_margin"], spearman = [[1, 0.5], [0.5, 1]]
void read_correlations(const Reader& r, const toml::node& node, Scenario& scenario) {
    const toml::array* array = node.as_array();
    if (!array || !array->is_array_of_tables()) r.fail(r.pos(node), "correlation", "expected [[correlation]] tables");
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::table& t = *array->get(i)->as_table();
        const std::string key = fmt::format("correlation[{}]", i + 1);
        Correlation c;
        c.pos = r.pos(t);
        for (const auto& [k, v] : t)
            if (k.str() != "inputs" && k.str() != "spearman")
                r.fail(r.pos(k.source()), key + "." + std::string(k.str()), "unknown key; expected inputs or spearman");
        const toml::node* inputs = t.get("inputs");
        const toml::array* input_list = inputs ? inputs->as_array() : nullptr;
        if (!input_list || input_list->size() < 2)
            r.fail(inputs ? r.pos(*inputs) : c.pos, key + ".inputs",
                   "expected a list of two or more inputs such as [\"h20.annual_revenue\", \"h20.gross_margin\"]");
        for (const toml::node& element : *input_list) {
            const std::string name = r.string(element, key + ".inputs", "an input written as \"step.input\"");
            const auto dot = name.find('.');
            if (dot == std::string::npos || dot == 0 || dot + 1 == name.size())
                r.fail(r.pos(element), key + ".inputs",
                       fmt::format("expected an input written as \"step.input\", found \"{}\"", text::printable(name)));
            for (std::size_t j = 0; j < c.inputs.size(); ++j)
                if (c.inputs[j] == name)
                    r.fail(r.pos(element), key + ".inputs",
                           fmt::format("\"{}\" is listed twice (first at {})", name, c.input_pos[j].str()));
            c.inputs.push_back(name);
            c.input_pos.push_back(r.pos(element));
        }
        const std::size_t n = c.inputs.size();
        const toml::node* matrix = t.get("spearman");
        const toml::array* rows = matrix ? matrix->as_array() : nullptr;
        if (!rows || rows->size() != n)
            r.fail(matrix ? r.pos(*matrix) : c.pos, key + ".spearman",
                   fmt::format("expected a {0} x {0} matrix of rank correlations, one row per input, found {1}", n,
                               rows ? fmt::format("{} rows", rows->size()) : std::string(matrix ? Reader::type_name(*matrix) : "none")));
        for (std::size_t row = 0; row < n; ++row) {
            const toml::node& row_node = *rows->get(row);
            const toml::array* entries = row_node.as_array();
            if (!entries || entries->size() != n)
                r.fail(r.pos(row_node), fmt::format("{}.spearman[{}]", key, row + 1),
                       fmt::format("expected a row of {} numbers, found {}", n,
                                   entries ? fmt::format("{} entries", entries->size()) : Reader::type_name(row_node)));
            for (std::size_t col = 0; col < n; ++col) {
                const toml::node& entry = *entries->get(col);
                const std::string where = fmt::format("{}.spearman[{}][{}]", key, row + 1, col + 1);
                if (!entry.is_integer() && !entry.is_floating_point())
                    r.fail(r.pos(entry), where, fmt::format("expected a number from -1 to 1, found {}", Reader::type_name(entry)));
                c.matrix.push_back(r.number(entry, where));
                c.matrix_pos.push_back(r.pos(entry));
            }
        }
        scenario.correlations.push_back(std::move(c));
    }
}

// [[case]] name = "bear", description = "...", then STEP.INPUT = VALUE for each input it sets.
void read_cases(const Reader& r, const toml::node& node, Scenario& scenario) {
    const toml::array* array = node.as_array();
    if (!array || !array->is_array_of_tables()) r.fail(r.pos(node), "case", "expected [[case]] tables");
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::table& t = *array->get(i)->as_table();
        Case c;
        c.pos = r.pos(t);
        const toml::node* name = t.get("name");
        if (!name) r.fail(c.pos, fmt::format("case[{}].name", i + 1), "expected a name such as \"bear\", found none");
        c.name = r.string(*name, fmt::format("case[{}].name", i + 1));
        if (!is_identifier(c.name))
            r.fail(r.pos(*name), fmt::format("case[{}].name", i + 1),
                   fmt::format("expected a name of lower-case letters, digits, '_' or '-', found \"{}\"", text::printable(c.name)));
        for (const Case& earlier : scenario.cases)
            if (earlier.name == c.name)
                r.fail(r.pos(*name), "case." + c.name, fmt::format("case \"{}\" is defined twice (first at {})", c.name, earlier.pos.str()));
        const std::string key = "case." + c.name;
        for (const auto& [k, v] : t) {
            const std::string step_id(k.str());
            if (step_id == "name") continue;
            if (step_id == "description") {
                c.description = r.string(v, key + ".description");
                continue;
            }
            const toml::table* inputs = v.as_table();
            const Step* step = scenario.find_step(step_id);
            if (!step || !inputs)
                r.fail(r.pos(k.source()), key + "." + step_id,
                       fmt::format("expected STEP.INPUT = VALUE with the id of a step (such as {}.{}), found \"{}\"",
                                   scenario.steps.front().id,
                                   scenario.steps.front().inputs.empty() ? "input" : scenario.steps.front().inputs.front().key,
                                   text::printable(step_id)));
            for (const auto& [input_key, value] : *inputs) {
                const std::string input(input_key.str());
                c.values.push_back(CaseValue{step_id, input, r.value(value, key + "." + step_id + "." + input), r.pos(value)});
            }
        }
        if (c.values.empty()) r.fail(c.pos, key, "expected at least one STEP.INPUT = VALUE, found none");
        std::sort(c.values.begin(), c.values.end(), [](const CaseValue& a, const CaseValue& b) {
            return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
        });
        scenario.cases.push_back(std::move(c));
    }
}

// [[actual]] output = "h20.one_off_charges", value = "4.5B USD", date = 2025-05-28, source = "...".
void read_actuals(const Reader& r, const toml::node& node, Scenario& scenario) {
    const toml::array* array = node.as_array();
    if (!array || !array->is_array_of_tables()) r.fail(r.pos(node), "actual", "expected [[actual]] tables");
    for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::table& t = *array->get(i)->as_table();
        const std::string key = fmt::format("actual[{}]", i + 1);
        Actual a;
        a.pos = r.pos(t);
        for (const auto& [k, v] : t) {
            const std::string name(k.str());
            if (name == "output") {
                a.output_pos = r.pos(v);
                const std::string written = r.string(v, key + ".output", "STEP.OUTPUT such as \"h20.one_off_charges\"");
                const auto dot = written.find('.');
                if (dot == std::string::npos || dot == 0 || dot + 1 == written.size())
                    r.fail(a.output_pos, key + ".output",
                           fmt::format("expected STEP.OUTPUT such as \"h20.one_off_charges\", found \"{}\"", text::printable(written)));
                a.step = written.substr(0, dot);
                a.output = written.substr(dot + 1);
            } else if (name == "value") {
                a.value_pos = r.pos(v);
                a.value = r.scalar(v, key + ".value");
            } else if (name == "date") {
                a.date = r.date(v, key + ".date");
            } else if (name == "source") {
                a.source = r.string(v, key + ".source");
            } else {
                r.fail(r.pos(k.source()), key + "." + name, "unknown key; expected output, value, date and source");
            }
        }
        for (const char* required : {"output", "value", "date", "source"})
            if (!t.contains(required))
                r.fail(a.pos, fmt::format("{}.{}", key, required),
                       fmt::format("expected {} in every [[actual]] (output, value, date and source), found none", required));
        scenario.actuals.push_back(std::move(a));
    }
}

// [plugins] "org.impact.fx" = { version = "1.0.0", sha256 = "..." }.
void read_pins(const Reader& r, const toml::node& node, Scenario& scenario) {
    const toml::table* table = node.as_table();
    if (!table)
        r.fail(r.pos(node), "plugins",
               fmt::format("expected a [plugins] table of pins such as \"org.impact.fx\" = {{ version = \"1.0.0\" }}, "
                           "found {}",
                           Reader::type_name(node)));
    for (const auto& [id_key, pin_node] : *table) {
        PluginPin pin;
        pin.plugin_id = std::string(id_key.str());
        pin.pos = r.pos(id_key.source());
        const std::string prefix = fmt::format("plugins.\"{}\"", text::printable(pin.plugin_id));
        if (!host::is_reverse_dns_id(pin.plugin_id))
            r.fail(pin.pos, prefix, "expected a plugin id such as \"org.impact.fx\" (reverse-DNS, as 'impact plugins' lists it)");
        const toml::table* t = pin_node.as_table();
        if (!t)
            r.fail(r.pos(pin_node), prefix,
                   fmt::format("expected a pin such as {{ version = \"1.0.0\", sha256 = \"...\" }}, found {}",
                               Reader::type_name(pin_node)));
        for (const auto& [key, value] : *t) {
            const std::string k(key.str());
            const std::string where = prefix + "." + k;
            if (k == "version") {
                pin.version = r.string(value, where, "a version such as \"1.0.0\"");
                pin.version_pos = r.pos(value);
                if (!host::is_semver(*pin.version))
                    r.fail(pin.version_pos, where,
                           fmt::format("expected a version MAJOR.MINOR.PATCH such as \"1.0.0\", found \"{}\"",
                                       text::printable(*pin.version)));
            } else if (k == "sha256") {
                std::string hash = r.string(value, where, "64 hexadecimal digits");
                pin.sha256_pos = r.pos(value);
                const bool hex = hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                });
                if (!hex)
                    r.fail(pin.sha256_pos, where,
                           fmt::format("expected the file's SHA-256 as 64 hexadecimal digits (impact plugins --pins "
                                       "prints it), found \"{}\"",
                                       text::printable(hash)));
                for (char& c : hash) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
                pin.sha256 = std::move(hash);
            } else {
                r.fail(r.pos(key.source()), where, "unknown key; expected version and/or sha256");
            }
        }
        if (!pin.version && !pin.sha256)
            r.fail(pin.pos, prefix, "expected version = \"...\", sha256 = \"...\" or both in a pin, found neither");
        scenario.pins.push_back(std::move(pin));
    }
    std::sort(scenario.pins.begin(), scenario.pins.end(), [](const PluginPin& a, const PluginPin& b) {
        return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
}

}  // namespace

Scenario read_scenario_file(const std::filesystem::path& file, std::uint64_t max_input_bytes) {
    const std::string name = file.string();
    const std::string content = io::read_input_file(file, "scenario file", max_input_bytes);

    toml::table root;
    try {
        root = toml::parse(content, name);
    } catch (const toml::parse_error& e) {
        throw UserError(fmt::format("{}:{}:{}: TOML syntax: {}", name, e.source().begin.line, e.source().begin.column,
                                    e.description()));
    }
    const Reader r(name);
    Scenario scenario;
    scenario.file = file;
    scenario.max_input_bytes = max_input_bytes;
    scenario.sha256 = io::sha256_hex(content);

    for (const auto& [key, node] : root) {
        const std::string k(key.str());
        if (k != "scenario" && k != "data" && k != "step" && k != "correlation" && k != "case" && k != "actual" &&
            k != "plugins" && k != "run")
            r.fail(r.pos(key.source()), k,
                   "unknown top-level key; expected [scenario], [data.<id>], [[step]], [[correlation]], [[case]], "
                   "[[actual]], [plugins] or [run]");
    }

    // [run]: how this scenario must be run. Only `isolate`, which can raise --isolate, never lower it.
    if (const toml::node* run = root.get("run")) {
        const toml::table* run_table = run->as_table();
        if (!run_table) r.fail(r.pos(*run), "run", fmt::format("expected a [run] table, found {}", Reader::type_name(*run)));
        for (const auto& [key, node] : *run_table) {
            const std::string k(key.str());
            const std::string where = "run." + k;
            if (k != "isolate") r.fail(r.pos(key.source()), where, "unknown key; expected isolate");
            const std::string value = r.string(node, where, "\"none\", \"untrusted\" or \"all\"");
            const auto policy = isolation::parse_isolation_policy(value);
            if (!policy)
                r.fail(r.pos(node), where, fmt::format("expected \"none\", \"untrusted\" or \"all\", found \"{}\"", value));
            scenario.isolate = *policy;
        }
    }

    const toml::node* header = root.get("scenario");
    if (!header) throw UserError(fmt::format("{}:1:1: scenario: expected a [scenario] table with a name, found none", name));
    const toml::table* scenario_table = header->as_table();
    if (!scenario_table) r.fail(r.pos(*header), "scenario", fmt::format("expected a table, found {}", Reader::type_name(*header)));
    for (const auto& [key, node] : *scenario_table) {
        const std::string k(key.str());
        const std::string where = "scenario." + k;
        if (k == "name") {
            scenario.name = r.string(node, where);
            if (scenario.name.find_first_not_of(" \t") == std::string::npos)
                r.fail(r.pos(node), where, fmt::format("expected a non-empty name, found \"{}\"", scenario.name));
        }
        else if (k == "description") scenario.description = r.string(node, where);
        else if (k == "as_of") scenario.as_of = r.date(node, where);
        else if (k == "headline") {
            const toml::array* list = node.as_array();
            if (!list || list->empty())
                r.fail(r.pos(node), where, "expected a list of outputs such as [\"h20.total_impact\"]");
            for (const toml::node& element : *list) {
                const std::string written = r.string(element, where, "an output such as \"h20.total_impact\"");
                const std::size_t dot = written.find('.');
                if (dot == std::string::npos || dot == 0 || dot + 1 == written.size())
                    r.fail(r.pos(element), where,
                           fmt::format("expected STEP.OUTPUT such as \"h20.total_impact\", found \"{}\"", text::printable(written)));
                HeadlineOutput h{written.substr(0, dot), written.substr(dot + 1), r.pos(element)};
                for (const HeadlineOutput& earlier : scenario.headline)
                    if (earlier.step == h.step && earlier.output == h.output)
                        r.fail(h.pos, where, fmt::format("\"{}\" is listed twice (first at {})", text::printable(written), earlier.pos.str()));
                scenario.headline.push_back(std::move(h));
            }
        }
        else if (k == "currency") {
            scenario.currency = r.string(node, where, "a currency code such as \"USD\"");
            if (!text::is_currency_code(*scenario.currency))
                r.fail(r.pos(node), where, fmt::format("expected a current ISO 4217 currency code such as \"USD\", found \"{}\"",
                                                       *scenario.currency));
        } else
            r.fail(r.pos(key.source()), where, "unknown key; expected name, description, as_of, currency or headline");
    }
    if (!scenario_table->contains("name"))
        r.fail(r.pos(*scenario_table), "scenario.name", "expected a non-empty name = \"...\" in [scenario], found none");

    const std::filesystem::path folder = file.parent_path();
    if (const toml::node* data = root.get("data")) {
        const toml::table* data_table = data->as_table();
        if (!data_table) r.fail(r.pos(*data), "data", fmt::format("expected [data.<id>] tables, found {}", Reader::type_name(*data)));
        for (const auto& [id_key, source_node] : *data_table) {
            DataSource source;
            source.id = std::string(id_key.str());
            const std::string prefix = "data." + source.id;
            source.pos = r.pos(source_node);
            if (!is_identifier(source.id))
                r.fail(r.pos(id_key.source()), prefix, "expected an id of lower-case letters, digits, '_' or '-'");
            const toml::table* t = source_node.as_table();
            if (!t) r.fail(r.pos(source_node), prefix, fmt::format("expected a table, found {}", Reader::type_name(source_node)));
            SourcePos columns_pos;  // where `columns` is written, for "value and columns both"
            for (const auto& [key, node] : *t) {
                const std::string k(key.str());
                const std::string where = prefix + "." + k;
                if (k == "file") {
                    source.file_as_written = r.string(node, where, "a file path");
                    source.file_pos = r.pos(node);
                    const std::filesystem::path written(source.file_as_written);
                    source.file = written.is_absolute() ? written : (folder / written).lexically_normal();
                } else if (k == "date") {
                    source.date_column = r.string(node, where, "a column name");
                    source.date_column_pos = r.pos(node);
                } else if (k == "value") {
                    source.value_column = r.string(node, where, "a column name");
                    source.value_column_pos = r.pos(node);
                } else if (k == "columns") {
                    const toml::array* list = node.as_array();
                    if (!list || list->empty())
                        r.fail(r.pos(node), where, "expected a list of column names such as [\"NVDA\", \"AMD\"]");
                    for (const toml::node& element : *list) {
                        std::string column = r.string(element, where, "a column name");
                        if (column.empty()) r.fail(r.pos(element), where, "expected a column name, found \"\"");
                        for (std::size_t j = 0; j < source.value_columns.size(); ++j)
                            if (source.value_columns[j] == column)
                                r.fail(r.pos(element), where,
                                       fmt::format("column \"{}\" is listed twice (first at {})", text::printable(column),
                                                   source.value_column_positions[j].str()));
                        source.value_columns.push_back(std::move(column));
                        source.value_column_positions.push_back(r.pos(element));
                    }
                    source.value_column_pos = r.pos(node);
                    columns_pos = r.pos(key.source());
                } else
                    r.fail(r.pos(key.source()), where, "unknown key; expected file, date, value or columns");
            }
            if (source.file_as_written.empty()) r.fail(source.pos, prefix + ".file", "expected a file path, found none");
            if (!source.value_column.empty() && !source.value_columns.empty())
                r.fail(columns_pos, prefix + ".columns",
                       "expected either value (one series) or columns (one series per column), found both");
            if (source.value_column.empty() && source.value_columns.empty())
                r.fail(source.pos, prefix + ".value",
                       "expected the name of the value column (such as \"close\") or a list of columns, found none");
            if (source.date_column_pos.line == 0) source.date_column_pos = source.pos;
            if (source.value_column_pos.line == 0) source.value_column_pos = source.pos;
            scenario.data.push_back(std::move(source));
        }
        std::sort(scenario.data.begin(), scenario.data.end(), [](const DataSource& a, const DataSource& b) {
            return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
        });
    }

    const toml::node* steps = root.get("step");
    if (!steps) throw UserError(fmt::format("{}:1:1: step: expected at least one [[step]], found none", name));
    const toml::array* step_array = steps->as_array();
    if (!step_array || !step_array->is_array_of_tables())
        r.fail(r.pos(*steps), "step", "expected [[step]] tables");
    std::vector<std::size_t> line_starts;  // of the file's lines, once a formula step needs them
    scenario.steps.reserve(step_array->size());
    scenario.step_index.reserve(step_array->size());
    for (std::size_t i = 0; i < step_array->size(); ++i) {
        const toml::table& t = *step_array->get(i)->as_table();
        Step step;
        step.pos = r.pos(t);
        const std::string fallback = fmt::format("step[{}]", i + 1);
        const toml::node* id = t.get("id");
        if (!id) r.fail(step.pos, fallback + ".id", "expected an id such as \"h20\", found none");
        step.id = r.string(*id, fallback + ".id");
        if (!is_identifier(step.id))
            r.fail(r.pos(*id), fallback + ".id",
                   fmt::format("expected an id of lower-case letters, digits, '_' or '-', found \"{}\"", step.id));
        if (const Step* first = scenario.find_step(step.id))
            r.fail(r.pos(*id), "step." + step.id,
                   fmt::format("step id \"{}\" is used twice (first at {})", step.id, first->pos.str()));
        const std::string prefix = "step." + step.id;
        const toml::node* model = t.get("model");
        const toml::node* expr = t.get("expr");
        if (model && expr)
            r.fail(r.pos(*expr), prefix + ".expr",
                   fmt::format("expected either model or expr in a step, found both (model at {})", r.pos(*model).str()));
        if (!model && !expr)
            r.fail(step.pos, prefix + ".model",
                   "expected a model id such as \"fx.convert\" (or expr = \"...\" for a formula step), found none");
        if (model) {
            step.model = r.string(*model, prefix + ".model", "a model id such as \"fx.convert\"");
            step.model_pos = r.pos(*model);
        } else {
            FormulaSpec formula;
            formula.expression = r.string(*expr, prefix + ".expr", "an expression such as \"h20.total_impact * 2\"");
            if (formula.expression.find_first_not_of(" \t") == std::string::npos)
                r.fail(r.pos(*expr), prefix + ".expr", "expected an expression, found an empty string");
            formula.start = r.pos(*expr);
            // Columns inside the expression are exact only when it sits between its quotes as is.
            if (line_starts.empty()) {
                // Made once, at the first formula: a scan per formula made 40,000 of them take 19 s.
                line_starts.push_back(0);
                for (std::size_t at = content.find('\n'); at != std::string::npos; at = content.find('\n', at + 1))
                    line_starts.push_back(at + 1);
            }
            formula.columns_exact = written_verbatim(content, line_starts, formula.start, formula.expression);
            if (formula.columns_exact) formula.start.column += 1;  // past the opening quote
            if (const toml::node* unit = t.get("unit")) {
                formula.unit = r.string(*unit, prefix + ".unit", "a unit such as \"USD\", \"%\" or \"\"");
                formula.unit_pos = r.pos(*unit);
            }
            step.model_pos = formula.start;
            step.formula = std::make_shared<const FormulaSpec>(std::move(formula));
        }
        // Every key but id, model (or expr and unit) is an input: reserved exactly, since a
        // scenario may hold tens of thousands of steps.
        step.inputs.reserve(t.size() - 2 - (step.formula && step.formula->unit ? 1 : 0) - (t.contains("thresholds") ? 1 : 0) -
                            (t.contains("compare") ? 1 : 0));
        for (const auto& [key, node] : t) {
            const std::string k(key.str());
            if (k == "id" || k == "model" || (step.formula && (k == "expr" || k == "unit"))) continue;
            if (k == "compare") {
                step.compare_pos = r.pos(node);
                step.compare_group = r.string(node, "step." + step.id + ".compare", "a group name such as \"nvda-move\"");
                if (!is_identifier(step.compare_group))
                    r.fail(step.compare_pos, "step." + step.id + ".compare",
                           fmt::format("expected a group name of lower-case letters, digits, '_' or '-', found \"{}\"",
                                       text::printable(step.compare_group)));
                continue;
            }
            if (k == "thresholds") {
                read_thresholds(r, node, step);
                continue;
            }
            step.inputs.push_back(InputSpec{k, r.value(node, "step." + step.id + "." + k), r.pos(node)});
        }
        // toml++ keeps keys sorted; report and evaluate inputs in the order they were written.
        std::sort(step.inputs.begin(), step.inputs.end(), [](const InputSpec& a, const InputSpec& b) {
            return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
        });
        scenario.step_index.emplace(step.id, scenario.steps.size());
        scenario.steps.push_back(std::move(step));
    }
    if (const toml::node* correlations = root.get("correlation")) read_correlations(r, *correlations, scenario);
    if (const toml::node* cases = root.get("case")) read_cases(r, *cases, scenario);
    if (const toml::node* actuals = root.get("actual")) read_actuals(r, *actuals, scenario);
    if (const toml::node* pins = root.get("plugins")) read_pins(r, *pins, scenario);
    // A compare group is for side by side: a group of one step is a typo.
    std::unordered_map<std::string, std::size_t> group_sizes;
    for (const Step& step : scenario.steps)
        if (!step.compare_group.empty()) ++group_sizes[step.compare_group];
    for (const Step& step : scenario.steps) {
        if (step.compare_group.empty()) continue;
        if (group_sizes[step.compare_group] < 2)
            r.fail(step.compare_pos, "step." + step.id + ".compare",
                   fmt::format("expected at least two steps in compare group \"{}\", found only this one", step.compare_group));
    }
    return scenario;
}

namespace {

// The unit a literal (or each end of a range) is written in: "" for a bare number, "%" for a
// percentage or basis points, else the word after the number. Nullopt when it is not a
// literal or does not parse (the step's own checks report that).
std::optional<std::string> literal_unit(const ValueSpec& value) {
    const auto of_scalar = [](const Scalar& scalar) -> std::optional<std::string> {
        const auto* written = std::get_if<std::string>(&scalar.value);
        if (!written) return std::string();
        try {
            const text::Quantity q = text::parse_quantity(*written, "value");
            return q.unit == "bp" ? std::string("%") : q.unit;
        } catch (const UserError&) {
            return std::nullopt;
        }
    };
    if (const auto* scalar = std::get_if<Scalar>(&value)) return of_scalar(*scalar);
    if (const Range* range = as_range(value)) return of_scalar(range->low);
    if (const DistributionSpec* dist = as_distribution(value))
        for (const char* name : {"low", "mean", "mode", "values", "high"})
            if (const DistributionParam* param = dist->find(name); param && !param->list.empty()) return of_scalar(param->list.front());
    return std::nullopt;
}

std::string unit_described(const std::string& unit) {
    return unit.empty() ? "a number without a unit" : unit == "%" ? "a percentage" : fmt::format("a value in {}", unit);
}

}  // namespace

void apply_overrides(Scenario& scenario, const std::vector<std::string>& assignments) {
    for (const std::string& assignment : assignments) {
        // Positions name the argument; columns count within it.
        const auto label = std::make_shared<const std::string>(fmt::format("--set '{}'", text::printable(assignment)));
        const auto at = [&](std::size_t offset) { return SourcePos{label, 1, static_cast<uint32_t>(offset + 1)}; };
        const std::size_t equals = assignment.find('=');
        const std::size_t dot = assignment.find('.');
        if (equals == std::string::npos || dot == std::string::npos || dot > equals || dot == 0 || dot + 1 == equals)
            throw UserError(fmt::format("{}: set: expected STEP.INPUT=VALUE such as h20.gross_margin=55%, found \"{}\"",
                                        at(0).str(), text::printable(assignment)));
        const std::string step_id = assignment.substr(0, dot);
        const std::string input = assignment.substr(dot + 1, equals - dot - 1);
        const std::string value_text = assignment.substr(equals + 1);
        const std::string key = "step." + step_id + "." + input;
        const auto step_at = scenario.step_index.find(step_id);
        if (step_at == scenario.step_index.end()) {
            std::vector<std::string_view> ids;
            for (std::size_t i = 0; i < scenario.steps.size() && i < 10; ++i) ids.push_back(scenario.steps[i].id);
            throw UserError(fmt::format("{}: {}: expected the id of a step ({}{}), found \"{}\"", at(0).str(), key,
                                        fmt::join(ids, ", "), scenario.steps.size() > 10 ? ", ..." : "",
                                        text::printable(step_id)));
        }
        Step& step = scenario.steps[step_at->second];
        if (input.find('.') != std::string::npos || input == "id" || input == "model" || input == "compare" ||
            (step.formula && (input == "expr" || input == "unit")))
            throw UserError(fmt::format("{}: {}: expected the name of an input of step {}, found \"{}\" (--set changes "
                                        "inputs only)",
                                        at(dot + 1).str(), key, step_id, text::printable(input)));

        // VALUE as a TOML value when it is one, padded so that its columns are the argument's.
        const std::size_t value_offset = equals + 1;
        const Reader r(*label);
        std::optional<ValueSpec> value;
        SourcePos value_pos = at(value_offset);
        try {
            const std::string document =
                "v" + std::string(value_offset >= 3 ? value_offset - 3 : 0, ' ') + "= " + value_text + "\n";
            const toml::table parsed = toml::parse(document, *label);
            if (parsed.size() == 1 && parsed.contains("v")) {
                value = r.value(*parsed.get("v"), key);
                value_pos = r.pos(*parsed.get("v"));
            }
        } catch (const toml::parse_error&) {
            // Not TOML: the text as written, such as 55% or 5.5B USD.
        }
        if (!value) {
            if (value_text.find('\0') != std::string::npos)
                throw UserError(fmt::format("{}: {}: expected text without NUL characters", value_pos.str(), key));
            value = Scalar{value_text};
        }
        for (const Override& earlier : scenario.overrides)
            if (earlier.step == step_id && earlier.input == input)
                throw UserError(fmt::format("{}: {}: given twice (first at {})", at(0).str(), key, earlier.pos.str()));

        Override record{step_id, input, value_text, value_pos, std::nullopt, {}};
        auto written = std::find_if(step.inputs.begin(), step.inputs.end(), [&](const InputSpec& i) { return i.key == input; });
        // A formula step's own value has no model input to say what it means, so an override
        // keeps its unit: "60%" set to 5 would silently be 500 %.
        if (step.formula && written != step.inputs.end()) {
            const auto old_unit = literal_unit(written->value);
            const auto new_unit = literal_unit(*value);
            if (old_unit && new_unit && *old_unit != *new_unit)
                throw UserError(fmt::format("{}: {}: expected {} like the value it replaces ({} at {}), found {}: an "
                                            "override of a formula step's input keeps its unit",
                                            value_pos.str(), key, unit_described(*old_unit), describe_value(written->value),
                                            written->pos.str(), describe_value(*value)));
        }
        if (written == step.inputs.end()) {
            // Not in the step, but maybe in [scenario], which gives as_of and currency to models.
            if (input == "as_of" && scenario.as_of)
                record.replaced_value = fmt::format("the scenario's as_of, {}", text::format_iso_date(*scenario.as_of));
            if (input == "currency" && scenario.currency)
                record.replaced_value = fmt::format("the scenario's currency, {}", *scenario.currency);
        }
        if (written != step.inputs.end()) {
            record.replaced = written->pos;
            const auto* scalar = std::get_if<Scalar>(&written->value);
            record.replaced_value = scalar ? scalar->as_written() : describe_value(written->value);
            *written = InputSpec{input, std::move(*value), value_pos, true};
        } else {
            step.inputs.push_back(InputSpec{input, std::move(*value), value_pos, true});
        }
        scenario.overrides.push_back(std::move(record));
    }
}

}  // namespace impact::scenario
