// Exact percentiles by narrowing windows of kept values around target ranks, with a key-space histogram as the fallback.
#include "uncertainty/exact_quantiles.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace impact::uncertainty {

namespace {

constexpr std::uint64_t kSignBit = std::uint64_t{1} << 63;
constexpr std::uint64_t kExponentBits = 0x7ff0'0000'0000'0000;
constexpr std::uint64_t kMaxKey = std::numeric_limits<std::uint64_t>::max();

// Keys order doubles totally (IEEE 754 totalOrder on finite values): flipping all bits of negative
// numbers and the sign bit of the others makes unsigned comparison agree with numeric order, with
// -0.0 just below +0.0.
std::uint64_t order_key(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    if ((bits & kExponentBits) == kExponentBits) {
        throw std::invalid_argument(fmt::format("exact percentiles: non-finite value {}", x));
    }
    return (bits & kSignBit) != 0 ? ~bits : (bits | kSignBit);
}

double value_of_key(std::uint64_t key) noexcept {
    return std::bit_cast<double>((key & kSignBit) != 0 ? (key & ~kSignBit) : ~key);
}

// 4096 histogram bins: 32 KiB per interval, and a bin width that shrinks by 2^12 per pass, so
// that six passes bring any interval of the 2^64 keys down to single keys.
constexpr unsigned kHistogramBits = 12;
// Each collector keeps everything until it holds this many values (or the budget), then narrows.
constexpr std::size_t kFirstNarrowingValues = 65536;
// Window half-widths in sds of a target's local rank, tried in turn until the kept values fit.
constexpr double kWindowSigmas[] = {6.0, 4.0, 3.0};
// add() takes values this many at a time (their keys in an array on the stack).
constexpr std::size_t kAddChunk = 256;
// A collector narrows again when its kept values have grown by this fraction since it last narrowed.
constexpr double kNarrowingGrowth = 0.0625;
// Ranks added to each side of a window for the rounding of rank estimates.
constexpr double kWindowSlackRanks = 2.0;
// Runs of at least this many equal kept values are stored as one (value, count): point masses
// (a Bernoulli output, a floor at zero) then cost nothing, even strictly inside a window.
constexpr std::size_t kMassRun = 4;

// numpy 1.24's _lerp, in its order of operations (numpy/lib/function_base.py).
double numpy_lerp(double a, double b, double t) noexcept {
    const double diff_b_a = b - a;
    if (t >= 0.5) return b - diff_b_a * (1 - t);
    return a + diff_b_a * t;
}

// 0-based neighbours and weight of numpy's linear method for N draws.
struct LinearIndex {
    std::uint64_t below;
    std::uint64_t above;
    double weight;
};

LinearIndex numpy_linear_index(double probability, std::uint64_t n) noexcept {
    // np.percentile(x, 100 p) divides its argument by 100 before np.quantile's arithmetic.
    const double q = (probability * 100.0) / 100.0;
    const double virtual_index = static_cast<double>(n - 1) * q;
    if (virtual_index >= static_cast<double>(n - 1)) {
        // numpy's _get_indexes sets both indexes to -1 and the weight is then h - (-1).
        return {n - 1, n - 1, virtual_index - (-1.0)};
    }
    const double previous = std::floor(virtual_index);
    const auto below = static_cast<std::uint64_t>(previous);
    return {below, below + 1, virtual_index - previous};
}

// 1-based CI ranks (see PercentileResult).
std::pair<std::uint64_t, std::uint64_t> ci_ranks(double p, std::uint64_t n) noexcept {
    const double count = static_cast<double>(n);
    const double centre = count * p;
    const double half_width = 1.96 * std::sqrt(count * p * (1 - p));
    const auto clamp_rank = [count](double rank) {
        return static_cast<std::uint64_t>(std::clamp(rank, 1.0, count));
    };
    return {clamp_rank(std::floor(centre - half_width)), clamp_rank(std::ceil(centre + half_width))};
}

}  // namespace

namespace detail {

// One key interval searched in a pass, and the ranks sought in it.
struct Problem {
    std::uint64_t key_lo = 0;  // inclusive
    std::uint64_t key_hi = kMaxKey;  // inclusive
    std::uint64_t values = 0;  // exact number of draws whose key lies in [key_lo, key_hi]
    std::uint64_t rank_offset = 0;  // exact number of draws below key_lo
    bool keep_all = false;  // small enough to keep whole: never narrowed
    unsigned histogram_shift = 0;
    std::size_t histogram_bins = 0;
    std::vector<std::uint64_t> target_ranks;  // 0-based, within the interval; sorted, distinct
};

struct PassPlan {
    unsigned pass = 1;
    std::uint64_t total_draws = 0;
    std::size_t budget = 0;
    // Budget for the values of narrowed intervals: half when some intervals are kept whole, which
    // share the other half.
    std::size_t windowed_limit = 0;
    std::size_t first_narrowing = 0;
    std::vector<Problem> problems;
};

}  // namespace detail

namespace {

// A value seen many times strictly inside a window, and how many values below it are masses.
struct Mass {
    std::uint64_t key = 0;
    std::uint64_t count = 0;
    std::uint64_t masses_before = 0;  // sum of the counts of the masses with smaller keys
};

// Sorted masses with equal keys added together; masses_before filled in.
std::vector<Mass> combine_masses(std::vector<Mass> masses) {
    std::sort(masses.begin(), masses.end(), [](const Mass& a, const Mass& b) { return a.key < b.key; });
    std::vector<Mass> combined;
    std::uint64_t before = 0;
    for (const Mass& m : masses) {
        if (!combined.empty() && combined.back().key == m.key) {
            combined.back().count += m.count;
        } else {
            combined.push_back(Mass{m.key, m.count, before});
        }
        before += m.count;
    }
    return combined;
}

// Makes room for `extra` more values, growing by a quarter rather than doubling: a collector's
// memory is mostly these vectors, and doubling would leave up to half of it unused.
void reserve_more(std::vector<std::uint64_t>& v, std::size_t extra) {
    if (v.size() + extra <= v.capacity()) return;
    v.reserve(std::max(v.size() + extra, v.capacity() + v.capacity() / 4 + 64));
}

// Sorts keys: by std::sort when few, else by least-significant-digit radix sort, 8 bits a pass,
// skipping the digits that all keys share (the keys of a window share their top bytes). Sorting
// random keys by comparison mispredicts a branch per comparison: measured 30 to 60 ns per key
// here, the radix sort a few. Uses a second buffer as large as `keys` while it runs.
void sort_keys(std::vector<std::uint64_t>& keys) {
    constexpr std::size_t kRadixFrom = 512;
    constexpr unsigned kDigitBits = 8;
    constexpr std::size_t kDigits = 64 / kDigitBits;
    constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
    if (keys.size() < kRadixFrom) {
        std::sort(keys.begin(), keys.end());
        return;
    }
    std::vector<std::uint32_t> counts(kDigits * kBuckets, 0);
    for (const std::uint64_t key : keys) {
        for (std::size_t d = 0; d < kDigits; ++d) ++counts[d * kBuckets + ((key >> (d * kDigitBits)) & (kBuckets - 1))];
    }
    std::vector<std::uint64_t> other(keys.size());
    for (std::size_t d = 0; d < kDigits; ++d) {
        std::uint32_t* const count = counts.data() + d * kBuckets;
        const unsigned shift = static_cast<unsigned>(d * kDigitBits);
        if (count[(keys.front() >> shift) & (kBuckets - 1)] == keys.size()) continue;  // one digit for all
        std::uint32_t offset = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) {
            const std::uint32_t here = count[b];
            count[b] = offset;
            offset += here;
        }
        for (const std::uint64_t key : keys) other[count[(key >> shift) & (kBuckets - 1)]++] = key;
        keys.swap(other);
    }
}

