#!/usr/bin/env python3
"""Every finding code of `mailscout audit`, both ways, in the audit world.

Runs inside the world of tests/world/scenarios/audit-findings.json: one domain
per finding code (a-<something>.example), each built so that exactly its
code applies, plus a-clean.example (autoconfig over https and its own MX:
nothing wrong) and a-all.example (autoconfig https, .well-known, SRV, Outlook
Autodiscover, the ISPDB at autoconfig.thunderbird.net and live.thunderbird.net,
and the MX, all naming the same working servers). Each domain must report
exactly its expected codes: its own code where it applies, and no other code,
so every code is also checked to stay silent in every other domain. With the
right password a-clean stays clean; with a wrong one it gets
login-failed-everywhere and nothing else.

Prints one line per check and exits non-zero on any failure.
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import time

MAILSCOUT = os.environ["MAILSCOUT"]
PASSWORD = "auditpw"

# domain -> the exact set of finding codes it must report.
EXPECT = {
    "a-clean.example": set(),
    "a-all.example": set(),
    "a-disagree.example": {"source-disagreement"},
    "a-closed.example": {"advertised-endpoint-closed"},
    "a-plain.example": {"advertised-plaintext"},
    "a-authplain.example": {"auth-before-tls"},
    "a-wrongname.example": {"certificate-name-mismatch"},
    "a-selfsigned.example": {"certificate-untrusted"},
    "a-expired.example": {"certificate-expired"},
    "a-expiring.example": {"certificate-expiring"},
    "a-tls10.example": {"tls-legacy-version"},
    "a-httponly.example": {"autoconfig-http-only"},
    "a-401.example": {"autodiscover-requires-auth"},
    "a-nosrv.example": {"srv-says-no-service"},
    "a-ispdb.example": {"ispdb-stale"},
    "a-mx.example": {"mx-provider-unknown"},
    "a-guess.example": {"nothing-published"},
    "a-port25.example": {"port-25-for-submission"},
    # Published through one source only (for audit_clients_test.py): nothing wrong,
    # except that c-401only publishes nothing and its Autodiscover wants a password.
    "c-wellknown.example": set(),
    "c-ispdb.example": set(),
    "c-pox.example": set(),
    "c-srv.example": set(),
    "c-popfirst.example": set(),
    "c-401only.example": {"autodiscover-requires-auth", "nothing-published"},
    # Names starting with '_' (for Delta Chat's strict mode in audit_clients_test.py).
    "_c-strict.example": {"certificate-name-mismatch"},
    "_c-strictok.example": set(),
}
# With a password (MAILSCOUT_PASSWORD): address -> (password, exact codes).
WITH_PASSWORD = {
    "u@a-clean.example": (PASSWORD, set()),
    "u@a-all.example": (PASSWORD, set()),
}
WRONG_PASSWORD = {"u@a-clean.example": {"login-failed-everywhere"}}

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures.append(name)


def audit(target, password=None):
    env = dict(os.environ)
    env.pop("MAILSCOUT_PASSWORD", None)
    if password is not None:
        env["MAILSCOUT_PASSWORD"] = password
    start = time.time()
    r = subprocess.run([MAILSCOUT, "audit", target, "--format", "json", "--phase-timeout", "2"],
                       capture_output=True, text=True, timeout=120, env=env)
    took = time.time() - start
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = None
    return target, r, doc, took


def codes(doc):
    return {f["code"] for f in doc["findings"]}


def verify(target, r, doc, took, want, label=""):
    if doc is None:
        check("%s%s: JSON output" % (target, label), False, r.stdout[:300] + r.stderr[-300:])
        return
    got = codes(doc)
    for code in sorted(want):
        check("%s%s: reports %s" % (target, label, code), code in got, str(sorted(got)))
    extra = got - want
    check("%s%s: reports no other code" % (target, label), not extra,
          "; ".join("%s: %s" % (f["code"], f["message"]) for f in doc["findings"] if f["code"] in extra))
    severities = {f["severity"] for f in doc["findings"]}
    want_rc = 1 if "error" in severities else 0
    check("%s%s: exit status %d" % (target, label, want_rc), r.returncode == want_rc, "exit %d" % r.returncode)
    print("     %s%s: %.1f s, findings %s" % (target, label, took, sorted(got)), flush=True)


def main():
    t0 = time.time()
    jobs = [(d, None, want, "") for d, want in EXPECT.items()]
    jobs += [(a, pw, want, " (right password)") for a, (pw, want) in WITH_PASSWORD.items()]
    jobs += [(a, "wrong-" + PASSWORD, want, " (wrong password)") for a, want in WRONG_PASSWORD.items()]
    # One at a time: most domains share one Dovecot, and an audit opens a few
    # dozen TLS handshakes at once; two audits side by side on a loaded 2-core
    # machine pushed handshakes past --phase-timeout 2.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as ex:
        futures = [(ex.submit(audit, target, pw), want, label) for target, pw, want, label in jobs]
        for fut, want, label in futures:
            target, r, doc, took = fut.result()
            verify(target, r, doc, took, want, label)
    # Every code of the catalogue is covered by a domain that must report it.
    covered = set().union(*EXPECT.values(), *WRONG_PASSWORD.values())
    catalogue = ["source-disagreement", "advertised-endpoint-closed", "advertised-plaintext", "auth-before-tls",
                 "certificate-name-mismatch", "certificate-untrusted", "certificate-expired",
                 "certificate-expiring", "tls-legacy-version", "autoconfig-http-only",
                 "autodiscover-requires-auth", "srv-says-no-service", "ispdb-stale", "mx-provider-unknown",
                 "nothing-published", "port-25-for-submission", "login-failed-everywhere"]
    check("every finding code has a domain that must report it", covered == set(catalogue),
          "missing %s" % sorted(set(catalogue) - covered))
    print("%d failed (%.1f s)" % (len(failures), time.time() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
