#!/usr/bin/env python3
"""`mailscout serve` end to end, as a process (no fake Internet needed).

Checks: a malformed site file stops the start with exit 2 and PATH:LINE;
--print-dns prints the SRV, Autodiscover SRV and CNAME lines; one process
serves plain HTTP and HTTPS at once; SIGHUP reloads a changed site, and a
bad reload keeps the old one; /mobileconfig signed with --sign-cert passes
`openssl cms -verify` against the signer's CA and the signed content parses
with plistutil; the access log masks local parts; SIGTERM ends with 0.
Prints one line per check and exits non-zero on any failure.
"""
import os
import re
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

MAILSCOUT = os.environ["MAILSCOUT"]
SOURCE = os.environ.get("MAILSCOUT_SOURCE_DIR", ".")
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures.append(name)


SITE = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{domain}">
    <domain>{domain}</domain>
    <displayName>{domain} mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.{domain}</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>mail.{domain}</hostname><port>110</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.{domain}</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""


def run(args, **kw):
    return subprocess.run([MAILSCOUT] + args, capture_output=True, text=True, timeout=30, **kw)


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def make_pki(d):
    """A CA, a server certificate for 127.0.0.1/localhost and a profile signer."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", d + "/ca.key", "-out", d + "/ca.pem", "-days", "2", "-subj", "/CN=serve test CA")
    for name, ext in (("server", "subjectAltName=IP:127.0.0.1,DNS:localhost"),
                      ("signer", "keyUsage=digitalSignature\nextendedKeyUsage=emailProtection")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", d + "/%s.key" % name, "-out", d + "/%s.csr" % name, "-subj", "/CN=" + name)
        with open(d + "/%s.ext" % name, "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", d + "/%s.csr" % name, "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
                "-CAcreateserial", "-out", d + "/%s.pem" % name, "-days", "2", "-extfile", d + "/%s.ext" % name)


def start(args, log):
    proc = subprocess.Popen([MAILSCOUT, "serve"] + args, stdout=subprocess.DEVNULL, stderr=log)
    urls = []
    deadline = time.time() + 10
    while time.time() < deadline and proc.poll() is None:
        with open(log.name) as f:
            urls = re.findall(r"listening on (\S+)", f.read())
        if len(urls) >= args.count("--listen") + args.count("--tls-listen"):
            return proc, urls
        time.sleep(0.05)
    raise RuntimeError("serve did not start: " + open(log.name).read())


def get(url, context=None, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5, context=context) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def main():
    with tempfile.TemporaryDirectory() as d:
        site = d + "/site"
        os.mkdir(site)
        with open(site + "/a.example.xml", "w") as f:
            f.write(SITE.format(domain="a.example"))

        # A malformed file: exit 2, naming the file and line.
        bad = d + "/bad"
        os.mkdir(bad)
        with open(bad + "/b.xml", "w") as f:
            f.write(SITE.format(domain="b.example").replace("<port>587</port>", "<port>x</port>"))
        r = run(["serve", "--providers", bad])
        check("malformed site file exits 2", r.returncode == 2, "exit %d" % r.returncode)
        check("error names path and line", (bad + "/b.xml:15: <port> 'x'") in r.stderr, r.stderr)
        r = run(["serve", "--providers", d + "/nope"])
        check("missing site folder exits 2", r.returncode == 2 and "does not exist" in r.stderr, r.stderr)
        r = run(["serve", "--providers", site, "--tls-listen", "127.0.0.1:0"])
        check("--tls-listen without a certificate exits 2", r.returncode == 2, r.stderr)

        # --print-dns
        r = run(["serve", "--providers", site, "--print-dns", "a.example",
                 "--base-url", "https://config.hoster.example"])
        out = r.stdout
        check("--print-dns exits 0", r.returncode == 0, r.stderr)
        for line in ("_imaps._tcp.a.example. 3600 IN SRV 0 1 993 imap.a.example.",
                     "_imap._tcp.a.example. 3600 IN SRV 0 0 0 .",
                     "_pop3._tcp.a.example. 3600 IN SRV 0 1 110 mail.a.example.",
                     "_submission._tcp.a.example. 3600 IN SRV 0 1 587 smtp.a.example.",
                     "_submissions._tcp.a.example. 3600 IN SRV 0 0 0 .",
                     "_autodiscover._tcp.a.example. 3600 IN SRV 0 0 443 config.hoster.example.",
                     "autoconfig.a.example. 3600 IN CNAME config.hoster.example.",
                     "autodiscover.a.example. 3600 IN CNAME config.hoster.example."):
            check("--print-dns: " + line, line in out.splitlines(), out)
        r = run(["serve", "--providers", site, "--print-dns", "other.example"])
        check("--print-dns for a domain not served exits 2", r.returncode == 2, r.stderr)

        # HTTP and HTTPS in one process, signed profiles.
        make_pki(d)
        log = open(d + "/serve.log", "w+")
        proc, urls = start(["--providers", site, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0",
                            "--tls-cert", d + "/server.pem", "--tls-key", d + "/server.key",
                            "--sign-cert", d + "/signer.pem", "--sign-key", d + "/signer.key",
                            "--sign-chain", d + "/ca.pem"], log)
        http, https = urls[0], urls[1]
        tls = ssl.create_default_context(cafile=d + "/ca.pem")
        status, body, _ = get(http + "/mail/config-v1.1.xml?emailaddress=alice%40a.example")
        check("plain HTTP autoconfig", status == 200 and b"imap.a.example" in body, str(status))
        status, body, _ = get(https + "/mail/config-v1.1.xml?emailaddress=alice%40a.example", tls)
        check("HTTPS autoconfig, certificate verified", status == 200 and b"imap.a.example" in body, str(status))
        status, body, headers = get(https + "/mobileconfig?emailaddress=alice%40a.example", tls)
        check("signed profile served", status == 200 and
              headers.get("Content-Type") == "application/x-apple-aspen-config", str(headers))
        with open(d + "/p.der", "wb") as f:
            f.write(body)
        v = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", d + "/p.der",
                            "-CAfile", d + "/ca.pem", "-purpose", "any", "-out", d + "/p.plist"],
                           capture_output=True, text=True)
        check("openssl cms -verify passes", v.returncode == 0, v.stderr)
        if os.path.exists("/usr/bin/plistutil"):
            p = subprocess.run(["plistutil", "-i", d + "/p.plist", "-f", "xml"], capture_output=True, text=True)
            check("signed content parses with plistutil", p.returncode == 0 and "imap.a.example" in p.stdout,
                  p.stderr)
        plist = open(d + "/p.plist").read()
        check("no password in the profile", "<key>IncomingPassword</key>" not in plist and
              "<key>OutgoingPassword</key>" not in plist)
        _, again, _ = get(https + "/mobileconfig?emailaddress=alice%40a.example", tls)
        v2 = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-CAfile", d + "/ca.pem",
                             "-purpose", "any"], input=again, capture_output=True)
        check("PayloadUUIDs are stable", v2.stdout == open(d + "/p.plist", "rb").read())

        # SIGHUP: a new domain appears; a bad file keeps the old site.
        status, _, _ = get(http + "/mail/config-v1.1.xml?emailaddress=bob%40c.example")
        check("c.example not served yet", status == 404, str(status))
        with open(site + "/c.example.xml", "w") as f:
            f.write(SITE.format(domain="c.example"))
        proc.send_signal(signal.SIGHUP)
        ok = False
        for _ in range(50):
            time.sleep(0.05)
            if get(http + "/mail/config-v1.1.xml?emailaddress=bob%40c.example")[0] == 200:
                ok = True
                break
        check("SIGHUP reload serves the new file", ok)
        with open(site + "/d.xml", "w") as f:
            f.write("<clientConfig><emailProvider>")
        proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        log.seek(0)
        text = log.read()
        check("a bad reload is logged with its reason", "reload failed, still serving the previous site: " +
              site + "/d.xml:" in text, text[-500:])
        status, _, _ = get(http + "/mail/config-v1.1.xml?emailaddress=bob%40c.example")
        check("a bad reload keeps the old site", status == 200, str(status))
        os.remove(site + "/d.xml")

        # The access log: one JSON line per request, local parts masked.
        check("access log masks local parts", "alice@" not in text and "bob@" not in text and
              '"address":"a***@a.example"' in text, text[-400:])
        status, body, _ = get(http + "/metrics")
        check("metrics count requests by endpoint and status",
              b'mailscout_http_requests_total{endpoint="autoconfig",status="404"}' in body, body[:300])

        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = -1
        check("SIGTERM ends with exit 0", code == 0, "exit %d" % code)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
