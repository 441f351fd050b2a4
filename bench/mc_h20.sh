#!/usr/bin/env bash
# Times `impact run bench/mc-h20.toml --draws N` against the numpy peer (bench/peers/mc_h20_numpy.py),
# side by side in one run, and checks that both give the same means.
#
#   bench/mc_h20.sh [IMPACT] [ROUNDS] [MAX_DRAWS]    (defaults: build-release/bin/impact, 3, 10000000)
#
# Sizes are 10^6, 10^7 and 10^8 draws, up to MAX_DRAWS (pass 100000000 for 10^8: a few minutes).
# Cells: impact --threads 1, impact --threads 2, the peer (one thread). Each round runs every cell
# once at every size, in turn, so a noisy machine slows all cells alike; printed are the median
# wall time over the rounds (whole command, start-up included: Python's perf_counter around
# fork+exec+wait), draws per second from it, and the largest peak RSS (ru_maxrss of the child,
# from os.wait4). One warm-up run per cell at the smallest size comes first. Seed 1 (SEED=...).
#
# Before timing, impact runs the scenario at its point values (the peer writes that copy) and the
# peer's --check-model must agree with it to 1e-12 relative. After timing, each output's mean from
# impact must agree with the peer's within 5 combined standard errors. If impact does not accept
# --draws, the script says so in one line, times the peer alone, and exits 3.
# Exit status: 0 every check and target met, 1 one was not, 2 usage error, 3 impact has no --draws.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build-release/bin/impact}"
rounds="${2:-3}"
max_draws="${3:-10000000}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$rounds" "$max_draws" "${SEED:-1}" <<'PY'
import atexit, json, math, os, shutil, statistics, subprocess, sys, tempfile, time

impact, rounds, max_draws, seed = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
scenario = os.path.abspath("bench/mc-h20.toml")
peer = [sys.executable, os.path.abspath("bench/peers/mc_h20_numpy.py")]
sizes = [n for n in (10**6, 10**7, 10**8) if n <= max_draws] or [max_draws]
OUTPUTS = ("lost_revenue", "lost_gross_profit", "one_off_charges", "total_impact", "pv_total_impact")
if rounds < 1 or max_draws < 2:
    sys.exit("mc_h20: ROUNDS must be at least 1 and MAX_DRAWS at least 2")


# ---- The one place that knows the shape of impact's Monte Carlo report. --------------------
# Expected (impact.run/1 with --draws): steps[id == "h20"].outputs[KEY].statistics =
#   {"mean", "sd", "min", "max", "sem", "percentiles": {"P1", ..., "P99"}}
# and a top-level "uncertainty" = {"seed", "draws", "threads", "generator", "percentile_method"}.
# Only "mean" and "sem" (or "sd" and the draws) are used. Adjust here if the keys change.
def read_impact_statistics(report, draws):
    step = next(s for s in report["steps"] if s["id"] == "h20")
    stats = {}
    for key in OUTPUTS:
        s = step["outputs"][key]["statistics"]
        sem = s["sem"] if "sem" in s else s["sd"] / math.sqrt(report["uncertainty"]["draws"])
        stats[key] = {"mean": float(s["mean"]), "sem": float(sem)}
    return stats, report.get("uncertainty", {})


def read_peer_statistics(report):
    return {key: {"mean": report["outputs"][key]["mean"], "sem": report["outputs"][key]["sem"]} for key in OUTPUTS}


scratch = tempfile.mkdtemp(prefix="impact-mc-h20-")
atexit.register(shutil.rmtree, scratch, True)
env = dict(os.environ, IMPACT_CACHE_DIR=os.path.join(scratch, "cache"))