// A closed key range [lo, hi] around some targets: counts of the values equal to its edges and the
// values strictly inside, as single kept values or as point masses.
struct Window {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    std::uint64_t n_lo = 0;
    std::uint64_t n_hi = 0;  // always 0 for a single-key window (lo == hi)
    std::vector<std::uint64_t> kept;
    std::size_t sorted = 0;  // kept[0, sorted) is sorted and holds no run of kMassRun equal values
    std::vector<Mass> masses;  // sorted by key, keys strictly inside (lo, hi)
    std::uint64_t mass_total = 0;
    std::vector<std::uint32_t> targets;  // indexes into Problem::target_ranks
    // Capacity to give the kept values when they must grow (0: just room until the next narrowing).
    std::size_t expected_peak = 0;

    std::uint64_t size() const noexcept { return n_lo + kept.size() + mass_total + n_hi; }

    void set_masses(std::vector<Mass> fresh) {
        masses = combine_masses(std::move(fresh));
        mass_total = masses.empty() ? 0 : masses.back().masses_before + masses.back().count;
    }

    // Sorts the kept values and moves runs of equal values into the masses. Only the values added
    // since the last call are sorted, then merged with the sorted ones from the back, so that a
    // collector narrowing often pays for its new values, not for all it holds.
    void compact() {
        if (sorted == kept.size()) return;
        // A new run of equal values needs a new value equal to a neighbour: without such a tie the
        // scan for runs below is skipped (continuous outputs have almost none).
        bool ties = false;
        if (sorted == 0) {
            sort_keys(kept);
            ties = std::adjacent_find(kept.begin(), kept.end()) != kept.end();
        } else {
            // The new values, sorted, in a buffer of their own: the merge below needs them apart.
            std::vector<std::uint64_t> fresh(kept.begin() + static_cast<std::ptrdiff_t>(sorted), kept.end());
            sort_keys(fresh);
            ties = std::adjacent_find(fresh.begin(), fresh.end()) != fresh.end();
            std::size_t out = kept.size();
            std::size_t old_end = sorted;
            std::size_t fresh_end = fresh.size();
            while (fresh_end > 0) {
                if (old_end > 0 && kept[old_end - 1] > fresh[fresh_end - 1]) {
                    kept[--out] = kept[--old_end];
                } else {
                    kept[--out] = fresh[--fresh_end];
                    ties |= old_end > 0 && kept[old_end - 1] == kept[out];
                }
            }
        }
        if (!ties) {
            sorted = kept.size();
            return;
        }
        std::vector<Mass> runs;
        std::size_t out = 0;
        for (std::size_t i = 0; i < kept.size();) {
            std::size_t j = i + 1;
            while (j < kept.size() && kept[j] == kept[i]) ++j;
            if (j - i >= kMassRun) {
                runs.push_back(Mass{kept[i], j - i, 0});
            } else {
                for (std::size_t k = i; k < j; ++k) kept[out++] = kept[k];
            }
            i = j;
        }
        kept.resize(out);
        sorted = out;
        if (!runs.empty()) {
            runs.insert(runs.end(), masses.begin(), masses.end());
            set_masses(std::move(runs));
        }
    }

    // The interior value at 0-based index i among kept values and masses together; needs compact().
    std::uint64_t interior_at(std::uint64_t i) const {
        // Last mass whose first index (kept values below it plus masses below it) is <= i.
        const auto first_index = [this](const Mass& m) {
            const auto kept_below = std::lower_bound(kept.begin(), kept.end(), m.key) - kept.begin();
            return static_cast<std::uint64_t>(kept_below) + m.masses_before;
        };
        std::size_t low = 0;
        std::size_t high = masses.size();  // masses[0, low) start at or before i, masses[high, end) after
        while (low < high) {
            const std::size_t mid = low + (high - low) / 2;
            if (first_index(masses[mid]) <= i) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        if (low == 0) return kept[i];
        const Mass& m = masses[low - 1];
        if (i < first_index(m) + m.count) return m.key;
        return kept[i - (m.masses_before + m.count)];
    }

    // The value at 0-based index i of this window's values; needs compact().
    std::uint64_t at(std::uint64_t i) const {
        if (i < n_lo) return lo;
        i -= n_lo;
        if (i < kept.size() + mass_total) return interior_at(i);
        return hi;
    }
};

// Where a key goes: a gap, the inside of a window (kept), or undecided by the bucket table (an edge
// or a bucket holding an edge: the binary search decides). Packed in 16 bits: kind, then index.
enum class Route : std::uint16_t { gap = 0, inside = 1, search = 2, table = 3 };
constexpr unsigned kRouteIndexBits = 14;
constexpr std::size_t kMaxRouteIndex = (std::size_t{1} << kRouteIndexBits) - 1;
constexpr std::uint16_t route_code(Route kind, std::size_t index) {
    return static_cast<std::uint16_t>((static_cast<unsigned>(kind) << kRouteIndexBits) | index);
}
constexpr Route route_kind(std::uint16_t code) { return static_cast<Route>(code >> kRouteIndexBits); }
constexpr std::size_t route_index(std::uint16_t code) { return code & kMaxRouteIndex; }
// The bucket table: 4096 buckets of equal width in key space over [first window's lo, last
// window's hi], and for each bucket that holds a window edge, 256 sub-buckets. 8 KiB plus 512
// bytes per such bucket; rebuilt whenever the windows change.
constexpr unsigned kRouteBits = 12;
constexpr unsigned kSubRouteBits = 8;

// One collector's view of one interval.
struct ProblemState {
    std::vector<Window> windows;  // sorted, disjoint
    std::vector<std::uint64_t> window_los;  // windows[i].lo, for the search in route()
    std::vector<std::uint64_t> gaps;  // values between windows: gaps[i] lies below windows[i]
    std::vector<std::uint64_t> histogram;
    std::uint64_t seen = 0;
    std::size_t kept = 0;
    // Bucket table (see kRouteBits): keys below route_base go to gap 0, above route_top to the last gap.
    std::uint64_t route_base = kMaxKey;
    std::uint64_t route_top = kMaxKey;
    unsigned route_shift = 0;
    unsigned sub_route_shift = 0;
    std::uint64_t sub_route_mask = 0;
    std::size_t sub_routes_begin = 0;  // index in `routes` of the first sub-table
    std::size_t routes_below = 0;  // index in `routes` of the code of keys below route_base (then above route_top)
    std::size_t sub_routes_per_table = 1;
    std::vector<std::uint16_t> routes;  // the buckets, below and above, then 256 sub-buckets per table

