// Formula steps' arithmetic: muParser compiles and evaluates; its bytecode is walked for units.
#include "scenario/formula.hpp"

#include "host/model.hpp"

#include <fmt/format.h>
#include <muParserBase.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

namespace impact::scenario {

// ---- Dimension ----

namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    return text;
}

}  // namespace

Dimension Dimension::of_unit(std::string_view unit) {
    unit = trimmed(unit);
    Dimension d;
    if (unit.empty() || unit == "%") return d;
    const auto slash = unit.find('/');
    if (slash != std::string_view::npos && unit.find('/', slash + 1) == std::string_view::npos) {
        const std::string_view top = trimmed(unit.substr(0, slash));
        const std::string_view bottom = trimmed(unit.substr(slash + 1));
        if (!top.empty() && !bottom.empty()) {
            Dimension over;
            over.powers_.emplace(std::string(bottom), 1);
            if (top != "1") d.powers_.emplace(std::string(top), 1);
            return d.over(over);
        }
    }
    d.powers_.emplace(std::string(unit), 1);
    return d;
}

std::optional<Dimension> Dimension::of_stated_unit(std::string_view unit) {
    if (unit.empty() || unit == "%") return Dimension{};
    const auto is_symbol_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    };
    // "A*B^2": factors, each a symbol and an optional whole power.
    const auto factors = [&](std::string_view text, int sign, Dimension& into) {
        if (text.empty()) return false;
        while (!text.empty()) {
            const std::size_t star = text.find('*');
            std::string_view factor = text.substr(0, star);
            text = star == std::string_view::npos ? std::string_view() : text.substr(star + 1);
            if (star != std::string_view::npos && text.empty()) return false;
            int power = 1;
            if (const std::size_t caret = factor.find('^'); caret != std::string_view::npos) {
                const std::string_view digits = factor.substr(caret + 1);
                const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), power);
                if (ec != std::errc() || end != digits.data() + digits.size() || power < 2) return false;
                factor = factor.substr(0, caret);
            }
            if (factor.empty() || !std::all_of(factor.begin(), factor.end(), is_symbol_char)) return false;
            Dimension one;
            one.powers_.emplace(std::string(factor), power * sign);
            into = into.times(one);
        }
        return true;
    };
    Dimension d;
    const std::size_t slash = unit.find('/');
    const std::string_view top = unit.substr(0, slash);
    if (!(top == "1" && slash != std::string_view::npos) && !factors(top, 1, d)) return std::nullopt;
    if (slash != std::string_view::npos && !factors(unit.substr(slash + 1), -1, d)) return std::nullopt;
    if (d.str() != unit) return std::nullopt;  // not as str() writes it: cancelled, reordered, padded
    return d;
}

Dimension Dimension::times(const Dimension& other) const {
    Dimension d = *this;
    for (const auto& [symbol, power] : other.powers_) {
        const int sum = (d.powers_.count(symbol) ? d.powers_.at(symbol) : 0) + power;
        if (sum == 0) d.powers_.erase(symbol);
        else d.powers_[symbol] = sum;
    }
    return d;
}

Dimension Dimension::over(const Dimension& other) const { return times(other.to_power(-1)); }

Dimension Dimension::to_power(int exponent) const {
    Dimension d;
    if (exponent == 0) return d;
    for (const auto& [symbol, power] : powers_) d.powers_.emplace(symbol, power * exponent);
    return d;
}

std::string Dimension::str() const {
    std::string top, bottom;
    const auto add = [](std::string& to, const std::string& symbol, int power) {
        if (!to.empty()) to += '*';
        to += symbol;
        if (power != 1) to += fmt::format("^{}", power);
    };
    for (const auto& [symbol, power] : powers_) {
        if (power > 0) add(top, symbol, power);
        else add(bottom, symbol, -power);
    }
    if (bottom.empty()) return top;
    return fmt::format("{}/{}", top.empty() ? "1" : top, bottom);
}

std::string Dimension::described() const { return dimensionless() ? "a number without a unit" : str(); }

// ---- Formula ----

