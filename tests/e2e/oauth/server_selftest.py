#!/usr/bin/python3
"""Self-test of the world's OAuth 2.0 server (tests/world/oauth_server.py) and of the oauth
scenario's Dovecot, with plain HTTPS clients (urllib, imaplib, smtplib), no mailscout.

Run inside a world with the scenario "oauth" (ctest: world_oauth_selftest):
  python3 tests/world/world.py run -s oauth -- python3 tests/e2e/oauth/server_selftest.py
"""

import base64
import hashlib
import imaplib
import json
import re
import secrets
import smtplib
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

AUTH = "https://auth.oauth.example"
MAIL = "mail.oauth.example"
ALICE = "alice@oauth.example"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
FAILED = []


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kw):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)


def http(method, path, form=None, js=None):
    """(status, headers, parsed JSON or text)."""
    data, headers = None, {}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if js is not None:
        data = json.dumps(js).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(path if path.startswith("https:") else AUTH + path, data=data,
                                 headers=headers, method=method)
    try:
        with OPENER.open(req, timeout=10) as r:
            status, hdrs, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, body = e.code, e.headers, e.read()
    try:
        return status, hdrs, json.loads(body)
    except ValueError:
        return status, hdrs, body.decode(errors="replace")


def check(cond, what, detail=""):
    print(("ok    " if cond else "FAIL  ") + what + ("" if cond else f": {detail}"), flush=True)
    if not cond:
        FAILED.append(what)


def token(form):
    return http("POST", "/token", form=form)


def device(client, scope="imap"):
    s, _, d = http("POST", "/device", form={"client_id": client, "scope": scope})
    return s, d


def poll(client, d):
    return token({"grant_type": DEVICE_GRANT, "device_code": d["device_code"], "client_id": client})


def jwt_claims(t):
    parts = t.split(".")
    return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))


def introspect(t):
    return http("POST", "/introspect", form={"token": t})[2]


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client, redirect, challenge, state="st-1", method="S256"):
    q = {"response_type": "code", "client_id": client, "redirect_uri": redirect, "scope": "imap smtp",
         "state": state, "code_challenge": challenge, "code_challenge_method": method}
    s, h, _ = http("GET", "/authorize?" + urllib.parse.urlencode(q))
    loc = h.get("Location", "") if s == 302 else ""
    return s, loc, urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)


def xoauth2(user, t):
    return f"user={user}\x01auth=Bearer {t}\x01\x01".encode()


def imap_login(t, mech="XOAUTH2"):
    ctx = ssl.create_default_context()
    with imaplib.IMAP4_SSL(MAIL, 993, ssl_context=ctx, timeout=10) as c:
        try:
            if mech == "XOAUTH2":
                c.authenticate("XOAUTH2", lambda _: xoauth2(ALICE, t))
            else:
                c.authenticate("OAUTHBEARER",
                               lambda _: f"n,a={ALICE},\x01auth=Bearer {t}\x01\x01".encode())
            return True
        except imaplib.IMAP4.error:
            return False


def smtp_login(t):
    with smtplib.SMTP(MAIL, 587, timeout=10) as c:
        c.starttls(context=ssl.create_default_context())
        c.ehlo()
        code, _ = c.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(ALICE, t)).decode())
        return code == 235


