#!/usr/bin/env bash
# Set-up of a Python peer with a virtualenv of its own ($PEER_STATE/venv), sourced by the peer's
# setup.sh after it sets:
#   CHECK    Python code that imports the library and asserts its pinned version (printed);
#   INSTALL  "wheels" (binary wheels only) or "sdists" (setuptools and wheel, pinned in the same
#            requirements.txt, go in first; the rest is then built with them, no build isolation).
# Packages come from $PEER_DIR/requirements.txt, pinned with hashes. Idempotent: a stamp with a
# hash of the inputs (requirements, the peer's setup.sh, this file, the Python) makes a second run
# take well under a second. Environment: PEER_DIR, PEER_STATE (both required), PYTHON (default
# python3.11).
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
: "${CHECK:?the peer's setup.sh must set CHECK}" "${INSTALL:?the peer's setup.sh must set INSTALL}"
PY="${PYTHON:-python3.11}"
REQ="$PEER_DIR/requirements.txt"
VENV="$PEER_STATE/venv"
STAMP="$PEER_STATE/setup.stamp"

mkdir -p "$PEER_STATE"
want="$(cat "$REQ" "${BASH_SOURCE[1]:-$0}" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1) $(command -v "$PY" || true)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11-venv
fi

rm -rf "$VENV"
"$PY" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1
case "$INSTALL" in
  wheels)
    "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes --only-binary :all: -r "$REQ"
    ;;
  sdists)
    "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes -r <(grep -A1 -E '^(setuptools|wheel)==' "$REQ" | grep -v '^--$')
    "$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes --no-build-isolation -r "$REQ"
    ;;
  *)
    echo "python-own-venv.sh: INSTALL must be wheels or sdists, not '$INSTALL'" >&2
    exit 2
    ;;
esac
"$VENV/bin/python" -c "$CHECK"
echo "$want" > "$STAMP"
