#!/usr/bin/env bash
# Times `impact sensitivity bench/mc-h20.toml` (Sobol indices) against the numpy peer bench/peers/sobol_h20_numpy.py,
# side by side in one run, and checks that both give the same indices within their Monte Carlo error.
#
#   bench/sensitivity_h20.sh [IMPACT] [ROUNDS] [N]    (defaults: build-release/bin/impact, 5, 100000)
#
# Cells, each a whole command (start-up included):
#   impact --threads 1   IMPACT sensitivity bench/mc-h20.toml --output h20.total_impact --draws N --seed 1 --format json --threads 1
#   impact default       the same without --threads (impact's default thread count)
#   numpy peer           /usr/bin/python3 bench/peers/sobol_h20_numpy.py --output h20.total_impact --draws N --seed 1 --json
# One warm-up run per cell, then ROUNDS rounds, each running every cell once in turn, so that a
# noisy machine slows all cells alike. Printed per cell: the median wall time (perf_counter around
# fork+exec+wait) and the median peak RSS (ru_maxrss of the child, from os.wait4) over the rounds;
# then peer time / impact time and impact RSS / peer RSS, against the issue's target (#9: at
# least 2x the peer's speed at no more memory; speed judged on one thread, memory on both rows).
#
# Agreement: for every input, impact's first-order and total index must lie within
# 3 x sqrt(half_impact^2 + half_peer^2) of the peer's (half = half-width of the 95% interval),
# for both impact rows, from the last round's reports; and impact must report the same inputs.
# Exit status: 0 agreement and targets met; 1 an index disagrees or a command failed; 2 usage;
# 3 IMPACT has no `sensitivity` command (the peer is then timed alone); 4 agreement but a target missed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build-release/bin/impact}"
rounds="${2:-5}"
draws="${3:-100000}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$rounds" "$draws" <<'PY'
import atexit, json, math, os, shutil, statistics, subprocess, sys, tempfile, time

try:
    impact, rounds, draws = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if rounds < 1 or draws < 2:
        raise ValueError
except ValueError:
    print("sensitivity_h20: usage: bench/sensitivity_h20.sh [IMPACT] [ROUNDS] [N]: ROUNDS at least 1, N at least 2",
          file=sys.stderr)
    sys.exit(2)
OUTPUT, SEED = "h20.total_impact", 1
AGREEMENT_HALF_WIDTHS = 3.0  # combined 95% half-widths allowed between impact's index and the peer's
# Floor of the allowed difference: an index that is exactly 0 on both sides (h20.discount_rate's
# total effect on the undiscounted total, whose bootstrap interval is [0, 0]) must still agree.
AGREEMENT_FLOOR = 1e-12
scenario = os.path.abspath("bench/mc-h20.toml")
peer = ["/usr/bin/python3", os.path.abspath("bench/peers/sobol_h20_numpy.py")]

scratch = tempfile.mkdtemp(prefix="impact-sensitivity-h20-")
atexit.register(shutil.rmtree, scratch, True)
env = dict(os.environ, IMPACT_CACHE_DIR=os.path.join(scratch, "cache"))  # a plugin cache of this run's own