def main():
    # -- metadata -------------------------------------------------------------------------
    s, _, m = http("GET", "/.well-known/oauth-authorization-server")
    check(s == 200 and m["issuer"] == AUTH and m["device_authorization_endpoint"] == AUTH + "/device"
          and m["code_challenge_methods_supported"] == ["S256"] and "introspection_endpoint" in m
          and "revocation_endpoint" in m and DEVICE_GRANT in m["grant_types_supported"],
          "RFC 8414 metadata", m)
    s, _, _ = http("GET", "/.well-known/oauth-authorization-server/oidc")
    check(s == 404, "the /oidc issuer has no RFC 8414 document (404)", s)
    s, _, m = http("GET", "/oidc/.well-known/openid-configuration")
    check(s == 200 and m["issuer"] == AUTH + "/oidc" and m["token_endpoint"] == AUTH + "/oidc/token",
          "the /oidc issuer's openid-configuration", m)

    # -- device flow ----------------------------------------------------------------------
    s, d = device("st-dev", "imap offline_access")
    check(s == 200 and re.match(r"^[A-Z]{4}-[A-Z]{4}$", d["user_code"]) and d["interval"] == 1
          and d["verification_uri_complete"].endswith(d["user_code"]) and d["expires_in"] > 0,
          "device authorization", d)
    s, _, e = poll("st-dev", d)
    check(s == 400 and e["error"] == "authorization_pending", "first poll: authorization_pending", e)
    s, _, e = poll("st-dev", d)
    check(s == 400 and e["error"] == "slow_down", "a poll sooner than the interval: slow_down", e)
    check("interval is now 6 s" in e.get("error_description", ""), "slow_down adds 5 s to the interval", e)
    s, _, e = http("POST", "/test/approve", js={"user_code": d["user_code"], "username": ALICE})
    check(s == 200, "/test/approve", e)
    time.sleep(6.05)
    s, _, tok = poll("st-dev", d)
    check(s == 200 and tok.get("access_token") and tok.get("refresh_token") and tok["token_type"] == "Bearer",
          "a poll interval + 5 s after slow_down gets the tokens", tok)
    access, refresh = tok["access_token"], tok["refresh_token"]
    c = jwt_claims(access)
    check(c["username"] == ALICE and c["sub"] == ALICE and c["scope"] == "imap offline_access"
          and c["exp"] > time.time() and c["iat"] <= time.time(), "the access token is a JWT with the claims", c)
    s, _, e = poll("st-dev", d)
    check(s == 400 and e["error"] == "invalid_grant", "a used device code is refused", e)

    http("POST", "/test/client", js={"client_id": "st-once", "slow_down_once": True})
    s, d = device("st-once")
    http("POST", "/test/approve", js={"user_code": d["user_code"], "username": "bob@oauth.example"})
    s, _, e = poll("st-once", d)
    check(e.get("error") == "slow_down", "slow_down_once: the first poll after approval gets slow_down", e)

    http("POST", "/test/client", js={"client_id": "st-exp", "device_expires_in": 1})
    s, d = device("st-exp")
    check(d["expires_in"] == 1, "per-client device_expires_in", d)
    time.sleep(1.2)
    s, _, e = poll("st-exp", d)
    check(s == 400 and e["error"] == "expired_token", "an expired device code: expired_token", e)

    s, d = device("st-deny")
    http("POST", "/test/deny", js={"user_code": d["user_code"]})
    s, _, e = poll("st-deny", d)
    check(s == 400 and e["error"] == "access_denied", "a denied device code: access_denied", e)

    # -- authorization code with PKCE -----------------------------------------------------
    redirect = "http://127.0.0.1:34567/cb"
    verifier, challenge = pkce()
    s, loc, q = authorize("st-pkce", redirect, challenge)
    check(s == 302 and loc.startswith(redirect + "?") and q.get("state") == ["st-1"] and "code" in q,
          "/authorize redirects to the loopback with code and state", loc)
    s, _, e = token({"grant_type": "authorization_code", "code": q["code"][0], "client_id": "st-pkce",
                     "redirect_uri": redirect, "code_verifier": pkce()[0]})
    check(s == 400 and e["error"] == "invalid_grant", "a wrong code_verifier: invalid_grant", e)
    s, loc, q = authorize("st-pkce", redirect, challenge)
    s, _, e = token({"grant_type": "authorization_code", "code": q["code"][0], "client_id": "st-pkce",
                     "redirect_uri": "http://127.0.0.1:34568/cb", "code_verifier": verifier})
    check(s == 400 and e["error"] == "invalid_grant", "another redirect_uri: invalid_grant", e)
    s, loc, q = authorize("st-pkce", redirect, challenge)
    s, _, t2 = token({"grant_type": "authorization_code", "code": q["code"][0], "client_id": "st-pkce",
                      "redirect_uri": redirect, "code_verifier": verifier})
    check(s == 200 and "access_token" in t2 and jwt_claims(t2["access_token"])["username"] == ALICE,
          "the right code_verifier gets tokens", t2)
    s, _, _ = authorize("st-pkce", "https://evil.example/cb", challenge)
    check(s == 400, "/authorize refuses a redirect_uri that is not http://127.0.0.1:PORT", s)
    s, loc, q = authorize("st-pkce", redirect, challenge, method="plain")
    check(q.get("error") == ["invalid_request"], "/authorize refuses PKCE plain", loc)
    http("POST", "/test/authorize", js={"deny": True})
    s, loc, q = authorize("st-pkce", redirect, challenge, state="st-2")
    http("POST", "/test/authorize", js={"deny": False})
    check(q.get("error") == ["access_denied"] and q.get("state") == ["st-2"], "/test/authorize deny", loc)

    # -- refresh, introspection, revocation ----------------------------------------------
    s, _, t3 = token({"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "st-dev"})
    check(s == 200 and t3["access_token"] != access, "refresh_token grant", t3)
    i = introspect(t3["access_token"])
    check(i.get("active") is True and i["username"] == ALICE and i["exp"] > time.time() and "scope" in i,
          "introspection of a valid token", i)
    check(introspect("no-such-token") == {"active": False}, "introspection of an unknown token")
    check(imap_login(t3["access_token"]), "Dovecot: IMAP XOAUTH2 with a valid token")
    check(imap_login(t3["access_token"], "OAUTHBEARER"), "Dovecot: IMAP OAUTHBEARER with a valid token")
    check(smtp_login(t3["access_token"]), "Dovecot: submission 587 STARTTLS XOAUTH2 with a valid token")
    s, _, _ = http("POST", "/revoke", form={"token": t3["access_token"]})
    check(s == 200 and introspect(t3["access_token"]) == {"active": False}, "/revoke: then inactive")
    check(not imap_login(t3["access_token"]), "Dovecot: IMAP refuses a revoked token")
    http("POST", "/test/revoke", js={"token": refresh})
    s, _, e = token({"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "st-dev"})
    check(s == 400 and e["error"] == "invalid_grant", "a revoked refresh token: invalid_grant", e)
    expired = http("POST", "/test/mint", js={"username": ALICE, "lifetime": -60})[2]["access_token"]
    check(jwt_claims(expired)["exp"] < time.time() and introspect(expired) == {"active": False},
          "an expired token is inactive")
    check(not imap_login(expired), "Dovecot: IMAP refuses an expired token")
    bob = http("POST", "/test/mint", js={"username": "bob@oauth.example"})[2]["access_token"]
    check(not imap_login(bob), "Dovecot: bob's token does not log in alice")
    s, _, e = token({"grant_type": "password", "client_id": "x"})
    check(s == 400 and e["error"] == "unsupported_grant_type", "unknown grant: RFC 6749 error JSON", e)

    # -- control endpoints ---------------------------------------------------------------
    s, _, log = http("GET", "/test/log")
    check(s == 200 and all("t" in e and "path" in e for e in log)
          and any(e.get("error") == "slow_down" for e in log), "/test/log", log[:3])
    s, _, toks = http("GET", "/test/tokens")
    check(s == 200 and any(t["token"] == access and t["kind"] == "access" for t in toks)
          and any(t["token"] == refresh and t["revoked"] for t in toks), "/test/tokens")
    print(f"\n{'all checks passed' if not FAILED else f'{len(FAILED)} failed: ' + '; '.join(FAILED)}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
