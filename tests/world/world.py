#!/usr/bin/python3
"""A fake Internet for mailscout's integration tests.

    world.py run [--scenario NAME]... [--all] [--keep-dir DIR] [-v] -- COMMAND ARGS...
    world.py shell [--scenario NAME]... [--all]
    world.py describe [--scenario NAME]... [--all]
    world.py list

`run` re-executes itself under `unshare --net --mount --pid --mount-proc --fork`,
brings up DNS (dnsmasq), mail servers (Dovecot), web servers, faults and hostile
servers (Python asyncio) described by tests/world/scenarios/<name>.json, runs
COMMAND inside, tears everything down and exits with COMMAND's exit status.
Setup errors exit 125.  See tests/world/README.md.

Python 3 standard library only.
"""

import argparse
import asyncio
import base64
import concurrent.futures
import ctypes
import datetime
import errno
import fcntl
import hashlib
import http
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO_DIR = HERE / "scenarios"
EXIT_SETUP = 125
RELAY_ADDR = "127.0.0.2"        # the world's SMTP sink (Dovecot's submission relay)
RELAY_PORT = 25
DNS_ADDR = "127.0.0.1"
SYSTEM_CERT_DIR = "/etc/ssl/certs"
SYSTEM_BUNDLE = SYSTEM_CERT_DIR + "/ca-certificates.crt"
INNER_ENV = "_MAILSCOUT_WORLD_INNER"
CACHE_VERSION = 2   # bump when certificate generation changes
START_TIMEOUT = 15.0


class WorldError(Exception):
    """A problem with the scenarios or with setting up the world (exit 125)."""


def fail(msg):
    raise WorldError(msg)


# ----------------------------------------------------------------------------
# Behaviour registries (easy to extend: add a function with the decorator).
# ----------------------------------------------------------------------------

TCP_BEHAVIOURS = {}   # name -> (coroutine function, {param: default}, doc)
WEB_BEHAVIOURS = {}


def tcp_behaviour(name, doc, **params):
    def deco(fn):
        TCP_BEHAVIOURS[name] = (fn, params, doc)
        return fn
    return deco


def web_behaviour(name, doc, **params):
    def deco(fn):
        WEB_BEHAVIOURS[name] = (fn, params, doc)
        return fn
    return deco


# ----------------------------------------------------------------------------
# Scenario loading and validation
# ----------------------------------------------------------------------------

HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")
CERT_KINDS = ("good", "wrong-name", "expired", "not-yet-valid", "self-signed", "unknown-ca", "expiring")
# "expiring": world CA, right names, valid from yesterday until 10 days from now (made that day).
EXPIRING_DAYS = 10
MAIL_SERVICES = {
    # name: (protocol, login service, default listener, default port, implicit TLS)
    "imap": ("imap", "imap-login", "imap", 143, False),
    "imaps": ("imap", "imap-login", "imaps", 993, True),
    "pop3": ("pop3", "pop3-login", "pop3", 110, False),
    "pop3s": ("pop3", "pop3-login", "pop3s", 995, True),
    "submission": ("submission", "submission-login", "submission", 587, False),
    "submissions": ("submission", "submission-login", "submissions", 465, True),
}
AUTH_MECHS = ("plain", "login", "cram-md5", "digest-md5", "scram-sha-1", "scram-sha-256",
              "apop", "anonymous", "external", "oauthbearer", "xoauth2")
DNS_TYPES = ("A", "AAAA", "MX", "SRV", "CNAME", "TXT")


def scenario_names():
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))


class Where:
    """Location in a scenario file, for error messages."""

    def __init__(self, file, path=""):
        self.file, self.path = file, path

    def __truediv__(self, part):
        if isinstance(part, int):
            return Where(self.file, f"{self.path}[{part}]")
        return Where(self.file, f"{self.path}.{part}" if self.path else str(part))

    def err(self, msg):
        loc = f"{self.file}: {self.path}" if self.path else self.file
        fail(f"{loc}: {msg}")

    def __str__(self):
        return f"{self.file}: {self.path}" if self.path else str(self.file)


def want(w, value, types, what):
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        w.err(f"expected {what}, got {json.dumps(value)}")
    if not isinstance(value, types):
        w.err(f"expected {what}, got {json.dumps(value)}")
    return value