namespace {

mu::value_type negate(mu::value_type v) { return -v; }
mu::value_type identity(mu::value_type v) { return v; }
mu::value_type absolute(mu::value_type v) { return std::fabs(v); }
mu::value_type square_root(mu::value_type v) { return std::sqrt(v); }
mu::value_type exponential(mu::value_type v) { return std::exp(v); }
mu::value_type natural_log(mu::value_type v) { return std::log(v); }
// A NaN argument makes the result NaN (std::fmin and std::fmax would drop it).
mu::value_type smallest(const mu::value_type* values, int count) {
    mu::value_type m = values[0];
    for (int i = 1; i < count; ++i) m = std::isnan(values[i]) || values[i] < m ? values[i] : m;
    return m;
}
mu::value_type largest(const mu::value_type* values, int count) {
    mu::value_type m = values[0];
    for (int i = 1; i < count; ++i) m = std::isnan(values[i]) || values[i] > m ? values[i] : m;
    return m;
}

// Numbers as a scenario writes them, read locale-free. Only what starts with a digit or a
// point: from_chars would also take "inf" and "nan", which are not numbers here.
int read_number(const mu::char_type* text, int* position, mu::value_type* value) {
    const char* begin = text;
    if (!((*begin >= '0' && *begin <= '9') || *begin == '.')) return 0;
    double parsed = 0;
    const auto [end, ec] = std::from_chars(begin, begin + std::strlen(begin), parsed);
    if (ec != std::errc() || !std::isfinite(parsed)) return 0;  // then read as a name and refused by name
    *position += static_cast<int>(end - begin);
    *value = parsed;
    return 1;
}

template <typename F>
mu::erased_fun_type erased(F f) {
    return reinterpret_cast<mu::erased_fun_type>(f);
}

}  // namespace

// muParser's base with only what a formula step needs: names may hold '.', so that
// "h20.total_impact" is one operand; no constants such as _pi; a short list of functions
// whose units the check below knows. Its bytecode is walked, so the optimizer (which
// rewrites it into fused forms) is off.
struct Formula::Parser final : mu::ParserBase {
    Parser() {
        AddValIdent(read_number);
        InitCharSets();
        InitFun();
        InitConst();
        InitOprt();
        EnableOptimizer(false);
    }
    void InitCharSets() override {
        DefineNameChars("0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.");
        DefineOprtChars("+-*^/?<>=#!$%&|~'_");
        DefineInfixOprtChars("+-");
    }
    void InitFun() override {
        DefineFun("min", smallest, false);
        DefineFun("max", largest, false);
        DefineFun("abs", absolute, false);
        DefineFun("sqrt", square_root, false);
        DefineFun("exp", exponential, false);
        DefineFun("ln", natural_log, false);
    }
    void InitConst() override {}
    void InitOprt() override {
        DefineInfixOprt("-", negate);
        DefineInfixOprt("+", identity);
    }
};

// muParser's 0-based position of an error, within the expression: at its end, it may say one
// or two characters past it ("a ? b : -c-").
std::size_t Formula::clamped(int position) const noexcept {
    if (position < 0) return 0;
    return std::min(static_cast<std::size_t>(position), expression_.size());
}

Formula::Formula(std::string expression) : expression_(std::move(expression)), parser_(std::make_unique<Parser>()) {
    try {
        parser_->SetExpr(expression_);
        for (const auto& [name, unused] : parser_->GetUsedVar()) operands_.push_back(name);
    } catch (const mu::ParserError& e) {
        const int at = e.GetPos();
        throw FormulaError(clamped(at), fmt::format("{}", e.GetMsg()));
    }
    for (const std::string& name : operands_) {
        // A number muParser could not read (1e400) comes back as a name beginning with a digit.
        if (!name.empty() && ((name.front() >= '0' && name.front() <= '9') || name.front() == '.'))
            throw FormulaError(offset_of(name), fmt::format("expected a number a double holds, found {}", name));
    }
    slots_.assign(operands_.size(), 0.0);
    try {
        for (std::size_t i = 0; i < operands_.size(); ++i) parser_->DefineVar(operands_[i], &slots_[i]);
        parser_->Eval();  // compiles to bytecode; the value is not used
    } catch (const mu::ParserError& e) {
        const int at = e.GetPos();
        throw FormulaError(clamped(at), fmt::format("{}", e.GetMsg()));
    }
    if (parser_->GetNumResults() != 1)
        throw FormulaError(expression_.find(','), "expected one expression, found a comma-separated list");
}

Formula::~Formula() = default;
Formula::Formula(Formula&&) noexcept = default;
Formula& Formula::operator=(Formula&&) noexcept = default;

std::size_t Formula::offset_of(std::string_view operand) const noexcept {
    const auto is_name_char = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    };
    for (std::size_t at = expression_.find(operand); at != std::string::npos; at = expression_.find(operand, at + 1)) {
        const std::size_t end = at + operand.size();
        if ((at == 0 || !is_name_char(expression_[at - 1])) && (end == expression_.size() || !is_name_char(expression_[end])))
            return at;
    }
    return 0;
}

