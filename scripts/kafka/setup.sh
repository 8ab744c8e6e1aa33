#!/usr/bin/env bash
# Fetches the Apache Kafka broker (KRaft) and its runtime dependencies from Maven Central into a
# cache outside the repository, idempotently, and prints the lib directory on stdout (the last line).
#
#   scripts/kafka/setup.sh            # -> ${FORESHOCK_KAFKA_HOME:-$HOME/.cache/foreshock}/kafka-<version>/lib
#   KAFKA_VERSION=4.4.0 scripts/kafka/setup.sh
#
# A finished fetch leaves a `.complete` marker; a run that finds it does nothing (no Maven, no
# network). A fetch that fails half way leaves no marker and is redone from scratch next time.
# Needs Java 17+ and Maven (`mvn`). Used by .ci/run and by `foreshock kafka setup`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${KAFKA_VERSION:-4.4.0}"
root="${FORESHOCK_KAFKA_HOME:-${HOME:?HOME is not set}/.cache/foreshock}"
dest="$root/kafka-$version"
lib="$dest/lib"

if [ -f "$dest/.complete" ] && compgen -G "$lib/kafka_2.13-*.jar" >/dev/null; then
  echo "$lib"
  exit 0
fi
command -v mvn >/dev/null 2>&1 || { echo "kafka setup: mvn not found (install Maven)" >&2; exit 1; }
command -v java >/dev/null 2>&1 || { echo "kafka setup: java not found (install a JDK 17+)" >&2; exit 1; }

mkdir -p "$dest"
tmp="$(mktemp -d "$dest/.lib.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo "kafka setup: fetching org.apache.kafka:kafka_2.13:$version and its dependencies into $lib" >&2
log="$dest/mvn.log"
if ! mvn -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies \
  -Dkafka.version="$version" -DincludeScope=runtime -DoutputDirectory="$tmp" >"$log" 2>&1; then
  grep -E 'ERROR|BUILD' "$log" | head -20 >&2
  echo "kafka setup: Maven failed (full log: $log)" >&2
  exit 1
fi
# Swap the finished directory in, so a reader never sees half a lib directory.
rm -rf "$lib"
mv "$tmp" "$lib"
trap - EXIT
date -u +%Y-%m-%dT%H:%M:%SZ >"$dest/.complete"
echo "kafka setup: $(ls "$lib" | wc -l) jars in $lib" >&2
echo "$lib"
