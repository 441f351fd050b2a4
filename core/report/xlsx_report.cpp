// The Excel rendering of a report view through libxlsxwriter: sheets, number formats by unit, native charts.
#include "report/xlsx_report.hpp"

#include "report/compare_view.hpp"

#include "text/money_format.hpp"
#include "text/quantity.hpp"
#include "text/user_error.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <vector>

namespace impact::report {

namespace {

// ---- Reading the view: every documented member must be there with its type --------------------

[[noreturn]] void view_error(const std::string& where, std::string_view what) {
    throw std::logic_error(fmt::format("report view: {}: {}", where, what));
}

std::string path_of(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
}

std::string item_of(const std::string& where, std::size_t index) { return fmt::format("{}[{}]", where, index); }

const View& member(const View& object, const std::string& where, const char* key) {
    if (!object.is_object()) view_error(where, "expected an object");
    const auto found = object.find(key);
    if (found == object.end()) view_error(where, fmt::format("no member \"{}\"", key));
    return *found;
}

const std::string& text_of(const View& object, const std::string& where, const char* key) {
    const View& value = member(object, where, key);
    if (!value.is_string()) view_error(path_of(where, key), fmt::format("expected a string, found {}", value.type_name()));
    return value.get_ref<const std::string&>();
}

bool flag_of(const View& object, const std::string& where, const char* key) {
    const View& value = member(object, where, key);
    if (!value.is_boolean()) view_error(path_of(where, key), fmt::format("expected true or false, found {}", value.type_name()));
    return value.get<bool>();
}

// A figure that may be null. JSON holds no NaN, and the view promises none; a non-finite double
// that got into the tree anyway is shown as an empty cell, as null is, never as a corrupt cell.
std::optional<double> figure_of(const View& object, const std::string& where, const char* key) {
    const View& value = member(object, where, key);
    if (value.is_null()) return std::nullopt;
    if (!value.is_number()) view_error(path_of(where, key), fmt::format("expected a number or null, found {}", value.type_name()));
    const double number = value.get<double>();
    if (!std::isfinite(number)) return std::nullopt;
    return number;
}

const View& list_of(const View& object, const std::string& where, const char* key) {
    const View& value = member(object, where, key);
    if (!value.is_array()) view_error(path_of(where, key), fmt::format("expected a list, found {}", value.type_name()));
    return value;
}

const View& object_of(const View& object, const std::string& where, const char* key) {
    const View& value = member(object, where, key);
    if (!value.is_object()) view_error(path_of(where, key), fmt::format("expected an object, found {}", value.type_name()));
    return value;
}

// ---- Names and formats ---------------------------------------------------------------------------

// Excel's column letters: 0 -> A, 25 -> Z, 26 -> AA.
std::string column_letters(lxw_col_t col) {
    std::string letters;
    for (unsigned n = static_cast<unsigned>(col) + 1; n > 0; n = (n - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
    return letters;
}

std::string cell_name(lxw_row_t row, lxw_col_t col) { return fmt::format("{}{}", column_letters(col), row + 1); }

// The first code points of `text` that fit in `max_units` UTF-16 units, never cutting one apart.
std::string utf8_prefix(std::string_view text, std::size_t max_units) {
    std::size_t units = 0, end = 0;
    while (end < text.size()) {
        const auto lead = static_cast<unsigned char>(text[end]);
        std::size_t length = 1;
        while (end + length < text.size() && (static_cast<unsigned char>(text[end + length]) & 0xC0) == 0x80) ++length;
        const std::size_t needed = lead >= 0xF0 ? 2 : 1;
        if (units + needed > max_units) break;
        units += needed;
        end += length;
    }
    return std::string(text.substr(0, end));
}

// The columns text takes in Excel's default font, roughly: two for Hangul and CJK, one otherwise.
double display_width(std::string_view text) {
    double width = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if ((byte & 0xC0) == 0x80) continue;
        // Three-byte sequences from E1 cover U+1000 and up (Hangul jamo, CJK, Hangul syllables).
        width += byte >= 0xE1 ? 2.0 : 1.0;
    }
    return width;
}

// The columns a number takes in `format_code` (one of format_code_for's, kCountFormat...): its
// grouped digits, its currency symbol and percent sign. General shows at most 11 characters.
double shown_width(double value, std::string_view format_code) {
    if (format_code == "General") return 11;
    const bool percent = !format_code.empty() && format_code.back() == '%';
    const std::size_t point = format_code.find('.');
    const std::size_t decimals =
        point == std::string_view::npos ? 0 : std::min(format_code.find_first_not_of('0', point + 1), format_code.size()) - (point + 1);
    double width = display_width(text::format_grouped(percent ? value * 100 : value, static_cast<int>(decimals)));
    if (percent) width += 1;
    if (format_code.substr(0, 2) == "[$") width += display_width(format_code.substr(2, format_code.find_first_of("-]") - 2));
    return width;
}

// Sheet names under Excel's rules: at most 31 characters, none of []:*?/\, no apostrophe at either
// end, unique ignoring case (ASCII case, as libxlsxwriter and Excel compare), and not "History"
// (reserved by English Excel). A clash gets "~2", "~3"... within the 31 characters.
class SheetNames {
public:
    SheetNames() { taken_.insert("history"); }

    std::string claim(std::string_view wanted) {
        std::string base;
        for (const char c : wanted) base += std::string_view("[]:*?/\\").find(c) == std::string_view::npos ? c : '_';
        while (!base.empty() && base.front() == '\'') base.erase(base.begin());
        while (!base.empty() && base.back() == '\'') base.pop_back();
        if (base.empty()) base = "Sheet";
        std::string name = utf8_prefix(base, kMaxUnits);
        for (int n = 2; !taken_.insert(folded(name)).second; ++n) {
            const std::string suffix = fmt::format("~{}", n);
            name = utf8_prefix(base, kMaxUnits - suffix.size());
            while (!name.empty() && name.back() == '\'') name.pop_back();
            name += suffix;
        }
        return name;
    }

private:
    static constexpr std::size_t kMaxUnits = 31;
    static std::string folded(std::string name) {
        for (char& c : name)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return name;
    }
    std::set<std::string> taken_;
};

// Excel's locale id for the currencies whose symbol is shared ($, ¥), so that Excel knows which
// one is meant; other symbols stand alone ("[$€]").
std::string_view excel_locale_id(std::string_view iso_code) {
    static constexpr std::pair<std::string_view, std::string_view> kIds[] = {
        {"USD", "409"}, {"KRW", "412"}, {"JPY", "411"}, {"GBP", "809"}, {"CNY", "804"}, {"TWD", "404"}};
    for (const auto& [code, id] : kIds)
        if (code == iso_code) return id;
    return {};
}

// "[$$-409]#,##0.00" for USD, "[$₩-412]#,##0" for KRW, "[$CHF] #,##0.00" for a code without a
// symbol: the currency's ISO 4217 minor unit gives the decimals.
std::string money_format_code(std::string_view iso_code) {
    const int decimals = text::currency_decimals(iso_code);
    const std::string digits = decimals > 0 ? "#,##0." + std::string(static_cast<std::size_t>(decimals), '0') : "#,##0";
    const std::string_view symbol = text::currency_symbol(iso_code);
    if (symbol.empty()) return fmt::format("[${}] {}", iso_code, digits);
    const std::string_view locale_id = excel_locale_id(iso_code);
    if (locale_id.empty()) return fmt::format("[${}]{}", symbol, digits);
    return fmt::format("[${}-{}]{}", symbol, locale_id, digits);
}

constexpr std::string_view kPercentFormat = "0.00%";
constexpr std::string_view kCountFormat = "#,##0";
constexpr std::string_view kShareFormat = "0.0%";
constexpr std::string_view kCoefficientFormat = "0.000";

// The number format of a figure in `unit`: money in its currency, "%" (a fraction) as a percentage,
// anything else grouped: whole numbers without decimals, others with two, and figures below one
// in General so that a rate such as 0.0006998 keeps its digits.
std::string format_code_for(const std::string& unit, double value) {
    if (text::is_currency_code(unit)) return money_format_code(unit);
    if (unit == "%") return std::string(kPercentFormat);
    if (std::abs(value) < 1e15 && value == std::trunc(value)) return std::string(kCountFormat);
    if (std::abs(value) >= 1) return "#,##0.00";
    return "General";
}

// ---- The workbook --------------------------------------------------------------------------------

// A folder of our own for libxlsxwriter's file and its temporary files, removed with them.
class PrivateFolder {
public:
    PrivateFolder() {
        std::error_code error;
        const std::filesystem::path base = std::filesystem::temp_directory_path(error);
        if (error)
            throw UserError(fmt::format("Excel report: no temporary folder: {}", error.message()));
        std::string pattern = (base / "impact-xlsx-XXXXXX").string();
        if (!mkdtemp(pattern.data())) {
            const int error_number = errno;
            throw UserError(fmt::format("{}: cannot make a temporary folder for the Excel report: {}", pattern,
                                        std::generic_category().message(error_number)));
        }
        path_ = pattern;
    }
    ~PrivateFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    PrivateFolder(const PrivateFolder&) = delete;
    PrivateFolder& operator=(const PrivateFolder&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

// Cell formats, made once per number format code (libxlsxwriter owns them with the workbook).
class Formats {
public:
    explicit Formats(lxw_workbook* workbook) : workbook_(workbook) {
        bold = workbook_add_format(workbook_);
        format_set_bold(bold);
        title = workbook_add_format(workbook_);
        format_set_bold(title);
        format_set_font_size(title, 14);
        warning = workbook_add_format(workbook_);
        format_set_bold(warning);
        format_set_font_color(warning, LXW_COLOR_RED);
    }

    // The number format `code`; in red and bold when `in_red` (a figure beyond a tolerance).
    lxw_format* number(std::string_view code, bool in_red = false) {
        auto& formats = in_red ? warning_by_code_ : by_code_;
        const auto found = formats.find(code);
        if (found != formats.end()) return found->second;
        lxw_format* format = workbook_add_format(workbook_);
        format_set_num_format(format, std::string(code).c_str());
        if (in_red) {
            format_set_bold(format);
            format_set_font_color(format, LXW_COLOR_RED);
        }
        formats.emplace(std::string(code), format);
        return format;
    }

    lxw_format* bold = nullptr;
    lxw_format* title = nullptr;
    lxw_format* warning = nullptr;

private:
    lxw_workbook* workbook_;
    std::map<std::string, lxw_format*, std::less<>> by_code_;
    std::map<std::string, lxw_format*, std::less<>> warning_by_code_;
};

// One worksheet: writes cells, turns libxlsxwriter errors into UserErrors naming the cell, and
// remembers the widest text per column for the widths set at the end.
class Sheet {
public:
    Sheet(lxw_workbook* workbook, const std::string& name, Formats& formats) : name_(name), formats_(formats) {
        sheet_ = workbook_add_worksheet(workbook, name.c_str());
        if (!sheet_) throw UserError(fmt::format("Excel report: cannot add the sheet '{}'", name));
    }

    const std::string& name() const noexcept { return name_; }
    lxw_worksheet* handle() const noexcept { return sheet_; }

    // A cell of a column: its width counts for the column's.
    void text(lxw_row_t row, lxw_col_t col, std::string_view value) { put(row, col, value, nullptr, true); }
    void bold(lxw_row_t row, lxw_col_t col, std::string_view value) { put(row, col, value, formats_.bold, true); }
    // Text that runs on over the empty cells to its right (titles, descriptions, messages, hashes):
    // it does not widen its column.
    void spill(lxw_row_t row, lxw_col_t col, std::string_view value) { put(row, col, value, nullptr, false); }
    void heading(lxw_row_t row, std::string_view value) { put(row, 0, value, formats_.bold, false); }
    void title(lxw_row_t row, std::string_view value) { put(row, 0, value, formats_.title, false); }
    void warning(lxw_row_t row, lxw_col_t col, std::string_view value) { put(row, col, value, formats_.warning, false); }

    void header(lxw_row_t row, const std::vector<std::string>& labels) {
        for (std::size_t i = 0; i < labels.size(); ++i) bold(row, static_cast<lxw_col_t>(i), labels[i]);
    }

    // A figure in `unit`'s number format (red when `in_red`); null stays an empty cell.
    void figure(lxw_row_t row, lxw_col_t col, std::optional<double> value, const std::string& unit, bool in_red = false) {
        if (value) number(row, col, *value, format_code_for(unit, *value), in_red);
    }

    void number(lxw_row_t row, lxw_col_t col, std::optional<double> value, std::string_view format_code, bool in_red = false) {
        if (!value) return;
        check(worksheet_write_number(sheet_, row, col, *value, formats_.number(format_code, in_red)), row, col);
        widen(col, shown_width(*value, format_code) + 2);
    }

    // Freezes the rows above `first_scrolling_row`; sets every column's width from its widest text.
    void finish(lxw_row_t first_scrolling_row) {
        if (first_scrolling_row > 0) worksheet_freeze_panes(sheet_, first_scrolling_row, 0);
        for (std::size_t col = 0; col < widths_.size(); ++col) {
            if (widths_[col] <= 0) continue;
            const auto c = static_cast<lxw_col_t>(col);
            check(worksheet_set_column(sheet_, c, c, std::clamp(widths_[col], 8.0, 60.0), nullptr), 0, c);
        }
    }

private:
    void put(lxw_row_t row, lxw_col_t col, std::string_view value, lxw_format* format, bool counts_for_width) {
        if (value.empty()) return;  // an empty text is an empty cell
        check(worksheet_write_string(sheet_, row, col, std::string(value).c_str(), format), row, col);
        if (counts_for_width) widen(col, display_width(value) + 1);
    }
    void check(lxw_error error, lxw_row_t row, lxw_col_t col) const {
        if (error != LXW_NO_ERROR)
            throw UserError(fmt::format("Excel report: sheet '{}' cell {}: {}", name_, cell_name(row, col), lxw_strerror(error)));
    }
    void widen(lxw_col_t col, double width) {
        if (col >= widths_.size()) widths_.resize(col + 1, 0);
        widths_[col] = std::max(widths_[col], width);
    }

    std::string name_;
    Formats& formats_;
    lxw_worksheet* sheet_ = nullptr;
    std::vector<double> widths_;
};

// The libxlsxwriter workbook, freed without being written when rendering stops on an error.
class Workbook {
public:
    Workbook(const std::filesystem::path& file, const std::filesystem::path& temporary_folder) : file_(file.string()) {
        folder_ = temporary_folder.string();
        lxw_workbook_options options{};
        options.tmpdir = folder_.data();
        workbook_ = workbook_new_opt(file_.c_str(), &options);
        if (!workbook_) throw UserError(fmt::format("{}: cannot start the Excel workbook", file_));
    }
    ~Workbook() {
        if (workbook_) lxw_workbook_free(workbook_);
    }
    Workbook(const Workbook&) = delete;
    Workbook& operator=(const Workbook&) = delete;

    lxw_workbook* handle() const noexcept { return workbook_; }

    // Writes the file; the workbook is gone afterwards, written or not.
    void close() {
        lxw_workbook* closing = workbook_;
        workbook_ = nullptr;
        const lxw_error error = workbook_close(closing);
        if (error != LXW_NO_ERROR) throw UserError(fmt::format("{}: cannot write the Excel workbook: {}", file_, lxw_strerror(error)));
    }

private:
    std::string file_;
    std::string folder_;
    lxw_workbook* workbook_ = nullptr;
};

// "2026-11-30T08:00:00Z" as seconds since 1970, or 0 (libxlsxwriter then takes the current time).
std::time_t unix_time_of(const std::string& iso_utc) {
    std::tm parts{};
    std::istringstream in(iso_utc);
    in >> std::get_time(&parts, "%Y-%m-%dT%H:%M:%S");
    if (in.fail()) return 0;
    return timegm(&parts);
}

// ---- Sections ------------------------------------------------------------------------------------

// The columns of a table of outputs (the headline, a step's outputs): the statistics columns only
// when some output has them.
struct OutputColumns {
    bool statistics = false;
    std::string best_header = "Best", worst_header = "Worst";
};

// "best / low" when some outputs are ranked by direction and others are neutral.
std::string joined_names(const std::vector<std::string>& names, std::string_view fallback) {
    if (names.empty()) return std::string(fallback);
    std::string joined;
    for (const std::string& name : names) joined += joined.empty() ? name : " / " + name;
    return joined;
}

OutputColumns output_columns(const View& outputs, const std::string& where) {
    OutputColumns columns;
    std::vector<std::string> best_names, worst_names;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const View& output = outputs[i];
        const std::string at = item_of(where, i);
        if (flag_of(output, at, "has_statistics")) columns.statistics = true;
        if (!flag_of(output, at, "has_range")) continue;
        const std::string& best = text_of(output, at, "best_name");
        const std::string& worst = text_of(output, at, "worst_name");
        if (std::find(best_names.begin(), best_names.end(), best) == best_names.end()) best_names.push_back(best);
        if (std::find(worst_names.begin(), worst_names.end(), worst) == worst_names.end()) worst_names.push_back(worst);
    }
    columns.best_header = joined_names(best_names, "Best");
    columns.worst_header = joined_names(worst_names, "Worst");
    return columns;
}

// Label | Value | Best | Worst | [P5 | P50 | P95 | Mean] | Unit | Output; returns the next free row.
lxw_row_t write_outputs(Sheet& sheet, lxw_row_t row, const View& outputs, const std::string& where) {
    const OutputColumns columns = output_columns(outputs, where);
    std::vector<std::string> headers = {"Label", "Value", columns.best_header, columns.worst_header};
    if (columns.statistics) headers.insert(headers.end(), {"P5", "P50", "P95", "Mean"});
    headers.insert(headers.end(), {"Unit", "Output"});
    sheet.header(row++, headers);
    for (std::size_t i = 0; i < outputs.size(); ++i, ++row) {
        const View& output = outputs[i];
        const std::string at = item_of(where, i);
        const std::string& unit = text_of(output, at, "unit");
        lxw_col_t col = 0;
        sheet.text(row, col++, text_of(output, at, "label"));
        sheet.figure(row, col++, figure_of(output, at, "value"), unit);
        sheet.figure(row, col++, figure_of(output, at, "best"), unit);
        sheet.figure(row, col++, figure_of(output, at, "worst"), unit);
        if (columns.statistics) {
            for (const char* key : {"p5", "p50", "p95", "mean"}) sheet.figure(row, col++, figure_of(output, at, key), unit);
        }
        sheet.text(row, col++, unit);
        sheet.text(row, col++, fmt::format("{}.{}", text_of(output, at, "step"), text_of(output, at, "output")));
    }
    return row;
}

// Label and value pairs in two columns, the label bold, the value running on to the right.
void write_pair(Sheet& sheet, lxw_row_t row, std::string_view label, std::string_view value) {
    sheet.bold(row, 0, label);
    sheet.spill(row, 1, value);
}

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53: every integer up to it is a double

// `object`'s "seed" (an integer or null). A seed names a random stream rather than measuring
// anything: beyond 2^53 a number cell would silently change it, so such a seed is written as its digits.
void write_seed(Sheet& sheet, lxw_row_t row, lxw_col_t col, const View& object, const std::string& where) {
    const View& seed = member(object, where, "seed");
    if (seed.is_number_integer() && std::abs(seed.get<double>()) <= kMaxExactInteger) sheet.number(row, col, seed.get<double>(), "0");
    else if (seed.is_number_integer()) sheet.spill(row, col, seed.dump());
    else if (!seed.is_null()) view_error(path_of(where, "seed"), fmt::format("expected an integer or null, found {}", seed.type_name()));
}

void write_summary(Sheet& sheet, const View& view) {
    lxw_row_t row = 0;
    sheet.title(row++, text_of(view, "", "title"));
    sheet.spill(row++, 0, text_of(view, "", "description"));
    write_pair(sheet, row++, "As of", text_of(view, "", "as_of"));
    const std::string& incomplete = text_of(view, "", "incomplete");
    if (flag_of(view, "", "is_incomplete") || !incomplete.empty()) sheet.warning(row, 0, incomplete.empty() ? "Incomplete" : incomplete);
    ++row;
    const lxw_row_t header_row = ++row;
    row = write_outputs(sheet, row, list_of(view, "", "headline"), "headline");

    ++row;
    const View& provenance = object_of(view, "", "provenance");
    sheet.heading(row++, "Provenance");
    write_pair(sheet, row++, "Tool", text_of(provenance, "provenance", "tool"));
    write_pair(sheet, row++, "ABI", text_of(provenance, "provenance", "abi"));
    write_pair(sheet, row++, "Generated at", text_of(provenance, "provenance", "generated_at"));
    write_pair(sheet, row++, "Scenario file", text_of(provenance, "provenance", "scenario_file"));
    write_pair(sheet, row++, "Scenario SHA-256", text_of(provenance, "provenance", "scenario_sha256"));
    sheet.bold(row, 0, "Seed");
    write_seed(sheet, row++, 1, provenance, "provenance");
    sheet.bold(row, 0, "Draws");
    sheet.number(row++, 1, figure_of(provenance, "provenance", "draws"), kCountFormat);
    ++row;
    sheet.header(row++, {"Plugin", "Version", "File", "SHA-256"});
    const View& plugins = list_of(provenance, "provenance", "plugins");
    for (std::size_t i = 0; i < plugins.size(); ++i, ++row) {
        const std::string at = item_of("provenance.plugins", i);
        sheet.text(row, 0, text_of(plugins[i], at, "id"));
        sheet.text(row, 1, text_of(plugins[i], at, "version"));
        sheet.text(row, 2, text_of(plugins[i], at, "file"));
        sheet.spill(row, 3, text_of(plugins[i], at, "sha256"));
    }
    sheet.finish(header_row + 1);
}

void write_assumptions(Sheet& sheet, const View& view) {
    sheet.header(0, {"Step", "Input", "Label", "Kind", "Value", "Unit", "Origin", "Override", "Distribution", "Note"});
    const View& assumptions = list_of(view, "", "assumptions");
    lxw_row_t row = 1;
    for (std::size_t i = 0; i < assumptions.size(); ++i, ++row) {
        const View& a = assumptions[i];
        const std::string at = item_of("assumptions", i);
        const std::string& unit = text_of(a, at, "unit");
        sheet.text(row, 0, text_of(a, at, "step"));
        sheet.text(row, 1, text_of(a, at, "input"));
        sheet.text(row, 2, text_of(a, at, "label"));
        sheet.text(row, 3, text_of(a, at, "kind"));
        // A number is a number cell; text, dates and series keep their text.
        if (const std::optional<double> value = figure_of(a, at, "value")) sheet.figure(row, 4, value, unit);
        else sheet.text(row, 4, text_of(a, at, "value_text"));
        sheet.text(row, 5, unit);
        sheet.text(row, 6, text_of(a, at, "origin_text"));
        if (flag_of(a, at, "is_override")) sheet.text(row, 7, text_of(a, at, "override_text"));
        if (flag_of(a, at, "is_drawn")) {
            sheet.text(row, 8, text_of(a, at, "distribution"));
            sheet.text(row, 9, text_of(a, at, "distribution_note"));
        }
    }
    sheet.finish(1);
}

// One output's percentiles, cases and thresholds, each under a bold heading; returns the next row.
lxw_row_t write_output_details(Sheet& sheet, lxw_row_t row, const View& output, const std::string& at) {
    const std::string& unit = text_of(output, at, "unit");
    const std::string& label = text_of(output, at, "label");
    const View& percentiles = list_of(output, at, "percentiles");
    if (!percentiles.empty()) {
        sheet.heading(row++, fmt::format("{}: percentiles", label));
        sheet.header(row++, {"Percentile", "Value", "CI low", "CI high"});
        for (std::size_t i = 0; i < percentiles.size(); ++i, ++row) {
            const std::string p = item_of(at + ".percentiles", i);
            sheet.text(row, 0, text_of(percentiles[i], p, "name"));
            sheet.figure(row, 1, figure_of(percentiles[i], p, "value"), unit);
            sheet.figure(row, 2, figure_of(percentiles[i], p, "ci_low"), unit);
            sheet.figure(row, 3, figure_of(percentiles[i], p, "ci_high"), unit);
        }
        ++row;
    }
    if (flag_of(output, at, "has_cases")) {
        const View& cases = list_of(output, at, "cases");
        sheet.heading(row++, fmt::format("{}: cases", label));
        sheet.header(row++, {"Case", "Value"});
        for (std::size_t i = 0; i < cases.size(); ++i, ++row) {
            const std::string c = item_of(at + ".cases", i);
            sheet.text(row, 0, text_of(cases[i], c, "name"));
            sheet.figure(row, 1, figure_of(cases[i], c, "value"), unit);
        }
        ++row;
    }
    if (flag_of(output, at, "has_thresholds")) {
        const View& thresholds = list_of(output, at, "thresholds");
        sheet.heading(row++, fmt::format("{}: thresholds", label));
        sheet.header(row++, {"Threshold", "Probability", "Draws"});
        for (std::size_t i = 0; i < thresholds.size(); ++i, ++row) {
            const std::string t = item_of(at + ".thresholds", i);
            sheet.text(row, 0, text_of(thresholds[i], t, "name"));
            sheet.number(row, 1, figure_of(thresholds[i], t, "probability"), kPercentFormat);
            sheet.number(row, 2, figure_of(thresholds[i], t, "draws"), kCountFormat);
        }
        ++row;
    }
    return row;
}

// A result table: its label, description, a header of column labels (with units) and its cells.
lxw_row_t write_result_table(Sheet& sheet, lxw_row_t row, const View& table, const std::string& at) {
    sheet.heading(row++, text_of(table, at, "label"));
    sheet.spill(row++, 0, text_of(table, at, "description"));
    const View& columns = list_of(table, at, "columns");
    std::vector<std::string> headers, units;
    std::vector<bool> is_text;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const std::string col_at = item_of(at + ".columns", c);
        const std::string& unit = text_of(columns[c], col_at, "unit");
        const bool text_column = flag_of(columns[c], col_at, "is_text");
        const std::string& label = text_of(columns[c], col_at, "label");
        // "%" columns show their percent sign in every cell.
        headers.push_back(unit.empty() || unit == "%" || text_column ? label : fmt::format("{} ({})", label, unit));
        units.push_back(unit);
        is_text.push_back(text_column);
    }
    sheet.header(row++, headers);
    const View& rows = list_of(table, at, "rows");
    for (std::size_t r = 0; r < rows.size(); ++r, ++row) {
        const std::string row_at = item_of(at + ".rows", r);
        const View& cells = list_of(rows[r], row_at, "cells");
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const std::string cell_at = item_of(row_at + ".cells", c);
            const auto col = static_cast<lxw_col_t>(c);
            if (flag_of(cells[c], cell_at, "is_text")) sheet.text(row, col, text_of(cells[c], cell_at, "text"));
            else sheet.figure(row, col, figure_of(cells[c], cell_at, "value"), c < units.size() ? units[c] : std::string());
        }
    }
    return row + 1;
}

void write_step(Sheet& sheet, const View& step, const std::string& at) {
    lxw_row_t row = 0;
    sheet.title(row++, fmt::format("Step {}", text_of(step, at, "id")));
    if (flag_of(step, at, "is_formula")) {
        write_pair(sheet, row++, "Formula", text_of(step, at, "expression"));
    } else {
        write_pair(sheet, row++, "Model", fmt::format("{} {}", text_of(step, at, "model"), text_of(step, at, "model_version")));
        write_pair(sheet, row++, "Plugin", text_of(step, at, "plugin"));
    }
    write_pair(sheet, row++, "Status", text_of(step, at, "status"));
    if (!flag_of(step, at, "is_ok")) sheet.warning(row++, 1, text_of(step, at, "message"));
    ++row;
    const lxw_row_t header_row = row;
    const View& outputs = list_of(step, at, "outputs");
    row = write_outputs(sheet, row, outputs, at + ".outputs") + 1;
    for (std::size_t i = 0; i < outputs.size(); ++i) row = write_output_details(sheet, row, outputs[i], item_of(at + ".outputs", i));
    if (flag_of(step, at, "has_notes")) {
        const View& notes = list_of(step, at, "notes");
        sheet.header(row++, {"Note", "Value"});
        for (std::size_t i = 0; i < notes.size(); ++i)
            write_pair(sheet, row++, text_of(notes[i], item_of(at + ".notes", i), "key"), text_of(notes[i], item_of(at + ".notes", i), "value"));
        ++row;
    }
    if (flag_of(step, at, "has_tables")) {
        const View& tables = list_of(step, at, "tables");
        for (std::size_t i = 0; i < tables.size(); ++i) row = write_result_table(sheet, row, tables[i], item_of(at + ".tables", i));
    }
    sheet.finish(header_row + 1);
}

// One row per actual; `unavailable` is the reason its estimate is missing ("" when it is not), and
// relative error and percentile are fractions. A compare view's actuals lead with their side.
void write_actuals(Sheet& sheet, const View& view, bool with_side) {
    std::vector<std::string> headers = {"Output", "Label", "Unit", "Estimate", "Actual", "Error", "Relative error", "Percentile",
                                        "Date", "Source", "Unavailable"};
    if (with_side) headers.insert(headers.begin(), "Side");
    sheet.header(0, headers);
    const View& actuals = list_of(view, "", "actuals");
    lxw_row_t row = 1;
    for (std::size_t i = 0; i < actuals.size(); ++i, ++row) {
        const View& a = actuals[i];
        const std::string at = item_of("actuals", i);
        const std::string& unit = text_of(a, at, "unit");
        lxw_col_t col = 0;
        if (with_side) sheet.text(row, col++, text_of(a, at, "side"));
        sheet.text(row, col++, text_of(a, at, "output"));
        sheet.text(row, col++, text_of(a, at, "label"));
        sheet.text(row, col++, unit);
        sheet.figure(row, col++, figure_of(a, at, "estimate"), unit);
        sheet.figure(row, col++, figure_of(a, at, "actual"), unit);
        sheet.figure(row, col++, figure_of(a, at, "error"), unit);
        sheet.number(row, col++, figure_of(a, at, "relative_error"), kPercentFormat);
        sheet.number(row, col++, figure_of(a, at, "percentile"), kPercentFormat);
        sheet.text(row, col++, text_of(a, at, "date"));
        sheet.text(row, col++, text_of(a, at, "source"));
        sheet.text(row, col++, text_of(a, at, "unavailable"));
    }
    sheet.finish(1);
}

// Every compare group as a block: its name, then one row per output with one column per step.
void write_compare(Sheet& sheet, const View& groups) {
    lxw_row_t row = 0;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const std::string at = item_of("compare_groups", g);
        sheet.heading(row++, fmt::format("Group {}", text_of(groups[g], at, "name")));
        const View& steps = list_of(groups[g], at, "steps");
        std::vector<std::string> headers = {"Output", "Label", "Unit"};
        std::vector<std::string> step_ids;
        for (std::size_t s = 0; s < steps.size(); ++s) step_ids.push_back(text_of(steps[s], item_of(at + ".steps", s), "id"));
        headers.insert(headers.end(), step_ids.begin(), step_ids.end());
        sheet.header(row++, headers);
        const View& outputs = list_of(groups[g], at, "outputs");
        for (std::size_t o = 0; o < outputs.size(); ++o, ++row) {
            const std::string out_at = item_of(at + ".outputs", o);
            const std::string& unit = text_of(outputs[o], out_at, "unit");
            sheet.text(row, 0, text_of(outputs[o], out_at, "key"));
            sheet.text(row, 1, text_of(outputs[o], out_at, "label"));
            sheet.text(row, 2, unit);
            const View& values = list_of(outputs[o], out_at, "values");
            for (std::size_t v = 0; v < values.size(); ++v) {
                const std::string value_at = item_of(out_at + ".values", v);
                const std::string& step = text_of(values[v], value_at, "step");
                const auto column = std::find(step_ids.begin(), step_ids.end(), step);
                if (column == step_ids.end()) view_error(value_at, fmt::format("step \"{}\" is not one of the group's steps", step));
                sheet.figure(row, static_cast<lxw_col_t>(3 + (column - step_ids.begin())), figure_of(values[v], value_at, "value"), unit);
            }
        }
        ++row;
    }
    sheet.finish(0);
}

void write_sensitivity(Sheet& sheet, const View& view) {
    const View& s = object_of(view, "", "sensitivity");
    const std::string at = "sensitivity";
    const std::string& unit = text_of(s, at, "unit");
    lxw_row_t row = 0;
    sheet.title(row++, fmt::format("Sensitivity of {}", text_of(s, at, "label")));
    write_pair(sheet, row++, "Output", text_of(s, at, "output"));
    sheet.bold(row, 0, "Point value");
    sheet.figure(row++, 1, figure_of(s, at, "point_value"), unit);
    write_pair(sheet, row++, "Unit", unit);
    sheet.bold(row, 0, "Draws");
    sheet.number(row++, 1, figure_of(s, at, "draws"), kCountFormat);
    sheet.bold(row, 0, "Seed");
    sheet.number(row++, 1, figure_of(s, at, "seed"), "0");
    ++row;
    const View& rank = list_of(s, at, "rank");
    sheet.header(row++, {"Input", "Label", "Spearman"});
    for (std::size_t i = 0; i < rank.size(); ++i, ++row) {
        const std::string r = item_of(at + ".rank", i);
        sheet.text(row, 0, text_of(rank[i], r, "input"));
        sheet.text(row, 1, text_of(rank[i], r, "label"));
        sheet.number(row, 2, figure_of(rank[i], r, "spearman"), kCoefficientFormat);
    }
    ++row;
    const View& sobol = list_of(s, at, "sobol");
    sheet.header(row++, {"Input", "Label", "First order", "Total"});
    for (std::size_t i = 0; i < sobol.size(); ++i, ++row) {
        const std::string r = item_of(at + ".sobol", i);
        sheet.text(row, 0, text_of(sobol[i], r, "input"));
        sheet.text(row, 1, text_of(sobol[i], r, "label"));
        sheet.number(row, 2, figure_of(sobol[i], r, "first_order"), kCoefficientFormat);
        sheet.number(row, 3, figure_of(sobol[i], r, "total"), kCoefficientFormat);
    }
    sheet.finish(0);
}

// ---- Compare workbook (a compare view) ----------------------------------------------------------

constexpr std::string_view kRatioFormat = "0.0000";
constexpr std::string_view kPointsFormat = "0.0000\" pp\"";

// A difference of two figures in `unit`. Of two percentages (fractions, unit "%") it is written in
// percentage points, the cell holding the points (0.5 for 0.5 pp): a "%" format would read as a
// relative change.
void write_difference(Sheet& sheet, lxw_row_t row, lxw_col_t col, std::optional<double> difference, const std::string& unit,
                      bool in_red) {
    if (unit == "%") sheet.number(row, col, difference ? std::optional(*difference * 100) : std::nullopt, kPointsFormat, in_red);
    else sheet.figure(row, col, difference, unit, in_red);
}

// Title, outcome, the sides, then one row per output and figure: Output | Label | Unit | Figure |
// one column per side | per other side, difference and ratio | Status.
void write_compare_table(Sheet& sheet, const View& view) {
    lxw_row_t row = 0;
    sheet.title(row++, text_of(view, "", "title"));
    // Red only for a check beyond its tolerance: a plain comparison judges nothing.
    if (flag_of(view, "", "has_tolerance") && !flag_of(view, "", "is_within")) sheet.warning(row++, 0, text_of(view, "", "outcome_text"));
    else sheet.spill(row++, 0, text_of(view, "", "outcome_text"));
    write_pair(sheet, row++, "Baseline", fmt::format("{} ({})", text_of(view, "", "baseline"), text_of(view, "", "baseline_file")));
    write_pair(sheet, row++, "Tolerance", text_of(view, "", "tolerance_text"));
    ++row;
    sheet.header(row++, {"Side", "File", "Scenario", "Draws", "Seed", "Scenario SHA-256"});
    const View& sides = list_of(view, "", "sides");
    for (std::size_t i = 0; i < sides.size(); ++i, ++row) {
        const std::string at = item_of("sides", i);
        sheet.text(row, 0, text_of(sides[i], at, "label") + (flag_of(sides[i], at, "is_baseline") ? " (baseline)" : ""));
        sheet.text(row, 1, text_of(sides[i], at, "as_given"));
        sheet.text(row, 2, text_of(sides[i], at, "scenario_name"));
        sheet.number(row, 3, figure_of(sides[i], at, "draws"), kCountFormat);
        write_seed(sheet, row, 4, sides[i], at);
        sheet.spill(row, 5, text_of(sides[i], at, "scenario_sha256"));
    }
    ++row;
    std::vector<std::string> headers = {"Output", "Label", "Unit", "Figure"};
    const View& columns = list_of(view, "", "columns");
    for (std::size_t i = 0; i < columns.size(); ++i) headers.push_back(text_of(columns[i], item_of("columns", i), "heading"));
    headers.push_back("Status");
    const lxw_row_t header_row = row;
    sheet.header(row++, headers);
    const View& outputs = list_of(view, "", "outputs");
    std::vector<std::string> notes;
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const std::string at = item_of("outputs", i);
        const View& o = outputs[i];
        const std::string& unit = text_of(o, at, "unit");
        const View& rows = list_of(o, at, "rows");
        for (std::size_t r = 0; r < rows.size(); ++r, ++row) {
            const std::string row_at = item_of(at + ".rows", r);
            sheet.text(row, 0, text_of(o, at, "name"));
            sheet.text(row, 1, text_of(o, at, "label"));
            sheet.text(row, 2, unit);
            sheet.text(row, 3, text_of(rows[r], row_at, "statistic"));
            lxw_col_t col = 4;
            const View& values = list_of(rows[r], row_at, "values");
            const View& changes = list_of(rows[r], row_at, "changes");
            if (columns.size() != values.size() + 2 * changes.size())
                view_error(row_at, fmt::format("expected {} figures for the table's columns, found {}", columns.size(),
                                               values.size() + 2 * changes.size()));
            for (std::size_t v = 0; v < values.size(); ++v, ++col) {
                const std::string value_at = item_of(row_at + ".values", v);
                const std::optional<double> value = figure_of(values[v], value_at, "value");
                // An empty cell is a side without the output; a model's undefined figure says so.
                if (value) sheet.figure(row, col, value, unit);
                else if (text_of(values[v], value_at, "value_text") == "undefined") sheet.text(row, col, "undefined");
            }
            for (std::size_t c = 0; c < changes.size(); ++c) {
                const std::string change_at = item_of(row_at + ".changes", c);
                const bool beyond = flag_of(changes[c], change_at, "is_beyond");
                write_difference(sheet, row, col++, figure_of(changes[c], change_at, "difference"), unit, beyond);
                sheet.number(row, col++, figure_of(changes[c], change_at, "ratio"), kRatioFormat, beyond);
            }
            // Per figure: within or which sides are beyond; the output's missing sides on its first row.
            std::string status = text_of(rows[r], row_at, "status_text");
            if (r == 0 && flag_of(o, at, "has_missing"))
                status += (status.empty() ? "" : "; ") + text_of(o, at, "missing_text");
            if (r == 0 && status.empty()) status = text_of(o, at, "status_text");
            // Red only in a check, beyond it; a plain comparison's notes are plain text.
            if (flag_of(view, "", "has_tolerance") && !status.empty() && status.rfind("within", 0) != 0) sheet.warning(row, col, status);
            else sheet.text(row, col, status);
        }
        const std::string& note = text_of(o, at, "per_draw_note");
        if (!note.empty()) notes.push_back(fmt::format("{}: {}", text_of(o, at, "name"), note));
    }
    const std::string& charts_note = text_of(view, "", "charts_note");
    if (!charts_note.empty()) notes.push_back(charts_note);
    if (!notes.empty()) {
        ++row;
        sheet.heading(row++, "Notes");
        for (const std::string& note : notes) sheet.spill(row++, 0, note);
    }
    ++row;
    sheet.heading(row++, "Provenance");
    const View& provenance = object_of(view, "", "provenance");
    write_pair(sheet, row++, "Tool", text_of(provenance, "provenance", "tool"));
    write_pair(sheet, row++, "ABI", text_of(provenance, "provenance", "abi"));
    write_pair(sheet, row++, "Generated at", text_of(provenance, "provenance", "generated_at"));
    sheet.header(row++, {"Side", "Plugin", "Version", "SHA-256"});
    for (std::size_t i = 0; i < sides.size(); ++i) {
        const std::string at = item_of("sides", i);
        const View& plugins = list_of(sides[i], at, "plugins");
        for (std::size_t p = 0; p < plugins.size(); ++p, ++row) {
            const std::string plugin_at = item_of(at + ".plugins", p);
            sheet.text(row, 0, text_of(sides[i], at, "label"));
            sheet.text(row, 1, text_of(plugins[p], plugin_at, "id"));
            sheet.text(row, 2, text_of(plugins[p], plugin_at, "version"));
            sheet.spill(row, 3, text_of(plugins[p], plugin_at, "sha256"));
        }
    }
    sheet.finish(header_row + 1);
}

