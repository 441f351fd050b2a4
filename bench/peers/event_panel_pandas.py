#!/usr/bin/python3
"""The multi-firm event study of stock.event_panel in pandas + statsmodels: the peer that
bench/event_panel.sh times `impact run` against (bench/README.md, "Multi-firm event panel").

    bench/peers/event_panel_pandas.py DIR [--repeat N] [--observations FILE] [--no-check]

DIR holds what bench/gen_event_panel.py writes: panel.csv (date,MKT,F0001,...), panel.toml (the
scenario: estimation_days L, gap_days G, window [a, b], and the events line) and, optionally,
events.csv (firm,day0), which is used in preference to the scenario's events line. Exactly one
event is expected; each of its firms may have its own day 0 (FIRM@DATE).

The statistics are computed as a quant would write them with pandas and statsmodels, one firm at
a time (T = b - a + 1 window days):

* per firm: simple returns of its closes and of MKT (pct_change); day 0 = the firm's date (or the
  next date in the panel); the estimation window = the L returns on days -(G+L) .. -(G+1);
  statsmodels.api.OLS(y, add_constant(x)).fit() on the windows' numpy arrays gives alpha, beta and
  s^2 = SSR / (L - 2);
  AR_t = R_t - alpha - beta R_mt on days a..b and on day 0; CAR = sum of AR over [a, b];
  var(CAR) = s^2 (T + T^2/L + (sum_t R_mt - T mean(R_m))^2 / S_mm), mean and S_mm over the
  estimation window (forecast-error corrected); SCAR = CAR / sqrt(var(CAR)).
* CAAR = mean CAR; cross-sectional t = CAAR / (sd(CAR)/sqrt N), N - 1 df;
  Patell Z = sum SCAR / sqrt(N (L-2)/(L-4)), normal; BMP t = mean SCAR / (sd(SCAR)/sqrt N), N - 1 df;
  Kolari-Pynnonen t = BMP t x sqrt((1 - r)/(1 + (N - 1) r)), N - 1 df, where r = the mean over
  all N(N-1)/2 pairs of the correlation of the two firms' estimation residuals on the dates both
  windows share (a DataFrame of residuals indexed by date, .corr(min_periods=3); a pair with
  fewer than 3 shared dates counts 0);
  Corrado rank Z on day 0 (when a <= 0 <= b): each firm's L + T abnormal returns (estimation
  residuals, then days a..b) ranked with pandas' rank(method="average"); with U_it = K_it -
  (L + T + 1)/2 and Ubar_t its mean over firms on event-time day t,
  Z = Ubar_0 / sqrt(mean over the L + T days of Ubar_t^2), normal;
  generalized sign Z = (w - N p)/sqrt(N p (1 - p)), w = firms with CAR > 0, p = mean over firms
  of the share of positive estimation residuals, normal.
* two-sided p-values from scipy.stats (statsmodels itself needs scipy, so it is always there).

Timed: only the statistics (the function `statistics` below: returns, fits, tests), after the
imports and after reading the files; the median of --repeat N runs (default 3). After timing,
unless --no-check, alpha and beta of a few firms are checked against numpy.linalg.lstsq (assert).
Prints one JSON line: timings in seconds and the headline results.
"""
import time

_started = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import statistics as pystats  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy import stats as distributions  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _started


# ---- Reading -------------------------------------------------------------------------------

