#!/usr/bin/python3
"""A small OAuth 2.0 authorization server for the fake Internet (stdlib only).

world.py starts one per entry of a scenario's "oauth" list:
  oauth_server.py --host auth.x.example --listen ADDR:443 --cert C --key K --log FILE
                  [--user alice@x.example ...]
It speaks HTTPS and serves, for the issuer https://HOST and a second issuer https://HOST/oidc
(whose RFC 8414 document is missing, so a client must fall back to OpenID discovery):

  GET  /.well-known/oauth-authorization-server       RFC 8414 metadata (issuer https://HOST)
  GET  /.well-known/oauth-authorization-server/oidc  404
  GET  /oidc/.well-known/openid-configuration        metadata of https://HOST/oidc (endpoints under /oidc/)
  POST /device         RFC 8628 device authorization
  POST /token          grants: device_code, authorization_code (PKCE S256), refresh_token
  GET  /authorize      approves (or denies) at once, 302 to redirect_uri
  POST /introspect     RFC 7662 (for Dovecot: introspection_mode = post)
  POST /revoke         RFC 7009
  /test/...            control endpoints for test drivers, JSON (see tests/world/README.md)

Access tokens are JWT-shaped (HS256 with a per-process secret; claims sub, username, scope,
exp, iat, client_id, jti). Refresh tokens are opaque. Errors are RFC 6749 section 5.2 JSON, 400.
No token is ever written to the log file; /test/tokens lists them for leak audits.
"""

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_OPTIONS = {
    "token_lifetime": 3600,      # access token lifetime, seconds (may be negative: born expired)
    "interval": 1,               # device flow polling interval, seconds
    "device_expires_in": 600,    # device code lifetime, seconds
    "slow_down_once": False,     # answer slow_down to the first poll after approval
}
USER_CODE_CHARS = "BCDFGHJKLMNPQRSTVWXZ"   # RFC 8628 section 6.1: no vowels, no look-alikes


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class State:
    def __init__(self, host, users):
        self.host = host
        self.users = set(users)
        self.lock = threading.Lock()
        self.secret = secrets.token_bytes(32)
        self.options = {}            # client_id -> options (DEFAULT_OPTIONS merged)
        self.devices = {}            # device_code -> dict
        self.codes = {}              # authorization code -> dict
        self.tokens = {}             # token -> {"kind", "username", "scope", "client_id", "exp", "revoked"}
        self.log = []                # one dict per request
        self.authorize_as = {"username": None, "deny": False}

    def opts(self, client_id):
        o = dict(DEFAULT_OPTIONS)
        o.update(self.options.get("*", {}))
        o.update(self.options.get(client_id, {}))
        return o

    def issue(self, client_id, username, scope, with_refresh=True, lifetime=None):
        now = int(time.time())
        life = self.opts(client_id)["token_lifetime"] if lifetime is None else lifetime
        claims = {"iss": f"https://{self.host}", "sub": username, "username": username, "scope": scope,
                  "client_id": client_id, "iat": now, "exp": now + int(life), "jti": secrets.token_hex(8)}
        head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = b64url(json.dumps(claims).encode())
        sig = b64url(hmac.new(self.secret, f"{head}.{body}".encode(), hashlib.sha256).digest())
        access = f"{head}.{body}.{sig}"
        self.tokens[access] = {"kind": "access", "username": username, "scope": scope, "client_id": client_id,
                               "exp": claims["exp"], "revoked": False}
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": int(life), "scope": scope}
        if with_refresh:
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.tokens[refresh] = {"kind": "refresh", "username": username, "scope": scope,
                                    "client_id": client_id, "exp": None, "revoked": False}
            answer["refresh_token"] = refresh
        return answer


