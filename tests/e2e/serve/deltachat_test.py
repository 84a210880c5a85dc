#!/usr/bin/env python3
"""Delta Chat core configures accounts from `mailscout serve` and logs in.

Runs inside the fake Internet (scenario `serve`). Delta Chat core's JSON-RPC
server (npm @deltachat/stdio-rpc-server, pinned in deltachat/package-lock.json,
installed into the build tree by deltachat/install.sh, the fixture ctest runs
first) is driven over stdio. Each account is given only an address and a
password, no server settings, so Delta Chat's own autoconfig must find serve,
and configuring includes Delta Chat's IMAP and SMTP logins to the world's Dovecot.

Certificates: Delta Chat core (its source, src/net/tls.rs and
src/net/tls/danger.rs of v2.57.0) verifies with rustls against the Mozilla
roots compiled into the binary (webpki-roots); it reads no system store, no
file and no variable, so nothing makes it trust the world's CA. What it does
offer, documented in its changelog ("do not verify TLS certificates for
hostnames starting with `_`", for local testing): for a host name that starts
with '_' it skips the chain but still verifies the name. And for servers it
cannot verify at all, the account setting certificateChecks
"acceptInvalidCertificates" (imap_certificate_checks), which checks nothing.
So:

  dc@_serve-dc.example     strict checks (the default). autoconfig._serve-dc.example
                           does not exist; serve answers at https://_serve-dc.example/
                           .well-known/..., its certificate's name verified, and so is
                           Dovecot's (_imap-x8r2._serve-dc.example)
  dc@serve-all.example     first with strict checks: refused in the TLS handshake,
                           before any request reaches serve (this notices a future
                           version that trusts the system store); then with
                           acceptInvalidCertificates: https://autoconfig.D, Delta
                           Chat's first try
  user@serve-pox.example   acceptInvalidCertificates: Outlook POX at
                           https://autodiscover.D/autodiscover/autodiscover.xml, which
                           Delta Chat fetches with GET and no body (the domain comes
                           from the Host header)

Checks: configuring succeeds; the servers Delta Chat stored are the site
file's; serve's access log shows Delta Chat's request; Dovecot logged an IMAP
and a submission login of that user. serve_test.py checks serve's certificate
chain and names against the world CA.

Prints one line per check and 'N passed, M failed'.
"""
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_world as sw  # noqa: E402

NPM_DIR = os.environ.get("DELTACHAT_NPM_DIR", "build/deltachat")
CASES = [
    # (address, certificateChecks, the serve endpoint Delta Chat must reach)
    ("dc@_serve-dc.example", None, "/.well-known/autoconfig/mail/config-v1.1.xml"),
    ("dc@serve-all.example", "acceptInvalidCertificates", "/mail/config-v1.1.xml"),
    ("user@serve-pox.example", "acceptInvalidCertificates", "/autodiscover/autodiscover.xml"),
]
STRICT_REFUSED = "dc@serve-all.example"


