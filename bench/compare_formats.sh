#!/usr/bin/env bash
# Times `impact compare` of two drawn H20 scenarios in each report format against its own text report,
# side by side in one run: what a format costs on top of the comparison itself.
#
#   bench/compare_formats.sh [IMPACT] [ROUNDS] [DRAWS]    (defaults: build/bin/impact, 5, 100000)
#
# Cells, each a whole command (start-up, both runs, both simulations and the per-draw differences
# included): impact compare tests/cli/data/compare-h20-drawn-60.toml tests/cli/data/compare-h20-drawn-55.toml
# --draws DRAWS --threads 1 --format F -o FILE, for F in text, json, csv, md, html, xlsx, and all six
# at once into a folder. One warm-up run per cell, then ROUNDS rounds, each running every cell once
# in turn, so that a noisy machine slows all cells alike. Printed per cell: the median wall time and
# the median peak RSS (ru_maxrss of the child, from os.wait4), and both as ratios to text's.
# Exit status: 0, 1 when a command failed, 2 usage.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build/bin/impact}"
rounds="${2:-5}"
draws="${3:-100000}"
cd "$here/.."
exec /usr/bin/python3 - "$impact" "$rounds" "$draws" <<'PY'
import atexit, os, shutil, statistics, subprocess, sys, tempfile, time

try:
    impact, rounds, draws = os.path.abspath(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if rounds < 1 or draws < 1:
        raise ValueError
except ValueError:
    print("compare_formats: usage: bench/compare_formats.sh [IMPACT] [ROUNDS] [DRAWS], both at least 1", file=sys.stderr)
    sys.exit(2)
sides = [os.path.abspath("tests/cli/data/compare-h20-drawn-60.toml"), os.path.abspath("tests/cli/data/compare-h20-drawn-55.toml")]
scratch = tempfile.mkdtemp(prefix="impact-compare-formats-")
atexit.register(shutil.rmtree, scratch, True)
env = dict(os.environ, IMPACT_CACHE_DIR=os.path.join(scratch, "cache"), SOURCE_DATE_EPOCH="1764460800")

cells = ["text", "json", "csv", "md", "html", "xlsx", "text,json,csv,md,html,xlsx"]


def command(formats):
    target = os.path.join(scratch, "all" if "," in formats else "report." + formats)
    return [impact, "compare", *sides, "--draws", str(draws), "--threads", "1", "--format", formats, "-o", target]


def timed(argv):
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    err = child.stderr.read().decode(errors="replace")
    child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print("compare_formats: %s: exit %d\n%s" % (" ".join(argv), code, err), file=sys.stderr)
        sys.exit(1)
    return wall, usage.ru_maxrss / 1024.0


for cell in cells:
    timed(command(cell))  # warm-up
walls = {c: [] for c in cells}
peaks = {c: [] for c in cells}
for _ in range(rounds):
    for cell in cells:
        wall, peak = timed(command(cell))
        walls[cell].append(wall)
        peaks[cell].append(peak)

print("impact compare, 2 sides, %d draws each, --threads 1; median of %d rounds" % (draws, rounds))
print("%-28s %9s %9s %10s %9s" % ("format", "wall s", "x text", "peak MB", "x text"))
base_wall, base_peak = statistics.median(walls["text"]), statistics.median(peaks["text"])
for cell in cells:
    w, p = statistics.median(walls[cell]), statistics.median(peaks[cell])
    print("%-28s %9.3f %9.2f %10.1f %9.2f" % (cell, w, w / base_wall, p, p / base_peak))
PY
