// Writes 10^5 deterministic draws and this library's percentiles to a file, for check_numpy_percentiles.py to compare with numpy.
#include "draws.hpp"
#include "uncertainty/exact_quantiles.hpp"
#include "uncertainty/statistics.hpp"

#include <cstdio>
#include <exception>
#include <vector>

namespace {

using impact::test::Draws;

// Output format, one record per line, every double in C99 hex-float so it survives the trip exactly:
//   case <name> <budget> <passes>
//   x <value>                                   (N lines)
//   p <probability> <value> <ci_low> <ci_high> <ci_low_rank> <ci_high_rank>
void dump(std::FILE* out, const char* name, const std::vector<double>& x, std::size_t budget) {
    std::vector<double> probs(impact::uncertainty::kReportedPercentiles.begin(),
                              impact::uncertainty::kReportedPercentiles.end());
    probs.push_back(0.0);
    probs.push_back(1.0);
    impact::uncertainty::ExactQuantiles q(probs, x.size(), budget);
    while (q.needs_pass()) {
        // Two collectors, blocks of 4096 dealt alternately: what two threads do.
        auto a = q.collector();
        auto b = q.collector();
        for (std::size_t start = 0, block = 0; start < x.size(); start += 4096, ++block) {
            const auto values = std::span(x).subspan(start, std::min<std::size_t>(4096, x.size() - start));
            (block % 2 == 0 ? a : b).add(values);
        }
        a.merge(std::move(b));
        q.finish_pass(std::move(a));
    }
    std::fprintf(out, "case %s %zu %u\n", name, budget, q.passes());
    for (const double v : x) std::fprintf(out, "x %a\n", v);
    for (const auto& r : q.percentiles()) {
        std::fprintf(out, "p %a %a %a %a %llu %llu\n", r.probability, r.value, r.ci_low, r.ci_high,
                     static_cast<unsigned long long>(r.ci_low_rank), static_cast<unsigned long long>(r.ci_high_rank));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT_FILE\n", argv[0]);
        return 2;
    }
    try {
        std::FILE* out = std::fopen(argv[1], "w");
        if (out == nullptr) {
            std::perror(argv[1]);
            return 1;
        }
        constexpr std::size_t n = 100'000;
        // Kept whole (one pass), then with a budget small enough to force further passes.
        for (const std::size_t budget : {std::size_t{1} << 20, std::size_t{512}}) {
            dump(out, "normal", impact::test::make_draws(Draws::normal, n), budget);
            dump(out, "lognormal", impact::test::make_draws(Draws::lognormal, n), budget);
            dump(out, "bernoulli", impact::test::make_draws(Draws::bernoulli, n), budget);
            dump(out, "huge", impact::test::make_draws(Draws::huge, n), budget);
        }
        // A few small N, where numpy's edge branches (index >= N - 1) matter.
        for (const std::size_t small : {1, 2, 3, 7}) {
            dump(out, "small", impact::test::make_draws(Draws::normal, small, small), 1024);
        }
        if (std::fclose(out) != 0) {
            std::perror(argv[1]);
            return 1;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
