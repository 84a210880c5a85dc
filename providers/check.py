#!/usr/bin/env python3
"""Validate mailscout's bundled provider database (providers/*.xml).

Every file must be a well-formed ISPDB clientConfig 1.1 document describing one
provider, and no domain may be listed by more than one file. Files generated
by providers/import from an ISPDB file keep the ISPDB's data as it is: what the
ISPDB does that this database would not (a cleartext password over a plain
connection, a file name that is not the id) is a warning there and an error in
a file made from an overlay alone. See providers/README.md for the format.

Usage:
    python3 providers/check.py [--strict] [--list] [DIR]

DIR defaults to the directory holding this script. Exit status is 0 when no
errors were found (with --strict, warnings count as errors), 1 otherwise.
--list prints every domain with the file that claims it.
Python 3 standard library only.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

LOGIN_POLICIES = {"password", "app-password", "oauth2-only"}
SOCKET_TYPES = {"SSL", "STARTTLS", "plain"}
AUTH_METHODS = {
    "password-cleartext", "password-encrypted", "OAuth2", "client-IP-address", "none",
    # Accepted by the ISPDB format, rarely used:
    "NTLM", "GSSAPI", "TLS-client-cert", "smtp-after-pop",
}
PASSWORD_AUTHS = {"password-cleartext", "password-encrypted", "NTLM"}
PLACEHOLDERS = {"%EMAILADDRESS%", "%EMAILLOCALPART%", "%EMAILDOMAIN%"}
INCOMING_TYPES = {"imap", "pop3"}
OUTGOING_TYPES = {"smtp"}
# Children of <emailProvider> this database uses; anything else is reported.
KNOWN_PROVIDER_CHILDREN = {
    "domain", "displayName", "displayShortName", "loginPolicy", "incomingServer",
    "outgoingServer", "documentation", "enable", "instruction", "appPassword",
}
DEVICE_FLOWS = {"allowed", "refused"}
SERVER_CHILDREN = {"hostname", "port", "socketType", "username", "authentication",
                   "password", "pop3", "restriction", "useGlobalPreferredServer"}
# (protocol, port) -> the socketType that is standard there (RFC 8314 / 6409).
STANDARD = {
    ("imap", 993): "SSL", ("imap", 143): "STARTTLS",
    ("pop3", 995): "SSL", ("pop3", 110): "STARTTLS",
    ("smtp", 465): "SSL", ("smtp", 587): "STARTTLS", ("smtp", 25): "STARTTLS",
}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
HOST_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
PLACEHOLDER_RE = re.compile(r"%[A-Z]+%")


def valid_domain(name):
    if not name or len(name) > 253 or name != name.strip() or name.endswith("."):
        return False
    labels = name.split(".")
    return len(labels) >= 2 and all(LABEL_RE.match(l) for l in labels) and not labels[-1].isdigit()


def valid_hostname(name):
    if name in LOOPBACK:
        return True
    if re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", name):
        return all(int(o) <= 255 for o in name.split("."))
    labels = name.split(".")
    return len(name) <= 253 and len(labels) >= 2 and all(HOST_LABEL_RE.match(l) for l in labels)


class Report:
    def __init__(self):
        self.errors = []
        self.warnings = []
        self.notes = []

    def error(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")

    def note(self, where, msg):
        self.notes.append(f"{where}: {msg}")


def text_of(elem, tag, where, rep, required=True):
    """The stripped text of the single child <tag>, or None (reported)."""
    found = elem.findall(tag)
    if not found:
        if required:
            rep.error(where, f"missing <{tag}>")
        return None
    if len(found) > 1:
        rep.error(where, f"more than one <{tag}>")
    value = (found[0].text or "").strip()
    if required and not value:
        rep.error(where, f"empty <{tag}>")
    return value


class Lenient:
    """Passes a Report's errors on as warnings: for data kept as the ISPDB has it."""

    def __init__(self, rep):
        self.rep = rep

    def error(self, where, msg):
        self.rep.warn(where, msg + " (as the ISPDB has it)")

    def warn(self, where, msg):
        self.rep.warn(where, msg)


