// Multi-firm event study (a panel of firms and events): per-firm market-model fits and the cross-sectional tests.
#ifndef IMPACT_PLUGINS_STOCK_EVENT_PANEL_HPP
#define IMPACT_PLUGINS_STOCK_EVENT_PANEL_HPP

// Pure logic, like event_study.hpp, whose series type, return types and methods it shares. Every
// function is a pure function of its arguments (no state, no QuantLib singleton): safe from any
// thread. plugins/stock/README.md ("stock.event_panel") writes out every formula and its source.
//
// Vocabulary: a *firm* is one dated close series (its key is its name: "NVDA"); an *event* is a
// named day 0 with the firms it concerns; an *observation* is one (firm, event) pair. Results are
// always keyed by (firm, event), and every test is computed per event, never pooled across events.

#include "event_study.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace impact::stock {

// A firm an event concerns, with its own day 0 when the event is in event time (earnings days).
struct PanelEventFirm {
    std::string firm;                             // a firm's key
    std::optional<int32_t> event_date_days;       // overrides the event's day 0 for this firm
};

struct PanelEvent {
    std::string name;                  // "h20": [a-z0-9_-], unique among the events
    int32_t event_date_days = 0;       // day 0, or the day before the next common trading day
    std::vector<PanelEventFirm> firms;  // the firms it concerns; empty means every firm
};

struct EventPanelParameters {
    int estimation_days = 120;  // L, >= min_panel_estimation_days (Patell needs L - 2 > 2)
    int gap_days = 10;          // G, >= 0
    int window_start = 0;       // a, >= -G
    int window_end = 1;         // b, >= a
    ReturnType returns = ReturnType::simple;
    Method method = Method::market_model;
    // false: a firm whose data do not cover its windows (or has a bad close inside them) is an
    // InputError naming the firm and the event; true: it is dropped and listed in `skipped`.
    bool skip_incomplete = false;
    // Shares outstanding per firm key, for the abnormal dollar value; a firm not listed has none.
    std::vector<std::pair<std::string, double>> shares_outstanding;
};

// L - 4 > 0 keeps Patell's variance (L-2)/(L-4) finite; 10 matches stock.event_study.
inline constexpr int min_panel_estimation_days = 10;

// One (firm, event) observation.
struct FirmEventResult {
    std::string firm;
    std::string event;
    // The fit on the estimation window, as stock.event_study computes it (same alignment, same
    // returns, same two-pass moments), so that for one firm both agree exactly.
    double alpha = 0.0;
    double beta = 0.0;
    double sigma = 0.0;            // s: residual sd, degrees_of_freedom in the divisor
    int degrees_of_freedom = 0;    // L - 2 (market_model), L - 1 (constant_mean, market_adjusted)
    int n_estimation = 0;          // L
    int n_dropped = 0;             // dates only the firm or only the market has, in the span used
    int32_t day0_days = 0;
    int32_t estimation_first_days = 0;
    int32_t estimation_last_days = 0;
    std::vector<int32_t> window_dates;       // days a..b
    std::vector<double> abnormal_returns;    // AR over days a..b
    std::vector<double> ar_variance;         // forecast-error-corrected var(AR_t) over days a..b
    double ar0 = 0.0;                        // AR on day 0 (always computed, as in event_study)
    double car = 0.0;                        // sum of AR over [a, b]
    double car_variance = 0.0;               // forecast-error-corrected var(CAR)
    double scar = 0.0;                       // car / sqrt(car_variance)
    std::vector<int32_t> estimation_dates;   // the L estimation-window dates
    std::vector<double> estimation_residuals;  // AR over the estimation window (for r-bar, ranks, sign)
    // CAR x close on day a - 1 x shares; NaN when the firm has no shares_outstanding.
    double abnormal_value = 0.0;
    int32_t value_base_days = 0;
    double value_base_close = 0.0;
};

// An observation left out under skip_incomplete, and why.
struct SkippedObservation {
    std::string firm;
    std::string event;
    std::string reason;  // the message the InputError would have carried
};

// A test statistic with its two-sided p-value. degrees_of_freedom > 0: Student t; 0: standard normal.
struct PanelTest {
    double statistic = 0.0;
    double p_value = 0.0;
    int degrees_of_freedom = 0;
};

// Everything computed for one event across its N firms (N >= 2).
struct EventAggregate {
    std::string event;
    int32_t day0_days = 0;
    int firm_count = 0;                  // N
    std::vector<int> relative_days;      // a..b
    std::vector<double> aar;             // mean AR per day
    std::vector<double> caar_path;       // running sum of aar
    double caar = 0.0;                   // caar_path.back()
    PanelTest cross_sectional_t;         // CAAR / (sd(CAR_i)/sqrt N), N - 1 df
    PanelTest patell_z;                  // sum SCAR_i / sqrt(sum d_i/(d_i - 2)), normal
    PanelTest bmp_t;                     // mean(SCAR)/(sd(SCAR)/sqrt N), N - 1 df
    PanelTest kolari_pynnonen_t;         // bmp_t x sqrt((1 - r)/(1 + (N - 1) r)), N - 1 df
    std::optional<PanelTest> corrado_z;  // on day 0; nullopt when day 0 lies outside [a, b]
    PanelTest generalized_sign_z;        // (w - N p)/sqrt(N p (1 - p)), normal
    double mean_residual_correlation = 0.0;  // r-bar
    double estimation_positive_share = 0.0;  // p-hat
    int positive_car_count = 0;              // w
    double abnormal_value_total = 0.0;   // sum over firms with shares; NaN when none has
    int firms_with_value = 0;
};

struct EventPanelResult {
    std::vector<FirmEventResult> observations;  // events in the order given, firms in series order
    std::vector<SkippedObservation> skipped;
    std::vector<EventAggregate> events;         // in the order given
};

// Fits one firm for one event. Throws sdk::InputError naming the firm's key (or "events") when the
// data cannot support it; std::domain_error on a zero residual variance.
FirmEventResult estimate_firm_event(const DatedCloses& firm, const DatedCloses& market, std::string_view event_name,
                                    int32_t event_date_days, const EventPanelParameters& parameters);

// The aggregates and tests of one event from its observations. Throws sdk::InputError("events", ...)
// when N < 2 (naming the event and the firm) and std::domain_error when a test has no defined value
// (every CAR equal, p-hat 0 or 1, ...), naming the test.
EventAggregate aggregate_event(const PanelEvent& event, std::span<const FirmEventResult> observations,
                               const EventPanelParameters& parameters);

// The whole panel. Throws sdk::InputError for duplicate firm keys ("firms"), an unknown firm in an
// event, duplicate event names, an event outside the data ("events"), overlapping windows of two
// events that share a firm ("events"), and incomplete data without skip_incomplete (the firm's key).
EventPanelResult run_event_panel(std::span<const DatedCloses> firms, const DatedCloses& market,
                                 std::span<const PanelEvent> events, const EventPanelParameters& parameters);

}  // namespace impact::stock

#endif  // IMPACT_PLUGINS_STOCK_EVENT_PANEL_HPP