def check_keys(w, obj, allowed, required=()):
    want(w, obj, dict, "an object")
    for k in obj:
        if k not in allowed:
            w.err(f"unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
    for k in required:
        if k not in obj:
            w.err(f"missing required key {k!r}")


def check_host(w, name):
    want(w, name, str, "a host name")
    if not HOST_RE.match(name):
        w.err(f"invalid host name {name!r} (lower case letters, digits, '-', '_', dots; no trailing dot)")
    return name


def check_ms(w, v):
    want(w, v, int, "milliseconds (integer)")
    if v < 0:
        w.err("must be >= 0")
    return v


def check_port(w, v):
    want(w, v, int, "a port number")
    if not 1 <= v <= 65535:
        w.err(f"port {v} out of range")
    return v


def check_params(w, spec, defaults, reserved):
    """Behaviour parameters: known names, same type as the default."""
    params = {}
    for k, v in spec.items():
        if k in reserved:
            continue
        if k not in defaults:
            w.err(f"unknown key {k!r} (behaviour parameters: {', '.join(sorted(defaults)) or 'none'})")
        d = defaults[k]
        if d is not None and not (isinstance(v, type(d)) and isinstance(v, bool) == isinstance(d, bool)):
            (w / k).err(f"expected {type(d).__name__}, got {json.dumps(v)}")
        params[k] = v
    for k, d in defaults.items():
        params.setdefault(k, d)
    return params


class Spec:
    """All loaded scenarios merged."""

    def __init__(self):
        self.scenarios = []
        self.descriptions = {}
        self.hosts = {}      # name -> {"address": str|None, "dns": bool, "where": Where}
        self.dns = []        # (Where, name, type, [data])
        self.mail = []       # dicts
        self.web = {}        # host -> dict
        self.tcp = []        # dicts
        self.serve = []      # dicts: `mailscout serve` instances
        self.oauth = []      # dicts: OAuth 2.0 authorization servers (oauth_server.py)
        self.listeners = {}  # (host, port) -> description, for conflict detection

    # -- hosts ---------------------------------------------------------------
    def add_host(self, w, name, address=None, dns=True):
        check_host(w, name)
        if address is not None and address != "auto":
            try:
                ip = ipaddress.IPv4Address(address)
            except ValueError:
                w.err(f"invalid IPv4 address {address!r}")
            if not ip.is_loopback:
                w.err(f"address {address} is not in 127.0.0.0/8 (only loopback exists inside the world)")
            if address in (DNS_ADDR, RELAY_ADDR):
                w.err(f"address {address} is reserved (127.0.0.1 = DNS, 127.0.0.2 = SMTP relay sink)")
        else:
            address = None
        h = self.hosts.get(name)
        if h is None:
            self.hosts[name] = {"address": address, "dns": dns, "where": w}
            return
        if address is not None:
            if h["address"] is not None and h["address"] != address:
                w.err(f"host {name} has address {address} here but {h['address']} in {h['where']}")
            h["address"] = address
        if not dns:
            h["dns"] = False

    def claim(self, w, host, port, what):
        key = (host, port)
        if key in self.listeners:
            w.err(f"{host}:{port} is already used by {self.listeners[key]}")
        self.listeners[key] = f"{what} ({w})"

    # -- loading -------------------------------------------------------------
    def load(self, name):
        if name.endswith(".json") or "/" in name:
            path = Path(name).resolve()          # a scenario file outside scenarios/
            if not path.is_file():
                fail(f"no scenario file {path}")
            rel = str(path)
            name = str(path)
        else:
            path = SCENARIO_DIR / f"{name}.json"
            if not re.match(r"^[A-Za-z0-9_.-]+$", name) or not path.is_file():
                fail(f"unknown scenario {name!r} (no file {path}); known: {', '.join(scenario_names())}")
            rel = f"scenarios/{name}.json"
        self.base = path.parent                  # "file" paths are relative to the scenario file
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            fail(f"{rel}: invalid JSON: {e}")
        w = Where(rel)
        check_keys(w, data, {"description", "hosts", "dns", "mail", "web", "tcp", "serve", "oauth"})
        self.scenarios.append(name)
        self.descriptions[name] = data.get("description", "")
        want(w / "description", self.descriptions[name], str, "a string")

        hosts = data.get("hosts", {})
        want(w / "hosts", hosts, dict, "an object: host name -> \"auto\" | \"127.x.y.z\" | {address, dns}")
        for hname, hv in hosts.items():
            hw = w / "hosts" / hname
            if isinstance(hv, str):
                self.add_host(hw, hname, hv)
            else:
                check_keys(hw, hv, {"address", "dns"})
                addr = hv.get("address", "auto")
                want(hw / "address", addr, str, "\"auto\" or an IPv4 address")
                dns = hv.get("dns", True)
                want(hw / "dns", dns, bool, "true or false")
                self.add_host(hw, hname, addr, dns)

        for i, m in enumerate(want(w / "mail", data.get("mail", []), list, "a list")):
            self.load_mail(w / "mail" / i, m)
        for hname, webspec in want(w / "web", data.get("web", {}), dict, "an object: host -> web host").items():
            self.load_web(w / "web" / hname, hname, webspec)
        for i, t in enumerate(want(w / "tcp", data.get("tcp", []), list, "a list")):
            self.load_tcp(w / "tcp" / i, t)
        for i, sv in enumerate(want(w / "serve", data.get("serve", []), list, "a list")):
            self.load_serve(w / "serve" / i, sv)
        for i, o in enumerate(want(w / "oauth", data.get("oauth", []), list, "a list")):
            self.load_oauth(w / "oauth" / i, o)
        for i, r in enumerate(want(w / "dns", data.get("dns", []), list, "a list")):
            self.load_dns(w / "dns" / i, r)

    def load_dns(self, w, rec):
        if isinstance(rec, dict):
            check_keys(w, rec, {"record", "repeat", "start"}, ("record",))
            text = want(w / "record", rec["record"], str, "a record line")
            n = want(w / "repeat", rec.get("repeat", 1), int, "a count")
            start = want(w / "start", rec.get("start", 1), int, "a number")
            if not 1 <= n <= 100000:
                (w / "repeat").err("must be between 1 and 100000")
            lines = [text.replace("{i}", str(i)) for i in range(start, start + n)]
        else:
            want(w, rec, str, "a record line \"NAME TYPE DATA\" or {record, repeat}")
            lines = [rec]
        for line in lines:
            parts = line.split()
            if len(parts) < 3:
                w.err(f"record {line!r}: expected \"NAME TYPE DATA...\"")
            name, rtype, data = parts[0].lower().rstrip("."), parts[1].upper(), parts[2:]
            check_host(w, name)
            if rtype not in DNS_TYPES:
                w.err(f"record {line!r}: unknown type {rtype} (supported: {', '.join(DNS_TYPES)})")
            nargs = {"A": 1, "AAAA": 1, "MX": 2, "SRV": 4, "CNAME": 1}.get(rtype)
            if nargs is not None and len(data) != nargs:
                w.err(f"record {line!r}: {rtype} needs {nargs} value(s): "
                      + {"A": "ADDRESS-or-HOST", "AAAA": "IPV6", "MX": "PREFERENCE TARGET",
                         "SRV": "PRIORITY WEIGHT PORT TARGET", "CNAME": "TARGET"}[rtype])
            if rtype == "A":
                try:
                    ipaddress.IPv4Address(data[0])
                except ValueError:
                    check_host(w, data[0].lower())
            elif rtype == "AAAA":
                try:
                    ipaddress.IPv6Address(data[0])
                except ValueError:
                    w.err(f"record {line!r}: invalid IPv6 address")
            elif rtype == "MX":
                if not data[0].isdigit():
                    w.err(f"record {line!r}: MX preference must be a number")
                check_host(w, data[1].lower().rstrip("."))
            elif rtype == "SRV":
                if not all(x.isdigit() for x in data[:3]):
                    w.err(f"record {line!r}: SRV priority, weight and port must be numbers")
                if data[3] != ".":
                    check_host(w, data[3].lower().rstrip("."))
            elif rtype == "CNAME":
                check_host(w, data[0].lower().rstrip("."))
            elif rtype == "TXT":
                txt = " ".join(data)
                if len(txt) >= 2 and txt[0] == txt[-1] == '"':
                    txt = txt[1:-1]
                if '"' in txt or "\n" in txt:
                    w.err(f"record {line!r}: TXT text must not contain quotes")
                data = [txt]
            self.dns.append((w, name, rtype, data))

    def load_cert(self, w, spec, default="good"):
        kind = spec.get("cert", default)
        want(w / "cert", kind, str, "a certificate kind")
        if kind not in CERT_KINDS:
            (w / "cert").err(f"unknown certificate kind {kind!r} (one of {', '.join(CERT_KINDS)})")
        names = spec.get("cert_names", [])
        want(w / "cert_names", names, list, "a list of host names")
        for i, n in enumerate(names):
            check_host(w / "cert_names" / i, n)
        return kind, names

    def load_mail(self, w, m):
        check_keys(w, m, {"host", "also_hosts", "name", "services", "ssl", "plaintext_auth", "auth", "cert",
                          "cert_names", "users", "inbox", "greeting", "dovecot", "penalties", "ban_after",
                          "oauth2"},
                   ("host", "services"))
        host = check_host(w / "host", m["host"])
        self.add_host(w / "host", host)
        also = want(w / "also_hosts", m.get("also_hosts", []), list, "a list of host names")
        for i, h in enumerate(also):
            self.add_host(w / "also_hosts" / i, check_host(w / "also_hosts" / i, h))
        name = m.get("name", host)
        want(w / "name", name, str, "a name")
        if not re.match(r"^[A-Za-z0-9_.@-]+$", name):
            (w / "name").err("use letters, digits, '.', '-', '_' only (it names the log file)")
        for other in self.mail:
            if other["name"] == name:
                (w / "name").err(f"server name {name!r} is used twice (give each server on a host its own \"name\")")
        ssl_mode = m.get("ssl", "yes")
        if ssl_mode not in ("yes", "required", "no"):
            (w / "ssl").err("must be \"yes\" (STARTTLS offered), \"required\" or \"no\" (cleartext only)")
        services = []
        seen_listener = set()
        for i, s in enumerate(want(w / "services", m["services"], list, "a list like [\"imaps\", \"imap:1143\"]")):
            sw = w / "services" / i
            want(sw, s, str, "a service like \"imaps\" or \"imap:1143\"")
            svc, _, port = s.partition(":")
            if svc not in MAIL_SERVICES:
                sw.err(f"unknown service {svc!r} (one of {', '.join(MAIL_SERVICES)})")
            proto, login, lname, dport, tls = MAIL_SERVICES[svc]
            if port:
                if not port.isdigit():
                    sw.err(f"bad port in {s!r}")
                port = check_port(sw, int(port))
            else:
                port = dport
            if tls and ssl_mode == "no":
                sw.err(f"{svc} needs TLS but \"ssl\" is \"no\"")
            for h in [host] + also:
                self.claim(sw, h, port, f"mail server {name} {svc}")
            lname_u = lname if lname not in seen_listener else f"{lname}_{port}"
            seen_listener.add(lname_u)
            services.append({"service": svc, "protocol": proto, "login": login, "listener": lname_u,
                             "port": port, "tls": tls})
        if not services:
            (w / "services").err("at least one service is needed")
        pa = m.get("plaintext_auth", ssl_mode == "no")
        want(w / "plaintext_auth", pa, bool, "true or false")
        auth = m.get("auth", ["plain", "login"])
        if isinstance(auth, str):
            auth = auth.split()
        want(w / "auth", auth, list, "a list of mechanisms")
        for a in auth:
            if a.lower() not in AUTH_MECHS:
                (w / "auth").err(f"unknown mechanism {a!r} (Dovecot 2.3: {', '.join(AUTH_MECHS)})")
        users = want(w / "users", m.get("users", {}), dict, "an object: user -> password")
        for u, p in users.items():
            if not u or any(c in u for c in ":\n\r\t /") or not isinstance(p, str) or "\n" in p:
                (w / "users").err(f"bad user {u!r} (no ':', spaces or '/'; password a string)")
        inbox = want(w / "inbox", m.get("inbox", []), list, "a list of messages")
        for i, msg in enumerate(inbox):
            check_keys(w / "inbox" / i, msg, {"from", "subject", "body"})
        greeting = m.get("greeting")
        if greeting is not None:
            want(w / "greeting", greeting, str, "a string")
        extra = want(w / "dovecot", m.get("dovecot", []), list, "a list of Dovecot config lines")
        penalties = want(w / "penalties", m.get("penalties", False), bool, "true or false")
        ban_after = m.get("ban_after")
        if ban_after is not None:
            want(w / "ban_after", ban_after, int, "a number of failed logins (integer >= 1)")
            if not 1 <= ban_after <= 1000:
                (w / "ban_after").err("must be between 1 and 1000")
        oauth2 = m.get("oauth2")
        if oauth2 is not None:
            want(w / "oauth2", oauth2, dict, "an object: dovecot-oauth2.conf.ext setting -> value")
            if "introspection_url" not in oauth2 and "tokeninfo_url" not in oauth2:
                (w / "oauth2").err("needs \"introspection_url\" (or \"tokeninfo_url\")")
            for k, v in oauth2.items():
                if not re.match(r"^[a-z_]+$", k) or not isinstance(v, (str, int)) or "\n" in str(v):
                    (w / "oauth2" / k).err("expected a setting name and a one-line value")
        kind, cnames = self.load_cert(w, m)
        self.mail.append({"oauth2": oauth2, "name": name, "host": host, "also_hosts": also, "services": services, "ssl": ssl_mode,
                          "plaintext_auth": pa, "auth": [a.lower() for a in auth], "users": users,
                          "inbox": inbox, "greeting": greeting, "dovecot": extra, "cert": kind,
                          "cert_names": cnames, "penalties": penalties, "ban_after": ban_after, "where": w})

    def load_web(self, w, host, spec):
        check_host(w, host)
        check_keys(w, spec, {"https", "http", "cert", "cert_names", "routes"})
        self.add_host(w, host)
        ports = {}
        for scheme, dport in (("https", 443), ("http", 80)):
            p = spec.get(scheme, dport)
            if p is False or p is None:
                continue
            ports[scheme] = check_port(w / scheme, p)
        kind, cnames = self.load_cert(w, spec)
        routes = []
        for key, r in want(w / "routes", spec.get("routes", {}), dict,
                           "an object: \"[METHOD ]PATH\" -> response").items():
            rw = w / "routes" / key
            parts = key.split()
            if len(parts) == 1:
                method, path = None, parts[0]
            elif len(parts) == 2:
                method, path = parts[0].upper(), parts[1]
            else:
                rw.err("route key must be \"PATH\" or \"METHOD PATH\"")
            if not path.startswith("/"):
                rw.err("path must start with '/'")
            if "?" in path:
                rw.err("leave the query string out of the path (it is ignored for matching)")
            want(rw, r, dict, "an object")
            common = {"status", "body", "file", "type", "headers", "delay_ms", "scheme", "behaviour"}
            beh = r.get("behaviour")
            if beh is not None:
                if beh not in WEB_BEHAVIOURS:
                    (rw / "behaviour").err(f"unknown web behaviour {beh!r} (one of {', '.join(sorted(WEB_BEHAVIOURS))})")
                params = check_params(rw, r, WEB_BEHAVIOURS[beh][1], common)
            else:
                check_keys(rw, r, common)
                params = {}
            status = r.get("status", 200)
            want(rw / "status", status, int, "an HTTP status code")
            if not 100 <= status <= 999:
                (rw / "status").err("status must be 100..999")
            headers = want(rw / "headers", r.get("headers", {}), dict, "an object")
            for hk, hv in headers.items():
                if not isinstance(hv, str) or "\n" in hv or "\r" in hv:
                    (rw / "headers").err(f"header {hk!r} must be a one-line string")
            if "body" in r and "file" in r:
                rw.err("give either \"body\" or \"file\", not both")
            body = b""
            if "body" in r:
                body = want(rw / "body", r["body"], str, "a string").encode()
            if "file" in r:
                fpath = (self.base / want(rw / "file", r["file"], str, "a path")).resolve()
                if not fpath.is_file():
                    (rw / "file").err(f"no such file {fpath} (paths are relative to the scenario file's folder)")
                body = fpath.read_bytes()
            ctype = r.get("type")
            if ctype is None:
                name = r.get("file", path)
                ctype = ("text/xml" if name.endswith(".xml") else "application/json" if name.endswith(".json")
                         else "text/html" if name.endswith(".html") else "text/plain")
            want(rw / "type", ctype, str, "a content type")
            scheme = r.get("scheme")
            if scheme not in (None, "http", "https"):
                (rw / "scheme").err("must be \"http\" or \"https\"")
            if scheme is not None and scheme not in ports:
                (rw / "scheme").err(f"this web host does not listen on {scheme}")
            routes.append({"key": key, "method": method, "path": path, "status": status, "headers": headers,
                           "body": body, "type": ctype, "scheme": scheme,
                           "delay_ms": check_ms(rw / "delay_ms", r.get("delay_ms", 0)),
                           "behaviour": beh, "params": params})
        if host in self.web:
            # The same web host in two scenarios (e.g. autoconfig.thunderbird.net): merge routes.
            old = self.web[host]
            if old["ports"] != ports or old["cert"] != kind or old["cert_names"] != cnames:
                w.err(f"web host {host} is also defined differently in {old['where']} (ports and cert must match to merge)")
            keys = {r["key"] for r in old["routes"]}
            for r in routes:
                if r["key"] in keys:
                    (w / "routes" / r["key"]).err(f"route also defined in {old['where']}")
            old["routes"].extend(routes)
            return
        for scheme, p in ports.items():
            self.claim(w / scheme, host, p, f"web {scheme}")
        self.web[host] = {"host": host, "ports": ports, "cert": kind, "cert_names": cnames,
                          "routes": routes, "where": w}

    def load_serve(self, w, sv):
        """A `mailscout serve` process (the binary comes from `run --mailscout`), listening
        on the addresses of its hosts: plain HTTP and HTTPS (a certificate naming all of
        them, from the world CA)."""
        check_keys(w, sv, {"name", "providers", "hosts", "args", "sign", "cert", "cert_names"},
                   ("providers", "hosts"))
        name = want(w / "name", sv.get("name", "serve"), str, "a name")
        if not re.match(r"^[A-Za-z0-9_.-]+$", name):
            (w / "name").err("use letters, digits, '.', '-', '_' only (it names the log file)")
        if any(o["name"] == name for o in self.serve):
            (w / "name").err(f"serve name {name!r} is used twice")
        providers = (self.base / want(w / "providers", sv["providers"], str, "a folder")).resolve()
        if not providers.is_dir():
            (w / "providers").err(f"no such folder {providers} (paths are relative to the scenario file's folder)")
        hosts_spec = sv["hosts"]
        if isinstance(hosts_spec, list):
            hosts_spec = {h: {} for h in hosts_spec}
        want(w / "hosts", hosts_spec, dict, "a list of host names, or an object: host -> {https, http}")
        if not hosts_spec:
            (w / "hosts").err("at least one host is needed")
        hosts = {}
        for h, ports_spec in hosts_spec.items():
            hw = w / "hosts" / h
            check_host(hw, h)
            check_keys(hw, ports_spec, {"https", "http"})
            self.add_host(hw, h)
            ports = {}
            for scheme, dport in (("https", 443), ("http", 80)):
                port = ports_spec.get(scheme, dport)
                if port is False or port is None:
                    continue
                ports[scheme] = check_port(hw / scheme, port)
                self.claim(hw / scheme, h, ports[scheme], f"mailscout serve {name} {scheme}")
            if not ports:
                hw.err("needs https or http")
            hosts[h] = ports
        args = want(w / "args", sv.get("args", []), list, "a list of extra arguments")
        for i, a in enumerate(args):
            want(w / "args" / i, a, str, "a string")
        sign = want(w / "sign", sv.get("sign", False), bool, "true or false")
        kind, cnames = self.load_cert(w, sv)
        self.serve.append({"name": name, "providers": str(providers), "hosts": hosts, "args": args,
                           "sign": sign, "cert": kind, "cert_names": cnames, "where": w})

    def load_oauth(self, w, o):
        """An OAuth 2.0 authorization server (oauth_server.py) on HTTPS: issuer https://HOST
        and https://HOST/oidc, users, default client options."""
        check_keys(w, o, {"host", "port", "users", "options", "cert", "cert_names"}, ("host",))
        host = check_host(w / "host", o["host"])
        self.add_host(w / "host", host)
        port = check_port(w / "port", o.get("port", 443))
        self.claim(w / "port", host, port, "oauth server")
        users = want(w / "users", o.get("users", []), list, "a list of user names")
        for i, u in enumerate(users):
            want(w / "users" / i, u, str, "a user name")
        options = want(w / "options", o.get("options", {}), dict, "an object: client option -> value")
        kind, cnames = self.load_cert(w, o)
        self.oauth.append({"host": host, "port": port, "users": users, "options": options, "cert": kind,
                           "cert_names": cnames, "where": w})

    def load_tcp(self, w, t):
        want(w, t, dict, "an object {host, port, behaviour, ...}")
        for k in ("host", "port", "behaviour"):
            if k not in t:
                w.err(f"missing required key {k!r}")
        host = check_host(w / "host", t["host"])
        self.add_host(w / "host", host)
        port = check_port(w / "port", t["port"])
        beh = t["behaviour"]
        if beh != "drop-syn" and beh not in TCP_BEHAVIOURS:
            (w / "behaviour").err(f"unknown tcp behaviour {beh!r} (one of drop-syn, {', '.join(sorted(TCP_BEHAVIOURS))})")
        reserved = {"host", "port", "behaviour", "tls", "cert", "cert_names", "name"}
        defaults = {} if beh == "drop-syn" else TCP_BEHAVIOURS[beh][1]
        params = check_params(w, t, defaults, reserved)
        tls = t.get("tls", False)
        want(w / "tls", tls, bool, "true or false")
        kind, cnames = self.load_cert(w, t)
        name = t.get("name", f"{beh}-{host}-{port}")
        want(w / "name", name, str, "a name")
        if beh == "proxy":
            tgt = params["target"]
            m = re.match(r"^(.+):(\d+)$", tgt)
            if not m:
                (w / "target").err("proxy needs \"target\": \"HOST:PORT\"")
            params["target_host"], params["target_port"] = m.group(1), int(m.group(2))
        if beh == "script":
            for i, step in enumerate(want(w / "script", params["script"], list, "a list of steps")):
                check_keys(w / "script" / i, step, {"send", "send_raw", "expect", "sleep_ms", "starttls", "close"})
                if len(step) != 1:
                    (w / "script" / i).err("each step has exactly one key")
                if "expect" in step:
                    try:
                        re.compile(step["expect"])
                    except re.error as e:
                        (w / "script" / i).err(f"bad regular expression: {e}")
        self.claim(w, host, port, f"tcp {beh}")
        self.tcp.append({"name": name, "host": host, "port": port, "behaviour": beh, "tls": tls,
                         "cert": kind, "cert_names": cnames, "params": params, "where": w})

    # -- after loading ---------------------------------------------------------
    def finish(self):
        # Resolve references to hosts.
        for w, name, rtype, data in self.dns:
            if rtype == "A" and not re.match(r"^\d+\.\d+\.\d+\.\d+$", data[0]) and data[0].lower() not in self.hosts:
                w.err(f"A record for {name} points to {data[0]}, which is not a host of the world")
        for t in self.tcp:
            if t["behaviour"] == "proxy":
                th = t["params"]["target_host"]
                if th not in self.hosts:
                    try:
                        ipaddress.IPv4Address(th)
                    except ValueError:
                        t["where"].err(f"proxy target {th} is not a host of the world")
        self.assign_addresses()
        for t in self.tcp:
            if t["behaviour"] == "proxy":
                th = t["params"]["target_host"]
                t["params"]["target_addr"] = self.hosts[th]["address"] if th in self.hosts else th

    def assign_addresses(self):
        """Every host gets its own loopback address: explicit, or derived from a hash of
        its name (stable whichever scenarios are loaded with it), collision-free."""
        used = {DNS_ADDR: "DNS", RELAY_ADDR: "relay"}
        for name, h in sorted(self.hosts.items()):
            if h["address"] is not None:
                if h["address"] in used:
                    h["where"].err(f"address {h['address']} of {name} is also used by {used[h['address']]}")
                used[h["address"]] = name
        for name, h in sorted(self.hosts.items()):
            if h["address"] is not None:
                continue
            n = 0
            while True:
                d = hashlib.sha256(f"{name}#{n}".encode() if n else name.encode()).digest()
                addr = f"127.{1 + d[0] % 254}.{d[1]}.{1 + d[2] % 254}"
                if addr not in used:
                    break
                n += 1
            h["address"] = addr
            used[addr] = name

    def addr(self, host):
        return self.hosts[host]["address"]


def needs_serve(name):
    """Whether the scenario file starts `mailscout serve` (a "serve" key)."""
    try:
        return bool(json.loads((SCENARIO_DIR / f"{name}.json").read_text()).get("serve"))
    except (OSError, ValueError):
        return False


def load_spec(names, all_, without_serve=False):
    if all_:
        extra = [n for n in scenario_names() if n not in names]
        if without_serve:
            # `--all` without a mailscout binary: every scenario that can start.
            extra = [n for n in extra if not needs_serve(n)]
        names = list(names) + extra
    if not names:
        fail("no scenario given (use --scenario NAME or --all); known: " + ", ".join(scenario_names()))
    spec = Spec()
    for n in dict.fromkeys(names):
        spec.load(n)
    spec.finish()
    return spec


# ----------------------------------------------------------------------------
# Certificates
# ----------------------------------------------------------------------------

class Certs:
    """One CA and one EC P-256 leaf key per world; one certificate per (kind, names)."""

    def __init__(self, root):
        self.dir = root / "certs"
        self.dir.mkdir()
        self.ca = self.dir / "ca.pem"
        self.ca_key = self.dir / "ca.key"
        self.key = self.dir / "leaf.key"
        self.wanted = {}   # (kind, names) -> path
        self.cached = False
        self.cnf = self.dir / "openssl.cnf"
        self.cnf.write_text("[req]\ndistinguished_name = dn\n[dn]\n")

    def want(self, kind, names):
        names = tuple(dict.fromkeys(names))
        key = (kind, names)
        if key not in self.wanted:
            safe = re.sub(r"[^a-z0-9.-]", "_", names[0])
            self.wanted[key] = self.dir / f"{kind}-{safe}-{len(self.wanted)}.pem"
        return self.wanted[key], self.key

    def _run(self, cmds):
        for cmd in cmds:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.dir)
            if r.returncode != 0:
                fail(f"openssl failed: {' '.join(map(str, cmd))}\n{r.stdout.decode(errors='replace')}")

    def generate(self):
        """Certificates come from a per-user cache keyed by what is asked for (and the month,
        so "good" ones never near expiry); on a miss they are made and stored atomically, so
        parallel worlds are safe. WORLD_CERT_CACHE=0 turns the cache off."""
        cache = self.cache_dir()
        entry = None
        if cache:
            # An "expiring" certificate must expire EXPIRING_DAYS from today: key it by the day.
            period = time.strftime("%Y-%m-%d" if any(k == "expiring" for k, _ in self.wanted) else "%Y-%m")
            spec = json.dumps([CACHE_VERSION, period,
                               sorted([k, list(n), p.name] for (k, n), p in self.wanted.items())])
            entry = cache / hashlib.sha256(spec.encode()).hexdigest()[:32]
            if (entry / "complete").exists():
                for f in entry.iterdir():
                    if f.name != "complete":
                        shutil.copyfile(f, self.dir / f.name)
                self.cached = True
                return
        self._generate()
        if entry:
            try:
                tmp = Path(tempfile.mkdtemp(dir=cache, prefix=".new-"))
                for f in self.dir.iterdir():
                    if f.is_file() and f.suffix in (".pem", ".key"):
                        shutil.copyfile(f, tmp / f.name)
                (tmp / "complete").write_text("")
                try:
                    os.rename(tmp, entry)
                except OSError:           # another world stored it first
                    shutil.rmtree(tmp, ignore_errors=True)
                for old in cache.iterdir():   # forget entries unused for 40 days
                    if time.time() - old.stat().st_mtime > 40 * 86400:
                        shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass

    @staticmethod
    def cache_dir():
        if os.environ.get("WORLD_CERT_CACHE", "1") == "0":
            return None
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mailscout-world" / "certs"
        try:
            base.mkdir(parents=True, exist_ok=True)
            os.chmod(base.parent, 0o700)
            return base
        except OSError:
            return None

    def _generate(self):
        o = ["openssl"]
        req = o + ["req", "-config", str(self.cnf)]
        ca_cmd = req + ["-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", str(self.ca_key), "-out", str(self.ca), "-days", "3650",
                        "-subj", "/O=mailscout test world/CN=mailscout test world CA",
                        "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        ca2 = self.dir / "other-ca.pem"
        ca2_key = self.dir / "other-ca.key"
        first = [[ca_cmd], [o + ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                                  "-out", str(self.key)]]]
        if any(k == "unknown-ca" for k, _ in self.wanted):
            first.append([req + ["-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                 "-keyout", str(ca2_key), "-out", str(ca2), "-days", "3650",
                                 "-subj", "/CN=untrusted other CA", "-addext", "basicConstraints=critical,CA:TRUE",
                                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"]])
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
            list(ex.map(self._run, first))
            jobs = []
            for i, ((kind, names), path) in enumerate(self.wanted.items()):
                san_names = ("wrong-name.invalid",) if kind == "wrong-name" else names
                san = "subjectAltName=" + ",".join(f"DNS:{n}" for n in san_names)
                common = ["-key", str(self.key), "-subj", f"/CN={san_names[0]}", "-addext", san,
                          "-addext", "basicConstraints=critical,CA:FALSE",
                          "-addext", "extendedKeyUsage=serverAuth"]
                if kind == "signer":
                    # Signs what `mailscout serve --sign-cert` signs (Apple profiles,
                    # CMS): a leaf of the world CA for digital signatures, which
                    # `openssl cms -verify` accepts for its default S/MIME purpose.
                    jobs.append([req + ["-x509", "-new", "-CA", str(self.ca), "-CAkey", str(self.ca_key),
                                        "-days", "825", "-out", str(path), "-key", str(self.key),
                                        "-subj", "/O=mailscout test world/CN=profile signer",
                                        "-addext", "basicConstraints=critical,CA:FALSE",
                                        "-addext", "keyUsage=critical,digitalSignature",
                                        "-addext", "extendedKeyUsage=emailProtection,codeSigning"]])
                elif kind in ("good", "wrong-name"):
                    jobs.append([req + ["-x509", "-new", "-CA", str(self.ca), "-CAkey", str(self.ca_key),
                                        "-days", "825", "-out", str(path)] + common])
                elif kind == "unknown-ca":
                    jobs.append([req + ["-x509", "-new", "-CA", str(ca2), "-CAkey", str(ca2_key),
                                        "-days", "825", "-out", str(path)] + common])
                elif kind == "self-signed":
                    jobs.append([req + ["-x509", "-new", "-days", "825", "-out", str(path)] + common])
                else:  # expired / not-yet-valid / expiring: openssl ca can set arbitrary dates
                    d = self.dir / f"ca-{i}"
                    d.mkdir()
                    (d / "index.txt").write_text("")
                    (d / "serial").write_text(f"{1000 + i:04X}\n")
                    (d / "ca.cnf").write_text(
                        f"[ca]\ndefault_ca = d\n[d]\ndatabase = {d}/index.txt\nnew_certs_dir = {d}\n"
                        f"serial = {d}/serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\n"
                        "unique_subject = no\n[p]\ncommonName = supplied\n")
                    if kind == "expiring":
                        fmt = "%Y%m%d%H%M%SZ"
                        start = time.strftime(fmt, time.gmtime(time.time() - 86400))
                        end = time.strftime(fmt, time.gmtime(time.time() + EXPIRING_DAYS * 86400))
                    else:
                        start, end = (("20200101000000Z", "20210101000000Z") if kind == "expired"
                                      else ("20900101000000Z", "20910101000000Z"))
                    jobs.append([req + ["-new", "-out", str(d / "req.csr")] + common,
                                 o + ["ca", "-batch", "-config", str(d / "ca.cnf"), "-cert", str(self.ca),
                                      "-keyfile", str(self.ca_key), "-in", str(d / "req.csr"),
                                      "-out", str(path), "-startdate", start, "-enddate", end, "-notext"]])
            list(ex.map(self._run, jobs))
        os.chmod(self.key, 0o644)   # Dovecot reads keys as root anyway; tests may read them too


# ----------------------------------------------------------------------------
# Config generation
# ----------------------------------------------------------------------------

def dnsmasq_conf(spec, world):
    L = ["# generated by world.py", f"port=53", f"listen-address={DNS_ADDR}", "bind-interfaces",
         "no-resolv", "no-hosts", "user=root", "log-queries=extra", f"log-facility={world}/logs/dns.log",
         "# every name not defined here is NXDOMAIN", "local=/#/", "edns-packet-max=4096"]
    for name, h in sorted(spec.hosts.items()):
        if h["dns"]:
            L.append(f"host-record={name},{h['address']}")
    for w, name, rtype, data in spec.dns:
        if rtype == "A":
            a = data[0]
            if not re.match(r"^\d+\.\d+\.\d+\.\d+$", a):
                a = spec.addr(a.lower())
            L.append(f"host-record={name},{a}")
        elif rtype == "AAAA":
            L.append(f"host-record={name},{data[0]}")
        elif rtype == "MX":
            L.append(f"mx-host={name},{data[1].lower().rstrip('.')},{int(data[0])}")
        elif rtype == "SRV":
            prio, weight, port, target = data
            target = "." if target == "." else target.lower().rstrip(".")
            L.append(f"srv-host={name},{target},{int(port)},{int(prio)},{int(weight)}")
        elif rtype == "CNAME":
            L.append(f"cname={name},{data[0].lower().rstrip('.')}")
        elif rtype == "TXT":
            L.append(f'txt-record={name},"{data[0]}"')
    return "\n".join(L) + "\n"


def dovecot_conf(spec, m, world, cert):
    d = world / "dovecot" / m["name"]
    addr = ", ".join(spec.addr(h) for h in [m["host"]] + m["also_hosts"])
    protos = list(dict.fromkeys(s["protocol"] for s in m["services"]))
    L = [f"# generated by world.py for mail server {m['name']} ({m['where'].file})",
         f"protocols = {' '.join(protos)}",
         f"listen = {addr}",
         f"base_dir = {d}/run",
         f"state_dir = {d}/state",
         f"log_path = {world}/logs/{m['name']}.log",
         'log_timestamp = "%Y-%m-%d %H:%M:%S "',
         f"hostname = {m['host']}",
         "default_internal_user = dovenull",
         "default_login_user = dovenull",
         f"ssl = {m['ssl']}",
         f"disable_plaintext_auth = {'no' if m['plaintext_auth'] else 'yes'}",
         f"auth_mechanisms = {' '.join(m['auth'])}",
         "auth_verbose = yes",
         "auth_debug = yes",
         "auth_debug_passwords = yes",
         "auth_verbose_passwords = plain",
         # "penalties": Dovecot's own default (2 s before every failed login's answer);
         # otherwise none, so failed logins don't slow tests down.
         f"auth_failure_delay = {'2 secs' if m['penalties'] else '0'}",
         "auth_cache_size = 0",
         "mail_location = maildir:~/Maildir",
         f"submission_relay_host = {RELAY_ADDR}",
         f"submission_relay_port = {RELAY_PORT}",
         *(["passdb {", "  driver = oauth2", "  mechanisms = xoauth2 oauthbearer", f"  args = {d}/oauth2.conf.ext",
             "  result_failure = return-fail", "}"] if m["oauth2"] else []),
         "passdb {", "  driver = passwd-file", f"  args = {d}/users", "}",
         "userdb {", "  driver = static",
         f"  args = uid=nobody gid=nogroup home={world}/mail/{m['name']}/%u", "}"]
    if m["greeting"] is not None:
        L.append(f'login_greeting = "{m["greeting"]}"')
    if m["ssl"] != "no":
        L += [f"ssl_cert = <{cert[0]}", f"ssl_key = <{cert[1]}"]
        if os.path.exists("/usr/share/dovecot/dh.pem"):
            L.append("ssl_dh = </usr/share/dovecot/dh.pem")
    for proto in protos:
        login = f"{proto}-login"
        L.append(f"service {login} {{")
        mine = [s for s in m["services"] if s["protocol"] == proto]
        names = {s["listener"] for s in mine}
        for dflt in ([proto, proto + "s"]):
            if dflt not in names:
                L += [f"  inet_listener {dflt} {{", "    port = 0", "  }"]
        for s in mine:
            L += [f"  inet_listener {s['listener']} {{", f"    port = {s['port']}",
                  f"    ssl = {'yes' if s['tls'] else 'no'}", "  }"]
        L.append("}")
    L += list(m["dovecot"])
    users = "".join(f"{u}:{{PLAIN.b64}}{base64.b64encode(p.encode()).decode()}\n" for u, p in m["users"].items())
    return "\n".join(L) + "\n", users


def seed_inbox(world, m):
    if not m["inbox"]:
        return
    nobody = (65534, 65534)
    try:
        import pwd
        pw = pwd.getpwnam("nobody")
        nobody = (pw.pw_uid, pw.pw_gid)
    except KeyError:
        pass
    base = world / "mail" / m["name"]
    for user in m["users"]:
        dirs = [base / user, base / user / "Maildir"] + [base / user / "Maildir" / x for x in ("cur", "new", "tmp")]
        for dd in dirs:
            dd.mkdir(exist_ok=True)
            os.chown(dd, *nobody)
        address = user if "@" in user else f"{user}@{m['host']}"
        for i, msg in enumerate(m["inbox"]):
            date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
            text = (f"From: {msg.get('from', 'Postmaster <postmaster@' + m['host'] + '>')}\r\n"
                    f"To: {address}\r\nSubject: {msg.get('subject', 'Hello')}\r\nDate: {date}\r\n"
                    f"Message-ID: <{i}.{int(time.time())}@{m['host']}>\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                    + msg.get("body", "").replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n")
            f = base / user / "Maildir" / "new" / f"{int(time.time())}.M{i}P1.world"
            f.write_bytes(text.encode())
            os.chown(f, *nobody)


# ----------------------------------------------------------------------------
# Asyncio servers: web, tcp behaviours, SMTP relay sink (run in a forked child)
# ----------------------------------------------------------------------------

def now_str():
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


class Log:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)

    def __call__(self, msg):
        self.f.write(f"{now_str()} {msg}\n")


class Conn:
    """What a tcp behaviour gets: the streams, its parameters, a log and a TLS context."""

    def __init__(self, reader, writer, spec, params, log, tls_ctx):
        self.reader, self.writer, self.spec, self.p, self.tls_ctx = reader, writer, spec, params, tls_ctx
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if peer else "?"
        self._log = log
        self.last_line = ""

    def log(self, msg):
        self._log(f"{self.spec['name']} {self.peer}: {msg}")

    async def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.writer.is_closing():
            raise ConnectionResetError("client closed the connection")
        self.writer.write(data)
        await self.writer.drain()

    async def line(self, limit=65536):
        data = await self.reader.readline()
        if not data:
            raise ConnectionResetError("client closed the connection")
        self.last_line = data.decode("utf-8", "replace").rstrip("\r\n")
        self.log(f"C: {self.last_line[:300]}")
        return self.last_line

    async def hang(self):
        """Keep the connection open, discarding what the client sends, until it closes."""
        while await self.reader.read(65536):
            pass

    def tag(self):
        return (self.last_line.split() or ["*"])[0]


@tcp_behaviour("tarpit", "Accepts the connection and never writes a byte (reads and discards input).")
async def b_tarpit(c):
    await c.hang()


@tcp_behaviour("close", "Accepts the connection and closes it at once.")
async def b_close(c):
    pass


@tcp_behaviour("greeting-endless", "Sends `text` then endless bytes without a newline.",
               text="* OK ", interval_ms=0, chunk=4096)
async def b_greeting_endless(c):
    await c.send(c.p["text"])
    chunk = b"A" * max(1, c.p["chunk"])
    sent = 0
    while True:
        await c.send(chunk)
        sent += len(chunk)
        if c.p["interval_ms"]:
            await asyncio.sleep(c.p["interval_ms"] / 1000)
        elif sent % (1 << 20) == 0:
            await asyncio.sleep(0)


@tcp_behaviour("greeting-drip", "Sends `text` one byte every `interval_ms`, then hangs.",
               text="* OK IMAP4rev1 drip drip drip ready\r\n", interval_ms=1000)
async def b_greeting_drip(c):
    for ch in c.p["text"].encode():
        await c.send(bytes([ch]))
        await asyncio.sleep(c.p["interval_ms"] / 1000)
    await c.hang()


@tcp_behaviour("tls-abort", "Reads the TLS ClientHello, sends half a ServerHello record and closes.")
async def b_tls_abort(c):
    data = await c.reader.read(5)
    c.log(f"got {len(data)} bytes of ClientHello header {data.hex()}")
    # A handshake record announcing 122 bytes, of which only a few are sent.
    await c.send(bytes.fromhex("160303007a020000760303") + os.urandom(8))


@tcp_behaviour("imap-capability-flood", "IMAP server whose CAPABILITY answer has `count` entries.",
               count=10000, in_greeting=False)
async def b_capability_flood(c):
    caps = "IMAP4rev1 " + " ".join(f"X-FLOOD-{i}" for i in range(c.p["count"]))
    if c.p["in_greeting"]:
        await c.send(f"* OK [CAPABILITY {caps}] flood ready\r\n")
    else:
        await c.send("* OK flood ready\r\n")
    while True:
        line = await c.line()
        cmd = (line.split() + ["", ""])[1].upper()
        if cmd == "CAPABILITY":
            await c.send(f"* CAPABILITY {caps}\r\n{c.tag()} OK CAPABILITY completed\r\n")
        elif cmd == "LOGOUT":
            await c.send(f"* BYE\r\n{c.tag()} OK LOGOUT completed\r\n")
            return
        else:
            await c.send(f"{c.tag()} BAD not here\r\n")


@tcp_behaviour("imap-huge-literal", "IMAP server answering any command with a literal of `size` bytes "
               "(default {4294967296}), then `send_bytes` bytes of it, then hangs.",
               size=4294967296, send_bytes=1024, in_greeting=False)
async def b_huge_literal(c):
    lit = "{%d}\r\n" % c.p["size"]
    if c.p["in_greeting"]:
        await c.send("* OK " + lit)
    else:
        await c.send("* OK literal ready\r\n")
        await c.line()
        await c.send("* CAPABILITY " + lit)
    left = c.p["send_bytes"]
    while left > 0:
        n = min(left, 65536)
        await c.send(b"x" * n)
        left -= n
    await c.hang()


@tcp_behaviour("script", "Scripted dialog: a list of steps {send}, {send_raw}, {expect: REGEX}, "
               "{sleep_ms}, {starttls: true}, {close: true}; `then` = \"close\" or \"hang\" after the last step. "
               "In send strings {tag} is the first word of the last line received.",
               script=None, then="close")
async def b_script(c):
    for step in c.p["script"]:
        if "send" in step or "send_raw" in step:
            text = step.get("send", step.get("send_raw"))
            text = text.replace("{tag}", c.tag())
            if "send" in step:
                text += "\r\n"
            c.log(f"S: {text.rstrip()[:300]}")
            await c.send(text)
        elif "expect" in step:
            line = await c.line()
            if not re.search(step["expect"], line):
                c.log(f"expected /{step['expect']}/, got {line!r}: closing")
                return
        elif "sleep_ms" in step:
            await asyncio.sleep(step["sleep_ms"] / 1000)
        elif "starttls" in step:
            c.log("starting TLS")
            await c.writer.start_tls(c.tls_ctx)
        elif "close" in step:
            return
    if c.p["then"] == "hang":
        await c.hang()


@tcp_behaviour("proxy", "TCP proxy to `target` (\"HOST:PORT\"); waits `delay_ms` before forwarding the "
               "first chunk in each direction and `chunk_delay_ms` before every later one.",
               target="", delay_ms=0, chunk_delay_ms=0)
async def b_proxy(c):
    r2, w2 = await asyncio.open_connection(c.p["target_addr"], c.p["target_port"])

    async def pump(src, dst, label):
        first = True
        try:
            while True:
                data = await src.read(65536)
                if not data:
                    break
                delay = c.p["delay_ms"] if first else c.p["chunk_delay_ms"]
                first = False
                if delay:
                    await asyncio.sleep(delay / 1000)
                if dst.is_closing():
                    break
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                dst.close()
            except Exception:
                pass
    await asyncio.gather(pump(c.reader, w2, "c->s"), pump(r2, c.writer, "s->c"))


@tcp_behaviour("smtp-sink", "Minimal SMTP server that accepts every message (the world's relay).", banner="")
async def b_smtp_sink(c):
    host = c.p["banner"] or "sink.world.invalid"
    await c.send(f"220 {host} ESMTP world sink\r\n")
    mail_from, rcpts = None, []
    while True:
        line = await c.line()
        verb = line.split(" ", 1)[0].upper()
        if verb in ("EHLO", "LHLO"):
            await c.send(f"250-{host}\r\n250-8BITMIME\r\n250-SIZE 104857600\r\n250 ENHANCEDSTATUSCODES\r\n")
        elif verb == "HELO":
            await c.send(f"250 {host}\r\n")
        elif verb == "MAIL":
            m = re.search(r"<([^>]*)>", line)
            mail_from, rcpts = f"<{m.group(1) if m else ''}>", []
            await c.send("250 2.1.0 OK\r\n")
        elif verb == "RCPT":
            m = re.search(r"<([^>]*)>", line)
            rcpts.append(f"<{m.group(1) if m else line[5:].strip()}>")
            await c.send("250 2.1.5 OK\r\n")
        elif verb == "DATA":
            await c.send("354 go ahead\r\n")
            body = bytearray()
            while True:
                ln = await c.reader.readline()
                if not ln or ln in (b".\r\n", b".\n"):
                    break
                body += ln[1:] if ln.startswith(b"..") else ln
            d = Path(os.environ["WORLD_DIR"]) / "relay"
            d.mkdir(exist_ok=True)
            n = len(list(d.iterdir())) + 1
            (d / f"{n:04d}.eml").write_bytes(bytes(body))
            c.log(f"message {n:04d}.eml from {mail_from} to {', '.join(rcpts)} ({len(body)} bytes)")
            await c.send("250 2.0.0 OK queued\r\n")
        elif verb in ("RSET", "NOOP"):
            await c.send("250 2.0.0 OK\r\n")
        elif verb == "QUIT":
            await c.send("221 2.0.0 bye\r\n")
            return
        else:
            await c.send("502 5.5.2 not implemented\r\n")


# -- web ------------------------------------------------------------------------

BOMB = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
        + ']>\n<clientConfig version="1.1"><emailProvider id="bomb.example"><domain>&lol9;</domain>'
        '</emailProvider></clientConfig>\n')

XXE = ('<?xml version="1.0"?>\n<!DOCTYPE clientConfig [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n'
       '<clientConfig version="1.1"><emailProvider id="xxe.example"><domain>&xxe;</domain>'
       '<displayName>&xxe;</displayName></emailProvider></clientConfig>\n')


class Request:
    def __init__(self, reader, writer, scheme, listener):
        self.reader, self.writer, self.scheme, self.listener = reader, writer, scheme, listener

    async def write(self, data):
        if self.writer.is_closing():
            raise ConnectionResetError("client closed the connection")
        self.writer.write(data)
        await self.writer.drain()


async def send_head(req, status, headers, length=None, chunked=False):
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    h = [f"HTTP/1.1 {status} {phrase}"]
    names = {k.lower() for k in headers}
    for k, v in headers.items():
        h.append(f"{k}: {v}")
    if "server" not in names:
        h.append("Server: world.py")
    if "date" not in names:
        h.append("Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()))
    if chunked:
        h.append("Transfer-Encoding: chunked")
    elif length is not None and "content-length" not in names:
        h.append(f"Content-Length: {length}")
    h.append("Connection: close")
    req.writer.write(("\r\n".join(h) + "\r\n\r\n").encode())
    await req.writer.drain()


def route_headers(route):
    hdrs = {"Content-Type": route["type"]}
    hdrs.update(route["headers"])
    return hdrs


@web_behaviour("stream-forever", "200, chunked XML that never ends (`interval_ms` between chunks).", interval_ms=0)
async def w_stream_forever(req, route):
    await send_head(req, 200, route_headers(route), chunked=True)

    def chunk(b):
        return b"%x\r\n%s\r\n" % (len(b), b)
    req.writer.write(chunk(b'<?xml version="1.0"?>\n<clientConfig version="1.1"><emailProvider id="stream.example">\n'))
    piece = chunk(b"<domain>stream.example</domain>\n" * 128)
    n = 0
    while True:
        await req.write(piece)
        n += 1
        if route["params"]["interval_ms"]:
            await asyncio.sleep(route["params"]["interval_ms"] / 1000)
        elif n % 256 == 0:
            await asyncio.sleep(0)


@web_behaviour("xml-bomb", "200 with an entity-expansion (billion laughs) XML body.")
async def w_xml_bomb(req, route):
    body = BOMB.encode()
    await send_head(req, route["status"], route_headers(route), len(body))
    req.writer.write(body)


@web_behaviour("xml-external-entity", "200 with an XML body whose entity reads file:///etc/passwd.")
async def w_xxe(req, route):
    body = XXE.encode()
    await send_head(req, route["status"], route_headers(route), len(body))
    req.writer.write(body)


@web_behaviour("hang-after-headers", "Sends the headers (announcing `length` bytes) and then nothing.", length=100000)
async def w_hang_after_headers(req, route):
    await send_head(req, route["status"], route_headers(route), route["params"]["length"])
    while await req.reader.read(65536):
        pass


@web_behaviour("hang", "Reads the request and never answers.")
async def w_hang(req, route):
    while await req.reader.read(65536):
        pass


@web_behaviour("close", "Reads the request and closes the connection without an answer.")
async def w_close(req, route):
    pass


@web_behaviour("huge-body", "200 with `size` bytes of body (Content-Length announced), sent as fast as read.",
               size=1 << 30)
async def w_huge_body(req, route):
    size = route["params"]["size"]
    await send_head(req, route["status"], route_headers(route), size)
    chunk = b"<!-- padding -->" * 4096
    while size > 0:
        await req.write(chunk[:size])
        size -= len(chunk)


@web_behaviour("drip", "Sends the body one byte every `interval_ms`.", interval_ms=1000)
async def w_drip(req, route):
    await send_head(req, route["status"], route_headers(route), len(route["body"]))
    for b in route["body"]:
        await req.write(bytes([b]))
        await asyncio.sleep(route["params"]["interval_ms"] / 1000)


class Servers:
    def __init__(self, spec, world, cert_of):
        self.spec, self.world, self.cert_of = spec, Path(world), cert_of
        logs = self.world / "logs"
        self.weblog = Log(logs / "web.log")
        self.webjson = open(logs / "web.jsonl", "a", buffering=1)
        self.tcplog = Log(logs / "tcp.log")
        self.relaylog = Log(logs / "relay.log")
        self.servers = []

    def ctx_for(self, kind, names):
        cert, key = self.cert_of(kind, names)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        return ctx

    async def start(self):
        # Web: one listener per (address, port); SNI picks the host's certificate.
        groups = {}
        for host, wsp in self.spec.web.items():
            for scheme, port in wsp["ports"].items():
                groups.setdefault((self.spec.addr(host), port, scheme), []).append(wsp)
        for (addr, port, scheme), hosts in groups.items():
            ctx = None
            if scheme == "https":
                ctxs = {h["host"]: self.ctx_for(h["cert"], [h["host"]] + h["cert_names"]) for h in hosts}
                ctx = ctxs[hosts[0]["host"]]
                if len(ctxs) > 1:
                    def sni(sock, name, _c, ctxs=ctxs):
                        if name in ctxs:
                            sock.context = ctxs[name]
                    ctx.sni_callback = sni
            listener = {"addr": addr, "port": port, "scheme": scheme, "hosts": {h["host"]: h for h in hosts},
                        "default": hosts[0]}
            srv = await asyncio.start_server(lambda r, w, l=listener: self.http_conn(r, w, l), addr, port,
                                             ssl=ctx, reuse_address=True, limit=1 << 16)
            self.servers.append(srv)
        for t in self.spec.tcp:
            if t["behaviour"] == "drop-syn":
                continue
            ctx = self.ctx_for(t["cert"], [t["host"]] + t["cert_names"]) if (t["tls"] or t["behaviour"] == "script") else None
            fn = TCP_BEHAVIOURS[t["behaviour"]][0]
            srv = await asyncio.start_server(
                lambda r, w, t=t, fn=fn, ctx=ctx: self.tcp_conn(r, w, t, fn, ctx, self.tcplog),
                self.spec.addr(t["host"]), t["port"], ssl=ctx if t["tls"] else None, reuse_address=True)
            self.servers.append(srv)
        sink = {"name": "relay", "host": "relay", "params": {"banner": ""}}
        srv = await asyncio.start_server(
            lambda r, w: self.tcp_conn(r, w, sink, b_smtp_sink, None, self.relaylog),
            RELAY_ADDR, RELAY_PORT, reuse_address=True)
        self.servers.append(srv)

    async def tcp_conn(self, reader, writer, t, fn, ctx, log):
        c = Conn(reader, writer, t, t["params"], log, ctx)
        c.log("connected")
        try:
            await fn(c)
            c.log("closing")
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError) as e:
            c.log(f"connection ended: {e.__class__.__name__} {e}")
        except Exception:
            c.log("behaviour failed:\n" + traceback.format_exc())
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def http_conn(self, reader, writer, listener):
        req = Request(reader, writer, listener["scheme"], listener)
        peer = writer.get_extra_info("peername") or ("?", 0)
        try:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.LimitOverrunError:
                await send_head(req, 431, {"Content-Type": "text/plain"}, 0)
                return
            except asyncio.IncompleteReadError:
                return
            lines = head.decode("iso-8859-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                await send_head(req, 400, {"Content-Type": "text/plain"}, 0)
                return
            method, target, _ = parts
            headers = {}
            for ln in lines[1:]:
                if ":" in ln:
                    k, v = ln.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            if target.startswith(("http://", "https://")):
                target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
            path, _, query = target.partition("?")
            body = b""
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if "content-length" in headers:
                n = int(headers["content-length"])
                if n > 0:
                    body = await reader.readexactly(min(n, 10 << 20))
            elif "chunked" in headers.get("transfer-encoding", "").lower():
                while True:
                    size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        await reader.readline()
                        break
                    body += await reader.readexactly(size)
                    await reader.readline()
            hostname = headers.get("host", "").lower()
            hostname = re.sub(r":\d+$", "", hostname)
            wsp = listener["hosts"].get(hostname) or self.spec.web.get(hostname)
            if wsp is None or listener["scheme"] not in wsp["ports"]:
                wsp = listener["default"]
            route = self.match(wsp, method, path, listener["scheme"])
            status = route["status"] if route else 404
            desc = route["behaviour"] if route and route["behaviour"] else status
            self.weblog(f"{listener['scheme']} {hostname or '-'} {method} {target} -> {desc} "
                        f"[{wsp['host']} route {route['key'] if route else '-'}] from {peer[0]} "
                        f"({len(body)} bytes body)")
            self.webjson.write(json.dumps({
                "time": now_str(), "scheme": listener["scheme"], "listener": f"{listener['addr']}:{listener['port']}",
                "host": hostname, "method": method, "path": path, "query": query, "headers": headers,
                "body": body[:65536].decode("utf-8", "replace"), "server": wsp["host"],
                "route": route["key"] if route else None, "status": status,
                "behaviour": route["behaviour"] if route else None}) + "\n")
            if route is None:
                msg = f"404 Not Found: {wsp['host']} has no route for {method} {path}\n".encode()
                await send_head(req, 404, {"Content-Type": "text/plain"}, len(msg))
                writer.write(msg)
                return
            if route["delay_ms"]:
                await asyncio.sleep(route["delay_ms"] / 1000)
            if route["behaviour"]:
                await WEB_BEHAVIOURS[route["behaviour"]][0](req, route)
                return
            await send_head(req, route["status"], route_headers(route), len(route["body"]))
            if method != "HEAD":
                writer.write(route["body"])
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError, ValueError) as e:
            self.weblog(f"{listener['scheme']} {listener['addr']}:{listener['port']} connection from {peer[0]} ended: "
                        f"{e.__class__.__name__} {e}")
        except Exception:
            self.weblog("internal error:\n" + traceback.format_exc())
        finally:
            try:
                writer.close()
            except Exception:
                pass

    @staticmethod
    def match(wsp, method, path, scheme):
        exact, prefix = [], []
        for r in wsp["routes"]:
            if r["method"] and r["method"] != method and not (r["method"] == "GET" and method == "HEAD"):
                continue
            if r["scheme"] and r["scheme"] != scheme:
                continue
            if r["path"].endswith("*"):
                if path.startswith(r["path"][:-1]):
                    prefix.append(r)
            elif r["path"] == path:
                exact.append(r)
        return (exact + prefix + [None])[0]


# A failed login, as the auth process logs it once per attempt (auth_verbose), e.g.
#   auth: Info: passwd-file(alice@x.example,127.0.0.1,<sess>): Password mismatch (given password: ...)
#   auth: Info: passwd-file(alice@x.example,127.0.0.1,<sess>): unknown user (given password: ...)
# The login processes' "auth failed, N attempts" lines come only at disconnect and sum a
# connection's attempts, so they are not counted.
FAILED_LOGIN_RE = re.compile(r" auth: Info: [\w-]+\((?P<user>.*?),(?P<ip>[0-9.]+),<[^>]*>\): "
                             r"(?P<why>Password mismatch|unknown user)\b")


class BanWatcher:
    """fail2ban in miniature, for mail servers with "ban_after": N. Follows each such
    server's Dovecot log, counts failed logins per client IP and, at the N-th, adds an nft
    rule dropping that IP's packets to the server's addresses on all its mail ports (until
    the world ends). Logs to $WORLD_LOGS/ban.log."""

    def __init__(self, spec, world):
        self.world = Path(world)
        self.log = Log(self.world / "logs" / "ban.log")
        self.servers = []
        for m in spec.mail:
            if m["ban_after"]:
                self.servers.append({
                    "name": m["name"], "limit": m["ban_after"], "path": self.world / "logs" / f"{m['name']}.log",
                    "addrs": sorted({spec.addr(h) for h in [m["host"]] + m["also_hosts"]}),
                    "ports": sorted({s["port"] for s in m["services"]}), "offset": 0, "rest": b"",
                    "fails": {}, "banned": set()})
        self.table_made = False

    def nft(self, script):
        r = subprocess.run(["nft", "-f", "-"], input=script, capture_output=True, text=True)
        if r.returncode != 0:
            self.log(f"nft failed: {r.stderr.strip()}")
        return r.returncode == 0

    def ban(self, srv, ip):
        if not self.table_made:
            self.table_made = self.nft("table inet worldban {\n  chain out {\n"
                                       "    type filter hook output priority -10; policy accept;\n  }\n}\n")
        addrs = ", ".join(srv["addrs"])
        ports = ", ".join(map(str, srv["ports"]))
        rule = f"ip saddr {ip} ip daddr {{ {addrs} }} tcp dport {{ {ports} }} drop"
        ok = self.nft(f"add rule inet worldban out {rule}\n")
        self.log(f"banned {ip} after {srv['limit']} failures on {srv['name']} (nft: {rule})"
                 + ("" if ok else " [nft FAILED]"))

    def poll(self):
        for srv in self.servers:
            try:
                with open(srv["path"], "rb") as f:
                    f.seek(srv["offset"])
                    data = f.read()
            except OSError:
                continue
            if not data:
                continue
            srv["offset"] += len(data)
            lines = (srv["rest"] + data).split(b"\n")
            srv["rest"] = lines.pop()
            for ln in lines:
                m = FAILED_LOGIN_RE.search(ln.decode("utf-8", "replace"))
                if not m:
                    continue
                ip = m.group("ip")
                n = srv["fails"][ip] = srv["fails"].get(ip, 0) + 1
                self.log(f"failed login {n} of {srv['limit']} from {ip} on {srv['name']} "
                         f"(user {m.group('user')}: {m.group('why')})")
                if n >= srv["limit"] and ip not in srv["banned"]:
                    srv["banned"].add(ip)
                    self.ban(srv, ip)

    def run(self):
        while True:
            try:
                self.poll()
            except Exception:
                self.log("watcher error:\n" + traceback.format_exc())
            time.sleep(0.02)


def servers_child(spec, world, cert_of, ready_w):
    """Runs in a forked child: all asyncio servers."""
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL)
    out = os.open(str(Path(world) / "logs" / "servers.err"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    # asyncio warns "socket.send() raised exception." when a TLS stream's peer leaves while
    # the SSL layer still flushes (endless hostile writers): expected here, not worth logging.
    import logging
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    if any(m["ban_after"] for m in spec.mail):
        import threading
        threading.Thread(target=BanWatcher(spec, world).run, name="ban-watcher", daemon=True).start()

    async def main():
        srv = Servers(spec, world, cert_of)
        try:
            await srv.start()
        except Exception as e:
            os.write(ready_w, f"error: {e}".encode())
            os._exit(1)
        os.write(ready_w, b"ok")
        os.close(ready_w)
        await asyncio.Event().wait()
    try:
        asyncio.run(main())
    finally:
        os._exit(0)


# ----------------------------------------------------------------------------
# Inside the namespaces (PID 1)
# ----------------------------------------------------------------------------

libc = ctypes.CDLL(None, use_errno=True)
MS_BIND = 4096


def bind_mount(src, dst):
    if libc.mount(str(src).encode(), str(dst).encode(), None, MS_BIND, None) != 0:
        e = ctypes.get_errno()
        fail(f"bind mount {src} -> {dst} failed: {os.strerror(e)}")


def lo_up():
    SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            ifr = fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sh22x", b"lo", 0))
            flags = struct.unpack("16sh22x", ifr)[1]
            fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | IFF_UP))
    except OSError:
        r = subprocess.run(["ip", "link", "set", "lo", "up"], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"cannot bring lo up: {r.stderr.strip()}")


