#!/usr/bin/env bash
# Prepares the container backend of the peers (harness/peers/container.ts), in one idempotent
# command, with no container registry:
#   1. Debian's docker.io (and debootstrap, if the base image must be made), with apt-get;
#   2. a Docker daemon: `dockerd --iptables=false --bridge=none` with the overlay2 storage driver
#      when an overlay mount works here, else vfs; started in the background (log in
#      $DOCKERD_LOG) only when `docker info` fails;
#   3. the base image $BASE_IMAGE (docker/make-base-image.sh: debootstrap + docker import);
#   4. one image per default peer (`thrift-conform images`: from the "container" section of its
#      peers/<name>/peer.json), tagged thrift-conform/<peer>:<content hash of its inputs>, built
#      only when that tag does not exist yet; older tags of the peer are removed.
# Prints how long each part took. Fast when already done (under a second: it only hashes and asks
# the daemon).
#
# Environment: BASE_IMAGE (default thrift-conform/bookworm-base:local; e.g. debian:bookworm-slim
# where a registry is reachable — it must already be pulled, this script never pulls),
# DOCKER_STORAGE_DRIVER (skip the overlay test), DOCKERD_LOG, PEERS (comma-separated names;
# default: the default peers).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export BASE_IMAGE="${BASE_IMAGE:-thrift-conform/bookworm-base:local}"
DEFAULT_BASE_IMAGE="thrift-conform/bookworm-base:local"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/thrift-conform-dockerd.log}"
DOCKER_READY_TIMEOUT_S=60 # dockerd answers within ~1-3 s of starting; a minute means it failed
APT_LOCK_TIMEOUT_S=300    # wait this long for another apt/dpkg to finish
LOG_DIR="$ROOT/.cache/docker"
export TESTCONTAINERS_RYUK_DISABLED=true # never let anything try to pull the Ryuk image

say() { printf '[docker-setup] %s\n' "$*" >&2; }
die() { printf '[docker-setup] error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
T_ALL="$(now)"
mkdir -p "$LOG_DIR"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "needs root (or sudo) to install packages and start dockerd"
  SUDO="sudo"
fi
APT_OPTS=(-o "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT_S" -o "APT::Sandbox::User=root")
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get "${APT_OPTS[@]}" update -qq
    APT_UPDATED=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends "$@" >&2
}

# --- 1. docker.io --------------------------------------------------------------------------------
t="$(now)"
if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io"
  apt_install docker.io
fi
say "docker.io: $(took "$t")"

# --- 2. the daemon -------------------------------------------------------------------------------
t="$(now)"
overlay_works() {
  local d rc=1
  $SUDO mkdir -p /var/lib
  d="$($SUDO mktemp -d /var/lib/thrift-conform-overlay-test.XXXXXX)"
  $SUDO mkdir -p "$d/lower" "$d/upper" "$d/work" "$d/merged"
  if $SUDO mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/upper,workdir=$d/work" "$d/merged" 2>/dev/null; then
    rc=0
    $SUDO umount "$d/merged"
  fi
  $SUDO rm -rf "$d"
  return $rc
}
if docker info >/dev/null 2>&1; then
  say "daemon already running (storage driver $(docker info -f '{{.Driver}}'))"
else
  driver="${DOCKER_STORAGE_DRIVER:-}"
  if [ -z "$driver" ]; then
    if overlay_works; then driver=overlay2; else driver=vfs; fi
  fi
  say "starting dockerd --storage-driver=$driver (log: $DOCKERD_LOG)"
  # No bridge network and no iptables: containers run with the host's network, loopback only.
  $SUDO setsid nohup dockerd --iptables=false --bridge=none --storage-driver="$driver" \
    >>"$DOCKERD_LOG" 2>&1 </dev/null &
  deadline=$((SECONDS + DOCKER_READY_TIMEOUT_S))
  until docker info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer within $DOCKER_READY_TIMEOUT_S s (last lines of $DOCKERD_LOG above)"
    fi
    sleep 0.2
  done
fi
say "daemon: $(took "$t")"

# --- 3. the base image ---------------------------------------------------------------------------
t="$(now)"
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  if [ "$BASE_IMAGE" != "$DEFAULT_BASE_IMAGE" ] && [[ "$BASE_IMAGE" != *:local ]]; then
    die "image $BASE_IMAGE does not exist; this script never pulls: \`docker pull $BASE_IMAGE\` first, or leave BASE_IMAGE unset to make $DEFAULT_BASE_IMAGE locally"
  fi
  command -v debootstrap >/dev/null 2>&1 || { say "installing debootstrap"; apt_install debootstrap; }
  bash docker/make-base-image.sh
fi
say "base image $BASE_IMAGE: $(took "$t")"

# --- 4. the peer images --------------------------------------------------------------------------
# One image per default peer with a "container" section in its peer.json, tagged
# thrift-conform/<peer>:<content hash of its inputs> (harness/peers/images.ts), built only when
# that tag does not exist yet; older tags of the peer are removed.
node --import tsx harness/cli.ts images ${PEERS:+--peers "$PEERS"} || die "building the peer images failed (see above)"
docker image prune -f --filter label=org.thrift-conform.peer >/dev/null 2>&1 || true # our dangling layers
say "done: $(took "$T_ALL") in all"
