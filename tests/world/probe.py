#!/usr/bin/python3
"""Raw TCP/TLS probe for checking (hostile) servers inside a world. Stdlib only.

  probe.py read HOST PORT [--tls] [--timeout S] [--max BYTES]
      Connect and read until EOF, timeout or BYTES; print a JSON summary:
      {"bytes": N, "newline": bool, "eof": bool, "timeout": bool, "head": "...", "error": ...}

  probe.py talk HOST PORT [--tls] [--timeout S] LINE...
      Read the greeting line, then send each LINE (CRLF added) and read the answer
      up to the line that starts with LINE's first word if that looks like an IMAP
      tag (lower case or with a digit: "a", "A001"), else one line.  Prints what was received, one
      line per line, long lines cut with "...(N chars)".

  probe.py scram HOST PORT USER PASSWORD [--tls] [--algo SCRAM-SHA-256]
      IMAP AUTHENTICATE with SCRAM-SHA-1/256 (curl cannot); prints the tagged answer.
"""
import argparse
import base64
import hashlib
import hmac
import os
import json
import socket
import ssl
import sys
import time


def connect(host, port, tls, timeout):
    s = socket.create_connection((host, port), timeout=timeout)
    if tls:
        s = ssl.create_default_context().wrap_socket(s, server_hostname=host)
    s.settimeout(timeout)
    return s


def cmd_read(a):
    out = {"bytes": 0, "newline": False, "eof": False, "timeout": False, "head": "", "error": None}
    head = b""
    deadline = time.monotonic() + a.timeout
    try:
        s = connect(a.host, a.port, a.tls, a.timeout)
        while out["bytes"] < a.max:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = s.recv(min(65536, a.max - out["bytes"]))
            except socket.timeout:
                out["timeout"] = True
                break
            if not data:
                out["eof"] = True
                break
            out["bytes"] += len(data)
            out["newline"] = out["newline"] or b"\n" in data
            if len(head) < 80:
                head += data[:80 - len(head)]
            if time.monotonic() > deadline:
                out["timeout"] = True
                break
    except Exception as e:
        out["error"] = f"{e.__class__.__name__}: {e}"
    out["head"] = head.decode("utf-8", "replace")
    print(json.dumps(out))


def cmd_talk(a):
    s = connect(a.host, a.port, a.tls, a.timeout)
    f = s.makefile("rb")

    def show(line):
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        if len(text) > 300:
            text = text[:300] + f"...({len(text)} chars)"
        print(text, flush=True)
        return line

    try:
        show(f.readline(1 << 24))
        for line in a.lines:
            s.sendall(line.encode() + b"\r\n")
            tag = line.split()[0].encode() if line.split() else b""
            while True:
                got = f.readline(1 << 24)
                if not got:
                    print("(connection closed)")
                    return
                show(got)
                # An IMAP tag (lower case or with a digit, e.g. "a", "a1", "A001") waits for the
                # tagged answer; other commands (EHLO, USER, ...) read one line.
                imap_tag = tag.decode().islower() or any(c.isdigit() for c in tag.decode())
                if not imap_tag or got.startswith(tag + b" "):
                    break
    except socket.timeout:
        print("(timeout)")


def cmd_scram(a, user, password):
    h = {"SCRAM-SHA-1": hashlib.sha1, "SCRAM-SHA-256": hashlib.sha256}[a.algo.upper()]
    s = connect(a.host, a.port, a.tls, a.timeout)
    f = s.makefile("rb")
    f.readline()
    s.sendall(f"a AUTHENTICATE {a.algo.upper()}\r\n".encode())
    f.readline()
    first_bare = f"n={user},r={base64.b64encode(os.urandom(18)).decode()}"
    s.sendall(base64.b64encode(("n,," + first_bare).encode()) + b"\r\n")
    line = f.readline()
    if not line.startswith(b"+ "):
        print(line.decode().strip())
        return
    server_first = base64.b64decode(line[2:].strip()).decode()
    d = dict(x.split("=", 1) for x in server_first.split(","))
    salted = hashlib.pbkdf2_hmac(h().name, password.encode(), base64.b64decode(d["s"]), int(d["i"]))
    ck = hmac.new(salted, b"Client Key", h).digest()
    final = f"c=biws,r={d['r']}"
    sig = hmac.new(h(ck).digest(), f"{first_bare},{server_first},{final}".encode(), h).digest()
    proof = base64.b64encode(bytes(x ^ y for x, y in zip(ck, sig))).decode()
    s.sendall(base64.b64encode(f"{final},p={proof}".encode()) + b"\r\n")
    line = f.readline()
    if line.startswith(b"+ "):
        s.sendall(b"\r\n")
        line = f.readline()
    print(line.decode().strip()[:200])


def main():
    # Options may come anywhere (also after the LINEs), so parse by hand.
    argv = sys.argv[1:]
    opts = {"tls": False, "timeout": 5.0, "max": 1 << 20, "algo": "SCRAM-SHA-256"}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--tls":
            opts["tls"] = True
        elif a in ("--timeout", "--max", "--algo") and i + 1 < len(argv):
            opts[a[2:]] = {"--timeout": float, "--max": int, "--algo": str}[a](argv[i + 1])
            i += 1
        elif a in ("-h", "--help"):
            print(__doc__)
            return
        else:
            pos.append(a)
        i += 1
    if len(pos) < 3 or pos[0] not in ("read", "talk", "scram") or not pos[2].isdigit() \
            or (pos[0] == "scram" and len(pos) != 5):
        sys.exit(__doc__)
    a = argparse.Namespace(cmd=pos[0], host=pos[1], port=int(pos[2]), lines=pos[3:], **opts)
    if a.cmd == "scram":
        cmd_scram(a, pos[3], pos[4])
    else:
        (cmd_read if a.cmd == "read" else cmd_talk)(a)


if __name__ == "__main__":
    main()