def listening():
    """(address, port) of TCP sockets in LISTEN state in this network namespace."""
    out = set()
    with open("/proc/net/tcp") as f:
        next(f)
        for ln in f:
            p = ln.split()
            if p[3] != "0A":
                continue
            a, port = p[1].split(":")
            out.add((socket.inet_ntoa(struct.pack("<I", int(a, 16))), int(port, 16)))
    return out


class Inner:
    def __init__(self, opts):
        self.opts = opts
        self.world = Path(opts["world_dir"])
        self.t0 = time.monotonic()
        self.procs = {}     # pid -> (name, Popen or None, log hint)
        self.times = []

    def mark(self, what):
        self.times.append((what, time.monotonic() - self.t0))

    def wlog(self, msg):
        with open(self.world / "logs" / "world.log", "a") as f:
            f.write(f"{now_str()} {msg}\n")

    def setup(self):
        spec = self.spec = load_spec(self.opts["scenarios"], False)
        W = self.world
        for d in ("logs", "etc", "dovecot", "mail", "relay"):
            (W / d).mkdir(exist_ok=True)
        os.chmod(W, 0o755)
        lo_up()
        self.mark("lo up")

        # /etc files, private to this mount namespace.
        hostname = socket.gethostname()
        (W / "etc" / "resolv.conf").write_text(f"nameserver {DNS_ADDR}\n")
        (W / "etc" / "hosts").write_text(f"127.0.0.1\tlocalhost {hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n")

        # Certificates.
        certs = self.certs = Certs(W)
        for m in spec.mail:
            if m["ssl"] != "no":
                m["certfile"] = certs.want(m["cert"], [m["host"]] + m["also_hosts"] + m["cert_names"])
        for host, wsp in spec.web.items():
            if "https" in wsp["ports"]:
                certs.want(wsp["cert"], [host] + wsp["cert_names"])
        for t in spec.tcp:
            if t["tls"] or t["behaviour"] == "script":
                certs.want(t["cert"], [t["host"]] + t["cert_names"])
        for o in spec.oauth:
            o["certfile"] = certs.want(o["cert"], [o["host"]] + o["cert_names"])
        for sv in spec.serve:
            if any("https" in p for p in sv["hosts"].values()):
                sv["certfile"] = certs.want(sv["cert"], list(sv["hosts"]) + sv["cert_names"])
            if sv["sign"]:
                sv["signfile"] = certs.want("signer", ["profile-signer"])
        certs.generate()
        self.mark(f"{len(certs.wanted)} certificates{' (cached)' if certs.cached else ''}")
        try:
            system = Path(SYSTEM_BUNDLE).read_bytes()
        except OSError as e:
            fail(f"cannot read the system CA bundle {SYSTEM_BUNDLE}: {e} (install ca-certificates)")
        # The world CA is trusted the way update-ca-certificates trusts a local
        # CA: first in the bundle, and as a hash link in the directory (where
        # OpenSSL looks issuers up one file at a time).
        certdir = W / "etc" / "ssl-certs"
        shutil.rmtree(certdir, ignore_errors=True)
        shutil.copytree(SYSTEM_CERT_DIR, certdir, symlinks=True)
        (certdir / "ca-certificates.crt").write_bytes(certs.ca.read_bytes() + system)
        (certdir / "mailscout-world-ca.pem").write_bytes(certs.ca.read_bytes())
        subject_hash = subprocess.run(["openssl", "x509", "-subject_hash", "-noout", "-in", str(certs.ca)],
                                      check=True, capture_output=True, text=True).stdout.strip()
        n = 0
        while (certdir / f"{subject_hash}.{n}").exists():
            n += 1
        os.symlink("mailscout-world-ca.pem", certdir / f"{subject_hash}.{n}")
        bind_mount(W / "etc" / "resolv.conf", "/etc/resolv.conf")
        bind_mount(W / "etc" / "hosts", "/etc/hosts")
        bind_mount(certdir, SYSTEM_CERT_DIR)
        self.mark("mounts")

        # Firewall (dropped SYN).
        drops = [t for t in spec.tcp if t["behaviour"] == "drop-syn"]
        if drops:
            rules = "".join(f"    ip daddr {spec.addr(t['host'])} tcp dport {t['port']} drop\n" for t in drops)
            (W / "etc" / "nft.conf").write_text(
                "table inet world {\n  chain out {\n    type filter hook output priority 0; policy accept;\n"
                + rules + "  }\n}\n")
            r = subprocess.run(["nft", "-f", str(W / "etc" / "nft.conf")], capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"nft failed: {r.stderr.strip()}")
            self.mark("nft")

        # DNS.
        (W / "etc" / "dnsmasq.conf").write_text(dnsmasq_conf(spec, W))
        self.spawn("dnsmasq", ["dnsmasq", "-k", "-C", str(W / "etc" / "dnsmasq.conf")], W / "logs" / "dnsmasq.out")

        # Mail servers.
        nobody = (65534, 65534)
        os.chown(W / "mail", *nobody)
        for m in spec.mail:
            d = W / "dovecot" / m["name"]
            d.mkdir()
            conf, users = dovecot_conf(spec, m, W, m.get("certfile"))
            (d / "dovecot.conf").write_text(conf)
            (d / "users").write_text(users)
            if m["oauth2"]:
                # Dovecot's oauth2 passdb: it asks the authorization server about each token
                # (the world CA is in the bundle it is given).
                o2 = {"tls_ca_cert_file": SYSTEM_BUNDLE, "timeout_msecs": 5000, "debug": "yes"}
                o2.update(m["oauth2"])
                (d / "oauth2.conf.ext").write_text("".join(f"{k} = {v}\n" for k, v in o2.items()))
                os.chmod(d / "oauth2.conf.ext", 0o644)
            os.chmod(d / "users", 0o644)
            (W / "mail" / m["name"]).mkdir()
            os.chown(W / "mail" / m["name"], *nobody)
            seed_inbox(W, m)
            self.spawn(f"dovecot {m['name']}", ["dovecot", "-F", "-c", str(d / "dovecot.conf")],
                       W / "logs" / f"{m['name']}.out", log=W / "logs" / f"{m['name']}.log")

        # Python servers (web, tcp behaviours, relay sink) in a forked child.
        cert_paths = {k: str(v) for k, v in certs.wanted.items()}
        key = str(certs.key)

        def cert_of(kind, names):
            return cert_paths[(kind, tuple(dict.fromkeys(names)))], key
        r, w = os.pipe()
        os.environ["WORLD_DIR"] = str(W)
        pid = os.fork()
        if pid == 0:
            os.close(r)
            try:
                servers_child(spec, str(W), cert_of, w)
            finally:
                os._exit(1)
        os.close(w)
        self.procs[pid] = ("servers (web/tcp/relay)", None, W / "logs" / "servers.err")
        self.serve_pids = {}
        for sv in spec.serve:
            self.serve_pids[sv["name"]] = self.spawn_serve(sv)
        for o in spec.oauth:
            argv = [sys.executable, str(HERE / "oauth_server.py"), "--host", o["host"],
                    "--listen", f"{spec.addr(o['host'])}:{o['port']}", "--cert", str(o["certfile"][0]),
                    "--key", str(o["certfile"][1]), "--log", str(W / "logs" / f"oauth-{o['host']}.log")]
            argv += [a for u in o["users"] for a in ("--user", u)]
            argv += [a for k, v in o["options"].items() for a in ("--option", f"{k}={json.dumps(v)}")]
            self.spawn(f"oauth {o['host']}", argv, W / "logs" / f"oauth-{o['host']}.out")
        self.mark("spawned")

        # Wait until everything listens.
        expected = {(DNS_ADDR, 53): "dnsmasq", (RELAY_ADDR, RELAY_PORT): "relay sink"}
        for m in spec.mail:
            for s in m["services"]:
                for h in [m["host"]] + m["also_hosts"]:
                    expected[(spec.addr(h), s["port"])] = f"dovecot {m['name']} {s['service']} on {h}"
        for host, wsp in spec.web.items():
            for scheme, port in wsp["ports"].items():
                expected[(spec.addr(host), port)] = f"web {host} {scheme}"
        for t in spec.tcp:
            if t["behaviour"] != "drop-syn":
                expected[(spec.addr(t["host"]), t["port"])] = f"tcp {t['name']}"
        for sv in spec.serve:
            for h, ports in sv["hosts"].items():
                for scheme, port in ports.items():
                    expected[(spec.addr(h), port)] = f"mailscout serve {sv['name']} {scheme} on {h}"
        for o in spec.oauth:
            expected[(spec.addr(o["host"]), o["port"])] = f"oauth server on {o['host']}"
        # Servers with "penalties" keep the socket: their per-IP penalty is on, as by default.
        penalty = {W / "dovecot" / m["name"] / "run" / "anvil-auth-penalty" for m in spec.mail
                   if not m["penalties"]}
        ready_msg = b""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            for p in list(penalty):
                # Dovecot's per-IP auth penalty (2..15 s delays after failed logins from 127.0.0.1)
                # would make tests slow and order-dependent: without this socket it is off.
                if p.exists():
                    p.unlink()
                    penalty.discard(p)
            if not ready_msg:
                import select
                if select.select([r], [], [], 0)[0]:
                    ready_msg = os.read(r, 4096) or b"error: the servers process died"
                    if ready_msg != b"ok":
                        fail(f"web/tcp servers failed to start: {ready_msg.decode()}\n"
                             + self.tail(W / "logs" / "servers.err"))
            missing = set(expected) - listening() if not penalty else expected
            if not missing and ready_msg:
                break
            for pid, (name, popen, log) in list(self.procs.items()):
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 0
                if done:
                    fail(f"{name} exited during start-up (exit code {os.waitstatus_to_exitcode(status)})\n" + self.tail(log)
                         + ("\n" + self.tail(popen) if isinstance(popen, Path) else ""))
            if time.monotonic() > deadline:
                fail("timed out waiting for: " + ", ".join(f"{expected[k]} on {k[0]}:{k[1]}"
                                                           for k in sorted(missing)))
            time.sleep(0.005)
        os.close(r)
        self.mark("all listening")
        self.write_info()

    def spawn_serve(self, sv):
        """Starts `mailscout serve` for a scenario's "serve" entry; returns its pid."""
        binary = self.opts.get("mailscout")
        if not binary:
            sv["where"].err("starts `mailscout serve`: give world.py run --mailscout PATH "
                            "(or set MAILSCOUT)")
        W, spec = self.world, self.spec
        argv = [binary, "serve", "--providers", sv["providers"]]
        for h, ports in sv["hosts"].items():
            if "http" in ports:
                argv += ["--listen", f"{spec.addr(h)}:{ports['http']}"]
            if "https" in ports:
                argv += ["--tls-listen", f"{spec.addr(h)}:{ports['https']}"]
        if "certfile" in sv:
            argv += ["--tls-cert", str(sv["certfile"][0]), "--tls-key", str(sv["certfile"][1])]
        if "signfile" in sv:
            argv += ["--sign-cert", str(sv["signfile"][0]), "--sign-key", str(sv["signfile"][1])]
        argv += ["--access-log", str(W / "logs" / f"serve-{sv['name']}.access.jsonl")] + sv["args"]
        sv["argv"] = argv
        out = W / "logs" / f"serve-{sv['name']}.log"
        return self.spawn(f"serve {sv['name']}", argv, out)

    def spawn(self, name, argv, out, log=None):
        try:
            f = open(out, "ab")
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
            f.close()
        except FileNotFoundError:
            fail(f"{argv[0]} is not installed (needed for {name})")
        self.procs[p.pid] = (name, out, log or out)
        return p.pid

    @staticmethod
    def tail(path, n=15):
        try:
            lines = Path(path).read_text(errors="replace").splitlines()[-n:]
            return f"--- last lines of {path}:\n" + "\n".join(lines)
        except OSError:
            return ""

    def write_info(self):
        spec = self.spec
        info = {"world_dir": str(self.world), "ca": str(self.certs.ca), "scenarios": spec.scenarios,
                "dns": f"{DNS_ADDR}:53", "relay": f"{RELAY_ADDR}:{RELAY_PORT}",
                "hosts": {n: h["address"] for n, h in sorted(spec.hosts.items())},
                "mail": [{"name": m["name"], "host": m["host"], "address": spec.addr(m["host"]),
                          "also_hosts": {h: spec.addr(h) for h in m["also_hosts"]},
                          "services": {s["service"] + (f":{s['port']}" if s["port"] != MAIL_SERVICES[s["service"]][3] else ""): s["port"]
                                       for s in m["services"]},
                          "ssl": m["ssl"], "cert": m["cert"], "users": m["users"],
                          "penalties": m["penalties"], "ban_after": m["ban_after"],
                          "log": str(self.world / "logs" / f"{m['name']}.log")} for m in spec.mail],
                "web": {h: {"address": spec.addr(h), "ports": w["ports"], "cert": w["cert"],
                            "routes": [r["key"] for r in w["routes"]]} for h, w in spec.web.items()},
                "tcp": [{"name": t["name"], "host": t["host"], "address": spec.addr(t["host"]), "port": t["port"],
                         "behaviour": t["behaviour"], "tls": t["tls"]} for t in spec.tcp],
                "serve": [{"name": sv["name"], "pid": self.serve_pids[sv["name"]], "argv": sv["argv"],
                           "providers": sv["providers"],
                           "hosts": {h: dict(ports, address=spec.addr(h)) for h, ports in sv["hosts"].items()},
                           "cert": str(sv["certfile"][0]) if "certfile" in sv else None,
                           "sign_cert": str(sv["signfile"][0]) if "signfile" in sv else None,
                           "sign_key": str(sv["signfile"][1]) if "signfile" in sv else None,
                           "log": str(self.world / "logs" / f"serve-{sv['name']}.log"),
                           "access_log": str(self.world / "logs" / f"serve-{sv['name']}.access.jsonl"),
                           "exit_file": str(self.world / "logs" / f"serve-{sv['name']}.exit")}
                          for sv in spec.serve],
                "startup_seconds": round(time.monotonic() - self.t0, 3)}
        if spec.oauth:
            info["oauth"] = [{"host": o["host"], "address": spec.addr(o["host"]), "port": o["port"],
                              "issuer": f"https://{o['host']}" + (f":{o['port']}" if o["port"] != 443 else ""),
                              "users": o["users"], "log": str(self.world / "logs" / f"oauth-{o['host']}.log")}
                             for o in spec.oauth]
        (self.world / "world.json").write_text(json.dumps(info, indent=2) + "\n")
        self.wlog("start-up: " + ", ".join(f"{w} {t * 1000:.0f}ms" for w, t in self.times))

    def run_command(self):
        env = dict(os.environ)
        env.pop(INNER_ENV, None)
        env.update({"WORLD_DIR": str(self.world), "WORLD_CA": str(self.certs.ca),
                    "WORLD_INFO": str(self.world / "world.json"), "WORLD_LOGS": str(self.world / "logs"),
                    "WORLD_SCENARIOS": " ".join(self.spec.scenarios)})
        # mailscout's ledger of failed logins (engine/login_ledger.h) belongs to
        # this world's servers: a fresh world starts with a fresh one, unless the
        # caller chose a folder.
        env.setdefault("MAILSCOUT_STATE_DIR", str(self.world / "mailscout-state"))
        cmd = self.opts["command"]
        if self.opts.get("verbose"):
            print("world: start-up " + ", ".join(f"{w} {t * 1000:.0f}ms" for w, t in self.times),
                  file=sys.stderr)
        ready_fd = self.opts["ready_fd"]
        try:
            os.write(ready_fd, b"R")
            os.close(ready_fd)
        except OSError:
            pass
        try:
            p = subprocess.Popen(cmd, env=env)
        except OSError as e:
            print(f"world: cannot run {cmd[0]}: {e}", file=sys.stderr)
            return 127
        self.cmd_pid = p.pid

        def forward(sig, _frame):
            try:
                os.kill(self.cmd_pid, sig)
            except ProcessLookupError:
                pass
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(s, forward)
        # PID 1 reaps every orphan; notice daemons that die while the command runs.
        while True:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                return 1
            if pid == self.cmd_pid:
                break
            if pid in self.procs and self.procs[pid][0].startswith("serve "):
                # A test may stop `mailscout serve` itself (SIGTERM) to check its
                # exit: record the status where the test can read it.
                name = self.procs.pop(pid)[0]
                code = (128 + os.WTERMSIG(status)) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
                Path(self.world / "logs" / f"{name.replace(' ', '-')}.exit").write_text(f"{code}\n")
                self.wlog(f"{name} exited while the command was running (exit code {code})")
                if code != 0:
                    print(f"world: warning: {name} exited with {code} while the command was running; "
                          f"see {self.world / 'logs' / (name.replace(' ', '-') + '.log')}", file=sys.stderr)
                continue
            if pid in self.procs:
                name = self.procs[pid][0]
                self.wlog(f"{name} exited while the command was running (status {status})")
                print(f"world: warning: {name} died while the command was running (status {status}); "
                      f"see {self.procs[pid][2]}", file=sys.stderr)
        p.returncode = 0  # reaped by hand
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        return os.WEXITSTATUS(status)

    def teardown(self):
        """SIGTERM every daemon; wait briefly for all but Dovecot (whose master lingers ~1 s
        for its log process: its log lines are already written), then return: PID 1
        exiting kills whatever is left in the namespace."""
        for pid in list(self.procs):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 0.5
        while (any(not n.startswith("dovecot") for n, _, _ in self.procs.values())
               and time.monotonic() < deadline):
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.005)
            elif pid in self.procs:
                self.procs.pop(pid)
        # Exiting PID 1 kills whatever is left in the namespace.


