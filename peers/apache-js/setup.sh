#!/bin/bash
# apache-js set-up: npm thrift 0.17.0 (pinned in package-lock.json) into peers/apache-js/node_modules,
# and Debian's thrift-compiler 0.17.0 (installed here if missing; scripts/setup.sh normally has).
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
if ! command -v thrift >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends thrift-compiler
fi
thrift --version | grep -qx 'Thrift version 0.17.0' || { echo "setup: expected Debian's thrift compiler 0.17.0, found: $(thrift --version)" >&2; exit 1; }
bash "$PEER_DIR/../kit/node/npm-setup.sh"