// Output | Label | Unit | Difference | Draws | Mean | SD | P5 | P50 | P95 | P(side > baseline).
void write_per_draw(Sheet& sheet, const View& view) {
    sheet.header(0, {"Output", "Label", "Unit", "Difference", "Draws", "Mean", "SD", "P5", "P50", "P95", "P(side > baseline)"});
    lxw_row_t row = 1;
    const View& outputs = list_of(view, "", "outputs");
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const std::string at = item_of("outputs", i);
        const std::string& unit = text_of(outputs[i], at, "unit");
        const View& per_draw = list_of(outputs[i], at, "per_draw");
        for (std::size_t d = 0; d < per_draw.size(); ++d, ++row) {
            const std::string draw_at = item_of(at + ".per_draw", d);
            sheet.text(row, 0, text_of(outputs[i], at, "name"));
            sheet.text(row, 1, text_of(outputs[i], at, "label"));
            sheet.text(row, 2, unit);
            sheet.text(row, 3, fmt::format("{} − {}", text_of(per_draw[d], draw_at, "side"), text_of(per_draw[d], draw_at, "versus")));
            sheet.number(row, 4, figure_of(per_draw[d], draw_at, "draws"), kCountFormat);
            lxw_col_t col = 5;
            for (const char* key : {"mean", "sd", "p5", "p50", "p95"})
                write_difference(sheet, row, col++, figure_of(per_draw[d], draw_at, key), unit, false);
            sheet.number(row, col, figure_of(per_draw[d], draw_at, "probability_greater"), kPercentFormat);
        }
    }
    sheet.finish(1);
}