    // Fills the bucket table in one sweep over the sorted window edges: a key range without an
    // edge has one code, a gap's or a window's inside, given by how many edges lie below it
    // (2 per window: an even count is the gap before that window, an odd one its inside).
    void build_routes() {
        routes.clear();
        if (windows.empty() || windows.size() > kMaxRouteIndex - 1) {
            route_base = route_top = kMaxKey;  // everything but kMaxKey is below; that one is searched
            route_shift = 0;
            sub_route_shift = 0;
            sub_route_mask = 0;
            sub_routes_begin = 3;
            sub_routes_per_table = 1;
            routes_below = 1;
            // Every key searched (a gap index this large would not fit in a code).
            routes.assign(3, route_code(Route::search, 0));
            return;
        }
        std::vector<std::uint64_t> edges;
        edges.reserve(2 * windows.size());
        for (const Window& w : windows) {
            edges.push_back(w.lo);
            edges.push_back(w.hi);
        }
        // The code of every key in [lo, hi], given the number of edges below lo (advanced here).
        const auto code_of = [&edges](std::uint64_t lo, std::uint64_t hi, std::size_t& below, std::uint16_t mixed) {
            while (below < edges.size() && edges[below] < lo) ++below;
            if (below < edges.size() && edges[below] <= hi) return mixed;
            return below % 2 == 0 ? route_code(Route::gap, below / 2) : route_code(Route::inside, below / 2);
        };
        route_base = windows.front().lo;
        route_top = windows.back().hi;
        const std::uint64_t span = route_top - route_base;  // keys covered, less one
        route_shift = 0;
        while ((span >> route_shift) >= (std::uint64_t{1} << kRouteBits)) ++route_shift;
        sub_route_shift = route_shift >= kSubRouteBits ? route_shift - kSubRouteBits : 0;
        sub_route_mask = (std::uint64_t{1} << (route_shift - sub_route_shift)) - 1;
        const std::size_t buckets = static_cast<std::size_t>(span >> route_shift) + 1;
        const std::size_t sub_buckets = static_cast<std::size_t>(sub_route_mask) + 1;
        sub_routes_begin = buckets + 2;
        sub_routes_per_table = sub_buckets;
        routes_below = buckets;
        routes.resize(buckets);
        routes.push_back(route_code(Route::gap, 0));  // keys below route_base
        routes.push_back(route_code(Route::gap, windows.size()));  // keys above route_top
        const std::uint64_t width_less_one = (std::uint64_t{1} << route_shift) - 1;
        const std::uint64_t sub_width_less_one = (std::uint64_t{1} << sub_route_shift) - 1;
        std::size_t below = 0;
        for (std::size_t b = 0; b < buckets; ++b) {
            const std::uint64_t lo = route_base + (std::uint64_t{b} << route_shift);
            const std::uint64_t hi = route_top - lo <= width_less_one ? route_top : lo + width_less_one;
            const std::size_t table = (routes.size() - sub_routes_begin) / sub_buckets;
            const bool room = route_shift > 0 && table <= kMaxRouteIndex;
            routes[b] = code_of(lo, hi, below, room ? route_code(Route::table, table) : route_code(Route::search, 0));
            if (route_kind(routes[b]) != Route::table) continue;
            std::size_t sub_below = below;
            for (std::size_t sub = 0; sub < sub_buckets; ++sub) {
                const std::uint64_t sub_lo = lo + (std::uint64_t{sub} << sub_route_shift);
                if (sub_lo > hi || sub_lo < lo) {
                    routes.push_back(route_code(Route::search, 0));  // beyond route_top: never looked up
                    continue;
                }
                const std::uint64_t sub_hi = hi - sub_lo <= sub_width_less_one ? hi : sub_lo + sub_width_less_one;
                routes.push_back(code_of(sub_lo, sub_hi, sub_below, route_code(Route::search, 0)));
            }
        }
        routes.shrink_to_fit();
    }

    void reset_index() {
        window_los.clear();
        kept = 0;
        for (const Window& w : windows) {
            window_los.push_back(w.lo);
            kept += w.kept.size();
        }
        window_los.shrink_to_fit();
        build_routes();
    }
};

// A ProblemState's bucket table by value, and its gap counts, for the loop over a block's keys.
struct RouteView {
    std::uint64_t base;
    std::uint64_t top;
    unsigned shift;
    unsigned sub_shift;
    std::uint64_t sub_mask;
    std::size_t sub_begin;
    std::size_t below;
    unsigned sub_bits;
    const std::uint16_t* routes;
    std::uint64_t* gaps;

    explicit RouteView(ProblemState& s)
        : base(s.route_base), top(s.route_top), shift(s.route_shift), sub_shift(s.sub_route_shift),
          sub_mask(s.sub_route_mask), sub_begin(s.sub_routes_begin), below(s.routes_below),
          sub_bits(static_cast<unsigned>(std::countr_zero(s.sub_routes_per_table))),
          routes(s.routes.data()), gaps(s.gaps.data()) {}

