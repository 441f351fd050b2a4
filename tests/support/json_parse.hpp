// Parses the JSON the project writes with nlohmann::json, refusing duplicate keys too.
#pragma once

#include <nlohmann/json.hpp>

#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace impact::test {

// nlohmann::json::parse (RFC 8259, strict: no comments, NaN, trailing commas or bytes that are
// not UTF-8) plus one more rule the project's writers keep: no key twice in one object, which
// the parser alone would accept by keeping the last value. Throws nlohmann::json::parse_error
// or std::runtime_error naming the repeated key.
inline nlohmann::json parse_json(std::string_view text) {
    std::vector<std::set<std::string>> keys_per_open_object;
    const nlohmann::json::parser_callback_t refuse_repeated_keys =
        [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
            using Event = nlohmann::json::parse_event_t;
            if (event == Event::object_start) keys_per_open_object.emplace_back();
            else if (event == Event::object_end) keys_per_open_object.pop_back();
            else if (event == Event::key && !keys_per_open_object.back().insert(parsed.get<std::string>()).second)
                throw std::runtime_error("JSON key \"" + parsed.get<std::string>() + "\" appears twice in one object");
            return true;
        };
    return nlohmann::json::parse(text.begin(), text.end(), refuse_repeated_keys);
}

}  // namespace impact::test
