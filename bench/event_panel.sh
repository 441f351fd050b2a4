#!/usr/bin/env bash
# Times `impact run` of a generated multi-firm event panel (stock.event_panel) against the pandas + statsmodels peer, side by side.
#
#   bench/event_panel.sh IMPACT [REPEATS]    (REPEATS default 5)
#
# Environment: SEED (1), FIRMS (500), DAYS (2500), ESTIMATION_DAYS (250) size the panel;
# BENCH_EVENT_PANEL the Google Benchmark program bench_event_panel (default: bench_event_panel
# beside IMPACT, if it is there); PANEL_CACHE the folder the panel is cached under
# (default ${TMPDIR:-/tmp}/impact-event-panel).
#
# 1. The panel: bench/gen_event_panel.py --seed SEED --firms FIRMS --days DAYS --estimation-days
#    ESTIMATION_DAYS --out DIR, where DIR is named after those arguments and the generator's
#    SHA-256, so a cached panel is reused only if the generator has not changed.
# 2. Cells, each a whole command (start-up included):
#      impact run     IMPACT run DIR/panel.toml --format json -o OUT
#      pandas peer    /usr/bin/python3 bench/peers/event_panel_pandas.py DIR --repeat 1 --no-check
#      statistics     BENCH_EVENT_PANEL with IMPACT_BENCH_PANEL_DIR=DIR (run_event_panel only,
#                     after loading; its mean time per iteration), when the program is there
#    One warm-up run per cell (the peer's with its numpy.linalg.lstsq check), then REPEATS rounds,
#    each running every cell once in turn, so that a noisy machine slows all cells alike. Printed:
#    the median wall time (perf_counter around fork+exec+wait) and the median peak RSS (ru_maxrss
#    of the child, from os.wait4) over the rounds; the peer's own median times inside Python
#    (imports, loading, statistics); then the targets side by side.
# 3. Targets: the whole `impact run` under 0.5 s; the statistics at least 20x faster than the
#    peer's statistics (bench_event_panel's time against the peer's time after its imports and
#    loading). Without bench_event_panel the second is "not measured" (the whole `impact run`
#    against the peer's statistics is printed as a lower bound).
# 4. Agreement: impact's CAAR and each test statistic against the peer's, relative 1e-6, from the
#    last round's reports (read_impact_statistics below is the one place that knows the report);
#    and the same for bench_event_panel's counters (run_event_panel's own results), when it ran.
# Exit status: 0 agree and every measured target met; 1 disagreement or a command failed;
# 2 usage; 3 IMPACT cannot run the panel (the peer is then timed alone); 4 agree, a target missed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: bench/event_panel.sh IMPACT [REPEATS]" >&2
    exit 2
fi
impact="$1"
repeats="${2:-5}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$repeats" <<'PY'
import atexit, hashlib, json, math, os, shutil, statistics, subprocess, sys, tempfile, time

try:
    impact, repeats = os.path.abspath(sys.argv[1]), int(sys.argv[2])
    seed, firms, days, L = (int(os.environ.get(k, d)) for k, d in
                            (("SEED", 1), ("FIRMS", 500), ("DAYS", 2500), ("ESTIMATION_DAYS", 250)))
    if repeats < 1:
        raise ValueError
except ValueError:
    print("event_panel: usage: bench/event_panel.sh IMPACT [REPEATS]: REPEATS at least 1; SEED, FIRMS, DAYS, "
          "ESTIMATION_DAYS whole numbers", file=sys.stderr)
    sys.exit(2)
PYTHON = "/usr/bin/python3"
generator = os.path.abspath("bench/gen_event_panel.py")
peer = [PYTHON, os.path.abspath("bench/peers/event_panel_pandas.py")]
RUN_TARGET_S = 0.5         # the whole `impact run`
STATISTICS_SPEEDUP = 20.0  # peer statistics / impact statistics
AGREEMENT_REL = 1e-6
bench_bin = os.environ.get("BENCH_EVENT_PANEL") or os.path.join(os.path.dirname(impact), "bench_event_panel")

scratch = tempfile.mkdtemp(prefix="impact-event-panel-run-")
atexit.register(shutil.rmtree, scratch, True)
env = dict(os.environ, IMPACT_CACHE_DIR=os.path.join(scratch, "cache"))  # a plugin cache of this run's own