def run(cmd, name):
    """Runs cmd; returns (wall seconds, peak RSS in KiB, exit code, stdout path, stderr text)."""
    out_path, err_path = os.path.join(scratch, name + ".out"), os.path.join(scratch, name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall_s = time.perf_counter() - start
    with open(err_path, encoding="utf-8", errors="replace") as f:
        return wall_s, usage.ru_maxrss, os.waitstatus_to_exitcode(status), out_path, f.read()


def first_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "(nothing on stderr)"


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def impact_cmd(threads):
    cmd = [impact, "sensitivity", scenario, "--output", OUTPUT, "--draws", str(draws), "--seed", str(SEED),
           "--format", "json"]
    return cmd + (["--threads", str(threads)] if threads else [])


peer_cmd = peer + ["--scenario", scenario, "--output", OUTPUT, "--draws", str(draws), "--seed", str(SEED), "--json"]


# ---- The one place that knows the shape of impact's sensitivity report. ---------------------
# Expected (impact.sensitivity/1): "sobol": {"status": "computed", "base_draws", "evaluations",
# "variance", "inputs": [{"input", "first_order", "first_order_ci": [lo, hi], "total", "total_ci"}]}.
# Adjust here if the keys change.
def read_indices(report, who):
    """{input: (first_order, half-width, total, half-width)} and the whole sobol block."""
    sobol = report["sobol"] if who == "impact" else report
    if who == "impact":
        if report.get("schema") != "impact.sensitivity/1":
            raise ValueError(f"schema {report.get('schema')!r}, expected 'impact.sensitivity/1'")
        if sobol.get("status") != "computed":
            raise ValueError(f"sobol.status is {sobol.get('status')!r}, not 'computed'")
    indices = {}
    for row in sobol["inputs"]:
        lo, hi = row["first_order_ci"]
        tlo, thi = row["total_ci"]
        indices[row["input"]] = (float(row["first_order"]), (hi - lo) / 2, float(row["total"]), (thi - tlo) / 2)
    return indices, sobol


# ---- Does IMPACT have a sensitivity command? -------------------------------------------------
has_sensitivity = False
if not os.access(impact, os.X_OK):
    print(f"sensitivity_h20: no executable impact at {impact}")
else:
    listing = subprocess.run([impact, "--help"], capture_output=True, text=True, env=env).stdout
    if not any(line.split()[:1] == ["sensitivity"] for line in listing.splitlines()):
        print(f"sensitivity_h20: {impact} has no `sensitivity` command (not among the subcommands of `impact --help`)")
    else:
        probe = [impact, "sensitivity", scenario, "--output", OUTPUT, "--draws", "1000", "--seed", str(SEED),
                 "--format", "json", "--threads", "1"]
        _, _, code, _, err = run(probe, "probe")
        if code != 0:
            print(f"sensitivity_h20: `impact sensitivity ... --draws 1000` exited {code}: {first_line(err)}")
            sys.exit(1)
        has_sensitivity = True
if not has_sensitivity:
    print("sensitivity_h20: timing the numpy peer alone; exit status 3")

cells = {"numpy peer": peer_cmd}
if has_sensitivity:
    cells = {"impact --threads 1": impact_cmd(1), "impact default": impact_cmd(None), **cells}

# ---- Timing ---------------------------------------------------------------------------------
for cell, cmd in cells.items():  # warm-up: page cache, plugin cache, numpy's import
    run(cmd, "warmup")
walls = {c: [] for c in cells}
peaks = {c: [] for c in cells}
reports = {}
for r in range(rounds):
    for c, cmd in cells.items():
        wall_s, rss_kib, code, out, err = run(cmd, c.replace(" ", "_"))
        if code != 0:
            print(f"sensitivity_h20: `{' '.join(cmd)}` exited {code}: {first_line(err)}")
            sys.exit(1)
        walls[c].append(wall_s)
        peaks[c].append(rss_kib)
        reports[c] = load(out)


def wall(c): return statistics.median(walls[c])
def mib(c): return statistics.median(peaks[c]) / 1024.0


peer_report = reports["numpy peer"]
print(f"\nsensitivity of {OUTPUT}, N = {draws} base draws ({peer_report['evaluations']} evaluations), seed {SEED}; "
      f"{rounds} rounds; `nproc` {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the end")
print(f"{'cell':<22}{'wall_s':>9}{'peak_MiB':>10}   (medians over rounds; wall of the whole command)")
for c in cells:
    print(f"{c:<22}{wall(c):>9.3f}{mib(c):>10.1f}")
print(f"peer inside Python (after numpy's import and the scenario read), last round: {peer_report['seconds']:.3f} s")

if not has_sensitivity:
    sys.exit(3)

# ---- Agreement ------------------------------------------------------------------------------
failed = []
theirs, _ = read_indices(peer_report, "peer")
print(f"\nindices, impact against the peer: |difference| <= {AGREEMENT_HALF_WIDTHS:g} x sqrt(half_impact^2 + half_peer^2)")
print(f"{'cell':<20}{'input':<22}{'index':<7}{'impact':>9}{'peer':>9}{'|diff|':>9}{'limit':>9}  verdict")
compared = {}  # the indices and variance of each impact cell, to compare across thread counts
for c in ("impact --threads 1", "impact default"):
    try:
        mine, sobol = read_indices(reports[c], "impact")
        compared[c] = (mine, sobol.get("variance"))
    except (KeyError, TypeError, ValueError) as e:
        print(f"{c:<20}impact's report is not what read_indices expects ({e!r}): FAIL")
        failed.append(f"{c}: unreadable report")
        continue
    for name in sorted(set(theirs) ^ set(mine)):
        side = "impact" if name in mine else "the peer"
        print(f"{c:<20}{name:<22}reported only by {side}: FAIL")
        failed.append(f"{c}: input {name} reported only by {side}")
    for name in theirs:
        if name not in mine:
            continue
        for index, slot in (("S", 0), ("ST", 2)):
            a, ha, b, hb = mine[name][slot], mine[name][slot + 1], theirs[name][slot], theirs[name][slot + 1]
            limit = max(AGREEMENT_HALF_WIDTHS * math.hypot(ha, hb), AGREEMENT_FLOOR)
            ok = abs(a - b) <= limit
            if not ok:
                failed.append(f"{c}: {index} of {name}: impact {a:.4f}, peer {b:.4f}, |difference| {abs(a - b):.4f} > {limit:.4f}")
            print(f"{c:<20}{name:<22}{index:<7}{a:>9.4f}{b:>9.4f}{abs(a - b):>9.4f}{limit:>9.4f}  {'PASS' if ok else 'FAIL'}")
if len(compared) == 2:
    same = compared["impact --threads 1"] == compared["impact default"]
    print(f"impact's variance, indices and intervals with --threads 1 and the default threads are "
          f"{'identical' if same else 'NOT identical'} (information; issue #9 asks for determinism across thread counts)")

# ---- Targets --------------------------------------------------------------------------------
missed = []
pe = "numpy peer"
print(f"\n{'ratio':<40}{'value':>8}  target")
for c in ("impact --threads 1", "impact default"):
    speed = wall(pe) / wall(c)
    judged = c == "impact --threads 1"  # the peer is one thread, so speed is judged on one thread
    verdict = ("PASS" if speed >= 2 else "FAIL") if judged else "(info)"
    if judged and speed < 2:
        missed.append(f"{c}: {speed:.2f}x the peer's speed, target 2x")
    print(f"{'peer wall / ' + c + ' wall':<40}{speed:>8.2f}  >= 2 {verdict}")
for c in ("impact --threads 1", "impact default"):
    memory = mib(c) / mib(pe)
    if memory > 1:
        missed.append(f"{c}: peak RSS {memory:.2f}x the peer's, target at most 1x")
    print(f"{c + ' RSS / peer RSS':<40}{memory:>8.3f}  <= 1 {'PASS' if memory <= 1 else 'FAIL'}")

if failed:
    print("\nsensitivity_h20: FAIL: impact and the peer disagree:\n  " + "\n  ".join(failed))
    sys.exit(1)
if missed:
    print("\nsensitivity_h20: indices agree; target missed:\n  " + "\n  ".join(missed))
    sys.exit(4)
print("\nsensitivity_h20: indices agree and every target is met")
PY
