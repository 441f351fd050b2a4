// Formula steps' arithmetic: an expression compiled by muParser, and the units it carries.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace impact::scenario {

// A unit as a product of symbols with integer powers: "USD" is USD^1, "KRW/USD" is KRW^1 USD^-1,
// "shares" is shares^1; "" and "%" are dimensionless (a percentage is held as a fraction).
class Dimension {
public:
    Dimension() = default;
    // Reads a unit as models and literals write it: "", "%", "SYMBOL" or "A/B" (one '/'
    // at most; anything else is one opaque symbol, compared as written).
    static Dimension of_unit(std::string_view unit);
    // Reads a unit a formula step states: "", "%", or what str() writes: symbols of letters,
    // digits and '_' joined by '*', each with an optional ^N, optionally "/" and more of the
    // same ("USD", "KRW/USD", "USD^2", "KRW*USD", "1/days"). Nullopt for anything else, and for
    // a unit not written the way str() writes it (" USD ", "USD/USD", "USD*KRW"), so that the
    // unit a report shows is the one the check found.
    static std::optional<Dimension> of_stated_unit(std::string_view unit);

    bool dimensionless() const noexcept { return powers_.empty(); }
    Dimension times(const Dimension& other) const;
    Dimension over(const Dimension& other) const;
    Dimension to_power(int exponent) const;
    bool operator==(const Dimension& other) const noexcept { return powers_ == other.powers_; }
    // "USD", "KRW/USD", "USD^2", "" when dimensionless.
    std::string str() const;
    // "USD" or "a number without a unit", for messages.
    std::string described() const;

private:
    std::map<std::string, int, std::less<>> powers_;  // symbol -> non-zero power
};

// A problem in an expression, at a character offset of it (0-based), for the caller to turn
// into file:line:column.
class FormulaError : public std::runtime_error {
public:
    FormulaError(std::size_t offset, const std::string& message) : std::runtime_error(message), offset_(offset) {}
    std::size_t offset() const noexcept { return offset_; }

private:
    std::size_t offset_;
};

// An expression over named operands ("h20.total_impact", "share"), compiled once and evaluated
// per row. The grammar is muParser's: + - * / ^, unary minus, parentheses, comparisons,
// && ||, `cond ? a : b`, and the functions min(...), max(...), abs, sqrt, exp, ln. Numbers are
// written plainly (1.5, 2e9); assignment and comma lists are refused.
class Formula {
public:
    // Throws FormulaError for a syntax error or a refused construct.
    explicit Formula(std::string expression);
    ~Formula();
    Formula(Formula&&) noexcept;
    Formula& operator=(Formula&&) noexcept;

    const std::string& expression() const noexcept { return expression_; }
    // The operands it names, sorted, each once.
    const std::vector<std::string>& operands() const noexcept { return operands_; }
    // Where an operand is first written in the expression (0-based), for messages.
    std::size_t offset_of(std::string_view operand) const noexcept;

    // The unit of the result given each operand's (in the order of operands()). Throws
    // FormulaError at the offending operand when units do not combine: a sum, difference,
    // comparison, min/max or branch of different units; a power, exp, ln or sqrt of a
    // quantity with a unit. The constant 0 combines with any unit (max(x, 0) floors x).
    Dimension result_dimension(const std::vector<Dimension>& operand_dimensions) const;

    // Evaluates at these operand values (in the order of operands()) with muParser. May return
    // NaN or an infinity (0/0, 1/0); the caller decides what that means.
    double evaluate(const std::vector<double>& operand_values);

    // Whether every value the evaluation computes on its way is finite, not only the result:
    // max(ln(x), 0), 1 / (1 + 1 / 0) and ln(x) > 0 ? a : b hide a NaN or an infinity that the
    // result no longer shows. Replays muParser's bytecode on these values (branches of ?: as
    // taken) and returns the first non-finite intermediate value, if any. `evaluated` is what
    // evaluate() gave for the same values: throws FormulaError if the replay's result differs
    // from it (which would be a bug).
    std::optional<double> first_non_finite(const std::vector<double>& operand_values, double evaluated) const;

    // evaluate() and first_non_finite() together: the result, and, when it or a value on the
    // way is not finite, what to say ("is nan", "computes +inf on the way to its result 0").
    // A NaN or infinity that the result no longer shows (max(ln(x), 0)) is the same failure:
    // the figure would not be what the inputs say. Throws FormulaError like evaluate().
    struct Checked {
        double result = 0;
        std::optional<std::string> non_finite;
    };
    Checked evaluate_checked(const std::vector<double>& operand_values);

private:
    struct Parser;
    std::size_t clamped(int position) const noexcept;
    std::string expression_;
    std::vector<std::string> operands_;
    std::vector<double> slots_;  // the variables muParser reads, one per operand; never resized
    std::unique_ptr<Parser> parser_;
};

}  // namespace impact::scenario
