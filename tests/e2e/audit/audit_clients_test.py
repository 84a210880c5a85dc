#!/usr/bin/env python3
"""mailscout audit's client simulation against the real clients.

Runs inside the audit world (scenario audit-findings). For every domain of it,
`mailscout audit u@D` (with the password) predicts, in its JSON `clients[]`,
what Thunderbird and Delta Chat would configure (incoming and outgoing host,
port, security) and whether that works. This test asks the real clients and
compares:

- Thunderbird 153 (headless, over Marionette, the driver of
  tests/e2e/export/thunderbird_qr_test.py): its account hub's own lookup,
  FindConfig.parallelAutoDiscovery, and, when that finds nothing, its
  GuessConfig.guessConfig, as the hub (views/email.mjs) does; a 401 from
  Autodiscover ends the lookup there as in the hub. Its pick is
  config.incoming / config.outgoing. "Works" is the hub's own check,
  ConfigVerifier.verifyConfig, after the placeholders are replaced: that logs
  in to the incoming server only (the hub never tries SMTP), so Thunderbird's
  "works" is compared with mailscout's verdict on the incoming server alone
  (mailscout's `works` also needs the outgoing one). The world CA is trusted in
  Thunderbird's own certificate database ("C,,"), as in tests/e2e/serve; the
  ISPDB is Thunderbird's default, https://live.thunderbird.net/autoconfig/v1.1/,
  which the world serves.
- Delta Chat core 2.57.0 (JSON-RPC, installed by the ctest fixture of
  tests/e2e/serve): add_or_update_transport with address and password only.
  It tries its candidates in order ("IMAP trying to connect to H:P:S." in its
  log) and keeps the first that works: its pick is the last one tried when
  configuring succeeded, else the first; "works" whether configuring succeeded. Delta Chat
  trusts only the Mozilla roots built into it, so for names without a leading
  '_' it cannot verify any certificate of this world; the account is configured
  with certificateChecks acceptInvalidCertificates (as tests/e2e/serve does).
  Then Delta Chat cannot see certificate faults, so where mailscout says it
  fails only because of the certificate (untrusted, expired, wrong name),
  Delta Chat is expected to work: that is the honest difference, counted and
  printed, not hidden. The two domains whose names start with '_'
  (_c-strict.example with a wrong-name certificate, _c-strictok.example with a
  good one) are configured with Delta Chat's default strict checks, which there
  skip the chain but check the name (as tests/e2e/serve's _serve-dc.example),
  so mailscout's certificate verdict is compared for real at least for names.

Prints one line per check and 'N failed'. Exit 77 (skipped) only when neither
client can run here.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "serve"))
sys.path.insert(0, os.path.join(HERE, "..", "export"))
from thunderbird_qr_test import Marionette, START_SECONDS, start_thunderbird  # noqa: E402
from deltachat_test import RpcServer, rpc_server_path  # noqa: E402

MAILSCOUT = os.environ["MAILSCOUT"]
PASSWORD = "auditpw"
DOMAINS = ["a-clean.example", "a-all.example", "a-disagree.example", "a-closed.example", "a-plain.example",
           "a-authplain.example", "a-wrongname.example", "a-selfsigned.example", "a-expired.example",
           "a-expiring.example", "a-tls10.example", "a-httponly.example", "a-401.example", "a-nosrv.example",
           "a-ispdb.example", "a-mx.example", "a-guess.example", "a-port25.example",
           "c-wellknown.example", "c-ispdb.example", "c-pox.example", "c-srv.example", "c-popfirst.example",
           "c-401only.example", "_c-strict.example", "_c-strictok.example"]
ONLY = os.environ.get("AUDIT_CLIENTS_ONLY")  # debugging: a comma-separated subset
if ONLY:
    DOMAINS = [d for d in DOMAINS if d in ONLY.split(",")]
CERT_WORDS = ("certificate is not trusted", "certificate is for another name")
SOCKET = {"SSL": "tls", "STARTTLS": "starttls", "plain": "plain"}

failures = []
notes = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures.append(name)


def predict(domain):
    env = dict(os.environ, MAILSCOUT_PASSWORD=PASSWORD)
    r = subprocess.run([MAILSCOUT, "audit", "u@" + domain, "--format", "json", "--phase-timeout", "2",
                        "--clients", "Thunderbird,Delta Chat"], capture_output=True, text=True, timeout=120, env=env)
    doc = json.loads(r.stdout)
    return {c["client"]: c for c in doc["clients"]}, doc


def key(setting):
    if not setting:
        return None
    return "%s:%d:%s" % (setting["host"], setting["port"], setting["security"])


TB_FIND = r"""
const [caBase64, domain, email, password] = arguments;
return (async () => {
if (caBase64) {
  const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
  certdb.addCertFromBase64(caBase64, "C,,");
  Services.prefs.setIntPref("network.trr.mode", 5);
  Services.prefs.setIntPref("network.proxy.type", 0);
}
const { FindConfig } = ChromeUtils.importESModule("resource:///modules/accountcreation/FindConfig.sys.mjs");
const { GuessConfig } = ChromeUtils.importESModule("resource:///modules/accountcreation/GuessConfig.sys.mjs");
const { AccountConfig } = ChromeUtils.importESModule("resource:///modules/accountcreation/AccountConfig.sys.mjs");
const { ConfigVerifier } = ChromeUtils.importESModule("resource:///modules/accountcreation/ConfigVerifier.sys.mjs");
const SOCKET = {};
SOCKET[Ci.nsMsgSocketType.SSL] = "SSL";
SOCKET[Ci.nsMsgSocketType.alwaysSTARTTLS] = "STARTTLS";
SOCKET[Ci.nsMsgSocketType.plain] = "plain";
const describe = s => s && s.hostname ? { type: s.type, host: s.hostname, port: s.port,
                                          socket: SOCKET[s.socketType] ?? String(s.socketType) } : null;
const t0 = Date.now();
const out = { domain };
let config = null;
try {
  const gen = FindConfig.parallelAutoDiscovery(domain, email, new AbortController().signal, password);
  let step = await gen.next();
  while (!step.done && step.value && step.value.isRedirect) {
    step = await gen.next({ acceptRedirect: false });
  }
  config = step.value;
  out.how = config ? config.subSource : "nothing";
} catch (e) {
  out.how = "error: " + String(e);
  if (e.cause?.fluentTitleId === "account-hub-credentials-wrong") {
    out.ms = Date.now() - t0;
    return out;  // the hub asks for credentials here and does not guess
  }
}
if (!config) {
  try {
    const initial = new AccountConfig();
    initial.incoming.username = email.split("@")[0];
    initial.outgoing.username = email.split("@")[0];
    config = await GuessConfig.guessConfig(domain, () => {}, initial, "both", new AbortController().signal);
    out.how += ", then guessed";
  } catch (e) {
    out.how += ", guessing failed: " + String(e);
  }
}
if (!config) { out.ms = Date.now() - t0; return out; }
out.incoming = describe(config.incoming);
out.outgoing = describe(config.outgoing);
const copy = config.copy();
AccountConfig.replaceVariables(copy, "Audit Test", email, password);
// A certificate error opens Thunderbird's certificate exception dialog
// (ConfigVerifier.informUserOfCertError) and waits for it: close it, as a user
// who does not add an exception would, and note it.
const observer = {
  observe(win, topic) {
    if (topic !== "domwindowopened") return;
    win.addEventListener("load", () => {
      if (String(win.location.href).includes("exceptionDialog")) {
        out.cert_dialog = true;
        win.close();
      }
    }, { once: true });
  },
};
Services.ww.registerNotification(observer);
try {
  // As the hub (views/email.mjs): other usernames only for a config not from XML.
  await new ConfigVerifier(null, new AbortController().signal).verifyConfig(
    copy, copy.source != AccountConfig.kSourceXML);
  out.verified = true;
} catch (e) {
  out.verified = false;
  out.verify_error = String(e);
} finally {
  Services.ww.unregisterNotification(observer);
}
out.ms = Date.now() - t0;
return out;
})();
"""


def run_thunderbird(predictions):
    work = tempfile.mkdtemp(prefix="tb-audit-")
    profile = os.path.join(work, "profile")
    os.mkdir(profile)
    log_path = os.path.join(work, "thunderbird.log")
    with open(os.environ["WORLD_CA"]) as f:
        ca_b64 = "".join(line for line in f.read().splitlines() if "-----" not in line)
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = work
    ran = False
    with open(log_path, "wb") as log:
        proc, port = start_thunderbird(profile, log)
        try:
            if port is None:
                print("note: Thunderbird did not start within %d s: not compared" % START_SECONDS)
                return False
            m = Marionette(port)
            m.send("WebDriver:NewSession", {"capabilities": {}})
            m.send("Marionette:SetContext", {"value": "chrome"})
            m.send("WebDriver:SetTimeouts", {"script": 180000})
            print("Thunderbird %s" % m.execute("return Services.appinfo.version;", []))
            ran = True
            first = True
            for domain in DOMAINS:
                got = m.send("WebDriver:ExecuteScript", {
                    "script": TB_FIND, "args": [ca_b64 if first else "", domain, "u@" + domain, PASSWORD],
                    "scriptTimeout": 180000})["value"]
                first = False
                compare_thunderbird(domain, predictions[domain]["Thunderbird"], got)
            m.close()
        finally:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if old_home:
                os.environ["HOME"] = old_home
    shutil.rmtree(work, ignore_errors=True)
    return ran


def incoming_problem(pred):
    """mailscout's reason names the incoming server's problem, if any."""
    inc = pred.get("incoming")
    if not inc:
        return True
    return inc["host"] + ":" + str(inc["port"]) in pred["reason"] and not pred["works"]


def compare_thunderbird(domain, pred, got):
    tb_in = got.get("incoming")
    tb_out = got.get("outgoing")
    tb_in_key = tb_in and "%s:%d:%s" % (tb_in["host"], tb_in["port"], SOCKET.get(tb_in["socket"], tb_in["socket"]))
    tb_out_key = tb_out and "%s:%d:%s" % (tb_out["host"], tb_out["port"], SOCKET.get(tb_out["socket"], tb_out["socket"]))
    detail = "Thunderbird (%s, %d ms): %s / %s, verified %s %s; mailscout: %s / %s, works %s (%s)" % (
        got.get("how"), got.get("ms", 0), tb_in_key, tb_out_key, got.get("verified"),
        got.get("verify_error", "") + (" (certificate exception dialog)" if got.get("cert_dialog") else ""), key(pred.get("incoming")), key(pred.get("outgoing")), pred["works"],
        pred["reason"])
    check("Thunderbird %s: incoming server as predicted" % domain, tb_in_key == key(pred.get("incoming")), detail)
    check("Thunderbird %s: outgoing server as predicted" % domain, tb_out_key == key(pred.get("outgoing")), detail)
    if tb_in_key:
        want = not incoming_problem(pred)
        check("Thunderbird %s: incoming login works = %s as predicted" % (domain, want),
              bool(got.get("verified")) == want, detail)
    print("     " + detail, flush=True)


DC_TRY = re.compile(r"(IMAP|SMTP) trying to connect to ([^ ]+?)\.$")


def run_deltachat(predictions):
    binary, why = rpc_server_path()
    if binary is None:
        print("note: Delta Chat not compared: %s" % why)
        return False
    work = tempfile.mkdtemp(prefix="deltachat-audit-")
    log = open(os.path.join(work, "rpc-server.log"), "wb")
    rpc = RpcServer(binary, os.path.join(work, "accounts"), log)
    try:
        print("Delta Chat core %s" % rpc.call("get_system_info").get("deltachat_core_version"))
        for domain in DOMAINS:
            account = rpc.call("add_account")
            t0 = time.monotonic()
            error = None
            param = {"addr": "u@" + domain, "password": PASSWORD}
            if not strict(domain):
                param["certificateChecks"] = "acceptInvalidCertificates"
            try:
                rpc.call("add_or_update_transport", account, param, timeout=180)
            except RuntimeError as e:
                error = str(e)
            seconds = time.monotonic() - t0
            time.sleep(0.2)  # the last log events
            tried = {"IMAP": [], "SMTP": []}
            for line in rpc.log_lines(account):
                mm = DC_TRY.search(line.strip())
                if mm:
                    tried[mm.group(1)].append(mm.group(2))
            compare_deltachat(domain, predictions[domain]["Delta Chat"], tried, error, seconds)
    finally:
        rpc.close()
        log.close()
    shutil.rmtree(work, ignore_errors=True)
    return True


def strict(domain):
    """Delta Chat's default (strict) certificate checks work in this world only
    for names that start with '_': it skips the chain there, but checks the name."""
    return domain.startswith("_")


def compare_deltachat(domain, pred, tried, error, seconds):
    # Delta Chat tries its candidates in order and keeps the first that works:
    # when configuring succeeded, its pick is the last one it tried; when it
    # failed, the first one it tried is what it would have used.
    def pick(kind):
        if not tried[kind]:
            return None
        return tried[kind][-1] if error is None else tried[kind][0]
    first_imap = pick("IMAP")
    first_smtp = pick("SMTP")
    detail = "Delta Chat (%.1f s): tried IMAP %s, SMTP %s, %s; mailscout: %s / %s, works %s (%s)" % (
        seconds, tried["IMAP"][:4], tried["SMTP"][:4], "configured" if error is None else "failed: " + error[:200],
        key(pred.get("incoming")), key(pred.get("outgoing")), pred["works"], pred["reason"])
    if pred.get("incoming"):
        check("Delta Chat %s: IMAP server as predicted" % domain, first_imap == key(pred["incoming"]), detail)
    if pred.get("outgoing"):
        check("Delta Chat %s: SMTP server as predicted" % domain, first_smtp == key(pred["outgoing"]), detail)
    want = pred["works"]
    cert_only = not strict(domain) and not want and any(w in pred["reason"] for w in CERT_WORDS) and \
        all(any(w in p for w in CERT_WORDS) for p in pred["reason"].split(": ", 1)[-1].split("; "))
    if cert_only:
        want = True
        notes.append("%s: mailscout says Delta Chat fails on the certificate; with acceptInvalidCertificates "
                     "it cannot, so it is expected to work" % domain)
    check("Delta Chat %s: configures = %s as predicted%s" % (domain, want, " (certificate checks off)" if cert_only else ""),
          (error is None) == want, detail)
    print("     " + detail, flush=True)


def main():
    t0 = time.time()
    predictions = {}
    for domain in DOMAINS:
        predictions[domain], _ = predict(domain)
    clients = os.environ.get("AUDIT_CLIENTS", "thunderbird,deltachat").split(",")
    ran = []
    if "thunderbird" in clients and run_thunderbird(predictions):
        ran.append("Thunderbird")
    if "deltachat" in clients and run_deltachat(predictions):
        ran.append("Delta Chat")
    for n in notes:
        print("note: " + n)
    if not ran:
        print("SKIPPED: neither Thunderbird nor Delta Chat can run here")
        return 77
    print("%d failed (%s; %.1f s)" % (len(failures), ", ".join(ran), time.time() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
