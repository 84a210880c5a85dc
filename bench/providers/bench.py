#!/usr/bin/python3
"""Start-up of `mailscout discover` against provider databases of 100 and
1000 providers, with and without domains.idx (bench/providers/README.md).

Generates ISPDB-like provider files (6 domains, 2 incoming and 2 outgoing
servers, documentation; about 2 KB each) into a temporary directory, writes
domains.idx with providers/make-index for the indexed copies, and times

    MAILSCOUT_PROVIDERS_DIR=DIR mailscout discover ADDRESS --offline --format json

for an address of the provider in the middle of the database: the bundled
database is the only source, so the time is start-up plus the lookup. Every
case runs once per round, in a new random order each round; medians of wall
time, CPU time (user + system) and peak RSS (wait4) are compared as 1000/100 ratios.

Usage: bench.py --build DIR [--runs 15] [--sizes 100,1000] [--keep DIR]
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TLDS = ["com", "net", "de", "fr", "it", "co.uk", "com.br", "ru", "pl", "nl"]


def provider_xml(i):
    """One provider file shaped like an ISPDB entry (ids and domains unique per i)."""
    name = "mailprov%05d" % i
    domains = [name + ".example"] + ["%s-%d.%s" % (name, k, TLDS[(i + k) % len(TLDS)])
                                     for k in range(1, 5)] + ["mx-%s.example" % name]
    domain_lines = "\n".join("    <domain>%s</domain>" % d for d in domains)
    return name + ".example.xml", domains, f"""<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="{name}.example">
{domain_lines}
    <displayName>Mail Provider {i} (synthetic, bench/providers)</displayName>
    <displayShortName>Prov{i}</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.{name}.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.{name}.example</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
      <pop3>
        <leaveMessagesOnServer>true</leaveMessagesOnServer>
      </pop3>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.{name}.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.{name}.example</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <documentation url="https://help.{name}.example/mail/clients">
      <descr lang="en">Set up your mail program (IMAP, POP3, SMTP)</descr>
      <descr lang="de">E-Mail-Programm einrichten (IMAP, POP3, SMTP)</descr>
    </documentation>
    <enable visiturl="https://account.{name}.example/settings/imap">
      <instruction>Switch on IMAP access in the web mail settings first.</instruction>
    </enable>
  </emailProvider>
  <webMail>
    <loginPage url="https://webmail.{name}.example/" />
  </webMail>
</clientConfig>
"""


def make_database(root, size):
    """Writes DIR/plain-N and DIR/indexed-N; returns (dirs, address, expected host)."""
    plain = os.path.join(root, "plain-%d" % size)
    indexed = os.path.join(root, "indexed-%d" % size)
    os.makedirs(plain)
    for i in range(size):
        file_name, _, text = provider_xml(i)
        with open(os.path.join(plain, file_name), "w", encoding="utf-8") as f:
            f.write(text)
    shutil.copytree(plain, indexed)
    subprocess.run([os.path.join(REPO, "providers", "make-index"), indexed], check=True)
    middle = size // 2
    _, domains, _ = provider_xml(middle)
    return {"plain": plain, "indexed": indexed}, "user@" + domains[2], \
        "imap.mailprov%05d.example" % middle


def run_once(binary, directory, address, host, rss_file):
    """Wall s, peak RSS KiB, CPU s. The peak RSS comes from /usr/bin/time:
    a child's ru_maxrss starts at its parent's peak (it survives fork and
    exec), and this Python process is larger than mailscout."""
    env = dict(os.environ, MAILSCOUT_PROVIDERS_DIR=directory)
    start = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file, binary, "discover",
                             address, "--offline", "--format", "json"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # CPU of time + mailscout (time's is ~0)
    took = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or host.encode() not in out:
        sys.exit("bench/providers: %s in %s did not answer %s (exit %d)"
                 % (address, directory, host, code))
    with open(rss_file) as f:
        maxrss = int(f.read().split()[-1])
    return took, maxrss, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "15")))
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--keep", help="write the databases here and keep them")
    args = parser.parse_args()
    binary = os.path.join(args.build, "mailscout")
    sizes = [int(s) for s in args.sizes.split(",")]
    root = args.keep or tempfile.mkdtemp(prefix="mailscout-bench-providers-")
    rss_file = os.path.join(root, "rss.txt")
    try:
        cases = {}
        for size in sizes:
            dirs, address, host = make_database(root, size)
            for kind, directory in dirs.items():
                cases[(kind, size)] = (directory, address, host)
        for case in cases.values():  # warm the page cache and check the answer
            run_once(binary, *case, rss_file)
        wall = {c: [] for c in cases}
        rss = {c: [] for c in cases}
        cpu = {c: [] for c in cases}
        for _ in range(args.runs):
            order = list(cases)
            random.shuffle(order)
            for c in order:
                took, maxrss, cpu_s = run_once(binary, *cases[c], rss_file)
                wall[c].append(took)
                rss[c].append(maxrss)
                cpu[c].append(cpu_s)
        print("mailscout discover ADDRESS --offline, bundled database = a synthetic directory;"
              " %d rounds, median" % args.runs)
        print("%-8s %6s %8s %8s %8s %8s %8s" % ("kind", "size", "files KB", "wall ms", "min ms",
                                                "CPU ms", "RSS KB"))
        med = {}
        for (kind, size) in sorted(cases):
            directory = cases[(kind, size)][0]
            kb = sum(os.path.getsize(os.path.join(directory, f))
                     for f in os.listdir(directory)) // 1024
            c = (kind, size)
            med[c] = (statistics.median(wall[c]), statistics.median(rss[c]),
                      statistics.median(cpu[c]))
            print("%-8s %6d %8d %8.1f %8.1f %8.1f %8d" % (kind, size, kb, med[c][0] * 1000,
                                                          min(wall[c]) * 1000, med[c][2] * 1000,
                                                          med[c][1]))
        small, large = min(sizes), max(sizes)
        print()
        for kind in ("indexed", "plain"):
            w = med[(kind, large)][0] / med[(kind, small)][0]
            r = med[(kind, large)][1] / med[(kind, small)][1]
            u = med[(kind, large)][2] / med[(kind, small)][2]
            print("%-8s %d/%d: wall x%.2f, CPU x%.2f, RSS x%.2f" % (kind, large, small, w, u, r))
    finally:
        if not args.keep:
            shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
