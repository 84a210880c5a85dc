# Shared by the tests in this folder: failure reporting and the option
# lists of `mailscout COMMAND --help`. Needs MAILSCOUT (the binary) and
# MAILSCOUT_SOURCE_DIR in the environment (tests/install/CMakeLists.txt).
: "${MAILSCOUT:?the mailscout binary}" "${MAILSCOUT_SOURCE_DIR:?the source tree}"

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
finish() {
  if ((failures)); then
    echo "$failures failure(s)" >&2
    exit 1
  fi
  echo "ok"
}

# The commands `mailscout --help` lists, one a line.
help_commands() {
  "$MAILSCOUT" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The options of `mailscout COMMAND --help` ("-o", "--output", ...), one a
# line, from its Options: section.
help_options() {
  "$MAILSCOUT" "$1" --help | sed -n '/^Options:/,/^$/p' |
    grep -oE '^  (-[A-Za-z], )?--[a-z0-9-]+' | tr -d ' ' | tr ',' '\n'
}
