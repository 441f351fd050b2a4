#!/usr/bin/env bash
# Installs the Debian 12 packages Impact needs, only those missing (idempotent; needs root).
set -euo pipefail

packages=(
  g++ clang cmake ninja-build pkg-config binutils python3
  libquantlib0-dev libboost-dev libfmt-dev libcli11-dev
  catch2 libbenchmark-dev libtomlplusplus-dev
  # JSON reports and the tests that read them (nlohmann::ordered_json keeps the documented key order).
  nlohmann-json3-dev
  # SHA-256 of scenario and plugin files through libcrypto's EVP interface.
  libssl-dev
  # The expression library for formula steps (scenario `expr`).
  libmuparser-dev
  # Monte Carlo: counter-based random streams (Philox) from Random123, header-only.
  librandom123-dev
  # The Python peers of the benchmarks (bench/peers/), run with /usr/bin/python3.
  python3-numpy
  # JSON Schema validation of every JSON document impact writes against docs/schemas
  # (tests/schemas/validate_json.py, run with /usr/bin/python3; draft 2020-12 since 4.0).
  python3-jsonschema
  # The pandas + statsmodels peer of the event-panel benchmark (bench/peers/event_panel_pandas.py).
  python3-pandas python3-statsmodels
  # Isolated plugins (impact-worker): the seccomp filter that keeps plugins from files, network
  # and programs.
  libseccomp-dev
  # Excel reports with native charts (core/report/xlsx_report.cpp); 1.1.4 in Debian 12, which has
  # no custom error bars and no combined charts (see render_xlsx's chart notes).
  libxlsxwriter-dev
  # Markdown and HTML reports are Mustache templates rendered by mstch (core/report/mustache.cpp).
  libmstch-dev
  # Fuzzing (preset `fuzz`, scripts/fuzz.sh): libFuzzer and clang's sanitizer runtimes. The
  # runtimes are only a Recommends of clang, which --no-install-recommends skips.
  libfuzzer-14-dev libclang-rt-14-dev
  # The browser tests of HTML reports (tests/browser, label "browser"): headless Chromium takes
  # screenshots and a PDF and measures the laid-out page.
  chromium
  # A compiler cache for CI (.ci/run): the three builds of a CI run (default, asan, fuzz) reuse the
  # objects of earlier runs on the same machine when the sources and flags are the same.
  ccache
  # Korean glyphs in those pages (the reports' font stack names Noto Sans CJK KR); without it
  # Hangul draws as empty boxes and the browser test fails.
  fonts-noto-cjk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: need root to install packages (run as root, or: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
