// Strict ISO 8601 calendar dates (YYYY-MM-DD) to and from the SDK's days since 1970-01-01.
#pragma once

#include <impact/sdk/impact_plugin.h>

#include <optional>
#include <string>
#include <string_view>

namespace impact::text {

// The date, or nullopt when text is not exactly YYYY-MM-DD naming a real calendar day.
std::optional<impact_date_days> parse_iso_date(std::string_view text) noexcept;

std::string format_iso_date(impact_date_days days);

}  // namespace impact::text
