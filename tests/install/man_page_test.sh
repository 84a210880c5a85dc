#!/usr/bin/env bash
# docs/mailscout.1: has a section for every command of `mailscout --help`
# naming each option of `mailscout COMMAND --help`, and renders without
# warnings.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
page="$MAILSCOUT_SOURCE_DIR/docs/mailscout.1"

# section CMD: the page's lines from ".SS CMD" to the next section.
section() {
  awk -v cmd="$1" '
    /^\.S[SH] / { inside = ($1 == ".SS" && $2 == cmd) }
    inside' "$page"
}

commands=$(help_commands)
[[ -n $commands ]] || fail "no commands in 'mailscout --help'"
for cmd in $commands; do
  text=$(section "$cmd")
  if [[ -z $text ]]; then
    fail "no '.SS $cmd' section"
    continue
  fi
  for option in $(help_options "$cmd"); do
    [[ $option == -h || $option == --help ]] && continue
    # roff spells a hyphen \-; match the option as a whole word (bash's
    # own regex: no process per option).
    re="(^|[^a-z\\-])${option//-/\\\\-}([^a-z\\-]|\$)"
    [[ $text =~ $re ]] || fail "'.SS $cmd' does not name $option"
  done
done

if command -v man >/dev/null; then
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "man warns: $warnings"
  rendered=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null)
  for heading in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT FILES "EXIT STATUS"; do
    grep -qx "$heading" <<<"$rendered" || fail "the rendered page has no $heading"
  done
else
  echo "note: man is not installed; the page's rendering is not checked"
fi
finish