def inner_main():
    opts = json.loads(os.environ.pop(INNER_ENV))
    if os.getpid() != 1:
        print("world: internal error: not PID 1 inside the namespace", file=sys.stderr)
        return EXIT_SETUP
    inner = Inner(opts)
    try:
        inner.setup()
    except WorldError as e:
        print(f"world: error: {e}", file=sys.stderr)
        inner.teardown()
        return EXIT_SETUP
    except Exception:
        print("world: internal error while setting up:\n" + traceback.format_exc(), file=sys.stderr)
        inner.teardown()
        return EXIT_SETUP
    try:
        return inner.run_command()
    finally:
        inner.teardown()


# ----------------------------------------------------------------------------
# Outside: argument parsing, unshare, cleanup
# ----------------------------------------------------------------------------

def check_tools(spec):
    need = {"unshare": "util-linux", "openssl": "openssl", "dnsmasq": "dnsmasq-base"}
    if spec.mail:
        need["dovecot"] = "dovecot-imapd dovecot-pop3d dovecot-submissiond"
    if any(t["behaviour"] == "drop-syn" for t in spec.tcp) or any(m["ban_after"] for m in spec.mail):
        need["nft"] = "nftables"
    for tool, pkg in need.items():
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            fail(f"{tool} not found (apt-get install {pkg})")
    if os.geteuid() != 0:
        fail("the world needs root (network, mount and PID namespaces, Dovecot, port 53)")


