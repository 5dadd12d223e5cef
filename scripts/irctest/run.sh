#!/usr/bin/env bash
# Runs the irctest conformance suite (github.com/progval/irctest) against chat's IRC dialect.
#
#   scripts/irctest/run.sh IRCTEST_DIR [pytest arguments...]
#
# IRCTEST_DIR is a checkout of irctest (commit 219ca65 runs with Debian's python3-pytest).
# Without pytest arguments it runs the generic selection for a server without services:
#   -m "not services" -k "not Ergo and not deprecated and not strict"
# Other pytest arguments (-q, -v, -s, -x, -rfs, ...) are added to it; a -k or -m of your own
# replaces it (for example `-k testJoin`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
irctest="${1:?usage: scripts/irctest/run.sh IRCTEST_DIR [pytest arguments...]}"
shift
# pytest from Debian, installed when missing (CI does not run irctest: it is run by hand).
python3 -c "import pytest" 2>/dev/null ||
  (apt-get update -qq && apt-get install -y -qq python3-pytest) >/dev/null 2>&1 ||
  { echo "run.sh: python3-pytest is missing and could not be installed (apt-get install python3-pytest)" >&2; exit 1; }
own_selection=false
for arg in "$@"; do
  case "$arg" in -k | -m | -k* | -m*) own_selection=true ;; esac
done
if [ "$own_selection" = false ]; then
  set -- -m "not services" -k "not Ergo and not deprecated and not strict" "$@"
fi
# irctest runs on pytest: Debian's python3-pytest, installed here when missing (irctest is not
# part of .ci/run, so CI never needs it).
if ! python3 -c "import pytest" >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq python3-pytest) >/dev/null 2>&1 || {
    echo "irctest needs pytest: apt-get install python3-pytest (it could not be installed here)" >&2
    exit 1
  }
fi
if [ ! -f "$irctest/conftest.py" ]; then
  echo "$irctest is not an irctest checkout (no conftest.py): see docs/IRC.md" >&2
  exit 2
fi
# Type-check once here, so each test's server start is quick (the controller runs --no-check).
"$repo/scripts/deno" check "$repo/main.ts" >/dev/null
cd "$irctest"
export CHAT_REPO="$repo"
export PYTHONPATH="$here:$irctest${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -m pytest -p no:cacheprovider --controller chat "$@"