def check_server(server, kind, fname, index, rep):
    stype = server.get("type", "")
    where = f"{fname}: {kind} #{index} ({stype or '?'})"
    allowed = INCOMING_TYPES if kind == "incomingServer" else OUTGOING_TYPES
    if stype not in allowed:
        # ISPDB types such as ews, exchange, graph: mailscout ignores them.
        return None
    for child in server:
        if child.tag not in SERVER_CHILDREN:
            rep.warn(where, f"unknown element <{child.tag}>")

    host = text_of(server, "hostname", where, rep)
    port_text = text_of(server, "port", where, rep)
    sock = text_of(server, "socketType", where, rep)
    user = text_of(server, "username", where, rep)
    auths = [(a.text or "").strip() for a in server.findall("authentication")]

    if host is not None:
        # The ISPDB format allows placeholders in host names (mail.%EMAILDOMAIN%).
        bad = [ph for ph in PLACEHOLDER_RE.findall(host) if ph != "%EMAILDOMAIN%"]
        if bad:
            rep.error(where, f"only %EMAILDOMAIN% may appear in a hostname: {host!r}")
        elif not valid_hostname(host.replace("%EMAILDOMAIN%", "example.org")):
            rep.error(where, f"invalid hostname {host!r}")
        elif host != host.lower():
            rep.error(where, f"hostname must be lower case: {host!r}")
    port = None
    if port_text is not None:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            rep.error(where, f"invalid port {port_text!r}")
        else:
            port = int(port_text)
    if sock is not None and sock not in SOCKET_TYPES:
        rep.error(where, f"socketType must be one of {sorted(SOCKET_TYPES)}, got {sock!r}")
    if user is not None:
        for ph in PLACEHOLDER_RE.findall(user):
            if ph not in PLACEHOLDERS:
                rep.error(where, f"unknown placeholder {ph} in username")
    if not auths:
        rep.error(where, "missing <authentication>")
    for a in auths:
        if a not in AUTH_METHODS:
            rep.error(where, f"unknown authentication {a!r}")
    if len(set(auths)) != len(auths):
        rep.error(where, "duplicate <authentication>")

    if sock == "plain" and host not in LOOPBACK and "password-cleartext" in auths:
        rep.error(where, "password-cleartext over an unencrypted connection")
    elif sock == "plain" and host not in LOOPBACK:
        rep.warn(where, "unencrypted connection (socketType plain)")
    if port is not None and sock in SOCKET_TYPES and stype in INCOMING_TYPES | OUTGOING_TYPES:
        expected = STANDARD.get((stype, port))
        if expected is None:
            if host not in LOOPBACK:
                rep.warn(where, f"non-standard port {port} for {stype}")
        elif expected != sock and sock != "plain":
            rep.warn(where, f"port {port} normally uses {expected}, file says {sock}")
    return (stype, host, port, sock, user, tuple(auths))


def check_oauth(root, fname, rep):
    for oauth in root.findall("oAuth2"):
        for tag in ("issuer", "authURL", "tokenURL"):
            if not (oauth.findtext(tag) or "").strip():
                rep.error(fname, f"<oAuth2> without <{tag}>")
        for tag in ("authURL", "tokenURL", "deviceURL"):
            url = (oauth.findtext(tag) or "").strip()
            if url and not url.startswith("https://"):
                rep.error(fname, f"<oAuth2><{tag}> must be https: {url!r}")
        for scope in oauth.findall("scope"):
            proto = scope.get("protocol")
            if proto is not None and proto not in INCOMING_TYPES | OUTGOING_TYPES:
                rep.error(fname, f"<scope protocol> must be imap, pop3 or smtp, got {proto!r}")
        flow = oauth.findtext("deviceFlow")
        if flow is not None and flow.strip() not in DEVICE_FLOWS:
            rep.error(fname, f"<deviceFlow> must be one of {sorted(DEVICE_FLOWS)}, got {flow!r}")


