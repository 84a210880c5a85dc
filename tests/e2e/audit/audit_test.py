#!/usr/bin/env python3
"""`mailscout audit` against real servers in the fake Internet.

For each domain: the findings that must be reported, the ones that must not,
and the exit status for --fail-on. Runs inside the world made of the
scenarios demo, setup-certs, setup-faults and discover-sources.
Prints one line per check and exits non-zero on any failure.
"""
import json
import os
import subprocess
import sys
import time

MAILSCOUT = os.environ["MAILSCOUT"]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures.append(name)


def audit(target, *extra, env=None):
    start = time.time()
    r = subprocess.run([MAILSCOUT, "audit", target, "--format", "json", "--phase-timeout", "2"] + list(extra),
                       capture_output=True, text=True, timeout=120, env=env)
    took = time.time() - start
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = {"findings": [], "endpoints": []}
        check("%s: JSON output" % target, False, r.stdout[:300] + r.stderr[-300:])
    return r.returncode, doc, took


def codes(doc):
    return sorted({f["code"] for f in doc["findings"]})


# domain -> (must report, must not report, exit status with the default --fail-on error)
CASES = {
    "demo.example": ([], None, 0),  # publishes everything consistently: no finding at all
    "setup-certs.example": (["certificate-name-mismatch"],
                            ["advertised-endpoint-closed", "certificate-expired", "nothing-published"], 1),
    "setup-faults.example": (["advertised-endpoint-closed"],
                             ["certificate-name-mismatch", "source-disagreement", "nothing-published"], 1),
    "d-http.example": (["autoconfig-http-only"], ["certificate-untrusted", "nothing-published"], None),
    "d-srv.example": (["advertised-endpoint-closed"], ["autoconfig-http-only", "nothing-published"], 1),
    "d-mx.example": ([], ["mx-provider-unknown"], None),  # its MX host's provider is in the ISPDB
}


def main():
    for domain, (must, must_not, status) in CASES.items():
        rc, doc, took = audit(domain)
        got = codes(doc)
        if must_not is None:
            check("%s: no finding at all" % domain, got == [], str(got))
        else:
            for code in must:
                check("%s: reports %s" % (domain, code), code in got, str(got))
            for code in must_not:
                check("%s: does not report %s" % (domain, code), code not in got, str(got))
        if status is not None:
            check("%s: exit status %d" % (domain, status), rc == status, "exit %d" % rc)
        check("%s: every endpoint has TLS facts or says why not" % domain,
              all(e["tls"] is None or e["tls"]["versions"] or not e["reachable"] or e["error"]
                  for e in doc["endpoints"]), json.dumps(doc["endpoints"])[:400])
        print("     %s: %.1f s, findings %s" % (domain, took, got), flush=True)

    # TLS versions and certificate facts on a sound endpoint.
    _, doc, _ = audit("demo.example")
    imap = [e for e in doc["endpoints"] if e["host"] == "imap.demo.example" and e["port"] == 993]
    check("demo: IMAP 993 accepts TLS 1.2 and 1.3 only",
          bool(imap) and imap[0]["tls"]["versions"] == ["TLSv1.2", "TLSv1.3"], json.dumps(imap)[:300])
    check("demo: certificate trusted, name ok, days left > 21",
          bool(imap) and imap[0]["tls"]["certificate"]["trusted"] and imap[0]["tls"]["certificate"]["name_ok"]
          and imap[0]["tls"]["certificate"]["days_left"] > 21, json.dumps(imap)[:300])

    # --fail-on
    rc, _, _ = audit("setup-certs.example", "--fail-on", "never")
    check("--fail-on never: exit 0 despite errors", rc == 0, "exit %d" % rc)
    rc, _, _ = audit("d-http.example", "--fail-on", "warning")
    check("--fail-on warning: a warning fails", rc == 1, "exit %d" % rc)
    r = subprocess.run([MAILSCOUT, "audit", "not an address@@"], capture_output=True, text=True, timeout=30)
    check("bad input: exit 2", r.returncode == 2, "exit %d: %s" % (r.returncode, r.stderr))

    # With the right password: the login works, and no login-failed-everywhere.
    env = dict(os.environ, MAILSCOUT_PASSWORD="demo-password")
    _, doc, _ = audit("demo@demo.example", env=env)
    check("with a password: a login succeeds", any(e["login"] == "ok" for e in doc["endpoints"]),
          json.dumps([(e["host"], e["port"], e["login"]) for e in doc["endpoints"]]))
    check("with a password: no login-failed-everywhere", "login-failed-everywhere" not in codes(doc))
    env = dict(os.environ, MAILSCOUT_PASSWORD="wrong-password")
    _, doc, _ = audit("demo@demo.example", env=env)
    check("with a wrong password: login-failed-everywhere", "login-failed-everywhere" in codes(doc),
          str(codes(doc)))
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
