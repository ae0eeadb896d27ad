#!/bin/bash
# apache-py-0.25 set-up: a virtualenv in $PEER_STATE/venv with Apache Thrift's Python library
# 0.25.0 from PyPI (pinned with its hash in requirements.txt). The IDL is still compiled by
# Debian's thrift-compiler 0.17.0 (installed here if missing). Idempotent: a stamp with a hash of
# the inputs makes a second run take well under a second.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
PY="${PYTHON:-python3.11}"
REQ="$PEER_DIR/requirements.txt"
VENV="$PEER_STATE/venv"
STAMP="$PEER_STATE/setup.stamp"
CHECK='import importlib.metadata as m, thrift.protocol.fastbinary as f; v = m.version("thrift"); assert v == "0.25.0", v; print("thrift", v, "fastbinary", f.__file__)'

mkdir -p "$PEER_STATE"
want="$(cat "$REQ" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1) $(command -v "$PY" || true)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/python" ] && command -v thrift >/dev/null; then
  exit 0
fi

if ! command -v thrift >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends thrift-compiler
fi
thrift --version | grep -qx 'Thrift version 0.17.0' || { echo "setup: expected Debian's thrift compiler 0.17.0, found: $(thrift --version)" >&2; exit 1; }
if ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3.11-venv
fi

rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --only-binary :all: -r "$REQ"
"$VENV/bin/python" -c "$CHECK"
echo "$want" > "$STAMP"
