#!/usr/bin/python3
"""bench/discover: wall time of `mailscout discover` per case (median of RUNS).

Two halves:
  bench.py --write-scenario FILE   writes the world scenario with the slow
                                   sources (delaying proxies); run outside.
  bench.py                         inside the world (run.sh): measures.

For each run the JSON output says how long each source took (`sources[].ms`)
and which ones the answer waited for (every status but "skipped"). The goal
(issue 4): wall <= 1.1 * slowest needed source + 50 ms, and with every source
answering (--all-sources) far below the sum of the sources.
"""
import json
import os
import statistics
import subprocess
import sys
import time

RUNS = int(os.environ.get("RUNS", "5"))
DELAY_MS = int(os.environ.get("DELAY_MS", "400"))
UNNEEDED_DELAY_MS = int(os.environ.get("UNNEEDED_DELAY_MS", "2000"))


def config_xml(domain, imap_host, smtp_host):
    return (f'<clientConfig version="1.1"><emailProvider id="{domain}"><domain>{domain}</domain>'
            f'<displayName>{domain}</displayName><incomingServer type="imap"><hostname>{imap_host}'
            '</hostname><port>10993</port><socketType>SSL</socketType><username>%EMAILADDRESS%'
            '</username></incomingServer><outgoingServer type="smtp"><hostname>'
            f'{smtp_host}</hostname><port>10465</port><socketType>SSL</socketType><username>'
            '%EMAILADDRESS%</username></outgoingServer></emailProvider></clientConfig>')


def autodiscover_xml(imap_host, smtp_host):
    return ('<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">'
            '<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">'
            '<Account><Action>settings</Action>'
            f'<Protocol><Type>IMAP</Type><Server>{imap_host}</Server><Port>10993</Port><SSL>on</SSL></Protocol>'
            f'<Protocol><Type>SMTP</Type><Server>{smtp_host}</Server><Port>10587</Port><Encryption>TLS</Encryption></Protocol>'
            '</Account></Response></Autodiscover>')


def write_scenario(path):
    web, tcp, dns = {}, [], []

    def slow(front, origin, port, routes, delay):
        """`front`:443 is a proxy that waits `delay` ms in each direction
        before the origin web server (which holds front's certificate)."""
        web[origin] = {"http": False, "https": port, "cert_names": [front], "routes": routes}
        tcp.append({"host": front, "port": 443, "behaviour": "proxy",
                    "target": f"{origin}:{port}", "delay_ms": delay})

    ac = "GET /mail/config-v1.1.xml"
    wk = "GET /.well-known/autoconfig/mail/config-v1.1.xml"
    ad = "POST /autodiscover/autodiscover.xml"
    # 1. autoconfig (ranked first) is slow and needed; SRV answers at once.
    d = "b-acslow.example"
    slow(f"autoconfig.{d}", f"origin-ac.{d}", 8443,
         {ac: {"body": config_xml(d, f"imap-1.{d}", f"smtp-1.{d}"), "type": "text/xml"}}, DELAY_MS)
    dns += [f"_imaps._tcp.{d} SRV 0 1 993 imap-2.{d}", f"_submissions._tcp.{d} SRV 0 1 465 smtp-2.{d}"]
    # 2. autoconfig answers at once; Autodiscover is slow and not needed.
    d = "b-adslow.example"
    web[f"autoconfig.{d}"] = {"http": False, "routes": {
        ac: {"body": config_xml(d, f"imap-1.{d}", f"smtp-1.{d}"), "type": "text/xml"}}}
    slow(f"autodiscover.{d}", f"origin-ad.{d}", 8443,
         {ad: {"body": autodiscover_xml(f"imap-3.{d}", f"smtp-3.{d}"), "type": "text/xml"}},
         UNNEEDED_DELAY_MS)
    # 3. only Autodiscover answers, slowly: needed.
    d = "b-adneed.example"
    slow(f"autodiscover.{d}", f"origin-ad.{d}", 8443,
         {ad: {"body": autodiscover_xml(f"imap-3.{d}", f"smtp-3.{d}"), "type": "text/xml"}}, DELAY_MS)
    # 4. only .well-known answers, slowly: needed.
    d = "b-wkslow.example"
    slow(d, f"origin-wk.{d}", 8443,
         {wk: {"body": config_xml(d, f"imap-4.{d}", f"smtp-4.{d}"), "type": "text/xml"}}, DELAY_MS)
    # 5. every web source answers, each slowly; SRV and MX at once. With
    #    --all-sources the run waits for all of them: parallel, not summed.
    d = "b-allslow.example"
    slow(f"autoconfig.{d}", f"origin-ac.{d}", 8443,
         {ac: {"body": config_xml(d, f"imap-1.{d}", f"smtp-1.{d}"), "type": "text/xml"}}, DELAY_MS)
    slow(d, f"origin-wk.{d}", 8443,
         {wk: {"body": config_xml(d, f"imap-4.{d}", f"smtp-4.{d}"), "type": "text/xml"}}, DELAY_MS)
    slow(f"autodiscover.{d}", f"origin-ad.{d}", 8443,
         {ad: {"body": autodiscover_xml(f"imap-3.{d}", f"smtp-3.{d}"), "type": "text/xml"}}, DELAY_MS)
    dns += [f"_imaps._tcp.{d} SRV 0 1 993 imap-2.{d}", f"_submissions._tcp.{d} SRV 0 1 465 smtp-2.{d}",
            f"{d} MX 10 mx.mailhost-v7.example"]
    scenario = {"description": f"bench/discover: slow sources behind delaying proxies ({DELAY_MS} ms, "
                               f"unneeded {UNNEEDED_DELAY_MS} ms)",
                "web": web, "tcp": tcp, "dns": dns}
    with open(path, "w") as f:
        json.dump(scenario, f, indent=1)


