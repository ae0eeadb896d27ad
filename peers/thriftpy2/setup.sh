#!/bin/bash
# thriftpy2 set-up: a virtualenv in $PEER_STATE/venv with thriftpy2 0.7.1 and its dependencies
# (ply, ijson) from PyPI, pinned with hashes in requirements.txt (binary wheels with the Cython
# extensions). Idempotent: a stamp with a hash of the inputs makes a second run take well under
# a second.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
PY="${PYTHON:-python3.11}"
REQ="$PEER_DIR/requirements.txt"
VENV="$PEER_STATE/venv"
STAMP="$PEER_STATE/setup.stamp"
CHECK='import importlib.metadata as m, thriftpy2, thriftpy2.protocol.cybin as c, thriftpy2.transport.cybase; v = m.version("thriftpy2"); assert v == thriftpy2.__version__ == "0.7.1", v; print("thriftpy2", v, "cybin", c.__file__)'

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
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --only-binary :all: -r "$REQ"
"$VENV/bin/python" -c "$CHECK"
echo "$want" > "$STAMP"