def run(cmd, name, extra_env=None):
    """Runs cmd; returns (wall seconds, peak RSS in KiB, exit code, stdout path, stderr text)."""
    out_path, err_path = os.path.join(scratch, name + ".out"), os.path.join(scratch, name + ".err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=err, env=dict(env, **(extra_env or {})))
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


# ---- The panel, generated once per generator version and size. -----------------------------
with open(generator, "rb") as f:
    generator_sha = hashlib.sha256(f.read()).hexdigest()[:12]
cache = os.environ.get("PANEL_CACHE") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "impact-event-panel")
panel_dir = os.path.join(cache, f"seed{seed}-{firms}x{days}-L{L}-{generator_sha}")
if not all(os.path.exists(os.path.join(panel_dir, n)) for n in ("panel.csv", "panel.toml", "events.csv")):
    os.makedirs(cache, exist_ok=True)
    building = tempfile.mkdtemp(prefix="building-", dir=cache)
    subprocess.run([PYTHON, generator, "--seed", str(seed), "--firms", str(firms), "--days", str(days),
                    "--estimation-days", str(L), "--out", building], check=True)
    shutil.rmtree(panel_dir, ignore_errors=True)
    os.rename(building, panel_dir)
    print(f"event_panel: generated {panel_dir}")
else:
    print(f"event_panel: reusing {panel_dir}")
scenario = os.path.join(panel_dir, "panel.toml")
impact_out = os.path.join(scratch, "impact-report.json")


# ---- The one place that knows the shape of impact's report. ----------------------------------
# Expected (impact.run/1): steps[id == "panel"] holding, somewhere (preferably under "outputs"), a
# number per statistic, either as outputs.KEY.value or as {..., "KEY": {"statistic": x, ...}}, KEY
# one of the aliases below, optionally prefixed by the event's name ("bench.caar", "bench_caar").
# The path each figure was read from is printed; adjust ALIASES or this function if the keys differ.
ALIASES = {
    "caar": ("caar",),
    "cross_sectional_t": ("cross_sectional_t", "cross_sectional", "csect_t", "cs_t", "t_cross_sectional"),
    "patell_z": ("patell_z", "patell"),
    "bmp_t": ("bmp_t", "bmp"),
    "kolari_pynnonen_t": ("kolari_pynnonen_t", "kolari_pynnonen", "kp_t", "adjusted_bmp_t", "adj_bmp_t"),
    "corrado_z": ("corrado_z", "corrado", "corrado_rank_z", "rank_z"),
    "generalized_sign_z": ("generalized_sign_z", "generalized_sign", "gsign_z", "sign_z"),
    "mean_residual_correlation": ("mean_residual_correlation", "r_bar", "rbar"),
}
TRANSPARENT = {"value", "statistic", "z", "t"}  # keys that hold a statistic's number, not its name


def read_impact_statistics(report, event):
    """{statistic: (value, path read)} for every statistic found in step "panel"."""
    step = next(s for s in report["steps"] if s.get("id") == "panel")
    leaves = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (str(k),))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + (i,))
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            leaves.append((path, float(node)))

    walk(step, ())
    found = {}
    for path, value in leaves:
        names = [p for p in path if isinstance(p, str) and p.lower() not in TRANSPARENT]
        if not names:
            continue
        name = names[-1].lower()
        for prefix in (event + ".", event + "_", event + "/"):
            if name.startswith(prefix):
                name = name[len(prefix):]
        for stat, aliases in ALIASES.items():
            if name in aliases:
                rank = (0 if path[:1] == ("outputs",) else 1, len(path))  # under outputs first, then shortest
                if stat not in found or rank < found[stat][2]:
                    found[stat] = (value, "/".join(map(str, path)), rank)
    return {stat: (value, where) for stat, (value, where, _) in found.items()}


def read_peer_statistics(report):
    results = report["results"]
    return {stat: (results[stat]["statistic"] if isinstance(results[stat], dict) else results[stat])
            for stat in ALIASES if results.get(stat) is not None}


# ---- Can impact run the panel? ---------------------------------------------------------------
impact_cmd = [impact, "run", scenario, "--format", "json", "-o", impact_out]
has_impact = False
if not os.access(impact, os.X_OK):
    print(f"event_panel: no executable impact at {impact}")
else:
    _, _, code, _, err = run(impact_cmd, "probe")
    if code != 0:
        print(f"event_panel: `impact run {scenario} --format json` exited {code}: {first_line(err)}")
    else:
        has_impact = True
