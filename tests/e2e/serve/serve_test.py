#!/usr/bin/env python3
"""`mailscout setup` finds its settings through each endpoint of `mailscout serve`.

Runs inside the fake Internet (scenario `serve`), where world.py started
`mailscout serve` with the site tests/world/scenarios/files/serve/site on the
hosts serve.json lists, HTTPS with a world-CA certificate and plain HTTP.
Each domain of the site is reachable through its own endpoints only (the other
host names do not exist in the world's DNS), so a setup that succeeds proves
that endpoint worked:

  serve-autoconfig.example   https/http://autoconfig.D/mail/config-v1.1.xml
  serve-wellknown.example    https/http://D/.well-known/autoconfig/mail/config-v1.1.xml
                             (POX lives on the same host D: that run skips autodiscover,
                             and a discover without --skip shows POX on D works too)
  serve-ispdb.example        --ispdb-url https://ispdb.serve-mirror.example/v1.1/
                             (and http://)
  serve-pox.example          POST https://autodiscover.D/autodiscover/autodiscover.xml
  serve-all.example          all of them at once (--all-sources)
  (_serve-dc.example is there for deltachat_test.py)

For each: setup exits 0 with a verified login; the source that found the
servers is the expected one and no other source found anything; the
candidates are exactly the site file's servers; the recommendation is one of
them; serve's access log shows the request. mailscout's discovery does not ask
Autodiscover v2 (autodiscover.json), so that endpoint is checked at the HTTP
level: its Url answers POX for the address. So are requests in the forms real
clients send beyond curl and mailscout (Delta Chat: an absolute-form request
target, POX by GET without a body) and 404 for a domain outside the site.

Apple profiles: /mobileconfig from the world's serve (which signs, with a
signer certificate from the world CA) and from a second, unsigned serve the
test starts itself on 127.0.0.1: both parse with plistutil, hold the site's
servers and no password; the signed one passes `openssl cms -verify -CAfile
$WORLD_CA`, the unsigned one is a plain plist.

Last, serve is stopped with SIGTERM and must exit 0 with no sanitizer report.
Prints one line per check and 'N passed, M failed'.
"""
import json
import os
import plistlib
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_world as sw  # noqa: E402

MAILSCOUT = os.environ["MAILSCOUT"]

results = sw.Results()


def run(args, timeout=90):
    env = dict(os.environ, MAILSCOUT_PASSWORD=sw.PASSWORD)
    t0 = time.monotonic()
    p = subprocess.run([MAILSCOUT] + args, capture_output=True, env=env, timeout=timeout)
    return p, time.monotonic() - t0


def site_servers(settings):
    return {(s["protocol"], s["host"], s["port"], s["security"])
            for s in settings["incoming"] + settings["outgoing"]}


def check_setup(name, address, found_by, extra_args=(), also_found=()):
    """setup ADDRESS: exit 0, verified, candidates = the site's servers, found
    only by `found_by` (and `also_found`), each candidate's detail naming
    the endpoint's URL."""
    site = sw.site_settings(address)
    args = ["setup", address, "--format", "json", "--no-login-ledger"] + list(extra_args)
    p, seconds = run(args)
    problems = []
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        results.check(name, ["exit %d, stdout is not JSON: %r; stderr: %s" % (
            p.returncode, p.stdout[:300], p.stderr.decode(errors="replace")[-1500:])])
        return None
    if p.returncode != 0:
        problems.append("exit %d (want 0); stderr: %s" % (p.returncode,
                                                          p.stderr.decode(errors="replace")[-800:]))
    found = {s["name"]: s for s in doc.get("sources", [])}
    wanted = {found_by} | set(also_found)
    for source in wanted:
        if found.get(source, {}).get("status") != "found":
            problems.append("source %s: %s (want found): %s" % (
                source, found.get(source, {}).get("status"), found.get(source, {}).get("detail", "")[:400]))
    for source, s in found.items():
        if s.get("status") == "found" and source not in wanted:
            problems.append("source %s also found servers (only %s should reach this domain): %s"
                            % (source, "/".join(sorted(wanted)), s.get("detail", "")[:300]))
    candidates = {(c["protocol"], c["host"], c["port"], c["security"]) for c in doc.get("candidates", [])}
    # The guess source is not asked once others answered; a port a source
    # named counts as that source. The set must be exactly the site's servers.
    if candidates != site_servers(site):
        problems.append("candidates %s != the site file's servers %s" % (
            sorted(candidates), sorted(site_servers(site))))
    for c in doc.get("candidates", []):
        if c["source"] not in wanted and c["source"].replace("-http", "") not in wanted:
            problems.append("candidate %s:%d from %s (%s)" % (c["host"], c["port"], c["source"], c["detail"]))
    rec = doc.get("recommended") or {}
    for kind in ("incoming", "outgoing"):
        r = rec.get(kind)
        if not r:
            problems.append("no recommended %s server" % kind)
            continue
        match = [s for s in site[kind] if (s["protocol"], s["host"], s["port"], s["security"]) ==
                 (r["protocol"], r["host"], r["port"], r["security"])]
        if not match:
            problems.append("recommended %s %s:%d %s is not in the site file" % (
                kind, r["host"], r["port"], r["security"]))
        elif r.get("username") != match[0]["username"]:
            problems.append("recommended %s username %r, the site file says %r" % (
                kind, r.get("username"), match[0]["username"]))
        if not r.get("verified"):
            problems.append("recommended %s not verified" % kind)
        if r.get("source") not in wanted:
            problems.append("recommended %s comes from %s, want %s" % (kind, r.get("source"), found_by))
    rec_in = rec.get("incoming") or {}
    rec_out = rec.get("outgoing") or {}
    detail = "%.1f s; %s: %s:%s %s as %s, %s:%s %s" % (
        seconds, found_by, rec_in.get("host"), rec_in.get("port"), rec_in.get("security"),
        rec_in.get("username"), rec_out.get("host"), rec_out.get("port"), rec_out.get("security"))
    results.check(name, problems, detail)
    return doc