class RpcServer:
    """deltachat-rpc-server: one JSON-RPC 2.0 object per line on stdin/stdout."""

    def __init__(self, binary, accounts_dir, log):
        env = dict(os.environ, DC_ACCOUNTS_PATH=accounts_dir, RUST_LOG="warn", NO_COLOR="1")
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=log, env=env)
        self.next_id = 0
        self.lock = threading.Lock()
        self.waiting = {}
        self.events = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._events, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            q = self.waiting.pop(msg.get("id"), None)
            if q:
                q.put(msg)

    def _events(self):
        while self.proc.poll() is None:
            try:
                self.events.append(self.call("get_next_event", timeout=None))
            except (RuntimeError, OSError, ValueError):
                return

    def call(self, method, *params, timeout=120):
        with self.lock:
            self.next_id += 1
            rid = self.next_id
            q = queue.Queue()
            self.waiting[rid] = q
            self.proc.stdin.write((json.dumps({"jsonrpc": "2.0", "id": rid, "method": method,
                                               "params": list(params)}) + "\n").encode())
            self.proc.stdin.flush()
        try:
            msg = q.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError("%s: no answer within %s s" % (method, timeout))
        if "error" in msg:
            raise RuntimeError("%s: %s" % (method, msg["error"].get("message", msg["error"])))
        return msg.get("result")

    def log_lines(self, account_id):
        """Delta Chat's own log of an account (Info/Warning/Error events)."""
        out = []
        for e in list(self.events):
            if isinstance(e, dict) and e.get("contextId") == account_id:
                ev = e.get("event", {})
                if ev.get("kind") in ("Info", "Warning", "Error"):
                    out.append("%s: %s" % (ev["kind"], ev.get("msg", "")))
        return out

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def rpc_server_path():
    try:
        out = subprocess.run(["node", "--input-type=module", "-e",
                              "import {getRPCServerPath} from '@deltachat/stdio-rpc-server';"
                              "console.log(getRPCServerPath())"],
                             cwd=NPM_DIR, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        return None, "node is not installed"
    if out.returncode != 0:
        return None, "@deltachat/stdio-rpc-server is not installed in %s (deltachat/install.sh): %s" % (
            NPM_DIR, out.stderr.strip()[-500:])
    return out.stdout.strip(), None


def configure(rpc, address, checks):
    """A new account configured from address and password only; returns
    (account id, error or None, seconds)."""
    account = rpc.call("add_account")
    param = {"addr": address, "password": sw.PASSWORD}
    if checks:
        param["certificateChecks"] = checks
    t0 = time.monotonic()
    try:
        rpc.call("add_or_update_transport", account, param, timeout=120)
        return account, None, time.monotonic() - t0
    except RuntimeError as e:
        return account, str(e), time.monotonic() - t0


def check_configured(rpc, account, address, pox):
    """The servers Delta Chat stored for the account (get_info's
    used_transport_settings: "1: ***@D imap:[host:port:tls, ...] smtp:[...] ...",
    every server of the answer in the order it tries them) must be the site
    file's, in the site file's order. An Outlook POX answer says only "SSL on",
    which Delta Chat expands to TLS and STARTTLS on the same port: then the
    first server must be the site file's first, and every host and port the
    site file's. The username is checked by the logins in Dovecot's log."""
    site = sw.site_settings(address)
    used = rpc.call("get_info", account).get("used_transport_settings", "")
    problems = []
    for protocol, servers in (("imap", [s for s in site["incoming"] if s["protocol"] == "imap"]),
                              ("smtp", site["outgoing"])):
        m = re.search(r"\b%s:\[([^\]]*)\]" % protocol, used)
        got = [x.strip() for x in m.group(1).split(",")] if m else []
        want = ["%s:%d:%s" % (s["host"], s["port"], s["security"]) for s in servers]
        if pox and got and got[0] == want[0] and \
                {g.rsplit(":", 1)[0] for g in got} == {w.rsplit(":", 1)[0] for w in want}:
            continue
        if got != want:
            problems.append("%s servers %s != the site file's %s (used_transport_settings: %s)"
                            % (protocol.upper(), got, want, used))
    return problems, used.split(" ", 2)[-1] if used else "?"


def main():
    results = sw.Results()
    binary, why = rpc_server_path()
    if binary is None:
        print("FAIL: %s" % why)
        return 1
    work = tempfile.mkdtemp(prefix="deltachat-serve-")
    log_path = os.path.join(work, "rpc-server.log")
    log = open(log_path, "wb")
    rpc = RpcServer(binary, os.path.join(work, "accounts"), log)
    try:
        info = rpc.call("get_system_info")
        print("Delta Chat core %s (%s)" % (info.get("deltachat_core_version"), binary))

        # Strict first: Delta Chat cannot know the world CA (see the top of this file).
        # Its https fetches then fail in the TLS handshake, before any request reaches
        # serve, and it falls back to guessing imap.D, which does not exist here.
        address = STRICT_REFUSED
        before = len(sw.access_log())
        account, error, seconds = configure(rpc, address, None)
        if error is None:
            print("note: Delta Chat configured %s with strict certificate checks: it trusts the "
                  "world CA now; acceptInvalidCertificates is no longer needed" % address)
        else:
            domain = address.split("@")[1]
            problems = []
            if "imap.%s" % domain not in error:
                problems.append("failed for another reason than the refused certificate: %s" % error[:800])
            if len(sw.access_log()) != before:
                problems.append("serve got a request: %s" % sw.access_log()[before:])
            tried = [line for line in rpc.log_lines(account) if "https://autoconfig.%s/" % domain in line]
            if not tried:
                problems.append("Delta Chat did not try https://autoconfig.%s/" % domain)
            results.check("Delta Chat with strict checks refuses serve's certificate (built-in roots "
                          "only): no request reached serve, then it guessed", problems,
                          "%.1f s: %s" % (seconds, " ".join(error.split())[:160]))

        for address, checks, endpoint in CASES:
            before = len(sw.logged(sw.access_log(), endpoint))
            account, error, seconds = configure(rpc, address, checks)
            problems = []
            detail = "%.1f s" % seconds
            if error:
                problems.append("configuring failed: %s" % error[:1500])
                problems += ["  " + line[:300] for line in rpc.log_lines(account)[-25:]]
            else:
                more, detail = check_configured(rpc, account, address, pox="autodiscover" in endpoint)
                problems += more
                detail = "%.1f s; %s" % (seconds, detail)
            if len(sw.logged(sw.access_log(), endpoint)) <= before:
                problems.append("serve's access log shows no answer to Delta Chat on %s" % endpoint)
            text = sw.mail_logs()
            for service in ("imap", "submission"):
                if not re.search(r"%s-login: Info: Login: user=<%s>" % (service, re.escape(address)), text):
                    problems.append("no %s login of %s in the Dovecot log" % (service, address))
            if not error and checks is None and "cert_automatic" not in detail:
                problems.append("not configured with strict certificate checks: %s" % detail)
            results.check("Delta Chat configures %s from serve (%s; %s) and logs in" % (
                address, endpoint, checks or "strict TLS"),
                          problems, detail)
    finally:
        rpc.close()
        log.close()
    results.check("serve exits 0 on SIGTERM, no sanitizer report", sw.stop_serve())
    if results.failed:
        with open(log_path, "rb") as f:
            print("--- deltachat-rpc-server's stderr (last 3000 bytes):\n"
                  + f.read()[-3000:].decode("utf-8", "replace"))
    shutil.rmtree(work, ignore_errors=True)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