Dimension Formula::result_dimension(const std::vector<Dimension>& operand_dimensions) const {
    // What the bytecode leaves on the stack: a unit, how to name the value in a message, where
    // it starts, and whether it is the constant 0 (which fits any unit).
    struct Value {
        Dimension dimension;
        std::string text;
        std::size_t offset = 0;
        bool zero = false;
        std::optional<double> constant;
    };
    const auto make_value = [](Dimension dimension, std::string text, std::size_t offset, bool zero = false,
                               std::optional<double> constant = std::nullopt) {
        return Value{std::move(dimension), std::move(text), offset, zero, constant};
    };
    std::vector<Value> stack;
    const auto pop = [&] {
        Value v = std::move(stack.back());
        stack.pop_back();
        return v;
    };
    const auto named = [](const Value& v) {
        return v.dimension.dimensionless() ? fmt::format("{} (no unit)", v.text) : fmt::format("{} ({})", v.text, v.dimension.str());
    };
    // a and b must have one unit (or be 0); the result has it.
    const auto same_unit = [&](const Value& a, const Value& b, std::string_view what) -> Dimension {
        if (a.zero) return b.dimension;
        if (b.zero || a.dimension == b.dimension) return a.dimension;
        std::string hint;
        if (!a.dimension.dimensionless() && !b.dimension.dimensionless() && a.dimension.str().find_first_of("^*/") == std::string::npos &&
            b.dimension.str().find_first_of("^*/") == std::string::npos)
            hint = " (convert money into one currency with an fx.convert step first)";
        else if (a.constant || b.constant)
            hint = fmt::format(" (a number written in the expression has no unit: give it one as an input of the step, "
                               "such as threshold = \"6B {}\", and use its name)",
                               (a.dimension.dimensionless() ? b : a).dimension.str());
        // Point at the operand, not at a constant (the bytecode does not say where that was written).
        const Value& at = b.constant && !a.constant ? a : b;
        throw FormulaError(at.offset, fmt::format("{} needs one unit, found {} and {}{}", what, named(a), named(b), hint));
    };
    const auto unitless = [&](const Value& v, std::string_view what) {
        if (!v.dimension.dimensionless() && !v.zero)
            throw FormulaError(v.offset, fmt::format("{} needs a number without a unit, found {}", what, named(v)));
    };

    const mu::ParserByteCode& code = parser_->GetByteCode();
    const mu::SToken* tokens = code.GetBase();
    for (std::size_t i = 0; i < code.GetSize(); ++i) {
        const mu::SToken& t = tokens[i];
        switch (t.Cmd) {
        case mu::cmVAL: {
            const double v = t.Val.data2;
            stack.push_back(make_value(Dimension{}, fmt::format("{}", v), 0, v == 0, v));
            break;
        }
        case mu::cmVAR: {
            const auto index = static_cast<std::size_t>(t.Val.ptr - slots_.data());
            stack.push_back(make_value(operand_dimensions.at(index), operands_[index], offset_of(operands_[index])));
            break;
        }
        case mu::cmADD:
        case mu::cmSUB: {
            Value b = pop(), a = pop();
            const Dimension d = same_unit(a, b, t.Cmd == mu::cmADD ? "a sum" : "a difference");
            stack.push_back(make_value(d, fmt::format("{} {} {}", a.text, t.Cmd == mu::cmADD ? '+' : '-', b.text), a.offset,
                                  a.zero && b.zero));
            break;
        }
        case mu::cmMUL:
        case mu::cmDIV: {
            Value b = pop(), a = pop();
            const Dimension d = t.Cmd == mu::cmMUL ? a.dimension.times(b.dimension) : a.dimension.over(b.dimension);
            stack.push_back(make_value(d, fmt::format("{} {} {}", a.text, t.Cmd == mu::cmMUL ? '*' : '/', b.text), a.offset,
                                  t.Cmd == mu::cmMUL ? (a.zero || b.zero) : a.zero));
            break;
        }
        case mu::cmPOW: {
            Value b = pop(), a = pop();
            unitless(b, "an exponent");
            Dimension d;
            if (!a.dimension.dimensionless()) {
                // USD^2 is a unit; USD^0.5 or USD^x is not.
                if (!b.constant || *b.constant != std::trunc(*b.constant) || std::fabs(*b.constant) > 8)
                    throw FormulaError(a.offset, fmt::format("a power of {} needs a whole constant exponent from -8 to 8, "
                                                             "found {}",
                                                             named(a), b.text));
                d = a.dimension.to_power(static_cast<int>(*b.constant));
            }
            stack.push_back(make_value(d, fmt::format("{}^{}", a.text, b.text), a.offset));
            break;
        }
        case mu::cmLE:
        case mu::cmGE:
        case mu::cmNEQ:
        case mu::cmEQ:
        case mu::cmLT:
        case mu::cmGT: {
            Value b = pop(), a = pop();
            same_unit(a, b, "a comparison");
            stack.push_back(make_value(Dimension{}, fmt::format("({} compared with {})", a.text, b.text), a.offset));
            break;
        }
        case mu::cmLAND:
        case mu::cmLOR: {
            Value b = pop(), a = pop();
            stack.push_back(make_value(Dimension{}, fmt::format("({} {} {})", a.text, t.Cmd == mu::cmLAND ? "&&" : "||", b.text),
                                  a.offset));
            break;
        }
        case mu::cmIF: pop(); break;  // the condition: any unit, it is only tested against 0
        case mu::cmELSE: break;       // the "then" value stays on the stack until cmENDIF
        case mu::cmENDIF: {
            Value otherwise = pop(), then = pop();
            const Dimension d = same_unit(then, otherwise, "the two branches of ?:");
            stack.push_back(make_value(d, fmt::format("({} or {})", then.text, otherwise.text), then.offset,
                                  then.zero && otherwise.zero));
            break;
        }
        case mu::cmFUNC: {
            const auto count = static_cast<std::size_t>(t.Fun.argc < 0 ? -t.Fun.argc : t.Fun.argc);
            std::vector<Value> args(count);
            for (std::size_t a = count; a-- > 0;) args[a] = pop();
            const mu::erased_fun_type f = t.Fun.cb._pRawFun;
            if (f == erased(&negate) || f == erased(&identity) || f == erased(&absolute)) {
                Value v = std::move(args[0]);
                v.text = f == erased(&absolute) ? fmt::format("abs({})", v.text)
                                                : fmt::format("{}{}", f == erased(&negate) ? "-" : "+", v.text);
                if (v.constant && f == erased(&negate)) v.constant = -*v.constant;
                if (v.constant && f == erased(&absolute)) v.constant = std::fabs(*v.constant);
                stack.push_back(std::move(v));
            } else if (f == erased(&smallest) || f == erased(&largest)) {
                Value v = args[0];
                for (std::size_t a = 1; a < count; ++a) {
                    v.dimension = same_unit(v, args[a], f == erased(&smallest) ? "min()" : "max()");
                    v.zero = v.zero && args[a].zero;
                }
                std::vector<std::string> texts;
                for (const Value& a : args) texts.push_back(a.text);
                v.text = fmt::format("{}({})", f == erased(&smallest) ? "min" : "max", fmt::join(texts, ", "));
                v.constant.reset();
                stack.push_back(std::move(v));
            } else {
                const char* name = f == erased(&square_root) ? "sqrt()" : f == erased(&exponential) ? "exp()" : "ln()";
                unitless(args[0], name);
                stack.push_back(make_value(Dimension{}, fmt::format("{}({})", std::string_view(name).substr(0, std::strlen(name) - 2), args[0].text),
                                      args[0].offset));
            }
            break;
        }
        case mu::cmEND: break;
        case mu::cmASSIGN:
            throw FormulaError(expression_.find('='), "expected an expression, found an assignment (use == to compare)");
        default:
            throw FormulaError(0, fmt::format("expected arithmetic on numbers and operands, found a construct "
                                              "formula steps do not support (muParser code {})",
                                              static_cast<int>(t.Cmd)));
        }
    }
    if (stack.size() != 1) throw FormulaError(0, "expected one expression");
    return stack.back().zero ? Dimension{} : stack.back().dimension;
}

