#!/usr/bin/env bash
# demo.sh -- the whole system on one machine, end to end: installs what is
# missing, builds, starts the real stack (Kafka, PostgreSQL, Redis on
# loopback), runs two order-verifier processes in one consumer group, sends
# a Double-11 morning of 10,000 sample orders through Kafka, waits until
# every order has its verdict in PostgreSQL, and prints a summary read back
# from PostgreSQL. The workers are stopped with SIGTERM at the end; the
# stack keeps running (deploy/local/stack.sh down stops it).
#
#   bash scripts/demo.sh
#
# Settings (environment): DEMO_COUNT (orders, default 10000), DEMO_SEED
# (default 1), DEMO_WORKERS (default 2), DEMO_TIMEOUT (seconds to wait for
# the verdicts, default 600), DEMO_POISON (malformed records, default 3),
# plus the stack's own CS_RUN_DIR / CS_*_PORT overrides (stack.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

COUNT=${DEMO_COUNT:-10000}
SEED=${DEMO_SEED:-1}
WORKERS=${DEMO_WORKERS:-2}
TIMEOUT=${DEMO_TIMEOUT:-600}
POISON=${DEMO_POISON:-3}
BUILD=${CS_BUILD_DIR:-$root/build}
export CS_BUILD_DIR=$BUILD

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

say "Installing dependencies (deploy/local/install-deps.sh)"
bash deploy/local/install-deps.sh

say "Building ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
for b in order-verifier notifier cs-sample cscli; do [ -x "$BUILD/$b" ] || die "$BUILD/$b was not built"; done

say "Starting the stack (deploy/local/stack.sh up)"
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
"$BUILD/cscli" topics create >/dev/null   # idempotent; stack.sh does it too when cscli was built first
export CS_SHOPS_FILE="$root/deploy/config/shops.sample.json"
export CS_HTTP_ADDR=127.0.0.1:0

run_id="demo-$(date +%Y%m%d-%H%M%S)"
run_dir="$root/run/$run_id"
mkdir -p "$run_dir"
psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$CS_PG_DSN" -c "$1"; }
since=$(psql_q "SELECT now()")

pids=()
stop_workers() {
  [ ${#pids[@]} -gt 0 ] || return 0
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$p" 2>/dev/null && { echo "demo: worker $p ignored SIGTERM for 30 s; killing it" >&2; kill -KILL "$p" 2>/dev/null || true; }
    wait "$p" 2>/dev/null || true
  done
  pids=()
}
trap stop_workers EXIT
trap 'exit 130' INT TERM

say "Starting $WORKERS order-verifier processes (one consumer group; logs in $run_dir)"
for n in $(seq 1 "$WORKERS"); do
  CS_INSTANCE="order-verifier-$n" "$BUILD/order-verifier" 2>"$run_dir/order-verifier-$n.log" &
  pids+=($!)
  echo "  order-verifier-$n pid $! log $run_dir/order-verifier-$n.log"
done
# The notifier sends the buyers' messages the verifier asks for (NT-6,
# OV-13, OV-14) through the log provider: run/<run>/messages.jsonl.
CS_INSTANCE=notifier-1 CS_NOTIFIER_LOG_FILE="$run_dir/messages.jsonl" \
  "$BUILD/notifier" 2>"$run_dir/notifier-1.log" &
pids+=($!)
echo "  notifier-1 pid $! log $run_dir/notifier-1.log (messages: $run_dir/messages.jsonl)"
sleep 1
for p in "${pids[@]}"; do
  kill -0 "$p" 2>/dev/null || { tail -n 20 "$run_dir"/order-verifier-*.log "$run_dir"/notifier-1.log >&2; die "a worker exited at start"; }
done

say "Producing a Double-11 morning: $COUNT orders, run id $run_id (cs-sample)"
"$BUILD/cs-sample" orders --count "$COUNT" --seed "$SEED" --run-id "$run_id" --poison "$POISON" | tee "$run_dir/sample.txt"

say "Waiting until every order of the run has a verdict in PostgreSQL (timeout ${TIMEOUT}s)"
# An order id of the run is "<run id>-NNNNNN"; after-sales history and
# poison records use other suffixes and never get a verdict.
pattern="^${run_id//./\\.}-[0-9]+\$"
count_sql="SELECT count(DISTINCT order_id) FROM verdicts WHERE order_id ~ '$pattern'"
total_sql="SELECT (SELECT count(*) FROM verdicts WHERE order_id ~ '$pattern') || '/' ||
                  (SELECT count(*) FROM notification_requests WHERE order_id ~ '$pattern') || '/' ||
                  (SELECT count(*) FROM dead_letters WHERE created_at >= '$since')"
deadline=$((SECONDS + TIMEOUT))
last="" stable=0 done_orders=0 missing=0
while :; do
  done_orders=$(psql_q "$count_sql")
  now="$done_orders/$(psql_q "$total_sql")"
  if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
  last=$now
  # Every order has a verdict: the later versions (changes, invoices, the
  # restock) are done once nothing moves for two polls in a row. Orders
  # still without a verdict after 30 s of no progress at all are reported
  # rather than waited for until the timeout.
  [ "$done_orders" -ge "$COUNT" ] && [ "$stable" -ge 2 ] && break
  if [ "$stable" -ge 30 ]; then missing=$((COUNT - done_orders)); break; fi
  printf '  %s/%s orders have a verdict\r' "$done_orders" "$COUNT"
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  [ "$alive" -gt 0 ] || { tail -n 20 "$run_dir"/order-verifier-*.log >&2; die "every order-verifier has exited"; }
  [ "$SECONDS" -lt "$deadline" ] || die "timed out: $done_orders of $COUNT orders have a verdict (logs in $run_dir)"
  sleep 1
done
printf '  %s/%s orders have a verdict\n' "$done_orders" "$COUNT"
[ "$missing" -eq 0 ] || echo "demo: warning: $missing orders have no verdict after 30 s without progress (see $run_dir)" >&2

say "Waiting until the notifier has decided every notification request of the run (timeout 60 s)"
msg_sql="SELECT (SELECT count(*) FROM notification_requests WHERE order_id ~ '$pattern') -
                (SELECT count(*) FROM messages WHERE order_id ~ '$pattern')"
for _ in $(seq 1 60); do
  [ "$(psql_q "$msg_sql")" -le 0 ] && break
  sleep 1
done
[ "$(psql_q "$msg_sql")" -le 0 ] || echo "demo: warning: $(psql_q "$msg_sql") notification requests not decided yet (see $run_dir/notifier-1.log)" >&2

say "Summary of run $run_id, read back from PostgreSQL"
psql -X -q -v run="$run_id" -v since="$since" -f "$root/scripts/summary.sql" "$CS_PG_DSN" | tee "$run_dir/summary.txt"

say "Stopping the workers (SIGTERM)"
stop_workers
echo "  logs and summary: $run_dir"
first_key=$(psql_q "SELECT shop_id || ':' || order_id FROM orders WHERE order_id = '$run_id-000001'" || true)
echo "  inspect an order: $BUILD/cscli order show ${first_key:-<shop>:$run_id-000001}"
[ "$missing" -eq 0 ] || exit 1
