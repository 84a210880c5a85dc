#!/usr/bin/env python3
"""`mailscout serve` under wrk, beside nginx serving the same autoconfig XML.

Starts, on 127.0.0.1 of this machine (no fake Internet needed):
  - mailscout serve with a one-file site (access log off, default threads);
  - nginx with worker_processes 2 (a temp config, pid and logs in a temp
    folder, `daemon off`), serving the very bytes serve answers for the
    autoconfig GET as a static file, keep-alive without a request limit;
then runs wrk (keep-alive, 64 connections, 2 threads, --latency) in rounds,
in a new random order each round:
  nginx  GET /mail/config-v1.1.xml?emailaddress=...  (static file)
  serve  GET /mail/config-v1.1.xml?emailaddress=...  (autoconfig)
  serve  POST /autodiscover/autodiscover.xml          (Outlook POX, wrk Lua body)
  serve  GET autoconfig with the access log on (written to a file)
and prints the median of the rounds: requests/s, p50 and p99 latency, and
RSS (serve: VmHWM, its peak; nginx: master + workers, VmRSS at the end).

Goal (issue 10): serve's GET at least half of nginx's requests/s, its p99 at
most twice nginx's, its RSS under 50 MB. Exit 1 when a goal is missed.

  bench/serve/bench.py [--build DIR] [--rounds 3] [--duration 10]
                       [--connections 64] [--write-readme]

--write-readme puts the table, date and machine into bench/serve/README.md
(between the RESULTS markers).
"""
import argparse
import datetime
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

SITE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="bench.example">
    <domain>bench.example</domain>
    <displayName>Bench Example Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.bench.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.bench.example</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.bench.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""

GET_PATH = "/mail/config-v1.1.xml?emailaddress=alice%40bench.example"
POX = ('<?xml version="1.0" encoding="utf-8"?>'
       '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">'
       '<Request><EMailAddress>alice@bench.example</EMailAddress>'
       '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'
       '</AcceptableResponseSchema></Request></Autodiscover>')

