#!/bin/bash
# Self-test of the fake Internet, with real tools. Run it inside a world:
#   python3 tests/world/world.py run --all -- bash tests/world/selftest.sh
# It checks the scenarios that are loaded ($WORLD_SCENARIOS) and exits non-zero
# if any check fails, printing what failed. Slow checks (timeouts) run in parallel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PROBE="/usr/bin/python3 $HERE/probe.py"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
LOGS=${WORLD_LOGS:-$WORLD_DIR/logs}

ok()   { echo "ok    $*" | tee -a "$RESULTS"; }
bad()  { echo "FAIL  $*" | tee -a "$RESULTS"; }
skip() { echo "skip  $*" | tee -a "$RESULTS"; }
loaded() { [[ " ${WORLD_SCENARIOS:-} " == *" $1 "* ]]; }

# expect_rc DESCRIPTION WANTED_RC COMMAND...: run COMMAND, compare its exit status.
expect_rc() {
  local desc=$1 want=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = "$want" ]; then ok "$desc"; else bad "$desc: wanted exit $want, got $rc: $(echo "$out" | tail -3)"; fi
}
# expect_out DESCRIPTION REGEX COMMAND...: COMMAND's output (stdout+stderr) must match REGEX.
expect_out() {
  local desc=$1 re=$2; shift 2
  local out
  out=$("$@" 2>&1)
  if echo "$out" | grep -Eq -- "$re"; then ok "$desc"; else bad "$desc: output does not match /$re/: $(echo "$out" | head -c 400)"; fi
}
# expect_log DESCRIPTION FILE REGEX: the log file must match REGEX (waits up to 2 s for it to be written).
expect_log() {
  local desc=$1 file=$2 re=$3 i
  for i in $(seq 40); do grep -Eq -- "$re" "$file" 2>/dev/null && { ok "$desc"; return; }; sleep 0.05; done
  bad "$desc: $file does not match /$re/"
}
# timed DESCRIPTION MIN_S MAX_S WANTED_RC COMMAND...: exit status and duration in [MIN_S, MAX_S].
timed() {
  local desc=$1 min=$2 max=$3 want=$4; shift 4
  local t0 t1 rc out
  t0=$(date +%s.%N); out=$("$@" 2>&1); rc=$?; t1=$(date +%s.%N)
  local dt; dt=$(python3 -c "print(round($t1-$t0,2))")
  if [ "$rc" = "$want" ] && python3 -c "import sys; sys.exit(0 if $min <= $dt <= $max else 1)"; then
    ok "$desc (${dt}s)"
  else
    bad "$desc: wanted exit $want in ${min}..${max}s, got exit $rc after ${dt}s: $(echo "$out" | tail -2)"
  fi
}
addr_of() { python3 -c "import json,sys; print(json.load(open('$WORLD_INFO'))['hosts']['$1'])"; }
have_ssleay() { perl -MNet::SSLeay -e 1 2>/dev/null; }
MSG=$(mktemp); printf 'From: t@world\r\nTo: x@world\r\nSubject: selftest\r\n\r\nhello\r\n' > "$MSG"

echo "== world: $WORLD_SCENARIOS ($WORLD_DIR)"

# ---------------------------------------------------------------- the world itself
expect_out "resolv.conf points to the world's DNS" '^nameserver 127\.0\.0\.1$' cat /etc/resolv.conf
expect_out "/etc/hosts has localhost and the host name" "localhost.*$(hostname)" cat /etc/hosts
expect_rc  "system bundle starts with the world CA" 0 cmp -n "$(stat -c %s "$WORLD_CA")" "$WORLD_CA" /etc/ssl/certs/ca-certificates.crt
expect_out "world.json lists the hosts" '"hosts"' cat "$WORLD_INFO"
expect_out "unknown names are NXDOMAIN" 'status: NXDOMAIN' dig @127.0.0.1 no-such-host.example A
expect_out "no real Internet names either" 'status: NXDOMAIN' dig @127.0.0.1 www.google.com A
expect_out "relay sink answers" '^220 ' $PROBE talk 127.0.0.2 25 QUIT

