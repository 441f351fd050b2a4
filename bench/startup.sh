#!/usr/bin/env bash
# Times whole `impact` commands (start-up included) with the plugin cache warm, cold and off, side by side.
#
#   bench/startup.sh [IMPACT] [RUNS]      (defaults: build-release/bin/impact, 30)
#
# Each round runs every command once in each mode, in turn, so that a noisy machine slows all
# modes alike; the figures are the median and the 90th percentile over the rounds. "cold" empties
# the cache folder before each run (every plugin is loaded and hashed, and the cache written);
# "warm" reuses a cache written beforehand; "off" passes --no-plugin-cache (every plugin loaded,
# nothing read or written: what `impact` did before the cache). The cache lives in a temporary
# folder, never in ~/.cache. Timing is Python's perf_counter around fork+exec+wait.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build-release/bin/impact}"
runs="${2:-30}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$runs" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time

impact, runs = os.path.abspath(sys.argv[1]), int(sys.argv[2])
commands = {
    "convert": ["convert", "5.5B", "USD", "KRW", "--rate", "1428.8"],
    "run H20": ["run", "samples/h20-export-licence-2025-04.toml"],
}
root = tempfile.mkdtemp(prefix="impact-startup-")
warm_dir, cold_dir = os.path.join(root, "warm"), os.path.join(root, "cold")
env = {k: v for k, v in os.environ.items() if k not in ("IMPACT_PLUGIN_PATH", "IMPACT_NO_PLUGIN_CACHE")}

def once(args, cache_dir):
    e = dict(env, IMPACT_CACHE_DIR=cache_dir)
    start = time.perf_counter()
    subprocess.run([impact] + args, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000.0

modes = {
    "warm": lambda args: once(args, warm_dir),
    "cold": lambda args: (shutil.rmtree(cold_dir, ignore_errors=True), once(args, cold_dir))[1],
    "off": lambda args: once(["--no-plugin-cache"] + args, warm_dir),
}
for args in commands.values():  # fill the warm cache, and warm the page cache for every mode
    for mode in modes.values():
        mode(args)
times = {(c, m): [] for c in commands for m in modes}
for _ in range(runs):
    for c, args in commands.items():
        for m, mode in modes.items():
            times[(c, m)].append(mode(args))
shutil.rmtree(root, ignore_errors=True)

def p90(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]

print(f"{impact}, {runs} runs per cell, ms (median / p90)")
print(f"{'command':<10}" + "".join(f"{m:>18}" for m in modes))
for c in commands:
    print(f"{c:<10}" + "".join(f"{statistics.median(times[(c, m)]):>9.2f} /{p90(times[(c, m)]):>7.2f}" for m in modes))
PY
