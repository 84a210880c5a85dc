"""Shared by the tests of `mailscout serve` (tests/e2e/serve/*_test.py).

Every test runs inside a world made from the `serve` scenario
(tests/world/scenarios/serve.json), in which world.py started `mailscout
serve` with the site files/serve/site on the hosts the scenario lists. This
module reads the site files (what a client must end up with), the world's
description ($WORLD_INFO) and serve's access log, and stops serve at the end
to check that it exits cleanly (exit 0 on SIGTERM, no sanitizer report).
"""
import json
import os
import signal
import time
import xml.etree.ElementTree as ET

PASSWORD = "servepw"  # every user's password in serve.json

# Each domain of the site, the address a test uses and the endpoints that
# reach it (only those exist in the world's DNS: see serve.json).
ADDRESSES = {
    "serve-autoconfig.example": "user@serve-autoconfig.example",
    "serve-wellknown.example": "user@serve-wellknown.example",
    "serve-pox.example": "user@serve-pox.example",
    "serve-ispdb.example": "ivy@serve-ispdb.example",
    "serve-all.example": "user@serve-all.example",
}
ISPDB_MIRROR = "https://ispdb.serve-mirror.example/v1.1/"
SECURITY = {"SSL": "tls", "STARTTLS": "starttls", "plain": "plain"}


def info():
    with open(os.environ["WORLD_INFO"]) as f:
        return json.load(f)


def serve_instance():
    instances = info().get("serve", [])
    if not instances:
        raise RuntimeError("the world runs no `mailscout serve` (load the scenario 'serve')")
    return instances[0]


def site_settings(address):
    """What the site file says for an address: {"incoming": [...], "outgoing": [...]},
    each server a dict with protocol, host, port, security (mailscout's words),
    socket_type (the file's word), auth, username (placeholders replaced) and
    username_template (as written)."""
    domain = address.split("@")[1]
    path = os.path.join(serve_instance()["providers"], domain + ".xml")
    root = ET.parse(path).getroot()
    provider = root.find("emailProvider")
    local = address.split("@")[0]
    out = {"incoming": [], "outgoing": [], "display_name": provider.findtext("displayName"),
           "path": path}
    for kind in ("incoming", "outgoing"):
        for server in provider.findall(kind + "Server"):
            template = server.findtext("username") or "%EMAILADDRESS%"
            out[kind].append({
                "protocol": server.get("type"),
                "host": server.findtext("hostname"),
                "port": int(server.findtext("port")),
                "socket_type": server.findtext("socketType"),
                "security": SECURITY[server.findtext("socketType")],
                "auth": server.findtext("authentication"),
                "username_template": template,
                "username": template.replace("%EMAILADDRESS%", address)
                                    .replace("%EMAILLOCALPART%", local)
                                    .replace("%EMAILDOMAIN%", domain),
            })
    return out


def mail_logs():
    """The text of every Dovecot log of the world (each domain has its own server)."""
    text = ""
    for m in info()["mail"]:
        try:
            with open(m["log"], errors="replace") as f:
                text += f.read()
        except FileNotFoundError:
            pass
    return text


def access_log():
    """serve's access log (--access-log), one dict per request."""
    entries = []
    try:
        with open(serve_instance()["access_log"]) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        entries.append(json.loads(line))
                    except ValueError:
                        entries.append({"unparsed": line})
    except FileNotFoundError:
        pass
    return entries


def logged(entries, path_part, status=200):
    """Entries whose request path contains path_part and that got `status`."""
    def field(e, *names):
        for n in names:
            if n in e:
                return e[n]
        return None
    found = []
    for e in entries:
        path = str(field(e, "path", "target", "uri", "url") or e.get("unparsed", ""))
        st = field(e, "status", "code")
        if path_part.lower() in path.lower() and (status is None or str(st) == str(status)):
            found.append(e)
    return found


def stop_serve(timeout=15.0):
    """SIGTERM to the world's serve, as an operator would stop it. Returns a list of
    problems: it must exit 0 within `timeout` and its log must hold no sanitizer
    report. world.py writes the exit code to the instance's exit_file."""
    sv = serve_instance()
    problems = []
    try:
        os.kill(sv["pid"], signal.SIGTERM)
    except ProcessLookupError:
        problems.append("serve (pid %d) was no longer running" % sv["pid"])
    deadline = time.monotonic() + timeout
    code = None
    while time.monotonic() < deadline:
        try:
            with open(sv["exit_file"]) as f:
                text = f.read().strip()
            if text:
                code = int(text)
                break
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    if code is None:
        problems.append("serve did not exit within %.0f s of SIGTERM" % timeout)
    elif code != 0:
        problems.append("serve exited with %d after SIGTERM (want 0)" % code)
    problems += sanitizer_reports(sv["log"])
    return problems


def sanitizer_reports(path):
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except FileNotFoundError:
        return []
    for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
        at = text.find(marker)
        if at >= 0:
            return ["%s in %s:\n%s" % (marker, path, text[max(0, at - 200):at + 3000])]
    return []


class Results:
    """Prints one line per check and the closing 'N passed, M failed' line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, problems, detail=""):
        if problems:
            self.failed += 1
            print("FAIL %s" % name)
            for p in problems:
                print("     - %s" % p)
        else:
            self.passed += 1
            print("ok   %s%s" % (name, ("  (" + detail + ")") if detail else ""))
        return not problems

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0
