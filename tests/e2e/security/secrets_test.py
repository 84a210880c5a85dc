#!/usr/bin/env python3
"""Secrets audit: the password never leaves mailscout's memory.

Runs inside the fake Internet (scenario quality-secrets). Every subcommand
and every output format runs with a known password, once where the login
succeeds and once where it fails, with each password source (environment,
--password-file, --password-stdin). The password, and its base64 forms as
sent in SASL PLAIN and LOGIN, must appear in no stdout, stderr, transcript,
report or exported file, and never in the process's argv (/proc/PID/cmdline,
what ps shows). The QR codes of android-qr are searched as decoded by zbarimg:
PNG and SVG files, and the half blocks drawn on standard output (redrawn as a
PNG first). Prints one line per run and 'N passed, M failed'.
"""
import base64
import os
import subprocess
import sys
import tempfile
import threading
import time
import zlib

MAILSCOUT = os.environ["MAILSCOUT"]
GOOD = "Zq9-xP-secret-7Lw"      # the real password of carol@{secrets,plainsecrets}.example
WRONG = "Wrong-Pw-q8Z2-zz"      # a wrong one: the login fails
FORMATS = ["text", "json", "thunderbird", "autodiscover", "mobileconfig", "msmtp", "mbsync",
           "neomutt", "aerc", "android-json", "android-qr"]
# The file name each format is written to (android-qr draws by the extension).
EXTENSION = {"android-qr": ".png"}
USERS = ["carol@secrets.example", "carol", "carol@plainsecrets.example"]

passed = 0
failed = 0


def forms(password):
    """Every byte string that would betray the password."""
    out = {password.encode()}
    for user in USERS:
        for authz in ("", user):
            raw = ("%s\0%s\0%s" % (authz, user, password)).encode()
            out.add(base64.b64encode(raw))
    out.add(base64.b64encode(password.encode()))  # SASL LOGIN
    # base64 at every alignment, as the password may sit inside a longer blob
    for prefix in (b"", b"\0", b"\0\0"):
        enc = base64.b64encode(prefix + password.encode())
        out.add(enc[4:-4] if len(enc) > 12 else enc)
    return out


def half_blocks_to_png(text):
    """The modules drawn with U+2580/U+2584/U+2588 as a grayscale PNG (4 px each)."""
    rows = []
    for line in text.split("\n"):
        cells = line.replace("\x1b[30;107m", "").replace("\x1b[0m", "")
        if not cells:
            continue
        top = [c in "\u2580\u2588" for c in cells]
        bottom = [c in "\u2584\u2588" for c in cells]
        rows += [top, bottom]
    if not rows:
        return None
    scale = 4
    width = len(rows[0]) * scale
    raw = b""
    for row in rows:
        line = b"".join((b"\x00" if dark else b"\xff") * scale for dark in row)
        line = line.ljust(width, b"\xff")
        raw += (b"\x00" + line) * scale

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + (len(rows) * scale).to_bytes(4, "big") + b"\x08\x00\x00\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) +
            chunk(b"IEND", b""))


def decode_qr(path):
    """zbarimg's reading of an image, or None when it finds no code."""
    proc = subprocess.run(["zbarimg", "--raw", "-q", "-Sbinary", path], capture_output=True,
                          timeout=60)
    return proc.stdout if proc.returncode == 0 else None


def watch_argv(proc, password, found):
    """Polls /proc/PID/cmdline while the process runs."""
    path = "/proc/%d/cmdline" % proc.pid
    while proc.poll() is None:
        try:
            with open(path, "rb") as f:
                if password.encode() in f.read():
                    found.append("argv")
        except OSError:
            pass
        time.sleep(0.005)


def run(label, args, password, source, files=(), expect=None, qr=None):
    """qr: "stdout" or a file whose QR code must decode (and is searched)."""
    global passed, failed
    env = dict(os.environ)
    env.pop("MAILSCOUT_PASSWORD", None)
    # Each run its own ledger of failed logins: the login-fails cases must
    # really send (and have rejected) the password every time.
    env["MAILSCOUT_STATE_DIR"] = tempfile.mkdtemp(prefix="mailscout-state-")
    stdin_data = None
    extra = []
    tmp = None
    if source == "env":
        env["MAILSCOUT_PASSWORD"] = password
    elif source == "file":
        tmp = tempfile.NamedTemporaryFile("w", delete=False)
        tmp.write(password + "\n")
        tmp.close()
        extra = ["--password-file", tmp.name]
    elif source == "stdin":
        extra = ["--password-stdin"]
        stdin_data = (password + "\n").encode()
    proc = subprocess.Popen([MAILSCOUT] + args + extra, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.PIPE, env=env)
    found = []
    watcher = threading.Thread(target=watch_argv, args=(proc, password, found))
    watcher.start()
    out, err = proc.communicate(stdin_data, timeout=120)
    watcher.join()
    if tmp:
        os.unlink(tmp.name)
    problems = []
    if proc.returncode not in (0, 1):
        problems.append("exit status %d" % proc.returncode)
    if expect is not None and proc.returncode != expect:
        problems.append("exit status %d, want %d" % (proc.returncode, expect))
    blobs = {"stdout": out, "stderr": err}
    for f in files:
        if os.path.exists(f):
            with open(f, "rb") as fh:
                blobs[os.path.basename(f)] = fh.read()
        else:
            problems.append("expected file %s was not written" % f)
    if qr:
        if qr == "stdout":
            image = os.path.join(tempfile.mkdtemp(prefix="secrets-qr-"), "terminal.png")
            png = half_blocks_to_png(out.decode("utf-8", "replace"))
            if png:
                with open(image, "wb") as fh:
                    fh.write(png)
        else:
            image = qr
        decoded = decode_qr(image) if os.path.exists(image) else None
        if decoded is None:
            if proc.returncode == 0:
                problems.append("no QR code could be read from %s" % qr)
        else:
            blobs["decoded QR code from " + qr] = decoded
    for name, blob in blobs.items():
        for form in forms(password):
            if form in blob:
                problems.append("%s contains %r" % (name, form))
    if found:
        problems.append("password visible in argv")
    if problems:
        failed += 1
        print("FAIL %-60s %s" % (label, "; ".join(sorted(set(problems)))))
        sys.stdout.write(err.decode("utf-8", "replace")[-1500:] + "\n")
    else:
        passed += 1
        print("ok   %-60s exit %d" % (label, proc.returncode))
    return proc.returncode


