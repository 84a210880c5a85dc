#!/usr/bin/env bash
# Benchmark of mailscout's login policy on servers that punish failed logins
# (Dovecot's real auth_failure_delay and per-IP auth penalty; tests/world
# scenarios policy-*). Usage:
#   bench/policy/run.sh [BUILD_DIR]     (default: build; needs root, see tests/world/README.md)
#   RUNS=3 LOCALPART_RUNS=5 bench/policy/run.sh build-release
# Every run gets a fresh world (the penalty is per client IP and would carry
# over) and a fresh MAILSCOUT_STATE_DIR. Prints the figures against the goals
# of issue 9.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$repo/$build" ;; esac
binary="$build/mailscout"
if [ ! -x "$binary" ]; then
  echo "bench/policy: no mailscout binary at $binary (build first: cmake --build $build --target mailscout)" >&2
  exit 2
fi
MAILSCOUT="$binary" MAILSCOUT_SOURCE_DIR="$repo" exec /usr/bin/python3 "$here/bench.py"
