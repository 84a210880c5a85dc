#!/bin/bash
# Tests of world.py itself (run OUTSIDE a world, as root):
#   bash tests/world/test_runner.sh
# exit statuses, setup errors (125), environment, cwd, cleanup, two worlds in parallel,
# and the full selftest in every scenario at once.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
WORLD="/usr/bin/python3 $HERE/world.py"
pass=0; fail=0
ok()  { echo "ok    $*"; pass=$((pass + 1)); }
bad() { echo "FAIL  $*"; fail=$((fail + 1)); }
rc_is() { local desc=$1 want=$2; shift 2; "$@" >/tmp/world-runner.$$ 2>&1; local rc=$?
  if [ $rc = "$want" ]; then ok "$desc"; else bad "$desc: wanted $want, got $rc: $(tail -3 /tmp/world-runner.$$)"; fi; }
TMP=$(mktemp -d); chmod 755 "$TMP"; trap 'rm -rf "$TMP" /tmp/world-runner.$$' EXIT

cd /   # any cwd works
rc_is "exit status 0 passes through" 0 $WORLD run -s basic -- true
rc_is "exit status 7 passes through" 7 $WORLD run -s basic -- sh -c 'exit 7'
rc_is "killed by a signal: 128+N" 143 $WORLD run -s basic -- sh -c 'kill -TERM $$'
rc_is "missing command: 127" 127 $WORLD run -s basic -- /nonexistent/command
rc_is "unknown scenario: 125" 125 $WORLD run -s no-such-scenario -- true
rc_is "no scenario: 125" 125 $WORLD run -- true
rc_is "no command: 125" 125 $WORLD run -s basic
echo '{"mail":[{"host":"x.example","services":["imaps"],"dovecot":["no_such_setting = 1"]}]}' > "$TMP/bad-dovecot.json"
rc_is "Dovecot refusing its config: 125" 125 $WORLD run -s "$TMP/bad-dovecot.json" -- true
echo '{"mail":[{"host":"x.example","services":["imap5"]}]}' > "$TMP/bad-schema.json"
rc_is "schema error: 125" 125 $WORLD run -s "$TMP/bad-schema.json" -- true
if grep -q "mail\[0\].services\[0\]: unknown service 'imap5'" /tmp/world-runner.$$; then ok "schema error names the place"; else bad "schema error message: $(cat /tmp/world-runner.$$)"; fi

out=$(cd "$TMP" && $WORLD run -s basic -- sh -c 'pwd; echo "D=$WORLD_DIR"; echo "CA=$WORLD_CA"; echo "X=$X"; cat' <<< stdin-ok 2>&1)
[[ "$out" == *"$TMP"* ]] && ok "cwd is kept" || bad "cwd: $out"
X=1; export X; out=$($WORLD run -s basic -- sh -c 'echo "X=$X"' 2>&1); unset X
[[ "$out" == *"X=1"* ]] && ok "environment is inherited" || bad "environment: $out"
out=$($WORLD run -s basic -- sh -c 'cat' <<< stdin-ok 2>&1)
[[ "$out" == *"stdin-ok"* ]] && ok "stdin is inherited" || bad "stdin: $out"
dir=$($WORLD run -s basic -- sh -c 'echo $WORLD_DIR' 2>/dev/null)
[ -n "$dir" ] && [ ! -e "$dir" ] && ok "world dir removed afterwards" || bad "world dir $dir still there"
mkdir -p "$TMP/closed"; chmod 700 "$TMP/closed"
rc_is "--keep-dir under a closed folder: 125" 125 $WORLD run -s basic --keep-dir "$TMP/closed/w" -- true
out=$(TMPDIR="$TMP/closed" $WORLD run -s basic -- sh -c 'echo $WORLD_DIR; curl -sS imaps://mail.basic.example/ -u bob:bobpw' 2>&1)
[[ "$out" == /tmp/mailscout-world-*"INBOX"* ]] && ok "closed TMPDIR: falls back to /tmp" || bad "closed TMPDIR: $out"
rc_is "--keep-dir keeps the logs" 0 $WORLD run -s basic --keep-dir "$TMP/kept" -- curl -sS imaps://mail.basic.example/ -u bob:bobpw
grep -q "Login: user=<bob>" "$TMP/kept/logs/mail.basic.example.log" && ok "kept Dovecot log has the login" || bad "kept log"
out=$($WORLD run -s basic -- cat /etc/resolv.conf 2>&1); host_resolv=$(cat /etc/resolv.conf)
[[ "$out" == "nameserver 127.0.0.1" ]] && ok "resolv.conf replaced inside" || bad "resolv.conf inside: $out"
[ "$(cat /etc/resolv.conf)" = "$host_resolv" ] && ok "host resolv.conf untouched" || bad "host resolv.conf changed"
$WORLD run -s basic -- sleep 30 & P=$!; sleep 1.5; kill -TERM $P; wait $P; rc=$?
[ $rc = 143 ] && ok "SIGTERM to world.py stops the command (143)" || bad "SIGTERM: rc $rc"

missing=""
for b in $($WORLD behaviours | grep -E '^  [a-z]' | awk '{print $1}'); do
  grep -q "\`$b\`" "$HERE/README.md" || missing="$missing $b"
done
[ -z "$missing" ] && ok "README documents every behaviour" || bad "README lacks behaviours:$missing"

# Two worlds at once, each running the selftest on every scenario.
$WORLD run --all -- bash "$HERE/selftest.sh" > "$TMP/p1.out" 2>&1 & P1=$!
$WORLD run --all -- bash "$HERE/selftest.sh" > "$TMP/p2.out" 2>&1 & P2=$!
wait $P1; r1=$?; wait $P2; r2=$?
if [ $r1 = 0 ] && [ $r2 = 0 ]; then ok "two worlds in parallel: selftest passes in both"; else
  bad "parallel selftest: exit $r1 and $r2"; grep -h FAIL "$TMP/p1.out" "$TMP/p2.out"; fi

echo "test_runner: $pass passed, $fail failed"
[ $fail = 0 ]
