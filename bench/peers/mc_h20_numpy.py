#!/usr/bin/python3
"""The revenue.export_ban model and its Monte Carlo statistics in numpy: the peer that
bench/mc_h20.sh times `impact run --draws N` against.

    bench/peers/mc_h20_numpy.py [--scenario FILE] [--draws N] [--seed S] [--chunk C] [--json]
    bench/peers/mc_h20_numpy.py --check-model [--json]
    bench/peers/mc_h20_numpy.py --write-point-scenario OUT

It reads the scenario (default bench/mc-h20.toml: one step of model revenue.export_ban whose
numeric inputs are literals or distributions) and computes the model's five outputs
(plugins/revenue/README.md) the way a quant would write it: vectorised, in chunks of C draws
(default 10^6) from np.random.default_rng(seed) (PCG64), one thread. Per output it reports the
mean, sd (ddof=1), min, max, sem (sd / sqrt(N)) and the percentiles P1 ... P99.

The mean and sd are exact: each chunk's count, mean and sum of squared deviations are merged
with Chan et al.'s pairwise formula. The percentiles are approximate by design: each chunk's
percentiles (numpy's default linear interpolation) are averaged, weighted by the chunk's size.
With N <= C there is one chunk and they are exact.

--check-model evaluates the model once at the distributions' point values (triangular: mode,
uniform: midpoint, normal: mean), to compare with `impact run` of the same scenario without
distributions; --write-point-scenario writes that scenario (this file with each distribution
replaced by its point value). Only numpy and the standard library are used.
"""
import argparse
import calendar
import datetime
import json
import math
import os
import re
import sys
import time
import tomllib

import numpy as np

MODEL = "revenue.export_ban"
OUTPUTS = ("lost_revenue", "lost_gross_profit", "one_off_charges", "total_impact", "pv_total_impact")
PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)

# The model's numeric inputs (plugins/revenue/README.md, "Inputs"): kind and default (None:
# required). Draws are taken in this order, one array per uncertain input and chunk.
NUMERIC_INPUTS = {
    "annual_revenue": ("money", None),
    "restricted_share": ("percent", 1.0),
    "duration_years": ("number", None),
    "recapture": ("percent", 0.0),
    "gross_margin": ("percent", None),
    "one_off_charges": ("money", 0.0),
    "discount_rate": ("percent", 0.0),
}
DIST_PARAMS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high"), "normal": ("mean", "sd")}
SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
QUANTITY = re.compile(r"^\s*([-+]?(?:\d[\d,]*)?\.?\d*(?:[eE][-+]?\d+)?)\s*([KMBT]?)\s*(.*?)\s*$")
WHOLE_PERIOD_TOLERANCE = 1e-9  # as in plugins/revenue/export_ban.cpp


class ScenarioError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Reading the scenario


def parse_value(key, kind, value, currency):
    """A literal as docs/scenarios.md writes it ("13.5B USD", "60%", "25bp", 1, "1 years")."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ScenarioError(f"{key}: expected a number or a quantity text, found {value!r}")
    if not isinstance(value, str):
        if kind == "percent":
            raise ScenarioError(f"{key}: a percentage needs '%' or 'bp', found the number {value}")
        return float(value)
    m = QUANTITY.match(value)
    if not m or not any(c.isdigit() for c in m.group(1)):
        raise ScenarioError(f"{key}: cannot read {value!r} as a number")
    number = float(m.group(1).replace(",", "")) * SUFFIXES.get(m.group(2), 1.0)
    unit = m.group(3)
    if kind == "percent":
        if unit == "%":
            return number / 100.0
        if unit == "bp":
            return number / 10000.0
        raise ScenarioError(f"{key}: expected a percentage such as \"60%\", found {value!r}")
    if kind == "money":
        if unit not in ("", currency):
            raise ScenarioError(f"{key}: expected an amount in {currency}, found {value!r}")
        return number
    if unit not in ("", "years", "year"):
        raise ScenarioError(f"{key}: expected a number of years, found {value!r}")
    return number


def read_step(path):
    """The scenario's revenue.export_ban step: fixed inputs and distributions, resolved."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    steps = [s for s in doc.get("step", []) if s.get("model") == MODEL]
    if len(steps) != 1:
        raise ScenarioError(f"{path}: expected exactly one step of model {MODEL}, found {len(steps)}")
    step, head = steps[0], doc.get("scenario", {})
    currency = step.get("currency", head.get("currency", "USD"))
    as_of = step.get("as_of", head.get("as_of"))
    if isinstance(as_of, str):
        as_of = datetime.date.fromisoformat(as_of)
    if not isinstance(as_of, datetime.date):
        raise ScenarioError(f"{path}: as_of (step or [scenario]) is required, a date such as 2025-04-16")
    timing = step.get("timing", "quarterly")
    if timing not in ("quarterly", "annual"):
        raise ScenarioError(f"{path}: timing must be \"quarterly\" or \"annual\", found {timing!r}")
    unknown = set(step) - set(NUMERIC_INPUTS) - {"id", "model", "currency", "as_of", "timing"}
    if unknown:
        raise ScenarioError(f"{path}: step {step.get('id')}: not an input of {MODEL}: {', '.join(sorted(unknown))}")

    fixed, dists = {}, {}
    for key, (kind, default) in NUMERIC_INPUTS.items():
        value = step.get(key, default)
        if value is None:
            raise ScenarioError(f"{path}: step {step.get('id')}: input {key} is required")
        if isinstance(value, dict):
            name = value.get("dist")
            if name not in DIST_PARAMS or set(value) != {"dist", *DIST_PARAMS[name]}:
                raise ScenarioError(f"{path}: {key}: expected {{ dist = \"triangular\"|\"uniform\"|\"normal\", ... }} "
                                    f"with the parameters {DIST_PARAMS}, found {value!r}")
            dists[key] = (name, {p: parse_value(f"{key}.{p}", kind, value[p], currency) for p in DIST_PARAMS[name]})
        else:
            fixed[key] = parse_value(key, kind, value, currency)
    if "duration_years" in dists:
        raise ScenarioError(f"{path}: an uncertain duration_years is not supported by this peer "
                            "(the flow schedule would differ per draw)")
    return {"as_of": as_of, "timing": timing, "currency": currency, "fixed": fixed, "dists": dists}