def endpoint_logged(name, path_part, host=None):
    entries = sw.logged(sw.access_log(), path_part)
    if host:
        entries = [e for e in entries if host in json.dumps(e)] or entries
    results.check(name, [] if entries else ["serve's access log has no 200 answer for %s; log:\n%s" % (
        path_part, "\n".join(json.dumps(e) for e in sw.access_log()[-20:]))],
        "%d request(s)" % len(entries))


def http(url, data=None, headers=None, context=None):
    """(status, content type, body) of one request; the world CA is in the
    system bundle, so the default context verifies serve's certificate."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=20, context=context) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def check_https_certificate():
    """serve's HTTPS certificate verifies against the world CA alone, for every host
    name it serves (the clients below rely on that)."""
    ctx = ssl.create_default_context(cafile=os.environ["WORLD_CA"])
    problems = []
    for host in sw.serve_instance()["hosts"]:
        try:
            status, _, _ = http("https://%s/healthz" % host, context=ctx)
            if status != 200:
                problems.append("https://%s/healthz: HTTP %d" % (host, status))
        except (OSError, ssl.SSLError) as e:
            problems.append("https://%s/: %s" % (host, e))
    results.check("https certificate verifies for every serve host (world CA only)", problems,
                  "%d hosts" % len(sw.serve_instance()["hosts"]))


def pox_problems(body, site, address_given=True):
    """An Outlook POX answer names the site file's first incoming and first
    outgoing server (Outlook takes one of each), and nothing the file does not
    name. Asked without an address, it can name no LoginName (the client then
    uses the address)."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(body)
    except ET.ParseError as e:
        return ["not XML (%s): %r" % (e, body[:300])]
    got = []
    for proto in root.iter():
        if proto.tag.endswith("}Protocol") or proto.tag == "Protocol":
            fields = {child.tag.split("}")[-1]: (child.text or "") for child in proto}
            if fields.get("Type") in ("IMAP", "POP3", "SMTP"):
                got.append((fields["Type"].lower(), fields.get("Server"), int(fields.get("Port", 0)),
                            fields.get("LoginName")))
    def key(s):
        return (s["protocol"], s["host"], s["port"], s["username"] if address_given else None)
    named = {key(s) for s in site["incoming"] + site["outgoing"]}
    problems = ["POX names %s, which the site file does not" % (g,) for g in got if g not in named]
    for kind in ("incoming", "outgoing"):
        first = site[kind][0]
        if key(first) not in got:
            problems.append("POX lacks the site's first %s server %s:%d (it names %s)" % (
                kind, first["host"], first["port"], got))
    return problems