def run(cmd, name):
    """Runs cmd; returns (wall seconds, peak RSS in KiB, exit code, stdout path, stderr text)."""
    out_path, err_path = os.path.join(scratch, name + ".out"), os.path.join(scratch, name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    with open(err_path, encoding="utf-8", errors="replace") as f:
        return wall, usage.ru_maxrss, child.returncode, out_path, f.read()


def first_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[0] if lines else "(nothing on stderr)"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def impact_cmd(n, threads):
    return [impact, "run", scenario, "--draws", str(n), "--seed", str(seed), "--threads", str(threads), "--format", "json"]


def peer_cmd(n):
    return peer + ["--scenario", scenario, "--draws", str(n), "--seed", str(seed), "--json"]


failed = False

# ---- Does impact run, and does it run Monte Carlo? ------------------------------------------
impact_runs = os.access(impact, os.X_OK)
has_draws = False
if not impact_runs:
    print(f"mc_h20: no executable impact at {impact}; timing the numpy peer alone")
else:
    # The model at the point values: impact without --draws against the peer's --check-model.
    point = os.path.join(scratch, "mc-h20-point.toml")
    subprocess.run(peer + ["--scenario", scenario, "--write-point-scenario", point], check=True)
    _, _, code, out, err = run([impact, "run", point, "--format", "json"], "point")
    if code != 0:
        print(f"model at point values: impact run exited {code}: {first_line(err)}")
        failed = True
    else:
        mine = load(out)["steps"][0]["outputs"]
        theirs = json.loads(subprocess.run(peer + ["--scenario", scenario, "--check-model", "--json"],
                                           check=True, capture_output=True, text=True).stdout)["outputs"]
        worst = max(abs(theirs[k] - mine[k]["value"]) / max(abs(mine[k]["value"]), 1e-300) for k in OUTPUTS)
        ok = worst <= 1e-12
        failed |= not ok
        print(f"model at point values (impact run, no --draws, against the peer's --check-model): "
              f"largest relative difference {worst:.3g}: {'PASS' if ok else 'FAIL'} (limit 1e-12)")
    _, _, code, _, err = run(impact_cmd(1000, 1), "probe")
    has_draws = code == 0
    if not has_draws:
        print(f"mc_h20: impact does not run Monte Carlo: `impact run bench/mc-h20.toml --draws 1000` exited {code}: "
              f"{first_line(err)}; timing the numpy peer alone")

cells = {"numpy peer": peer_cmd}
if has_draws:
    cells = {"impact --threads 1": lambda n: impact_cmd(n, 1), "impact --threads 2": lambda n: impact_cmd(n, 2), **cells}

# ---- Timing ---------------------------------------------------------------------------------
for cell, cmd in cells.items():  # warm-up: page cache, plugin cache, numpy's import
    run(cmd(sizes[0]), "warmup")
walls = {(c, n): [] for c in cells for n in sizes}
peaks = {(c, n): 0 for c in cells for n in sizes}
reports = {}
for r in range(rounds):
    for n in sizes:
        for c, cmd in cells.items():
            wall, rss_kib, code, out, err = run(cmd(n), f"{c.replace(' ', '_')}-{n}")
            if code != 0:
                print(f"mc_h20: `{' '.join(cmd(n))}` exited {code}: {first_line(err)}")
                sys.exit(1)
            walls[(c, n)].append(wall)
            peaks[(c, n)] = max(peaks[(c, n)], rss_kib)
            if r == rounds - 1:
                reports[(c, n)] = load(out)


def wall(c, n): return statistics.median(walls[(c, n)])
def rate(c, n): return n / wall(c, n)
def mib(c, n): return peaks[(c, n)] / 1024.0


print(f"\n{impact}; {rounds} rounds, seed {seed}; `nproc` {os.cpu_count()}, load average "
      f"{os.getloadavg()[0]:.2f} at the end")
print(f"{'draws':>11}  {'cell':<20}{'wall_s':>9}{'draws/s':>15}{'peak_MiB':>10}   (median wall over rounds, largest RSS)")
for n in sizes:
    for c in cells:
        print(f"{n:>11}  {c:<20}{wall(c, n):>9.3f}{rate(c, n):>15,.0f}{mib(c, n):>10.1f}")
peer_report = reports[("numpy peer", sizes[-1])]
print(f"peer at {sizes[-1]} draws: {peer_report['wall_seconds']:.3f} s inside Python "
      f"({peer_report['draws_per_second']:,.0f} draws/s without start-up); {peer_report['percentile_method']}")

if not has_draws:
    print("\nratios and means need impact with --draws: not measured")
    sys.exit(3)

# ---- Targets --------------------------------------------------------------------------------
# At 10^6 draws start-up weighs heavily (impact's plugins, numpy's import): shown, not judged.
def verdict(value, ok, n, fmt):
    global failed
    judged = n >= 10**7
    failed |= judged and not ok
    return f"{value:{fmt}} {'PASS' if ok else 'FAIL'}{'' if judged else ' (info)'}"


t1, t2, pe = "impact --threads 1", "impact --threads 2", "numpy peer"
def rss(n): return max(mib(t1, n), mib(t2, n))  # impact's peak RSS: the larger of 1 and 2 threads
print(f"\n{'ratio':<38}" + "".join(f"{n:>22}" for n in sizes) + "   target")
rows = [
    ("impact 1 thread / peer, draws/s", lambda n: verdict(rate(t1, n) / rate(pe, n), rate(t1, n) / rate(pe, n) >= 2, n, ".2f"), ">= 2"),
    ("impact 2 threads / 1 thread, draws/s", lambda n: verdict(rate(t2, n) / rate(t1, n), rate(t2, n) / rate(t1, n) >= 1.8, n, ".2f"), ">= 1.8"),
    ("impact peak RSS, MiB", lambda n: verdict(rss(n), rss(n) < 64, n, ".1f") if n == 10**8 else f"{rss(n):.1f} (info)", "< 64 at 10^8"),
    ("impact / peer peak RSS", lambda n: verdict(rss(n) / mib(pe, n), rss(n) / mib(pe, n) <= 0.25, n, ".3f") if n == 10**8 else f"{rss(n) / mib(pe, n):.3f} (info)", "<= 0.25 at 10^8"),
    ("impact wall, 2 threads, s", lambda n: verdict(wall(t2, n), wall(t2, n) < 1.5, n, ".3f") if n == 10**7 else f"{wall(t2, n):.3f} (info)", "< 1.5 at 10^7"),
]
for label, cell, target in rows:
    print(f"{label:<38}" + "".join(f"{cell(n):>22}" for n in sizes) + f"   {target}")
if 10**8 not in sizes:
    print("peak RSS at 10^8: not measured (pass MAX_DRAWS 100000000)")

# ---- Means ----------------------------------------------------------------------------------
print(f"\nmeans, impact against the peer: |difference| <= 5 x sqrt(sem_impact^2 + sem_peer^2)")
print(f"{'draws':>11}  {'output':<18}{'peer mean':>20}{'rel diff t1':>13}{'rel diff t2':>13}{'limit':>11}  verdict")
for n in sizes:
    theirs = read_peer_statistics(reports[(pe, n)])
    try:
        mine = {c: read_impact_statistics(reports[(c, n)], n)[0] for c in (t1, t2)}
    except (KeyError, StopIteration, TypeError) as e:
        print(f"{n:>11}  impact's report has no statistics where read_impact_statistics looks ({e!r}): FAIL")
        failed = True
        continue
    for key in OUTPUTS:
        p = theirs[key]
        diffs, oks = [], []
        for c in (t1, t2):
            m = mine[c][key]
            allowed = 5 * math.hypot(m["sem"], p["sem"])
            diffs.append((m["mean"] - p["mean"]) / abs(p["mean"]))
            oks.append(abs(m["mean"] - p["mean"]) <= max(allowed, 1e-12 * abs(p["mean"])))
        limit = 5 * math.hypot(mine[t1][key]["sem"], p["sem"]) / abs(p["mean"])
        failed |= not all(oks)
        print(f"{n:>11}  {key:<18}{p['mean']:>20.1f}{diffs[0]:>13.2e}{diffs[1]:>13.2e}{limit:>11.2e}  "
              f"{'PASS' if all(oks) else 'FAIL'}")
    same = all(mine[t1][k]["mean"] == mine[t2][k]["mean"] for k in OUTPUTS)
    print(f"{'':>13}impact's means with 1 and 2 threads are {'identical' if same else 'not identical'} (information)")

sys.exit(1 if failed else 0)
PY
