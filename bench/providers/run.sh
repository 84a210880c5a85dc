#!/usr/bin/env bash
# Benchmark of provider lookups as the database grows (issue 12): `mailscout
# discover ADDRESS --offline` against synthetic databases of 100 and 1000
# providers, with and without domains.idx. No fake Internet needed. Usage:
#   bench/providers/run.sh [BUILD_DIR]      (default: build)
#   RUNS=31 bench/providers/run.sh build
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$repo/$build" ;; esac
if [ ! -x "$build/mailscout" ]; then
  echo "bench/providers: no mailscout binary at $build/mailscout (build first: cmake --build $build --target mailscout)" >&2
  exit 2
fi
exec /usr/bin/python3 "$here/bench.py" --build "$build" "${@:2}"
