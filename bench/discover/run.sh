#!/usr/bin/env bash
# Benchmark of `mailscout discover` in the fake Internet (tests/world).
# Usage:
#   bench/discover/run.sh [BUILD_DIR]          (default: build; needs root)
#   RUNS=9 DELAY_MS=500 bench/discover/run.sh build-release
# For every case: the median wall time of the whole process over RUNS runs,
# the time of the slowest source the answer needed (the sources it waited
# for), the sum of all sources' times, and the bound of issue 4:
#   wall <= 1.1 * slowest needed source + 50 ms, and far below the sum.
# Slow sources are made slow by the world's delaying TCP proxy (bench.py
# writes that scenario). Results also go to bench/results/discover-*.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$repo/$build" ;; esac
binary="$build/mailscout"
if [ ! -x "$binary" ]; then
  echo "bench/discover: no mailscout binary at $binary (build first: cmake --build $build)" >&2
  exit 2
fi
work=$(mktemp -d /tmp/mailscout-bench-discover.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
/usr/bin/python3 "$here/bench.py" --write-scenario "$work/bench-discover.json"
mkdir -p "$repo/bench/results"
out="$repo/bench/results/discover-$(date +%Y%m%d-%H%M%S).txt"
MAILSCOUT="$binary" /usr/bin/python3 "$repo/tests/world/world.py" run \
  --scenario "$work/bench-discover.json" \
  --scenario discover-sources --scenario discover-faults --scenario discover-guess \
  --scenario sources --scenario demo --scenario basic -- \
  /usr/bin/python3 "$here/bench.py" | tee "$out"
