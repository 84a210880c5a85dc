#!/usr/bin/env bash
# `cmake --install BUILD --prefix TMP/p` lays out the tree of
# packaging/install.cmake, and the installed binary finds its providers under
# its own prefix, even after the prefix moves: no MAILSCOUT_PROVIDERS_DIR,
# not the source tree's providers/.
#   install_tree_test.sh CMAKE BUILD_DIR
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cmake=$1 build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/p

if ! "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log" >&2
  fail "cmake --install failed"
  finish
fi

[[ -x $prefix/bin/mailscout ]] || fail "no bin/mailscout"
src_count=$(find "$MAILSCOUT_SOURCE_DIR/providers" -maxdepth 1 -name '*.xml' | wc -l)
got_count=$(find "$prefix/share/mailscout/providers" -maxdepth 1 -name '*.xml' | wc -l)
((src_count > 0 && src_count == got_count)) ||
  fail "share/mailscout/providers has $got_count files, providers/ $src_count"
[[ -e $prefix/share/mailscout/providers/README.md ]] && fail "providers/README.md installed"
if [[ -d $MAILSCOUT_SOURCE_DIR/web ]]; then
  for f in "$MAILSCOUT_SOURCE_DIR"/web/*; do
    cmp -s "$f" "$prefix/share/mailscout/web/${f##*/}" || fail "web/${f##*/} not installed"
  done
fi
man=$prefix/share/man/man1/mailscout.1.gz
zcat "$man" 2>/dev/null | cmp -s - "$MAILSCOUT_SOURCE_DIR/docs/mailscout.1" ||
  fail "share/man/man1/mailscout.1.gz is not docs/mailscout.1"
cmp -s "$prefix/share/bash-completion/completions/mailscout" \
  "$MAILSCOUT_SOURCE_DIR/completions/mailscout" || fail "no bash completion"

# The unit and the options file name this prefix's paths.
unit=$prefix/lib/systemd/system/mailscout-serve.service
options=$prefix/etc/default/mailscout-serve
grep -qx "ExecStart=$prefix/bin/mailscout serve --providers \${MAILSCOUT_SITE} \$MAILSCOUT_SERVE_OPTIONS" \
  "$unit" || fail "the unit's ExecStart: $(grep ExecStart= "$unit")"
grep -qx "EnvironmentFile=-$options" "$unit" || fail "the unit's EnvironmentFile"
grep -qx "Environment=MAILSCOUT_SITE=$prefix/etc/mailscout/site" "$unit" || fail "the unit's site"
grep -q "@[A-Z]*@" "$unit" "$options" && fail "an unreplaced @VARIABLE@"
for setting in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes \
  ProtectHome=yes CapabilityBoundingSet=CAP_NET_BIND_SERVICE \
  AmbientCapabilities=CAP_NET_BIND_SERVICE "ExecReload=/bin/kill -HUP \$MAINPID"; do
  grep -qx "$setting" "$unit" || fail "the unit lacks $setting"
done
grep -q '^RestrictAddressFamilies=' "$unit" || fail "the unit lacks RestrictAddressFamilies"
[[ -f $options ]] || fail "no etc/default/mailscout-serve"
[[ -d $prefix/etc/mailscout/site ]] || fail "no etc/mailscout/site"

# Installing again keeps an options file the administrator edited.
echo 'MAILSCOUT_SERVE_OPTIONS="--listen 127.0.0.1:8025"' >>"$options"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install2.log" 2>&1 || fail "second install"
grep -q 8025 "$options" || fail "a second install overwrote etc/default/mailscout-serve"

# The binary finds the providers under its own prefix, wherever it is.
mv "$prefix" "$tmp/moved"
out=$(cd "$tmp" && env -u MAILSCOUT_PROVIDERS_DIR "$tmp/moved/bin/mailscout" \
  discover alice@gmail.com --offline --format json 2>&1)
status=$?
((status == 0)) || fail "discover --offline: exit $status: $out"
grep -q "\"$tmp/moved/share/mailscout/providers/googlemail.com.xml\"" <<<"$out" ||
  fail "discover did not read the moved prefix's providers: $out"
grep -q "$MAILSCOUT_SOURCE_DIR/providers" <<<"$out" && fail "discover read the source tree"
finish