NGINX_CONF = """
daemon off;
user root;
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000000;
    server {{
        listen 127.0.0.1:{port} reuseport;
        root {tmp}/www;
        location = /mail/config-v1.1.xml {{ default_type "text/xml; charset=utf-8"; }}
    }}
}}
"""


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rss_kb(pid, field="VmRSS"):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def to_ms(text):
    m = re.match(r"([0-9.]+)(us|ms|s|m)$", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url, args, script=None):
    cmd = ["wrk", "-t", "2", "-c", str(args.connections), "-d", "%ds" % args.duration, "--latency",
           "--timeout", "5s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if errors or socket_errors:
        raise SystemExit("wrk reported errors for %s:\n%s" % (url, out))
    return {"rps": rps, "p50": p50, "p99": p99, "raw": out}


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return "%s, %d cores, Linux %s, load average %.1f at the start" % (
        cpu, os.cpu_count(), platform.release(), load[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            raise SystemExit("bench/serve needs %s (Debian packages wrk, nginx-light; scripts/bootstrap)" % tool)
    mailscout = os.path.join(args.build, "mailscout")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    host = machine()
    tmp = tempfile.mkdtemp(prefix="bench-serve-")
    procs = []
    try:
        site = os.path.join(tmp, "site")
        os.makedirs(site)
        with open(os.path.join(site, "bench.example.xml"), "w") as f:
            f.write(SITE_XML)
        script = os.path.join(tmp, "pox.lua")
        with open(script, "w") as f:
            f.write('wrk.method = "POST"\nwrk.body = [[%s]]\n'
                    'wrk.headers["Content-Type"] = "text/xml; charset=utf-8"\n'
                    'wrk.path = "/autodiscover/autodiscover.xml"\n' % POX)

        def start_serve(log):
            err = open(os.path.join(tmp, "serve-%s.err" % ("log" if log else "nolog")), "w+")
            p = subprocess.Popen([mailscout, "serve", "--providers", site, "--listen", "127.0.0.1:0",
                                  "--access-log", os.path.join(tmp, "access.jsonl") if log else "-"],
                                 stdout=subprocess.DEVNULL, stderr=err)
            procs.append(p)
            for _ in range(200):
                err.seek(0)
                m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", err.read())
                if m:
                    return p, m.group(1)
                time.sleep(0.05)
            raise SystemExit("serve did not start")

        serve, serve_url = start_serve(False)
        serve_log, serve_log_url = start_serve(True)
        # nginx serves exactly the bytes serve answers.
        body = subprocess.run(["curl", "-sf", serve_url + GET_PATH], capture_output=True, check=True).stdout
        os.makedirs(os.path.join(tmp, "www", "mail"))
        with open(os.path.join(tmp, "www", "mail", "config-v1.1.xml"), "wb") as f:
            f.write(body)
        nginx_port = free_port()
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(NGINX_CONF.format(tmp=tmp, port=nginx_port))
        nginx = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-p", tmp, "-c",
                                  os.path.join(tmp, "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        nginx_url = "http://127.0.0.1:%d" % nginx_port
        for _ in range(100):
            if subprocess.run(["curl", "-sf", "-o", "/dev/null", nginx_url + GET_PATH]).returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("nginx did not start: %s" % open(os.path.join(tmp, "nginx-error.log")).read())
        same = subprocess.run(["curl", "-sf", nginx_url + GET_PATH], capture_output=True).stdout
        assert same == body, "nginx does not serve the same bytes"

        cases = {
            "nginx GET (static file)": (nginx_url + GET_PATH, None),
            "serve GET autoconfig": (serve_url + GET_PATH, None),
            "serve POST Autodiscover": (serve_url, script),
            "serve GET, access log on": (serve_log_url + GET_PATH, None),
        }
        results = {name: [] for name in cases}
        print("%s; %s; wrk -t2 -c%d -d%ds, %d rounds" % (when, host, args.connections, args.duration,
                                                          args.rounds), flush=True)
        for _ in range(1):  # warm-up, not counted
            wrk(serve_url + GET_PATH, argparse.Namespace(connections=args.connections, duration=2))
            wrk(nginx_url + GET_PATH, argparse.Namespace(connections=args.connections, duration=2))
        for r in range(args.rounds):
            order = list(cases)
            random.shuffle(order)
            for name in order:
                url, lua = cases[name]
                res = wrk(url, args, lua)
                results[name].append(res)
                print("  round %d  %-26s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms" % (
                    r + 1, name, res["rps"], res["p50"], res["p99"]), flush=True)
        nginx_rss = rss_kb(nginx.pid) + sum(rss_kb(c) for c in children(nginx.pid))
        rss = {
            "nginx GET (static file)": "%.1f MB (master + 2 workers)" % (nginx_rss / 1024),
            "serve GET autoconfig": "%.1f MB peak" % (rss_kb(serve.pid, "VmHWM") / 1024),
            "serve POST Autodiscover": "(same process)",
            "serve GET, access log on": "%.1f MB peak" % (rss_kb(serve_log.pid, "VmHWM") / 1024),
        }
        med = {name: {k: statistics.median(x[k] for x in results[name]) for k in ("rps", "p50", "p99")}
               for name in cases}
        lines = ["| target | requests/s | p50 | p99 | RSS |", "|---|---:|---:|---:|---|"]
        for name in cases:
            m = med[name]
            lines.append("| %s | %.0f | %.2f ms | %.2f ms | %s |" % (name, m["rps"], m["p50"], m["p99"], rss[name]))
        n, s = med["nginx GET (static file)"], med["serve GET autoconfig"]
        serve_hwm_mb = rss_kb(serve.pid, "VmHWM") / 1024
        goals = [
            ("GET requests/s >= 1/2 of nginx's", s["rps"] / n["rps"], s["rps"] >= 0.5 * n["rps"],
             "%.2fx nginx" % (s["rps"] / n["rps"])),
            ("GET p99 <= 2x nginx's", s["p99"] / n["p99"], s["p99"] <= 2 * n["p99"],
             "%.2fx nginx" % (s["p99"] / n["p99"])),
            ("RSS < 50 MB", serve_hwm_mb, serve_hwm_mb < 50, "%.1f MB" % serve_hwm_mb),
        ]
        table = "\n".join(lines)
        goal_lines = "\n".join("- %s: %s — %s" % (g[0], g[3], "met" if g[2] else "MISSED") for g in goals)
        print()
        print(table)
        print()
        print(goal_lines)
        if args.write_readme:
            readme = os.path.join(HERE, "README.md")
            text = open(readme).read()
            block = ("<!-- RESULTS (written by bench.py --write-readme) -->\n"
                     "Run %s on %s; wrk -t2 -c%d -d%ds --latency, median of %d rounds in random order; "
                     "serve with its default threads (2 here), access log off unless said.\n\n%s\n\n%s\n"
                     "<!-- /RESULTS -->" % (when, host, args.connections, args.duration, args.rounds, table,
                                            goal_lines))
            text = re.sub(r"<!-- RESULTS.*?<!-- /RESULTS -->", lambda _: block, text, flags=re.S)
            with open(readme, "w") as f:
                f.write(text)
            print("\nwrote %s" % readme)
        return 0 if all(g[2] for g in goals) else 1
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