// ---- Charts --------------------------------------------------------------------------------------

// Where a chart's data sits on the data sheet: its rows (first_row, last_row) and columns.
struct DataBlock {
    lxw_row_t first_row = 0, last_row = 0;  // the data rows, below the block's header
    bool empty() const noexcept { return last_row < first_row; }
};

void add_series(lxw_chart* chart, const Sheet& data, const DataBlock& block, lxw_col_t category_col, lxw_col_t value_col,
                lxw_row_t header_row, lxw_chart_series** out = nullptr) {
    lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
    chart_series_set_categories(series, data.name().c_str(), block.first_row, category_col, block.last_row, category_col);
    chart_series_set_values(series, data.name().c_str(), block.first_row, value_col, block.last_row, value_col);
    chart_series_set_name_range(series, data.name().c_str(), header_row, value_col);
    if (out) *out = series;
}

// The value axis in the unit's format: money in its currency, fractions as whole percentages.
void set_value_axis_format(lxw_chart_axis* axis, const std::string& unit) {
    if (text::is_currency_code(unit)) chart_axis_set_num_format(axis, money_format_code(unit).c_str());
    else if (unit == "%") chart_axis_set_num_format(axis, "0%");
}

// "bars": Label | Value | P5 | P95.
lxw_chart* bars_chart(lxw_workbook* workbook, Sheet& data, lxw_row_t& row, const View& chart, const std::string& at) {
    const std::string& unit = text_of(chart, at, "unit");
    const View& bars = list_of(chart, at, "bars");
    const lxw_row_t header_row = row;
    data.header(row++, {"Label", "Value", "P5", "P95"});
    DataBlock block{row, row + static_cast<lxw_row_t>(bars.size()) - 1};
    bool any_whisker = false;
    for (std::size_t i = 0; i < bars.size(); ++i, ++row) {
        const std::string b = item_of(at + ".bars", i);
        data.text(row, 0, text_of(bars[i], b, "label"));
        data.figure(row, 1, figure_of(bars[i], b, "value"), unit);
        if (flag_of(bars[i], b, "has_whisker")) {
            any_whisker = true;
            data.figure(row, 2, figure_of(bars[i], b, "low"), unit);
            data.figure(row, 3, figure_of(bars[i], b, "high"), unit);
        }
    }
    ++row;
    if (bars.empty()) return nullptr;
    if (!any_whisker) {
        lxw_chart* column = workbook_add_chart(workbook, LXW_CHART_COLUMN);
        add_series(column, data, block, 0, 1, header_row);
        chart_legend_set_position(column, LXW_CHART_LEGEND_NONE);
        set_value_axis_format(column->y_axis, unit);
        return column;
    }
    // P5 first and P95 last: Excel draws an up-down bar from the first series to the last.
    lxw_chart* line = workbook_add_chart(workbook, LXW_CHART_LINE);
    lxw_chart_line no_line{};
    no_line.none = LXW_TRUE;
    lxw_chart_series* low = nullptr;
    lxw_chart_series* value = nullptr;
    lxw_chart_series* high = nullptr;
    add_series(line, data, block, 0, 2, header_row, &low);
    add_series(line, data, block, 0, 1, header_row, &value);
    add_series(line, data, block, 0, 3, header_row, &high);
    for (lxw_chart_series* series : {low, value, high}) chart_series_set_line(series, &no_line);
    chart_series_set_marker_type(low, LXW_CHART_MARKER_NONE);
    chart_series_set_marker_type(high, LXW_CHART_MARKER_NONE);
    chart_series_set_marker_type(value, LXW_CHART_MARKER_DIAMOND);
    chart_series_set_marker_size(value, 9);
    chart_set_up_down_bars(line);
    set_value_axis_format(line->y_axis, unit);
    chart_legend_set_position(line, LXW_CHART_LEGEND_BOTTOM);
    return line;
}