def sweep_stale_worlds():
    """Remove temp dirs of worlds whose runner was SIGKILLed (nobody left to clean up)."""
    for d in list(Path(tempfile.gettempdir()).glob("mailscout-world-*")) + list(Path("/tmp").glob("mailscout-world-*")):
        try:
            pid = int((d / ".world-owner").read_text())
            if time.time() - d.stat().st_mtime < 60:
                continue
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (OSError, ValueError):
            pass


def others_can_traverse(path):
    """Dovecot's mail processes run as nobody: every folder above the world dir must let them in."""
    for p in [path] + list(path.parents):
        try:
            if not p.stat().st_mode & 0o001:
                return False
        except OSError:
            return False
    return True


def run_world(args, command):
    t_start = time.monotonic()
    binary = getattr(args, "mailscout", None) or os.environ.get("MAILSCOUT")
    spec = load_spec(args.scenario, args.all, without_serve=not binary)
    check_tools(spec)
    if args.keep_dir:
        world = Path(args.keep_dir).resolve()
        if world.exists() and any(world.iterdir()):
            fail(f"--keep-dir {world} exists and is not empty")
        if not others_can_traverse(world.parent):
            fail(f"--keep-dir {world}: a folder above it is closed to other users (Dovecot's mail "
                 "processes run as nobody and could not reach their mailboxes); use a folder under /tmp")
        world.mkdir(parents=True, exist_ok=True)
    else:
        sweep_stale_worlds()
        tmp = Path(tempfile.gettempdir())
        world = Path(tempfile.mkdtemp(prefix="mailscout-world-",
                                      dir=tmp if others_can_traverse(tmp) else "/tmp"))
    (world / ".world-owner").write_text(f"{os.getpid()}\n")
    r, w = os.pipe()
    mailscout = None
    if spec.serve:
        mailscout = binary
        if not mailscout:
            fail(f"{spec.serve[0]['where']}: starts `mailscout serve`: give world.py run --mailscout PATH "
                 "(or set MAILSCOUT)")
        mailscout = str(Path(mailscout).resolve())
        if not os.access(mailscout, os.X_OK):
            fail(f"--mailscout {mailscout}: not an executable file")
    opts = {"scenarios": spec.scenarios, "command": command, "world_dir": str(world), "ready_fd": w,
            "mailscout": mailscout,
            "verbose": args.verbose}
    env = dict(os.environ)
    env[INNER_ENV] = json.dumps(opts)
    env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin"

    def child_setup():
        # Die (and so take the namespace down) if this process dies, e.g. killed by a ctest timeout.
        libc.prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    argv = ["unshare", "--net", "--mount", "--pid", "--mount-proc", "--fork", "--kill-child",
            sys.executable, str(Path(__file__).resolve()), "_inner"]
    proc = subprocess.Popen(argv, env=env, pass_fds=[w], preexec_fn=child_setup)
    os.close(w)

    def inner_pid():
        try:
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            return int(kids[0]) if kids else None
        except (OSError, ValueError):
            return None
    signals_seen = []

    def on_signal(sig, _frame):
        # unshare ignores SIGTERM/SIGINT while it waits: pass the signal to the world's PID 1,
        # which passes it to COMMAND. A second signal kills the world at once.
        signals_seen.append(sig)
        pid = inner_pid()
        try:
            if len(signals_seen) == 1 and pid:
                os.kill(pid, sig)
            else:
                proc.kill()     # --kill-child then SIGKILLs the world's PID 1
        except ProcessLookupError:
            pass
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, on_signal)
    ready = b""
    rc = None
    while rc is None:
        try:
            rc = proc.wait()
        except KeyboardInterrupt:
            pass
    try:
        ready = os.read(r, 1)
    except OSError:
        pass
    os.close(r)
    if args.keep_dir:
        print(f"world: kept {world}", file=sys.stderr)
    else:
        shutil.rmtree(world, ignore_errors=True)
    if args.verbose:
        print(f"world: total {time.monotonic() - t_start:.3f}s", file=sys.stderr)
    if rc < 0:
        return 128 - rc
    if not ready:
        if rc != EXIT_SETUP:
            print(f"world: error: the world did not start (unshare exited with {rc})", file=sys.stderr)
        return EXIT_SETUP
    return rc


