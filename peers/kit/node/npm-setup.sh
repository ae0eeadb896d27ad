#!/bin/bash
# Set-up shared by the Node peers (apache-js, thriftrw-js): `npm ci` in the peer's own folder
# ($PEER_DIR), from its package-lock.json (exact pins, lockfileVersion 3), so the peer's library
# version never depends on the harness's own devDependencies. node_modules/ is git-ignored.
# Idempotent: a stamp in $PEER_STATE with a hash of the lock, the manifest of dependencies, this
# script and the Node version makes a second run take well under a second.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
STAMP="$PEER_STATE/npm-setup.stamp"

command -v node >/dev/null || { echo "setup: node is not on PATH (Node >= 18 is needed)" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 18 ] || { echo "setup: Node $(node --version) is too old (>= 18 needed)" >&2; exit 1; }

mkdir -p "$PEER_STATE"
want="$(cat "$PEER_DIR/package.json" "$PEER_DIR/package-lock.json" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1) $(node --version)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -d "$PEER_DIR/node_modules" ]; then
  exit 0
fi
(cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
echo "$want" > "$STAMP"
