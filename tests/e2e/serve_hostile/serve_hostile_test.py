#!/usr/bin/env python3
"""Hostile requests against `mailscout serve`: every one ends cleanly.

Starts three real servers on 127.0.0.1 (port 0) from a temporary site with one
ISPDB file, talks raw HTTP/1.1 to them over sockets (Python stdlib only) and
checks, case by case:

  - bodies over 64 KiB get 413 and the connection closes without a reset
    (the answer reaches a client that is still sending); heads over 16 KiB
    or with more than 64 fields get 431;
  - slowloris (a byte every second), a slow body, a silent connection, a
    silent TLS connection and an idle keep-alive connection are closed at
    their deadline: the default 10 s header deadline on one server, 2 s on a
    server started with --header-timeout 2 --idle-timeout 2;
  - entity bombs, external entities, a DOCTYPE and 9000 nested elements in
    the Autodiscover POX body get 400 at once, and 300 of them do not make
    the server grow;
  - path tricks (/../, %2e%2e, %00, //, absolute-form URLs, very long paths,
    /static/../page.html, /v1.1/../../etc/passwd) get 400 or 404 and never a
    file's content;
  - malformed, conflicting and oversized Content-Length get 400 (or 413);
    Transfer-Encoding gets 501; HTTP/2.0 gets 505;
  - pipelined requests are answered in order, 2000 at once included, with the
    server's memory bounded while the client writes faster than it reads;
  - 10 000 idle connections (1500 of them TLS, 1000 with the handshake done)
    stay open while a separate client process sees normal GETs answered
    with p99 < 100 ms, the server's RSS stays bounded, a connection over
    --max-connections is closed at accept, and closing them all brings the
    server's open connections back down.
After everything each server still answers /healthz and stops with exit 0 on
SIGTERM.

Environment: MAILSCOUT (the binary), MAILSCOUT_SOURCE_DIR (for web/),
MAILSCOUT_SANITIZED=1 (ASan build: no memory bounds, as ASan's shadow memory and
quarantine dominate RSS, and 3x the latency bound),
SERVE_HOSTILE_IDLE (override the number of idle connections).
Arguments: names of cases to run (substring match); none = all.
Prints one line per case and 'N passed, M failed'; server logs and a
summary (serve_hostile.json) go to ./serve_hostile_out/.
"""
import json
import os
import re
import resource
import select
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("MAILSCOUT_SOURCE_DIR", os.path.abspath(os.path.join(HERE, "..", "..", "..")))
MAILSCOUT = os.environ.get("MAILSCOUT", os.path.join(SOURCE_DIR, "build", "mailscout"))
SANITIZED = os.environ.get("MAILSCOUT_SANITIZED", "0") == "1"
# 10 000 idle connections in both builds: under ASan they take about 20 s more
# CPU and 350 MB (its shadow memory), which the CI machine has; lower it with
# SERVE_HOSTILE_IDLE for a smaller machine.
IDLE = int(os.environ.get("SERVE_HOSTILE_IDLE", "10000"))
IDLE_TLS_HANDSHAKEN = IDLE // 10   # TLS connections with the handshake done
IDLE_TLS_SILENT = IDLE // 20       # TLS port, no ClientHello
P99_LIMIT_MS = 100.0
RSS_LIMIT_KB = 50 * 1024           # the idle server, 10 000 connections open
GROWTH_LIMIT_KB = 8 * 1024         # after 300 bombs / 2000 pipelined requests
OUT = os.path.abspath("serve_hostile_out")

SITE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="hostile.example">
    <domain>hostile.example</domain>
    <displayName>Hostile Example</displayName>
    <incomingServer type="imap">
      <hostname>imap.hostile.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.hostile.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""

POX = ('<?xml version="1.0" encoding="utf-8"?>'
       '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
       '<Request><EMailAddress>%s</EMailAddress>'
       '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'
       '</AcceptableResponseSchema></Request></Autodiscover>')


STARTED = []  # every server started, for the final clean-up


class Failure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


# ---- servers ----

