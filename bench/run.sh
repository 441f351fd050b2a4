#!/usr/bin/env bash
# Builds and runs the SDK overhead benchmark the way bench/README.md's figures were taken,
# then compares the paths with bench/compare.py.
#
#   bench/run.sh [BUILD_DIR] [extra benchmark flags...]
#
#   BUILD_DIR  Release build folder; configured here if it has no CMakeCache.txt
#              (default: build-bench beside the source folder).
#   BENCH_CPU  when set, the benchmark runs pinned with `taskset -c $BENCH_CPU`.
#   JOBS       build parallelism (default 1).
#
# The JSON goes to BUILD_DIR/bench/results/<UTC time>.json; compare.py's exit status is
# the script's (1 when the gated path misses a target).
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-$source_dir/../build-bench}"
shift || true

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIMPACT_BUILD_TESTS=OFF
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build_dir/CMakeCache.txt")"
if [[ "$build_type" != "Release" ]]; then
  echo "run.sh: $build_dir is a '$build_type' build; measure in a Release build" >&2
  exit 2
fi
cmake --build "$build_dir" -j"${JOBS:-1}" --target bench_sdk_overhead

results="$build_dir/bench/results"
mkdir -p "$results"
out="$results/$(date -u +%Y%m%dT%H%M%SZ).json"
pin=()
[[ -n "${BENCH_CPU:-}" ]] && pin=(taskset -c "$BENCH_CPU")

echo "load before: $(cat /proc/loadavg)"
"${pin[@]}" "$build_dir/bin/bench_sdk_overhead" \
  --benchmark_repetitions=9 --benchmark_min_time=0.3 \
  --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json \
  "$@"
echo "load after: $(cat /proc/loadavg)"
echo "json: $out"
echo
python3 "$source_dir/bench/compare.py" "$out"
