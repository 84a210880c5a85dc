#!/usr/bin/env bash
# Benchmark of `mailscout setup` over every scenario of the fake Internet
# (tests/world). Usage:
#   bench/setup/run.sh [BUILD_DIR]      (default: build; needs root, see tests/world/README.md)
#   RUNS=10 bench/setup/run.sh build-release
# Prints the median wall time per case (5 runs) and the peak RSS, against the
# goals of issue 5. /usr/bin/time (package "time") measures each run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$repo/$build" ;; esac
binary="$build/mailscout"
if [ ! -x "$binary" ]; then
  echo "bench/setup: no mailscout binary at $binary (build first: cmake --build $build)" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench/setup: /usr/bin/time is missing (apt-get install time)" >&2
  exit 2
fi
MAILSCOUT="$binary" exec /usr/bin/python3 "$repo/tests/world/world.py" run --all -- \
  /usr/bin/python3 "$here/bench.py"
