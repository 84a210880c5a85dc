#!/usr/bin/python3
"""Half of bench/policy/run.sh: times `mailscout setup` on the policy-* scenarios, each
run in a fresh world (world.py run) with a fresh MAILSCOUT_STATE_DIR, sequentially (one
world at a time, so runs don't share the CPU). Reuses tests/e2e/policy/policy_test.py for
running a world and counting failed logins in the server's Dovecot log.

  wrong password      failed logins and wall time, median of RUNS (5)
  local part only     runs of LOCALPART_RUNS (10) that recommend both sides, verified, as
                      `alice`; max failed logins
  tarpit + firewall   wall time, median of RUNS (5)
  banned (fail2ban)   runs of RUNS (5) in which the client got banned

Goals (issue 9): wrong password <= 2 failed logins and < 8 s; local part 10 of 10 with
<= 1 failed login; tarpit + firewalled < 6 s; never banned.
"""
import importlib.util
import os
import statistics
import sys
import tempfile
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

REPO = Path(os.environ.get("MAILSCOUT_SOURCE_DIR") or Path(__file__).resolve().parents[2])
spec = importlib.util.spec_from_file_location("policy_test", REPO / "tests/e2e/policy/policy_test.py")
pt = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pt)

RUNS = int(os.environ.get("RUNS", "5"))
LOCALPART_RUNS = int(os.environ.get("LOCALPART_RUNS", "10"))


def runs_of(args, tmp, name, n):
    out = []
    for i in range(n):
        state = tempfile.mkdtemp(dir=tmp, prefix=f"state-{name}-")
        out.append(pt.in_world(args, name, state, str(tmp / f"{name}-{i}.json"), 1)[0])
    return out


def med(values):
    return statistics.median(values) if values else float("nan")


def main():
    args = SimpleNamespace(mailscout=str(Path(os.environ["MAILSCOUT"]).resolve()))
    tmp = Path(tempfile.mkdtemp(prefix="mailscout-bench-policy-"))
    t0 = time.monotonic()
    print(f"mailscout setup against Dovecot with its real failed-login penalties "
          f"({args.mailscout}); one fresh world per run")
    print(f"{'case':20} {'runs':>4} {'exit':>5} {'failed logins':>18} {'wall s (min/median/max)':>24}  goal")
    missed = 0

    def line(label, rs, extra, ok, goal):
        nonlocal missed
        missed += 0 if ok else 1
        codes = ",".join(str(c) for c in sorted({r["exit"] for r in rs}, key=str))
        fails = [len(r["failed"]) for r in rs]
        walls = [r["wall"] for r in rs]
        print(f"{label:20} {len(rs):4} {codes:>5} {extra:>18} "
              f"{min(walls):7.2f}/{med(walls):6.2f}/{max(walls):6.2f}      {goal} {'ok' if ok else 'MISSED'}",
              flush=True)
        return fails, walls

    rs = runs_of(args, tmp, "wrongpw", RUNS)
    fails = [len(r["failed"]) for r in rs]
    ok = med(fails) <= 2 and med([r["wall"] for r in rs]) < 8
    line("wrong password", rs, f"median {med(fails):g} max {max(fails)}", ok,
         "<= 2 failed logins, < 8 s:")

    rs = runs_of(args, tmp, "localpart", LOCALPART_RUNS)
    both = sum(1 for r in rs if not [p for p in pt.judge(pt.CASES["localpart"], r)
                                     if p.startswith(("incoming", "outgoing", "exit"))])
    fails = [len(r["failed"]) for r in rs]
    line("local part only", rs, f"max {max(fails)}", both == len(rs) and max(fails) <= 1,
         f"both sides {both}/{len(rs)} (goal all), max failed <= 1:")

    rs = runs_of(args, tmp, "tarpit", RUNS)
    good = sum(1 for r in rs if not [p for p in pt.judge(pt.CASES["tarpit"], r) if not p.startswith("took")])
    line("tarpit + firewalled", rs, f"max {max(len(r['failed']) for r in rs)}",
         med([r["wall"] for r in rs]) < 6 and good == len(rs),
         f"143+587 STARTTLS {good}/{len(rs)}, median < 6 s:")

    rs = runs_of(args, tmp, "banned", RUNS)
    banned = sum(1 for r in rs if r.get("banned"))
    good = sum(1 for r in rs if not pt.judge(pt.CASES["banned"], r))
    line("banned after 3", rs, f"max {max(len(r['failed']) for r in rs)}", banned == 0 and good == len(rs),
         f"banned in {banned}/{len(rs)}, right verdict {good}/{len(rs)}:")

    shutil.rmtree(tmp, ignore_errors=True)
    print(f"goals missed: {missed} (total {time.monotonic() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
