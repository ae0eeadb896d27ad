#!/usr/bin/env bash
# Makes the base image of the peer images without any container registry, when an image named
# $BASE_IMAGE does not exist yet:
#   debootstrap --variant=minbase bookworm ROOT MIRROR   (MIRROR: read from this machine's apt sources)
#   + this machine's apt sources/settings and pip config, so that builds FROM it can install
#   tar -C ROOT -c . | docker import - $BASE_IMAGE      (apt caches and lists left out)
# Where a registry is reachable, skip all this and build FROM debian:bookworm-slim instead
# (docker/README.md). No mirror's host name is written anywhere in the repository: it is read at
# run time from /etc/apt/sources.list{,.d/*.list,.d/*.sources} (or given as DEBIAN_MIRROR).
#
# Environment: BASE_IMAGE (default thrift-conform/bookworm-base:local), DEBIAN_MIRROR (override),
# WORK_DIR (where the root is made; default a fresh dir under /var/tmp). Needs root, docker,
# debootstrap.
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-thrift-conform/bookworm-base:local}"
SUITE="bookworm"
# Files referenced by pip settings (a CA bundle, a find-links dir) are copied into the image up to
# this size; a larger one is left out (with a warning) rather than bloating every peer image.
MAX_COPIED_PATH_KB=65536

say() { printf '[make-base-image] %s\n' "$*" >&2; }
die() { printf '[make-base-image] error: %s\n' "$*" >&2; exit 1; }

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  say "$BASE_IMAGE exists"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is missing: apt-get install debootstrap (scripts/docker-setup.sh does)"

# --- the mirror, from this machine's own apt sources --------------------------------------------
find_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: the first URI of an enabled "deb" stanza whose Suites include $SUITE.
    awk -v suite="$SUITE" '
      function flush(   n, s, u, i) {
        if (!done && enabled != "no" && (" " types " ") ~ /[ \t]deb[ \t]/ && uris != "") {
          n = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) if (s[i] == suite) { split(uris, u, /[ \t]+/); print u[1]; done = 1; break }
        }
        types = suites = uris = enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[A-Za-z-]+:/ {
        key = tolower($0); sub(/:.*/, "", key)
        val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
        if (key == "types") types = val
        else if (key == "suites") suites = val
        else if (key == "uris") uris = val
        else if (key == "enabled") enabled = tolower(val)
      }
      END { flush() }' "$f"
  done
}
mirror="${DEBIAN_MIRROR:-$(find_mirror | head -n 1)}"
[ -n "$mirror" ] || die "no 'deb' source for $SUITE in /etc/apt/sources.list{,.d/*}: set DEBIAN_MIRROR to a Debian mirror URL"

work="${WORK_DIR:-$(mktemp -d /var/tmp/thrift-conform-base.XXXXXX)}"
root="$work/root"
cleanup() {
  # debootstrap mounts proc/sys inside the root while it runs; never delete through a mount.
  local m
  for m in $(awk -v r="$root" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m" || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# --- debootstrap ---------------------------------------------------------------------------------
t0=$SECONDS
say "debootstrap --variant=minbase $SUITE (mirror from this machine's apt sources)"
if ! debootstrap --variant=minbase "$SUITE" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  tail -n 30 "$work/debootstrap.log" >&2
  [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (log above)"
fi
say "debootstrap done in $((SECONDS - t0)) s"

# --- this machine's apt configuration --------------------------------------------------------------
copy_path() { # copies an absolute path (file or dir) into the root at the same place
  local p="$1" kb
  [ -e "$p" ] || return 0
  kb="$(du -sk "$p" | cut -f1)"
  if [ "$kb" -gt "$MAX_COPIED_PATH_KB" ]; then
    say "warning: not copying $p ($kb KiB > $MAX_COPIED_PATH_KB KiB)"
    mkdir -p "$root$p"
    return 0
  fi
  mkdir -p "$root$(dirname "$p")"
  cp -a "$p" "$root$(dirname "$p")/"
}
rm -f "$root/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  copy_path "$f"
  # keyrings named by Signed-By / signed-by=
  for k in $(grep -ohiE '(signed-by[:=][[:space:]]*)/[^] ,]+' "$f" | sed -E 's/^[^/]*//'); do
    [ -e "$root$k" ] || copy_path "$k"
  done
done
# Settings that reach the network (proxies, Check-Valid-Until, ...); files with hooks
# (Invoke) call programs of this machine that the image does not have, so they stay out.
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
  [ -f "$f" ] || continue
  if grep -q 'Acquire' "$f" && ! grep -q 'Invoke' "$f"; then copy_path "$f"; fi
done
# Keep the peer images small, as debian:*-slim does: no docs, man pages or translations.
cat >"$root/etc/dpkg/dpkg.cfg.d/thrift-conform-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
CFG

# --- this machine's pip configuration --------------------------------------------------------------
# This machine's own CAs (e.g. of a proxy): installing Debian's ca-certificates in an image
# regenerates /etc/ssl/certs/ca-certificates.crt from these plus Debian's, so they must be there.
copy_path /usr/local/share/ca-certificates
changes=(--change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]')
for f in /etc/pip.conf /etc/xdg/pip/pip.conf; do
  [ -f "$f" ] || continue
  copy_path "$f"
  # files a pip setting names (cert = /path, find-links = /dir, ...)
  for p in $(grep -oE '=[[:space:]]*/[^[:space:]]+' "$f" | sed -E 's/^=[[:space:]]*//'); do copy_path "$p"; done
done
for f in "$HOME/.config/pip/pip.conf" "$HOME/.pip/pip.conf"; do
  [ -f "$f" ] || continue
  mkdir -p "$root/root/.config/pip"
  cp "$f" "$root/root/.config/pip/pip.conf"  # the image runs as root
  for p in $(grep -oE '=[[:space:]]*/[^[:space:]]+' "$f" | sed -E 's/^=[[:space:]]*//'); do copy_path "$p"; done
done
while IFS='=' read -r name value; do
  case "$name" in PIP_*) ;; *) continue ;; esac
  case "$value" in /*) copy_path "$value" ;; esac
  esc="${value//\\/\\\\}"
  changes+=(--change "ENV $name=\"${esc//\"/\\\"}\"")
done < <(env)

# --- the image -------------------------------------------------------------------------------------
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
  "$root"/var/log/*.log "$root"/debootstrap
mkdir -p "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
t1=$SECONDS
tar -C "$root" --numeric-owner -c . | docker import "${changes[@]}" - "$BASE_IMAGE" >/dev/null
say "imported $BASE_IMAGE ($(docker image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%.0f MB", $1 / 1e6}')) in $((SECONDS - t1)) s"
