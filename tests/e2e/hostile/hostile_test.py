#!/usr/bin/env python3
"""Hostile servers: `discover` and `setup` against each must end cleanly.

Runs inside the fake Internet (scenarios hostile-smoke + quality-hostile).
For every case and both commands it asserts: exit status 0 or 1 (never a
crash or 2), stdout is valid JSON, the run ends within its time limit, peak
RSS stays under 100 MB, the password appears nowhere, /etc/passwd never
leaks from an XXE document, and the outcome the case names: the status (and
words) of the source the hostile document reached, or for a hostile mail
server the error kind and phase of its check in `setup` (and that
`discover` still lists it).
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

MAX_RECORDS_PER_ANSWER = 256  # dns/answer.h kMaxRecordsPerAnswer


# Expectations: each takes (command, parsed JSON) and returns a list of problems.

def source(name, statuses, words=None):
    """The source `name` ended with one of `statuses`, its detail saying `words`."""
    def expect(command, doc):
        found = [s for s in doc.get("sources", []) if s.get("name") == name]
        if not found:
            return ["no source %s" % name]
        s = found[0]
        problems = []
        if s.get("status") not in statuses:
            problems.append("source %s is %r, want %s (%s)" % (name, s.get("status"),
                                                                " or ".join(statuses),
                                                                s.get("detail", "")[:300]))
        if words and words not in s.get("detail", ""):
            problems.append("source %s detail lacks %r: %s" % (name, words, s.get("detail", "")[:300]))
        return problems
    return expect


def no_candidates(command, doc):
    hosts = [c.get("host") for c in doc.get("candidates", [])]
    return ["candidates from a hostile document: %s" % hosts[:5]] if hosts else []


def server(host, port, security, kind, phase):
    """A hostile mail server: `discover` lists it; `setup` checks it and the
    check fails with error `kind` in `phase`."""
    def expect(command, doc):
        key = (host, port, security)
        if not any((c.get("host"), c.get("port"), c.get("security")) == key
                   for c in doc.get("candidates", [])):
            return ["%s:%d %s is not a candidate" % key]
        if command != "setup":
            return []
        checks = [c for c in doc.get("checks", [])
                  if (c.get("host"), c.get("port"), c.get("security")) == key]
        if not checks:
            return ["no check of %s:%d %s" % key]
        problems = []
        for c in checks:
            e = c.get("error") or {}
            if c.get("ok") or c.get("login_ok"):
                problems.append("check of %s:%d %s passed" % key)
            elif (e.get("kind"), e.get("phase")) != (kind, phase):
                problems.append("check of %s:%d %s ended %s/%s, want %s/%s (%s)" % (
                    key + (e.get("kind"), e.get("phase"), kind, phase, e.get("message", "")[:200])))
        return problems
    return expect


def at_most_records(command, doc):
    n = len(doc.get("candidates", []))
    return [] if 0 < n <= MAX_RECORDS_PER_ANSWER else [
        "%d candidates from one SRV answer (want 1..%d)" % (n, MAX_RECORDS_PER_ANSWER)]


def all_of(*expectations):
    return lambda command, doc: [p for e in expectations for p in e(command, doc)]


# (email, time limit in seconds, what the server does, the outcome that must follow)
CASES = [
    ("user@stream.hq.example", 15, "autoconfig streams XML forever",
     all_of(source("autoconfig", ["error"], "is larger than"), no_candidates)),
    ("user@bomb.hq.example", 15, "XML entity-expansion bomb",
     all_of(source("autoconfig", ["none", "error"]), no_candidates)),
    ("user@xxe.hq.example", 15, "XML external entity",
     all_of(source("autoconfig", ["none", "error"]), no_candidates)),
    ("user@huge.hq.example", 15, "1 GiB autoconfig body",
     all_of(source("autoconfig", ["error"], "is larger than"), no_candidates)),
    ("user@hang.hq.example", 15, "autoconfig hangs after its headers",
     all_of(source("autoconfig", ["timeout"], "No complete HTTP answer"), no_candidates)),
    ("user@loop.hq.example", 15, "autoconfig redirect loop",
     all_of(source("autoconfig", ["error"], "redirect loop"), no_candidates)),
    ("user@adloop.hq.example", 15, "Autodiscover redirectUrl loop + http redirect loop",
     all_of(source("autodiscover", ["error"], "loop"), no_candidates)),
    ("user@adaddr.hq.example", 15, "Autodiscover redirectAddr ping-pong",
     all_of(source("autodiscover", ["error"], "redirectAddr loop back to"), no_candidates)),
    ("user@endless.hq.example", 15, "greeting that never ends (no newline)",
     server("endless.mail.hostile.example", 993, "tls", "protocol", "greeting")),
    ("user@drip.hq.example", 15, "greeting dripping one byte per second",
     server("drip.mail.hostile.example", 143, "starttls", "timeout", "greeting")),
    ("user@tlsabort.hq.example", 15, "server closes mid-TLS-handshake",
     server("tlsabort.mail.hostile.example", 993, "tls", "tls", "tls")),
    ("user@capflood.hq.example", 15, "10000 capabilities",
     server("capflood.mail.hostile.example", 143, "starttls", "protocol", "capabilities")),
    ("user@literal.hq.example", 15, "IMAP literal announcing 4 GB",
     server("literal.mail.hostile.example", 143, "starttls", "protocol", "capabilities")),
    ("user@script.hq.example", 15, "STARTTLS then refused login",
     server("script.mail.hostile.example", 143, "starttls", "auth", "auth")),
    ("user@srvflood.hostile.example", 20, "500 SRV records",
     all_of(source("srv", ["found"]), at_most_records)),
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


def check(command, email, limit, what, expect):
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
        else:
            problems.extend(expect(command, doc))
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
    for email, limit, what, expect in CASES:
        if only and not any(o in email for o in only):
            continue
        for command in ("discover", "setup"):
            if check(command, email, limit, what, expect):
                passed += 1
            else:
                failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
