#!/usr/bin/env bash
# Times `impact run` on generated scenarios of N chained fx.convert steps and reports seconds,
# peak memory and both per step, to show that a run's cost grows linearly with its steps.
#
#   bench/scenario_steps.sh [BUILD_DIR] [N ...]      (default: build-release, 2000 20000 60000)
#
# Each step converts the previous step's output (USD -> KRW -> USD ...), so every step resolves
# one reference to the step above. Each size runs RUNS times (default 3, FORMAT=json|text, default
# json); printed are the median wall time, the median CPU time (user + system: on a shared,
# noisy machine it is the steadier figure) and the largest peak RSS (GNU time's %M). Scenarios go to a temporary folder that
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

format=${FORMAT:-json}
printf '%8s %10s %10s %10s %14s %12s\n' steps wall_s cpu_s peak_MB cpu_us_per_step kB_per_step
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
  cpus=()
  peak_kb=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$scratch/time" "$impact" run "$file" --format "$format" -o "$scratch/report" 2>/dev/null
    read -r seconds user system kb < "$scratch/time"
    times+=("$seconds")
    cpus+=("$(awk -v u="$user" -v s="$system" 'BEGIN { print u + s }')")
    [ "$kb" -le "$peak_kb" ] || peak_kb=$kb
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  awk -v n="$n" -v s="$(median "${times[@]}")" -v c="$(median "${cpus[@]}")" -v kb="$peak_kb" \
      'BEGIN { printf "%8d %10.3f %10.3f %10.1f %14.1f %12.2f\n", n, s, c, kb/1024, c*1e6/n, kb/n }'
done