# ---------------------------------------------------------------- basic
if loaded basic; then
  A=$(addr_of mail.basic.example)
  expect_out "basic: getent hosts mail.basic.example" "^$A +mail.basic.example" getent hosts mail.basic.example
  expect_out "basic: dig A" "^$A\$" dig +short @127.0.0.1 mail.basic.example A
  expect_out "basic: MX" '^10 mail\.basic\.example\.$' dig +short @127.0.0.1 basic.example MX
  expect_out "basic: no SRV records" 'status: NXDOMAIN' dig @127.0.0.1 _imaps._tcp.basic.example SRV
  expect_rc "basic: imaps login (full address user)" 0 curl -sS imaps://mail.basic.example/ -u alice@basic.example:alicepw
  expect_rc "basic: imap STARTTLS login (local-part user)" 0 curl -sS imap://mail.basic.example/ --ssl-reqd -u bob:bobpw
  expect_rc "basic: local-part user with domain is refused" 67 curl -sS imap://mail.basic.example/ --ssl-reqd -u bob@basic.example:bobpw
  expect_rc "basic: wrong password is refused" 67 curl -sS imaps://mail.basic.example/ -u alice@basic.example:wrong-pw-1
  expect_log "basic: Dovecot log shows the wrong password" "$LOGS/mail.basic.example.log" 'Password mismatch \(given password: wrong-pw-1\)'
  expect_log "basic: Dovecot log shows the login" "$LOGS/mail.basic.example.log" 'imap-login: Info: Login: user=<alice@basic.example>'
  expect_out "basic: 143 before STARTTLS: LOGINDISABLED" 'STARTTLS.*LOGINDISABLED|LOGINDISABLED.*STARTTLS' $PROBE talk mail.basic.example 143 "a CAPABILITY" "b LOGOUT"
  expect_rc "basic: pop3s login" 0 curl -sS pop3s://mail.basic.example/ -u bob:bobpw
  expect_rc "basic: pop3 STARTTLS login" 0 curl -sS pop3://mail.basic.example/ --ssl-reqd -u alice@basic.example:alicepw
  expect_rc "basic: smtps 465 AUTH + send through the relay" 0 curl -sS smtps://mail.basic.example/ -u alice@basic.example:alicepw --mail-from alice@basic.example --mail-rcpt someone@elsewhere.example -T "$MSG"
  expect_log "basic: relay sink got the message" "$LOGS/relay.log" 'message [0-9]+\.eml from <alice@basic\.example> to <someone@elsewhere\.example>'
  expect_rc "basic: submission 587 STARTTLS AUTH + send" 0 curl -sS smtp://mail.basic.example:587/ --ssl-reqd -u bob:bobpw --mail-from bob@basic.example --mail-rcpt x@y.example -T "$MSG"
  if have_ssleay; then
    expect_rc "basic: swaks --tls-on-connect --auth PLAIN (465)" 0 swaks --server mail.basic.example --port 465 --tls-on-connect --auth PLAIN --auth-user alice@basic.example --auth-password alicepw --quit-after AUTH
    expect_rc "basic: swaks STARTTLS --auth LOGIN (587)" 0 swaks --server mail.basic.example --port 587 --tls --auth LOGIN --auth-user bob --auth-password bobpw --quit-after AUTH
  else
    skip "basic: swaks TLS checks (swaks needs Net::SSLeay: apt-get install libnet-ssleay-perl)"
  fi
  expect_log "basic: dns.log has the MX query" "$LOGS/dns.log" 'query\[MX\] basic\.example'
fi

# ---------------------------------------------------------------- demo
if loaded demo; then
  expect_out "demo: https autoconfig" '<hostname>imap\.demo\.example</hostname>' curl -sS "https://autoconfig.demo.example/mail/config-v1.1.xml?emailaddress=demo%40demo.example"
  expect_out "demo: http autoconfig" '<hostname>smtp\.demo\.example</hostname>' curl -sS http://autoconfig.demo.example/mail/config-v1.1.xml
  expect_out "demo: unknown path is 404" '^404$' curl -sS -o /dev/null -w '%{http_code}' https://autoconfig.demo.example/nope
  expect_log "demo: web.log has the request with its query" "$LOGS/web.log" 'https autoconfig\.demo\.example GET /mail/config-v1\.1\.xml\?emailaddress=demo%40demo\.example -> 200'
  expect_out "demo: welcome message in INBOX" 'Subject: Welcome to Demo Mail' curl -sS "imaps://imap.demo.example/INBOX;UID=1" -u demo@demo.example:demo-password
  expect_out "demo: custom greeting" 'Demo Mail IMAP ready' $PROBE talk imap.demo.example 993 --tls "a LOGOUT"
  expect_rc "demo: smtps send" 0 curl -sS smtps://smtp.demo.example/ -u demo@demo.example:demo-password --mail-from demo@demo.example --mail-rcpt friend@demo.example -T "$MSG"
