#!/usr/bin/python3
"""End-to-end tests of mailscout's OAuth 2.0 sign-in (issue 12) inside the fake Internet.

Run by ctest through world.py with the scenario "oauth" (tests/world/scenarios/oauth.json):
mail.oauth.example (Dovecot, XOAUTH2 and OAUTHBEARER only, tokens checked by introspection)
and the authorization server https://auth.oauth.example (tests/world/oauth_server.py). The
driver plays the user: it reads mailscout's sign-in line on stderr and approves the device
code through the server's /test/ endpoints, or fetches the authorization URL and follows its
redirect to mailscout's loopback listener.

Each case is a function; all run, each is reported PASS/FAIL, the exit status is 1 if any
failed. `oauth_test.py CASE...` runs only those cases (the audit always runs last).
"""

import base64
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

MAILSCOUT = os.environ.get("MAILSCOUT", "mailscout")
HERE = os.path.dirname(os.path.abspath(__file__))
PROVIDERS = os.path.join(HERE, "providers")
AUTH = "https://auth.oauth.example"
MAIL = "mail.oauth.example"
ALICE = "alice@oauth.example"
DEVICE_RE = re.compile(r"^oauth: to sign in, open (\S+) and enter the code (\S+)\s*$")
LOOPBACK_RE = re.compile(r"^oauth: to sign in, open this URL: (\S+)\s*$")
TMP = tempfile.mkdtemp(prefix="oauth-e2e-")
OUTPUTS = []        # (what, text) of every run, for the secrets audit
CACHE_FILES = set()  # --oauth-cache files: they hold a refresh token by design


# -- the authorization server's control endpoints -------------------------------------------

NO_REDIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class KeepRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


NO_FOLLOW = urllib.request.build_opener(urllib.request.ProxyHandler({}), KeepRedirect)


