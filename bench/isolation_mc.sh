#!/usr/bin/env bash
# Monte Carlo through an isolated plugin against in-process: `impact --isolate=all run
# bench/mc-h20.toml --draws N` and `--isolate=none`, side by side in one run, and the same results.
#
#   bench/isolation_mc.sh [IMPACT] [ROUNDS] [DRAWS]    (defaults: build-release/bin/impact, 5, 10000000)
#
# Cells: --isolate none and all, on 1 and 2 threads. Each round runs every cell once, in turn, so a
# noisy machine slows all cells alike. Printed: the median wall time over the rounds (whole command,
# start-up included), draws per second, the ratio isolated/in-process of throughput, and the largest
# peak RSS of impact itself (the worker is a process of its own and not counted there). The
# throughput ratio is also given with each cell's start-up (the median time of the same command
# without --draws, timed in the same rounds) subtracted: the drawing rate itself.
# Before timing, both isolation modes must give byte-identical JSON reports (provenance aside) on 1
# and 2 threads. Exit status: 0 every check and target met (isolated throughput >= 90% of
# in-process on every thread count), 1 one was not, 2 usage error.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build-release/bin/impact}"
rounds="${2:-5}"
draws="${3:-10000000}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$rounds" "$draws" <<'PY'
import atexit, json, os, shutil, statistics, subprocess, sys, tempfile, time

impact, rounds, draws = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
scenario = os.path.abspath("bench/mc-h20.toml")
if rounds < 1 or draws < 1:
    sys.exit("isolation_mc: ROUNDS and DRAWS must be at least 1")
scratch = tempfile.mkdtemp(prefix="impact-isolation-mc-")
atexit.register(shutil.rmtree, scratch, True)
env = dict(os.environ, IMPACT_CACHE_DIR=os.path.join(scratch, "cache"))


def run(args):
    """Runs impact with args; returns (wall seconds, peak RSS KiB, stdout bytes)."""
    start = time.perf_counter()
    child = subprocess.Popen([impact] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = child.communicate()
    wall = time.perf_counter() - start
    if child.returncode != 0:
        sys.exit(f"isolation_mc: impact {' '.join(args)} exited {child.returncode}: {err.decode(errors='replace')[:300]}")
    return wall, out


def rss_of(args):
    start = time.perf_counter()
    child = subprocess.Popen([impact] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss


def cmd(isolate, threads, n):
    return [f"--isolate={isolate}", "run", scenario, "--draws", str(n), "--seed", "1", "--threads", str(threads),
            "--format", "json", "-q"]


def models_only(report_bytes):
    report = json.loads(report_bytes)
    return json.dumps({"steps": report["steps"], "draws": report["uncertainty"]["draws"]}, sort_keys=True)


failed = False
run(["plugins"])  # fills the plugin cache, as a second start would find it
for threads in (1, 2):
    a = models_only(run(cmd("none", threads, 100000))[1])
    b = models_only(run(cmd("all", threads, 100000))[1])
    same = a == b
    failed |= not same
    print(f"same results isolated and in-process, 10^5 draws, {threads} thread(s): {'PASS' if same else 'FAIL'}")

cells = [(iso, t) for t in (1, 2) for iso in ("none", "all")]
times = {c: [] for c in cells}
starts = {c: [] for c in cells}
rss = {c: 0 for c in cells}
for c in cells:  # warm-up
    rss_of(cmd(c[0], c[1], 1000))
for _ in range(rounds):
    for c in cells:
        wall, peak = rss_of(cmd(c[0], c[1], draws))
        times[c].append(wall)
        rss[c] = max(rss[c], peak)
        starts[c].append(rss_of([f"--isolate={c[0]}", "run", scenario, "--format", "json", "-q"])[0])

print(f"\nimpact run bench/mc-h20.toml --draws {draws}, median of {rounds} rounds (machine: {os.uname().nodename}, "
      f"{os.cpu_count()} cores)")
print(f"{'cell':<26}{'wall s':>9}{'Mdraws/s':>10}{'start s':>9}{'peak RSS MiB':>14}")
for c in cells:
    wall, start = statistics.median(times[c]), statistics.median(starts[c])
    print(f"--isolate={c[0]:<5} threads {c[1]:<5}{wall:>9.3f}{draws / wall / 1e6:>10.2f}{start:>9.3f}{rss[c] / 1024:>14.1f}")
print()
for t in (1, 2):
    none, iso = statistics.median(times[("none", t)]), statistics.median(times[("all", t)])
    s_none, s_iso = statistics.median(starts[("none", t)]), statistics.median(starts[("all", t)])
    whole = none / iso
    steady = (none - s_none) / (iso - s_iso)
    ok = steady >= 0.90
    failed |= not ok
    print(f"{t} thread(s): isolated throughput / in-process = {whole:.3f} whole command, {steady:.3f} without start-up "
          f"(target >= 0.90): {'PASS' if ok else 'FAIL'}")
sys.exit(1 if failed else 0)
PY