    // The code of a key from the bucket table: a gap, a window's inside, or `search`. Without a
    // branch on whether the bucket has a sub-table (that depends on the data and mispredicts): the
    // sub-bucket's entry is read when there is one, else the bucket's own entry again.
    // Keys outside [base, top] read the entries after the buckets, chosen without a branch too.
    std::uint16_t lookup(std::uint64_t key) const {
        const std::uint64_t offset = key - base;
        auto bucket = static_cast<std::size_t>(offset >> shift);
        bucket = key < base ? below : bucket;
        bucket = key > top ? below + 1 : bucket;
        const std::uint16_t code = routes[bucket];
        const std::size_t sub = sub_begin + (route_index(code) << sub_bits) +
                                static_cast<std::size_t>((offset >> sub_shift) & sub_mask);
        const std::size_t has_table = route_kind(code) == Route::table ? ~std::size_t{0} : 0;
        return routes[bucket ^ ((bucket ^ sub) & has_table)];
    }
};

ProblemState initial_state(const detail::Problem& problem) {
    ProblemState state;
    Window all;
    all.lo = problem.key_lo;
    all.hi = problem.key_hi;
    for (std::uint32_t t = 0; t < problem.target_ranks.size(); ++t) all.targets.push_back(t);
    state.windows.push_back(std::move(all));
    state.gaps.assign(2, 0);
    state.histogram.assign(problem.histogram_bins, 0);
    state.reset_index();
    return state;
}

// A collector whose interval has not been narrowed keeps every value until its first narrowing (or
// all of an interval kept whole): room for them at once. Growing by a quarter from nothing to
// 65,536 values would copy them some thirty times into fresh pages, and a fresh page costs a page
// fault (about 25 us on this project's virtual machine: 80 ms of a 10^5-draw run went there).
// Pages are only touched as values arrive, so a reservation that is not filled costs no memory.
void reserve_until_first_narrowing(ProblemState& state, const detail::Problem& problem, const detail::PassPlan& plan) {
    if (state.windows.size() != 1) return;
    Window& w = state.windows.front();
    if (w.lo != problem.key_lo || w.hi != problem.key_hi) return;
    const std::uint64_t room = problem.keep_all ? problem.values : std::min<std::uint64_t>(problem.values, plan.first_narrowing);
    w.kept.reserve(static_cast<std::size_t>(room));
}

// Puts a key in its gap, edge count or kept values, by binary search; returns whether it was kept.
bool route(ProblemState& state, std::uint64_t key) {
    // Number of windows whose lower edge is <= key, by a binary search without branches on the
    // data (most keys fall in gaps at unpredictable places; a branchy search mispredicts).
    const std::uint64_t* base = state.window_los.data();
    std::size_t length = state.window_los.size();
    while (length > 1) {
        const std::size_t half = length / 2;
        base = base[half] <= key ? base + half : base;
        length -= half;
    }
    const std::size_t index =
        static_cast<std::size_t>(base - state.window_los.data()) + (length == 1 && *base <= key ? 1 : 0);
    if (index == 0) {
        ++state.gaps[0];
        return false;
    }
    Window& w = state.windows[index - 1];
    if (key > w.hi) {
        ++state.gaps[index];
        return false;
    }
    if (key == w.lo) {
        ++w.n_lo;
    } else if (key == w.hi) {
        ++w.n_hi;
    } else {
        reserve_more(w.kept, 1);
        w.kept.push_back(key);
        ++state.kept;
        return true;
    }
    return false;
}

// Puts a key whose bucket-table code is not a gap in its place; returns whether it was kept.
inline bool route_kept(ProblemState& state, std::uint64_t key, std::uint16_t code) {
    if (route_kind(code) != Route::inside) return route(state, key);
    Window& w = state.windows[route_index(code)];
    reserve_more(w.kept, 1);
    w.kept.push_back(key);
    ++state.kept;
    return true;
}

// Puts a key in its place through the bucket table; returns whether it was kept.
inline bool route_fast(ProblemState& state, std::uint64_t key) {
    const std::uint16_t code = RouteView(state).lookup(key);
    if (route_kind(code) == Route::gap) {
        ++state.gaps[route_index(code)];
        return false;
    }
    return route_kept(state, key, code);
}

// The capacity a window's kept values get after narrowing: room to grow until the next narrowing
// (the collector narrows when its kept values have grown by kNarrowingGrowth) and a little more.
std::size_t planned_capacity(std::size_t kept_values) {
    return kept_values + static_cast<std::size_t>(static_cast<double>(kept_values) * kNarrowingGrowth * 1.1) + 16;
}

// Gives a vector room to grow until the next narrowing, and at least `expected_peak` values when it
// must grow; gives back capacity beyond half as much again as it will need.
void fit_capacity(std::vector<std::uint64_t>& v, std::size_t expected_peak) {
    const std::size_t needed = planned_capacity(v.size());
    const std::size_t planned = std::max(needed, expected_peak);
    if (v.capacity() < needed) {
        v.reserve(planned);
    } else if (v.capacity() > planned + planned / 2) {
        std::vector<std::uint64_t> fitted;
        fitted.reserve(planned);
        fitted.assign(v.begin(), v.end());
        v.swap(fitted);
    }
}

// Rebuilds `state` on `fresh` windows (sorted, disjoint, counts empty), each inside one of the
// current windows, so that every value moves to an exact place: a fresh window or a fresh gap.
// In place: each old window's sorted kept values are cut into the fresh windows' ranges, the
// largest range keeping the old buffer, so no second copy of the kept values is ever made.
void refit(ProblemState& state, std::vector<Window> fresh) {
    for (Window& w : state.windows) w.compact();
    std::vector<std::uint64_t> gaps(fresh.size() + 1, 0);
    std::size_t first = 0;  // first fresh window not below the current old window
    for (std::size_t i = 0; i < state.windows.size(); ++i) {
        Window& old = state.windows[i];
        while (first < fresh.size() && fresh[first].hi < old.lo) ++first;
        gaps[first] += state.gaps[i];
        std::size_t end = first;
        while (end < fresh.size() && fresh[end].lo <= old.hi) ++end;
        // Where a key that is no kept value goes: a fresh edge, gap, or (masses) inside.
        const auto place = [&](std::uint64_t key, std::uint64_t count, bool is_mass) {
            if (count == 0) return;
            const auto it = std::lower_bound(fresh.begin() + static_cast<std::ptrdiff_t>(first),
                                             fresh.begin() + static_cast<std::ptrdiff_t>(end), key,
                                             [](const Window& w, std::uint64_t k) { return w.hi < k; });
            const auto f = static_cast<std::size_t>(it - fresh.begin());
            if (f < end && fresh[f].lo <= key) {
                Window& target = fresh[f];
                if (key == target.lo) {
                    target.n_lo += count;
                } else if (key == target.hi) {
                    target.n_hi += count;
                } else if (is_mass) {
                    target.masses.push_back(Mass{key, count, 0});
                } else {
                    // An old edge can only be an edge of a window inside the old one.
                    throw std::logic_error("exact percentiles: window edge lost in redistribution");
                }
            } else {
                gaps[f] += count;
            }
        };
        place(old.lo, old.n_lo, false);
        for (const Mass& m : old.masses) place(m.key, m.count, true);
        place(old.hi, old.n_hi, false);
        // Kept values: sorted, so each fresh window's inside is one contiguous range.
        const std::vector<std::uint64_t>& kept = old.kept;
        struct Range {
            std::size_t begin, end;
        };
        std::vector<Range> inside(end - first, Range{0, 0});
        std::size_t cursor = 0;
        std::size_t largest = 0;
        for (std::size_t f = first; f < end; ++f) {
            const Window& w = fresh[f];
            const auto at_lo = static_cast<std::size_t>(
                std::lower_bound(kept.begin() + static_cast<std::ptrdiff_t>(cursor), kept.end(), w.lo) - kept.begin());
            gaps[f] += at_lo - cursor;
            const auto above_lo = static_cast<std::size_t>(
                std::upper_bound(kept.begin() + static_cast<std::ptrdiff_t>(at_lo), kept.end(), w.lo) - kept.begin());
            fresh[f].n_lo += above_lo - at_lo;
            if (w.hi == w.lo) {
                cursor = above_lo;
                inside[f - first] = Range{above_lo, above_lo};
                continue;
            }
            const auto at_hi = static_cast<std::size_t>(
                std::lower_bound(kept.begin() + static_cast<std::ptrdiff_t>(above_lo), kept.end(), w.hi) - kept.begin());
            const auto above_hi = static_cast<std::size_t>(
                std::upper_bound(kept.begin() + static_cast<std::ptrdiff_t>(at_hi), kept.end(), w.hi) - kept.begin());
            fresh[f].n_hi += above_hi - at_hi;
            inside[f - first] = Range{above_lo, at_hi};
            if (at_hi - above_lo > inside[largest].end - inside[largest].begin) largest = f - first;
            cursor = above_hi;
        }
        gaps[end] += kept.size() - cursor;
        for (std::size_t f = first; f < end; ++f) {
            if (f - first == largest) continue;
            const Range r = inside[f - first];
            fresh[f].kept.reserve(std::max(planned_capacity(r.end - r.begin), fresh[f].expected_peak));
            fresh[f].kept.assign(kept.begin() + static_cast<std::ptrdiff_t>(r.begin),
                                 kept.begin() + static_cast<std::ptrdiff_t>(r.end));
        }
        if (end > first) {
            const Range r = inside[largest];
            std::vector<std::uint64_t>& reused = old.kept;
            reused.erase(reused.begin() + static_cast<std::ptrdiff_t>(r.end), reused.end());
            reused.erase(reused.begin(), reused.begin() + static_cast<std::ptrdiff_t>(r.begin));
            fit_capacity(reused, fresh[first + largest].expected_peak);
            fresh[first + largest].kept.swap(reused);
        }
        for (std::size_t f = first; f < end; ++f) fresh[f].sorted = fresh[f].kept.size();
        first = end;
    }
    gaps[fresh.size()] += state.gaps[state.windows.size()];
    for (Window& w : fresh) w.set_masses(std::move(w.masses));
    state.windows = std::move(fresh);
    state.gaps = std::move(gaps);
    state.reset_index();
}

// Sorts proposals by their lower edge and unites those that overlap.
std::vector<Window> unite(std::vector<Window> proposals) {
    std::sort(proposals.begin(), proposals.end(),
              [](const Window& a, const Window& b) { return a.lo < b.lo || (a.lo == b.lo && a.hi < b.hi); });
    std::vector<Window> united;
    for (Window& p : proposals) {
        if (!united.empty() && p.lo <= united.back().hi) {
            united.back().hi = std::max(united.back().hi, p.hi);
            united.back().targets.insert(united.back().targets.end(), p.targets.begin(), p.targets.end());
        } else {
            united.push_back(std::move(p));
        }
    }
    for (Window& w : united) std::sort(w.targets.begin(), w.targets.end());
    return united;
}

// The key at a local 0-based rank, as seen from window `w` with `before` values below it: its lower
// edge when the rank lies below it, its upper edge when above. Needs w.compact().
std::uint64_t key_at(const Window& w, std::uint64_t before, double rank) {
    if (rank < static_cast<double>(before)) return w.lo;
    const double index = rank - static_cast<double>(before);
    if (index >= static_cast<double>(w.size())) return w.hi;
    return w.at(static_cast<std::uint64_t>(index));
}

// The most values a window with these targets is expected to hold while its collector sees the
// interval's values from n to m: the widest span of the targets' windows (the rule in narrow())
// over n' in [n, m], on a grid of 32 points, plus the growth allowed before narrowing again.
std::size_t expected_peak_values(const detail::Problem& problem, const std::vector<std::uint32_t>& targets,
                                 double n, double m, double sigmas) {
    constexpr int kGrid = 32;
    double widest = 0;
    for (int k = 0; k <= kGrid; ++k) {
        const double seen = n + (m - n) * k / kGrid;
        const double unseen_fraction = std::max(0.0, 1.0 - seen / m);
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (const std::uint32_t t : targets) {
            const double rank = static_cast<double>(problem.target_ranks[t]);
            const double f = (rank + 0.5) / m;
            const double centre = (rank + 0.5) * (seen / m);
            const double sd = std::sqrt(seen * f * (1 - f) * unseen_fraction);
            lo = std::min(lo, centre - sigmas * sd - kWindowSlackRanks);
            hi = std::max(hi, centre + sigmas * sd + kWindowSlackRanks);
        }
        widest = std::max(widest, hi - lo);
    }
    return planned_capacity(static_cast<std::size_t>(std::min(widest, m)));
}

// Narrows each window of a collector's interval to where its targets' ranks can still fall
// (see ExactQuantiles in the header for the rule). A collector that will see the rest of the pass
// (`plan_for_pass`) plans its windows' capacity for the most they are expected to hold until the
// end, so that a large window is not copied into a larger buffer while the collector holds most.
void narrow(ProblemState& state, const detail::Problem& problem, double sigmas, bool plan_for_pass,
            std::size_t capacity_limit) {
    const double n = static_cast<double>(state.seen);
    const double m = static_cast<double>(problem.values);
    if (state.seen == 0) return;
    const double unseen_fraction = std::max(0.0, 1.0 - n / m);
    std::vector<Window> proposals;
    std::uint64_t before = 0;
    for (std::size_t i = 0; i < state.windows.size(); ++i) {
        before += state.gaps[i];
        Window& w = state.windows[i];
        w.compact();
        for (const std::uint32_t t : w.targets) {
            const double rank = static_cast<double>(problem.target_ranks[t]);
            const double f = (rank + 0.5) / m;
            const double centre = (rank + 0.5) * (n / m);
            const double sd = std::sqrt(n * f * (1 - f) * unseen_fraction);
            const double lo_rank = std::floor(centre - sigmas * sd - kWindowSlackRanks);
            const double hi_rank = std::ceil(centre + sigmas * sd + kWindowSlackRanks);
            Window p;
            p.lo = key_at(w, before, lo_rank);
            p.hi = key_at(w, before, hi_rank);
            p.targets.push_back(t);
            proposals.push_back(std::move(p));
        }
        before += w.size();
    }
    std::vector<Window> united = unite(std::move(proposals));
    if (plan_for_pass) {
        for (Window& w : united) {
            w.expected_peak = std::min(capacity_limit, expected_peak_values(problem, w.targets, n, m, sigmas));
        }
    }
    refit(state, std::move(united));
}

// Gives up the window holding most values: its targets will be found in a later pass.
void drop_largest_window(ProblemState& state) {
    std::size_t largest = 0;
    for (std::size_t i = 1; i < state.windows.size(); ++i) {
        if (state.windows[i].kept.size() > state.windows[largest].kept.size()) largest = i;
    }
    std::vector<Window> fresh;
    for (std::size_t i = 0; i < state.windows.size(); ++i) {
        if (i == largest) continue;
        Window kept_window;
        kept_window.lo = state.windows[i].lo;
        kept_window.hi = state.windows[i].hi;
        kept_window.targets = state.windows[i].targets;
        fresh.push_back(std::move(kept_window));
    }
    refit(state, std::move(fresh));
}

// Empty windows with the same edges and targets.
std::vector<Window> bare_copy(const std::vector<Window>& windows) {
    std::vector<Window> copy;
    copy.reserve(windows.size());
    for (const Window& w : windows) {
        Window bare;
        bare.lo = w.lo;
        bare.hi = w.hi;
        bare.targets = w.targets;
        copy.push_back(std::move(bare));
    }
    return copy;
}

}  // namespace

