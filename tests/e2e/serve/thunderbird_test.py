#!/usr/bin/env python3
"""Thunderbird configures accounts from `mailscout serve`.

Runs inside the fake Internet (scenario `serve`; see serve_test.py for which
endpoint reaches which domain). One headless Thunderbird (Debian's, driven
over Marionette with the client of tests/e2e/export/thunderbird_qr_test.py)
does everything:

1. Trusts the world CA the way a user or an administrator would: as a CA in
   the profile's certificate database (nsIX509CertDB.addCertFromBase64, trust
   "C,,"). Thunderbird uses NSS with its own roots, not the system bundle, so
   this is needed, and nothing else about TLS is relaxed.
2. Points its ISPDB (pref mailnews.auto_config_url) at serve's mirror for the
   ISPDB case only (the mirror answers for every domain of the site).
3. For each domain, runs its own account-setup lookup,
   FindConfig.parallelAutoDiscovery (resource:///modules/accountcreation/
   FindConfig.sys.mjs: autoconfig and .well-known via FetchConfig.fromISP,
   the ISPDB via fromDB, MX, and Exchange Autodiscover POX in parallel), and
   checks which mechanism answered (subSource: xml-from-isp-https,
   xml-from-db, exchange-from-url1) and that the configuration it ends up
   with, every incoming and outgoing server with type, host, port, socket
   type, authentication and username, equals what the site file says.
4. For serve-all.example, replaces the placeholders as the account wizard
   does and lets ConfigVerifier log in to the world's Dovecot with it; the
   Dovecot log must show the login.

Exit status 77 (ctest: skipped), with the reason, only when Thunderbird is not
installed or cannot start here. Prints one line per check and 'N passed, M failed'.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "export"))
import serve_world as sw  # noqa: E402
from thunderbird_qr_test import Marionette, START_SECONDS, skip, start_thunderbird  # noqa: E402

# domain -> the subSource Thunderbird must report (which mechanism answered).
CASES = [
    ("serve-autoconfig.example", "xml-from-isp-https"),   # https://autoconfig.D
    ("serve-wellknown.example", "xml-from-isp-https"),    # https://D/.well-known/ (no autoconfig.D)
    ("serve-ispdb.example", "xml-from-db"),               # the ISPDB mirror
    ("serve-pox.example", "exchange-from-url1"),          # POST https://autodiscover.D/...
    ("serve-all.example", "xml-from-isp-https"),          # everything: autoconfig wins
]
VERIFY_LOGIN = "serve-all.example"
# The ISPDB for every other case: a name the world's DNS does not know.
NO_ISPDB = "https://ispdb.not-in-this-world.example/v1.1/"

TB_LOOKUP = r"""
const [caBase64, cases] = arguments;
return (async () => {
const certdb = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
certdb.addCertFromBase64(caBase64, "C,,");
Services.prefs.setIntPref("network.trr.mode", 5);      // the system resolver: the world's DNS
Services.prefs.setIntPref("network.proxy.type", 0);
const { FindConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/FindConfig.sys.mjs");
const SOCKET = {};
SOCKET[Ci.nsMsgSocketType.SSL] = "SSL";
SOCKET[Ci.nsMsgSocketType.alwaysSTARTTLS] = "STARTTLS";
SOCKET[Ci.nsMsgSocketType.plain] = "plain";
const AUTH = {};
AUTH[Ci.nsMsgAuthMethod.passwordCleartext] = "password-cleartext";
AUTH[Ci.nsMsgAuthMethod.passwordEncrypted] = "password-encrypted";
AUTH[Ci.nsMsgAuthMethod.OAuth2] = "OAuth2";
const describe = s => ({ type: s.type, hostname: s.hostname, port: s.port,
                         socketType: SOCKET[s.socketType] ?? String(s.socketType),
                         auth: AUTH[s.auth] ?? String(s.auth), username: s.username });
const out = [];
for (const c of cases) {
  // The mirror answers for every domain of the site: only the ISPDB case may reach it.
  Services.prefs.setCharPref("mailnews.auto_config_url", c.ispdb);
  const t0 = Date.now();
  try {
    const gen = FindConfig.parallelAutoDiscovery(c.domain, c.email, new AbortController().signal,
                                                 c.password);
    let step = await gen.next();
    while (!step.done && step.value && step.value.isRedirect) {
      // Never send the password to another host: refuse, as a careful user would.
      step = await gen.next({ acceptRedirect: false });
    }
    const config = step.value;
    if (!config) {
      out.push({ domain: c.domain, error: "no configuration found", ms: Date.now() - t0 });
      continue;
    }
    out.push({ domain: c.domain, ms: Date.now() - t0, source: config.source,
               subSource: config.subSource,
               incoming: [config.incoming, ...config.incomingAlternatives].map(describe),
               outgoing: [config.outgoing, ...(config.outgoingAlternatives || [])].map(describe) });
  } catch (e) {
    out.push({ domain: c.domain, error: String(e) + (e.stack ? "\n" + e.stack : ""),
               ms: Date.now() - t0 });
  }
}
return out;
})();
"""

TB_VERIFY = r"""
const [domain, email, password] = arguments;
return (async () => {
const { FindConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/FindConfig.sys.mjs");
const { AccountConfig } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/AccountConfig.sys.mjs");
const { ConfigVerifier } = ChromeUtils.importESModule(
  "resource:///modules/accountcreation/ConfigVerifier.sys.mjs");
const signal = new AbortController().signal;
const step = await FindConfig.parallelAutoDiscovery(domain, email, signal, password).next();
const config = step.value.copy();
AccountConfig.replaceVariables(config, "Serve Test", email, password);
try {
  const verified = await new ConfigVerifier(null, signal).verifyConfig(config, false);
  return { ok: true, username: verified.incoming.username, hostname: verified.incoming.hostname,
           port: verified.incoming.port };
} catch (e) {
  return { ok: false, error: String(e) };
}
})();
"""


def site_view(settings, kind, resolved):
    """The site file's servers as Thunderbird describes them. Thunderbird keeps
    autoconfig's placeholders (the wizard replaces them later); Autodiscover
    answers carry the resolved login name."""
    return [{"type": s["protocol"], "hostname": s["host"], "port": s["port"],
             "socketType": s["socket_type"], "auth": s["auth"],
             "username": s["username"] if resolved else s["username_template"]}
            for s in settings[kind]]


def compare(found, domain, want_sub):
    address = sw.ADDRESSES[domain]
    site = sw.site_settings(address)
    problems = []
    if "error" in found:
        return ["Thunderbird found nothing: %s" % found["error"][:1500]]
    if found.get("subSource") != want_sub:
        problems.append("answered by %s, want %s" % (found.get("subSource"), want_sub))
    resolved = str(found.get("subSource", "")).startswith("exchange")
    for kind in ("incoming", "outgoing"):
        want = site_view(site, kind, resolved)
        got = found.get(kind, [])
        if resolved:
            # POX has no order of preference Thunderbird keeps: compare as sets.
            key = lambda s: sorted(s.items())  # noqa: E731
            if sorted(map(key, got)) != sorted(map(key, want)):
                problems.append("%s servers %s != site file %s" % (kind, got, want))
        elif got != want:
            problems.append("%s servers %s != site file %s" % (kind, got, want))
    return problems


def main():
    if not os.path.exists(sw.serve_instance()["log"]):
        print("FAIL: serve's log is missing")
        return 1
    results = sw.Results()
    work = tempfile.mkdtemp(prefix="tb-serve-")
    profile = os.path.join(work, "profile")
    os.mkdir(profile)
    log_path = os.path.join(work, "thunderbird.log")
    with open(os.environ["WORLD_CA"]) as f:
        pem = f.read()
    ca_b64 = "".join(line for line in pem.splitlines() if "-----" not in line)
    os.environ["HOME"] = work  # Thunderbird's other files stay in the temporary folder
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
            cases = [{"domain": d, "email": sw.ADDRESSES[d], "password": sw.PASSWORD,
                      "ispdb": sw.ISPDB_MIRROR if sub == "xml-from-db" else NO_ISPDB} for d, sub in CASES]
            found = m.send("WebDriver:ExecuteScript", {"script": TB_LOOKUP,
                                                       "args": [ca_b64, cases],
                                                       "scriptTimeout": 120000})["value"]
            for (domain, want_sub), f in zip(CASES, found):
                results.check("Thunderbird %s: %s gives the site file's servers" % (domain, want_sub),
                              compare(f, domain, want_sub), "%d ms" % f.get("ms", 0))
            email = sw.ADDRESSES[VERIFY_LOGIN]
            verified = m.send("WebDriver:ExecuteScript", {"script": TB_VERIFY,
                                                          "args": [VERIFY_LOGIN, email, sw.PASSWORD],
                                                          "scriptTimeout": 60000})["value"]
            problems = [] if verified.get("ok") else ["ConfigVerifier: %s" % verified.get("error")]
            logins = re.findall(r"imap-login: Info: Login: user=<%s>" % re.escape(email), sw.mail_logs())
            if not logins:
                problems.append("no IMAP login of %s in the Dovecot logs" % email)
            results.check("Thunderbird logs in with the %s configuration (ConfigVerifier)" % VERIFY_LOGIN,
                          problems, "%s:%s" % (verified.get("hostname"), verified.get("port")))
            m.close()
        finally:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # Thunderbird's requests reached serve, .well-known among them.
    entries = sw.access_log()
    results.check("serve's access log shows Thunderbird's .well-known, ISPDB and POX requests",
                  [what for what in ("/.well-known/autoconfig/mail/config-v1.1.xml", "/v1.1/serve-ispdb.example",
                                     "/autodiscover/autodiscover.xml") if not sw.logged(entries, what)])
    results.check("serve exits 0 on SIGTERM, no sanitizer report", sw.stop_serve())
    if results.failed:
        with open(log_path, "rb") as f:
            print("--- Thunderbird's output (last 3000 bytes):\n" + f.read()[-3000:].decode("utf-8", "replace"))
    shutil.rmtree(work, ignore_errors=True)
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
