// The text inputs of stock.event_panel: the event list and the shares outstanding per firm.
#ifndef IMPACT_PLUGINS_STOCK_EVENT_PANEL_TEXT_HPP
#define IMPACT_PLUGINS_STOCK_EVENT_PANEL_TEXT_HPP

#include "event_panel.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact::stock {

// `events`: one event per line (or separated by ';'), each `NAME DAY0 [FIRM | FIRM@DAY0 ...]`:
//   h20  2025-04-16
//   h200 2025-12-09 NVDA AMD TSM
//   earnings 2025-05-28 NVDA AMD@2025-05-06
// NAME is [a-z0-9_-]+, DAY0 an ISO date; no firm means every firm; FIRM@DAY0 gives that firm its own
// day 0 (an event in event time). Blank lines and text after '#' are ignored. Throws
// sdk::InputError("events", message naming the line and the token).
std::vector<PanelEvent> parse_panel_events(std::string_view text);

// `shares_outstanding`: `FIRM=COUNT` pairs separated by spaces, commas or new lines, COUNT a plain
// number with an optional K, M, B or T suffix: "NVDA=24.4B AMD=1.62B". Throws
// sdk::InputError("shares_outstanding", ...).
std::vector<std::pair<std::string, double>> parse_shares_outstanding(std::string_view text);

// "true" or "false"; anything else is sdk::InputError(key).
bool parse_switch(std::string_view text, const char* key);

}  // namespace impact::stock

#endif  // IMPACT_PLUGINS_STOCK_EVENT_PANEL_TEXT_HPP
