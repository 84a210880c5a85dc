#!/usr/bin/env bash
# completions/mailscout: completes what `mailscout --help` and
# `mailscout COMMAND --help` list, and the fixed values of options.
# Runs the completion function the way bash does: COMP_WORDS, COMP_CWORD,
# then COMPREPLY.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$MAILSCOUT_SOURCE_DIR/completions/mailscout"

# complete WORD... : the completions for the last word (may be empty).
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _mailscout
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect "WORDS" "EXPECTED" (sorted, space-separated)
expect() {
  local got
  # shellcheck disable=SC2086
  got=$(complete_words $1 | tr '\n' ' ' | sed 's/ $//')
  [[ "$got" == "$2" ]] || fail "'$1': expected '$2', got '$got'"
}

[[ $(complete -p mailscout) == "complete -F _mailscout mailscout" ]] ||
  fail "not registered for mailscout: $(complete -p mailscout 2>&1)"

expect "mailscout ''" "audit discover export help serve setup test"
expect "mailscout se" "serve setup"
expect "mailscout audit example.com --fail-on w" "warning"
expect "mailscout --" "--help --version"
expect "mailscout help d" "discover"
expect "mailscout setup --for" "--format"
expect "mailscout setup alice@example.com --format android-" "android-json android-qr"
expect "mailscout discover --format ''" "json text"
expect "mailscout test --protocol ''" "imap pop3 smtp"
expect "mailscout test --security s" "starttls"
expect "mailscout test --mechanism SCRAM" "SCRAM-SHA-1 SCRAM-SHA-256"
expect "mailscout setup --prefer p" "pop3"
expect "mailscout discover --skip w" "well-known"
expect "mailscout export ''" "aerc android-json android-qr autodiscover json mbsync mobileconfig msmtp neomutt text thunderbird"
expect "mailscout export --from r.json m" "mbsync mobileconfig msmtp"
expect "mailscout export thunderbird ''" ""
expect "mailscout test --host ''" ""
expect "mailscout serve --he" "--help --helpdesk"

# File and folder names after options that take them.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/site" && touch "$tmp/report.json"
expect "mailscout export thunderbird --from $tmp/rep" "$tmp/report.json"
expect "mailscout serve --providers $tmp/s" "$tmp/site"

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
  grep -qx "$cmd" <<<"$commands" || echo "note: '$cmd' is completed but this binary lacks it"
done
finish
