#!/usr/bin/env bash
# Prepares everything the harness and its default peers need, in one idempotent command:
#   - Debian's thrift-compiler (0.17.0 on bookworm), with apt-get, if `thrift` is missing (every
#     peer whose code comes from Apache's compiler uses it);
#   - Debian's chromium, if missing (the HTML report is tested in headless Chromium);
#   - then each default peer's own set-up (the `setup` command of its peers/<name>/peer.json),
#     through `thrift-conform setup`, which prints how long each took.
# Fast when already done: each peer's set-up keeps a stamp of what it installed.
#
# With --compiler-only: only the thrift compiler (what `thrift-conform setup` asks for).
# Environment: PEERS (comma-separated peer names; default: the default peers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THRIFT_VERSION="0.17.0"          # Apache Thrift's compiler (Debian bookworm)
APT_LOCK_TIMEOUT_S=300           # wait this long for another apt/dpkg to finish

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi
APT_OPTS=(-o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT_S" -o "APT::Sandbox::User=root")
APT_UPDATED=0
apt_update_once() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install thrift-compiler $THRIFT_VERSION and python3-thrift $THRIFT_VERSION by hand (Debian bookworm packages)"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    $SUDO apt-get "${APT_OPTS[@]}" update -qq
    APT_UPDATED=1
  fi
}

# --- 1. the thrift compiler -----------------------------------------------------------------
if ! command -v thrift >/dev/null 2>&1; then
  apt_update_once
  say "installing thrift-compiler"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends thrift-compiler >&2
fi
compiler_version="$(thrift --version | awk '{print $3}')"
if [ "$compiler_version" != "$THRIFT_VERSION" ]; then
  say "warning: thrift compiler is $compiler_version, the peers' manifests say $THRIFT_VERSION"
fi

# `thrift-conform setup` asks for the compiler alone (an installed tool needs no Chromium).
if [ "${1:-}" = "--compiler-only" ]; then exit 0; fi

# --- 1b. Chromium, for the HTML report's browser test (playwright-core drives Debian's build) -
if ! command -v chromium >/dev/null 2>&1; then
  apt_update_once
  say "installing chromium (for the HTML report test)"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends chromium >&2
fi

# --- 2. each peer's own set-up ------------------------------------------------------------------
cd "$ROOT"
node --import tsx harness/cli.ts setup ${PEERS:+--peers "$PEERS"}
