// Parses stock.event_panel's text inputs (events, shares_outstanding, switches) with messages that point at the token.
#include "event_panel_text.hpp"

#include <impact/sdk/date.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace impact::stock {
namespace {

constexpr std::string_view whitespace = " \t\r";

std::vector<std::string_view> tokens(std::string_view line, std::string_view separators) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (true) {
        at = line.find_first_not_of(separators, at);
        if (at == std::string_view::npos) break;
        const std::size_t end = line.find_first_of(separators, at);
        out.push_back(line.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
        if (end == std::string_view::npos) break;
        at = end;
    }
    return out;
}

// Strict YYYY-MM-DD of a real calendar day.
std::optional<int32_t> iso_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    int year = 0;
    unsigned month = 0, day = 0;
    const auto digits = [&](std::size_t from, std::size_t count, auto& out) {
        const char* first = text.data() + from;
        const auto [end, error] = std::from_chars(first, first + count, out);
        return error == std::errc() && end == first + count;
    };
    if (!digits(0, 4, year) || !digits(5, 2, month) || !digits(8, 2, day)) return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    const sdk::Date date = sdk::Date::from_ymd(year, month, day);
    if (date.iso() != text) return std::nullopt;  // 2025-02-30 would roll over
    return date.days_since_epoch;
}

bool is_event_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (const char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
    return true;
}

std::string quoted(std::string_view text) { return "'" + std::string(text.substr(0, 80)) + "'"; }

}  // namespace

std::vector<PanelEvent> parse_panel_events(std::string_view text) {
    std::vector<PanelEvent> events;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find_first_of("\n;", start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() + 1 : end + 1;
        ++line_number;
        if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        const std::vector<std::string_view> words = tokens(line, whitespace);
        if (words.empty()) continue;
        const std::string where = "events entry " + std::to_string(line_number);
        const auto fail = [&](const std::string& message) { throw sdk::InputError("events", where + ": " + message); };
        if (!is_event_name(words[0]))
            fail("expected an event name of lower-case letters, digits, '_' or '-' first, found " + quoted(words[0]));
        if (words.size() < 2) fail("expected NAME DAY0 [FIRM ...], found only the name " + quoted(words[0]));
        const auto day0 = iso_date(words[1]);
        if (!day0) fail("expected day 0 as a date YYYY-MM-DD after " + quoted(words[0]) + ", found " + quoted(words[1]));
        PanelEvent event;
        event.name = std::string(words[0]);
        event.event_date_days = *day0;
        for (std::size_t i = 2; i < words.size(); ++i) {
            const std::string_view word = words[i];
            PanelEventFirm firm;
            const std::size_t at = word.find('@');
            firm.firm = std::string(word.substr(0, at));
            if (firm.firm.empty()) fail("expected a firm before '@', found " + quoted(word));
            if (at != std::string_view::npos) {
                const auto own_day0 = iso_date(word.substr(at + 1));
                if (!own_day0)
                    fail("expected FIRM@YYYY-MM-DD, found " + quoted(word));
                firm.event_date_days = *own_day0;
            }
            event.firms.push_back(std::move(firm));
        }
        events.push_back(std::move(event));
    }
    if (events.empty())
        throw sdk::InputError("events", "expected at least one event written as NAME DAY0 [FIRM ...], found none");
    return events;
}

std::vector<std::pair<std::string, double>> parse_shares_outstanding(std::string_view text) {
    std::vector<std::pair<std::string, double>> out;
    for (const std::string_view word : tokens(text, " \t\r\n,;")) {
        const auto fail = [&](const std::string& message) {
            throw sdk::InputError("shares_outstanding", "shares_outstanding " + quoted(word) + ": " + message);
        };
        const std::size_t equals = word.find('=');
        if (equals == std::string_view::npos || equals == 0 || equals + 1 == word.size())
            fail("expected FIRM=COUNT such as NVDA=24.4B");
        const std::string firm(word.substr(0, equals));
        std::string_view count = word.substr(equals + 1);
        double scale = 1.0;
        switch (count.back()) {
            case 'K': scale = 1e3; break;
            case 'M': scale = 1e6; break;
            case 'B': scale = 1e9; break;
            case 'T': scale = 1e12; break;
            default: break;
        }
        if (scale != 1.0) count.remove_suffix(1);
        double value = 0.0;
        const auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), value);
        if (error != std::errc() || end != count.data() + count.size() || !std::isfinite(value * scale) || value < 0)
            fail("expected a count >= 0 such as 24.4B (suffix K, M, B or T)");
        // A firm given twice is refused with the other parameters (check in event_panel.cpp).
        out.emplace_back(firm, value * scale);
    }
    return out;
}

bool parse_switch(std::string_view text, const char* key) {
    if (text == "true") return true;
    if (text == "false") return false;
    throw sdk::InputError(key, std::string(key) + " must be true or false, found " + quoted(text));
}

}  // namespace impact::stock