def describe(spec):
    out = []
    for n in spec.scenarios:
        out.append(f"scenario {n}: {spec.descriptions[n]}")
    out.append("\nhosts:")
    for n, h in sorted(spec.hosts.items()):
        out.append(f"  {n:40} {h['address']}{'' if h['dns'] else '  (not in DNS)'}")
    out.append("\ndns records (besides an A record per host):")
    for _, name, rtype, data in spec.dns[:200]:
        out.append(f"  {name} {rtype} {' '.join(data)}")
    if len(spec.dns) > 200:
        out.append(f"  ... {len(spec.dns) - 200} more")
    out.append("\nmail servers (Dovecot):")
    for m in spec.mail:
        svc = ", ".join(f"{s['service']}:{s['port']}" for s in m["services"])
        out.append(f"  {m['name']} on {m['host']} ({spec.addr(m['host'])}): {svc}; ssl={m['ssl']} cert={m['cert']} "
                   f"auth={' '.join(m['auth'])}" + (" penalties" if m["penalties"] else "")
                   + (f" ban_after={m['ban_after']}" if m["ban_after"] else ""))
        for h in m["also_hosts"]:
            out.append(f"      also on {h} ({spec.addr(h)})")
        for u, p in m["users"].items():
            out.append(f"      user {u} password {p}")
    out.append("\nweb hosts:")
    for h, w in spec.web.items():
        out.append(f"  {h} ({spec.addr(h)}) {', '.join(f'{s}:{p}' for s, p in w['ports'].items())} cert={w['cert']}")
        for r in w["routes"]:
            extra = f" behaviour={r['behaviour']}" if r["behaviour"] else ""
            extra += f" delay={r['delay_ms']}ms" if r["delay_ms"] else ""
            extra += f" Location={r['headers']['Location']}" if "Location" in r["headers"] else ""
            extra += f" only {r['scheme']}" if r["scheme"] else ""
            out.append(f"      {r['key']} -> {r['status']}{extra}")
    if spec.serve:
        out.append("\nmailscout serve:")
        for sv in spec.serve:
            out.append(f"  {sv['name']}: --providers {sv['providers']}"
                       + (" (signs profiles)" if sv["sign"] else "") + (f" {' '.join(sv['args'])}" if sv["args"] else ""))
            for h, ports in sv["hosts"].items():
                out.append(f"      {h} ({spec.addr(h)}) {', '.join(f'{s}:{p}' for s, p in ports.items())}")
    if spec.oauth:
        out.append("\noauth servers:")
        for o in spec.oauth:
            out.append(f"  https://{o['host']}:{o['port']} ({spec.addr(o['host'])}) users {' '.join(o['users'])}"
                       + (f" options {json.dumps(o['options'])}" if o["options"] else ""))
    out.append("\ntcp (faults and hostile servers):")
    for t in spec.tcp:
        p = {k: v for k, v in t["params"].items() if k not in ("target_addr", "target_port", "target_host", "script")}
        out.append(f"  {t['host']}:{t['port']} ({spec.addr(t['host'])}) {t['behaviour']}{' tls' if t['tls'] else ''} "
                   f"{json.dumps(p) if p else ''}")
    return "\n".join(out)