struct QuantileCollector::State {
    std::shared_ptr<const detail::PassPlan> plan;
    std::vector<ProblemState> problems;
    std::uint64_t count = 0;
    std::size_t trigger = 0;  // narrow when the narrowed intervals' kept values reach this
    std::size_t windowed_kept = 0;  // kept values of the intervals that are not kept whole
    std::size_t peak = 0;
    // Set by empty_like(): this is the running collector, which will see the rest of the pass.
    bool plans_for_pass = false;

    std::size_t kept(bool windowed_only) const {
        std::size_t total = 0;
        for (std::size_t i = 0; i < problems.size(); ++i) {
            if (windowed_only && plan->problems[i].keep_all) continue;
            total += problems[i].kept;
        }
        return total;
    }

    void note_peak() { peak = std::max(peak, kept(false)); }

    void set_trigger(std::size_t kept_now) {
        const auto grown = kept_now + static_cast<std::size_t>(static_cast<double>(kept_now) * kNarrowingGrowth);
        trigger = std::min(plan->windowed_limit, std::max(plan->first_narrowing, grown));
    }

    // Narrows every interval that is not kept whole, with wider windows first, until the kept
    // values fit in half the limit; failing that, drops the largest windows.
    void narrow_all() {
        const std::size_t goal = plan->windowed_limit / 2;
        for (const double sigmas : kWindowSigmas) {
            for (std::size_t i = 0; i < problems.size(); ++i) {
                if (!plan->problems[i].keep_all) {
                    narrow(problems[i], plan->problems[i], sigmas, plans_for_pass, plan->windowed_limit);
                }
            }
            if (kept(true) <= goal) break;
        }
        while (kept(true) > goal) {
            std::size_t fullest = 0;
            for (std::size_t i = 1; i < problems.size(); ++i) {
                if (!plan->problems[i].keep_all && problems[i].kept > problems[fullest].kept) fullest = i;
            }
            drop_largest_window(problems[fullest]);
        }
        windowed_kept = kept(true);
        set_trigger(windowed_kept);
    }

