// Draws the Monte Carlo progress bar: draws done, draws per second, time left.
#include "cli/progress_bar.hpp"

#include "text/money_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace impact::cli {

ProgressBar::ProgressBar(bool quiet)
    : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1), start_(Clock::now()), last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done, std::uint64_t planned) {
    if (!enabled_ || planned == 0) return;
    const auto now = Clock::now();
    const double elapsed_s = std::chrono::duration<double>(now - start_).count();
    if (elapsed_s < 1.0 || (shown_ && now - last_draw_ < std::chrono::milliseconds(100))) return;
    last_draw_ = now;
    shown_ = true;
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(planned));
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width);
    const double per_second = static_cast<double>(done) / elapsed_s;
    const double left_s = per_second > 0 ? static_cast<double>(planned - std::min(done, planned)) / per_second : 0.0;
    const std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), ' ');
    std::fprintf(stderr, "\r[%s] %3.0f%%  %s of %s draws  %s draws/s  %.1f s left\033[K", bar.c_str(), fraction * 100,
                 text::format_grouped(static_cast<double>(done), 0).c_str(),
                 text::format_grouped(static_cast<double>(planned), 0).c_str(),
                 text::format_grouped(per_second, 0).c_str(), left_s);
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
}

}  // namespace impact::cli
