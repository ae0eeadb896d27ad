#!/bin/bash
# thriftrw-js set-up: npm thriftrw 3.12.0 (pinned in package-lock.json) into peers/thriftrw-js/node_modules.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
bash "$PEER_DIR/../kit/node/npm-setup.sh"
