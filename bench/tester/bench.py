#!/usr/bin/python3
"""Benchmark of `mailscout test`: N full checks (TLS + login + logout) against
the local Dovecot in the fake Internet, side by side with curl doing the same
login, plus the cost of a tarpit and of a dropped SYN.

    bench/tester/bench.py [--build DIR] [-n 200] [--phase-timeout 2] [--baseline DIR]

Starts the world itself (tests/world/world.py, scenarios basic and faults) and
re-runs itself inside it. Prints, per client and protocol: median and p95
wall time per check, and peak RSS (ru_maxrss of the child process). Checks
run one after another, so the numbers are per check, not throughput.
Goal: mailscout's median no slower than curl's; a tarpit or dropped port
costs no more than the configured timeout.

The IMAP TLS login also runs on both trust-store layouts (issue 9), in the
same interleaved rounds, mailscout and curl given the same environment:
  hashed dir   the world's default: its CA is a hash link in /etc/ssl/certs
               (and in the bundle), as update-ca-certificates makes it
  bundle only  SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt (holds the CA)
               and SSL_CERT_DIR=a copy of /etc/ssl/certs without the CA's hash
               link (Fedora/RHEL-style layouts, containers)
Goal there: mailscout no slower than curl on each layout. --baseline DIR
adds DIR/mailscout's IMAP login on both layouts to the same rounds.
"""

import argparse
import os
import random
import shutil
import tempfile
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
WORLD = ROOT / "tests" / "world" / "world.py"
USER, PASSWORD, HOST = "alice@basic.example", "alicepw", "mail.basic.example"


def timed(argv, env):
    """Runs argv; returns (seconds, exit status, peak RSS in KiB, stderr, CPU seconds)."""
    start = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watchdog = threading.Timer(30, p.kill)  # nothing here may hang the benchmark
    watchdog.start()
    _, status, usage = os.wait4(p.pid, 0)
    watchdog.cancel()
    elapsed = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    return elapsed, p.returncode, usage.ru_maxrss, err, usage.ru_utime + usage.ru_stime