fi

# ---------------------------------------------------------------- certs
if loaded certs; then
  U=user@certs.example:certspw
  expect_out "certs: wrong-name imaps fails" 'no alternative certificate subject name' curl -sS imaps://wrongname.certs.example/ -u $U
  expect_rc  "certs: wrong-name imaps works with -k (server is up)" 0 curl -sSk imaps://wrongname.certs.example/ -u $U
  expect_out "certs: expired imaps fails" 'certificate has expired' curl -sS imaps://expired.certs.example/ -u $U
  expect_out "certs: not-yet-valid imaps fails" 'not yet valid' curl -sS imaps://notyet.certs.example/ -u $U
  expect_out "certs: self-signed imaps fails" 'self-signed certificate' curl -sS imaps://selfsigned.certs.example/ -u $U
  expect_out "certs: unknown-CA imaps fails" 'unable to get local issuer' curl -sS imaps://unknownca.certs.example/ -u $U
  expect_out "certs: expired STARTTLS fails" 'certificate has expired' curl -sS imap://expired.certs.example/ --ssl-reqd -u $U
  expect_out "certs: expired smtps fails" 'certificate has expired' curl -sS smtps://expired.certs.example/ -u $U --mail-rcpt x@y.example -T "$MSG"
  expect_rc  "certs: split 993 has a bad certificate" 60 curl -sS imaps://split.certs.example/ -u $U
  expect_rc  "certs: split 143 STARTTLS has a good certificate" 0 curl -sS imap://split.certs.example/ --ssl-reqd -u $U
  expect_rc  "certs: web wrong-name" 60 curl -sS https://autoconfig.certs.example/mail/config-v1.1.xml
  expect_rc  "certs: web self-signed" 60 curl -sS https://certs.example/.well-known/autoconfig/mail/config-v1.1.xml
  expect_rc  "certs: web expired" 60 curl -sS -X POST -d '<x/>' https://autodiscover.certs.example/autodiscover/autodiscover.xml
  expect_out "certs: web wrong-name serves with -k" 'from-bad-cert-autoconfig' curl -sSk https://autoconfig.certs.example/mail/config-v1.1.xml
  expect_rc  "certs: bad-cert web hosts have no http" 7 curl -sS http://autoconfig.certs.example/mail/config-v1.1.xml
fi

# ---------------------------------------------------------------- security
if loaded security; then
  expect_out "security: '.' SRV target (not offered)" '^0 0 0 \.$' dig +short @127.0.0.1 _imaps._tcp.starttls-only.example SRV
  expect_out "security: SRV for STARTTLS imap" '^0 1 143 mail\.starttls-only\.example\.$' dig +short @127.0.0.1 _imap._tcp.starttls-only.example SRV
  expect_rc  "security: starttls-only has no 993" 7 curl -sS imaps://mail.starttls-only.example/ -u user@starttls-only.example:starttlspw
  expect_rc  "security: starttls-only 143 STARTTLS login" 0 curl -sS imap://mail.starttls-only.example/ --ssl-reqd -u user@starttls-only.example:starttlspw
  expect_rc  "security: starttls-only 110 STARTTLS login" 0 curl -sS pop3://mail.starttls-only.example/ --ssl-reqd -u user@starttls-only.example:starttlspw
  expect_rc  "security: starttls-only 587 STARTTLS send" 0 curl -sS smtp://mail.starttls-only.example:587/ --ssl-reqd -u user@starttls-only.example:starttlspw --mail-from a@starttls-only.example --mail-rcpt b@x.example -T "$MSG"
  expect_rc  "security: tls-only has no 143" 7 curl -sS imap://mail.tls-only.example/ -u user@tls-only.example:tlspw
  expect_rc  "security: tls-only 993 login" 0 curl -sS imaps://mail.tls-only.example/ -u user@tls-only.example:tlspw
  expect_rc  "security: tls-only 995 login" 0 curl -sS pop3s://mail.tls-only.example/ -u user@tls-only.example:tlspw
  expect_rc  "security: tls-only 465 send" 0 curl -sS smtps://mail.tls-only.example/ -u user@tls-only.example:tlspw --mail-from a@tls-only.example --mail-rcpt b@x.example -T "$MSG"
  expect_rc  "security: cleartext login without TLS" 0 curl -sS imap://mail.cleartext.example/ -u user@cleartext.example:cleartextpw
  expect_rc  "security: cleartext has no STARTTLS" 64 curl -sS imap://mail.cleartext.example/ --ssl-reqd -u user@cleartext.example:cleartextpw
  expect_out "security: cleartext offers CRAM-MD5 and SCRAM" 'AUTH=CRAM-MD5.*AUTH=SCRAM-SHA-1.*AUTH=SCRAM-SHA-256' $PROBE talk mail.cleartext.example 143 "a CAPABILITY" "b LOGOUT"
  expect_rc  "security: cleartext CRAM-MD5 login" 0 curl -sS imap://mail.cleartext.example/ --login-options AUTH=CRAM-MD5 -u user@cleartext.example:cleartextpw
  expect_out "security: SCRAM-SHA-256 login" '^a OK ' $PROBE scram mail.cleartext.example 143 user@cleartext.example cleartextpw
  expect_out "security: SCRAM-SHA-1 login" '^a OK ' $PROBE scram mail.cleartext.example 143 user@cleartext.example cleartextpw --algo SCRAM-SHA-1
  expect_out "security: SCRAM with a wrong password fails" '^a NO ' $PROBE scram mail.cleartext.example 143 user@cleartext.example wrong
  expect_log "security: log shows the CRAM-MD5 login" "$LOGS/mail.cleartext.example.log" 'Login: user=<user@cleartext.example>, method=CRAM-MD5'
  expect_rc  "security: cleartext pop3 login" 0 curl -sS pop3://mail.cleartext.example/ -u user@cleartext.example:cleartextpw
