#!/usr/bin/env bash
# The part of scripts/demo that runs inside the demo world (tests/world,
# scenario "demo"): `mailscout setup demo@demo.example` shows the helpdesk
# card, then the Thunderbird, Outlook and Apple files are written from the
# saved report into $DEMO_OUT (default ./demo-out) and the script says where.
# The password comes from MAILSCOUT_PASSWORD (scripts/demo sets the demo
# account's); it is never on a command line or in a file.
set -euo pipefail
cd "$(dirname "$0")/.."
ms="${MAILSCOUT:-build/mailscout}"
out="${DEMO_OUT:-$(pwd)/demo-out}"
mkdir -p "$out"
report="$out/setup-report.json"

echo "\$ mailscout setup demo@demo.example --save-report $report"
echo
status=0
"$ms" setup demo@demo.example --save-report "$report" || status=$?
echo
if [ "$status" -ne 0 ]; then
  echo "demo: mailscout setup exited with status $status (see the card above)" >&2
  exit "$status"
fi

# The client files, from the saved report (no network needed for these).
export_file() {  # FORMAT FILE: quiet unless it fails
  local said
  if ! said=$("$ms" export "$1" --from "$report" -o "$out/$2" 2>&1); then
    echo "$said" >&2
    exit 1
  fi
}
export_file thunderbird config-v1.1.xml
export_file autodiscover autodiscover.xml
export_file mobileconfig demo@demo.example.mobileconfig

cat <<EOT
Files for the mail clients, written to $out:
  config-v1.1.xml                  Thunderbird autoconfig (clientConfig 1.1)
  autodiscover.xml                 Outlook Autodiscover response
  demo@demo.example.mobileconfig   Apple profile for iPhone, iPad and Mac Mail
  setup-report.json                the full report ('mailscout export FORMAT --from' reads it)
None of them contains the password. docs/exports.md says how each client imports its file.
EOT
