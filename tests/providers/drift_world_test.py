#!/usr/bin/env python3
"""providers/check --probe inside the fake Internet (scenario provider-drift).

An ISPDB file names imap.new / smtp.new.provider-drift.example; the bundled
copy, doctored here, names imap.old / smtp.old. In the world imap.new and
smtp.old answer, imap.old and smtp.new do not, so check must say "ISPDB side
works" for IMAP and "bundled side works" for SMTP. Needs $MAILSCOUT and the
world's $WORLD_CA. Python 3 standard library only.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("MAILSCOUT_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
PROVIDERS = os.path.join(SOURCE, "providers")

ISPDB_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="provider-drift.example">
    <domain>provider-drift.example</domain>
    <displayName>Drift</displayName>
    <displayShortName>Drift</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.new.provider-drift.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.new.provider-drift.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
"""


def main():
    tmp = tempfile.mkdtemp(prefix="mailscout-drift-")
    try:
        ispdb = os.path.join(tmp, "ispdb")
        bundled = os.path.join(tmp, "bundled")
        os.makedirs(ispdb)
        with open(os.path.join(ispdb, "provider-drift.example.xml"), "w") as f:
            f.write(ISPDB_FILE)
        subprocess.run([sys.executable, os.path.join(PROVIDERS, "import"), ispdb, "--overlays",
                        os.path.join(tmp, "no-overlays"), "--out", bundled], check=True,
                       capture_output=True, timeout=60)
        path = os.path.join(bundled, "provider-drift.example.xml")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("imap.new.", "imap.old.").replace("smtp.new.", "smtp.old."))
        res = subprocess.run([sys.executable, os.path.join(PROVIDERS, "check"), ispdb,
                              "--bundled", bundled, "--probe", "--mailscout", os.environ["MAILSCOUT"],
                              "--dns-server", "127.0.0.1", "--ca-file", os.environ["WORLD_CA"],
                              "--json"], capture_output=True, text=True, timeout=120)
        print(res.stdout, res.stderr)
        if res.returncode != 1:
            print(f"FAIL: providers/check exited {res.returncode}, expected 1 (drift)")
            return 1
        got = {d["ispdb"]["type"]: d.get("probe") for d in json.loads(res.stdout)["drift"]}
        want = {"imap": "ISPDB side works", "smtp": "bundled side works"}
        if got != want:
            print(f"FAIL: got {got}, want {want}")
            return 1
        print("PASS")
        return 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
