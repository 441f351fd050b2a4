// Fuzz target: formula step expressions (muParser) and the unit walk over their bytecode:
// impact::scenario::Formula. Expected refusal: impact::scenario::FormulaError. Properties: a
// refusal points inside the expression, and a compiled expression's units and value can always
// be asked for (any units, any values) without a crash or another exception, and the replay that
// checks intermediate values gives muParser's result.
#include "fuzz_support.hpp"

#include "scenario/formula.hpp"

#include <array>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks the operands' units and values; the rest is the expression.
    const uint8_t choice = data[0];
    const std::string expression(impact::fuzz::as_text(data + 1, size - 1));
    using impact::scenario::Dimension;
    using impact::scenario::FormulaError;
    try {
        impact::scenario::Formula formula(expression);
        const std::array<Dimension, 5> units{Dimension::of_unit(""), Dimension::of_unit("USD"), Dimension::of_unit("KRW"),
                                             Dimension::of_unit("KRW/USD"), Dimension::of_unit("%")};
        const std::array<double, 5> values{0.0, 1.5, -2.0, 1e9, 0.25};
        std::vector<Dimension> dimensions;
        std::vector<double> operand_values;
        for (std::size_t i = 0; i < formula.operands().size(); ++i) {
            if (formula.operands()[i].empty()) impact::fuzz::finding("operand names are not empty", expression);
            dimensions.push_back(units[(choice + i) % units.size()]);
            operand_values.push_back(values[(choice / 5 + i) % values.size()]);
        }
        try {
            (void)formula.result_dimension(dimensions);
        } catch (const FormulaError& e) {
            if (e.offset() > expression.size()) impact::fuzz::finding("a unit error points inside the expression", expression);
        }
        const double value = formula.evaluate(operand_values);
        // The replay that checks intermediate values runs, as in a formula step, on what the unit
        // check accepts (with no units, only its structure counts: no assignment), and must then
        // agree with muParser.
        bool accepted = true;
        try {
            (void)formula.result_dimension(std::vector<Dimension>(formula.operands().size()));
        } catch (const FormulaError&) {
            accepted = false;
        }
        if (accepted) {
            try {
                (void)formula.first_non_finite(operand_values, value);
            } catch (const FormulaError& e) {
                impact::fuzz::finding("the bytecode replay agrees with muParser", std::string(e.what()) + ": " + expression);
            }
        }
    } catch (const FormulaError& e) {
        if (e.offset() > expression.size() && e.offset() != std::string::npos)
            impact::fuzz::finding("a syntax error points inside the expression", expression);
    }
    return 0;
}
