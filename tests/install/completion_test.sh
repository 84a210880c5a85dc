#!/usr/bin/env bash
# completions/mailscout: completes what `mailscout --help` and
# `mailscout COMMAND --help` list, and the fixed values of options.
# Runs the completion function the way bash does: COMP_WORDS, COMP_CWORD,
# then COMPREPLY.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$MAILSCOUT_SOURCE_DIR/completions/mailscout"

# complete WORD...: the completions for the last WORD (may be empty), one a line.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _mailscout
  printf '%s\n' "${COMPREPLY[@]}"
}

# expect "EXPECTED" WORD...: completing the last WORD offers exactly the
# space-separated EXPECTED, in any order. Pure bash: no process per case.
expect() {
  local want=$1 w
  shift
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _mailscout
  local -a want_words
  read -ra want_words <<<"$want"
  local -A offered=()
  for w in "${COMPREPLY[@]}"; do offered[$w]=1; done
  local ok=$((${#want_words[@]} == ${#offered[@]}))
  for w in "${want_words[@]}"; do [[ -n ${offered[$w]-} ]] || ok=0; done
  ((ok)) || fail "'$*': expected '$want', got '${COMPREPLY[*]}'"
}

[[ $(complete -p mailscout) == "complete -F _mailscout mailscout" ]] ||
  fail "not registered for mailscout: $(complete -p mailscout 2>&1)"

expect "audit discover export help serve setup test" mailscout ""
expect "serve setup" mailscout se
expect "warning" mailscout audit example.com --fail-on w
expect "--help --version" mailscout --
expect "discover" mailscout help d
expect "--format" mailscout setup --for
expect "android-json android-qr" mailscout setup alice@example.com --format android-
expect "json text" mailscout discover --format ""
expect "imap pop3 smtp" mailscout test --protocol ""
expect "starttls" mailscout test --security s
expect "SCRAM-SHA-1 SCRAM-SHA-256" mailscout test --mechanism SCRAM
expect "pop3" mailscout setup --prefer p
expect "well-known" mailscout discover --skip w
expect "aerc android-json android-qr autodiscover json mbsync mobileconfig msmtp neomutt text thunderbird" mailscout export ""
expect "mbsync mobileconfig msmtp" mailscout export --from r.json m
expect "" mailscout export thunderbird ""
expect "" mailscout test --host ""
expect "--header-timeout --help --helpdesk" mailscout serve --he

# File and folder names after options that take them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/site" && touch "$tmp/report.json"
expect "$tmp/report.json" mailscout export thunderbird --from "$tmp/rep"
expect "$tmp/site" mailscout serve --providers "$tmp/s"

# Every option of every command, no more, no fewer.
commands=$(help_commands)
[[ -n $commands ]] || fail "no commands in 'mailscout --help'"
for cmd in $commands; do
  [[ " $_mailscout_commands " == *" $cmd "* ]] || fail "command '$cmd' is not completed"
  want=$(help_options "$cmd" | sort -u)
  got=$(complete_words mailscout "$cmd" - | sort -u)
  [[ -n $want ]] || fail "no options in 'mailscout $cmd --help'"
  missing=$(comm -23 <(echo "$want") <(echo "$got") | tr '\n' ' ')
  extra=$(comm -13 <(echo "$want") <(echo "$got") | tr '\n' ' ')
  [[ -z $missing ]] || fail "'mailscout $cmd -': options of --help not completed: $missing"
  [[ -z $extra ]] || fail "'mailscout $cmd -': completed options that --help lacks: $extra"
done
for cmd in $_mailscout_commands; do
  [[ $'\n'$commands$'\n' == *$'\n'$cmd$'\n'* ]] ||
    echo "note: '$cmd' is completed but this binary lacks it"
done
finish