def check_autodiscover_v2():
    address = sw.ADDRESSES["serve-all.example"]
    problems = []
    url = ("https://autodiscover.serve-all.example/autodiscover/autodiscover.json/v1.0/%s"
           "?Protocol=AutodiscoverV1" % urllib.parse.quote(address))
    status, ctype, body = http(url)
    pox_url = None
    if status != 200 or "json" not in ctype:
        problems.append("GET %s: HTTP %d %s: %r" % (url, status, ctype, body[:200]))
    else:
        answer = json.loads(body)
        pox_url = answer.get("Url")
        if answer.get("Protocol") != "AutodiscoverV1" or not pox_url:
            problems.append("answer %r" % answer)
        elif not pox_url.startswith("https://") or not pox_url.lower().endswith(
                "/autodiscover/autodiscover.xml"):
            problems.append("Url %r is not an https POX URL" % pox_url)
    status, _, body = http(url.replace("AutodiscoverV1", "ActiveSync"))
    if status != 400:
        problems.append("Protocol=ActiveSync: HTTP %d (want 400)" % status)
    if pox_url:
        request = ('<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.'
                   'microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>'
                   '<EMailAddress>%s</EMailAddress><AcceptableResponseSchema>http://schemas.'
                   'microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'
                   '</AcceptableResponseSchema></Request></Autodiscover>' % address).encode()
        status, _, body = http(pox_url, data=request, headers={"Content-Type": "text/xml; charset=utf-8"})
        site = sw.site_settings(address)
        if status != 200:
            problems.append("POST %s: HTTP %d" % (pox_url, status))
        else:
            problems += pox_problems(body, site)
    results.check("Autodiscover v2 (autodiscover.json) points to a POX URL that answers", problems)


def check_client_request_forms():
    """Requests as real clients send them, beyond what curl and mailscout send:
    Delta Chat's HTTP client (hyper) puts the absolute URL in the request line
    (absolute-form, which RFC 9112 section 3.2.2 says a server MUST accept), and
    it fetches Outlook POX with a GET without a body, so the domain comes from
    the Host header."""
    import http.client as httpclient
    problems = []
    address = sw.ADDRESSES["serve-all.example"]
    host = "autoconfig.serve-all.example"
    url = "https://%s/mail/config-v1.1.xml?emailaddress=%s" % (host, urllib.parse.quote(address))
    conn = httpclient.HTTPSConnection(host, 443, context=ssl.create_default_context(), timeout=20)
    try:
        conn.request("GET", url, headers={"Host": host})  # the URL as is: absolute-form
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or b"clientConfig" not in body:
            problems.append("GET %s (absolute-form request target): HTTP %d %r" % (url, r.status, body[:120]))
    finally:
        conn.close()
    results.check("absolute-form request target (RFC 9112 3.2.2; Delta Chat's hyper client sends it)",
                  problems)
    problems = []
    pox_address = sw.ADDRESSES["serve-pox.example"]
    status, _, body = http("https://autodiscover.serve-pox.example/autodiscover/autodiscover.xml")
    if status != 200:
        problems.append("GET https://autodiscover.serve-pox.example/autodiscover/autodiscover.xml "
                        "(no body): HTTP %d %r" % (status, body[:120]))
    else:
        problems += pox_problems(body, sw.site_settings(pox_address), address_given=False)
    results.check("Outlook POX by GET without a body or address (Delta Chat's way): domain from Host",
                  problems)


def check_not_in_site():
    problems = []
    for url in ("https://ispdb.serve-mirror.example/v1.1/not-in-site.example",
                "https://serve-all.example/.well-known/autoconfig/mail/config-v1.1.xml"
                "?emailaddress=someone%40not-in-site.example",
                "https://serve-all.example/mobileconfig?emailaddress=someone%40not-in-site.example"):
        status, _, _ = http(url)
        if status != 404:
            problems.append("%s: HTTP %d (want 404)" % (url, status))
    results.check("a domain that is not in the site: 404 on every endpoint", problems)


