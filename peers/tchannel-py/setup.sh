#!/bin/bash
# tchannel-py set-up: a virtualenv in $PEER_STATE/venv with PyPI tchannel 2.1.0 and its resolved
# dependencies (tornado 4.5.3, thriftrw 1.9.0, ...), pinned with hashes in requirements.txt.
# setuptools and wheel (pinned) go in first; the sdists are then built with them and no build
# isolation. Idempotent: a stamp with a hash of the inputs makes a second run take well under a
# second.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
PY="${PYTHON:-python3.11}"
REQ="$PEER_DIR/requirements.txt"
VENV="$PEER_STATE/venv"
STAMP="$PEER_STATE/setup.stamp"
CHECK='import importlib.metadata as m, tchannel, thriftrw, tornado, tchannel.thrift; v = (m.version("tchannel"), thriftrw.__version__, tornado.version); assert v == ("2.1.0", "1.9.0", "4.5.3"), v; print("tchannel %s, thriftrw %s, tornado %s" % v)'

mkdir -p "$PEER_STATE"
want="$(cat "$REQ" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1) $(command -v "$PY" || true)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ]; then
  exit 0
fi

if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11-venv
fi

rm -rf "$VENV"
"$PY" -m venv "$VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes -r <(grep -A1 -E '^(setuptools|wheel)==' "$REQ" | grep -v '^--$')
"$VENV/bin/python" -m pip install --quiet --no-deps --require-hashes --no-build-isolation -r "$REQ"
"$VENV/bin/python" -c "$CHECK"
echo "$want" > "$STAMP"
