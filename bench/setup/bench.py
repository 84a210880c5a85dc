#!/usr/bin/python3
"""Inner half of bench/setup/run.sh: runs inside a fake Internet with every
scenario loaded, times `mailscout setup` for each case of cases.txt RUNS
times with /usr/bin/time, and prints the median wall time and the peak RSS.

Goals (issue 5): healthy domain <= 0.1 s with logins; tarpit on the preferred
IMAP port + firewalled submission port < 6 s; peak RSS < 30 MB.
"""
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAILSCOUT = os.environ["MAILSCOUT"]
RUNS = int(os.environ.get("RUNS", "5"))
GOALS = {"healthy": 0.1, "tarpit+firewall": 6.0}
RSS_GOAL_MB = 30.0


def cases():
    for line in (HERE / "cases.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line.split()


def run_once(address, password):
    with tempfile.NamedTemporaryFile("r") as timing:
        env = dict(os.environ, MAILSCOUT_PASSWORD=password)
        proc = subprocess.run(
            ["/usr/bin/time", "-o", timing.name, "-f", "%e %M",
             MAILSCOUT, "setup", address, "--format", "json", "--no-prompt"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL, timeout=120)
        elapsed, rss_kb = timing.read().split()[-2:]
    return proc.returncode, float(elapsed), int(rss_kb) / 1024.0


def main():
    loaded = set(os.environ.get("WORLD_SCENARIOS", "").split())
    print(f"mailscout setup, {RUNS} runs per case, median wall time and peak RSS")
    print(f"{'scenario':14} {'address':36} {'kind':16} {'exit':>4} {'median s':>9} "
          f"{'min s':>7} {'max s':>7} {'RSS MB':>7}  goal")
    failed = 0
    peak = 0.0
    for scenario, address, password, kind in cases():
        if loaded and scenario not in loaded:
            continue
        results = [run_once(address, password) for _ in range(RUNS)]
        times = [r[1] for r in results]
        rss = max(r[2] for r in results)
        peak = max(peak, rss)
        codes = sorted({r[0] for r in results})
        median = statistics.median(times)
        goal = GOALS.get(kind)
        verdict = ""
        if goal is not None:
            ok = median <= goal
            verdict = f"<= {goal:g} s {'ok' if ok else 'MISSED'}"
            failed += 0 if ok else 1
        print(f"{scenario:14} {address:36} {kind:16} {','.join(map(str, codes)):>4} "
              f"{median:9.3f} {min(times):7.3f} {max(times):7.3f} {rss:7.1f}  {verdict}")
    rss_ok = peak < RSS_GOAL_MB
    print(f"peak RSS over all runs: {peak:.1f} MB (goal < {RSS_GOAL_MB:g} MB: "
          f"{'ok' if rss_ok else 'MISSED'})")
    print(f"time goals missed: {failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
