#!/bin/bash
# apache-py-0.25 set-up: a virtualenv in $PEER_STATE/venv with Apache Thrift's Python library
# 0.25.0 from PyPI (pinned with its hash in requirements.txt). The IDL is still compiled by
# Debian's thrift-compiler 0.17.0 (installed here if missing). peers/kit/python-own-venv.sh does
# the rest (idempotent, well under a second when done).
set -euo pipefail
CHECK='import importlib.metadata as m, thrift.protocol.fastbinary as f; v = m.version("thrift"); assert v == "0.25.0", v; print("thrift", v, "fastbinary", f.__file__)'
INSTALL=wheels
if ! command -v thrift >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends thrift-compiler
fi
thrift --version | grep -qx 'Thrift version 0.17.0' || { echo "setup: expected Debian's thrift compiler 0.17.0, found: $(thrift --version)" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/../kit/python-own-venv.sh"