class Server:
    def __init__(self, name, workdir, site, extra):
        self.name = name
        self.err_path = os.path.join(OUT, name + ".stderr")
        self.log_path = os.path.join(OUT, name + ".access.jsonl")
        args = [MAILSCOUT, "serve", "--providers", site, "--listen", "127.0.0.1:0"] + extra
        if "--access-log" not in extra:
            args += ["--access-log", self.log_path]
        self.args = args
        STARTED.append(self)
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        self.http = self.https = None
        deadline = time.time() + (30 if SANITIZED else 10)
        while time.time() < deadline:
            text = open(self.err_path).read()
            http = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", text)
            https = re.findall(r"listening on https://127\.0\.0\.1:(\d+)", text)
            if http and ("--tls-listen" not in extra or https):
                self.http = int(http[0])
                self.https = int(https[0]) if https else None
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise SystemExit("serve %s did not start: %s" % (name, open(self.err_path).read()[-2000:]))

    def status(self, field):
        """VmRSS, VmHWM... of the server process, in kB."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def rss(self):
        return self.status("VmRSS")

    def metric(self, name):
        status, _, body = request(self.http, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        expect(status == 200, "/metrics answered %s" % status)
        m = re.search(r"^%s(?:\{[^}]*\})? ([0-9.e+]+)$" % re.escape(name), body.decode(), re.M)
        return float(m.group(1)) if m else None

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30 if SANITIZED else 10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = "hung (killed)"
        self.err.close()
        return code


# ---- raw HTTP ----

class Client:
    """One connection; sends raw bytes and reads whole responses."""

    def __init__(self, port, timeout=5.0, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def response(self):
        """(status, headers dict, body); raises EOFError/OSError/timeout."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, headers, body

    def end(self, timeout):
        """How the connection ends within timeout: 'eof', 'reset' or 'open'
        (bytes that still come are read and dropped)."""
        self.sock.settimeout(timeout)
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                self.sock.settimeout(max(0.01, deadline - time.time()))
                if not self.sock.recv(65536):
                    return "eof"
        except ConnectionResetError:
            return "reset"
        except (socket.timeout, ssl.SSLError):
            return "open"
        return "open"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def request(port, raw, timeout=5.0):
    c = Client(port, timeout)
    try:
        c.send(raw)
        return c.response()
    finally:
        c.close()


def answered_then_closed(port, raw, want, close_within=3.0):
    """Send raw; the answer is `want` (a status or a set) and the connection
    ends with a clean EOF within close_within seconds. Returns the body."""
    c = Client(port)
    try:
        try:
            c.send(raw)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise Failure("the server reset the connection while we sent: %s" % e)
        status, headers, body = c.response()
        wants = want if isinstance(want, (set, tuple)) else {want}
        expect(status in wants, "status %d, want %s (%r)" % (status, sorted(wants), body[:120]))
        expect(headers.get("connection") == "close", "no Connection: close on %d" % status)
        how = c.end(close_within)
        expect(how == "eof", "after %d the connection ended with %s, want a clean close" % (status, how))
        return body
    finally:
        c.close()


# ---- cases ----

def case_oversized_body(s):
    head = ("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.hostile.example\r\n"
            "Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n")
    # The whole 200 KB sent at once: the 413 must arrive and the close be clean.
    body = b"<" * 200000
    answered_then_closed(s.http, head % len(body) + body.decode(), 413)
    # Only the head: the 413 comes without waiting for the body.
    t0 = time.time()
    answered_then_closed(s.http, head % (64 * 1024 + 1), 413)
    expect(time.time() - t0 < 1.0, "the 413 for a head alone took %.1f s" % (time.time() - t0))
    # A client that keeps sending forever is cut off (lingering is bounded).
    c = Client(s.http)
    c.send(head % 100000000)
    status, _, _ = c.response()
    expect(status == 413, "status %d for a 100 MB announcement" % status)
    sent, t0, ended = 0, time.time(), None
    try:
        while time.time() - t0 < 8:
            c.sock.sendall(b"x" * 65536)
            sent += 65536
    except OSError as e:
        ended = e
    c.close()
    expect(ended is not None, "the server read %d MB of a refused body for 8 s" % (sent >> 20))
    expect(sent < 16 << 20, "the server took %d MB of a refused body" % (sent >> 20))
    # Exactly 64 KiB is allowed: a POX request padded with whitespace.
    pox = POX % "a@hostile.example"
    pox = pox + " " * (64 * 1024 - len(pox))
    status, _, body = request(s.http, head % len(pox) + pox)
    expect(status == 200 and b"imap.hostile.example" in body,
           "a 64 KiB POX body got %d %r" % (status, body[:100]))
    return "413 + clean close; 64 KiB accepted; a 100 MB sender cut off after %.1f MB" % (sent / 1e6)