class OAuthError(Exception):
    def __init__(self, error, description="", status=400):
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "world-oauth/1"
    st = None            # State, set by main()
    logfile = None

    def log_message(self, fmt, *args):   # our own log instead of stderr
        pass

    # -- plumbing ------------------------------------------------------------
    def reply(self, status, obj=None, headers=None, text=None):
        body = (json.dumps(obj) if obj is not None else (text or "")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if obj is not None else "text/plain")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True
        self.entry["status"] = status
        if obj is not None and "error" in obj:
            self.entry["error"] = obj["error"]

    def read_body(self):
        try:
            n = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            n = 0
        self.raw = self.rfile.read(min(n, 1 << 20)).decode(errors="replace") if n > 0 else ""

    def form(self):
        raw = self.raw
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            try:
                data = json.loads(raw or "{}")
            except ValueError:
                raise OAuthError("invalid_request", "body is not JSON")
            if not isinstance(data, dict):
                raise OAuthError("invalid_request", "body must be a JSON object")
            return data
        return {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}

    def client_of(self, f):
        cid = f.get("client_id")
        auth = self.headers.get("Authorization", "")
        if not cid and auth.startswith("Basic "):
            try:
                cid = urllib.parse.unquote(base64.b64decode(auth[6:]).decode().split(":", 1)[0])
            except (ValueError, UnicodeDecodeError):
                pass
        if not cid:
            raise OAuthError("invalid_client", "client_id is missing", 401)
        self.entry["client_id"] = cid
        return cid

    def handle_one(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self.entry = {"t": time.time(), "method": method, "path": path}
        base = f"https://{self.st.host}"
        try:
            self.read_body()       # outside the lock: a slow client blocks no one
            with self.st.lock:
                self.route(method, path, query, base)
        except OAuthError as e:
            obj = {"error": e.error}
            if e.description:
                obj["error_description"] = e.description
            self.reply(e.status, obj)
        except (ConnectionError, ssl.SSLError, socket.timeout):
            self.close_connection = True
        finally:
            with self.st.lock:
                self.st.log.append(self.entry)
            if self.logfile:
                e = self.entry
                line = (time.strftime("%H:%M:%S", time.localtime(e["t"])) + f".{int(e['t'] * 1000) % 1000:03d} "
                        + f"{method} {path} -> {e.get('status', '-')}"
                        + "".join(f" {k}={e[k]}" for k in ("client_id", "grant_type", "error", "username", "note")
                                  if k in e) + "\n")
                with open(self.logfile, "a") as f:
                    f.write(line)

    def do_GET(self):
        self.handle_one("GET")

    def do_HEAD(self):
        self.handle_one("HEAD")

    def do_POST(self):
        self.handle_one("POST")

    # -- routes --------------------------------------------------------------
    def route(self, method, path, query, base):
        st = self.st
        if path == "/.well-known/oauth-authorization-server" and method in ("GET", "HEAD"):
            return self.reply(200, metadata(base, base))
        if path == "/oidc/.well-known/openid-configuration" and method in ("GET", "HEAD"):
            m = metadata(base + "/oidc", base + "/oidc")
            m.update({"jwks_uri": base + "/oidc/jwks", "subject_types_supported": ["public"],
                      "id_token_signing_alg_values_supported": ["HS256"]})
            return self.reply(200, m)
        prefix = "/oidc" if path.startswith("/oidc/") else ""
        ep = path[len(prefix):]
        if ep == "/authorize" and method in ("GET", "HEAD"):
            return self.authorize(query)
        if method == "POST" and ep in ("/device", "/token", "/introspect", "/revoke"):
            f = self.form()
            return {"/device": self.device, "/token": self.token, "/introspect": self.introspect,
                    "/revoke": self.revoke}[ep](f)
        if path.startswith("/test/"):
            return self.control(method, path[len("/test/"):], query)
        return self.reply(404, text="not found\n")

    def device(self, f):
        cid = self.client_of(f)
        o = self.st.opts(cid)
        code = secrets.token_urlsafe(24)
        uc = "".join(secrets.choice(USER_CODE_CHARS) for _ in range(8))
        user_code = uc[:4] + "-" + uc[4:]
        now = time.time()
        self.st.devices[code] = {"user_code": user_code, "client_id": cid, "scope": f.get("scope", ""),
                                 "expires": now + o["device_expires_in"], "interval": o["interval"],
                                 "status": "pending", "username": None, "last_poll": None,
                                 "slow_down_once": o["slow_down_once"]}
        self.entry["note"] = f"user_code={user_code}"
        verify = f"https://{self.st.host}/device"
        self.reply(200, {"device_code": code, "user_code": user_code, "verification_uri": verify,
                         "verification_uri_complete": f"{verify}?user_code={user_code}",
                         "expires_in": int(o["device_expires_in"]), "interval": int(o["interval"])})

    def token(self, f):
        gt = f.get("grant_type", "")
        self.entry["grant_type"] = gt
        cid = self.client_of(f)
        st = self.st
        now = time.time()
        if gt == "urn:ietf:params:oauth:grant-type:device_code":
            d = st.devices.get(f.get("device_code", ""))
            if d is None or d["client_id"] != cid:
                raise OAuthError("invalid_grant", "unknown device_code")
            last, d["last_poll"] = d["last_poll"], now
            if now > d["expires"]:
                raise OAuthError("expired_token", "the device code has expired")
            if d["status"] == "denied":
                raise OAuthError("access_denied", "the user denied the request")
            if d["status"] == "used":
                raise OAuthError("invalid_grant", "the device code was already used")
            if last is not None and now - last < d["interval"] - 0.01:
                d["interval"] += 5
                raise OAuthError("slow_down", f"polled after {now - last:.2f} s; interval is now {d['interval']} s")
            if d["status"] == "pending":
                raise OAuthError("authorization_pending", "the user has not approved yet")
            if d["slow_down_once"]:
                d["slow_down_once"] = False
                d["interval"] += 5
                raise OAuthError("slow_down", f"interval is now {d['interval']} s")
            d["status"] = "used"
            self.entry["username"] = d["username"]
            return self.reply(200, st.issue(cid, d["username"], d["scope"]))
        if gt == "authorization_code":
            c = st.codes.pop(f.get("code", ""), None)
            if c is None or c["client_id"] != cid or now > c["expires"]:
                raise OAuthError("invalid_grant", "unknown, used or expired code")
            if f.get("redirect_uri") != c["redirect_uri"]:
                raise OAuthError("invalid_grant", "redirect_uri differs from the one sent to /authorize")
            verifier = f.get("code_verifier", "")
            if not 43 <= len(verifier) <= 128:
                raise OAuthError("invalid_grant", "code_verifier missing or of the wrong length")
            if b64url(hashlib.sha256(verifier.encode()).digest()) != c["challenge"]:
                raise OAuthError("invalid_grant", "PKCE verification failed")
            self.entry["username"] = c["username"]
            return self.reply(200, st.issue(cid, c["username"], c["scope"]))
        if gt == "refresh_token":
            t = st.tokens.get(f.get("refresh_token", ""))
            if t is None or t["kind"] != "refresh" or t["revoked"] or t["client_id"] != cid:
                raise OAuthError("invalid_grant", "unknown or revoked refresh token")
            scope = f.get("scope") or t["scope"]
            if not set(scope.split()) <= set(t["scope"].split()):
                raise OAuthError("invalid_scope", "more scope than first granted")
            self.entry["username"] = t["username"]
            answer = st.issue(cid, t["username"], scope, with_refresh=False)
            return self.reply(200, answer)
        raise OAuthError("unsupported_grant_type", f"grant_type {gt!r}")

    def authorize(self, q):
        st = self.st
        redirect = q.get("redirect_uri", "")
        r = urllib.parse.urlsplit(redirect)
        if r.scheme != "http" or r.hostname != "127.0.0.1" or not r.port:
            return self.reply(400, text="redirect_uri must be http://127.0.0.1:PORT/...\n")
        cid = q.get("client_id")
        if not cid:
            return self.reply(400, text="client_id is missing\n")
        self.entry["client_id"] = cid
        state = q.get("state", "")
        sep = "&" if r.query else "?"

        def back(params):
            params = dict(params)
            if state:
                params["state"] = state
            return self.reply(302, headers={"Location": redirect + sep + urllib.parse.urlencode(params)},
                              text="redirecting\n")
        if q.get("response_type") != "code":
            return back({"error": "unsupported_response_type"})
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return back({"error": "invalid_request", "error_description": "PKCE S256 is required"})
        if st.authorize_as["deny"]:
            self.entry["note"] = "denied"
            return back({"error": "access_denied"})
        user = st.authorize_as["username"] or q.get("login_hint") or sorted(st.users)[0]
        self.entry["username"] = user
        code = secrets.token_urlsafe(24)
        st.codes[code] = {"client_id": cid, "redirect_uri": redirect, "challenge": q["code_challenge"],
                          "scope": q.get("scope", ""), "username": user, "expires": time.time() + 120}
        return back({"code": code})

    def token_info(self, token):
        t = self.st.tokens.get(token)
        if t is None or t["revoked"] or (t["exp"] is not None and t["exp"] <= time.time()):
            return None
        return t

    def introspect(self, f):
        t = self.token_info(f.get("token", ""))
        if t is None:
            self.entry["note"] = "inactive"
            return self.reply(200, {"active": False})
        self.entry["username"] = t["username"]
        obj = {"active": True, "username": t["username"], "sub": t["username"], "scope": t["scope"],
               "client_id": t["client_id"], "token_type": "Bearer" if t["kind"] == "access" else "refresh_token"}
        if t["exp"] is not None:
            obj["exp"] = t["exp"]
        return self.reply(200, obj)

    def revoke(self, f):
        t = self.st.tokens.get(f.get("token", ""))
        if t is not None:
            t["revoked"] = True
        return self.reply(200, {})

    # -- control endpoints for tests ----------------------------------------
    def control(self, method, what, query):
        st = self.st
        f = self.form() if method == "POST" else {}
        if method == "GET" and what == "log":
            return self.reply(200, st.log)
        if method == "GET" and what == "tokens":
            return self.reply(200, [dict(v, token=k) for k, v in st.tokens.items()])
        if method == "GET" and what == "devices":
            return self.reply(200, [{k: v for k, v in d.items()} for d in st.devices.values()])
        if method != "POST":
            return self.reply(404, text="not found\n")
        if what in ("approve", "deny"):
            code = str(f.get("user_code", "")).upper()
            for d in st.devices.values():
                if d["user_code"] == code and d["status"] == "pending":
                    if what == "approve":
                        user = f.get("username")
                        if not user:
                            raise OAuthError("invalid_request", "username is missing")
                        d["status"], d["username"] = "approved", user
                    else:
                        d["status"] = "denied"
                    self.entry["note"] = f"{what} {code}"
                    return self.reply(200, {"ok": True})
            raise OAuthError("invalid_request", f"no pending device code with user_code {code}", 404)
        if what == "revoke":
            t = st.tokens.get(f.get("token", ""))
            if t is None:
                raise OAuthError("invalid_request", "unknown token", 404)
            t["revoked"] = True
            return self.reply(200, {"ok": True})
        if what == "client":
            cid = f.get("client_id", "*")
            opts = st.options.setdefault(cid, {})
            for k, v in f.items():
                if k == "client_id":
                    continue
                if k not in DEFAULT_OPTIONS or type(v) not in (type(DEFAULT_OPTIONS[k]), int):
                    raise OAuthError("invalid_request", f"unknown option or bad value: {k}")
                opts[k] = v
            return self.reply(200, st.opts(cid))
        if what == "authorize":
            st.authorize_as = {"username": f.get("username"), "deny": bool(f.get("deny", False))}
            return self.reply(200, st.authorize_as)
        if what == "mint":
            # A token made without any flow, e.g. for MAILSCOUT_OAUTH_TOKEN tests; "lifetime"
            # may be negative (an expired token).
            user = f.get("username") or sorted(st.users)[0]
            return self.reply(200, st.issue(f.get("client_id", "test"), user, f.get("scope", "imap pop smtp"),
                                            lifetime=f.get("lifetime")))
        if what == "reset":
            st.options.clear()
            st.authorize_as = {"username": None, "deny": False}
            return self.reply(200, {"ok": True})
        return self.reply(404, text="not found\n")


def metadata(issuer, base):
    return {
        "issuer": issuer,
        "authorization_endpoint": base + "/authorize",
        "token_endpoint": base + "/token",
        "device_authorization_endpoint": base + "/device",
        "introspection_endpoint": base + "/introspect",
        "revocation_endpoint": base + "/revoke",
        "code_challenge_methods_supported": ["S256"],
        "grant_types_supported": ["authorization_code", "refresh_token",
                                  "urn:ietf:params:oauth:grant-type:device_code"],
        "response_types_supported": ["code"],
        "scopes_supported": ["imap", "pop", "smtp", "offline_access"],
        "token_endpoint_auth_methods_supported": ["none"],
    }


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    ctx = None

    def finish_request(self, request, client_address):
        # The TLS handshake runs in the request's thread, so a silent client blocks no one.
        request.settimeout(10)
        try:
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True, help="the server's host name (issuer https://HOST)")
    ap.add_argument("--listen", required=True, help="ADDR:PORT")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", help="one line per request (no tokens)")
    ap.add_argument("--user", action="append", default=[])
    ap.add_argument("--option", action="append", default=[], help="NAME=VALUE: a default client option")
    a = ap.parse_args(argv)
    addr, _, port = a.listen.rpartition(":")
    st = State(a.host, a.user or [f"alice@{a.host.split('.', 1)[-1]}"])
    for o in a.option:
        k, _, v = o.partition("=")
        st.options.setdefault("*", {})[k] = json.loads(v)
    Handler.st, Handler.logfile = st, a.log
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    srv = Server((addr, int(port)), Handler)
    srv.ctx = ctx
    srv.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