std::optional<double> Formula::first_non_finite(const std::vector<double>& operand_values, double evaluated) const {
    const mu::ParserByteCode& code = parser_->GetByteCode();
    const mu::SToken* tokens = code.GetBase();
    std::vector<double> stack;
    std::optional<double> found;
    const auto push = [&](double v) {
        if (!found && !std::isfinite(v)) found = v;
        stack.push_back(v);
    };
    const auto pop = [&] {
        const double v = stack.back();
        stack.pop_back();
        return v;
    };
    for (std::size_t i = 0; i < code.GetSize(); ++i) {
        const mu::SToken& t = tokens[i];
        switch (t.Cmd) {
        case mu::cmVAL: push(t.Val.data2); break;
        case mu::cmVAR: push(operand_values.at(static_cast<std::size_t>(t.Val.ptr - slots_.data()))); break;
        case mu::cmADD: { const double b = pop(), a = pop(); push(a + b); break; }
        case mu::cmSUB: { const double b = pop(), a = pop(); push(a - b); break; }
        case mu::cmMUL: { const double b = pop(), a = pop(); push(a * b); break; }
        case mu::cmDIV: { const double b = pop(), a = pop(); push(a / b); break; }
        case mu::cmPOW: { const double b = pop(), a = pop(); push(std::pow(a, b)); break; }
        case mu::cmLE: { const double b = pop(), a = pop(); push(a <= b); break; }
        case mu::cmGE: { const double b = pop(), a = pop(); push(a >= b); break; }
        case mu::cmNEQ: { const double b = pop(), a = pop(); push(a != b); break; }
        case mu::cmEQ: { const double b = pop(), a = pop(); push(a == b); break; }
        case mu::cmLT: { const double b = pop(), a = pop(); push(a < b); break; }
        case mu::cmGT: { const double b = pop(), a = pop(); push(a > b); break; }
        case mu::cmLAND: { const double b = pop(), a = pop(); push(a != 0 && b != 0); break; }
        case mu::cmLOR: { const double b = pop(), a = pop(); push(a != 0 || b != 0); break; }
        // As muParser runs them: a false condition jumps to the else branch, the end of the
        // then branch jumps past the else branch; the untaken branch is not computed.
        case mu::cmIF: if (pop() == 0) i += static_cast<std::size_t>(t.Oprt.offset); break;
        case mu::cmELSE: i += static_cast<std::size_t>(t.Oprt.offset); break;
        case mu::cmENDIF: break;
        case mu::cmFUNC: {
            const auto count = static_cast<std::size_t>(t.Fun.argc < 0 ? -t.Fun.argc : t.Fun.argc);
            std::vector<double> args(count);
            for (std::size_t a = count; a-- > 0;) args[a] = pop();
            const mu::erased_fun_type f = t.Fun.cb._pRawFun;
            if (f == erased(&smallest)) push(smallest(args.data(), static_cast<int>(count)));
            else if (f == erased(&largest)) push(largest(args.data(), static_cast<int>(count)));
            else if (f == erased(&negate)) push(negate(args[0]));
            else if (f == erased(&identity)) push(identity(args[0]));
            else if (f == erased(&absolute)) push(absolute(args[0]));
            else if (f == erased(&square_root)) push(square_root(args[0]));
            else if (f == erased(&exponential)) push(exponential(args[0]));
            else if (f == erased(&natural_log)) push(natural_log(args[0]));
            else throw FormulaError(0, "internal error: a function the replay does not know");
            break;
        }
        case mu::cmEND: break;
        default: throw FormulaError(0, fmt::format("internal error: muParser code {} in a checked expression", static_cast<int>(t.Cmd)));
        }
    }
    const double replayed = stack.empty() ? std::nan("") : stack.back();
    const bool same = replayed == evaluated || (std::isnan(replayed) && std::isnan(evaluated));
    if (stack.size() != 1 || !same)
        throw FormulaError(0, fmt::format("internal error: replaying the expression gave {}, muParser {}", replayed, evaluated));
    return found;
}

double Formula::evaluate(const std::vector<double>& operand_values) {
    std::copy(operand_values.begin(), operand_values.end(), slots_.begin());
    try {
        return parser_->Eval();
    } catch (const mu::ParserError& e) {
        const int at = e.GetPos();
        throw FormulaError(clamped(at), fmt::format("{}", e.GetMsg()));
    }
}

Formula::Checked Formula::evaluate_checked(const std::vector<double>& operand_values) {
    Checked checked;
    checked.result = evaluate(operand_values);
    const std::optional<double> hidden = first_non_finite(operand_values, checked.result);
    if (!std::isfinite(checked.result))
        checked.non_finite = fmt::format("is {}", host::non_finite_name(checked.result));
    else if (hidden)
        checked.non_finite =
            fmt::format("computes {} on the way to its result {}", host::non_finite_name(*hidden), checked.result);
    return checked;
}

}  // namespace impact::scenario