if not has_impact:
    print("event_panel: timing the pandas peer alone; exit status 3")
has_bench = os.access(bench_bin, os.X_OK)
if not has_bench:
    print(f"event_panel: no bench_event_panel at {bench_bin} (set BENCH_EVENT_PANEL): statistics-only time not measured")

bench_cmd = [bench_bin, "--benchmark_min_time=0.2", "--benchmark_format=json"]
bench_env = {"IMPACT_BENCH_PANEL_DIR": panel_dir}
cells = {}
if has_impact:
    cells["impact run"] = impact_cmd
cells["pandas peer"] = peer + [panel_dir, "--repeat", "1", "--no-check"]
if has_bench:
    cells["statistics (bench_event_panel)"] = bench_cmd


def bench_seconds(report_path):
    """(mean time per iteration of bench_event_panel's one benchmark in seconds, its counters)."""
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    runs = [b for b in load(report_path)["benchmarks"] if b.get("run_type", "iteration") == "iteration"]
    if len(runs) != 1 or "error_message" in runs[0]:
        raise ValueError(runs[0].get("error_message", "") if runs else "no benchmark ran")
    counters = {stat: float(runs[0][stat]) for stat in ALIASES if stat in runs[0]}
    return runs[0]["real_time"] * scale[runs[0]["time_unit"]], counters


# ---- Timing ---------------------------------------------------------------------------------
_, _, code, _, err = run(peer + [panel_dir, "--repeat", "1"], "warmup-peer")  # with the lstsq check
if code != 0:
    print(f"event_panel: the peer exited {code}: {first_line(err)}")
    sys.exit(1)
for c, cmd in cells.items():
    if c != "pandas peer":
        run(cmd, "warmup", bench_env if cmd is bench_cmd else None)
walls = {c: [] for c in cells}
peaks = {c: [] for c in cells}
peer_inside = {"import_seconds": [], "load_seconds": [], "stats_seconds": []}
bench_times = []
bench_counters = {}  # bench_event_panel's headline results (its counters), last round
reports = {}
for r in range(repeats):
    for c, cmd in cells.items():
        wall_s, rss_kib, code, out, err = run(cmd, c.split()[0], bench_env if cmd is bench_cmd else None)
        if code != 0:
            print(f"event_panel: `{' '.join(cmd)}` exited {code}: {first_line(err)}")
            sys.exit(1)
        walls[c].append(wall_s)
        peaks[c].append(rss_kib)
        if c == "pandas peer":
            reports[c] = load(out)
            for k in peer_inside:
                peer_inside[k].append(reports[c][k])
        elif c == "impact run":
            reports[c] = load(impact_out)
        else:
            try:
                seconds, bench_counters = bench_seconds(out)
                bench_times.append(seconds)
            except (KeyError, ValueError) as e:
                print(f"event_panel: bench_event_panel gave no time: {e}")
                sys.exit(1)


def wall(c): return statistics.median(walls[c])
def mib(c): return statistics.median(peaks[c]) / 1024.0


peer_report = reports["pandas peer"]
print(f"\n{peer_report['firms']} firms x {peer_report['days']} days, L = {peer_report['estimation_days']}, "
      f"G = {peer_report['gap_days']}, window {peer_report['window']}, seed {seed}; {repeats} rounds; "
      f"`nproc` {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the end")
print(f"{'cell':<34}{'wall_s':>9}{'peak_MiB':>10}   (medians over rounds; wall of the whole command)")
for c in cells:
    print(f"{c:<34}{wall(c):>9.3f}{mib(c):>10.1f}")
inside = {k: statistics.median(v) for k, v in peer_inside.items()}
print(f"peer inside Python (medians): imports {inside['import_seconds']:.3f} s, loading {inside['load_seconds']:.3f} s, "
      f"statistics {inside['stats_seconds']:.4f} s (" + ", ".join(f"{k} {v}" for k, v in peer_report["versions"].items()) + ")")
impact_stats = statistics.median(bench_times) if bench_times else None
print("impact statistics only (bench_event_panel, run_event_panel after loading, median of the rounds' means): " +
      (f"{impact_stats * 1e3:.3f} ms" if impact_stats is not None else "TODO: not measured (build bench_event_panel)"))