def case_oversized_head(s):
    big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n" % ("a" * (17 * 1024))
    answered_then_closed(s.http, big, 431)
    many = "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "".join("X-%d: y\r\n" % i for i in range(70)) + "\r\n"
    answered_then_closed(s.http, many, 431)
    # A head that never ends (no empty line): refused once past 16 KiB.
    endless = "GET /healthz HTTP/1.1\r\n" + "X-Pad: aaaaaaaaaaaaaaaa\r\n" * 2000
    answered_then_closed(s.http, endless, 431)
    # Just under the limit is fine.
    ok = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n" % ("a" * (15 * 1024))
    status, _, _ = request(s.http, ok)
    expect(status == 200, "a 15 KiB head got %d" % status)
    return "431 for 17 KiB, 70 fields, an endless head; 15 KiB answered"


def readable(sock, timeout):
    poller = select.poll()  # not select(): descriptors pass 1024 in the idle case
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(int(timeout * 1000)))


def drip(port, data, interval, limit):
    """Send data a byte every `interval` s; returns (seconds until the
    server closed, what it answered)."""
    c = Client(port, timeout=limit)
    t0 = time.time()
    answer = b""
    try:
        for i in range(len(data)):
            r = readable(c.sock, 0 if i == 0 else interval)
            if r:
                chunk = c.sock.recv(65536)
                answer += chunk
                if not chunk:
                    return time.time() - t0, answer
            c.sock.send(data[i:i + 1])
            if time.time() - t0 > limit:
                return None, answer
        while time.time() - t0 < limit:
            r = readable(c.sock, 0.2)
            if r:
                chunk = c.sock.recv(65536)
                answer += chunk
                if not chunk:
                    return time.time() - t0, answer
        return None, answer
    except (ConnectionResetError, BrokenPipeError):
        return time.time() - t0, answer
    finally:
        c.close()


def silent(port, limit, tls_hello=False):
    """Connect, send nothing; seconds until the server closed (None: not
    within limit)."""
    c = Client(port, timeout=limit)
    t0 = time.time()
    try:
        while time.time() - t0 < limit:
            if not c.sock.recv(65536):
                return time.time() - t0
    except socket.timeout:
        return None
    except ConnectionResetError:
        return time.time() - t0
    finally:
        c.close()
    return None


SLOWLORIS = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: " + b"b" * 200


def between(what, seconds, low, high):
    expect(seconds is not None, "%s: still open after %.0f s" % (what, high))
    expect(low <= seconds <= high, "%s: closed after %.1f s, want %.1f..%.1f" % (what, seconds, low, high))


def case_slowloris_default(s, background):
    """The default 10 s header deadline; runs in a thread beside the others."""
    took, answer = background.result()
    between("slowloris at the default 10 s deadline", took, 9.5, 12.5)
    expect(answer == b"" or answer.startswith(b"HTTP/1.1 408"), "answer %r" % answer[:60])
    return "a byte a second: closed after %.1f s (default deadline 10 s)" % took


