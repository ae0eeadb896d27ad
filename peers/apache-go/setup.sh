#!/usr/bin/env bash
# Set-up of the apache-go peer (process backend): the supervisor binary and the build module in
# $PEER_STATE (go.mod/go.sum of the manifest's folder = the pinned github.com/apache/thrift, the
# runtime sources), the module downloaded from the Go module proxy and the build cache warmed
# (the library and the runtime compiled once). Idempotent; a stamp makes a second run instant.
# Also used by apache-go-0.25 (PEER_DIR is then that folder, with its own go.mod/go.sum).
set -euo pipefail
SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEER_DIR="${PEER_DIR:-$SRC_DIR}"
PEER_STATE="${PEER_STATE:?PEER_STATE must be set}"
GO="${APACHE_GO_GO:-$(command -v go || echo /usr/local/go/bin/go)}"
export GOCACHE="$PEER_STATE/gocache" GOFLAGS=-mod=mod GOWORK=off GO111MODULE=on CGO_ENABLED=0

stamp_input() {
  cat "$SRC_DIR/setup.sh" "$SRC_DIR"/rt/*.go "$SRC_DIR"/cmd/peer/*.go "$SRC_DIR/go.mod" "$PEER_DIR/go.mod" "$PEER_DIR/go.sum"
  "$GO" env GOVERSION
  thrift --version 2>/dev/null || echo "no thrift"
}
mkdir -p "$PEER_STATE"
stamp="$(stamp_input | sha256sum | cut -d' ' -f1)"
if [[ -f "$PEER_STATE/setup.stamp" && "$(cat "$PEER_STATE/setup.stamp")" == "$stamp" && -x "$PEER_STATE/bin/peer" ]]; then
  exit 0
fi
command -v thrift >/dev/null || { echo "apache-go setup: the thrift compiler (Debian thrift-compiler 0.17.0) is missing" >&2; exit 1; }

mod="$PEER_STATE/mod"
mkdir -p "$mod/rt" "$mod/w/warm" "$PEER_STATE/bin"
sed '1s#.*#module tcw#' "$PEER_DIR/go.mod" > "$mod/go.mod"
cp "$PEER_DIR/go.sum" "$mod/go.sum"
rm -f "$mod"/rt/*.go
for f in "$SRC_DIR"/rt/*.go; do
  case "$f" in *_test.go) ;; *) cp "$f" "$mod/rt/" ;; esac
done
printf 'package main\n\nimport rt "tcw/rt"\n\nfunc main() { rt.WorkerMain() }\n' > "$mod/w/warm/main.go"
# the library from the Go module proxy (exact version of go.mod, checked against go.sum), and the
# build cache warmed: the library and the runtime compiled once
(cd "$mod" && "$GO" mod download github.com/apache/thrift && "$GO" build -o /dev/null ./w/warm)
(cd "$SRC_DIR" && GOFLAGS= "$GO" build -o "$PEER_STATE/bin/peer.tmp" ./cmd/peer && mv "$PEER_STATE/bin/peer.tmp" "$PEER_STATE/bin/peer")
echo "$stamp" > "$PEER_STATE/setup.stamp"
echo "apache-go setup: $(grep -m1 'apache/thrift' "$mod/go.mod" | xargs) ready in $PEER_STATE" >&2
