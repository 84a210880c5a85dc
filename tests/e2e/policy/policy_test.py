#!/usr/bin/env python3
"""Login policy end to end: verdicts you can trust, fast, on servers that fight back.

Scenarios (tests/world/scenarios/policy-*.json), every Dovecot with `"penalties": true`
(auth_failure_delay 2 s and the per-IP auth penalty that grows to 15 s):

  localpart  the user exists only as `alice`; autoconfig says %EMAILADDRESS%
  wrongpw    every service on one host, and a wrong password
  banned     like localpart (user `carol`), and the 3rd failed login bans the client IP
  tarpit     found only by guessing: 993 never answers the TLS handshake, 465 drops SYNs,
             143 and 587 STARTTLS work

For each scenario `--runs` (10) runs of `mailscout setup ADDRESS --format json`, and one
extra case: wrongpw 3 times in the same world with the same MAILSCOUT_STATE_DIR. Each run
asserts the verdict (exit status, recommended incoming/outgoing, host, port, security,
username, verified), the number of failed logins the server logged during the run, and
for some scenarios the wall time. Prints one line per run, a summary per scenario and a
closing 'N passed, M failed' line; exits 1 on any failure.

Why a fresh world per run: Dovecot's auth penalty is kept per client IP inside one
Dovecot instance (anvil), and every mailscout run comes from 127.0.0.1. A second run in the
same world would start with the first run's penalty (4-15 s waits before every login) and,
in `banned`, with its failure count. So every run gets its own world (world.py run, about
0.5 s to start) and its own MAILSCOUT_STATE_DIR (the engine's ledger of failed logins per
realm). Runs mostly sleep on Dovecot's delays, so `--jobs` (2) worlds run side by side.

Failed logins are counted from the server's Dovecot log ($WORLD_LOGS/<server>.log): the
auth process logs one line per attempt that reached the password check,
    auth: Info: passwd-file(USER,IP,<session>): Password mismatch (given password: ...)
    auth: Info: passwd-file(USER,IP,<session>): unknown user (given password: ...)
(world.py's FAILED_LOGIN_RE, also used by the ban watcher). The imap-login/
submission-login "auth failed, N attempts" lines are not used: they come only when a
connection ends and sum its attempts. An AUTH still waiting on the penalty when mailscout
exits is cancelled by Dovecot without a password check and is not a failure (nor counted
by Dovecot's penalty); the count is taken 0.5 s after mailscout exits.

Usage (ctest runs the first form):
  policy_test.py [--runs N] [--jobs J] [--case NAME]... [--mailscout PATH]
Environment: MAILSCOUT (the binary; --mailscout overrides).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("MAILSCOUT_SOURCE_DIR") or HERE.parents[2])
WORLD = SOURCE_DIR / "tests" / "world" / "world.py"
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
RUN_LIMIT = 120          # seconds: a run that takes longer is killed (and fails)
SETTLE = 0.5             # seconds between mailscout's exit and counting the log
SANITIZER_SLOWDOWN = 1.5  # time limits stretch by this under ASan+UBSan (MAILSCOUT_SANITIZED)

# Same pattern as world.py's FAILED_LOGIN_RE: one line per failed password check.
FAILED_LOGIN_RE = re.compile(r" auth: Info: [\w-]+\((?P<user>.*?),(?P<ip>[0-9.]+),<[^>]*>\): "
                             r"(?P<why>Password mismatch|unknown user)\b")

CASES = {
    "localpart": {
        "scenario": "policy-localpart", "server": "mail.localpart.example",
        "address": "alice@localpart.example", "password": "localpartpw",
        "exit": 0,
        "incoming": ("imap", "mail.localpart.example", 993, "tls", "alice"),
        "outgoing": ("smtp", "mail.localpart.example", 465, "tls", "alice"),
        "max_failed": 1, "max_seconds": None,
    },
    "wrongpw": {
        "scenario": "policy-wrongpw", "server": "mail.wrongpw.example",
        "address": "user@wrongpw.example", "password": "not-the-password-7x",
        "exit": 1, "incoming": None, "outgoing": None, "password_rejected": True,
        "min_failed": 1, "max_failed": 2, "max_seconds": None,
        # Dovecot delays both rejections on purpose (about 2 s, then 4-6 s with its
        # penalty): mailscout's own time around them (start, discovery, two TLS
        # connections) must stay small: about 0.3 s on an idle machine, up to 2 s with
        # ctest and two worlds beside it. Waiting a deadline or a grace for nothing
        # would add whole seconds. The benchmark (bench/policy) reports the wall time
        # against the 8 s.
        "max_own_seconds": 3.0,
    },
    "banned": {
        "scenario": "policy-banned", "server": "mail.banned.example",
        "address": "carol@banned.example", "password": "bannedpw",
        "exit": 0,
        "incoming": ("imap", "mail.banned.example", 993, "tls", "carol"),
        "outgoing": ("smtp", "mail.banned.example", 465, "tls", "carol"),
        "never_banned": True,
        "max_failed": None, "max_seconds": None,
    },
    "tarpit": {
        "scenario": "policy-tarpit", "server": "mail.tarpit.example",
        "address": "user@tarpit.example", "password": "tarpitpw",
        "exit": 0,
        "incoming": ("imap", "mail.tarpit.example", 143, "starttls", "user@tarpit.example"),
        "outgoing": ("smtp", "mail.tarpit.example", 587, "starttls", "user@tarpit.example"),
        "max_failed": 0, "max_seconds": 6.0,
    },
}
# The extra case: wrongpw several times in one world with one state folder ("2 per run,
# 3 in all"): the total over the runs is at most LEDGER_MAX_TOTAL.
LEDGER_RUNS = 3
LEDGER_MAX_TOTAL = 3


# ----------------------------------------------------------------------------
# Inside a world: run mailscout, collect facts (no assertions here)
# ----------------------------------------------------------------------------

def count_failed(log_path, offset):
    """(new offset, [(user, why)]) for the failed logins logged after offset."""
    try:
        with open(log_path, "rb") as f:
            f.seek(offset)
            data = f.read()
    except OSError:
        return offset, []
    # Only whole lines: a partly written last line is read next time.
    end = data.rfind(b"\n") + 1
    fails = []
    for ln in data[:end].decode("utf-8", "replace").splitlines():
        m = FAILED_LOGIN_RE.search(ln)
        if m:
            fails.append((m.group("user"), m.group("why")))
    return offset + end, fails


def one_run(mailscout, case, state_dir, log_path, offset):
    env = dict(os.environ, MAILSCOUT_PASSWORD=case["password"], MAILSCOUT_STATE_DIR=state_dir)
    start = time.monotonic()
    proc = subprocess.Popen([mailscout, "setup", case["address"], "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    killed = False
    try:
        out, err = proc.communicate(timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        killed = True
    wall = time.monotonic() - start
    time.sleep(SETTLE)
    offset, fails = count_failed(log_path, offset)
    try:
        doc = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        doc = {"_invalid": str(e)}
    return offset, {"exit": None if killed else proc.returncode, "wall": wall, "doc": doc,
                    "stderr": err.decode("utf-8", "replace")[-2000:], "failed": fails}


def inner(args):
    case = CASES[args.case]
    info = json.loads(Path(os.environ["WORLD_INFO"]).read_text())
    log_path = next(m["log"] for m in info["mail"] if m["name"] == case["server"])
    ban_log = Path(os.environ["WORLD_LOGS"]) / "ban.log"
    offset, runs = 0, []
    for _ in range(args.inner_runs):
        offset, r = one_run(args.mailscout, case, args.state_dir, log_path, offset)
        r["log_ok"] = os.path.isfile(log_path)
        try:
            r["banned"] = [ln for ln in ban_log.read_text().splitlines() if " banned " in ln]
        except OSError:
            r["banned"] = []
        runs.append(r)
    Path(args.result).write_text(json.dumps(runs))
    return 0


# ----------------------------------------------------------------------------
# Outside: one world per job, assertions, report
# ----------------------------------------------------------------------------

def setting_str(s):
    if not s:
        return "none"
    return (f"{s.get('protocol')} {s.get('host')}:{s.get('port')} {s.get('security')} "
            f"{s.get('username')}{'' if s.get('verified') else ' (unverified)'}")


def check_setting(side, want, got, problems):
    if want is None:
        if got and got.get("verified"):
            problems.append(f"{side}: want no verified setting, got {setting_str(got)}")
        return
    if not got:
        problems.append(f"{side}: none recommended (want {' '.join(map(str, want))})")
        return
    have = (got.get("protocol"), got.get("host"), got.get("port"), got.get("security"), got.get("username"))
    names = ("protocol", "host", "port", "security", "username")
    for n, w, h in zip(names, want, have):
        if w != h:
            problems.append(f"{side}.{n}: want {w}, got {h}")
    if got.get("verified") is not True:
        problems.append(f"{side}: not verified")


def judge(case, r):
    """The problems of one run (empty: it passed)."""
    problems = []
    doc = r["doc"]
    if r["exit"] is None:
        problems.append(f"killed after {RUN_LIMIT}s")
    elif r["exit"] != case["exit"]:
        problems.append(f"exit {r['exit']} (want {case['exit']})")
    if "_invalid" in doc:
        problems.append(f"stdout is not JSON: {doc['_invalid']}")
        return problems
    rec = doc.get("recommended") or {}
    check_setting("incoming", case["incoming"], rec.get("incoming"), problems)
    check_setting("outgoing", case["outgoing"], rec.get("outgoing"), problems)
    if case.get("password_rejected"):
        rejected = [c for c in doc.get("checks", [])
                    if c.get("protocol") in ("imap", "pop3") and c.get("login_attempted")
                    and (c.get("error") or {}).get("kind") == "auth"]
        if not rejected:
            problems.append("no incoming check says the password was rejected (error kind auth)")
    nfail = len(r["failed"])
    if not r.get("log_ok", True):
        problems.append(f"no Dovecot log for {case['server']}: failed logins not counted")
    if nfail < case.get("min_failed", 0):
        problems.append(f"{nfail} failed logins logged, but a wrong password must have been tried at least "
                        f"{case['min_failed']} time(s) for the verdict (is the count broken?)")
    if case["max_failed"] is not None and nfail > case["max_failed"]:
        problems.append(f"{nfail} failed logins (max {case['max_failed']}: "
                        + ", ".join(f"{u} {w}" for u, w in r["failed"]) + ")")
    if case.get("never_banned") and r.get("banned"):
        problems.append("banned: " + r["banned"][0].split(" ", 2)[-1])
    slow = SANITIZER_SLOWDOWN if os.environ.get("MAILSCOUT_SANITIZED", "") in ("1", "ON", "TRUE", "true") else 1
    if case["max_seconds"] is not None and r["wall"] >= case["max_seconds"] * slow:
        problems.append(f"took {r['wall']:.1f}s (limit {case['max_seconds'] * slow:.1f}s)")
    if case.get("max_own_seconds") is not None:
        # The time the server made mailscout wait for its answers to logins.
        waited = sum((c.get("timings") or {}).get("auth", 0) for c in doc.get("checks", [])) / 1000
        own = r["wall"] - waited
        if own > case["max_own_seconds"] * slow:
            problems.append(f"took {r['wall']:.1f}s of which {own:.1f}s were not the server's answers to "
                            f"logins (limit {case['max_own_seconds'] * slow:.1f}s)")
    return problems


def in_world(args, name, state_dir, result, runs):
    case = CASES[name]
    cmd = [PYTHON, str(WORLD), "run", "--scenario", case["scenario"], "--",
           PYTHON, str(Path(__file__).resolve()), "_inner", "--case", name, "--state-dir", state_dir,
           "--result", result, "--inner-runs", str(runs), "--mailscout", args.mailscout]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=RUN_LIMIT * runs + 60)
    if p.returncode != 0 or not os.path.exists(result):
        raise RuntimeError(f"world.py run exited {p.returncode}: {p.stdout.decode(errors='replace')[-1500:]}")
    return json.loads(Path(result).read_text())


def verdict_str(r):
    doc = r["doc"]
    if "_invalid" in doc:
        return f"exit {r['exit']}, invalid JSON"
    rec = doc.get("recommended") or {}
    return (f"exit {r['exit']}, in {setting_str(rec.get('incoming'))}, "
            f"out {setting_str(rec.get('outgoing'))}")


def mmm(values, fmt):
    if not values:
        return "-"
    return "/".join(fmt % v for v in (min(values), statistics.median(values), max(values)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10, help="runs per scenario (10)")
    ap.add_argument("--jobs", type=int, default=2, help="worlds side by side (2)")
    ap.add_argument("--case", action="append", choices=sorted(CASES) + ["ledger"],
                    help="only these cases (default: all, and the ledger case)")
    ap.add_argument("--mailscout", default=os.environ.get("MAILSCOUT"))
    # inside a world
    ap.add_argument("--state-dir")
    ap.add_argument("--result")
    ap.add_argument("--inner-runs", type=int, default=1)
    if argv[:1] == ["_inner"]:
        ap.add_argument("mode")
        args = ap.parse_args(argv)
        args.case = args.case[0]
        return inner(args)
    args = ap.parse_args(argv)
    if not args.mailscout:
        print("policy_test: set MAILSCOUT or pass --mailscout", file=sys.stderr)
        return 2
    args.mailscout = str(Path(args.mailscout).resolve())
    wanted = args.case or sorted(CASES) + ["ledger"]
    tmp = Path(tempfile.mkdtemp(prefix="mailscout-policy-"))
    lock = threading.Lock()
    results = {n: [] for n in wanted}
    passed = failed = 0
    t0 = time.monotonic()

    def job(name, i):
        state = tempfile.mkdtemp(dir=tmp, prefix=f"state-{name}-{i}-")
        result = str(tmp / f"{name}-{i}.json")
        if name == "ledger":
            runs = in_world(args, "wrongpw", state, result, LEDGER_RUNS)
        else:
            runs = in_world(args, name, state, result, 1)
        return name, i, runs

    jobs = [(n, i) for i in range(1, args.runs + 1) for n in wanted if n != "ledger"]
    if "ledger" in wanted:
        jobs.insert(min(len(jobs), 2), ("ledger", 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [ex.submit(job, n, i) for n, i in jobs]
        for fut in concurrent.futures.as_completed(futs):
            try:
                name, i, runs = fut.result()
            except Exception as e:     # the world did not start: a failure, not a crash
                with lock:
                    failed += 1
                    print(f"FAIL world: {e}", flush=True)
                continue
            with lock:
                if name == "ledger":
                    total = sum(len(r["failed"]) for r in runs)
                    problems = []
                    for k, r in enumerate(runs, 1):
                        if r["exit"] != 1:
                            problems.append(f"run {k}: exit {r['exit']} (want 1)")
                    if total > LEDGER_MAX_TOTAL:
                        problems.append(f"{total} failed logins over {LEDGER_RUNS} runs (max {LEDGER_MAX_TOTAL}: "
                                        + ", ".join(str(len(r["failed"])) for r in runs) + " per run)")
                    # The later runs know the earlier runs' failures (the ledger) and say why
                    # they did not try more.
                    for k, r in enumerate(runs[1:], 2):
                        lp = r["doc"].get("login_policy") or {}
                        before = sum(realm.get("failed_before", 0) for realm in lp.get("realms", []))
                        if lp.get("max_failed_in_all") != LEDGER_MAX_TOTAL or before < 2:
                            problems.append(f"run {k}: login_policy does not show the earlier failures "
                                            f"({lp.get('max_failed_in_all')} in all, {before} before)")
                    last = runs[-1]["doc"]
                    said = [c for c in last.get("checks", [])
                            if (c.get("error") or {}).get("kind") == "not-tried"
                            and "earlier runs" in (c.get("error") or {}).get("message", "")]
                    if len(runs) >= 3 and not said:
                        problems.append(f"run {len(runs)}: no check says it was not tried because of "
                                        "earlier runs' failed logins")
                    results[name].append((runs, problems))
                    detail = ", ".join(f"run {k}: exit {r['exit']} {len(r['failed'])} failed {r['wall']:.1f}s"
                                       for k, r in enumerate(runs, 1))
                    print(f"{'ok  ' if not problems else 'FAIL'} ledger (wrongpw x{LEDGER_RUNS}, one world, one "
                          f"state dir): {total} failed logins in all; {detail}"
                          + ("" if not problems else " -- " + "; ".join(problems)), flush=True)
                else:
                    r = runs[0]
                    problems = judge(CASES[name], r)
                    results[name].append((r, problems))
                    print(f"{'ok  ' if not problems else 'FAIL'} {name} #{i}: {verdict_str(r)}, "
                          f"{len(r['failed'])} failed logins, {r['wall']:.1f}s"
                          + ("" if not problems else " -- " + "; ".join(problems)), flush=True)
                if problems:
                    failed += 1
                else:
                    passed += 1
    print()
    for name in wanted:
        rs = results[name]
        if name == "ledger":
            for runs, problems in rs:
                print(f"summary ledger: wrongpw x{LEDGER_RUNS} in one world and one state dir: failed logins "
                      + "+".join(str(len(r["failed"])) for r in runs)
                      + f" = {sum(len(r['failed']) for r in runs)} (max {LEDGER_MAX_TOTAL}), wall "
                      + "/".join(f"{r['wall']:.1f}" for r in runs) + "s, "
                      + ("passed" if not problems else "FAILED"))
            continue
        verdicts = {}
        for r, _ in rs:
            v = verdict_str(r)
            verdicts[v] = verdicts.get(v, 0) + 1
        ok = sum(1 for _, p in rs if not p)
        print(f"summary {name}: {len(rs)} runs, {ok} passed; failed logins min/median/max "
              f"{mmm([len(r['failed']) for r, _ in rs], '%g')}; wall min/median/max "
              f"{mmm([r['wall'] for r, _ in rs], '%.1f')}s; verdicts: "
              + "; ".join(f"{n}x {v}" for v, n in sorted(verdicts.items(), key=lambda x: -x[1])))
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"total time {time.monotonic() - t0:.0f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