// "histogram": Bin | From | To | Share | Density; a column chart of the density without gaps. Every
// bin holds a fixed share of the draws (the exact percentiles are its edges), so the shape is in the
// density (share per unit of the output), not in the share.
lxw_chart* histogram_chart(lxw_workbook* workbook, Sheet& data, lxw_row_t& row, const View& chart, const std::string& at) {
    const std::string& unit = text_of(chart, at, "unit");
    const View& bins = list_of(chart, at, "bins");
    const lxw_row_t header_row = row;
    data.header(row++, {"Bin", "From", "To", "Share", "Density"});
    DataBlock block{row, row + static_cast<lxw_row_t>(bins.size()) - 1};
    for (std::size_t i = 0; i < bins.size(); ++i, ++row) {
        const std::string b = item_of(at + ".bins", i);
        data.text(row, 0, text_of(bins[i], b, "label"));
        data.figure(row, 1, figure_of(bins[i], b, "from"), unit);
        data.figure(row, 2, figure_of(bins[i], b, "to"), unit);
        data.number(row, 3, figure_of(bins[i], b, "share"), kShareFormat);
        data.number(row, 4, figure_of(bins[i], b, "density"), "0.00E+00");
    }
    ++row;
    if (bins.empty()) return nullptr;
    lxw_chart* column = workbook_add_chart(workbook, LXW_CHART_COLUMN);
    add_series(column, data, block, 0, 4, header_row);
    chart_set_series_gap(column, 0);
    chart_legend_set_position(column, LXW_CHART_LEGEND_NONE);
    chart_axis_set_num_format(column->y_axis, "0.0E+00");
    return column;
}

