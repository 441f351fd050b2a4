#!/usr/bin/env bash
# Quick start: install what is missing, build Impact, and run the main job on a sample scenario.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target impact

impact=build/bin/impact
echo
echo "\$ impact plugins"
"$impact" plugins
echo
echo "\$ impact convert 5.5B USD KRW --rate 1428.8     # H20 charge, facts.md Article 1"
"$impact" convert 5.5B USD KRW --rate 1428.8
echo
echo "\$ impact run samples/h20-export-licence-2025-04.toml"
"$impact" run samples/h20-export-licence-2025-04.toml
echo
echo "\$ impact run samples/h20-export-licence-2025-04.toml --draws 100000 --format md,csv,json,xlsx,html -o build/reports"
"$impact" run samples/h20-export-licence-2025-04.toml --draws 100000 --quiet --format md,csv,json,xlsx,html -o build/reports
echo "Open build/reports/h20-export-licence-2025-04.html in a browser, or the .xlsx in a spreadsheet."