def from_ispdb(path):
    """True for a file providers/import made from an ISPDB file (see its first comment)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        head = f.read(400)
    return "Generated by providers/import from ISPDB" in head


def check_file(path, rep, claims):
    fname = os.path.basename(path)
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        rep.error(fname, f"not well-formed XML: {exc}")
        return None
    ispdb_rep = Lenient(rep) if from_ispdb(path) else rep
    root = tree.getroot()
    if root.tag != "clientConfig":
        rep.error(fname, f"root element must be <clientConfig>, got <{root.tag}>")
        return None
    if root.get("version") != "1.1":
        rep.error(fname, f"clientConfig version must be \"1.1\", got {root.get('version')!r}")
    providers = root.findall("emailProvider")
    if len(providers) != 1:
        rep.error(fname, f"expected exactly one <emailProvider>, found {len(providers)}")
        if not providers:
            return None
    prov = providers[0]
    pid = prov.get("id", "")
    if not pid:
        rep.error(fname, "emailProvider has no id")
    elif fname != pid + ".xml":
        ispdb_rep.error(fname, f"file must be named after the provider id: {pid}.xml")

    for child in prov:
        if child.tag not in KNOWN_PROVIDER_CHILDREN:
            rep.warn(fname, f"unknown element <{child.tag}> in <emailProvider>")

    domains = [(d.text or "").strip() for d in prov.findall("domain")]
    if not domains:
        rep.error(fname, "no <domain>")
    seen = set()
    for d in domains:
        if not valid_domain(d):
            rep.error(fname, f"invalid domain {d!r} (lower case, at least two labels, no trailing dot)")
        if d in seen:
            rep.error(fname, f"domain {d} listed twice in this file")
        seen.add(d)
        claims.setdefault(d, []).append(fname)

    text_of(prov, "displayName", fname, ispdb_rep)
    text_of(prov, "displayShortName", fname, ispdb_rep)

    policy = text_of(prov, "loginPolicy", fname, rep, required=False)
    if policy is not None and policy not in LOGIN_POLICIES:
        rep.error(fname, f"loginPolicy must be one of {sorted(LOGIN_POLICIES)}, got {policy!r}")
    if root.find(".//loginPolicy") is not None and prov.find("loginPolicy") is None:
        rep.error(fname, "<loginPolicy> must be a direct child of <emailProvider>")

    servers = []
    for kind in ("incomingServer", "outgoingServer"):
        for i, s in enumerate(prov.findall(kind), 1):
            key = check_server(s, kind, fname, i, ispdb_rep)
            if key is not None:
                servers.append((kind, key))
    keys = [key for _, key in servers]
    if len(set(keys)) != len(keys):
        ispdb_rep.error(fname, "the same server is listed twice")
    n_in = sum(1 for k, _ in servers if k == "incomingServer")
    n_out = len(servers) - n_in
    docs = prov.findall("documentation")
    if not servers:
        if not docs:
            rep.error(fname, "no servers: a provider without IMAP/POP/SMTP access must say why in <documentation>")
        if policy is not None:
            rep.error(fname, "loginPolicy makes no sense for a provider without servers")
    elif n_in == 0 or n_out == 0:
        ispdb_rep.error(fname, "needs at least one incomingServer and one outgoingServer")

    if policy == "oauth2-only":
        for kind, (stype, host, port, sock, user, auths) in servers:
            if "OAuth2" not in auths:
                rep.error(fname, f"loginPolicy oauth2-only but {stype} {host}:{port} does not offer OAuth2")
            if set(auths) & PASSWORD_AUTHS:
                rep.error(fname, f"loginPolicy oauth2-only but {stype} {host}:{port} lists a password method")

    for app in prov.findall("appPassword"):
        if not app.get("url", "").startswith("https://"):
            rep.error(fname, "<appPassword> needs an https url")
    check_oauth(root, fname, rep)
    for doc in docs:
        url = doc.get("url", "")
        if not url.startswith(("https://", "http://")):
            rep.error(fname, f"documentation url must be http(s): {url!r}")
        elif url.startswith("http://"):
            rep.warn(fname, f"documentation url is not https: {url}")
    return pid


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--strict", action="store_true", help="treat warnings as errors")
    ap.add_argument("--list", action="store_true", help="print every domain and its file")
    args = ap.parse_args(argv)

    files = sorted(f for f in os.listdir(args.dir) if f.endswith(".xml"))
    rep = Report()
    claims = {}
    if not files:
        rep.error(args.dir, "no .xml files")
    for f in files:
        check_file(os.path.join(args.dir, f), rep, claims)

    for domain, owners in sorted(claims.items()):
        if len(owners) > 1:
            rep.error(domain, f"listed by more than one file: {', '.join(owners)}")
    # A listed domain under another file's domain is legitimate (e.g. the MX parent
    # domain mail.protection.outlook.com vs the mailbox domain outlook.com), but worth
    # showing: it only works because lookups try the more specific name first.
    for domain, owners in sorted(claims.items()):
        labels = domain.split(".")
        for i in range(1, len(labels) - 1):
            parent = ".".join(labels[i:])
            if parent in claims and claims[parent][0] != owners[0]:
                rep.note(domain, f"({owners[0]}) is under {parent} ({claims[parent][0]}); "
                                 "the more specific name must be looked up first")

    if args.list:
        for domain, owners in sorted(claims.items()):
            print(f"{domain}\t{owners[0]}")
    for n in rep.notes:
        print(f"note: {n}")
    for w in rep.warnings:
        print(f"warning: {w}")
    for e in rep.errors:
        print(f"error: {e}")
    failed = bool(rep.errors) or (args.strict and bool(rep.warnings))
    print(f"{'FAILED' if failed else 'OK'}: {len(files)} files, {len(claims)} domains, "
          f"{len(rep.errors)} errors, {len(rep.warnings)} warnings")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