// "tornado": Input | Low | High | Output at low − base | Output at high − base; a bar chart of
// the two differences overlapped, the widest swing on top.
lxw_chart* tornado_chart(lxw_workbook* workbook, Sheet& data, lxw_row_t& row, const View& chart, const std::string& at) {
    const std::string& unit = text_of(chart, at, "unit");
    const std::optional<double> base = figure_of(chart, at, "base");
    const View& rows = list_of(chart, at, "rows");
    const lxw_row_t header_row = row;
    data.header(row++, {"Input", "Low", "High", "Output at low − base", "Output at high − base"});
    DataBlock block{row, row + static_cast<lxw_row_t>(rows.size()) - 1};
    for (std::size_t i = 0; i < rows.size(); ++i, ++row) {
        const std::string r = item_of(at + ".rows", i);
        data.text(row, 0, text_of(rows[i], r, "label"));
        data.text(row, 1, text_of(rows[i], r, "low_name"));
        data.text(row, 2, text_of(rows[i], r, "high_name"));
        // Without a base (an undefined point value) there is no difference to draw: empty cells.
        const std::optional<double> at_low = figure_of(rows[i], r, "output_at_low");
        const std::optional<double> at_high = figure_of(rows[i], r, "output_at_high");
        if (base && at_low) data.figure(row, 3, *at_low - *base, unit);
        if (base && at_high) data.figure(row, 4, *at_high - *base, unit);
    }
    ++row;
    if (rows.empty()) return nullptr;
    lxw_chart* bar = workbook_add_chart(workbook, LXW_CHART_BAR);
    add_series(bar, data, block, 0, 3, header_row);
    add_series(bar, data, block, 0, 4, header_row);
    chart_set_series_overlap(bar, 100);
    // In a bar chart the category axis is the vertical one (y): the first row on top.
    chart_axis_set_reverse(bar->y_axis);
    chart_axis_set_label_position(bar->y_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    set_value_axis_format(bar->x_axis, unit);
    chart_legend_set_position(bar, LXW_CHART_LEGEND_BOTTOM);
    return bar;
}

void write_charts(lxw_workbook* workbook, Sheet& charts_sheet, Sheet& data, const View& charts) {
    lxw_row_t data_row = 0;
    lxw_row_t chart_row = 0;
    constexpr lxw_row_t kRowsPerChart = 20;  // a 480 x 288 pixel chart is about 15 rows high
    for (std::size_t i = 0; i < charts.size(); ++i) {
        const std::string at = item_of("charts", i);
        const View& chart = charts[i];
        const std::string& kind = text_of(chart, at, "kind");
        const std::string& title = text_of(chart, at, "title");
        data.heading(data_row++, title);
        lxw_chart* made = nullptr;
        if (kind == "bars") made = bars_chart(workbook, data, data_row, chart, at);
        else if (kind == "histogram") made = histogram_chart(workbook, data, data_row, chart, at);
        else if (kind == "tornado") made = tornado_chart(workbook, data, data_row, chart, at);
        else view_error(path_of(at, "kind"), fmt::format("expected bars, histogram or tornado, found \"{}\"", kind));
        if (!made) continue;  // no data, no chart
        chart_title_set_name(made, title.c_str());
        const lxw_error error = worksheet_insert_chart(charts_sheet.handle(), chart_row, 0, made);
        if (error != LXW_NO_ERROR)
            throw UserError(fmt::format("Excel report: sheet '{}' cell {}: {}", charts_sheet.name(), cell_name(chart_row, 0),
                                        lxw_strerror(error)));
        chart_row += kRowsPerChart;
    }
    data.finish(0);
    charts_sheet.finish(0);
}

std::string read_whole_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw UserError(fmt::format("{}: cannot read the Excel workbook back", file.string()));
    return bytes;
}

}  // namespace