fi

# ---------------------------------------------------------------- faults (slow: in parallel)
if loaded faults; then
  expect_rc "faults: refused" 7 curl -sS imaps://refused.faults.example/
  expect_out "faults: SRV points to the tarpit" 'tarpit\.faults\.example' dig +short @127.0.0.1 _imaps._tcp.faults.example SRV
  timed "faults: tarpit times out (no greeting)" 1.9 3 28 curl -sS --max-time 2 imaps://tarpit.faults.example/ &
  timed "faults: dropped SYN: connect times out" 1.9 3 28 curl -sS --connect-timeout 2 smtps://dropped.faults.example/ &
  timed "faults: slow proxy: login works, slowly" 2.5 6 0 curl -sS imaps://slow.faults.example/ -u user@faults.example:faultspw &
  timed "faults: slow autoconfig times out at 1 s" 0.9 2 28 curl -sS --max-time 1 https://autoconfig.faults.example/mail/config-v1.1.xml &
  timed "faults: slow autoconfig arrives after 3 s" 2.9 5 0 curl -sS https://autoconfig.faults.example/mail/config-v1.1.xml &
fi

# ---------------------------------------------------------------- hostile-smoke (slow: in parallel)
if loaded hostile-smoke; then
  expect_out "hostile: xml bomb body" '<!ENTITY lol9' curl -sS https://bomb.web.hostile.example/mail/config-v1.1.xml
  expect_out "hostile: xxe body" 'file:///etc/passwd' curl -sS https://xxe.web.hostile.example/mail/config-v1.1.xml
  expect_rc  "hostile: redirect loop" 47 curl -sS -L --max-redirs 5 https://loop-a.web.hostile.example/mail/config-v1.1.xml
  expect_out "hostile: tls-abort breaks the handshake" 'SSL|TLS|reset|closed' curl -sS imaps://tlsabort.mail.hostile.example/
  expect_out "hostile: capability flood" '^\* CAPABILITY IMAP4rev1 X-FLOOD-0 X-FLOOD-1 ' $PROBE talk capflood.mail.hostile.example 143 "a CAPABILITY"
  expect_out "hostile: capability line is huge" '\.\.\.\([0-9]{6,} chars\)' $PROBE talk capflood.mail.hostile.example 143 "a CAPABILITY"
  expect_out "hostile: literal {4294967296}" '\{4294967296\}' $PROBE talk literal.mail.hostile.example 143 "a CAPABILITY"
  expect_rc  "hostile: scripted STARTTLS server refuses the login" 67 curl -sS imap://script.mail.hostile.example/ --ssl-reqd -u x:y
  expect_log "hostile: script log shows the TLS upgrade" "$LOGS/tcp.log" 'script-script\.mail\.hostile\.example-143 .*: starting TLS'
  expect_out "hostile: endless greeting (TLS): 1 MB, no newline" '"bytes": 10[0-9]{5}, "newline": false' $PROBE read endless.mail.hostile.example 993 --tls --max 1048576
  expect_out "hostile: endless greeting (plain): 1 MB, no newline" '"bytes": 10[0-9]{5}, "newline": false' $PROBE read endless.mail.hostile.example 143 --max 1048576
  expect_out "hostile: huge body stops at --max-filesize" 'Maximum file size exceeded|exceeded the maximum' curl -sS --max-filesize 1000000 https://huge.web.hostile.example/x -o /dev/null
  timed "hostile: stream forever never ends" 1.9 3 28 curl -sS --max-time 2 https://stream.web.hostile.example/mail/config-v1.1.xml -o /dev/null &
  timed "hostile: hang after headers" 1.9 3 28 curl -sS --max-time 2 https://hang.web.hostile.example/mail/config-v1.1.xml -o /dev/null &
  timed "hostile: silent web server" 0.9 2 28 curl -sS --max-time 1 http://silent.web.hostile.example/ -o /dev/null &
  timed "hostile: dripping web body" 1.9 3 28 curl -sS --max-time 2 https://drip.web.hostile.example/x -o /dev/null &
  expect_out "hostile: greeting drips one byte a second" '"bytes": [1-4], "newline": false, "eof": false, "timeout": true, "head": "\* ?O?K?"' $PROBE read drip.mail.hostile.example 143 --timeout 2.5 &
