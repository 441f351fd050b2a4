#!/usr/bin/env bash
# Times `impact plugins` over a folder of N junk *.so files (N = 3,000, 10,000, 30,000), cache cold and warm.
#
#   bench/junk_plugins.sh [IMPACT] [N...]     (defaults: build-release/bin/impact, 3000 10000 30000)
#
# Every junk file is refused ("invalid ELF header"); the point is that the cost per file stays
# constant as N grows (linear total), cold (each file probed with dlopen and its refusal cached)
# and warm (each file only stat'ed, its refusal read from the cache). Also "off"
# (--no-plugin-cache: every file probed, nothing cached). Files and the cache live in a
# temporary folder. Three runs of each, median shown.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
impact="${1:-$here/../build-release/bin/impact}"
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(3000 10000 30000)
exec /usr/bin/python3 - "$impact" "${counts[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, tempfile, time

impact, counts = os.path.abspath(sys.argv[1]), [int(n) for n in sys.argv[2:]]
env = {k: v for k, v in os.environ.items() if k not in ("IMPACT_PLUGIN_PATH", "IMPACT_NO_PLUGIN_CACHE")}

def timed(args, cache_dir):
    start = time.perf_counter()
    subprocess.run([impact] + args, env=dict(env, IMPACT_CACHE_DIR=cache_dir), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start

print(f"{impact}: `impact plugins --plugin-dir DIR`, seconds (median of 3), and microseconds per file")
print(f"{'N':>7} {'cold s':>8} {'warm s':>8} {'off s':>8} {'cold us/file':>13} {'warm us/file':>13}")
for n in counts:
    root = tempfile.mkdtemp(prefix="impact-junk-")
    plugins, cache = os.path.join(root, "plugins"), os.path.join(root, "cache")
    os.makedirs(plugins)
    for i in range(n):
        with open(os.path.join(plugins, f"junk{i:06d}.so"), "w") as f:
            f.write(f"junk {i}\n")
    # Files made just now have a ctime in the current clock tick; let it pass so that the cache
    # can trust their stamps (see CacheEntry::is_racy) as it would any file not just written.
    time.sleep(0.05)
    args = ["plugins", "--plugin-dir", plugins]
    cold, warm, off = [], [], []
    for _ in range(3):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(timed(args, cache))
        warm.append(timed(args, cache))
        off.append(timed(["--no-plugin-cache"] + args, cache))
    c, w, o = statistics.median(cold), statistics.median(warm), statistics.median(off)
    print(f"{n:>7} {c:>8.2f} {w:>8.2f} {o:>8.2f} {c / n * 1e6:>13.1f} {w / n * 1e6:>13.1f}")
    shutil.rmtree(root, ignore_errors=True)
PY
