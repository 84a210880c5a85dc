#!/usr/bin/env python3
"""Hostile servers: `discover` and `setup` against each must end cleanly.

Runs inside the fake Internet (scenarios hostile-smoke + quality-hostile).
For every case and both commands it asserts: exit status 0 or 1 (never a
crash or 2), stdout is valid JSON, the run ends within its time limit, peak
RSS stays under 100 MB, the password appears nowhere, and case-specific
facts (e.g. /etc/passwd never leaks from an XXE document).
Prints one line per run and a closing 'N passed, M failed' line.
"""
import json
import os
import resource
import subprocess
import sys
import time

MAILSCOUT = os.environ["MAILSCOUT"]
PASSWORD = "hostile-Pw-93k"
RSS_LIMIT_KB = 100 * 1024
# AddressSanitizer's shadow memory and quarantine add tens of MB to every
# process, so the memory bound is checked only in plain builds.
SANITIZED = os.environ.get("MAILSCOUT_SANITIZED", "0") == "1"

# (email, time limit in seconds, extra checks on the parsed JSON and output)
CASES = [
    ("user@stream.hq.example", 15, "autoconfig streams XML forever"),
    ("user@bomb.hq.example", 15, "XML entity-expansion bomb"),
    ("user@xxe.hq.example", 15, "XML external entity"),
    ("user@huge.hq.example", 15, "1 GiB autoconfig body"),
    ("user@hang.hq.example", 15, "autoconfig hangs after its headers"),
    ("user@loop.hq.example", 15, "autoconfig redirect loop"),
    ("user@adloop.hq.example", 15, "Autodiscover redirectUrl loop + http redirect loop"),
    ("user@adaddr.hq.example", 15, "Autodiscover redirectAddr ping-pong"),
    ("user@endless.hq.example", 15, "greeting that never ends (no newline)"),
    ("user@drip.hq.example", 15, "greeting dripping one byte per second"),
    ("user@tlsabort.hq.example", 15, "server closes mid-TLS-handshake"),
    ("user@capflood.hq.example", 15, "10000 capabilities"),
    ("user@literal.hq.example", 15, "IMAP literal announcing 4 GB"),
    ("user@script.hq.example", 15, "STARTTLS then refused login"),
    ("user@srvflood.hostile.example", 20, "500 SRV records"),
]


def run(args, limit):
    env = dict(os.environ, MAILSCOUT_PASSWORD=PASSWORD)
    start = time.monotonic()
    proc = subprocess.Popen([MAILSCOUT] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=env)
    try:
        out, err = proc.communicate(timeout=limit + 30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, out, err, time.monotonic() - start, 0
    elapsed = time.monotonic() - start
    # ru_maxrss of the child just reaped (RUSAGE_CHILDREN is the max over all
    # children so far, which is what we want as an upper bound per run).
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return proc.returncode, out, err, elapsed, rss


def check(command, email, limit, what):
    args = [command, email, "--format", "json"]
    code, out, err, elapsed, rss = run(args, limit)
    problems = []
    if code is None:
        problems.append("did not end (killed after %ds)" % (limit + 30))
    elif code not in (0, 1):
        problems.append("exit status %d (want 0 or 1)" % code)
    try:
        doc = json.loads(out.decode("utf-8"))
        if not isinstance(doc, dict) or "candidates" not in doc:
            problems.append("JSON has no candidates")
    except (ValueError, UnicodeDecodeError) as e:
        problems.append("stdout is not JSON: %s" % e)
    if elapsed > limit:
        problems.append("took %.1fs (limit %ds)" % (elapsed, limit))
    if rss > RSS_LIMIT_KB and not SANITIZED:
        problems.append("peak RSS %d MB (limit 100 MB)" % (rss // 1024))
    blob = out + err
    if PASSWORD.encode() in blob:
        problems.append("password in output")
    if b"root:x:0:0" in blob:
        problems.append("/etc/passwd content leaked (XXE)")
    status = "ok  " if not problems else "FAIL"
    print("%s %-8s %-32s %5.2fs %4d MB  %s%s" % (status, command, email, elapsed, rss // 1024, what,
                                             ("  <- " + "; ".join(problems)) if problems else ""))
    if problems:
        sys.stdout.write(err.decode("utf-8", "replace")[-2000:] + "\n")
    return not problems


def main():
    passed = failed = 0
    only = sys.argv[1:]
    for email, limit, what in CASES:
        if only and not any(o in email for o in only):
            continue
        for command in ("discover", "setup"):
            if check(command, email, limit, what):
                passed += 1
            else:
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