std::string render_xlsx(const View& view) {
    const bool compare = is_compare_view(view);
    const PrivateFolder folder;
    const std::filesystem::path file = folder.path() / "report.xlsx";
    {
        Workbook workbook(file, folder.path());
        lxw_workbook* wb = workbook.handle();
        Formats formats(wb);

        const std::string& title = text_of(view, "", "title");
        const View& provenance = object_of(view, "", "provenance");
        lxw_doc_properties properties{};
        properties.title = const_cast<char*>(title.c_str());
        properties.created = unix_time_of(text_of(provenance, "provenance", "generated_at"));
        workbook_set_properties(wb, &properties);

        if (compare) {
            Sheet table(wb, "Compare", formats);
            write_compare_table(table, view);
            if (flag_of(view, "", "has_per_draw")) {
                Sheet per_draw(wb, "Per-draw differences", formats);
                write_per_draw(per_draw, view);
            }
            if (flag_of(view, "", "has_actuals")) {
                Sheet actuals(wb, "Actuals", formats);
                write_actuals(actuals, view, true);
            }
        } else {
            // Fixed names are claimed first, whether used or not, so that a step's sheet name never
            // depends on which other sections a run has.
            SheetNames names;
            for (const char* fixed : {"Summary", "Assumptions", "Actuals", "Compare", "Sensitivity", "Charts", "Charts data"})
                names.claim(fixed);
            Sheet summary(wb, "Summary", formats);
            write_summary(summary, view);
            Sheet assumptions(wb, "Assumptions", formats);
            write_assumptions(assumptions, view);

            const View& steps = list_of(view, "", "steps");
            for (std::size_t i = 0; i < steps.size(); ++i) {
                const std::string at = item_of("steps", i);
                Sheet sheet(wb, names.claim(text_of(steps[i], at, "id")), formats);
                write_step(sheet, steps[i], at);
            }
            if (flag_of(view, "", "has_actuals")) {
                Sheet actuals(wb, "Actuals", formats);
                write_actuals(actuals, view, false);
            }
            const View& groups = list_of(view, "", "compare_groups");
            if (!groups.empty()) {
                Sheet compare_sheet(wb, "Compare", formats);
                write_compare(compare_sheet, groups);
            }
            if (flag_of(view, "", "has_sensitivity")) {
                Sheet sensitivity(wb, "Sensitivity", formats);
                write_sensitivity(sensitivity, view);
            }
        }
        const View& charts = list_of(view, "", "charts");
        if (!charts.empty()) {
            Sheet charts_sheet(wb, "Charts", formats);
            Sheet data(wb, "Charts data", formats);
            write_charts(wb, charts_sheet, data, charts);
        }
        workbook.close();
    }
    return read_whole_file(file);
}

}  // namespace impact::report