def read_inputs(folder):
    """(closes DataFrame indexed by date, [(firm, Timestamp day 0)], event name, L, G, a, b)."""
    with open(os.path.join(folder, "panel.toml"), "rb") as f:
        scenario = tomllib.load(f)
    steps = [s for s in scenario.get("step", []) if s.get("model") == "stock.event_panel"]
    if len(steps) != 1:
        raise SystemExit(f"event_panel_pandas: {folder}/panel.toml needs exactly one stock.event_panel step")
    step = steps[0]
    L, G = int(step.get("estimation_days", 120)), int(step.get("gap_days", 10))
    a, b = (int(v) for v in step.get("window", [0, 1]))
    if step.get("method", "market_model") != "market_model" or step.get("returns", "simple") != "simple":
        raise SystemExit("event_panel_pandas: only method = \"market_model\" with simple returns is implemented")

    lines = [line.split() for line in step["events"].splitlines() if line.strip()]
    if len(lines) != 1:
        raise SystemExit(f"event_panel_pandas: expected one event in panel.toml, found {len(lines)}")
    name, event_day0, tokens = lines[0][0], pd.Timestamp(lines[0][1]), lines[0][2:]

    panel = pd.read_csv(os.path.join(folder, "panel.csv"), index_col="date", parse_dates=["date"])
    events_csv = os.path.join(folder, "events.csv")
    if os.path.exists(events_csv):
        table = pd.read_csv(events_csv, parse_dates=["day0"])
        events = list(zip(table["firm"], table["day0"]))
    elif tokens:
        events = [(t.split("@")[0], pd.Timestamp(t.split("@")[1]) if "@" in t else event_day0) for t in tokens]
    else:
        events = [(c, event_day0) for c in panel.columns if c != "MKT"]
    return panel, events, name, L, G, a, b


# ---- The statistics (timed) ----------------------------------------------------------------

def two_sided(statistic, df):
    """Two-sided p-value: Student t with df > 0 degrees of freedom, standard normal for df 0."""
    tail = distributions.t.sf(abs(statistic), df) if df > 0 else distributions.norm.sf(abs(statistic))
    return float(2.0 * tail)


def test(statistic, df):
    return {"statistic": float(statistic), "p_value": two_sided(statistic, df), "degrees_of_freedom": df}


def statistics(panel, events, L, G, a, b):
    """Per-firm fits and the event's aggregates; returns (results dict, per-firm DataFrame)."""
    T = b - a + 1
    market = panel["MKT"].pct_change()
    dates = panel.index
    firms, rows, residuals, ranks = [], [], {}, []
    for firm, day0 in events:
        ret = panel[firm].pct_change()
        k = int(dates.searchsorted(day0))  # day 0, or the next date of the panel
        if k - G - L - 1 < 0 or k + max(b, 0) >= len(dates):
            raise SystemExit(f"event_panel_pandas: {firm}'s windows around {day0.date()} leave the data")
        y, x = ret.iloc[k - G - L: k - G], market.iloc[k - G - L: k - G]
        # numpy arrays into statsmodels: add_constant on a Series takes longer than the fit itself.
        fit = sm.OLS(y.to_numpy(), sm.add_constant(x.to_numpy(), has_constant="add")).fit()
        alpha, beta = float(fit.params[0]), float(fit.params[1])
        s2 = fit.ssr / (L - 2)
        resid = pd.Series(fit.resid, index=y.index)
        window_market = market.iloc[k + a: k + b + 1]
        ar = ret.iloc[k + a: k + b + 1] - alpha - beta * window_market
        ar0 = ret.iloc[k] - alpha - beta * market.iloc[k]
        car = float(ar.sum())
        x_mean = x.mean()
        s_mm = float(((x - x_mean) ** 2).sum())
        car_variance = s2 * (T + T * T / L + (window_market.sum() - T * x_mean) ** 2 / s_mm)
        scar = car / math.sqrt(car_variance)
        residuals[firm] = resid
        ranks.append(pd.concat([resid, ar]).rank(method="average").to_numpy())
        firms.append(firm)
        rows.append((dates[k].date().isoformat(), alpha, beta, math.sqrt(s2), float(ar0), car, car_variance, scar,
                     float((resid > 0).mean()), *ar.to_numpy()))
    per_firm = pd.DataFrame(rows, index=pd.Index(firms, name="firm"),
                            columns=["day0", "alpha", "beta", "sigma", "ar0", "car", "car_variance", "scar",
                                     "positive_share", *[f"ar_day_{d}" for d in range(a, b + 1)]])

    N = len(per_firm)
    car, scar = per_firm["car"], per_firm["scar"]
    aar = per_firm[[f"ar_day_{d}" for d in range(a, b + 1)]].mean()
    caar = float(aar.cumsum().iloc[-1])
    cross_sectional_t = caar / (car.std(ddof=1) / math.sqrt(N))
    patell_z = scar.sum() / math.sqrt(N * (L - 2) / (L - 4))
    bmp_t = scar.mean() / (scar.std(ddof=1) / math.sqrt(N))

    correlations = pd.DataFrame(residuals).corr(min_periods=3).to_numpy()
    upper = correlations[np.triu_indices(N, k=1)]
    r_bar = float(np.nan_to_num(upper, nan=0.0).mean())
    kp_t = bmp_t * math.sqrt((1 - r_bar) / (1 + (N - 1) * r_bar))

    corrado = None
    if a <= 0 <= b:
        centred = np.vstack(ranks) - (L + T + 1) / 2.0
        daily = centred.mean(axis=0)  # event-time days -(G+L)..-(G+1), then a..b
        corrado = test(daily[L - a] / math.sqrt((daily ** 2).mean()), 0)

    p_hat = float(per_firm["positive_share"].mean())
    w = int((car > 0).sum())
    sign_z = (w - N * p_hat) / math.sqrt(N * p_hat * (1 - p_hat))

    results = {
        "firm_count": N,
        "aar": [float(v) for v in aar],
        "caar_path": [float(v) for v in aar.cumsum()],
        "caar": caar,
        "cross_sectional_t": test(cross_sectional_t, N - 1),
        "patell_z": test(patell_z, 0),
        "bmp_t": test(bmp_t, N - 1),
        "kolari_pynnonen_t": test(kp_t, N - 1),
        "corrado_z": corrado,
        "generalized_sign_z": test(sign_z, 0),
        "mean_residual_correlation": r_bar,
        "estimation_positive_share": p_hat,
        "positive_car_count": w,
    }
    return results, per_firm


