#!/usr/bin/env python3
"""Cross-check of android-json with Thunderbird's own writer of the code.

Thunderbird desktop writes "Export for Mobile" QR codes for the accounts it
has (QRExport.sys.mjs). For each case this test saves a setup report, lets
`mailscout export android-json --from REPORT` write the payload, creates the
same account in a fresh headless Thunderbird profile over Marionette, asks
QRExport for that account's payload (without passwords), and compares the two
element by element, as the specification's reader rules allow: an omitted
optional element equals "" or null, and an AccountName that is omitted, null
or "" means the identity's address.

An address Thunderbird refuses to export (not ASCII) must be refused by
mailscout too (exit status 2).

Needs: MAILSCOUT (the binary), Thunderbird (Debian's `thunderbird`).
Exit status 77 (ctest: skipped), with the reason, only when Thunderbird is
not installed or cannot start here; any other problem fails the test.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
MAILSCOUT = os.environ.get("MAILSCOUT", "build/mailscout")
START_SECONDS = 90

# Each case: the settings, written once as mailscout's report and once as a
# Thunderbird account. security: tls / starttls / plain; auth: ISPDB words.
CASES = [
    {"name": "imap-tls", "email": "jane@domain.example", "display_name": "Jane Doe",
     "incoming": ["imap", "imap.domain.example", 993, "tls", "password-cleartext",
                  "jane@domain.example"],
     "outgoing": ["smtp", "smtp.domain.example", 465, "tls", "password-cleartext",
                  "jane@domain.example"]},
    {"name": "pop3-starttls", "email": "bob@pop.example", "display_name": "Bob",
     "incoming": ["pop3", "pop.pop.example", 110, "starttls", "password-encrypted",
                  "bob@pop.example"],
     "outgoing": ["smtp", "smtp.pop.example", 587, "starttls", "password-cleartext",
                  "bob@pop.example"]},
    {"name": "oauth2", "email": "user@company.example", "display_name": "Jane Doe",
     "incoming": ["imap", "imap.company.example", 993, "tls", "OAuth2", "user@company.example"],
     "outgoing": ["smtp", "smtp.company.example", 465, "tls", "OAuth2", "user@company.example"]},
    {"name": "local-part-username", "email": "alice@example.org", "display_name": "Alice \"A\" O'Neil",
     "incoming": ["imap", "mail.example.org", 143, "starttls", "password-cleartext", "alice"],
     "outgoing": ["smtp", "mail.example.org", 587, "starttls", "password-cleartext", "alice"]},
    {"name": "idn-host", "email": "zoe@b\u00fccher.example", "display_name": "Zo\u00eb",
     # Thunderbird exports ASCII addresses only: its account has the A-label forms.
     "thunderbird": {"email": "zoe@xn--bcher-kva.example",
                     "incoming_host": "imap.xn--bcher-kva.example"},
     "incoming": ["imap", "imap.b\u00fccher.example", 993, "tls", "password-cleartext",
                  "zoe@xn--bcher-kva.example"],
     "outgoing": ["smtp", "smtp.xn--bcher-kva.example", 465, "tls", "password-cleartext",
                  "zoe@xn--bcher-kva.example"]},
    {"name": "plain-no-name", "email": "old@lan.example", "display_name": "",
     "incoming": ["imap", "mail.lan.example", 143, "plain", "password-cleartext", "old"],
     "outgoing": ["smtp", "mail.lan.example", 25, "plain", "password-cleartext", "old"]},
]
NON_ASCII = {"name": "non-ascii-address", "email": "j\u00f6rg@example.com", "display_name": "J",
             "incoming": ["imap", "imap.example.com", 993, "tls", "password-cleartext",
                          "j\u00f6rg@example.com"],
             "outgoing": ["smtp", "smtp.example.com", 465, "tls", "password-cleartext",
                          "j\u00f6rg@example.com"]}


def skip(reason):
    print("SKIPPED: " + reason)
    sys.exit(SKIP)


class Marionette:
    """The Marionette protocol: length-prefixed JSON over TCP.

    A command is [0, id, name, params]; its response [1, id, error, result].
    """

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.next_id = 0
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise RuntimeError("unexpected Marionette greeting %r" % hello)

    def _read(self):
        length = b""
        while not length.endswith(b":"):
            c = self.sock.recv(1)
            if not c:
                raise RuntimeError("Marionette closed the connection")
            length += c
        n = int(length[:-1])
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("Marionette closed the connection")
            data += chunk
        return json.loads(data)

    def send(self, name, params=None):
        self.next_id += 1
        body = json.dumps([0, self.next_id, name, params or {}]).encode()
        self.sock.sendall(str(len(body)).encode() + b":" + body)
        while True:
            reply = self._read()
            if isinstance(reply, list) and reply[0] == 1 and reply[1] == self.next_id:
                break
        if reply[2]:
            raise RuntimeError("%s failed: %s" % (name, json.dumps(reply[2])[:2000]))
        return reply[3]

    def execute(self, script, args):
        return self.send("WebDriver:ExecuteScript",
                         {"script": script, "args": args, "scriptTimeout": 60000})["value"]

    def close(self):
        try:
            self.send("Marionette:Quit", {"flags": ["eForceQuit"]})
        except Exception:  # the process is ending anyway
            pass
        self.sock.close()


def start_thunderbird(profile, log):
    binary = shutil.which("thunderbird") or "/usr/lib/thunderbird/thunderbird"
    if not os.path.exists(binary):
        skip("Thunderbird is not installed (Debian package 'thunderbird')")
    with open(os.path.join(profile, "user.js"), "w") as f:
        f.write('user_pref("marionette.port", 0);\n')  # any free port, written to the profile
        f.write('user_pref("mail.provider.suppress_dialog_on_startup", true);\n')
        f.write('user_pref("mail.shell.checkDefaultClient", false);\n')
        f.write('user_pref("datareporting.policy.dataSubmissionEnabled", false);\n')
        f.write('user_pref("app.update.disabledForTesting", true);\n')
    env = dict(os.environ, MOZ_HEADLESS="1")
    proc = subprocess.Popen([binary, "--headless", "--marionette", "--remote-allow-system-access",
                             "--no-remote", "--profile", profile],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    port_file = os.path.join(profile, "MarionetteActivePort")
    deadline = time.time() + START_SECONDS
    while time.time() < deadline:
        if proc.poll() is not None:
            return proc, None
        if os.path.exists(port_file):
            with open(port_file) as f:
                text = f.read().strip()
            if text.isdigit():
                return proc, int(text)
        time.sleep(0.2)
    return proc, None


# Creates the account in the profile and returns QRExport's payload for it
# (as JSON text) and whether QRExport counts it as eligible.
TB_SCRIPT = r"""
const [c] = arguments;
return (async () => {
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const { QRExport } = ChromeUtils.importESModule("moz-src:///comm/mail/modules/QRExport.sys.mjs");
const SOCKET = { tls: Ci.nsMsgSocketType.SSL, starttls: Ci.nsMsgSocketType.alwaysSTARTTLS,
                 plain: Ci.nsMsgSocketType.plain };
const AUTH = { "password-cleartext": Ci.nsMsgAuthMethod.passwordCleartext,
               "password-encrypted": Ci.nsMsgAuthMethod.passwordEncrypted,
               "OAuth2": Ci.nsMsgAuthMethod.OAuth2 };
const tb = c.thunderbird || {};
const email = tb.email || c.email;
const [type, incomingHost, port, security, auth, user] = c.incoming;
const host = tb.incoming_host || incomingHost;
const server = MailServices.accounts.createIncomingServer(user, host, type);
server.port = port;
server.socketType = SOCKET[security];
server.authMethod = AUTH[auth];
// Thunderbird's account wizard names a new account after its address.
server.prettyName = email;
const [, shost, sport, ssecurity, sauth, suser] = c.outgoing;
const smtp = MailServices.outgoingServer.createServer("smtp").QueryInterface(Ci.nsISmtpServer);
smtp.hostname = shost;
smtp.port = sport;
smtp.socketType = SOCKET[ssecurity];
smtp.authMethod = AUTH[sauth];
smtp.username = suser;
const identity = MailServices.accounts.createIdentity();
identity.email = email;
identity.fullName = c.display_name;
identity.smtpServerKey = smtp.key;
const account = MailServices.accounts.createAccount();
account.addIdentity(identity);
account.incomingServer = server;
const eligible = QRExport.getEligibleAccounts().some(a => a.key == account.key);
let payload = null;
if (eligible) {
  const data = await QRExport.getAccountData(account.key, false);
  payload = JSON.stringify(QRExport.getQRData(data, 1, 1));
}
return { eligible, payload };
})();
"""


def report_for(case):
    def setting(s):
        return {"protocol": s[0], "host": s[1], "port": s[2], "security": s[3], "auth": s[4],
                "username": s[5], "verified": True, "source": "autoconfig", "reason": ""}
    return {"email": case["email"], "domain": case["email"].split("@")[1], "candidates": [],
            "display_name": case["display_name"], "password_given": True,
            "recommended": {"incoming": setting(case["incoming"]),
                            "outgoing": setting(case["outgoing"]),
                            "incoming_alternatives": [], "outgoing_alternatives": []}}


def mailscout_payload(case, work):
    path = os.path.join(work, case["name"] + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report_for(case), f, ensure_ascii=False)
    return subprocess.run([MAILSCOUT, "export", "android-json", "--from", path],
                          capture_output=True, timeout=60)


def normalize(payload):
    """The payload with the reader rules applied: every optional element
    present, "" for an omitted or null one, AccountName filled in."""
    root = json.loads(payload)
    out = [root[0], root[1]]
    for i in range(2, len(root), 2):
        incoming = list(root[i]) + [""] * (8 - len(root[i]))
        incoming = [("" if v is None else v) for v in incoming]
        groups = []
        for group in root[i + 1]:
            server = list(group[0]) + [""] * (7 - len(group[0]))
            server = [("" if v is None else v) for v in server]
            groups.append([server] + [list(identity) for identity in group[1:]])
        if incoming[6] == "" and groups and len(groups[0]) > 1:
            incoming[6] = groups[0][1][0]
        out += [incoming, groups]
    return out


INCOMING_NAMES = ["IncomingProtocol", "Hostname", "Port", "ConnectionSecurity",
                  "AuthenticationType", "Username", "AccountName", "Password"]
OUTGOING_NAMES = ["OutgoingProtocol", "Hostname", "Port", "ConnectionSecurity",
                  "AuthenticationType", "Username", "Password"]


def compare(ours, theirs):
    """Element by element; returns the differences in words."""
    a, b = normalize(ours), normalize(theirs)
    diffs = []
    if a[0] != b[0]:
        diffs.append("FormatVersion %r != %r" % (a[0], b[0]))
    if a[1] != b[1]:
        diffs.append("MiscellaneousData %r != %r" % (a[1], b[1]))
    if len(a) != len(b):
        diffs.append("%d accounts != %d" % ((len(a) - 2) // 2, (len(b) - 2) // 2))
        return diffs
    for name, x, y in zip(INCOMING_NAMES, a[2], b[2]):
        if x != y:
            diffs.append("IncomingServer.%s %r != %r" % (name, x, y))
    if len(a[3]) != len(b[3]):
        diffs.append("%d OutgoingServerGroups != %d" % (len(a[3]), len(b[3])))
        return diffs
    for ga, gb in zip(a[3], b[3]):
        for name, x, y in zip(OUTGOING_NAMES, ga[0], gb[0]):
            if x != y:
                diffs.append("OutgoingServer.%s %r != %r" % (name, x, y))
        if ga[1:] != gb[1:]:
            diffs.append("Identity %r != %r" % (ga[1:], gb[1:]))
    return diffs


def main():
    if not os.path.exists(MAILSCOUT):
        print("FAIL: no mailscout binary at %s" % MAILSCOUT)
        return 1
    work = tempfile.mkdtemp(prefix="tb-qr-")
    profile = os.path.join(work, "profile")
    os.mkdir(profile)
    log_path = os.path.join(work, "thunderbird.log")
    failed = 0
    with open(log_path, "wb") as log:
        proc, port = start_thunderbird(profile, log)
        try:
            if port is None:
                log.flush()
                with open(log_path, "rb") as f:
                    tail = f.read()[-1500:].decode("utf-8", "replace")
                skip("Thunderbird did not start with Marionette within %d s on this machine:\n%s"
                     % (START_SECONDS, tail))
            try:
                m = Marionette(port)
                m.send("WebDriver:NewSession", {"capabilities": {}})
                m.send("Marionette:SetContext", {"value": "chrome"})
            except (OSError, RuntimeError) as e:
                skip("Thunderbird started but its Marionette session failed: %s" % e)
            version = m.execute("return Services.appinfo.version;", [])
            print("Thunderbird %s" % version)
            for case in CASES + [NON_ASCII]:
                tb = m.execute(TB_SCRIPT, [case])
                ours = mailscout_payload(case, work)
                if case is NON_ASCII:
                    ok = (not tb["eligible"]) and ours.returncode == 2 and not ours.stdout
                    print("%s %-22s Thunderbird eligible=%s; mailscout exit %d: %s" % (
                        "ok  " if ok else "FAIL", case["name"], tb["eligible"], ours.returncode,
                        ours.stderr.decode("utf-8", "replace").strip()))
                    failed += 0 if ok else 1
                    continue
                if not tb["eligible"] or ours.returncode != 0:
                    failed += 1
                    print("FAIL %-22s Thunderbird eligible=%s; mailscout exit %d: %s" % (
                        case["name"], tb["eligible"], ours.returncode,
                        ours.stderr.decode("utf-8", "replace")))
                    continue
                our_text = ours.stdout.decode("utf-8")
                diffs = compare(our_text, tb["payload"])
                if diffs:
                    failed += 1
                    print("FAIL %-22s %s" % (case["name"], "; ".join(diffs)))
                else:
                    print("ok   %-22s" % case["name"])
                print("     mailscout:   %s" % our_text.strip())
                print("     Thunderbird: %s" % tb["payload"])
            m.close()
        finally:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    shutil.rmtree(work, ignore_errors=True)
    print("%d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