    // Takes keys of values that all lie in the pass's first interval, when it is the only one.
    void add_to_only_interval(const std::uint64_t* keys, std::size_t n) {
        const detail::Problem& problem = plan->problems.front();
        ProblemState& state = problems.front();
        const unsigned shift = problem.histogram_shift;
        const std::uint64_t key_lo = problem.key_lo;
        std::uint64_t* const histogram = state.histogram.data();
        // The bucket table in locals: stores to the counters could otherwise alias its fields, which
        // the compiler would then load again for every value. Redone after each narrowing.
        RouteView view(state);
        std::uint64_t seen = state.seen;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t key = keys[i];
            ++seen;
            ++histogram[(key - key_lo) >> shift];
            const std::uint16_t code = view.lookup(key);
            if (route_kind(code) == Route::gap) {
                ++view.gaps[route_index(code)];
                continue;
            }
            state.seen = seen;
            if (route_kept(state, key, code) && !problem.keep_all && ++windowed_kept >= trigger) {
                note_peak();  // the most this collector holds: narrowing only drops values
                narrow_all();
                view = RouteView(state);
            }
        }
        state.seen = seen;
    }

    // Takes keys for any plan: each key goes to the interval holding it, if any.
    void add_to_intervals(const std::uint64_t* keys, std::size_t n) {
        for (std::size_t k = 0; k < n; ++k) {
            const std::uint64_t key = keys[k];
            for (std::size_t i = 0; i < plan->problems.size(); ++i) {
                const detail::Problem& problem = plan->problems[i];
                if (key < problem.key_lo || key > problem.key_hi) continue;
                ProblemState& state = problems[i];
                ++state.seen;
                ++state.histogram[(key - problem.key_lo) >> problem.histogram_shift];
                if (route_fast(state, key) && !problem.keep_all && ++windowed_kept >= trigger) {
                    note_peak();
                    narrow_all();
                }
            }
        }
    }
};

QuantileCollector::QuantileCollector(std::unique_ptr<State> state) : state_(std::move(state)) {}
QuantileCollector::QuantileCollector(QuantileCollector&&) noexcept = default;
QuantileCollector& QuantileCollector::operator=(QuantileCollector&&) noexcept = default;
QuantileCollector::~QuantileCollector() = default;

void QuantileCollector::add(std::span<const double> values) {
    State& s = *state_;
    const detail::PassPlan& plan = *s.plan;
    const bool only_interval = plan.problems.size() == 1 && plan.problems.front().key_lo == 0 &&
                               plan.problems.front().key_hi == kMaxKey;
    // Keys a chunk at a time, with the check for NaN and infinity, in a loop without branches that
    // the compiler can vectorise; then routed one by one.
    constexpr std::size_t kChunk = kAddChunk;
    std::uint64_t keys[kChunk];
    for (std::size_t start = 0; start < values.size(); start += kChunk) {
        const std::size_t n = std::min(kChunk, values.size() - start);
        // The exponent field plus one carries into the sign bit only when it is all ones.
        constexpr std::uint64_t kExponentOne = std::uint64_t{1} << 52;
        std::uint64_t non_finite = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto bits = std::bit_cast<std::uint64_t>(values[start + i]);
            non_finite |= (bits & kExponentBits) + kExponentOne;
            const auto negative = static_cast<std::uint64_t>(static_cast<std::int64_t>(bits) >> 63);
            keys[i] = bits ^ (negative | kSignBit);  // order_key() without its check
        }
        if ((non_finite & kSignBit) != 0) {
            for (std::size_t i = 0; i < n; ++i) order_key(values[start + i]);  // throws for the first
        }
        s.count += n;
        if (only_interval) {
            s.add_to_only_interval(keys, n);
        } else {
            s.add_to_intervals(keys, n);
        }
    }
    s.note_peak();
}

QuantileCollector QuantileCollector::empty_like() const {
    State& s = *state_;
    s.plans_for_pass = true;
    auto state = std::make_unique<State>();
    state->plan = s.plan;
    for (std::size_t i = 0; i < s.problems.size(); ++i) {
        ProblemState p;
        p.windows = bare_copy(s.problems[i].windows);
        p.gaps.assign(p.windows.size() + 1, 0);
        p.histogram.assign(s.plan->problems[i].histogram_bins, 0);
        reserve_until_first_narrowing(p, s.plan->problems[i], *s.plan);
        p.reset_index();
        state->problems.push_back(std::move(p));
    }
    state->set_trigger(0);
    return QuantileCollector(std::move(state));
}

