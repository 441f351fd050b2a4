#!/usr/bin/env python3
"""Compares the SDK paths of bench_sdk_overhead with the direct C++ call.

Reads Google Benchmark JSON (--benchmark_format=json or --benchmark_out=FILE) and prints three
tables. The first has each path's own benchmark (<path>/rows:N): time per call and per row
and the difference from direct/rows:N, measured at another moment. The second has the paired
benchmarks (paired/<path>/rows:N), which time the path and direct in alternating blocks: their
difference in ns and in % is the one judged, PASS/FAIL, against the targets of
bench/README.md (when a path has no paired benchmark, its separate figures are judged):

  one-row call (rows = 1):   at most 5 ns per call slower than direct
  batch of 4,096 rows:       at most 5 % slower per row than direct
  other batch sizes:         shown, no target

With repetitions the chosen statistic (median by default) is used: Google Benchmark's
aggregate when the JSON has aggregates, otherwise computed here from the repetitions.

A last table sums up, per path, the one-row and 4,096-row figures that are judged and their
verdicts, marking which paths are gated and which are shown for information.

Exit status: 0 when every gated path meets both targets, 1 when one does not, 2 when the
input cannot be used. The gated paths are those of --gate (default: sdk_raw_fixed_batch,
the raw SDK call of the model written as the SDK recommends); the other paths (sdk_raw with
the dynamic Batch, and the host's host_unchecked and host_checked) get a verdict too, for
information.

Standard library only.
"""

import argparse
import json
import re
import statistics
import sys

TARGET_ONE_ROW_NS = 5.0
TARGET_BATCH_ROWS = 4096
TARGET_BATCH_PERCENT = 5.0
BASELINE = "direct"
DEFAULT_GATE = "sdk_raw_fixed_batch"
PATH_ORDER = ["direct", "sdk_raw_fixed_batch", "sdk_raw", "host_unchecked", "host_checked",
              "diag_zeroed_error", "diag_lean_error"]
# Diagnostics explain a cost; they are not candidates for the targets and get no summary row.
DIAGNOSTIC_PREFIX = "diag_"
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
NAME = re.compile(r"^(?P<paired>paired/)?(?P<path>[A-Za-z_0-9]+)/rows:(?P<rows>\d+)")
PAIRED_COUNTERS = ["direct_ns", "path_ns", "diff_ns", "diff_pct"]


def load_runs(document, statistic, time_field):
    """({(path, rows): ns per call}, {(path, rows): {counter: value}}, repetitions)."""
    samples, aggregates = {}, {}
    paired_samples, paired_aggregates = {}, {}
    repetitions = 1
    for b in document.get("benchmarks", []):
        name = b.get("run_name") or b.get("name", "")
        if b.get("error_occurred"):
            raise SystemExit(f"compare.py: {name} failed: {b.get('error_message')}")
        match = NAME.match(name)
        if not match:
            continue
        key = (match["path"], int(match["rows"]))
        repetitions = max(repetitions, int(b.get("repetitions", 1)))
        if match["paired"]:
            value = {c: float(b[c]) for c in PAIRED_COUNTERS if c in b}
            if len(value) != len(PAIRED_COUNTERS):
                continue
            store_samples, store_aggregates = paired_samples, paired_aggregates
        else:
            value = float(b[time_field]) * UNIT_NS[b.get("time_unit", "ns")]
            store_samples, store_aggregates = samples, aggregates
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == statistic:
                store_aggregates[key] = value
        else:
            store_samples.setdefault(key, []).append(value)
    reduce = {"median": statistics.median, "mean": statistics.mean, "min": min}[statistic]
    runs = dict(aggregates)
    for key, values in samples.items():
        runs.setdefault(key, reduce(values))
    paired = dict(paired_aggregates)
    for key, values in paired_samples.items():
        # "min" of a difference would pick the luckiest repetition: use the median instead.
        pick = statistics.median if statistic == "min" else reduce
        paired.setdefault(key, {c: pick([v[c] for v in values]) for c in PAIRED_COUNTERS})
    return runs, paired, repetitions