fi

# ---------------------------------------------------------------- sources
if loaded sources; then
  U=sourcespw
  expect_out "sources: SRV" '^0 1 993 imap-q4zt9p\.srv-only\.example\.$' dig +short @127.0.0.1 _imaps._tcp.srv-only.example SRV
  expect_out "sources: MX" '^10 mx-p9x3kd\.mx-only\.example\.$' dig +short @127.0.0.1 mx-only.example MX
  expect_out "sources: autoconfig (https)" 'imap-ac7j5m\.autoconfig-only\.example' curl -sS https://autoconfig.autoconfig-only.example/mail/config-v1.1.xml
  expect_rc  "sources: autoconfig-only has no http" 7 curl -sS http://autoconfig.autoconfig-only.example/mail/config-v1.1.xml
  expect_out "sources: autoconfig (http only)" 'imap-hc3t8w\.http-autoconfig-only\.example' curl -sS http://autoconfig.http-autoconfig-only.example/mail/config-v1.1.xml
  expect_out "sources: .well-known" 'imap-wk2d6r\.wellknown-only\.example' curl -sS https://wellknown-only.example/.well-known/autoconfig/mail/config-v1.1.xml
  expect_out "sources: autodiscover POST" '<Server>imap-ad8n1v\.autodiscover-only\.example</Server>' curl -sS -X POST -H 'Content-Type: text/xml' --data '<Autodiscover><Request><EMailAddress>user@autodiscover-only.example</EMailAddress></Request></Autodiscover>' https://autodiscover.autodiscover-only.example/autodiscover/autodiscover.xml
  expect_log "sources: web.jsonl has the autodiscover request body" "$LOGS/web.jsonl" '"method": "POST".*EMailAddress>user@autodiscover-only\.example'
  expect_out "sources: autodiscover GET is 404" '^404$' curl -sS -o /dev/null -w '%{http_code}' https://autodiscover.autodiscover-only.example/autodiscover/autodiscover.xml
  expect_out "sources: autodiscover http redirect" '^302 https://ad-target-m2q8\.autodiscover-redirect\.example/autodiscover/autodiscover\.xml$' curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' http://autodiscover.autodiscover-redirect.example/autodiscover/autodiscover.xml
  expect_out "sources: autodiscover redirect target" 'imap-ar3c7w\.autodiscover-redirect\.example' curl -sS -X POST --data '<x/>' https://ad-target-m2q8.autodiscover-redirect.example/autodiscover/autodiscover.xml
  expect_out "sources: ISPDB" 'imap-is6k4f\.ispdb-only\.example' curl -sS https://autoconfig.thunderbird.net/v1.1/ispdb-only.example
  expect_out "sources: ISPDB unknown domain is 404" '^404$' curl -sS -o /dev/null -w '%{http_code}' https://autoconfig.thunderbird.net/v1.1/gmail.com
  expect_rc  "sources: login on an also_hosts name (TLS name check)" 0 curl -sS imaps://imap-is6k4f.ispdb-only.example/ -u user@ispdb-only.example:$U
  expect_rc  "sources: smtps on the SRV host" 0 curl -sS smtps://smtp-q4zt9p.srv-only.example/ -u user@srv-only.example:$U --mail-from user@srv-only.example --mail-rcpt x@y.example -T "$MSG"
  expect_out "sources: no autoconfig for the SRV domain" 'status: NXDOMAIN' dig @127.0.0.1 autoconfig.srv-only.example A
