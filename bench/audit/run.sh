#!/usr/bin/env bash
# Benchmark of `mailscout audit`: all sources at once, endpoints in parallel,
# a tarpit costs its deadline once. Usage:
#   bench/audit/run.sh [BUILD_DIR]          (default: build; needs root, see tests/world/README.md)
#   RUNS=9 bench/audit/run.sh build
# Starts a fake Internet with the scenario audit-bench and runs bench.py in it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$repo/$build" ;; esac
binary="$build/mailscout"
if [ ! -x "$binary" ]; then
  echo "bench/audit: no mailscout binary at $binary (build first: cmake --build $build --target mailscout)" >&2
  exit 2
fi
MAILSCOUT="$binary" exec /usr/bin/python3 "$repo/tests/world/world.py" run -s audit-bench -- \
  /usr/bin/python3 "$here/bench.py"
