#!/usr/bin/env bash
# Installs Delta Chat core's JSON-RPC server (npm @deltachat/stdio-rpc-server,
# the version pinned in package-lock.json beside this script, integrity-checked
# by npm) into DEST, for tests/e2e/serve/deltachat_test.py. ctest runs it as
# the fixture of that test; CI starts from a clean clone, so it runs there once
# per build tree. A second run with the same lock file does nothing.
#   install.sh DEST        (e.g. build/deltachat)
# Needs node and npm (on the machine; Debian's npm package is not used) and the
# npm registry.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: install.sh DEST}
mkdir -p "$dest"
stamp="$dest/.installed"
want=$(sha256sum "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "deltachat: already installed in $dest ($(cat "$dest/version" 2>/dev/null))"
  exit 0
fi
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "deltachat: node and npm are needed to install @deltachat/stdio-rpc-server" >&2
  exit 1
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
rm -f "$stamp"
# Not `npm ci`: it refuses a lock file without the optional platform packages
# the registry does not have (android-arm, linux-arm of this version). `npm
# install` with the lock file installs the same pinned versions and checks
# their integrity hashes; --no-save leaves both files as they are.
# --ignore-scripts: nothing of the package needs to run at install time.
(cd "$dest" && npm install --no-save --no-audit --no-fund --ignore-scripts \
  --cache "$dest/.npm-cache" --loglevel=error)
server=$(cd "$dest" && node --input-type=module -e \
  "import {getRPCServerPath} from '@deltachat/stdio-rpc-server'; console.log(getRPCServerPath())")
version=$("$server" --version 2>&1)  # it prints its version on stderr
echo "$version" > "$dest/version"
echo "$want" > "$stamp"
echo "deltachat: installed deltachat-rpc-server $version in $dest: $server"