def main():
    work = tempfile.mkdtemp(prefix="secrets-")
    for password, outcome in ((GOOD, "login-ok"), (WRONG, "login-fails")):
        # test: each protocol, every security type, text and JSON, with the transcript.
        for protocol in ("imap", "pop3", "smtp"):
            for fmt in ("text", "json"):
                for source in ("env", "file", "stdin"):
                    run("%s test %s %s %s" % (outcome, protocol, fmt, source),
                        ["test", "--protocol", protocol, "--host", "mail.secrets.example",
                         "--security", "all", "--user", "carol@secrets.example", "--format", fmt,
                         "--transcript"], password, source)
            # cleartext-only server, refused and allowed
            for allow in ([], ["--allow-plaintext"]):
                run("%s test %s plain %s" % (outcome, protocol, " ".join(allow)),
                    ["test", "--protocol", protocol, "--host", "mail.plainsecrets.example",
                     "--security", "plain", "--user", "carol@plainsecrets.example", "--transcript",
                     "--format", "json"] + allow, password, "env")
        run("%s discover" % outcome, ["discover", "carol@secrets.example", "--format", "json"],
            password, "env")
        # setup: every format to stdout and to a file, with a saved report.
        for domain in ("secrets.example", "plainsecrets.example"):
            for fmt in FORMATS:
                report = os.path.join(work, "%s-%s-%s.json" % (outcome, domain, fmt))
                outfile = os.path.join(work, "%s-%s-%s%s" % (outcome, domain, fmt,
                                                              EXTENSION.get(fmt, ".out")))
                is_qr = fmt == "android-qr"
                run("%s setup %s %s" % (outcome, domain, fmt),
                    ["setup", "carol@" + domain, "--format", fmt, "-o", outfile, "--save-report",
                     report, "--allow-plaintext"], password, "env", files=[outfile, report],
                    expect=0 if password == GOOD else 1, qr=outfile if is_qr else None)
                run("%s setup %s %s stdout" % (outcome, domain, fmt),
                    ["setup", "carol@" + domain, "--format", fmt], password, "stdin",
                    qr="stdout" if is_qr else None)
            # android-qr as an SVG (zbarimg reads no SVG: searched as text)
            svg = os.path.join(work, "%s-%s-code.svg" % (outcome, domain))
            run("%s setup %s android-qr svg" % (outcome, domain),
                ["setup", "carol@" + domain, "--format", "android-qr", "-o", svg,
                 "--allow-plaintext"], password, "file", files=[svg])
            # export: every format from a saved report, no network
            report = os.path.join(work, "%s-%s-json.json" % (outcome, domain))
            for fmt in FORMATS[2:]:
                outfile = os.path.join(work, "%s-%s-export-%s%s" % (outcome, domain, fmt,
                                                                     EXTENSION.get(fmt, "")))
                is_qr = fmt == "android-qr"
                run("%s export %s %s" % (outcome, domain, fmt),
                    ["export", fmt, "--from", report, "-o", outfile], password, "env",
                    files=[outfile], qr=outfile if is_qr else None)
    # The audit must be able to fail. The cleartext server logs every password
    # it is given (auth_verbose_passwords), so the same search must find the
    # wrong password there, and its log must show carol's successful logins;
    # otherwise no login happened and nothing was audited.
    global passed, failed
    log = os.path.join(os.environ["WORLD_LOGS"], "mail.plainsecrets.example.log")
    with open(log, "rb") as f:
        text = f.read()
    checks = [
        ("the audit's search finds the wrong password in the server's log",
         any(form in text for form in forms(WRONG))),
        ("the server's log shows a successful login",
         b"Login: user=<carol@plainsecrets.example>" in text),
    ]
    for label, ok in checks:
        if ok:
            passed += 1
            print("ok   " + label)
        else:
            failed += 1
            print("FAIL " + label)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