fi

# ---------------------------------------------------------------- policy-* (Dovecot's penalties; slow: in parallel)
if loaded policy-wrongpw; then
  (
    timed "policy: a wrong password is answered after auth_failure_delay (2 s)" 1.8 4 67 curl -sS imaps://mail.wrongpw.example/ -u user@wrongpw.example:bad
    timed "policy: the next login from the same IP also waits for the penalty" 4.5 10 67 curl -sS pop3s://mail.wrongpw.example/ -u user:bad
    expect_out "policy: each failed login is one auth line" '^2$' bash -c "grep -Ec ' auth: Info: .*(Password mismatch|unknown user)' $LOGS/mail.wrongpw.example.log"
  ) &
fi
if loaded policy-localpart; then
  (
    expect_rc  "policy: localpart: the local part logs in" 0 curl -sS imaps://mail.localpart.example/ -u alice:localpartpw
    expect_rc  "policy: localpart: the full address is an unknown user" 67 curl -sS imaps://mail.localpart.example/ -u alice@localpart.example:localpartpw
    expect_log "policy: localpart: logged as unknown user" "$LOGS/mail.localpart.example.log" 'auth: Info: passwd-file\(alice@localpart\.example,127\.0\.0\.1,.*unknown user'
    expect_rc  "policy: localpart: 143 is closed" 7 curl -sS imap://mail.localpart.example/
  ) &
fi
if loaded policy-banned; then
  (
    for i in 1 2 3; do curl -sS imaps://mail.banned.example/ -u carol:wrong$i 2>/dev/null & done; wait
    expect_log "policy: banned: the 3rd failed login bans the client" "$LOGS/ban.log" '^[-0-9: .]+ banned 127\.0\.0\.1 after 3 failures on mail\.banned\.example'
    timed "policy: banned: connect to 587 hangs" 1.9 3 28 curl -sS --connect-timeout 2 smtp://mail.banned.example:587/
  ) &
fi
if loaded policy-tarpit; then
  expect_out "policy: tarpit.example has no autoconfig" 'status: NXDOMAIN' dig @127.0.0.1 autoconfig.tarpit.example A
  expect_rc  "policy: tarpit: 143 STARTTLS login works" 0 curl -sS imap://mail.tarpit.example/ --ssl-reqd -u user@tarpit.example:tarpitpw
  expect_rc  "policy: tarpit: 587 STARTTLS login works" 0 curl -sS smtp://mail.tarpit.example:587/ --ssl-reqd -u user@tarpit.example:tarpitpw --mail-from user@tarpit.example --mail-rcpt x@y.example -T "$MSG"
  timed "policy: tarpit: 993 TLS handshake never ends" 1.9 3 28 curl -sS --max-time 2 imaps://mail.tarpit.example/ &
  timed "policy: tarpit: 465 connect times out" 1.9 3 28 curl -sS --connect-timeout 2 smtps://mail.tarpit.example/ &
fi

if loaded hostile-smoke; then
  expect_out "hostile: 500 SRV records (over TCP)" '^500$' bash -c "dig +short @127.0.0.1 _imaps._tcp.srvflood.hostile.example SRV | wc -l"
  expect_out "hostile: SRV flood truncates over UDP" 'flags: qr aa tc' dig +ignore +notcp @127.0.0.1 _imaps._tcp.srvflood.hostile.example SRV
fi

wait
rm -f "$MSG"
passed=$(grep -c '^ok' "$RESULTS"); failed=$(grep -c '^FAIL' "$RESULTS"); skipped=$(grep -c '^skip' "$RESULTS")
if [ "$failed" != 0 ]; then echo; echo "failed checks:"; grep '^FAIL' "$RESULTS"; fi
echo "selftest: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
