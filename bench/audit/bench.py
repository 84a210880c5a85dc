#!/usr/bin/python3
"""Inner half of bench/audit/run.sh: runs inside the world of the scenario
audit-bench (tests/world/scenarios/audit-bench.json) and times
`mailscout audit DOMAIN --phase-timeout 2 --http-timeout 2`, RUNS rounds, every
case once per round in a new random order, and compares medians.

Cases (each domain publishes every source: autoconfig https, .well-known,
SRV, Autodiscover POX, the ISPDB, MX, all naming mail.D:993 and :465):
  b-fast         no delay anywhere: the sources' own cost plus the endpoint
                 checks (connect, TLS, certificate, capabilities; then the TLS
                 versions of each, all endpoints at once)
  b-slow         every source delayed: autoconfig 300, .well-known 600,
                 ISPDB 400, Autodiscover 900 ms (sum 2200 ms, slowest 900 ms)
  b-tarpit-src   its .well-known never answers (an HTTP tarpit)
  b-tarpit-ep    the IMAP host it publishes is a TLS tarpit (accepts, never answers)
  b-tarpit-both  both

Goals (issue: mailscout audit):
  b-slow <= slowest source + b-fast (one round of endpoint checks), within 10% + 100 ms
  each tarpit case <= b-fast + its deadline (2 s) once, within 10% + 100 ms
"""
import json
import os
import random
import statistics
import subprocess
import sys
import time

MAILSCOUT = os.environ["MAILSCOUT"]
RUNS = int(os.environ.get("RUNS", "5"))
DEADLINE_S = 2.0
DELAYS_MS = {"autoconfig": 300, "well-known": 600, "ispdb": 400, "autodiscover": 900}
CASES = ["b-fast", "b-slow", "b-tarpit-src", "b-tarpit-ep", "b-tarpit-both"]


def run_once(case):
    t0 = time.monotonic()
    r = subprocess.run([MAILSCOUT, "audit", case + ".example", "--format", "json",
                        "--phase-timeout", "%g" % DEADLINE_S, "--http-timeout", "%g" % DEADLINE_S],
                       capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    doc = json.loads(r.stdout)
    return took, sorted({f["code"] for f in doc["findings"]})


def main():
    times = {c: [] for c in CASES}
    findings = {}
    for _ in range(RUNS):
        order = CASES[:]
        random.shuffle(order)
        for case in order:
            took, codes = run_once(case)
            times[case].append(took)
            findings[case] = codes
    med = {c: statistics.median(v) for c, v in times.items()}
    print("mailscout audit, %d rounds, --phase-timeout %g --http-timeout %g, median wall time"
          % (RUNS, DEADLINE_S, DEADLINE_S))
    print("%-14s %9s %7s %7s  %s" % ("case", "median s", "min s", "max s", "findings"))
    for c in CASES:
        print("%-14s %9.2f %7.2f %7.2f  %s" % (c, med[c], min(times[c]), max(times[c]), findings[c]))
    failed = 0
    slowest = max(DELAYS_MS.values()) / 1000.0
    total = sum(DELAYS_MS.values()) / 1000.0
    bound = slowest + med["b-fast"]
    ok = med["b-slow"] <= bound * 1.1 + 0.1
    failed += not ok
    print()
    print("sources: slowest %.2f s, sum %.2f s; one round of endpoint checks (b-fast) %.2f s" % (
        slowest, total, med["b-fast"]))
    print("b-slow %.2f s vs slowest + b-fast %.2f s: ratio %.2f (serial sources would be %.2f s)  %s" % (
        med["b-slow"], bound, med["b-slow"] / bound, total + med["b-fast"], "ok" if ok else "MISSED"))
    for c in ("b-tarpit-src", "b-tarpit-ep", "b-tarpit-both"):
        cost = med[c] - med["b-fast"]
        ok = med[c] <= (med["b-fast"] + DEADLINE_S) * 1.1 + 0.1
        failed += not ok
        print("%-14s costs %.2f s over b-fast, deadline %.1f s: ratio %.2f  %s" % (
            c, cost, DEADLINE_S, cost / DEADLINE_S, "ok" if ok else "MISSED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