# (label, address, extra options, expect the bound to hold)
CASES = [
    ("providers (gmail)", "alice@gmail.com", []),
    ("autoconfig https", "alice@d-ac.example", []),
    ("autoconfig http only", "alice@d-http.example", []),
    ("well-known", "alice@d-wk.example", []),
    ("ispdb", "alice@d-ispdb.example", []),
    ("srv", "alice@d-srv.example", []),
    ("mx -> ispdb", "alice@d-mx.example", []),
    ("mx -> bundled google", "alice@d-mxg.example", []),
    ("autodiscover post", "alice@d-ad.example", []),
    ("autodiscover redirects", "alice@d-adr.example", []),
    ("autodiscover http redir", "alice@d-adhttp.example", []),
    ("autodiscover srv", "alice@d-adsrv.example", []),
    ("idn autoconfig", "anna@bücher.example", []),
    ("guess", "alice@d-guess.example", []),
    ("basic (guess)", "alice@basic.example", []),
    ("demo (autoconfig)", "demo@demo.example", []),
    ("tarpit autodiscover", "alice@d-tarpit.example", []),
    ("hanging top source", "alice@d-slowtop.example", ["--http-timeout", "1"]),
    (f"SLOW autoconfig needed", "alice@b-acslow.example", []),
    (f"SLOW autodiscover unneeded", "alice@b-adslow.example", []),
    (f"SLOW autodiscover needed", "alice@b-adneed.example", []),
    (f"SLOW well-known needed", "alice@b-wkslow.example", []),
    (f"SLOW all, --all-sources", "alice@b-allslow.example", ["--all-sources"]),
]


def run_once(binary, address, extra):
    start = time.monotonic()
    proc = subprocess.run([binary, "discover", address, "--format", "json"] + extra,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          stdin=subprocess.DEVNULL, timeout=120)
    wall = (time.monotonic() - start) * 1000
    result = json.loads(proc.stdout)
    sources = result["sources"]
    needed = [s for s in sources if s["status"] != "skipped"]
    slowest = max((s["ms"] for s in needed), default=0)
    slowest_name = max(needed, key=lambda s: s["ms"])["name"] if needed else "-"
    total = sum(s["ms"] for s in sources)
    return proc.returncode, wall, slowest, slowest_name, total, len(result["candidates"])


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--write-scenario":
        write_scenario(sys.argv[2])
        return 0
    binary = os.environ["MAILSCOUT"]
    print(f"mailscout discover: median of {RUNS} runs per case; slow sources behind a proxy "
          f"delaying {DELAY_MS} ms each way ({UNNEEDED_DELAY_MS} ms when not needed)")
    print(f"{'case':27} {'exit':>4} {'found':>5} {'wall ms':>8} {'slowest needed':>22} "
          f"{'sum ms':>7} {'bound ms':>8}  ok")
    failures = 0
    for label, address, extra in CASES:
        runs = [run_once(binary, address, extra) for _ in range(RUNS)]
        wall = statistics.median(r[1] for r in runs)
        slowest = statistics.median(r[2] for r in runs)
        name = runs[len(runs) // 2][3]
        total = statistics.median(r[4] for r in runs)
        bound = 1.1 * slowest + 50
        ok = wall <= bound
        if not ok:
            failures += 1
        print(f"{label:27} {runs[0][0]:>4} {runs[0][5]:>5} {wall:>8.0f} "
              f"{slowest:>8.0f} {name:>13} {total:>7.0f} {bound:>8.0f}  {'yes' if ok else 'NO'}")
    print(f"\n{failures} case(s) over the bound (wall <= 1.1 x slowest needed source + 50 ms)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
