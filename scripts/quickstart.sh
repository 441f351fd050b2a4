#!/usr/bin/env bash
# Quick start: install what is missing, build Impact, and run the main job on the seed figure.
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