void QuantileCollector::merge(QuantileCollector&& other) {
    if (!other.state_ || other.state_.get() == state_.get()) return;
    State& s = *state_;
    State& o = *other.state_;
    if (o.plan != s.plan) throw std::logic_error("exact percentiles: merging collectors of different passes");
    s.count += o.count;
    s.peak = std::max(s.peak, o.peak);
    for (std::size_t i = 0; i < s.problems.size(); ++i) {
        ProblemState& a = s.problems[i];
        ProblemState& b = o.problems[i];
        a.seen += b.seen;
        for (std::size_t j = 0; j < a.histogram.size(); ++j) a.histogram[j] += b.histogram[j];
        // Each side's windows hold its targets' values with certainty for that side's data; the
        // intersection holds them for both. Targets lost on either side stay lost.
        bool same = a.windows.size() == b.windows.size();
        for (std::size_t w = 0; same && w < a.windows.size(); ++w) {
            same = a.windows[w].lo == b.windows[w].lo && a.windows[w].hi == b.windows[w].hi &&
                   a.windows[w].targets == b.windows[w].targets;
        }
        if (!same) {
            const std::size_t targets = s.plan->problems[i].target_ranks.size();
            constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
            std::vector<std::size_t> in_a(targets, none);
            std::vector<std::size_t> in_b(targets, none);
            for (std::size_t w = 0; w < a.windows.size(); ++w) {
                for (const std::uint32_t t : a.windows[w].targets) in_a[t] = w;
            }
            for (std::size_t w = 0; w < b.windows.size(); ++w) {
                for (const std::uint32_t t : b.windows[w].targets) in_b[t] = w;
            }
            std::vector<Window> proposals;
            for (std::uint32_t t = 0; t < targets; ++t) {
                if (in_a[t] == none || in_b[t] == none) continue;
                const Window& wa = a.windows[in_a[t]];
                const Window& wb = b.windows[in_b[t]];
                Window p;
                p.lo = std::max(wa.lo, wb.lo);
                p.hi = std::min(wa.hi, wb.hi);
                if (p.lo > p.hi) continue;
                p.targets.push_back(t);
                proposals.push_back(std::move(p));
            }
            std::vector<Window> united = unite(std::move(proposals));
            std::vector<Window> united_copy = bare_copy(united);
            refit(a, std::move(united));
            refit(b, std::move(united_copy));
        }
        for (std::size_t g = 0; g < a.gaps.size(); ++g) a.gaps[g] += b.gaps[g];
        for (std::size_t w = 0; w < a.windows.size(); ++w) {
            Window& wa = a.windows[w];
            Window& wb = b.windows[w];
            wa.n_lo += wb.n_lo;
            wa.n_hi += wb.n_hi;
            // Take over the other's values when this window has none and no more room (equal
            // room: both reserved until their first narrowing), rather than copy them.
            if (wa.kept.empty() && wa.kept.capacity() <= wb.kept.capacity()) {
                wa.kept.swap(wb.kept);
                wa.sorted = wb.sorted;
            } else {
                reserve_more(wa.kept, wb.kept.size());
                wa.kept.insert(wa.kept.end(), wb.kept.begin(), wb.kept.end());
            }
            std::vector<std::uint64_t>().swap(wb.kept);
            if (!wb.masses.empty()) {
                std::vector<Mass> masses = std::move(wa.masses);
                masses.insert(masses.end(), wb.masses.begin(), wb.masses.end());
                wa.set_masses(std::move(masses));
            }
        }
        a.reset_index();
    }
    other.state_.reset();
    s.windowed_kept = s.kept(true);
    if (s.windowed_kept >= s.trigger) s.narrow_all();
    s.note_peak();
}

std::uint64_t QuantileCollector::count() const noexcept { return state_ ? state_->count : 0; }
std::size_t QuantileCollector::kept_values() const noexcept { return state_ ? state_->kept(false) : 0; }
std::size_t QuantileCollector::peak_kept_values() const noexcept { return state_ ? state_->peak : 0; }

struct ExactQuantiles::Impl {
    std::vector<double> probabilities;
    std::uint64_t total_draws = 0;
    std::size_t budget = 0;
    std::vector<std::uint64_t> wanted_ranks;  // 0-based, sorted, distinct
    std::map<std::uint64_t, double> found;  // 0-based rank -> value
    std::shared_ptr<const detail::PassPlan> plan;  // null once everything is found
    unsigned passes = 0;
    std::size_t peak = 0;
};

namespace {

// Histogram geometry for an interval: the smallest power-of-two bin width giving at most 4096 bins.
void set_histogram(detail::Problem& problem) {
    const std::uint64_t span = problem.key_hi - problem.key_lo;  // number of keys minus one
    unsigned shift = 0;
    while ((span >> shift) >= (std::uint64_t{1} << kHistogramBits)) ++shift;
    problem.histogram_shift = shift;
    problem.histogram_bins = static_cast<std::size_t>(span >> shift) + 1;
}

std::shared_ptr<detail::PassPlan> make_plan(unsigned pass, std::uint64_t total_draws, std::size_t budget,
                                            std::vector<detail::Problem> problems) {
    auto plan = std::make_shared<detail::PassPlan>();
    plan->pass = pass;
    plan->total_draws = total_draws;
    plan->budget = budget;
    const bool some_whole = std::any_of(problems.begin(), problems.end(),
                                        [](const detail::Problem& p) { return p.keep_all; });
    plan->windowed_limit = some_whole ? budget / 2 : budget;
    plan->first_narrowing = std::min(plan->windowed_limit, kFirstNarrowingValues);
    for (detail::Problem& p : problems) set_histogram(p);
    plan->problems = std::move(problems);
    return plan;
}

}  // namespace

ExactQuantiles::ExactQuantiles(std::vector<double> probabilities, std::uint64_t total_draws,
                               std::size_t max_kept_values_per_pass)
    : impl_(std::make_unique<Impl>()) {
    for (const double p : probabilities) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw std::invalid_argument(fmt::format("exact percentiles: probability {} is not in [0, 1]", p));
        }
    }
    if (total_draws == 0) throw std::invalid_argument("exact percentiles: no draws");
    if (max_kept_values_per_pass < kMinKeptValuesPerPass) {
        throw std::invalid_argument(fmt::format("exact percentiles: budget of {} kept values is below the minimum {}",
                                                max_kept_values_per_pass, kMinKeptValuesPerPass));
    }
    Impl& m = *impl_;
    m.probabilities = std::move(probabilities);
    m.total_draws = total_draws;
    m.budget = max_kept_values_per_pass;
    for (const double p : m.probabilities) {
        const LinearIndex index = numpy_linear_index(p, total_draws);
        const auto [ci_low, ci_high] = ci_ranks(p, total_draws);
        for (const std::uint64_t rank : {index.below, index.above, ci_low - 1, ci_high - 1}) {
            m.wanted_ranks.push_back(rank);
        }
    }
    std::sort(m.wanted_ranks.begin(), m.wanted_ranks.end());
    m.wanted_ranks.erase(std::unique(m.wanted_ranks.begin(), m.wanted_ranks.end()), m.wanted_ranks.end());
    if (!m.wanted_ranks.empty()) {
        detail::Problem all;
        all.values = total_draws;
        all.keep_all = total_draws <= max_kept_values_per_pass;
        all.target_ranks = m.wanted_ranks;
        m.plan = make_plan(1, total_draws, max_kept_values_per_pass, {std::move(all)});
    }
}

ExactQuantiles::ExactQuantiles(ExactQuantiles&&) noexcept = default;
ExactQuantiles& ExactQuantiles::operator=(ExactQuantiles&&) noexcept = default;
ExactQuantiles::~ExactQuantiles() = default;

std::uint64_t ExactQuantiles::pilot_draws() const noexcept { return 0; }

void ExactQuantiles::set_pilot(std::span<const double> values) {
    if (!values.empty()) {
        throw std::invalid_argument(fmt::format("exact percentiles: a pilot of {} values was given, none was asked for",
                                                values.size()));
    }
}

bool ExactQuantiles::needs_pass() const noexcept { return impl_->plan != nullptr; }

QuantileCollector ExactQuantiles::collector() const {
    if (!impl_->plan) throw std::logic_error("exact percentiles: no pass is needed");
    auto state = std::make_unique<QuantileCollector::State>();
    state->plan = impl_->plan;
    for (const detail::Problem& problem : impl_->plan->problems) {
        state->problems.push_back(initial_state(problem));
        reserve_until_first_narrowing(state->problems.back(), problem, *impl_->plan);
    }
    state->set_trigger(0);
    return QuantileCollector(std::move(state));
}

