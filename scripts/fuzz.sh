#!/usr/bin/env bash
# Runs a libFuzzer campaign on one fuzz target of tests/fuzz, or on each in turn, and merges what
# it found into the committed corpus.
#
#   scripts/fuzz.sh TARGET|all SECONDS
#
# TARGET is one of fuzz_scenario fuzz_csv fuzz_rates fuzz_amount fuzz_printable fuzz_formula. Builds the `fuzz`
# preset (clang, libFuzzer, ASan + UBSan) when needed, then per target:
#   - fuzzes for SECONDS, in fork mode so that one finding does not end the campaign, each input
#     limited by -timeout (FUZZ_TIMEOUT, default 5 s) and -rss_limit_mb (FUZZ_RSS_MB, default 2048),
#     with tests/fuzz/TARGET.dict as dictionary when there is one; new inputs go to a scratch
#     corpus, build-fuzz/fuzz/TARGET/corpus; the committed corpus tests/fuzz/corpus/TARGET seeds it;
#   - merges the scratch corpus into tests/fuzz/corpus/TARGET with -merge=1 (only inputs that add
#     coverage are kept);
#   - leaves crash, timeout, leak and out-of-memory inputs in build-fuzz/fuzz/TARGET/crashes and
#     the log in build-fuzz/fuzz/TARGET/campaign.log;
#   - prints one line: target, seconds it fuzzed (wall clock), executions, corpus size, crashes.
# Exits 1 when any target found a crash. Environment: FUZZ_FORK=0 fuzzes in-process (stops at the
# first finding, keeps to SECONDS); FUZZ_MERGE=0 skips the merge; FUZZ_NO_BUILD=1 uses the fuzz
# build as it is (e.g. while another campaign runs from it). CI sets all three.
# Reproduce a finding: see tests/fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz_scenario fuzz_csv fuzz_rates fuzz_amount fuzz_printable fuzz_formula)
usage() {
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS   (TARGET: ${all_targets[*]})" >&2
  exit 2
}
[ $# -eq 2 ] || usage
target=$1
seconds=$2
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
if [ "$target" = all ]; then
  targets=("${all_targets[@]}")
elif [[ " ${all_targets[*]} " == *" $target "* ]]; then
  targets=("$target")
else
  usage
fi

if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  [ -f build-fuzz/build.ninja ] || cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz >/dev/null
fi

# libFuzzer reports sanitizer findings itself; any of them ends the input as a crash.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# Longest input worth trying, per target: scenarios are a page of TOML, amounts one word.
max_len() {
  case $1 in
    fuzz_scenario) echo 4096 ;;
    fuzz_csv | fuzz_rates) echo 2048 ;;
    fuzz_printable | fuzz_formula) echo 512 ;;
    fuzz_amount) echo 128 ;;
  esac
}

found_crashes=0
for t in "${targets[@]}"; do
  bin="build-fuzz/tests/fuzz/bin/$t"
  corpus="tests/fuzz/corpus/$t"
  work="build-fuzz/fuzz/$t"
  mkdir -p "$work/corpus" "$work/crashes" "$corpus"
  log="$work/campaign.log"
  before=$(find "$work/crashes" -type f | wc -l)

  # Fork mode (default): a child process fuzzes at a time; a crash, timeout or OOM is saved and
  # the campaign goes on. It may overrun SECONDS by a job's length. FUZZ_FORK=0 (CI) fuzzes in
  # this process, stops at the first finding and keeps to SECONDS.
  mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  [ "${FUZZ_FORK:-1}" != 0 ] || mode=()
  # A dictionary of the format's words, when the target has one (tests/fuzz/TARGET.dict).
  [ ! -f "tests/fuzz/$t.dict" ] || mode+=("-dict=$PWD/tests/fuzz/$t.dict")
  started=$SECONDS
  (cd "$work" && "$OLDPWD/$bin" "${mode[@]}" \
      -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-5}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
      -max_len="$(max_len "$t")" -artifact_prefix=crashes/ -print_final_stats=1 \
      corpus "$OLDPWD/$corpus") >"$log" 2>&1 || true
  fuzzed=$((SECONDS - started))

  # Keep only the inputs that add coverage to the committed corpus.
  if [ "${FUZZ_MERGE:-1}" != 0 ]; then
    "$bin" -merge=1 -timeout="${FUZZ_TIMEOUT:-5}" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -artifact_prefix="$work/crashes/" \
      "$corpus" "$work/corpus" >"$work/merge.log" 2>&1 || echo "fuzz: $t: merge failed, see $work/merge.log" >&2
  fi

  # Executions: the final stats (in-process), else the last fork-mode status line
  # "#<executions>: cov: ... corp: ... oom/timeout/crash: a/b/c ...".
  execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)$/\1/p' "$log" | tail -n 1)
  [ -n "$execs" ] || execs=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 | sed -E 's/^#([0-9]+):.*/\1/')
  after=$(find "$work/crashes" -type f | wc -l)
  crashes=$((after - before))
  found_crashes=$((found_crashes + crashes))
  echo "fuzz: $t seconds=$fuzzed executions=${execs:-0} corpus=$(find "$corpus" -type f | wc -l) crashes=$crashes" \
       "(new inputs in $work/crashes, log $log)"
done
[ "$found_crashes" -eq 0 ]
