#!/usr/bin/env bash
# Installs what the build, the tests and the local stack need on a fresh
# Debian 12 machine: the C toolchain and libraries from Debian, PostgreSQL
# and Redis servers from Debian, and the Kafka broker's jars from Maven.
# Idempotent: a package or jar already present is not fetched again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
KAFKA_VERSION=${CS_KAFKA_VERSION:-3.9.1}
KAFKA_LIBS=${CS_KAFKA_LIBS:-$HOME/.cache/cs-workflow/kafka-$KAFKA_VERSION}

pkgs=(cmake gcc make pkg-config librdkafka-dev libhiredis-dev libprotobuf-c-dev
      protobuf-c-compiler libpq-dev libmicrohttpd-dev libcjson-dev libssl-dev
      libcurl4-openssl-dev libicu-dev kcat postgresql redis-server
      default-jre-headless maven valgrind procps redis-tools postgresql-client
      tzdata clang-format    # tzdata: the shops' time zones (shared/src/tz.c reads /usr/share/zoneinfo); clang-format: the layout of .clang-format, for whoever edits the code
      clang-14 libclang-rt-14-dev    # libFuzzer (tests/fuzz, built with -DCS_FUZZ=ON): the compiler and its fuzzer/sanitizer runtimes
      jq                  # jq: bench/run soak reads the log provider's file with it
      wrk curl openssl)   # wrk: bench/run gateway's load generator; curl, openssl: scripts/webhook-sign and the webhook doc examples it_gateway_docs runs
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Kafka broker: ordinary jars from Maven, a runnable classpath in one folder.
if [ ! -f "$KAFKA_LIBS/.complete" ]; then
  echo "install-deps: fetching Kafka $KAFKA_VERSION broker jars into $KAFKA_LIBS" >&2
  mkdir -p "$KAFKA_LIBS"
  tmp=$(mktemp -d)
  sed "s/@KAFKA_VERSION@/$KAFKA_VERSION/" "$here/kafka-pom.xml" >"$tmp/pom.xml"
  (cd "$tmp" && mvn -B -q dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$KAFKA_LIBS")
  rm -rf "$tmp"
  touch "$KAFKA_LIBS/.complete"
fi
echo "install-deps: ok" >&2