void ExactQuantiles::finish_pass(QuantileCollector&& merged) {
    Impl& m = *impl_;
    if (!m.plan) throw std::logic_error("exact percentiles: finish_pass() after the last pass");
    if (!merged.state_ || merged.state_->plan != m.plan) {
        throw std::logic_error("exact percentiles: finish_pass() with a collector of another pass");
    }
    QuantileCollector::State& s = *merged.state_;
    if (s.count != m.total_draws) {
        throw std::logic_error(fmt::format("exact percentiles: pass {} saw {} values, expected {}", m.plan->pass,
                                           s.count, m.total_draws));
    }
    const detail::PassPlan& plan = *m.plan;
    m.peak = std::max(m.peak, s.peak);

    struct Candidate {
        std::uint64_t key_lo, key_hi, values, rank_offset, rank;
    };
    std::vector<std::pair<Candidate, Candidate>> unresolved;  // (gap, histogram bin) per target
    for (std::size_t i = 0; i < plan.problems.size(); ++i) {
        const detail::Problem& problem = plan.problems[i];
        ProblemState& state = s.problems[i];
        if (state.seen != problem.values) {
            throw std::logic_error(fmt::format(
                "exact percentiles: pass {} saw {} values in a key interval that held {} in the pass before; "
                "the draws must be the same in every pass",
                plan.pass, state.seen, problem.values));
        }
        for (Window& w : state.windows) w.compact();
        for (const std::uint64_t rank : problem.target_ranks) {
            const std::uint64_t global_rank = problem.rank_offset + rank;
            std::uint64_t before = 0;
            bool found = false;
            for (std::size_t g = 0; g <= state.windows.size() && !found; ++g) {
                if (rank < before + state.gaps[g]) {
                    // In a gap: the keys strictly between the neighbouring windows.
                    Candidate gap;
                    gap.key_lo = g == 0 ? problem.key_lo : state.windows[g - 1].hi + 1;
                    gap.key_hi = g == state.windows.size() ? problem.key_hi : state.windows[g].lo - 1;
                    gap.values = state.gaps[g];
                    gap.rank_offset = problem.rank_offset + before;
                    gap.rank = global_rank;
                    Candidate bin{};
                    std::uint64_t bin_before = 0;
                    for (std::size_t b = 0; b < state.histogram.size(); ++b) {
                        if (rank < bin_before + state.histogram[b]) {
                            const std::uint64_t offset = std::uint64_t{b} << problem.histogram_shift;
                            const std::uint64_t width_less_one = (std::uint64_t{1} << problem.histogram_shift) - 1;
                            bin.key_lo = problem.key_lo + offset;
                            bin.key_hi = problem.key_hi - bin.key_lo <= width_less_one ? problem.key_hi
                                                                                        : bin.key_lo + width_less_one;
                            bin.values = state.histogram[b];
                            bin.rank_offset = problem.rank_offset + bin_before;
                            bin.rank = global_rank;
                            break;
                        }
                        bin_before += state.histogram[b];
                    }
                    if (gap.key_lo == gap.key_hi) {
                        m.found[global_rank] = value_of_key(gap.key_lo);
                    } else if (bin.key_lo == bin.key_hi) {
                        m.found[global_rank] = value_of_key(bin.key_lo);
                    } else {
                        unresolved.emplace_back(gap, bin);
                    }
                    found = true;
                    break;
                }
                before += state.gaps[g];
                if (g == state.windows.size()) break;
                const Window& w = state.windows[g];
                if (rank < before + w.size()) {
                    m.found[global_rank] = value_of_key(w.at(rank - before));
                    found = true;
                }
                before += w.size();
            }
            if (!found) throw std::logic_error("exact percentiles: rank beyond the counted values");
        }
    }
    ++m.passes;
    if (unresolved.empty()) {
        m.plan.reset();
        return;
    }
    if (plan.pass >= kMaxQuantilePasses) {
        throw std::logic_error("exact percentiles: unresolved ranks after the last possible pass");
    }
    // Next intervals: a gap small enough to be kept whole in the next pass, else the bin, whose key
    // range is 4096 times smaller than its interval's.
    const std::size_t whole_share = m.budget / (2 * unresolved.size());
    std::map<std::pair<std::uint64_t, std::uint64_t>, detail::Problem> next;
    for (const auto& [gap, bin] : unresolved) {
        const Candidate& chosen = gap.values <= whole_share && gap.values <= bin.values ? gap : bin;
        detail::Problem& problem = next[{chosen.key_lo, chosen.key_hi}];
        problem.key_lo = chosen.key_lo;
        problem.key_hi = chosen.key_hi;
        problem.values = chosen.values;
        problem.rank_offset = chosen.rank_offset;
        problem.target_ranks.push_back(chosen.rank - chosen.rank_offset);
    }
    std::vector<detail::Problem> problems;
    for (auto& [range, problem] : next) {
        std::sort(problem.target_ranks.begin(), problem.target_ranks.end());
        problem.target_ranks.erase(std::unique(problem.target_ranks.begin(), problem.target_ranks.end()),
                                   problem.target_ranks.end());
        problems.push_back(std::move(problem));
    }
    const std::size_t share = m.budget / (2 * problems.size());
    for (detail::Problem& problem : problems) problem.keep_all = problem.values <= share;
    m.plan = make_plan(plan.pass + 1, m.total_draws, m.budget, std::move(problems));
}

unsigned ExactQuantiles::passes() const noexcept { return impl_->passes; }

std::vector<PercentileResult> ExactQuantiles::percentiles() const {
    const Impl& m = *impl_;
    if (m.plan) throw std::logic_error("exact percentiles: percentiles() before the last pass");
    std::vector<PercentileResult> results;
    for (const double p : m.probabilities) {
        const LinearIndex index = numpy_linear_index(p, m.total_draws);
        const auto [ci_low, ci_high] = ci_ranks(p, m.total_draws);
        PercentileResult r{};
        r.probability = p;
        r.value = numpy_lerp(m.found.at(index.below), m.found.at(index.above), index.weight);
        r.ci_low_rank = ci_low;
        r.ci_high_rank = ci_high;
        r.ci_low = m.found.at(ci_low - 1);
        r.ci_high = m.found.at(ci_high - 1);
        results.push_back(r);
    }
    return results;
}

double ExactQuantiles::order_statistic(std::uint64_t rank_1based) const {
    const Impl& m = *impl_;
    if (m.plan) throw std::logic_error("exact percentiles: order_statistic() before the last pass");
    const auto it = rank_1based == 0 ? m.found.end() : m.found.find(rank_1based - 1);
    if (it == m.found.end()) {
        throw std::out_of_range(fmt::format("exact percentiles: rank {} was not asked for", rank_1based));
    }
    return it->second;
}

std::size_t ExactQuantiles::peak_kept_values() const noexcept { return impl_->peak; }
const std::vector<double>& ExactQuantiles::probabilities() const noexcept { return impl_->probabilities; }
std::uint64_t ExactQuantiles::total_draws() const noexcept { return impl_->total_draws; }

}  // namespace impact::uncertainty
