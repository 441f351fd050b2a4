#!/usr/bin/python3
"""Writes a reproducible multi-firm event panel for benchmarking stock.event_panel (bench/README.md).

    bench/gen_event_panel.py [--seed 1] [--firms 500] [--days 2500] [--estimation-days 250]
                             [--gap-days 10] --out DIR

Writes into DIR:

* panel.csv    header `date,MKT,F0001,...`; one row per trading day: DAYS consecutive weekdays
               from 2015-01-02 (weekends skipped, no holidays), ISO dates; closes printed with 6
               significant digits ('%.6g', never in exponent form).
* panel.toml   a scenario for `impact run`: one [[step]] of model stock.event_panel with one
               event, "bench", whose firms each have their own day 0 (FIRM@DATE tokens).
* events.csv   `firm,day0`: the same per-firm days 0, for the peer and bench_event_panel.

The data: the market's log return is N(0.0003, 0.010^2) a day (a geometric random walk from
1000). Firm i's log return is alpha_i + beta_i r_m + gamma_i f + eps_i, with f a common industry
factor N(0, 0.004^2) and eps_i N(0, sigma_i^2): the market-model residuals of two firms are then
mildly correlated (about 0.02 to 0.05). Firm i's day 0 is drawn uniformly among the dates with
at least L + G + 1 trading days before it and 1 after it; a random half of the firms get an
abnormal jump of 2 % to 5 % in log price on their day 0, so the tests have something to find.
Everything comes from numpy's default_rng(seed) in a fixed order, so the same arguments give the
same files byte for byte. Only numpy and the standard library are used.
"""
import argparse
import datetime
import os
import sys

import numpy as np

FIRST_DATE = datetime.date(2015, 1, 2)
EVENT_NAME = "bench"
WINDOW = (0, 1)  # the scenario's window; day 0 needs max(b, 0) trading days after it