# ---- Independent check of the fits ---------------------------------------------------------

def check_against_lstsq(panel, events, per_firm, L, G, count=5):
    """alpha, beta and s of `count` firms (spread over the panel) from numpy.linalg.lstsq."""
    closes = panel.to_numpy()
    market_col = panel.columns.get_loc("MKT")
    picked = sorted(set(np.linspace(0, len(events) - 1, min(count, len(events))).round().astype(int)))
    for i in picked:
        firm, day0 = events[i]
        k = int(panel.index.searchsorted(day0))
        rows = np.arange(k - G - L, k - G)
        col = panel.columns.get_loc(firm)
        y = closes[rows, col] / closes[rows - 1, col] - 1.0
        x = closes[rows, market_col] / closes[rows - 1, market_col] - 1.0
        design = np.column_stack([np.ones(L), x])
        (alpha, beta), ssr, _, _ = np.linalg.lstsq(design, y, rcond=None)
        mine = per_firm.loc[firm]
        assert math.isclose(mine["alpha"], alpha, rel_tol=1e-9, abs_tol=1e-13), (firm, mine["alpha"], alpha)
        assert math.isclose(mine["beta"], beta, rel_tol=1e-9), (firm, mine["beta"], beta)
        assert math.isclose(mine["sigma"], math.sqrt(ssr[0] / (L - 2)), rel_tol=1e-9), (firm, mine["sigma"])
    return [events[i][0] for i in picked]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder written by bench/gen_event_panel.py")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the statistics (median reported)")
    parser.add_argument("--observations", help="write the per-firm results to this CSV")
    parser.add_argument("--no-check", action="store_true", help="skip the numpy.linalg.lstsq check of the fits")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    started = time.perf_counter()
    panel, events, name, L, G, a, b = read_inputs(args.folder)
    load_seconds = time.perf_counter() - started

    seconds = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        results, per_firm = statistics(panel, events, L, G, a, b)
        seconds.append(time.perf_counter() - started)

    checked = [] if args.no_check else check_against_lstsq(panel, events, per_firm, L, G)
    if args.observations:
        per_firm.to_csv(args.observations, float_format="%.17g")
    report = {
        "peer": "pandas+statsmodels",
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "pandas": pd.__version__,
                     "statsmodels": statsmodels.__version__},
        "event": name,
        "firms": len(events),
        "days": len(panel),
        "estimation_days": L,
        "gap_days": G,
        "window": [a, b],
        "import_seconds": IMPORT_SECONDS,
        "load_seconds": load_seconds,
        "repeat": args.repeat,
        "stats_seconds": pystats.median(seconds),
        "stats_seconds_each": seconds,
        "lstsq_checked": checked,
        "results": results,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
