#!/bin/bash
# tchannel-node set-up: npm tchannel 4.0.1 and its dependencies (thriftrw 3.12.0 among them),
# pinned in package-lock.json, into peers/tchannel-node/node_modules (git-ignored).
#  - tchannel 4.0.1 depends on `metrics` ^0.1.21, which is gone from the npm registry (only
#    tchannel's benchmarks require it): package.json depends on the local stand-in metrics-stub/
#    (`file:`, version 0.1.21), which satisfies tchannel's range, so `npm ci` resolves the tree.
#    (An npm `overrides` entry does the same with npm 11, but Debian's npm 9.2 cannot read a lock
#    with a `file:` override: "Invalid comparator: file:./metrics-stub".)
#  - farmhash and sse4_crc32 are native modules (tchannel's checksums). Where npm skips install
#    scripts they are not built by `npm ci`; `npm rebuild` builds them (node-gyp, or
#    prebuild-install's binaries for farmhash).
# Idempotent: kit/node/npm-setup.sh keeps a stamp; the native modules are rebuilt only when one
# does not load.
set -euo pipefail
: "${PEER_DIR:?PEER_DIR must be set}" "${PEER_STATE:?PEER_STATE must be set}"
bash "$PEER_DIR/../kit/node/npm-setup.sh"
cd "$PEER_DIR"
native_ok() { node -e 'require("farmhash"); require("sse4_crc32")' 2>/dev/null; }
if ! native_ok; then
  npm rebuild farmhash sse4_crc32 --ignore-scripts=false --loglevel=error
  native_ok || { echo "setup: farmhash/sse4_crc32 do not load after npm rebuild (a C++ compiler, make and python3 are needed)" >&2; exit 1; }
fi
node -e '
const v = require("tchannel/package.json").version;
const r = require("module").createRequire(require.resolve("tchannel/as/thrift"));
const t = r("thriftrw/package.json").version;
if (v !== "4.0.1" || t !== "3.12.0") { console.error(`setup: tchannel ${v}, thriftrw ${t}; expected 4.0.1 and 3.12.0`); process.exit(1); }'
