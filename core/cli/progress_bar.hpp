// A progress bar on stderr for long Monte Carlo runs: only on a terminal, only after a second, never with --quiet.
#pragma once

#include <chrono>
#include <cstdint>

namespace impact::cli {

class ProgressBar {
public:
    // Shows nothing when `quiet` or when stderr is not a terminal (a pipeline's log stays clean).
    explicit ProgressBar(bool quiet);
    ~ProgressBar();
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    // Draws evaluated so far of those planned; redrawn at most ten times a second, and only
    // once the run has taken a second (a short run shows no bar at all).
    void update(std::uint64_t done, std::uint64_t planned);
    // Clears the bar, so that what follows on stderr starts on a clean line.
    void finish();

private:
    using Clock = std::chrono::steady_clock;
    bool enabled_ = false;
    bool shown_ = false;
    Clock::time_point start_;
    Clock::time_point last_draw_;
};

}  // namespace impact::cli
