#!/usr/bin/python3
"""bench/discover/vs_curl.py: `mailscout discover` against a curl process
fetching the URL that answers, in the same run (issue 9).

    bench/discover/vs_curl.py [--build DIR] [-n 21] [--baseline DIR]

Starts the world itself (tests/world/world.py, scenarios discover-sources and
basic) and re-runs itself inside it. Each round runs every command once, in a
new random order, so load from other work on the machine hits all of them
alike; the figures are medians over the rounds. Cases:

  startup       `mailscout --version`, `mailscout discover --offline` (the
                bundled provider database only), next to `curl --version`
  autoconfig    alice@d-ac.example     vs curl https://autoconfig.d-ac.example/mail/config-v1.1.xml
  .well-known   alice@d-wk.example     vs curl https://d-wk.example/.well-known/autoconfig/...
  Autodiscover  alice@d-ad.example     vs curl -X POST https://autodiscover.d-ad.example/autodiscover/...
  MX->provider  alice@d-mx.example     vs curl https://autoconfig.thunderbird.net/v1.1/mailhost-v7.example
                (MX host's registrable domain found in the ISPDB)
  MX->bundled   alice@d-mxg.example    (MX is Google's: bundled provider, no HTTP at all) shown
                against the autoconfig curl, a stricter peer than it needs

--baseline DIR adds DIR/mailscout's runs of every mailscout command to the
same rounds (before/after figures from one run).

Goal: each discover median within 1.1x of its curl peer's median (one DNS
lookup plus one HTTPS fetch is the physical limit; curl also loads the CA
bundle). Exit status 1 when a case misses it.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
WORLD = ROOT / "tests" / "world" / "world.py"
GOAL = 1.1

AUTODISCOVER_BODY = (
    '<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/'
    'exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alice@d-ad.example'
    '</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/'
    'outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>')


def timed(argv):
    """Runs argv; returns (wall ms, CPU ms (user + system, all threads), exit status, stderr)."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(60, p.kill)  # nothing here may hang the benchmark
    watchdog.start()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    watchdog.cancel()
    wall = (time.perf_counter() - start) * 1000
    p.returncode = os.waitstatus_to_exitcode(status)
    p.stderr.close()
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, p.returncode, err.decode(errors="replace")


def inner(args):
    ms = str(Path(args.build) / "mailscout")

    def curl(*rest):
        return ["curl", "-s", "--fail", "-o", "/dev/null", *rest]

    commands = {
        "mailscout --version": [ms, "--version"],
        "curl --version": ["curl", "--version"],
        "discover --offline gmail.com": [ms, "discover", "--offline", "alice@gmail.com"],
        "discover d-ac (autoconfig)": [ms, "discover", "alice@d-ac.example"],
        "curl autoconfig URL": curl("https://autoconfig.d-ac.example/mail/config-v1.1.xml"),
        "discover d-wk (.well-known)": [ms, "discover", "alice@d-wk.example"],
        "curl .well-known URL":
            curl("https://d-wk.example/.well-known/autoconfig/mail/config-v1.1.xml"),
        "discover d-ad (Autodiscover)": [ms, "discover", "alice@d-ad.example"],
        "curl Autodiscover POST":
            curl("-X", "POST", "-H", "Content-Type: text/xml", "--data", AUTODISCOVER_BODY,
                 "https://autodiscover.d-ad.example/autodiscover/autodiscover.xml"),
        "discover d-mx (MX->ISPDB)": [ms, "discover", "alice@d-mx.example"],
        "curl ISPDB URL": curl("https://autoconfig.thunderbird.net/v1.1/mailhost-v7.example"),
        "discover d-mxg (MX->bundled)": [ms, "discover", "alice@d-mxg.example"],
    }
    if args.baseline:
        base = str(Path(args.baseline) / "mailscout")
        for name, argv in list(commands.items()):
            if argv[0] == ms:
                commands[name + " [baseline]"] = [base, *argv[1:]]
    pairs = [("discover d-ac (autoconfig)", "curl autoconfig URL"),
             ("discover d-wk (.well-known)", "curl .well-known URL"),
             ("discover d-ad (Autodiscover)", "curl Autodiscover POST"),
             ("discover d-mx (MX->ISPDB)", "curl ISPDB URL"),
             ("discover d-mxg (MX->bundled)", "curl autoconfig URL")]
    times = {name: [] for name in commands}
    cpu = {name: [] for name in commands}
    for name, argv in commands.items():  # warm caches; also proves each one works
        for _ in range(2):
            _, _, code, err = timed(argv)
            if code != 0:
                sys.exit(f"{name}: exit status {code}: {err.strip()[:300]}")
    order = list(commands.items())
    rng = random.Random(9)
    for _ in range(args.n):
        rng.shuffle(order)
        for name, argv in order:
            ms_taken, cpu_ms, code, err = timed(argv)
            if code != 0:
                sys.exit(f"{name}: exit status {code}: {err.strip()[:300]}")
            times[name].append(ms_taken)
            cpu[name].append(cpu_ms)

    med = {name: statistics.median(v) for name, v in times.items()}
    print(f"\nmailscout discover vs curl, {args.n} interleaved rounds, medians (ms); CPU is "
          f"user + system time of the process\n")
    print(f"{'command':40} {'median':>8} {'min':>8} {'max':>8} {'CPU':>8}")
    for name in commands:
        print(f"{name:40} {med[name]:8.1f} {min(times[name]):8.1f} {max(times[name]):8.1f} "
              f"{statistics.median(cpu[name]):8.1f}")
    print(f"\n{'case':32} {'mailscout':>9} {'curl':>8} {'ratio':>6}  goal <= {GOAL}x")
    missed = 0
    for ours, peer in pairs:
        ratio = med[ours] / med[peer]
        ok = ratio <= GOAL
        missed += 0 if ok else 1
        print(f"{ours:32} {med[ours]:9.1f} {med[peer]:8.1f} {ratio:6.2f}  "
              f"{'met' if ok else 'MISSED'}")
        if args.baseline:
            b = med[ours + " [baseline]"]
            print(f"{'  baseline':32} {b:9.1f} {med[peer]:8.1f} {b / med[peer]:6.2f}")
    if args.baseline:
        for name in ("mailscout --version", "discover --offline gmail.com"):
            print(f"{name:32} {med[name]:9.1f}  baseline {med[name + ' [baseline]']:9.1f}")
    print(f"\nstartup: --version {med['mailscout --version']:.1f} ms "
          f"(curl --version {med['curl --version']:.1f} ms), discover --offline "
          f"{med['discover --offline gmail.com']:.1f} ms")
    return 1 if missed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"), help="build dir with mailscout")
    parser.add_argument("-n", type=int, default=21, help="rounds (medians of n; at least 15)")
    parser.add_argument("--baseline", help="another build dir to measure in the same rounds")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(args)
    if not (Path(args.build) / "mailscout").exists():
        sys.exit(f"no mailscout binary in {args.build} (build it first, or pass --build DIR)")
    cmd = [sys.executable, str(WORLD), "run", "--scenario", "discover-sources", "--scenario",
           "basic", "--", sys.executable, str(Path(__file__).resolve()), "--inner", "--build",
           str(Path(args.build).resolve()), "-n", str(max(args.n, 1))]
    if args.baseline:
        cmd += ["--baseline", str(Path(args.baseline).resolve())]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