def weekdays(first, count):
    """count consecutive weekdays from first (a weekday) on."""
    out, day = [], first
    while len(out) < count:
        if day.weekday() < 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def generate(seed, firms, days, estimation_days, gap_days):
    """(dates, market closes, firm closes [days x firms], day-0 index per firm, jumped mask)."""
    rng = np.random.default_rng(seed)
    dates = weekdays(FIRST_DATE, days)

    market_log = rng.normal(0.0003, 0.010, days)
    industry = rng.normal(0.0, 0.004, days)
    alpha = rng.uniform(-0.0002, 0.0004, firms)
    beta = rng.uniform(0.5, 1.5, firms)
    gamma = rng.uniform(0.3, 1.2, firms)
    sigma = rng.uniform(0.010, 0.022, firms)
    start = rng.uniform(20.0, 200.0, firms)
    eps = rng.standard_normal((days, firms)) * sigma

    # Day 0 at row k: the estimation window's first return is row k - (G + L), which needs the
    # close before it (k - G - L - 1 >= 0); the window's last return is row k + max(b, 0).
    lo, hi = estimation_days + gap_days + 1, days - 1 - max(WINDOW[1], 0)
    if lo > hi:
        raise SystemExit(f"gen_event_panel: {days} days cannot hold L + G + 1 = {lo} days before day 0 and "
                         f"{max(WINDOW[1], 0)} after it")
    day0 = rng.integers(lo, hi + 1, firms)
    jumped = np.zeros(firms, dtype=bool)
    jumped[rng.permutation(firms)[: firms // 2]] = True
    jump = rng.uniform(0.02, 0.05, firms) * jumped

    firm_log = alpha + np.outer(market_log, beta) + np.outer(industry, gamma) + eps
    firm_log[day0, np.arange(firms)] += jump
    # Row 0 is the first close: no return before it.
    market_log[0] = 0.0
    firm_log[0, :] = 0.0
    market = 1000.0 * np.exp(np.cumsum(market_log))
    closes = start * np.exp(np.cumsum(firm_log, axis=0))
    return dates, market, closes, day0, jumped


def firm_key(i):
    return f"F{i + 1:04d}"


def close_text(values):
    """'%.6g' of each value, refusing any that it would print in exponent form."""
    if not (np.all(values >= 1e-4) and np.all(values < 1e6)):
        raise SystemExit("gen_event_panel: a close left [1e-4, 1e6), where '%.6g' would print an exponent; "
                         "try another --seed")
    return ["%.6g" % v for v in values]


def write_csv(path, dates, market, closes):
    keys = [firm_key(i) for i in range(closes.shape[1])]
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("date,MKT," + ",".join(keys) + "\n")
        market_text = close_text(market)
        for row, day in enumerate(dates):
            f.write(day.isoformat() + "," + market_text[row] + "," + ",".join(close_text(closes[row])) + "\n")


def write_events_csv(path, dates, day0):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("firm,day0\n")
        for i, k in enumerate(day0):
            f.write(f"{firm_key(i)},{dates[k].isoformat()}\n")


def write_toml(path, command, dates, day0, estimation_days, gap_days):
    firms = len(day0)
    keys = [firm_key(i) for i in range(firms)]
    # The event's own day 0 (every firm overrides it): the middle of the dates a day 0 may take.
    event_day0 = dates[(int(day0.min()) + int(day0.max())) // 2]
    tokens = " ".join(f"{keys[i]}@{dates[k].isoformat()}" for i, k in enumerate(day0))
    lines = [
        f"# Generated by {command}: {firms:,} firms x {len(dates):,} days, one event per firm (bench/README.md).",
        "[scenario]",
        f'name = "Generated event panel: {firms} firms x {len(dates)} days"',
        "",
        "[data.firms]",
        'file = "panel.csv"',
        "columns = [" + ", ".join(f'"{k}"' for k in keys) + "]",
        "",
        "[data.market]",
        'file = "panel.csv"',
        'value = "MKT"',
        "",
        "[[step]]",
        'id = "panel"',
        'model = "stock.event_panel"',
        'firms = { data = "firms" }',
        'market = { data = "market" }',
        "# one line per event: NAME DAY0 [FIRM or FIRM@DAY0 ...]; here one event whose firms each have their own day 0",
        'events = """',
        f"{EVENT_NAME} {event_day0.isoformat()} {tokens}",
        '"""',
        f"estimation_days = {estimation_days}",
        f"gap_days = {gap_days}",
        f"window = [{WINDOW[0]}, {WINDOW[1]}]",
        'method = "market_model"',
    ]
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--firms", type=int, default=500)
    parser.add_argument("--days", type=int, default=2500)
    parser.add_argument("--estimation-days", type=int, default=250)
    parser.add_argument("--gap-days", type=int, default=10)
    parser.add_argument("--out", required=True, help="folder to write panel.csv, panel.toml and events.csv into")
    args = parser.parse_args()
    if not 2 <= args.firms <= 9999:
        parser.error("--firms must be from 2 to 9999 (keys F0001..F9999)")
    if args.estimation_days < 10 or args.gap_days < 0 or args.days < 2:
        parser.error("--estimation-days must be at least 10, --gap-days at least 0, --days at least 2")

    dates, market, closes, day0, jumped = generate(args.seed, args.firms, args.days, args.estimation_days,
                                                   args.gap_days)
    os.makedirs(args.out, exist_ok=True)
    command = (f"bench/gen_event_panel.py --seed {args.seed} --firms {args.firms} --days {args.days} "
               f"--estimation-days {args.estimation_days} --gap-days {args.gap_days}")
    write_csv(os.path.join(args.out, "panel.csv"), dates, market, closes)
    write_events_csv(os.path.join(args.out, "events.csv"), dates, day0)
    write_toml(os.path.join(args.out, "panel.toml"), command, dates, day0, args.estimation_days, args.gap_days)
    print(f"gen_event_panel: {args.firms} firms x {args.days} days ({dates[0]}..{dates[-1]}), "
          f"{int(jumped.sum())} with a jump on day 0, into {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