# ---- Targets --------------------------------------------------------------------------------
missed = []
print(f"\n{'figure':<52}{'value':>10}  target")
if has_impact:
    ok = wall("impact run") < RUN_TARGET_S
    missed += [] if ok else [f"`impact run` takes {wall('impact run'):.3f} s, target under {RUN_TARGET_S} s"]
    print(f"{'impact run wall, s':<52}{wall('impact run'):>10.3f}  < {RUN_TARGET_S} {'PASS' if ok else 'FAIL'}")
else:
    print(f"{'impact run wall, s':<52}{'-':>10}  < {RUN_TARGET_S} not measured")
if impact_stats is not None:
    speedup = inside["stats_seconds"] / impact_stats
    ok = speedup >= STATISTICS_SPEEDUP
    missed += [] if ok else [f"statistics {speedup:.1f}x the peer's speed, target {STATISTICS_SPEEDUP:g}x"]
    print(f"{'peer statistics / impact statistics':<52}{speedup:>10.1f}  >= {STATISTICS_SPEEDUP:g} {'PASS' if ok else 'FAIL'}")
else:
    print(f"{'peer statistics / impact statistics':<52}{'TODO':>10}  >= {STATISTICS_SPEEDUP:g} not measured")
if has_impact:
    print(f"{'peer statistics / whole impact run (lower bound)':<52}{inside['stats_seconds'] / wall('impact run'):>10.1f}  (info)")
    print(f"{'peer whole command / impact run':<52}{wall('pandas peer') / wall('impact run'):>10.1f}  (info)")
    print(f"{'impact RSS / peer RSS':<52}{mib('impact run') / mib('pandas peer'):>10.3f}  (info)")

if not has_impact:
    sys.exit(3)

# ---- Agreement ------------------------------------------------------------------------------
theirs = read_peer_statistics(peer_report)
try:
    mine = read_impact_statistics(reports["impact run"], peer_report["event"])
except (KeyError, StopIteration, TypeError) as e:
    print(f"\nevent_panel: impact's report has no step \"panel\" where read_impact_statistics looks ({e!r}): FAIL")
    sys.exit(1)
failed = []
if bench_counters:  # run_event_panel itself, through bench_event_panel's counters
    print(f"\nbench_event_panel's counters against the peer: |bench - peer| <= {AGREEMENT_REL:g} x |peer|")
    print(f"{'statistic':<28}{'bench_event_panel':>20}{'peer':>20}{'rel diff':>11}  verdict")
    for stat, peer_value in theirs.items():
        if stat in bench_counters:
            rel = abs(bench_counters[stat] - peer_value) / max(abs(peer_value), 1e-300)
            ok = rel <= AGREEMENT_REL
            if not ok:
                failed.append(f"bench_event_panel {stat}: {bench_counters[stat]:.12g}, peer {peer_value:.12g}")
            print(f"{stat:<28}{bench_counters[stat]:>20.12g}{peer_value:>20.12g}{rel:>11.2e}  "
                  f"{'agree' if ok else 'disagree'}")
print(f"\nimpact against the peer: |impact - peer| <= {AGREEMENT_REL:g} x |peer|")
print(f"{'statistic':<28}{'impact':>20}{'peer':>20}{'rel diff':>11}  verdict   (read from)")
for stat, peer_value in theirs.items():
    if stat not in mine:
        if stat == "mean_residual_correlation":
            continue  # information only; not every report need carry it
        failed.append(f"{stat}: not found in impact's report")
        print(f"{stat:<28}{'-':>20}{peer_value:>20.12g}{'-':>11}  disagree  (not in impact's report)")
        continue
    value, where = mine[stat]
    rel = abs(value - peer_value) / max(abs(peer_value), 1e-300)
    ok = rel <= AGREEMENT_REL
    if not ok:
        failed.append(f"{stat}: impact {value:.12g}, peer {peer_value:.12g}, relative difference {rel:.3g}")
    print(f"{stat:<28}{value:>20.12g}{peer_value:>20.12g}{rel:>11.2e}  {'agree   ' if ok else 'disagree'}  ({where})")

if failed:
    print("\nevent_panel: FAIL: impact and the peer disagree:\n  " + "\n  ".join(failed))
    sys.exit(1)
if missed:
    print("\nevent_panel: statistics agree; target missed:\n  " + "\n  ".join(missed))
    sys.exit(4)
print("\nevent_panel: statistics agree" + ("" if impact_stats is not None else
                                           "; the statistics-only target was not measured") +
      ", every measured target met")
PY