def main(argv):
    if argv[:1] == ["_inner"]:
        return inner_main()
    ap = argparse.ArgumentParser(prog="world.py", description="mailscout's fake Internet for tests")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name, hlp in (("run", "run COMMAND inside a world"), ("shell", "interactive bash inside a world"),
                      ("describe", "print hosts, addresses, servers and users"), ("list", "list scenarios"),
                      ("behaviours", "list web and tcp behaviours with their parameters")):
        p = sub.add_parser(name, help=hlp)
        if name not in ("list", "behaviours"):
            p.add_argument("--scenario", "-s", action="append", default=[], metavar="NAME")
            p.add_argument("--all", action="store_true", help="load every scenario")
        if name in ("run", "shell"):
            p.add_argument("--keep-dir", metavar="DIR", help="use DIR as the world directory and keep it")
            p.add_argument("--mailscout", metavar="PATH",
                           help="the mailscout binary for scenarios that start `mailscout serve` "
                                "(default: $MAILSCOUT)")
            p.add_argument("--verbose", "-v", action="store_true", help="print start-up timings")
    command = []
    if "--" in argv:
        i = argv.index("--")
        argv, command = argv[:i], argv[i + 1:]
    args = ap.parse_args(argv)
    try:
        if args.cmd == "list":
            for n in scenario_names():
                try:
                    d = json.loads((SCENARIO_DIR / f"{n}.json").read_text()).get("description", "")
                except Exception as e:
                    d = f"(unreadable: {e})"
                print(f"{n:16} {d}")
            return 0
        if args.cmd == "behaviours":
            for title, reg in (("web route behaviours", WEB_BEHAVIOURS), ("tcp behaviours", TCP_BEHAVIOURS)):
                print(f"{title}:")
                if reg is TCP_BEHAVIOURS:
                    print("  drop-syn\n      The firewall drops SYNs to host:port: connect() hangs (nft).")
                for n, (_, params, doc) in sorted(reg.items()):
                    ps = ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items() if v is not None)
                    print(f"  {n}{'  (' + ps + ')' if ps else ''}\n      {doc}")
            return 0
        if args.cmd == "describe":
            print(describe(load_spec(args.scenario, args.all)))
            return 0
        if args.cmd == "shell":
            rc = HERE / "shellrc.sh"
            command = command or ["bash", "--rcfile", str(rc), "-i"]
        elif not command:
            fail("nothing to run: world.py run --scenario NAME -- COMMAND ARGS...")
        return run_world(args, command)
    except WorldError as e:
        print(f"world: error: {e}", file=sys.stderr)
        return EXIT_SETUP


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