def verdict(rows, diff_ns_per_call, diff_percent):
    if rows == 1:
        return ("<= +5 ns/call", "PASS" if diff_ns_per_call <= TARGET_ONE_ROW_NS else "FAIL")
    if rows == TARGET_BATCH_ROWS:
        return ("<= +5 %/row", "PASS" if diff_percent <= TARGET_BATCH_PERCENT else "FAIL")
    return ("-", "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", nargs="?", default="-", help="benchmark JSON file, - for stdin (default)")
    parser.add_argument("--statistic", choices=["median", "mean", "min"], default="median")
    parser.add_argument("--time", choices=["real", "cpu"], default="cpu",
                        help="cpu_time (default: the thread's own time, so time spent descheduled "
                             "on a busy machine does not count) or real_time (wall clock)")
    parser.add_argument("--gate", default=DEFAULT_GATE,
                        help=f"comma-separated paths whose verdicts set the exit status (default: {DEFAULT_GATE}); "
                             "the other paths are judged for information")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a gated target is missed")
    args = parser.parse_args()

    try:
        with (sys.stdin if args.json == "-" else open(args.json, encoding="utf-8")) as f:
            document = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"compare.py: cannot read {args.json}: {e}", file=sys.stderr)
        return 2

    runs, paired, reps = load_runs(document, args.statistic, f"{args.time}_time")
    sizes = sorted({rows for (path, rows) in runs if path == BASELINE})
    if not sizes:
        present = sorted({b.get("aggregate_name") for b in document.get("benchmarks", [])
                          if b.get("run_type") == "aggregate"})
        hint = f" with a '{args.statistic}' figure (the JSON's aggregates are {', '.join(present)})" if present else ""
        print(f"compare.py: no 'direct/rows:N' benchmark{hint} in the input", file=sys.stderr)
        return 2
    gated = {p.strip() for p in args.gate.split(",") if p.strip()}
    order = lambda p: (PATH_ORDER.index(p) if p in PATH_ORDER else len(PATH_ORDER), p)

    context = document.get("context", {})
    load = context.get("load_avg")
    print(f"host: {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs at "
          f"{context.get('mhz_per_cpu', '?')} MHz, load average "
          f"{' '.join(f'{x:.2f}' for x in load) if load else '?'} (at start)")
    print(f"build: {context.get('build_type', '?')} ({context.get('compiler', '?')}), "
          f"benchmark library {context.get('library_build_type', '?')}")
    print(f"figures: {args.statistic}" + (f" of {reps} repetitions" if reps > 1 else " (one run)"))

    print(f"\nSeparate benchmarks ({args.time}_time; + is against direct/rows:N, run at another moment)\n")
    header = f"{'rows':>5}  {'path':<21} {'ns/call':>10} {'ns/row':>9} {'+ns/call':>9} {'+%':>8}"
    print(header)
    print("-" * len(header))
    for rows in sizes:
        base = runs[(BASELINE, rows)]
        for path in sorted({p for (p, r) in runs if r == rows}, key=order):
            ns = runs[(path, rows)]
            line = f"{rows:>5}  {path:<21} {ns:>10.2f} {ns / rows:>9.3f}"
            if path != BASELINE:
                line += f" {ns - base:>+9.2f} {100.0 * (ns - base) / base:>+7.1f}%"
            print(line)
        print()

    print("Paired with direct (alternating blocks, wall clock; the verdicts)\n")
    header = (f"{'rows':>5}  {'path':<21} {'direct':>9} {'path':>9} {'+ns/call':>9} {'+ns/row':>9} {'+%':>8}"
              f"  {'target':<14} verdict")
    print(header)
    print("-" * len(header))
    failed, judged = [], {}
    at = lambda p, r: f"{p} at {r} row{'s' if r != 1 else ''}"
    for rows in sizes:
        paths = sorted({p for (p, r) in list(runs) + list(paired) if r == rows and p != BASELINE}, key=order)
        for path in paths:
            if (path, rows) in paired:
                c = paired[(path, rows)]
                direct_ns, path_ns, diff_ns, diff_pct = (c[k] for k in PAIRED_COUNTERS)
                source = ""
            else:
                direct_ns, path_ns = runs[(BASELINE, rows)], runs[(path, rows)]
                diff_ns, diff_pct = path_ns - direct_ns, 100.0 * (path_ns - direct_ns) / direct_ns
                source = " [separate]"
            target, result = verdict(rows, diff_ns, diff_pct)
            if result:
                judged[(path, rows)] = (diff_ns, diff_pct, result + source)
            if result == "FAIL" and path in gated:
                failed.append(at(path, rows))
            role = " (gated)" if path in gated else " (info)"
            mark = f"{result}{role if result else ''}{source}"
            print(f"{rows:>5}  {path:<21} {direct_ns:>9.2f} {path_ns:>9.2f} {diff_ns:>+9.2f} {diff_ns / rows:>+9.3f} "
                  f"{diff_pct:>+7.1f}%  {target:<14} {mark}")
        print()

    print(f"Summary: the targets, per path (1 row: <= +{TARGET_ONE_ROW_NS:g} ns/call; "
          f"{TARGET_BATCH_ROWS} rows: <= +{TARGET_BATCH_PERCENT:g} %/row)\n")
    header = f"{'path':<21} {'1 row +ns':>10} {'verdict':<8} {f'{TARGET_BATCH_ROWS} rows +%':>12} {'verdict':<8}  role"
    print(header)
    print("-" * len(header))
    summary_paths = sorted({p for (p, r) in judged if not p.startswith(DIAGNOSTIC_PREFIX)} | gated, key=order)
    for path in summary_paths:
        one = judged.get((path, 1))
        batch = judged.get((path, TARGET_BATCH_ROWS))
        one_text = (f"{one[0]:>+10.2f} {one[2]:<8}") if one else f"{'-':>10} {'-':<8}"
        batch_text = (f"{batch[1]:>+11.1f}% {batch[2]:<8}") if batch else f"{'-':>12} {'-':<8}"
        print(f"{path:<21} {one_text} {batch_text}  {'gated' if path in gated else 'information'}")
    print()

    missing = [at(p, r) for p in sorted(gated) for r in (1, TARGET_BATCH_ROWS) if (p, r) not in judged]
    if missing:
        print("not measured: " + ", ".join(missing))
    if failed:
        print("targets missed: " + ", ".join(failed))
    elif not missing:
        print("targets met by: " + ", ".join(sorted(gated)))
    return 0 if args.no_fail or not (failed or missing) else 1


if __name__ == "__main__":
    sys.exit(main())
