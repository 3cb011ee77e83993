#!/usr/bin/env bash
# fresh_stack.sh -- a fresh-machine check of the stack: `stack.sh destroy`,
# then `up`, then at once, on every project topic, the end offset of every
# partition (a ListOffsets request to its leader: the call that failed with
# "Not leader for partition" when topics were used before their leaders were
# elected), one record produced to every partition and read back.
#
# It runs a stack of its own (own run folder and ports, destroyed at the
# end), so the shared stack the rest of the suite uses is never touched.
# Registered in ctest with the label "stack"; tests/run.sh runs it before
# the shared stack comes up, so the two Kafkas never run at once.
#
#   CS_BUILD_DIR           build with cscli (ctest sets it)
#   CS_FRESH_RUN_DIR       run folder (default /var/tmp/cs-fresh-stack)
#   CS_FRESH_KAFKA_PORT    29192 (the controller takes the next port)
#   CS_FRESH_PG_PORT       25532
#   CS_FRESH_REDIS_PORT    26479
#   CS_FRESH_KEEP=1        leave the stack running at the end
#
# The records are produced with retries off, so a partition without a
# working leader shows up as an error instead of being hidden by
# librdkafka's retries. Any kcat error line fails the test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CS_BUILD_DIR=${CS_BUILD_DIR:-$root/build}
export CS_RUN_DIR=${CS_FRESH_RUN_DIR:-/var/tmp/cs-fresh-stack}
export CS_KAFKA_PORT=${CS_FRESH_KAFKA_PORT:-29192}
export CS_PG_PORT=${CS_FRESH_PG_PORT:-25532}
export CS_REDIS_PORT=${CS_FRESH_REDIS_PORT:-26479}
stack="$root/deploy/local/stack.sh"
brokers=127.0.0.1:$CS_KAFKA_PORT
cli=$CS_BUILD_DIR/cscli
[ -x "$cli" ] || { echo "fresh_stack: $cli not built" >&2; exit 1; }

t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
tmp=$(mktemp -d)
finish() {
  rm -rf "$tmp"
  if [ "${CS_FRESH_KEEP:-0}" != 1 ]; then bash "$stack" destroy >/dev/null 2>&1 || true; fi
}
trap finish EXIT
fail() { echo "FAIL fresh_stack: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# kcat, its output in $tmp/out; a non-zero exit or any error line on its
# stderr fails the test.
kc() {
  local rc=0
  kcat -b "$brokers" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ $rc -ne 0 ] || grep -qi 'error' "$tmp/err"; then
    fail "kcat $* (exit $rc): $(head -n 5 "$tmp/err")"
  fi
}

bash "$stack" destroy >/dev/null 2>&1
bash "$stack" up >/dev/null 2>"$tmp/up.log" || { cat "$tmp/up.log" >&2; fail "stack.sh up"; }
up_ms=$(ms)
eval "$(bash "$stack" env)"

# Every topic of the project's table, with its partition count; all must
# be there with the table's count.
list=$("$cli" topics list) || fail "cscli topics list"
topics=$(awk 'NR > 1 && $4 != "other" { print $1, $2, $4 }' <<<"$list")
[ -n "$topics" ] || fail "no topics listed: $list"
bad=$(awk '$3 != "ok"' <<<"$topics")
[ -z "$bad" ] || fail "topics not as in the table: $bad"

# 1. end offsets of every partition, at once (one ListOffsets per leader)
qargs=()
while read -r t n _ <&3; do
  for ((p = 0; p < n; p++)); do qargs+=(-t "$t:$p:-1"); done
done 3<<<"$topics"
kc -Q "${qargs[@]}"
ends=$(cat "$tmp/out")
nparts=${#qargs[@]}
nparts=$((nparts / 2))
got=$(grep -c 'offset' <<<"$ends" || true)
[ "$got" -eq "$nparts" ] || fail "end offsets of $got of $nparts partitions: $ends"

# 2. one record to every partition, retries off; 3. read each back
run=$(date +%s%N)
while read -r t n _ <&3; do
  for ((p = 0; p < n; p++)); do
    echo "fresh-$run-$t-$p" | kc -P -t "$t" -p "$p" -X message.send.max.retries=0 -X message.timeout.ms=10000
  done
  kc -C -t "$t" -o beginning -e -q -f '%p %s\n'
  seen=$(cat "$tmp/out")
  for ((p = 0; p < n; p++)); do
    grep -qx "$p fresh-$run-$t-$p" <<<"$seen" || fail "$t[$p]: record not read back (got: $seen)"
  done
done 3<<<"$topics"

ntopics=$(wc -l <<<"$topics")
echo "fresh stack: up in ${up_ms} ms, then $ntopics topics / $nparts partitions: end offsets, produce, consume" \
  "without an error in $(( $(ms) - up_ms )) ms"
echo "1 passed, 0 failed"
