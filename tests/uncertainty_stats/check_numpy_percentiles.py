#!/usr/bin/env python3
"""Compares exact_quantiles_numpy_dump's percentiles with numpy's np.percentile, bit for bit.

Usage: check_numpy_percentiles.py DUMP_EXECUTABLE WORK_DIR
Exit 0: all equal; 1: a difference (each printed with its inputs); 77: numpy is not installed (skip).
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("SKIP: numpy is not installed for", sys.executable, "(Debian: apt-get install python3-numpy)")
    sys.exit(77)


def read_cases(path):
    cases = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields[0] == "case":
                cases.append({"name": fields[1], "budget": int(fields[2]), "passes": int(fields[3]),
                              "x": [], "p": []})
            elif fields[0] == "x":
                cases[-1]["x"].append(float.fromhex(fields[1]))
            elif fields[0] == "p":
                cases[-1]["p"].append(([float.fromhex(v) for v in fields[1:5]], int(fields[5]), int(fields[6])))
    return cases


def same_bits(a, b):
    return np.float64(a).tobytes() == np.float64(b).tobytes()


def main():
    dump, work_dir = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        path = os.path.join(tmp, "percentiles.txt")
        subprocess.run([dump, path], check=True)
        cases = read_cases(path)
    failures = 0
    for case in cases:
        x = np.array(case["x"], dtype=np.float64)
        ordered = np.sort(x)
        for (probability, value, ci_low, ci_high), low_rank, high_rank in case["p"]:
            expected = np.percentile(x, 100 * probability)
            checks = [("value", value, expected), ("ci_low", ci_low, ordered[low_rank - 1]),
                      ("ci_high", ci_high, ordered[high_rank - 1])]
            for what, ours, theirs in checks:
                if not same_bits(ours, theirs):
                    failures += 1
                    print(f"FAIL {case['name']} N={len(x)} budget={case['budget']} passes={case['passes']} "
                          f"p={probability!r} {what}: ours {ours!r} ({float(ours).hex()}), "
                          f"numpy {float(theirs)!r} ({float(theirs).hex()}), ranks {low_rank}..{high_rank}")
        print(f"{case['name']}: N={len(x)} budget={case['budget']} passes={case['passes']} "
              f"{len(case['p'])} percentiles checked")
    print(f"numpy {np.__version__}: {failures} difference(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