def profile_problems(data, address, tmp, label):
    """A .mobileconfig plist: parses with plistutil, names the site's servers,
    holds no password."""
    problems = []
    raw = os.path.join(tmp, label + ".plist")
    xml_out = os.path.join(tmp, label + ".xml")
    with open(raw, "wb") as f:
        f.write(data)
    p = subprocess.run(["plistutil", "-i", raw, "-o", xml_out, "-f", "xml"], capture_output=True)
    if p.returncode != 0 or not os.path.exists(xml_out):
        return ["plistutil could not parse it (exit %d): %s" % (p.returncode, p.stderr.decode(errors="replace"))]
    with open(xml_out, "rb") as f:
        plist = plistlib.load(f)
    if plist.get("PayloadType") != "Configuration":
        problems.append("PayloadType %r" % plist.get("PayloadType"))
    mail = [c for c in plist.get("PayloadContent", []) if c.get("PayloadType") == "com.apple.mail.managed"]
    if len(mail) != 1:
        return problems + ["%d com.apple.mail.managed payloads (want 1)" % len(mail)]
    m = mail[0]
    site = sw.site_settings(address)
    incoming = [s for s in site["incoming"] if s["protocol"] in ("imap", "pop3")]
    want_in = {(s["host"], s["port"], s["security"] == "tls" or s["security"] == "starttls")
               for s in incoming}
    got_in = (m.get("IncomingMailServerHostName"), m.get("IncomingMailServerPortNumber"),
              m.get("IncomingMailServerUseSSL"))
    if got_in not in want_in:
        problems.append("incoming %r is not one of the site's %r" % (got_in, sorted(want_in)))
    want_out = {(s["host"], s["port"], True) for s in site["outgoing"]}
    got_out = (m.get("OutgoingMailServerHostName"), m.get("OutgoingMailServerPortNumber"),
               m.get("OutgoingMailServerUseSSL"))
    if got_out not in want_out:
        problems.append("outgoing %r is not one of the site's %r" % (got_out, sorted(want_out)))
    if m.get("EmailAddress") != address:
        problems.append("EmailAddress %r" % m.get("EmailAddress"))
    for key in ("IncomingPassword", "OutgoingPassword"):
        if key in m:
            problems.append("holds %s" % key)
    if sw.PASSWORD.encode() in data:
        problems.append("the account's password is in the file")
    return problems