def case_deadlines(short):
    results = {}
    threads = []

    def run(name, fn, *args):
        def body():
            results[name] = fn(*args)
        t = threading.Thread(target=body)
        t.start()
        threads.append(t)

    run("slowloris", drip, short.http, SLOWLORIS, 1.0, 8)
    run("slow body", drip, short.http,
        b"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n"
        + (POX % "a@hostile.example").encode()[:300], 0.5, 8)
    run("silent", silent, short.http, 8)
    run("silent tls", silent, short.https, 8)
    run("short body", drip, short.http,
        b"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc", 0.01, 8)

    def keepalive_idle():
        c = Client(short.http, timeout=8)
        try:
            c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status, _, _ = c.response()
            expect(status == 200, "healthz %d" % status)
            t0 = time.time()
            how = c.end(8)
            return (time.time() - t0 if how == "eof" else None), b""
        finally:
            c.close()
    run("idle keep-alive", keepalive_idle)
    for t in threads:
        t.join()
    parts = []
    for name in ("slowloris", "slow body", "short body", "idle keep-alive"):
        took, answer = results[name]
        between(name, took, 1.5, 4.0)
        expect(answer == b"" or answer.startswith(b"HTTP/1.1 408"), "%s: answer %r" % (name, answer[:60]))
        parts.append("%s %.1f s" % (name, took))
    for name in ("silent", "silent tls"):
        between(name, results[name], 1.5, 4.0)
        parts.append("%s %.1f s" % (name, results[name]))
    return "--header-timeout 2 --idle-timeout 2: " + ", ".join(parts)


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">""" + "".join(
    '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)) + """]>
<Autodiscover><Request><EMailAddress>&lol9;@hostile.example</EMailAddress></Request></Autodiscover>"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Autodiscover><Request><EMailAddress>&xxe;</EMailAddress></Request></Autodiscover>"""

DOCTYPE_ONLY = """<?xml version="1.0"?>
<!DOCTYPE Autodiscover SYSTEM "http://127.0.0.1:1/evil.dtd">
<Autodiscover><Request><EMailAddress>a@hostile.example</EMailAddress></Request></Autodiscover>"""

PARAM = """<?xml version="1.0"?>
<!DOCTYPE a [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>
<Autodiscover><Request><EMailAddress>a@hostile.example</EMailAddress></Request></Autodiscover>"""

DEEP = "<Autodiscover><Request>" + "<a>" * 9000 + "</a>" * 9000 + \
       "<EMailAddress>a@hostile.example</EMailAddress></Request></Autodiscover>"


def pox_post(port, body, keep=True):
    return ("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.hostile.example\r\n"
            "Content-Type: text/xml\r\nContent-Length: %d\r\n%s\r\n%s"
            % (len(body.encode()), "" if keep else "Connection: close\r\n", body))


def case_entity_bombs(s):
    worst = 0.0
    for name, body in (("billion laughs", BOMB), ("external entity", XXE), ("doctype", DOCTYPE_ONLY),
                       ("parameter entity", PARAM), ("9000 nested", DEEP)):
        expect(len(body) < 64 * 1024, "%s is %d bytes" % (name, len(body)))
        t0 = time.time()
        status, _, answer = request(s.http, pox_post(s.http, body))
        took = time.time() - t0
        worst = max(worst, took)
        expect(status == 400, "%s: status %d %r" % (name, status, answer[:100]))
        expect(b"root:" not in answer and b"lollol" not in answer, "%s leaked: %r" % (name, answer[:200]))
        expect(took < (2.0 if SANITIZED else 0.5), "%s took %.2f s" % (name, took))
    # 300 more on keep-alive connections: no growth.
    before = s.rss()
    c = Client(s.http)
    try:
        for i in range(300):
            c.send(pox_post(s.http, (BOMB, XXE, DEEP)[i % 3]))
            status, _, _ = c.response()
            expect(status == 400, "bomb %d: status %d" % (i, status))
    finally:
        c.close()
    growth = s.rss() - before
    if not SANITIZED:
        expect(growth < GROWTH_LIMIT_KB, "RSS grew by %d kB over 300 bombs" % growth)
    return "5 kinds -> 400 in at most %.0f ms; 300 more: RSS %+d kB" % (worst * 1000, growth)


PATH_TRICKS = [
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/static/../page.html",
    "/static/..%2fpage.html",
    "/static/%2e%2e/page.html",
    "/static/page.html",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/helpdesk.css%00.html",
    "/static/helpdesk.css/.",
    "/static/./helpdesk.css/..",
    "/static/%00",
    "/%00",
    "/%00/../../etc/passwd",
    "//etc/passwd",
    "///etc//passwd",
    "/v1.1/../../etc/passwd",
    "/v1.1/..%2f..%2fetc%2fpasswd",
    "/v1.1/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/v1.1/hostile.example/../../../etc/passwd",
    "/download/../../../../etc/passwd",
    "/download/..%2f..%2fetc%2fpasswd?emailaddress=a@hostile.example",
    "/mail/config-v1.1.xml/../../../etc/passwd",
    "/.well-known/../../etc/passwd",
    "/autodiscover/autodiscover.json/v1.0/..%2f..%2fetc%2fpasswd?Protocol=AutodiscoverV1",
    "/\\..\\..\\etc\\passwd",
    "/%5c..%5c..%5cetc%5cpasswd",
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    "/proc/self/environ",
    "/" + "a" * 15000,
    "/v1.1/" + "b" * 15000,
    "/static/" + "../" * 4000 + "etc/passwd",
    # absolute-form (RFC 9112 3.2.2): read as its path, so the same rules hold
    "http://127.0.0.1/etc/passwd",
    "https://127.0.0.1/../../etc/passwd",
    "http://127.0.0.1/static/..%2fpage.html",
    "HTTP://x/%2e%2e/%2e%2e/etc/passwd",
    "http:///etc/passwd",
]
# Not a path: refused by the parser.
BAD_TARGETS = ["*", "..", "etc/passwd", "%2e%2e/etc/passwd", "ftp://127.0.0.1/etc/passwd",
               "file:///etc/passwd"]


def case_path_tricks(s):
    secrets = [b"root:", b"<!doctype html", b"PATH=", b"MAILSCOUT"]
    statuses = {}
    for target in PATH_TRICKS:
        status, _, body = request(s.http, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target)
        expect(status in (400, 404), "%s -> %d" % (target[:80], status))
        for secret in secrets:
            expect(secret not in body.lower() if secret.islower() else secret not in body,
                   "%s -> body with %r" % (target[:80], secret))
        statuses[status] = statuses.get(status, 0) + 1
    for target in BAD_TARGETS:
        answered_then_closed(s.http, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target, 400)
    # A target with raw control bytes and a path with spaces.
    answered_then_closed(s.http, "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400)
    for target in ("/\x01", "/a\x7f", "/healthz\x00", "/healthz%00", "/static/helpdesk.css%00.html",
                   "/%00/../../etc/passwd"):
        answered_then_closed(s.http, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target, 400)
    # 17 KiB of path: the head is too large.
    answered_then_closed(s.http, "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n" % ("a" * 17000), 431)
    # The real assets still come, unchanged.
    status, _, css = request(s.http, "GET /static/helpdesk.css HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(status == 200 and css == open(os.path.join(SOURCE_DIR, "web", "helpdesk.css"), "rb").read(),
           "/static/helpdesk.css -> %d" % status)
    return "%d tricks -> %s; %d non-path targets -> 400; 17 KiB path -> 431" % (
        len(PATH_TRICKS), ", ".join("%d x%d" % kv for kv in sorted(statuses.items())), len(BAD_TARGETS))


def case_content_length(s):
    base = "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: x\r\n%s\r\n" + POX % "a@hostile.example"
    n = len(POX % "a@hostile.example")
    cases = {
        "Content-Length: abc\r\n": 400,
        "Content-Length: -1\r\n": 400,
        "Content-Length: +%d\r\n" % n: 400,
        "Content-Length: 1e3\r\n": 400,
        "Content-Length: 0x10\r\n": 400,
        "Content-Length: %d, %d\r\n" % (n, n): 400,
        "Content-Length: \r\n": 400,
        "Content-Length: %d\r\nContent-Length: %d\r\n" % (n, n + 1): 400,
        "Content-Length: 99999999999999999999\r\n": (400, 413),
        "Content-Length: 4294967296\r\n": (400, 413),
        "Content-Length : %d\r\n" % n: 400,
    }
    for header, want in cases.items():
        answered_then_closed(s.http, base % header, set(want) if isinstance(want, tuple) else want)
    # Two equal fields are one length: answered.
    status, _, _ = request(s.http, base % ("Content-Length: %d\r\nContent-Length: %d\r\n" % (n, n)))
    expect(status == 200, "two equal Content-Length: %d" % status)
    # A length shorter than the body: the rest is the next request, which is garbage.
    c = Client(s.http)
    try:
        c.send(base % ("Content-Length: 10\r\n") + "\r\n\r\n")
        status, _, _ = c.response()
        expect(status == 400, "a short Content-Length: %d" % status)
        status, _, _ = c.response()
        expect(status == 400, "the rest of the body as a request: %d" % status)
        expect(c.end(3) == "eof", "not closed after the garbage")
    finally:
        c.close()
    return "%d malformed or conflicting lengths -> 400/413 and close; a short one -> 400, 400, close" % len(cases)


def case_transfer_encoding(s):
    chunked = ("POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: x\r\n%s\r\n"
               "5\r\nhello\r\n0\r\n\r\n")
    for header in ("Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n",
                   "transfer-encoding: CHUNKED\r\n", "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                   "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"):
        answered_then_closed(s.http, chunked % header, 501)
    answered_then_closed(s.http, "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505)
    answered_then_closed(s.http, "GET /healthz HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400)
    answered_then_closed(s.http, "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", 400)
    answered_then_closed(s.http, "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n", 400)
    answered_then_closed(s.http, "G\x00T /healthz HTTP/1.1\r\n\r\n", 400)
    answered_then_closed(s.http, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + "\x00" * 40 + "\r\n\r\n", 400)
    return "chunked (5 spellings) -> 501; HTTP/2.0 -> 505; folding, bad names, binary -> 400"


def case_pipelined(s):
    c = Client(s.http)
    try:
        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /mail/config-v1.1.xml?emailaddress=a%40hostile.example HTTP/1.1\r\nHost: x\r\n\r\n"
               + pox_post(s.http, POX % "b@hostile.example")
               + "GET /v1.1/nothere.example HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               "GARBAGE\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        got = [c.response() for _ in range(6)]
        statuses = [g[0] for g in got]
        expect(statuses == [200, 200, 200, 404, 200, 400], "pipelined statuses %s" % statuses)
        expect(b"imap.hostile.example" in got[1][2] and b"<clientConfig" in got[1][2], "autoconfig body")
        expect(b"b@hostile.example" in got[2][2], "POX body")
        expect(c.end(3) == "eof", "not closed after the garbage (the 7th request must not be answered)")
    finally:
        c.close()
    # 2000 requests written by one thread while another reads slowly: the
    # server pauses reading instead of buffering answers without bound.
    before = s.rss()
    count = 2000
    c = Client(s.http, timeout=20)
    one = "GET /mail/config-v1.1.xml?emailaddress=a%40hostile.example HTTP/1.1\r\nHost: x\r\n\r\n"
    writer_error = []

    def writer():
        try:
            c.sock.sendall((one * count).encode())
        except OSError as e:
            writer_error.append(e)
    t = threading.Thread(target=writer)
    t.start()
    time.sleep(1.0)  # the client reads nothing for a second
    peak = s.rss()
    ok = 0
    try:
        for _ in range(count):
            status, _, body = c.response()
            ok += status == 200 and body.startswith(b"<?xml")
    finally:
        t.join()
        c.close()
    expect(not writer_error, "writer: %s" % writer_error)
    expect(ok == count, "%d of %d pipelined answers" % (ok, count))
    growth = peak - before
    if not SANITIZED:
        expect(growth < GROWTH_LIMIT_KB, "RSS grew %d kB while answers piled up" % growth)
    return "6 in one write answered in order, closed at the garbage; %d pipelined, reader paused 1 s: RSS %+d kB" % (
        count, growth)


# ---- 10 000 idle connections ----

def probe_client(port, seconds, out_path):
    """Separate process: normal GETs (keep-alive and a fresh connection
    each, alternately) every 10 ms, for at most `seconds` or until
    out_path + ".stop" exists; writes latencies to out_path."""
    target = "GET /mail/config-v1.1.xml?emailaddress=p%40hostile.example HTTP/1.1\r\nHost: x\r\n\r\n"
    lat, errors = [], []
    keep = None
    end = time.time() + seconds
    i = 0
    while time.time() < end and not os.path.exists(out_path + ".stop"):
        i += 1
        t0 = time.perf_counter()
        try:
            if i % 2 == 0:
                if keep is None:
                    keep = Client(port, timeout=5)
                keep.send(target)
                status, _, body = keep.response()
            else:
                status, _, body = request(port, target)
            if status != 200 or b"imap.hostile.example" not in body:
                errors.append("status %d" % status)
            lat.append((time.perf_counter() - t0) * 1000)
        except Exception as e:  # noqa: BLE001 - every failure is a result here
            errors.append(repr(e))
            if keep is not None:
                keep.close()
                keep = None
        time.sleep(0.01)
    with open(out_path, "w") as f:
        json.dump({"latencies_ms": lat, "errors": errors[:20], "error_count": len(errors)}, f)


def open_idle(port, count, tls_handshaken=0, tls_port=None, tls_silent=0):
    """Opens count plain + tls_handshaken + tls_silent idle connections."""
    socks = []

    def connect_many(p, n):
        pending = []
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", p))
            pending.append(s)
        for s in pending:  # wait for each connect to finish
            poller = select.poll()
            poller.register(s, select.POLLOUT)
            w = poller.poll(10000)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if not w or err:
                raise Failure("connect %d failed: %s" % (len(socks), os.strerror(err) if err else "timeout"))
            socks.append(s)
    # In batches, so the listen backlog never overflows.
    t0 = time.time()
    left = count
    while left:
        n = min(1000, left)
        connect_many(port, n)
        left -= n
    print("  %d plain in %.1f s" % (count, time.time() - t0), flush=True)
    if tls_port:
        connect_many(tls_port, tls_silent)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        for _ in range(tls_handshaken):
            raw = socket.create_connection(("127.0.0.1", tls_port), timeout=10)
            socks.append(ctx.wrap_socket(raw))
        print("  %d TLS in %.1f s" % (tls_handshaken + tls_silent, time.time() - t0), flush=True)
    return socks


def still_open(sock):
    """The TCP connection is still ESTABLISHED (the server has not closed it);
    reads nothing, so it works for TLS sockets too."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    except OSError:
        return False
    return info[0] == 1  # TCP_ESTABLISHED


def case_idle_connections(big):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = IDLE + IDLE_TLS_HANDSHAKEN + IDLE_TLS_SILENT + 200
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    expect(soft >= need, "RLIMIT_NOFILE is %d (hard %d); %d descriptors are needed" % (soft, hard, need))
    plain = IDLE - IDLE_TLS_HANDSHAKEN - IDLE_TLS_SILENT
    rss_start = big.rss()
    probe_out = os.path.join(OUT, "probe.json")
    probe = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--probe", str(big.http),
                              "120", probe_out])
    time.sleep(1.0)  # a baseline before the crowd arrives
    t0 = time.time()
    socks = open_idle(big.http, plain, IDLE_TLS_HANDSHAKEN, big.https, IDLE_TLS_SILENT)
    opened = time.time() - t0
    print("  opened %d idle connections in %.1f s" % (len(socks), opened), flush=True)
    open_metric = big.metric("mailscout_connections_open")
    rss_full = big.rss()
    time.sleep(3.0)  # all of them held while the probe goes on
    with open(probe_out + ".stop", "w"):
        pass
    probe.wait(timeout=30)
    alive = sum(1 for s in socks if still_open(s))
    rss_held = big.rss()
    hwm = big.status("VmHWM")
    # Over --max-connections (IDLE + 50): the extra ones are closed at accept.
    extra = []
    for _ in range(80):
        try:
            extra.append(socket.create_connection(("127.0.0.1", big.http), timeout=5))
        except OSError:
            pass
    time.sleep(0.5)
    refused = sum(1 for s in extra if not still_open(s))
    for s in extra:
        s.close()
    # Close them all with a reset (no TIME_WAIT left on this machine's ports).
    for s in socks:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        s.close()
    t1 = time.time()
    left = None
    while time.time() - t1 < 10:
        left = big.metric("mailscout_connections_open")
        if left is not None and left <= 5:
            break
        time.sleep(0.2)
    rss_after = big.rss()
    result = json.load(open(probe_out))
    lat = sorted(result["latencies_ms"])
    expect(lat, "the probe client got no answers: %s" % result["errors"])
    p50 = statistics.median(lat)
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    summary = {
        "idle": IDLE, "plain": plain, "tls_handshaken": IDLE_TLS_HANDSHAKEN, "tls_silent": IDLE_TLS_SILENT,
        "open_seconds": round(opened, 2), "connections_open_metric": open_metric,
        "still_open_after_probe": alive, "refused_over_limit": refused, "extra_tried": len(extra),
        "rss_kb": {"start": rss_start, "all_open": rss_full, "held": rss_held, "hwm": hwm,
                   "after_close": rss_after},
        "probe": {"requests": len(lat), "errors": result["error_count"], "p50_ms": round(p50, 2),
                  "p99_ms": round(p99, 2), "max_ms": round(lat[-1], 2)},
        "open_after_close": left,
    }
    SUMMARY["idle_connections"] = summary
    expect(result["error_count"] == 0, "probe errors: %s" % result["errors"])
    expect(alive == len(socks), "%d of %d idle connections were closed early" % (len(socks) - alive, len(socks)))
    expect(open_metric is not None and open_metric >= IDLE, "connections_open gauge %s" % open_metric)
    expect(refused >= len(extra) - 60, "only %d of %d connections over the limit were refused" % (refused, len(extra)))
    expect(p99 < P99_LIMIT_MS * (3 if SANITIZED else 1), "p99 %.1f ms" % p99)
    if not SANITIZED:
        expect(hwm < RSS_LIMIT_KB, "peak RSS %d kB with %d connections" % (hwm, IDLE))
    expect(left is not None and left <= 5, "%s connections still open 10 s after the clients left" % left)
    return ("%d idle (%d TLS handshaken, %d TLS silent) opened in %.1f s, all still open; probe %d GETs "
            "p50 %.1f ms p99 %.1f ms max %.1f ms; RSS %d -> %d kB (peak %d kB), %d kB after close; "
            "%d/%d over the limit refused" % (
                IDLE, IDLE_TLS_HANDSHAKEN, IDLE_TLS_SILENT, opened, len(lat), p50, p99, lat[-1],
                rss_start, rss_held, hwm, rss_after, refused, len(extra)))


# ---- main ----

SUMMARY = {}


def make_site(workdir):
    site = os.path.join(workdir, "site")
    os.makedirs(site)
    with open(os.path.join(site, "hostile.example.xml"), "w") as f:
        f.write(SITE_XML)
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    return site, cert, key


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--probe":
        probe_client(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
        return 0
    only = sys.argv[1:]
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    workdir = tempfile.mkdtemp(prefix="serve-hostile-")
    started = time.time()
    try:
        site, cert, key = make_site(workdir)
        web = ["--web-dir", os.path.join(SOURCE_DIR, "web")]
        tls = ["--tls-listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key]
        main_server = Server("default", workdir, site, ["--helpdesk", "--threads", "2"] + web)
        short = Server("short", workdir, site, ["--header-timeout", "2", "--idle-timeout", "2",
                                                "--threads", "2"] + tls)
        big = Server("idle", workdir, site, ["--threads", "2", "--access-log", "-",
                                             "--max-connections", str(IDLE + 50),
                                             "--header-timeout", "60", "--idle-timeout", "60"] + tls)
        servers = [main_server, short, big]

        class Background:
            def __init__(self, fn, *args):
                self.value = None
                self.thread = threading.Thread(target=lambda: setattr(self, "value", fn(*args)))
                self.thread.start()

            def result(self):
                self.thread.join()
                return self.value
        slow_default = None
        if not only or any(o in "slowloris_default" for o in only):
            slow_default = Background(drip, main_server.http, SLOWLORIS, 1.0, 16)

        cases = [
            ("oversized_body", case_oversized_body, main_server),
            ("oversized_head", case_oversized_head, main_server),
            ("entity_bombs", case_entity_bombs, main_server),
            ("path_tricks", case_path_tricks, main_server),
            ("content_length", case_content_length, main_server),
            ("transfer_encoding", case_transfer_encoding, main_server),
            ("pipelined", case_pipelined, main_server),
            ("deadlines", case_deadlines, short),
            ("idle_connections", case_idle_connections, big),
        ]
        passed = failed = 0

        def record(name, fn, *args):
            nonlocal passed, failed
            t0 = time.time()
            try:
                detail = fn(*args)
                passed += 1
                print("PASS %-18s %5.1fs  %s" % (name, time.time() - t0, detail), flush=True)
                SUMMARY.setdefault("cases", {})[name] = {"ok": True, "detail": detail}
            except (Failure, OSError, EOFError, ValueError, IndexError) as e:
                failed += 1
                print("FAIL %-18s %5.1fs  %s: %s" % (name, time.time() - t0, type(e).__name__, e), flush=True)
                SUMMARY.setdefault("cases", {})[name] = {"ok": False, "detail": str(e)}
        for name, fn, server in cases:
            if only and not any(o in name for o in only):
                continue
            record(name, fn, server)
        if slow_default:
            record("slowloris_default", case_slowloris_default, main_server, slow_default)

        def survivors():
            notes = []
            for s in servers:
                expect(s.alive(), "serve %s died (exit %s); see %s" % (s.name, s.proc.poll(), s.err_path))
                status, _, body = request(s.http, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                expect(status == 200 and body == b"ok\n", "%s /healthz: %d %r" % (s.name, status, body))
                if s.https:
                    c = Client(s.https, tls=True)
                    try:
                        c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                        expect(c.response()[0] == 200, "%s https /healthz" % s.name)
                    finally:
                        c.close()
                notes.append("%s %d kB" % (s.name, s.rss()))
            codes = {s.name: s.stop() for s in servers}
            for name, code in codes.items():
                expect(code == 0, "serve %s exited %s on SIGTERM" % (name, code))
                text = open(os.path.join(OUT, name + ".stderr")).read()
                expect("Sanitizer" not in text and "runtime error" not in text,
                       "serve %s: sanitizer report in its stderr" % name)
            return "every server answers /healthz (http and https), RSS " + ", ".join(notes) + \
                "; SIGTERM -> exit 0"
        record("survivors", survivors)
        SUMMARY["seconds"] = round(time.time() - started, 1)
        SUMMARY["sanitized"] = SANITIZED
        with open(os.path.join(OUT, "serve_hostile.json"), "w") as f:
            json.dump(SUMMARY, f, indent=1)
        print("%d passed, %d failed (%.0f s; details in %s)" % (passed, failed, time.time() - started, OUT))
        return 1 if failed else 0
    finally:
        for s in STARTED:
            if s.proc.poll() is None:
                s.proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