def ctl(path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(AUTH + path, data=data, headers={"Content-Type": "application/json"})
    with NO_REDIRECT.open(req, timeout=10) as r:
        return json.loads(r.read())


def mint(username=ALICE, lifetime=None, scope="imap pop smtp"):
    body = {"username": username, "scope": scope}
    if lifetime is not None:
        body["lifetime"] = lifetime
    return ctl("/test/mint", body)["access_token"]


def server_log(since, until=None):
    return [e for e in ctl("/test/log") if e["t"] >= since and (until is None or e["t"] <= until)]


# -- running mailscout ----------------------------------------------------------------------

class Run:
    pass


def mailscout(args, user="approve", username=ALICE, env_extra=None, timeout=60, name="run"):
    """Runs mailscout with a clean environment (own HOME, state dir, no browser) and plays
    the user on its stderr: user = "approve" (device) | "deny" (device) | "follow" (loopback)
    | "any" (approve a device code or follow a loopback URL, whichever comes) | "none"."""
    home = tempfile.mkdtemp(prefix="home-", dir=TMP)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAILSCOUT_PASSWORD", "MAILSCOUT_OAUTH_TOKEN", "MAILSCOUT_OAUTH_CLIENT_ID",
                        "BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                        "XDG_DATA_HOME", "XDG_STATE_HOME")}
    env["HOME"] = home
    env["MAILSCOUT_STATE_DIR"] = tempfile.mkdtemp(prefix="state-", dir=TMP)
    env.update(env_extra or {})
    r = Run()
    r.args, r.home, r.actions, r.errors = args, home, [], []
    r.start = time.time()
    p = subprocess.Popen([MAILSCOUT, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=home)
    out, err = [], []

    def act(line):
        m = DEVICE_RE.match(line)
        if m:
            r.actions.append(("device", m.group(1), m.group(2)))
            if user in ("approve", "any"):
                ctl("/test/approve", {"user_code": m.group(2), "username": username})
            elif user == "deny":
                ctl("/test/deny", {"user_code": m.group(2)})
            return
        m = LOOPBACK_RE.match(line)
        if m:
            r.actions.append(("loopback", m.group(1)))
            if user in ("follow", "any"):
                follow(m.group(1), r)

    def read_err():
        for line in p.stderr:
            err.append(line)
            try:
                act(line)
            except Exception as e:        # noqa: BLE001 - reported with the case
                r.errors.append(f"acting on {line.strip()!r}: {e!r}")

    def read_out():
        out.append(p.stdout.read())
    threads = [threading.Thread(target=read_err), threading.Thread(target=read_out)]
    for t in threads:
        t.start()
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        r.errors.append(f"timed out after {timeout} s")
    for t in threads:
        t.join(5)
    r.end = time.time()
    r.rc, r.stdout, r.stderr = p.returncode, "".join(out), "".join(err)
    r.json = None
    if "--format" in args and args[args.index("--format") + 1] == "json":
        try:
            r.json = json.loads(r.stdout)
        except ValueError:
            pass
    OUTPUTS.append((f"{name} stdout", r.stdout))
    OUTPUTS.append((f"{name} stderr", r.stderr))
    for dirpath, _, files in os.walk(home):
        for f in files:
            path = os.path.join(dirpath, f)
            if path not in CACHE_FILES:
                with open(path, "rb") as fh:
                    OUTPUTS.append((f"{name} file {path}", fh.read().decode(errors="replace")))
    r.log = server_log(r.start, r.end + 0.5)
    return r


def follow(url, r):
    """The user's browser: GET the authorization URL, then follow its 302 to the loopback."""
    try:
        NO_FOLLOW.open(url, timeout=10)
        raise AssertionError(f"{url} did not redirect")
    except urllib.error.HTTPError as e:
        if e.code != 302:
            raise AssertionError(f"{url} answered {e.code}: {e.read()[:200]!r}")
        location = e.headers["Location"]
    r.actions.append(("redirect", location))
    with NO_REDIRECT.open(location, timeout=10) as back:
        r.loopback_page = (back.status, back.read().decode(errors="replace"))


def explain(r):
    return (f"\n  argv: mailscout {' '.join(r.args)}\n  exit {r.rc}; actions {r.actions}; errors {r.errors}"
            f"\n  stderr: {r.stderr.strip()[-1500:]}\n  stdout: "
            + (json.dumps({k: r.json.get(k) for k in ("ok", "error", "recommended") if k in r.json})[:1500]
               if isinstance(r.json, dict) else r.stdout.strip()[-1500:]))


def check(cond, r, what):
    if not cond:
        raise AssertionError(what + explain(r))


def check_login(r, protocol, mechanism=None):
    check(not r.errors, r, "the driver failed")
    check(r.rc == 0, r, f"{protocol}: exit 0 expected")
    check(r.json is not None and r.json.get("ok") is True, r, "JSON ok: true expected")
    if mechanism:
        used = (r.json.get("auth_used") or "").upper()
        check(used == mechanism, r, f"auth_used {mechanism} expected")


def polls(r):
    return [e for e in r.log if e["path"].endswith("/token")
            and e.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code"]


def check_polling(r, interval=1):
    """No poll came sooner than the interval: the server would have said slow_down."""
    ps = polls(r)
    check(ps, r, "no device-code poll reached the token endpoint")
    check(not [e for e in ps if e.get("error") == "slow_down"], r,
          f"polled faster than the {interval} s interval: {ps}")


# An issuer the database does not know needs its scopes named (--oauth-scope);
# the same words as tests/e2e/oauth/providers/oauth.example.xml.
SCOPES = {"imap": "imap", "pop3": "pop", "smtp": "smtp"}


def oauth_test(protocol, mechanism, flow, client, issuer=AUTH, extra=()):
    args = ["test", "--protocol", protocol, "--host", MAIL, "--user", ALICE, "--oauth",
            "--oauth-issuer", issuer, "--oauth-scope", SCOPES[protocol], "--oauth-scope",
            "offline_access", "--oauth-client-id", client, "--oauth-flow", flow,
            "--mechanism", mechanism, "--format", "json", *extra]
    return args


# -- cases ----------------------------------------------------------------------------------

def case_token_valid():
    """MAILSCOUT_OAUTH_TOKEN: a valid token logs in to IMAP, POP3 and SMTP with both mechanisms."""
    token = mint()
    for protocol, mech, extra in (("imap", "XOAUTH2", []), ("imap", "OAUTHBEARER", ["--transcript"]),
                                  ("pop3", "OAUTHBEARER", ["--port", "110", "--security", "starttls"]),
                                  ("pop3", "XOAUTH2", []),
                                  ("smtp", "XOAUTH2", ["--port", "587", "--security", "starttls"]),
                                  ("smtp", "OAUTHBEARER", [])):
        r = mailscout(["test", "--protocol", protocol, "--host", MAIL, "--user", ALICE, "--mechanism", mech,
                       "--format", "json", *extra], env_extra={"MAILSCOUT_OAUTH_TOKEN": token},
                      name=f"token {protocol} {mech}")
        check_login(r, protocol, mech)


def token_refused(token, name):
    r = mailscout(["test", "--protocol", "imap", "--host", MAIL, "--user", ALICE, "--mechanism", "XOAUTH2",
                   "--format", "json"], env_extra={"MAILSCOUT_OAUTH_TOKEN": token}, name=name)
    check(r.rc == 1, r, "exit 1 expected")
    check(r.json and r.json["ok"] is False and r.json["error"]["kind"] == "auth", r, "error kind auth expected")
    return r


def revoked_token():
    token = mint()
    ctl("/test/revoke", {"token": token})
    return token


def case_token_revoked_is_auth():
    """A revoked token: the server refuses it, kind auth."""
    token_refused(revoked_token(), "revoked")


def case_token_expired_is_auth():
    """An expired token (exp in the past): kind auth."""
    token_refused(mint(lifetime=-120), "expired")


def case_token_revoked_reason():
    """A revoked token whose exp is in the future: reason token-rejected."""
    r = token_refused(revoked_token(), "revoked reason")
    check(r.json["error"].get("reason") == "token-rejected", r, "reason token-rejected expected")


def case_token_expired_reason():
    """An expired token: reason token-expired."""
    r = token_refused(mint(lifetime=-120), "expired reason")
    check(r.json["error"].get("reason") == "token-expired", r, "reason token-expired expected")


def case_device_imap_xoauth2():
    """Device flow (RFC 8414 metadata of --oauth-issuer), IMAP, XOAUTH2; polling honours the interval."""
    r = mailscout(oauth_test("imap", "XOAUTH2", "device", "e2e-dev-imap"), name="device imap")
    check([a for a in r.actions if a[0] == "device" and a[1] == AUTH + "/device"], r,
          f"no device sign-in line naming {AUTH}/device on stderr")
    check_login(r, "imap", "XOAUTH2")
    check_polling(r)
    paths = [(e["method"], e["path"], e["status"]) for e in r.log]
    check(("GET", "/.well-known/oauth-authorization-server", 200) in paths, r, f"no RFC 8414 fetch: {paths}")
    check(any(p == ("POST", "/device", 200) for p in paths), r, f"no device authorization: {paths}")


def case_device_pop3_oauthbearer():
    """Device flow, POP3, OAUTHBEARER."""
    r = mailscout(oauth_test("pop3", "OAUTHBEARER", "device", "e2e-dev-pop3"), name="device pop3")
    check_login(r, "pop3", "OAUTHBEARER")
    check_polling(r)


def case_device_smtp_oauthbearer():
    """Device flow, SMTP submission, OAUTHBEARER, with --transcript."""
    r = mailscout(oauth_test("smtp", "OAUTHBEARER", "device", "e2e-dev-smtp", extra=["--transcript"]),
                  name="device smtp")
    check_login(r, "smtp", "OAUTHBEARER")
    check_polling(r)


def loopback(protocol, mechanism, client):
    r = mailscout(oauth_test(protocol, mechanism, "loopback", client), user="follow",
                  name=f"loopback {protocol}")
    redirects = [a for a in r.actions if a[0] == "redirect"]
    check(redirects, r, "no loopback sign-in line on stderr, or no redirect")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(redirects[0][1]).query)
    check("code" in q and "state" in q, r, f"redirect without code or state: {redirects}")
    auth_url = [a for a in r.actions if a[0] == "loopback"][0][1]
    aq = urllib.parse.parse_qs(urllib.parse.urlsplit(auth_url).query)
    check(aq.get("code_challenge_method") == ["S256"], r, f"no PKCE S256 in {auth_url}")
    check(re.match(r"^http://127\.0\.0\.1:\d+/", aq.get("redirect_uri", [""])[0]), r,
          f"redirect_uri must be http://127.0.0.1:PORT/: {auth_url}")
    check_login(r, protocol, mechanism)
    grants = [e for e in r.log if e["path"] == "/token" and e.get("grant_type") == "authorization_code"]
    check(grants and grants[-1]["status"] == 200, r, f"no successful authorization_code grant: {r.log}")
    return r


def case_loopback_imap_oauthbearer():
    """Loopback flow with PKCE, IMAP, OAUTHBEARER."""
    loopback("imap", "OAUTHBEARER", "e2e-loop-imap")


def case_loopback_pop3_xoauth2():
    """Loopback flow, POP3, XOAUTH2."""
    loopback("pop3", "XOAUTH2", "e2e-loop-pop3")


def case_loopback_smtp_xoauth2():
    """Loopback flow, SMTP submission, XOAUTH2."""
    loopback("smtp", "XOAUTH2", "e2e-loop-smtp")


def case_slow_down():
    """slow_down: the poll after it comes at least interval + 5 s later (RFC 8628 section 3.5)."""
    ctl("/test/client", {"client_id": "e2e-slow", "slow_down_once": True, "interval": 1})
    r = mailscout(oauth_test("imap", "XOAUTH2", "device", "e2e-slow"), name="slow_down", timeout=90)
    check_login(r, "imap", "XOAUTH2")
    ps = polls(r)
    i = [k for k, e in enumerate(ps) if e.get("error") == "slow_down"]
    check(len(i) == 1 and i[0] + 1 < len(ps), r, f"expected one slow_down and a poll after it: {ps}")
    gap = ps[i[0] + 1]["t"] - ps[i[0]]["t"]
    check(gap >= 1 + 5, r, f"the poll after slow_down came {gap:.2f} s later, not >= 6 s")


def case_device_expired():
    """The device code expires before anyone approves it: exit 1 and a clear message."""
    ctl("/test/client", {"client_id": "e2e-expire", "device_expires_in": 3, "interval": 1})
    r = mailscout(oauth_test("imap", "XOAUTH2", "device", "e2e-expire"), user="none", name="expired code")
    check([a for a in r.actions if a[0] == "device"], r, "no device sign-in line on stderr")
    check(r.rc == 1, r, "exit 1 expected")
    check(re.search(r"expired|timed out|too late", r.stderr + r.stdout, re.I), r, "no clear message about expiry")
    check(r.end - r.start < 30, r, "took too long after the code expired")


def case_device_denied():
    """The user denies the device request: exit 1, the message says so."""
    r = mailscout(oauth_test("smtp", "XOAUTH2", "device", "e2e-deny"), user="deny", name="device denied")
    check(r.rc == 1, r, "exit 1 expected")
    check(re.search(r"denied|refused|declined", r.stderr + r.stdout, re.I), r, "no clear message about the denial")


def case_loopback_denied():
    """The user denies in the browser (error=access_denied to the loopback): exit 1."""
    ctl("/test/authorize", {"deny": True})
    try:
        r = mailscout(oauth_test("imap", "OAUTHBEARER", "loopback", "e2e-loop-deny"), user="follow",
                      name="loopback denied")
    finally:
        ctl("/test/authorize", {"deny": False})
    check(r.rc == 1, r, "exit 1 expected")
    check(re.search(r"denied|refused|declined", r.stderr + r.stdout, re.I), r, "no clear message about the denial")


def case_issuer_oidc_fallback():
    """--oauth-issuer https://auth.oauth.example/oidc: RFC 8414 URL is 404, OpenID discovery works."""
    r = mailscout(oauth_test("imap", "XOAUTH2", "device", "e2e-oidc", issuer=AUTH + "/oidc"), name="oidc")
    check_login(r, "imap", "XOAUTH2")
    paths = [(e["method"], e["path"], e["status"]) for e in r.log]
    check(("GET", "/oidc/.well-known/openid-configuration", 200) in paths, r, f"no OpenID discovery: {paths}")
    check(("POST", "/oidc/device", 200) in paths, r, f"the OIDC issuer's device endpoint was not used: {paths}")


def case_cache_and_refresh():
    """--oauth-cache: mode 0600; a second run uses the refresh token without asking the user."""
    cache = os.path.join(TMP, "cache-dir", "oauth-cache")
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    CACHE_FILES.add(cache)
    args = oauth_test("pop3", "XOAUTH2", "device", "e2e-cache", extra=["--oauth-cache", cache])
    r1 = mailscout(args, name="cache first")
    check_login(r1, "pop3", "XOAUTH2")
    check(os.path.exists(cache), r1, "no cache file written")
    mode = stat.S_IMODE(os.stat(cache).st_mode)
    check(mode == 0o600, r1, f"cache file mode {mode:o}, 0600 expected")
    r2 = mailscout(args, user="none", name="cache second")
    check(not r2.actions, r2, "the second run asked the user to sign in again")
    check_login(r2, "pop3", "XOAUTH2")
    grants = [e.get("grant_type") for e in r2.log if e["path"] == "/token"]
    check("refresh_token" in grants, r2, f"no refresh_token grant: {r2.log}")
    check(not [e for e in r2.log if e["path"] == "/device"], r2, "the second run started a device flow")


def case_setup_discovers():
    """setup alice@oauth.example (no sign-in): autoconfig or SRV leads to mail.oauth.example, OAuth2."""
    r = mailscout(["setup", ALICE, "--format", "json"], name="setup discovery")
    check(r.json is not None, r, "JSON expected")
    found = {s["name"] for s in r.json["sources"] if s["status"] == "found"}
    check(found & {"autoconfig", "srv"}, r, f"autoconfig or srv expected among the sources found: {found}")
    for side in ("incoming", "outgoing"):
        s = r.json["recommended"].get(side)
        check(s and s["host"] == MAIL and s["auth"] == "OAuth2", r, f"{side}: {MAIL} with auth OAuth2 expected")


def case_setup_oauth():
    """setup alice@oauth.example --oauth --providers DIR: the provider's <oAuth2> facts, a verified card."""
    r = mailscout(["setup", ALICE, "--oauth", "--providers", PROVIDERS, "--format", "json"],
                  user="any", env_extra={"MAILSCOUT_OAUTH_CLIENT_ID": "e2e-setup"}, name="setup oauth",
                  timeout=120)
    check(r.actions, r, "no sign-in line on stderr")
    check_setup(r)
    r2 = mailscout(["setup", ALICE, "--oauth", "--providers", PROVIDERS, "--oauth-flow", "loopback"],
                   user="follow", env_extra={"MAILSCOUT_OAUTH_CLIENT_ID": "e2e-setup"}, name="setup oauth text",
                   timeout=120)
    check(r2.rc == 0, r2, "setup (text) with the loopback flow: exit 0 expected")


def check_setup(r):
    check(not r.errors, r, "the driver failed")
    check(r.rc == 0 and r.json and r.json.get("ok"), r, "setup: exit 0 and ok expected")
    rec = r.json["recommended"]
    for side in ("incoming", "outgoing"):
        s = rec.get(side)
        check(s and s["host"] == MAIL and s["verified"], r, f"{side}: a verified {MAIL} setting expected")


def case_no_files_without_cache():
    """Without --oauth-cache nothing is written to disk (the run's HOME stays empty)."""
    r = mailscout(oauth_test("imap", "OAUTHBEARER", "device", "e2e-nofiles"), name="no files")
    check_login(r, "imap", "OAUTHBEARER")
    found = [os.path.join(d, f) for d, _, fs in os.walk(r.home) for f in fs]
    check(not found, r, f"files written: {found}")


FORMATS = ["text", "json", "thunderbird", "autodiscover", "mobileconfig", "msmtp", "mbsync",
           "neomutt", "aerc", "android-json", "android-qr"]


def case_every_format_with_token():
    """MAILSCOUT_OAUTH_TOKEN with setup (every format, report, transcript) and export: verified,
    and the secrets audit below then searches every output and file of these runs."""
    token = mint()
    report = None
    for fmt in FORMATS:
        out = "out.png" if fmt == "android-qr" else "out." + fmt
        args = ["setup", ALICE, "--format", fmt, "-o", out, "--save-report", "report.json",
                "--transcript"]
        r = mailscout(args, user="none", env_extra={"MAILSCOUT_OAUTH_TOKEN": token},
                      name=f"setup token {fmt}", timeout=120)
        check(r.rc == 0, r, f"setup --format {fmt} with a token: exit 0 expected")
        with open(os.path.join(r.home, "report.json")) as fh:
            report = fh.read()
        check('"verified": true' in report, r, "the saved report has no verified setting")
    home = tempfile.mkdtemp(prefix="home-", dir=TMP)
    with open(os.path.join(home, "report.json"), "w") as fh:
        fh.write(report)
    for fmt in FORMATS:
        r = mailscout(["export", fmt, "--from", os.path.join(home, "report.json")], user="none",
                      name=f"export {fmt}")
        check(r.rc == 0, r, f"export {fmt}: exit 0 expected")


def case_audit_with_token():
    """audit alice@oauth.example with MAILSCOUT_OAUTH_TOKEN (text and JSON): the logins use the
    token, and its outputs go through the secrets audit below."""
    token = mint()
    for fmt in ("json", "text"):
        r = mailscout(["audit", ALICE, "--format", fmt, "--fail-on", "never", "--timeout", "60"],
                      user="none", env_extra={"MAILSCOUT_OAUTH_TOKEN": token},
                      name=f"audit token {fmt}", timeout=120)
        check(r.rc == 0, r, f"audit --format {fmt} with a token: exit 0 expected")
        if fmt == "json":
            check(r.json is not None and r.json.get("password_given") is True, r,
                  "the audit must know it had a credential")
            logins = {e["login"] for e in r.json.get("endpoints", []) if e["host"] == MAIL}
            check("ok" in logins and "failed" not in logins, r,
                  f"the token must log in to {MAIL} (logins: {logins})")


def case_outlook_card_before_password():
    """alice@outlook.com (the bundled hotmail.com file says oauth2-only): setup says so on stderr
    before any login, sends no password, and the card says OAUTH2 REQUIRED; without a password too."""
    for env in ({"MAILSCOUT_PASSWORD": "Pw-never-sent-42"}, {}):
        r = mailscout(["setup", "alice@outlook.com", "--format", "json", "--timeout", "8",
                       "--no-prompt"], user="none", env_extra=env, name="outlook card")
        check(r.rc == 1 and r.json is not None, r, "exit 1 and a JSON report expected")
        check(r.json.get("password_given") is False, r, "the password must not be used")
        for c in r.json.get("checks", []):
            check(not (c.get("error") or {}).get("phase") == "auth", r, f"a login was tried: {c}")
        if env:
            check("accepts only OAuth2" in r.stderr and "password is not sent" in r.stderr, r,
                  "stderr must say before the checks that the password is not sent")
        t = mailscout(["setup", "alice@outlook.com", "--timeout", "8", "--no-prompt"], user="none",
                      env_extra=env, name="outlook card text")
        check(t.stdout.startswith("alice@outlook.com: OAUTH2 REQUIRED"), t,
              "the card's first line must say OAUTH2 REQUIRED")


def case_gmail_card_before_password():
    """bob@gmail.com (googlemail.com: app-password): the card says APP PASSWORD REQUIRED before any
    password; with a password, stderr says so before the first login."""
    t = mailscout(["setup", "bob@gmail.com", "--timeout", "8", "--no-prompt"], user="none",
                  name="gmail card")
    check(t.stdout.startswith("bob@gmail.com: APP PASSWORD REQUIRED"), t,
          "the card's first line must say APP PASSWORD REQUIRED")
    r = mailscout(["setup", "bob@gmail.com", "--timeout", "8", "--format", "json"], user="none",
                  env_extra={"MAILSCOUT_PASSWORD": "Pw-maybe-app-43"}, name="gmail password")
    check("note:" in r.stderr and "app password" in r.stderr, r,
          "stderr must name the app password before the checks")


def case_helpdesk_card_outlook_gmail():
    """mailscout serve --helpdesk --lookups: the card of a lookup for Outlook.com says OAuth2
    required and for Gmail an app password, instead of "the user's own password"."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    web = os.path.join(os.environ.get("MAILSCOUT_SOURCE_DIR", os.path.join(HERE, "../../..")), "web")
    p = subprocess.Popen([MAILSCOUT, "serve", "--providers", PROVIDERS, "--listen",
                          f"127.0.0.1:{port}", "--helpdesk", "--lookups", "--web-dir", web,
                          "--timeout", "8"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        for address, words in (("alice@outlook.com", "OAuth2 required."),
                               ("bob@gmail.com", "App password required.")):
            url = f"http://127.0.0.1:{port}/?emailaddress=" + urllib.parse.quote(address)
            page = urllib.request.urlopen(url, timeout=30).read().decode()
            OUTPUTS.append((f"helpdesk card {address}", page))
            if words not in page or "own password (never stored here)" in page:
                raise AssertionError(f"the card for {address} must say {words!r} and not ask "
                                     f"for the user's own password:\n{page[-3000:]}")
    finally:
        p.terminate()
        p.wait(10)


def token_forms(token, users=(ALICE, "bob@oauth.example")):
    """The token and its base64 forms as XOAUTH2 and OAUTHBEARER send it."""
    forms = {token}
    for user in users:
        for raw in ("user=%s\x01auth=Bearer %s\x01\x01" % (user, token),
                    "n,a=%s,\x01auth=Bearer %s\x01\x01" % (user, token)):
            forms.add(base64.b64encode(raw.encode()).decode())
    return forms


def case_secrets_audit():
    """No issued access or refresh token appears in any output or file of these runs."""
    tokens = ctl("/test/tokens")
    if not tokens:
        return                      # nothing was issued (a subset of the cases ran)
    leaks = []
    for what, text in OUTPUTS:
        for t in tokens:
            if any(form in text for form in token_forms(t["token"])):
                leaks.append(f"{t['kind']} token of {t['username']} in {what}")
    if leaks:
        raise AssertionError("tokens leaked:\n  " + "\n  ".join(sorted(set(leaks))))


CASES = [v for k, v in list(globals().items()) if k.startswith("case_") and k != "case_secrets_audit"]


def main(argv):
    chosen = [c for c in CASES if not argv[1:] or c.__name__[5:] in argv[1:]] + [case_secrets_audit]
    results = []
    for c in chosen:
        t0 = time.monotonic()
        try:
            c()
            ok, msg = True, ""
        except Exception as e:          # noqa: BLE001 - every failure is reported
            ok = False
            msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
        dt = time.monotonic() - t0
        results.append((c.__name__[5:], ok))
        print(f"{'PASS' if ok else 'FAIL'} {c.__name__[5:]} ({dt:.1f} s): {c.__doc__.strip()}", flush=True)
        if msg:
            print("    " + msg.replace("\n", "\n    "), flush=True)
    failed = [n for n, ok in results if not ok]
    print(f"\n{len(results) - len(failed)} of {len(results)} cases passed"
          + (f"; failed: {' '.join(failed)}" if failed else ""))
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