def percentile(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def summary(name, times, rss, cpu):
    return {"name": name, "median": statistics.median(times), "p95": percentile(times, 95),
            "min": min(times), "rss": max(rss), "cpu": statistics.median(cpu)}


def interleaved(clients, n):
    """Runs each client once per round, n rounds, so that load changes on the
    machine (other builds) hit every client alike. clients: [(name, argv, env)];
    returns rows in the order of clients."""
    times = {name: [] for name, _, _ in clients}
    rss = {name: [] for name, _, _ in clients}
    cpu = {name: [] for name, _, _ in clients}
    for name, argv, env in clients:  # warm the page cache and Dovecot's login processes
        for _ in range(2):
            timed(argv, env)
    rng = random.Random(1)
    order = list(clients)
    for i in range(n):
        # A new order each round, and a pause after each run so that Dovecot finishes
        # tearing down one session before the next client starts: no client always
        # follows a heavier one.
        rng.shuffle(order)
        for name, argv, env in order:
            time.sleep(0.02)
            t, code, kib, err, cpu_s = timed(argv, env)
            if code != 0:
                sys.exit(f"{name}: run {i} failed with status {code}: {err.strip()[:300]}")
            times[name].append(t * 1000)
            rss[name].append(kib)
            cpu[name].append(cpu_s * 1000)
    return [summary(name, times[name], rss[name], cpu[name]) for name, _, _ in clients]


def bundle_only_vars(workdir):
    """SSL_CERT_FILE (the bundle, which holds the world CA) and SSL_CERT_DIR
    (a copy of /etc/ssl/certs without the world CA's hash links)."""
    ca = Path(os.environ["WORLD_CA"]).read_bytes()
    certs = Path(workdir) / "certs-without-world-ca"
    certs.mkdir()
    for entry in Path("/etc/ssl/certs").iterdir():
        if entry.is_file() and entry.name != "ca-certificates.crt" and entry.read_bytes() == ca:
            continue  # the world CA's hash link (or its copy)
        (certs / entry.name).symlink_to(entry.resolve())
    return {"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt", "SSL_CERT_DIR": str(certs)}


def inner(args):
    mailscout = str(Path(args.build) / "mailscout")
    env = dict(os.environ, MAILSCOUT_PASSWORD=PASSWORD)
    plain_env = {k: v for k, v in os.environ.items() if k != "MAILSCOUT_PASSWORD"}
    workdir = tempfile.mkdtemp(prefix="bench-tester-")
    try:
        return inner_in(args, mailscout, env, plain_env, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def inner_in(args, mailscout, env, plain_env, workdir):
    clients = []
    # The single IMAP TLS login on both trust-store layouts.
    imap = [mailscout, "test", "--protocol", "imap", "--host", HOST, "--user", USER]
    curl_imap = ["curl", "-s", "--fail", f"imaps://{HOST}/", "-u", f"{USER}:{PASSWORD}", "-X",
                 "NOOP"]
    bundle_only = bundle_only_vars(workdir)
    layouts = (("hashed dir", env, plain_env),
               ("bundle only", dict(env, **bundle_only), dict(plain_env, **bundle_only)))
    for layout, ms_env, curl_env in layouts:
        clients.append((f"mailscout imap tls [{layout}]", imap, ms_env))
        clients.append((f"curl      imap tls [{layout}]", curl_imap, curl_env))
        if args.baseline:
            clients.append((f"baseline  imap tls [{layout}]",
                            [str(Path(args.baseline) / "mailscout"), *imap[1:]], ms_env))
    for proto, scheme in (("imap", "imaps"), ("pop3", "pop3s")):
        clients.append((f"mailscout {proto} tls", [mailscout, "test", "--protocol", proto,
                                                   "--host", HOST, "--user", USER], env))
        # curl: log in, one small command (IMAP NOOP; POP3 LIST, since curl waits for a
        # multi-line answer to any custom POP3 command), log out. The password on argv
        # is test data.
        extra = ["-X", "NOOP"] if proto == "imap" else []
        clients.append((f"curl      {proto} tls",
                        ["curl", "-s", "--fail", f"{scheme}://{HOST}/", "-u", f"{USER}:{PASSWORD}",
                         *extra], plain_env))
    clients.append(("mailscout smtp tls", [mailscout, "test", "--protocol", "smtp", "--host",
                                          HOST, "--user", USER], env))
    clients.append(("mailscout imap tls (SCRAM-SHA-256)",
                    [mailscout, "test", "--protocol", "imap", "--host",
                     "mail.mechs.tester.example", "--user", "carol@mechs.tester.example"],
                    dict(env, MAILSCOUT_PASSWORD="carol-Pw-7")))
    rows = interleaved(clients, args.n)

    print(f"\nmailscout test vs curl, {args.n} sequential full checks each "
          f"(resolve, connect, TLS, greeting, login, logout) against Dovecot 2.3\n")
    print(f"{'client':38} {'median ms':>10} {'p95 ms':>8} {'min ms':>8} {'CPU ms':>7} "
          f"{'peak RSS':>10}")
    for r in rows:
        print(f"{r['name']:38} {r['median']:10.1f} {r['p95']:8.1f} {r['min']:8.1f} "
              f"{r['cpu']:7.1f} {r['rss'] / 1024:8.1f} MB")

    print(f"\nFaults with --timeout {args.phase_timeout} (whole check):")
    for label, proto, host in (("tarpit (accepts, never speaks)", "imap", "tarpit.faults.example"),
                               ("dropped SYN", "smtp", "dropped.faults.example")):
        t, code, _, _, _ = timed([mailscout, "test", "--protocol", proto, "--host", host, "--user",
                               USER, "--timeout", str(args.phase_timeout)], env)
        verdict = "ok" if t <= args.phase_timeout + 0.3 else "TOO SLOW"
        print(f"  {label:32} {t * 1000:7.0f} ms (exit {code}) {verdict}")
    for label, proto, host in (("tarpit, default phase timeouts", "imap", "tarpit.faults.example"),
                               ("dropped SYN, default", "smtp", "dropped.faults.example")):
        t, code, _, _, _ = timed([mailscout, "test", "--protocol", proto, "--host", host], env)
        print(f"  {label:32} {t * 1000:7.0f} ms (exit {code}; one phase is 5 s)")

    imap_ms = {r["name"]: r["median"] for r in rows}
    ours, theirs = imap_ms["mailscout imap tls"], imap_ms["curl      imap tls"]
    print(f"\nIMAP median: mailscout {ours:.1f} ms, curl {theirs:.1f} ms -> "
          f"{'goal met' if ours <= theirs else 'mailscout slower'}")
    print("\nOne IMAP TLS login per trust-store layout (same rounds):")
    for layout in ("hashed dir", "bundle only"):
        ours = imap_ms[f"mailscout imap tls [{layout}]"]
        theirs = imap_ms[f"curl      imap tls [{layout}]"]
        print(f"  {layout:12} mailscout {ours:6.1f} ms, curl {theirs:6.1f} ms, ratio "
              f"{ours / theirs:.2f} -> {'goal met' if ours <= theirs else 'mailscout slower'}")
        if args.baseline:
            base = imap_ms[f"baseline  imap tls [{layout}]"]
            print(f"  {'':12} baseline  {base:6.1f} ms, ratio {base / theirs:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"), help="build dir with mailscout")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--phase-timeout", type=float, default=2.0)
    parser.add_argument("--baseline", help="another build dir: its IMAP login in the same rounds")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(args)
    if not (Path(args.build) / "mailscout").exists():
        sys.exit(f"no mailscout binary in {args.build} (build it first, or pass --build DIR)")
    cmd = [sys.executable, str(WORLD), "run", "--scenario", "basic", "--scenario", "faults",
           "--scenario", "tester-mechs", "--", sys.executable, str(Path(__file__).resolve()),
           "--inner", "--build", str(Path(args.build).resolve()), "-n", str(args.n),
           "--phase-timeout", str(args.phase_timeout)]
    if args.baseline:
        cmd += ["--baseline", str(Path(args.baseline).resolve())]
    sys.exit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
