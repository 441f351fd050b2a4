#!/usr/bin/env bash
# Times `impact run` on generated scenarios of N chained fx.convert steps and reports seconds,
# peak memory and both per step, to show that a run's cost grows linearly with its steps.
#
#   bench/scenario_steps.sh [BUILD_DIR] [N ...]      (default: build-release, 2000 20000 60000)
#
# Each step converts the previous step's output (USD -> KRW -> USD ...), so every step resolves
# one reference to the step above. Each size runs RUNS times (default 3); the median wall time
# and the largest peak RSS (GNU time's %M) are printed. Scenarios go to a temporary folder that
# is removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2000 20000 60000)
runs=${RUNS:-3}
impact="$build/bin/impact"
[ -x "$impact" ] || { echo "scenario_steps: no $impact; build it first (cmake --preset release && cmake --build build-release)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scenario_steps: needs GNU time (/usr/bin/time, Debian package 'time')" >&2; exit 2; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

printf '%8s %10s %10s %12s %12s\n' steps seconds peak_MB us_per_step kB_per_step
for n in "${sizes[@]}"; do
  file="$scratch/chain-$n.toml"
  /usr/bin/python3 - "$n" "$file" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    f.write('[scenario]\nname = "chain of %d conversions"\n\n' % n)
    f.write('[[step]]\nid = "s0"\nmodel = "fx.convert"\namount = "1B USD"\nto = "KRW"\nrate = 1400\n\n')
    for i in range(1, n):
        to, rate = ("USD", 0.0007142857) if i % 2 else ("KRW", 1400)
        f.write('[[step]]\nid = "s%d"\nmodel = "fx.convert"\namount = { from = "s%d.converted" }\nto = "%s"\nrate = %s\n\n'
                % (i, i - 1, to, rate))
PY
  times=()
  peak_kb=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$scratch/time" "$impact" run "$file" --format json -o "$scratch/report.json" 2>/dev/null
    read -r seconds kb < "$scratch/time"
    times+=("$seconds")
    [ "$kb" -le "$peak_kb" ] || peak_kb=$kb
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v n="$n" -v s="$median" -v kb="$peak_kb" \
      'BEGIN { printf "%8d %10.3f %10.1f %12.1f %12.2f\n", n, s, kb/1024, s*1e6/n, kb/n }'
done
