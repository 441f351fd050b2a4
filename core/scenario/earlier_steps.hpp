// The results of a scenario's steps run so far, for the steps below them to refer to.
#pragma once

#include "scenario/runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace impact::scenario {

// The results of the steps run so far, found by id in constant time.
class EarlierSteps {
public:
    explicit EarlierSteps(std::size_t expected) {
        results_.reserve(expected);
        index_.reserve(expected);
    }
    const StepResult* find(std::string_view id) const {
        const auto it = index_.find(id);
        return it == index_.end() ? nullptr : &results_[it->second];
    }
    // Where step `id` is in the order of the run (its index among the results).
    std::optional<std::size_t> position(std::string_view id) const {
        const auto it = index_.find(id);
        return it == index_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
    }
    void add(StepResult result) {
        const bool moves = results_.size() == results_.capacity();
        results_.push_back(std::move(result));
        // Keyed by views of the ids the vector holds, which a reallocation moves (short ids
        // live inside the string object): then the index is rebuilt. Reserved up front for
        // every step of the scenario, so that does not happen in a run.
        if (moves) {
            index_.clear();
            for (std::size_t i = 0; i < results_.size(); ++i) index_.emplace(results_[i].id, i);
        } else {
            index_.emplace(results_.back().id, results_.size() - 1);
        }
    }
    // For a message: the ids, or the first ones and how many more (a scenario may have 60,000).
    std::string some_ids() const {
        if (results_.empty()) return "none";
        constexpr std::size_t shown = 10;
        std::vector<std::string_view> ids;
        for (std::size_t i = 0; i < results_.size() && i < shown; ++i) ids.push_back(results_[i].id);
        if (results_.size() <= shown) return fmt::format("{}", fmt::join(ids, ", "));
        return fmt::format("{}, ... and {} more", fmt::join(ids, ", "), results_.size() - shown);
    }
    // The step added last (there must be one).
    const StepResult& last() const { return results_.back(); }
    std::vector<StepResult> take() && { return std::move(results_); }

private:
    std::vector<StepResult> results_;
    std::unordered_map<std::string_view, std::size_t> index_;
};

}  // namespace impact::scenario
