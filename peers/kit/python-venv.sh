#!/usr/bin/env bash
# Set-up of the Python peers that share the project's virtualenv (thriftrw-py, apache-py), run by
# their manifests' "setup": idempotent, well under a second when done.
#   - .venv/ in the project root with the pinned packages of peers/requirements.txt;
#   - Apache Thrift's Python library 0.17.0 in that venv, taken from Debian's python3-thrift
#     package (PyPI has no 0.17.0).
# Fast when already done: a stamp in .venv/ records what was installed.
#
# Environment: PYTHON (default python3; must be CPython 3.11), SETUP_FORCE=1 to redo the venv,
# THRIFT_CONFORM_ROOT (default: two folders up from this script).
set -euo pipefail

ROOT="${THRIFT_CONFORM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
VENV="$ROOT/.venv"
REQ="$ROOT/peers/requirements.txt"
PYTHON="${PYTHON:-python3}"
THRIFT_VERSION="0.17.0"          # Apache Thrift's Python library (Debian's python3-thrift)
APT_LOCK_TIMEOUT_S=300           # wait this long for another apt/dpkg to finish
STAMP="$VENV/.thrift-conform-setup"

say() { printf '[python-venv] %s\n' "$*" >&2; }
die() { printf '[python-venv] error: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi
APT_OPTS=(-o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT_S" -o "APT::Sandbox::User=root")
APT_UPDATED=0
apt_update_once() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install python3-thrift $THRIFT_VERSION by hand (Debian bookworm package)"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    $SUDO apt-get "${APT_OPTS[@]}" update -qq
    APT_UPDATED=1
  fi
}
compiler_version="$(thrift --version 2>/dev/null | awk '{print $3}' || true)"

# --- 1. the virtualenv ----------------------------------------------------------------------
py_version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$py_version" = "3.11" ] || die "$PYTHON is Python $py_version; the peers need CPython 3.11 (Debian's fastbinary is built for it)"

want="$(cat "$REQ" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16) thrift=$THRIFT_VERSION"
if [ "${SETUP_FORCE:-0}" != 1 ] && [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
  && "$VENV/bin/python" -c 'import thriftrw, thrift.protocol.fastbinary, thrift.protocol.TBinaryProtocol, pytest' 2>/dev/null; then
  say "up to date ($VENV)"
  exit 0
fi

if [ "${SETUP_FORCE:-0}" = 1 ]; then rm -rf "$VENV"; fi
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# Build tools first (pinned), then everything with them: no unpinned isolated build env.
build_pins=()
while read -r line; do build_pins+=("$line"); done < <(grep -E '^(setuptools|wheel)==' "$REQ")
say "pip install ${build_pins[*]}"
"$VPY" -m pip install -q "${build_pins[@]}"
say "pip install -r peers/requirements.txt (thriftrw builds its C extensions once, ~1 min; pip caches the wheel)"
"$VPY" -m pip install -q --no-build-isolation -r "$REQ"

# --- 2. Apache Thrift's Python library from Debian ---------------------------------------------
have_thrift="$("$VPY" -c 'import importlib.metadata as m; print(m.version("thrift"))' 2>/dev/null || true)"
if [ "$have_thrift" != "$THRIFT_VERSION" ] || ! "$VPY" -c 'import thrift.protocol.fastbinary' 2>/dev/null; then
  apt_update_once
  candidate="$(apt-cache policy python3-thrift | awk '/Candidate:/ {print $2}')"
  case "$candidate" in
    "$THRIFT_VERSION"-*) ;;
    *) die "Debian offers python3-thrift '$candidate', not $THRIFT_VERSION (Debian bookworm has it)" ;;
  esac
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  say "fetching python3-thrift=$candidate"
  (cd "$tmp" && apt-get "${APT_OPTS[@]}" download -qq "python3-thrift=$candidate" >&2)
  dpkg-deb -x "$tmp"/python3-thrift_*.deb "$tmp/x"
  site="$("$VPY" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')"
  rm -rf "$site/thrift" "$site"/thrift-*.egg-info "$site"/thrift-*.dist-info
  cp -r "$tmp/x/usr/lib/python3/dist-packages/thrift" "$site/"
  cp -r "$tmp/x/usr/lib/python3/dist-packages/thrift-$THRIFT_VERSION.egg-info" "$site/"
fi

"$VPY" - <<EOF
import importlib.metadata as m, thriftrw, thrift.protocol.fastbinary, thrift.protocol.TBinaryProtocol
assert thriftrw.__version__ == "1.9.0", thriftrw.__version__
assert m.version("thrift") == "$THRIFT_VERSION", m.version("thrift")
EOF
printf '%s' "$want" > "$STAMP"
say "done: $("$VPY" --version), thriftrw 1.9.0, thrift $THRIFT_VERSION, compiler $compiler_version"