def point_value(name, params):
    if name == "triangular":
        return params["mode"]
    if name == "uniform":
        return (params["low"] + params["high"]) / 2.0
    return params["mean"]


# ---------------------------------------------------------------------------------------
# The flow schedule (plugins/revenue/README.md, "Cash-flow timing")


def add_months(day, months):
    """QuantLib's Date + Period(months, Months): a day past the end of the month is clamped."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def round_half_away(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def flow_schedule(as_of, duration_years, timing):
    """[(days from as_of, fraction of a full period's amount)] and the period in years."""
    months = 3 if timing == "quarterly" else 12
    period_years = months / 12.0
    periods = duration_years / period_years
    nearest = round_half_away(periods)
    if abs(periods - nearest) <= WHOLE_PERIOD_TOLERANCE * max(1.0, nearest):
        periods = float(nearest)
    full = math.floor(periods)
    partial = periods - full
    flows = [((add_months(as_of, k * months) - as_of).days, 1.0) for k in range(1, full + 1)]
    if partial > 0.0:
        start = add_months(as_of, full * months)
        period_days = (add_months(as_of, (full + 1) * months) - start).days
        flows.append(((start - as_of).days + round_half_away(partial * period_days), partial))
    return flows, period_years


# ---------------------------------------------------------------------------------------
# The model, on arrays (or scalars)


class Model:
    def __init__(self, step):
        self.step = step
        flows, period_years = flow_schedule(step["as_of"], step["fixed"]["duration_years"], step["timing"])
        self.flows = flows
        self.years = np.array([days / 365.0 for days, _ in flows])  # Actual/365 (Fixed)
        self.weights = np.array([period_years * fraction for _, fraction in flows])

    def outputs(self, v):
        """v: input key -> array or float. Returns output key -> array or float."""
        annual_lost_revenue = v["annual_revenue"] * v["restricted_share"] * (1.0 - v["recapture"])
        lost_revenue = annual_lost_revenue * v["duration_years"]
        lost_gross_profit = lost_revenue * v["gross_margin"]
        charges = v["one_off_charges"]
        # Each flow is annual gross profit x period x fraction, discounted by (1 + r)^-(days/365).
        # log(1 + r) once per draw, then one exp per flow.
        log_growth = np.log1p(v["discount_rate"])
        discount = 0.0
        for t, w in zip(self.years, self.weights):
            discount = discount + w * np.exp(-t * log_growth)
        pv = charges + annual_lost_revenue * v["gross_margin"] * discount
        if np.ndim(charges) == 0 and np.ndim(lost_revenue) > 0:
            charges = np.full_like(lost_revenue, charges)
        return {"lost_revenue": lost_revenue, "lost_gross_profit": lost_gross_profit,
                "one_off_charges": charges, "total_impact": lost_gross_profit + charges, "pv_total_impact": pv}

    def at_point_values(self):
        v = dict(self.step["fixed"])
        for key, (name, params) in self.step["dists"].items():
            v[key] = point_value(name, params)
        # The scalar path follows QuantLib's arithmetic literally: DF = 1 / (1 + r)^t.
        annual_lost_revenue = v["annual_revenue"] * v["restricted_share"] * (1.0 - v["recapture"])
        out = {"lost_revenue": annual_lost_revenue * v["duration_years"]}
        out["lost_gross_profit"] = out["lost_revenue"] * v["gross_margin"]
        out["one_off_charges"] = v["one_off_charges"]
        out["total_impact"] = out["lost_gross_profit"] + out["one_off_charges"]
        pv = v["one_off_charges"]
        for t, w in zip(self.years, self.weights):
            pv += annual_lost_revenue * v["gross_margin"] * w / (1.0 + v["discount_rate"]) ** float(t)
        out["pv_total_impact"] = pv
        return v, out


def draw(rng, name, params, size):
    if name == "triangular":
        return rng.triangular(params["low"], params["mode"], params["high"], size)
    if name == "uniform":
        return rng.uniform(params["low"], params["high"], size)
    return rng.normal(params["mean"], params["sd"], size)


# ---------------------------------------------------------------------------------------
# Statistics, merged chunk by chunk


class Accumulator:
    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0
        self.min, self.max = math.inf, -math.inf
        self.percentile_sums = np.zeros(len(PERCENTILES))

    def add(self, x):
        n_b = x.size
        mean_b = float(x.mean())
        deviation = x - mean_b
        m2_b = float(deviation.dot(deviation))
        n = self.n + n_b
        delta = mean_b - self.mean
        self.m2 += m2_b + delta * delta * self.n * n_b / n
        self.mean += delta * n_b / n
        self.n = n
        self.min = min(self.min, float(x.min()))
        self.max = max(self.max, float(x.max()))
        self.percentile_sums += n_b * np.percentile(x, PERCENTILES)

    def result(self):
        sd = math.sqrt(self.m2 / (self.n - 1)) if self.n > 1 else math.nan
        return {"mean": self.mean, "sd": sd, "min": self.min, "max": self.max, "sem": sd / math.sqrt(self.n),
                "percentiles": {f"P{p}": float(s / self.n) for p, s in zip(PERCENTILES, self.percentile_sums)}}


def simulate(model, draws, seed, chunk):
    rng = np.random.default_rng(seed)
    fixed, dists = model.step["fixed"], model.step["dists"]
    accumulators = {key: Accumulator() for key in OUTPUTS}
    done = 0
    while done < draws:
        size = min(chunk, draws - done)
        v = dict(fixed)
        for key in NUMERIC_INPUTS:
            if key in dists:
                v[key] = draw(rng, *dists[key], size)
        for key, values in model.outputs(v).items():
            accumulators[key].add(values)
        done += size
    return {key: acc.result() for key, acc in accumulators.items()}


# ---------------------------------------------------------------------------------------
# The point-value scenario


INLINE_DIST = re.compile(r"\{[^{}]*\bdist\s*=[^{}]*\}")


def write_point_scenario(source, target):
    """source with each `key = { dist = ... }` replaced by its point value, as text."""
    step = read_step(source)
    with open(source, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if not m or m.group(1) not in step["dists"] or not INLINE_DIST.search(line):
            continue
        key = m.group(1)
        value = point_value(*step["dists"][key])
        kind = NUMERIC_INPUTS[key][0]
        text = {"percent": f'"{value * 100:.17g}%"', "money": f'"{value:.17g} {step["currency"]}"'}.get(kind, f"{value:.17g}")
        lines[i] = INLINE_DIST.sub(lambda _: text, line, count=1)
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------------------------------


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default=os.path.join(here, "..", "mc-h20.toml"))
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--check-model", action="store_true", help="evaluate once at the point values")
    parser.add_argument("--write-point-scenario", metavar="OUT", help="write the scenario at its point values")
    args = parser.parse_args()
    if args.draws < 2 or args.chunk < 2:
        parser.error("--draws and --chunk must be at least 2")
    try:
        if args.write_point_scenario:
            write_point_scenario(args.scenario, args.write_point_scenario)
            return 0
        model = Model(read_step(args.scenario))
    except (ScenarioError, OSError, tomllib.TOMLDecodeError) as e:
        print(f"mc_h20_numpy: error: {e}", file=sys.stderr)
        return 2

    if args.check_model:
        inputs, outputs = model.at_point_values()
        if args.json:
            print(json.dumps({"inputs": inputs, "flows_days": [d for d, _ in model.flows], "outputs": outputs}))
        else:
            for key, value in inputs.items():
                print(f"input  {key:<18} {value:.17g}")
            print(f"flows  days from as_of {[d for d, _ in model.flows]}")
            for key, value in outputs.items():
                print(f"output {key:<18} {value:.17g}")
        return 0

    start = time.perf_counter()
    stats = simulate(model, args.draws, args.seed, args.chunk)
    seconds = time.perf_counter() - start
    report = {
        "draws": args.draws, "seed": args.seed, "chunk": args.chunk, "threads": 1,
        "generator": f"numpy {np.__version__} default_rng (PCG64)",
        "percentile_method": "mean of per-chunk percentiles (numpy linear), weighted by chunk size"
                             + ("; exact: one chunk" if args.draws <= args.chunk else "; approximate"),
        "wall_seconds": seconds, "draws_per_second": args.draws / seconds,
        "outputs": stats,
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.draws} draws, seed {args.seed}, chunks of {args.chunk}: {seconds:.3f} s, "
              f"{args.draws / seconds:,.0f} draws/s")
        print(f"{'output':<18}{'mean':>18}{'sd':>16}{'sem':>12}{'P5':>18}{'P50':>18}{'P95':>18}")
        for key, s in stats.items():
            p = s["percentiles"]
            print(f"{key:<18}{s['mean']:>18.1f}{s['sd']:>16.1f}{s['sem']:>12.1f}"
                  f"{p['P5']:>18.1f}{p['P50']:>18.1f}{p['P95']:>18.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
