#!/usr/bin/env bash
# it_gateway_docs.sh -- runs the curl examples of docs/webhooks.md as they
# are written, so the page cannot drift from the gateway: every fenced
# block opened with ```sh curl is run by bash from the repository root,
# against a real gateway (the build's binary, the sample shops file, the
# test stack's Kafka and Redis), and must end by printing 202 or 200 (the
# examples' event ids are fixed: a second run answers 200).
set -euo pipefail
src=${CS_SOURCE_DIR:?CS_SOURCE_DIR not set (run through ctest)}
build=${CS_BUILD_DIR:?CS_BUILD_DIR not set (run through ctest)}
: "${CS_KAFKA_BROKERS:?run with the environment of the stack (deploy/local/stack.sh env)}"
cd "$src"
logdir=$build/tests/it-logs
mkdir -p "$logdir"
log=$logdir/it_gateway_docs-gateway.log
blocks=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$blocks"; }
trap cleanup EXIT

CS_SHOPS_FILE=$src/deploy/config/shops.sample.json CS_GATEWAY_ADDR=127.0.0.1:0 CS_INSTANCE=gateway-docs \
  "$build/gateway" >"$log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 100); do
  port=$(grep -o '"http endpoint on port [0-9]*' "$log" | grep -o '[0-9]*$' || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "gateway did not start:"; cat "$log"; exit 1; }
export GATEWAY=http://127.0.0.1:$port
for _ in $(seq 1 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/readyz")" = 200 ] && break
  sleep 0.1
done

# each ```sh curl block into its own file
awk -v dir="$blocks" '
  /^```sh curl[ \t]*$/ { n++; f = sprintf("%s/%02d.sh", dir, n); inb = 1; next }
  /^```/ && inb { inb = 0; close(f); next }
  inb { print > f }
' docs/webhooks.md
n=$(ls "$blocks" | wc -l)
[ "$n" -ge 3 ] || { echo "docs/webhooks.md: expected at least 3 'sh curl' blocks, found $n"; exit 1; }
fail=0
for b in "$blocks"/*.sh; do
  out=$(bash -e "$b" 2>&1) || true
  status=$(printf '%s\n' "$out" | tail -n 1)
  if [ "$status" = 202 ] || [ "$status" = 200 ]; then
    echo "ok   example $(basename "$b" .sh): $status"
  else
    echo "FAIL example $(basename "$b" .sh): $(printf '%s' "$out" | tail -n 3)"
    sed 's/^/     | /' "$b"
    fail=1
  fi
done
[ $fail = 0 ] && echo "$n passed, 0 failed" || { echo "some examples failed"; tail -n 20 "$log"; }
exit $fail