def start_unsigned_serve(tmp):
    """A second serve, unsigned, on 127.0.0.1 with the same site; returns (proc, base URL)."""
    log = open(os.path.join(tmp, "unsigned-serve.log"), "wb")
    port = 18080
    proc = subprocess.Popen([MAILSCOUT, "serve", "--providers", sw.serve_instance()["providers"],
                             "--listen", "127.0.0.1:%d" % port], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with open(log.name, errors="replace") as f:
            if "listening on http://127.0.0.1:%d" % port in f.read():
                return proc, "http://127.0.0.1:%d" % port
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    return proc, None


def check_profiles():
    address = sw.ADDRESSES["serve-all.example"]
    tmp = tempfile.mkdtemp(prefix="serve-profiles-")
    query = "/mobileconfig?emailaddress=" + urllib.parse.quote(address)
    # Signed, by the world's serve (--sign-cert/--sign-key from world.py).
    status, ctype, signed = http("https://serve-all.example" + query)
    problems = []
    if status != 200 or "application/x-apple-aspen-config" not in ctype:
        problems.append("HTTP %d %s" % (status, ctype))
    else:
        path = os.path.join(tmp, "signed.mobileconfig")
        with open(path, "wb") as f:
            f.write(signed)
        content = os.path.join(tmp, "signed-content.plist")
        # Only the file: the world CA is also in the system store, which openssl reads too.
        only = ["-no-CApath", "-no-CAstore"]
        p = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", path,
                            "-CAfile", os.environ["WORLD_CA"], "-out", content] + only, capture_output=True)
        if p.returncode != 0:
            problems.append("openssl cms -verify -CAfile $WORLD_CA failed: %s" % p.stderr.decode(errors="replace"))
        else:
            with open(content, "rb") as f:
                problems += profile_problems(f.read(), address, tmp, "signed")
            signers = os.path.join(tmp, "signers.pem")
            subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", path, "-noverify",
                            "-signer", signers, "-out", os.devnull], capture_output=True)
            subject = subprocess.run(["openssl", "x509", "-in", signers, "-noout", "-subject"],
                                     capture_output=True, text=True).stdout.strip()
            if "profile signer" not in subject:
                problems.append("signed by %r, not the world's profile signer" % subject)
            # Another CA must not verify it: the signature is really checked.
            other = os.path.join(tmp, "other-ca.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                            "-nodes", "-keyout", os.path.join(tmp, "other.key"), "-out", other,
                            "-subj", "/CN=other", "-days", "1"], capture_output=True, check=True)
            p = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", path,
                                "-CAfile", other, "-out", os.devnull] + only, capture_output=True)
            if p.returncode == 0:
                problems.append("openssl cms -verify also passed with an unrelated CA")
    results.check("signed profile: plistutil parses it, openssl cms -verify -CAfile $WORLD_CA passes, "
                  "no password", problems, "%d bytes" % len(signed))

    proc, base = start_unsigned_serve(tmp)
    problems = []
    unsigned = b""
    if base is None:
        problems.append("the unsigned serve did not start: %s" % open(
            os.path.join(tmp, "unsigned-serve.log"), errors="replace").read()[-1500:])
    else:
        status, ctype, unsigned = http(base + query)
        if status != 200 or "application/x-apple-aspen-config" not in ctype:
            problems.append("HTTP %d %s" % (status, ctype))
        else:
            problems += profile_problems(unsigned, address, tmp, "unsigned")
            p = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-noverify",
                                "-in", "/dev/stdin", "-out", os.devnull], input=unsigned, capture_output=True)
            if p.returncode == 0:
                problems.append("the unsigned profile is a CMS message")
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=15)
            if code != 0:
                problems.append("the unsigned serve exited with %d on SIGTERM (want 0)" % code)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            problems.append("the unsigned serve did not exit within 15 s of SIGTERM")
    problems += sw.sanitizer_reports(os.path.join(tmp, "unsigned-serve.log"))
    results.check("unsigned profile (second serve, no --sign-*): plistutil parses it, no password", problems,
                  "%d bytes" % len(unsigned))
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    for tool in ("plistutil", "openssl"):
        if not shutil.which(tool):
            print("FAIL: %s is not installed (scripts/bootstrap installs it)" % tool)
            return 1
    check_https_certificate()

    check_setup("setup via autoconfig (autoconfig.D, https and http)",
                sw.ADDRESSES["serve-autoconfig.example"], "autoconfig", also_found=["autoconfig-http"],
                extra_args=["--all-sources"])
    endpoint_logged("serve answered /mail/config-v1.1.xml", "/mail/config-v1.1.xml")

    check_setup("setup via .well-known (D; autodiscover skipped: POX shares the host)",
                sw.ADDRESSES["serve-wellknown.example"], "well-known", also_found=["well-known-http"],
                extra_args=["--all-sources", "--skip", "autodiscover"])
    endpoint_logged("serve answered /.well-known/autoconfig/mail/config-v1.1.xml",
                    "/.well-known/autoconfig/mail/config-v1.1.xml")
    p, _ = run(["discover", sw.ADDRESSES["serve-wellknown.example"], "--format", "json", "--all-sources"])
    doc = json.loads(p.stdout or b"{}")
    statuses = {s["name"]: s["status"] for s in doc.get("sources", [])}
    results.check("discover on the .well-known domain also finds POX at https://D/autodiscover/",
                  [] if statuses.get("autodiscover") == "found" and statuses.get("well-known") == "found"
                  else ["sources: %s" % statuses])

    check_setup("setup via the ISPDB mirror (--ispdb-url https://.../v1.1/)",
                sw.ADDRESSES["serve-ispdb.example"], "ispdb", extra_args=["--ispdb-url", sw.ISPDB_MIRROR])
    endpoint_logged("serve answered /v1.1/serve-ispdb.example", "/v1.1/serve-ispdb.example")
    p, _ = run(["discover", sw.ADDRESSES["serve-ispdb.example"], "--format", "json",
                "--ispdb-url", sw.ISPDB_MIRROR.replace("https://", "http://")])
    doc = json.loads(p.stdout or b"{}")
    statuses = {s["name"]: s["status"] for s in doc.get("sources", [])}
    results.check("discover through the ISPDB mirror over plain http",
                  [] if statuses.get("ispdb") == "found" else ["sources: %s" % statuses])

    check_setup("setup via Outlook POX (autodiscover.D)",
                sw.ADDRESSES["serve-pox.example"], "autodiscover", extra_args=["--all-sources"])
    endpoint_logged("serve answered POST /autodiscover/autodiscover.xml", "/autodiscover/autodiscover.xml")

    check_setup("setup with every endpoint (serve-all.example)", sw.ADDRESSES["serve-all.example"],
                "autoconfig", also_found=["well-known", "autodiscover", "autoconfig-http", "well-known-http"],
                extra_args=["--all-sources"])

    check_autodiscover_v2()
    check_client_request_forms()
    check_not_in_site()
    check_profiles()
    results.check("serve exits 0 on SIGTERM, no sanitizer report", sw.stop_serve())
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
