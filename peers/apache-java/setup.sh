#!/usr/bin/env bash
# apache-java peer set-up (process backend): resolves the pinned jars of pom.xml from Maven
# Central into $PEER_STATE/lib, compiles the peer into $PEER_STATE/classes and writes the
# launcher $PEER_STATE/bin/peer. Idempotent: a stamp with a hash of the inputs makes a second run
# take well under a second.
# Run: PEER_DIR=peers/apache-java PEER_STATE=.peers/apache-java THRIFT_CONFORM_ROOT=. bash peers/apache-java/setup.sh
set -euo pipefail
PEER_DIR="${PEER_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
PEER_DIR="$(cd "$PEER_DIR" && pwd)"
ROOT="${THRIFT_CONFORM_ROOT:-$(cd "$PEER_DIR/../.." && pwd)}"
PEER_STATE="${PEER_STATE:-$ROOT/.peers/apache-java}"
mkdir -p "$PEER_STATE"
PEER_STATE="$(cd "$PEER_STATE" && pwd)"

# Debian packages: the JDK (javac and javax.tools are used at run time), Maven, the compiler.
missing=()
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v thrift >/dev/null 2>&1 || missing+=(thrift-compiler)
if ((${#missing[@]})); then
  echo "apache-java setup: installing ${missing[*]} (apt)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
java -version 2>&1 | grep -q 'version "17' || { echo "apache-java setup: Java 17 is required, found: $(java -version 2>&1 | head -1)" >&2; exit 1; }
thrift --version | grep -qx 'Thrift version 0.17.0' || { echo "apache-java setup: thrift 0.17.0 is required, found: $(thrift --version)" >&2; exit 1; }

stamp="$PEER_STATE/.stamp"
want="$( { cat "$PEER_DIR/pom.xml" "$PEER_DIR/setup.sh"; find "$PEER_DIR/src" -type f -name '*.java' | sort | xargs cat; java -version 2>&1; } | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$PEER_STATE/bin/peer" ]]; then
  exit 0
fi

repo="${APACHE_JAVA_M2:-$PEER_STATE/m2}"
rm -rf "$PEER_STATE/lib.new"
mvn -q -B -Dstyle.color=never -f "$PEER_DIR/pom.xml" -Dmaven.repo.local="$repo" \
  dependency:copy-dependencies -DoutputDirectory="$PEER_STATE/lib.new" -DincludeScope=runtime
rm -rf "$PEER_STATE/lib" && mv "$PEER_STATE/lib.new" "$PEER_STATE/lib"
# mvn must not leave build output in the peer folder
rm -rf "$PEER_DIR/target"

rm -rf "$PEER_STATE/classes.new" && mkdir -p "$PEER_STATE/classes.new"
javac -nowarn -encoding UTF-8 --release 17 -d "$PEER_STATE/classes.new" -cp "$PEER_STATE/lib/*" \
  $(find "$PEER_DIR/src/main/java" -name '*.java' | sort)
# The peer's code version is part of every schema cache key: a changed peer never reuses classes
# compiled for an older one (and running peers keep their own cache entries).
echo "$want" > "$PEER_STATE/classes.new/code-version"
rm -rf "$PEER_STATE/classes.old"
if [[ -d "$PEER_STATE/classes" ]]; then mv "$PEER_STATE/classes" "$PEER_STATE/classes.old"; fi
mv "$PEER_STATE/classes.new" "$PEER_STATE/classes"
rm -rf "$PEER_STATE/classes.old" 2>/dev/null || true

mkdir -p "$PEER_STATE/bin"
cat > "$PEER_STATE/bin/peer" <<LAUNCH
#!/bin/sh
# Written by peers/apache-java/setup.sh. slf4j-simple logs to stderr; off unless APACHE_JAVA_LOG=info|debug|...
# C1 only (TieredStopAtLevel=1): javac in this JVM costs half the CPU without C2 (measured: 90 schemas 23 s vs 45 s).
exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss16m \\
  -Dorg.slf4j.simpleLogger.defaultLogLevel="\${APACHE_JAVA_LOG:-off}" \\
  -Dapache_java.cache="\${APACHE_JAVA_CACHE:-$PEER_STATE/cache}" \\
  -cp "$PEER_STATE/classes:$PEER_STATE/lib/*" thriftconform.Peer "\$@"
LAUNCH
chmod +x "$PEER_STATE/bin/peer"
echo "$want" > "$stamp"
echo "apache-java setup: done ($(ls "$PEER_STATE/lib" | tr '\n' ' '))" >&2
