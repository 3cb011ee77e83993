#!/usr/bin/env bash
# demo.sh -- the whole system on one machine, end to end: installs what is
# missing, builds, starts the real stack (Kafka, PostgreSQL, Redis on
# loopback), runs two order-verifier processes in one consumer group, the
# notifier (log provider), the timer-dispatcher, the exception-handler, the
# refund-notifier and the review-scheduler, all on the Redis business
# clock, and the webhook gateway; sends a Double-11 morning of 10,000
# sample orders through the gateway, as the shops' platforms would send
# them (cs-sample --gateway: the Taobao and Tmall shops' order events and
# refunds as Taobao TMC messages, the Shopify stores' as Shopify webhooks,
# everything else, and every record a platform's format would lose a field
# of, as generic webhooks; docs/webhooks.md), with the clock at the end of
# that morning (2026-11-11 12:00, Asia/Shanghai), waits until every order
# has its verdict in PostgreSQL,
# then moves the clock through the days after in steps (the afternoon's
# calls, complaints, refunds, reviews and after-sales requests; the 19:00
# sweep; the evening's unanswered calls in quiet hours; midnight requeues;
# the 08:00 release; day 2's revisions and 10:00 follow-up SMS, a buyer's
# 退订; day 3's escalations and follow-up SMS; the end of day 3's breaches;
# day 4's escalation of a return never shipped), waiting at each step
# until the timers due have fired and been applied, and prints a summary
# read back from PostgreSQL, with the gateway's answers by platform and
# status. The days' events go through the gateway too. tb-demo runs in
# promotion mode (RF-9) from a copy of the sample shops file
# (run/<run>/shops.json), which the gateway reads for the shops' secrets.
# The workers and the gateway are stopped with SIGTERM at the end; the stack
# keeps running (deploy/local/stack.sh down stops it). Each run has its own run id, so a re-run starts its own
# morning (the clock is set back to it).
#
#   bash scripts/demo.sh
#
# Settings (environment): DEMO_COUNT (orders, default 10000), DEMO_SEED
# (default 1), DEMO_WORKERS (default 2), DEMO_TIMEOUT (seconds to wait for
# the verdicts, default 600; for each clock step, a tenth of it),
# DEMO_POISON (malformed records, default 3; through the gateway, malformed
# requests it refuses), DEMO_GATEWAY (1, the default: through the gateway;
# 0: cs-sample produces straight to Kafka, as before the gateway),
# DEMO_GATEWAY_PORT (default: the first free port from 18080), DEMO_RUN_ID
# (default demo-<date>-<time>: the run id picks the sample's mix, so two
# fresh stacks given one run id run the same morning, to compare),
# plus the stack's own CS_RUN_DIR / CS_*_PORT overrides (stack.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

COUNT=${DEMO_COUNT:-10000}
SEED=${DEMO_SEED:-1}
WORKERS=${DEMO_WORKERS:-2}
TIMEOUT=${DEMO_TIMEOUT:-600}
POISON=${DEMO_POISON:-3}
GATEWAY=${DEMO_GATEWAY:-1}
BUILD=${CS_BUILD_DIR:-$root/build}
export CS_BUILD_DIR=$BUILD

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

say "Installing dependencies (deploy/local/install-deps.sh)"
bash deploy/local/install-deps.sh

say "Building ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 >/dev/null
for b in order-verifier notifier timer-dispatcher exception-handler refund-notifier review-scheduler gateway cs-sample cscli; do [ -x "$BUILD/$b" ] || die "$BUILD/$b was not built"; done

say "Starting the stack (deploy/local/stack.sh up)"
bash deploy/local/stack.sh up
eval "$(bash deploy/local/stack.sh env)"
# idempotent (stack.sh does it too when cscli was built first); topics and
# ACLs are the admin's to make
CS_ROLE=admin "$BUILD/cscli" topics create >/dev/null
export CS_HTTP_ADDR=127.0.0.1:0
# Business time: every process reads the Redis clock, which this script
# moves (cscli clock set). The morning's events are dated 00:00-12:00 on
# 11-11; the clock stands at 12:00, when all of them have happened.
export CS_CLOCK=redis
TZ_SHOP=Asia/Shanghai
clock_set() { "$BUILD/cscli" clock set "$1" --tz "$TZ_SHOP" >/dev/null; }
clock_set 2026-11-11T12:00

run_id=${DEMO_RUN_ID:-"demo-$(date +%Y%m%d-%H%M%S)"}
run_dir="$root/run/$run_id"
mkdir -p "$run_dir"
# Double 11: tb-demo in promotion mode (RF-9 auto-agrees refund-only
# requests on unshipped orders). A copy, as it_refunds makes one: the
# sample file stays as the tests expect it (tb-demo's promotion mode off).
export CS_SHOPS_FILE="$run_dir/shops.json"
(umask 077; sed '0,/"promotion_mode": false/s//"promotion_mode": true/' deploy/config/shops.sample.json >"$CS_SHOPS_FILE")   # it holds webhook secrets
grep -q '"promotion_mode": true' "$CS_SHOPS_FILE" || die "could not put tb-demo in promotion mode ($CS_SHOPS_FILE)"
psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$CS_PG_DSN" -c "$1"; }
since=$(psql_q "SELECT now()")
# OV-13's sweep is one timer per shop (order key "<shop>:"), not the run's:
# an earlier run leaves it pending on its own last day (11-14 19:00), and
# the verifier leaves a pending sweep alone when it arms one, so this run's
# days would have no sweep. Cancelled as cs_timer_cancel does in
# PostgreSQL (the dispatcher drops a cancelled timer's Redis member); the
# verifiers arm it again, for this morning's 19:00.
psql_q "UPDATE timers SET status = 'cancelled' WHERE owner = 'order-verifier' AND kind = 'ov13.sweep'
          AND status = 'pending' AND due_ms > (extract(epoch FROM timestamptz '2026-11-11T19:00:00+08:00') * 1000)::bigint" >/dev/null

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
# The timer-dispatcher fires the durable timers (OV-6, OV-13, EX-6, EX-9,
# NT-2/NT-3 releases, RF-2, RV-4, RV-6) when the business clock reaches
# them; the exception-handler works the exception orders (EX-1..EX-10), the
# refund-notifier the after-sales cases (RF-1..RF-13), the review-scheduler
# the follow-ups of neutral and negative reviews (RV-1..RV-6).
for w in timer-dispatcher exception-handler refund-notifier review-scheduler; do
  CS_INSTANCE="$w-1" "$BUILD/$w" 2>"$run_dir/$w-1.log" &
  pids+=($!)
  echo "  $w-1 pid $! log $run_dir/$w-1.log"
done
# The webhook gateway (docs/webhooks.md): the shops' requests in, their
# records in Kafka once acknowledged. Its own address; the shops file of
# the run (the secrets it verifies with); Kafka and Redis of the stack.
sample_to=()
if [ "$GATEWAY" = 1 ]; then
  gw_port=${DEMO_GATEWAY_PORT:-18080}
  if [ -z "${DEMO_GATEWAY_PORT:-}" ]; then   # the first port nothing listens on
    while (exec 3<>"/dev/tcp/127.0.0.1/$gw_port") 2>/dev/null; do gw_port=$((gw_port + 1)); done
  fi
  GW_URL="http://127.0.0.1:$gw_port"
  CS_INSTANCE=gateway-1 CS_GATEWAY_ADDR="127.0.0.1:$gw_port" "$BUILD/gateway" 2>"$run_dir/gateway-1.log" &
  pids+=($!)
  echo "  gateway-1 pid $! on $GW_URL log $run_dir/gateway-1.log"
  sample_to=(--gateway "$GW_URL")
fi
sleep 1
for p in "${pids[@]}"; do
  kill -0 "$p" 2>/dev/null || { tail -n 20 "$run_dir"/*.log >&2; die "a worker exited at start"; }
done
if [ "$GATEWAY" = 1 ]; then   # ready once Kafka takes its writes
  for _ in $(seq 1 60); do curl -sf -o /dev/null "$GW_URL/readyz" && break; sleep 0.5; done
  curl -sf -o /dev/null "$GW_URL/readyz" || { tail -n 20 "$run_dir/gateway-1.log" >&2; die "the gateway is not ready ($GW_URL/readyz)"; }
fi

if [ "$GATEWAY" = 1 ]; then
  say "Sending a Double-11 morning through the gateway: $COUNT orders, run id $run_id (cs-sample --gateway $GW_URL)"
else
  say "Producing a Double-11 morning: $COUNT orders, run id $run_id (cs-sample)"
fi
t_morning=$SECONDS
"$BUILD/cs-sample" orders --count "$COUNT" --seed "$SEED" --run-id "$run_id" --poison "$POISON" "${sample_to[@]}" |
  tee "$run_dir/sample.txt" || die "cs-sample orders failed (see above and $run_dir)"
t_morning=$((SECONDS - t_morning))

# Yesterday's late orders (EX3_YESTERDAY) come with the afternoon, not the morning.
later=$(sed -n 's/.*EX3_YESTERDAY \([0-9]*\).*/\1/p' "$run_dir/sample.txt" | head -n 1)
MORNING=$((COUNT - ${later:-0}))

say "Waiting until every order of the morning has a verdict in PostgreSQL (timeout ${TIMEOUT}s)"
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
  [ "$done_orders" -ge "$MORNING" ] && [ "$stable" -ge 2 ] && break
  if [ "$stable" -ge 30 ]; then missing=$((MORNING - done_orders)); break; fi
  printf '  %s/%s orders have a verdict\r' "$done_orders" "$MORNING"
  alive=0
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
  [ "$alive" -gt 0 ] || { tail -n 20 "$run_dir"/order-verifier-*.log >&2; die "every order-verifier has exited"; }
  [ "$SECONDS" -lt "$deadline" ] || die "timed out: $done_orders of $MORNING orders have a verdict (logs in $run_dir)"
  sleep 1
done
printf '  %s/%s orders have a verdict\n' "$done_orders" "$MORNING"
[ "$missing" -eq 0 ] || echo "demo: warning: $missing orders have no verdict after 30 s without progress (see $run_dir)" >&2

say "Waiting until the notifier has decided every notification request of the run (timeout 60 s)"
msg_sql="SELECT (SELECT count(*) FROM notification_requests WHERE order_id ~ '$pattern') -
                (SELECT count(*) FROM messages WHERE order_id ~ '$pattern')"
for _ in $(seq 1 60); do
  [ "$(psql_q "$msg_sql")" -le 0 ] && break
  sleep 1
done
[ "$(psql_q "$msg_sql")" -le 0 ] || echo "demo: warning: $(psql_q "$msg_sql") notification requests not decided yet (see $run_dir/notifier-1.log)" >&2

say "The days after, on the business clock (each step waits until its timers have fired and been applied)"
# One line per step: what the step did, as differences of the run's rows in
# PostgreSQL, and a second line for the reviews and after-sales cases when
# they moved. Timers are the run's (order key "<shop>:<run>-..."); a firing
# is counted once its owner has processed it (event id
# "timer/<owner>/<timer id>/<generation>"; the 19:00 sweep re-arms one timer
# per order each day).
R="$run_id-%"
snap_sql="SELECT concat_ws(' ',
  (SELECT count(*) FROM processed_events WHERE event_id LIKE 'timer/%$R'
      AND worker = split_part(event_id, '/', 2)),   -- firings its owner applied
  (SELECT count(*) FROM tasks WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM messages WHERE order_id LIKE '$R' AND status = 'sent'),
  (SELECT count(*) FROM messages WHERE order_id LIKE '$R' AND status = 'held'),
  (SELECT count(*) FROM exceptions WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM exceptions WHERE order_id LIKE '$R' AND escalated_ms IS NOT NULL),
  (SELECT count(*) FROM sla_breaches WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM finance_requests WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM notification_requests WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM messages WHERE order_id LIKE '$R'),
  (SELECT count(*) FROM verdicts WHERE order_id LIKE '$R'),
  -- reviews (RV-1..RV-6): cases opened, follow-up SMS sent, cases revised,
  -- their held follow-up SMS cancelled (RV-5), cases whose number opted out (NT-4)
  (SELECT count(*) FROM cases WHERE kind = 'review' AND order_id LIKE '$R'),
  (SELECT count(*) FROM messages WHERE order_id LIKE '$R' AND template = 'review_follow_up' AND status = 'sent'),
  (SELECT count(*) FROM cases WHERE kind = 'review' AND order_id LIKE '$R' AND stage = 'revised'),
  (SELECT count(*) FROM messages m JOIN cases c ON c.kind = 'review' AND c.stage = 'revised'
      AND m.shop_id = c.shop_id AND m.case_id = c.case_id
    WHERE c.order_id LIKE '$R' AND m.template = 'review_follow_up' AND m.status = 'cancelled'),
  (SELECT count(*) FROM cases c JOIN message_optouts o ON o.shop_id = c.shop_id AND o.to_addr = c.phone
    WHERE c.kind = 'review' AND c.order_id LIKE '$R' AND o.lifted_ms IS NULL),
  -- after-sales (RF-1..RF-13): cases registered, RF-9 auto-agreements,
  -- RF-7 refund requests, returns never shipped escalated (RF-2)
  (SELECT count(*) FROM cases WHERE kind = 'aftersales' AND order_id LIKE '$R'),
  (SELECT count(*) FROM decisions WHERE order_id LIKE '$R' AND rule = 'RF-9' AND verdict = 'AGREE'),
  (SELECT count(*) FROM finance_requests WHERE order_id LIKE '$R' AND rule = 'RF-7'),
  (SELECT count(*) FROM tasks WHERE order_id LIKE '$R' AND rule = 'RF-2'
      AND summary LIKE '%has not shipped the return%'))"
STEP_TIMEOUT=$((TIMEOUT / 10 > 30 ? TIMEOUT / 10 : 30))
step_failed=0
holds_seen=""   # NT-2 / NT-3 holds seen after any step (a released message is sent)
prev_snap="0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"   # the first step counts the morning too
# "+n label" for each counter that moved, joined by " | "; empty if none did.
moved() {
  local out="" n label
  while [ $# -ge 2 ]; do
    n=$1 label=$2
    shift 2
    [ "$n" -gt 0 ] && out+="${out:+ | }$label +$n"
  done
  printf '%s' "$out"
}
step() {   # step <ISO time with offset> <label> [cs-sample day phase]
  local at=$1 label=$2 phase=${3:-} before=$prev_snap after due stable=0 last="" t0=$SECONDS held
  clock_set "$at"
  if [ -n "$phase" ]; then
    "$BUILD/cs-sample" day --phase "$phase" --count "$COUNT" --seed "$SEED" --run-id "$run_id" "${sample_to[@]}" >>"$run_dir/sample.txt" ||
      die "cs-sample day --phase $phase failed"
  fi
  local due_sql="SELECT count(*) FROM timers WHERE order_key LIKE '%:$R' AND status = 'pending'
                   AND due_ms <= (extract(epoch FROM timestamptz '$at') * 1000)::bigint"
  while :; do
    sleep 1
    after=$(psql_q "$snap_sql")
    due=$(psql_q "$due_sql")
    read -r _ _ _ _ _ _ _ _ nreq nmsg _ <<<"$after"
    if [ "$after" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
    last=$after
    # due timers taken, every request decided, and nothing moving for 2 polls
    [ "$due" -eq 0 ] && [ "$nmsg" -ge "$nreq" ] && [ "$stable" -ge 2 ] && break
    if [ $((SECONDS - t0)) -ge "$STEP_TIMEOUT" ]; then
      echo "demo: warning: step '$label': $due timers due not applied, $((nreq - nmsg)) requests undecided after ${STEP_TIMEOUT}s" >&2
      step_failed=1
      break
    fi
  done
  held=$(psql_q "SELECT coalesce(string_agg(r || ' ' || n, ', ' ORDER BY r), 'none') FROM (
                   SELECT split_part(reason, ' ', 1) AS r, count(*) AS n FROM messages
                   WHERE order_id LIKE '$R' AND status = 'held' GROUP BY 1) h")
  holds_seen+=" $(psql_q "SELECT string_agg(DISTINCT split_part(reason, ' ', 1), ' ') FROM messages
                           WHERE order_id LIKE '$R' AND status = 'held'")"
  prev_snap=$after
  local f0 t0_ k0 e0 x0 b0 m0 r0 s0 v0 c0 o0 a0 d0 n0 z0
  local f1 t1 k1 e1 x1 b1 m1 r1 s1 v1 c1 o1 a1 d1 n1 z1
  read -r f0 t0_ k0 _ e0 x0 b0 m0 _ _ _ r0 s0 v0 c0 o0 a0 d0 n0 z0 <<<"$before"
  read -r f1 t1 k1 _ e1 x1 b1 m1 _ _ _ r1 s1 v1 c1 o1 a1 d1 n1 z1 <<<"$after"
  printf '  %s  %-42s timers fired %5d | tasks +%-5d | messages sent +%-5d held now: %-16s | exceptions +%-3d escalated +%-3d SLA breaches +%-3d | finance +%d\n' \
    "$(date -d "$at" '+%m-%d %H:%M' 2>/dev/null || echo "$at")" "$label" $((f1 - f0)) $((t1 - t0_)) $((k1 - k0)) "$held" \
    $((e1 - e0)) $((x1 - x0)) $((b1 - b0)) $((m1 - m0))
  local rv as
  rv=$(moved $((r1 - r0)) "cases" $((s1 - s0)) "follow-up SMS sent" $((v1 - v0)) "revised" \
             $((c1 - c0)) "SMS cancelled by revision" $((o1 - o0)) "opted out")
  as=$(moved $((a1 - a0)) "cases" $((d1 - d0)) "RF-9 auto-agreed" $((n1 - n0)) "RF-7 refund requests" \
             $((z1 - z0)) "returns never shipped escalated (RF-2)")
  [ -z "$rv$as" ] || printf '  %11s  %-42s %s%s%s\n' "" "" "${rv:+reviews: $rv}" "${rv:+${as:+  ||  }}" "${as:+after-sales: $as}"
}
export TZ=$TZ_SHOP PGTZ=$TZ_SHOP   # the step lines show shop time (PGTZ: PostgreSQL's to_char too)
step 2026-11-11T12:00:00+08:00 "the morning: verdicts, exceptions opened"
step 2026-11-11T14:00:00+08:00 "calls, refunds, complaints, reviews, cases" afternoon
step 2026-11-11T19:00:00+08:00 "capture sweep: yesterday's orders (OV-13)"
step 2026-11-11T21:30:00+08:00 "unanswered calls, quiet hours (EX-4, NT-2)" evening
step 2026-11-12T00:00:00+08:00 "end of day 1: requeues (EX-6)"
step 2026-11-12T08:00:00+08:00 "held messages released (NT-2, NT-3)"
step 2026-11-12T09:00:00+08:00 "day 2: revisions (RV-5), a return agreed" day2
step 2026-11-12T10:00:00+08:00 "day 2's follow-up SMS (RV-4)"
step 2026-11-12T14:00:00+08:00 "a reviewer's opt-out reply (RV-5, NT-4)" day2pm
step 2026-11-12T19:00:00+08:00 "capture sweep: day 1's unshipped orders"
step 2026-11-13T00:00:00+08:00 "day 3: escalations (EX-6, OV-6 holds)"
step 2026-11-13T10:00:00+08:00 "day 3's SMS (RV-4), chasers, returns" day3
step 2026-11-13T19:00:00+08:00 "sweep again: still unshipped, listed again"
step 2026-11-14T00:00:00+08:00 "day 3 ends: SLA breaches, no answer (RV-6)"
step 2026-11-14T10:00:00+08:00 "day 4: return never shipped (RF-2), no SMS"
last_step_ms=$(( $(date -d 2026-11-14T10:00:00+08:00 +%s) * 1000 ))

# The reviews and cases of the run, one line each, from the same rows.
echo
echo "  Review follow-ups (RV-4: day-2 SMS, and day 3 for a negative review, at 10:00; RV-5; NT-4):"
psql_q "SELECT '    follow-up SMS sent by local day: ' || string_agg(d || ' ' || n, ', ' ORDER BY d)
        FROM (SELECT CASE to_char(to_timestamp(sent_ms / 1000.0), 'MM-DD')
                       WHEN '11-12' THEN '11-12 (day 2):' WHEN '11-13' THEN '11-13 (day 3):'
                       ELSE to_char(to_timestamp(sent_ms / 1000.0), 'MM-DD') || ' (after day 3):' END AS d,
                     count(*) AS n
              FROM messages WHERE order_id LIKE '$R' AND template = 'review_follow_up' AND status = 'sent' GROUP BY 1) x"
psql_q "SELECT '    revised ' || to_char(to_timestamp(c.closed_ms / 1000.0), 'MM-DD HH24:MI') || ': ' || c.case_id
              || ' -- held follow-up SMS cancelled: ' || (SELECT count(*) || coalesce(' at '
                     || to_char(to_timestamp(min(m.updated_ms) / 1000.0), 'MM-DD HH24:MI'), '') FROM messages m
                     WHERE m.shop_id = c.shop_id AND m.case_id = c.case_id AND m.template = 'review_follow_up'
                       AND m.status = 'cancelled')
              || ', follow-up SMS sent: ' || (SELECT count(*) FROM messages m WHERE m.shop_id = c.shop_id
                     AND m.order_id = c.order_id AND m.template = 'review_follow_up' AND m.status = 'sent')
        FROM cases c WHERE c.kind = 'review' AND c.order_id LIKE '$R' AND c.stage = 'revised' ORDER BY c.case_id"
psql_q "SELECT '    opted out ' || to_char(to_timestamp(o.opted_out_ms / 1000.0), 'MM-DD HH24:MI') || ': ' || c.case_id
              || ' -- its number''s messages: ' || coalesce((SELECT string_agg(to_char(to_timestamp(coalesce(m.sent_ms, m.updated_ms) / 1000.0), 'MM-DD HH24:MI')
                     || ' ' || m.template || ' ' || m.status, ', ' ORDER BY coalesce(m.sent_ms, m.updated_ms))
                   FROM messages m WHERE m.shop_id = c.shop_id AND m.to_addr = c.phone), 'none')
              || '; follow-up SMS sent after the opt-out: ' || (SELECT count(*) FROM messages m WHERE m.shop_id = c.shop_id
                   AND m.to_addr = c.phone AND m.template = 'review_follow_up' AND m.status = 'sent'
                   AND m.sent_ms > o.opted_out_ms)
        FROM cases c JOIN message_optouts o ON o.shop_id = c.shop_id AND o.to_addr = c.phone AND o.lifted_ms IS NULL
        WHERE c.kind = 'review' AND c.order_id LIKE '$R' ORDER BY c.case_id"
echo "  After-sales (RF-9 auto-agreements and their RF-7 finance requests; RF-2):"
psql_q "SELECT '    auto-agreed ' || to_char(to_timestamp(d.decided_ms / 1000.0), 'MM-DD HH24:MI') || ': ' || d.case_id
              || ' ' || round(d.amount_fen / 100.0, 2) || ' CNY (' || d.reason || ') -- case now ' || coalesce(c.stage, '?')
              || ', finance: ' || coalesce((SELECT string_agg(f.kind || ' ' || f.rule || ' ' || round(f.amount_fen / 100.0, 2) || ' CNY', ', ')
                   FROM finance_requests f WHERE f.shop_id = d.shop_id AND f.order_id = d.order_id AND f.rule = 'RF-7'), 'none')
        FROM decisions d LEFT JOIN cases c ON c.shop_id = d.shop_id AND c.kind = 'aftersales' AND c.case_id = d.case_id
        WHERE d.order_id LIKE '$R' AND d.rule = 'RF-9' ORDER BY d.case_id"
psql_q "SELECT '    escalated ' || to_char(to_timestamp(t.created_ms / 1000.0), 'MM-DD HH24:MI') || ' to the '
              || coalesce(t.assignee, '?') || ': ' || t.summary
        FROM tasks t WHERE t.order_id LIKE '$R' AND t.rule = 'RF-2' AND t.summary LIKE '%has not shipped the return%'
        ORDER BY t.created_ms"
unset TZ PGTZ

say "Summary of run $run_id, read back from PostgreSQL"
psql -X -q -v run="$run_id" -v since="$since" -v now_ms="$last_step_ms" -v tz="$TZ_SHOP" \
  -f "$root/scripts/summary.sql" "$CS_PG_DSN" | tee "$run_dir/summary.txt"
# The week's reports as an operator reads them, counted by the rules' own
# functions (RV-6, RF-12, RP-1: docs/operations.md); the sample's week is
# Sunday 11-08 to Saturday 11-14, not over yet at the last step.
say "cscli report weekly --week-ending 2026-11-14 (RV-6 outcomes, RF-12 costs and 30-day metrics)"
"$BUILD/cscli" report weekly --week-ending 2026-11-14 --shop tb-demo | tee "$run_dir/report-weekly.txt"
say "cscli report daily --date 2026-11-11 (RP-1)"
"$BUILD/cscli" report daily --date 2026-11-11 --shop tb-demo | tee "$run_dir/report-daily.txt"
if [ "$GATEWAY" = 1 ]; then
  # What cs-sample's requests got (the morning, then each day's phase), and
  # what the gateway counted itself (/metrics: every request of the run,
  # its probes aside).
  say "The gateway's answers (cs-sample: the morning in ${t_morning}s, then the days; gateway /metrics)"
  sed -n 's/^  gateway: /  requests: /p' "$run_dir/sample.txt" | sed '1s/^  requests:/  morning: /; 2,$s/^  requests:/  day:     /'
  curl -sf "$GW_URL/metrics" | awk '/^cs_gateway_requests_total\{platform="(taobao|shopify|generic)"/ {
      match($0, /platform="[a-z]+"/); p = substr($0, RSTART + 10, RLENGTH - 11)
      match($0, /code="[^"]+"/); c = substr($0, RSTART + 6, RLENGTH - 7)
      n[p] = n[p] " " c "=" $NF }
    END { printf "  gateway /metrics: taobao%s, shopify%s, generic%s\n", n["taobao"], n["shopify"], n["generic"] }' |
    tee "$run_dir/gateway.txt"
fi

# Every exception rule, the notifier's holds and opt-outs, the review
# follow-ups and the after-sales rules the sample sets up must have shown
# up in the run; a missing one fails the demo.
absent=$(psql_q "WITH seen AS (
    SELECT rule FROM tasks WHERE order_id LIKE '$R'
    UNION SELECT rule FROM notification_requests WHERE order_id LIKE '$R'
    UNION SELECT rule FROM finance_requests WHERE order_id LIKE '$R'
    UNION SELECT rule FROM sla_breaches WHERE order_id LIKE '$R'
    UNION SELECT split_part(reason, ' ', 1) FROM messages WHERE order_id LIKE '$R' AND reason LIKE 'NT-%'
    UNION SELECT unnest(string_to_array(trim('$holds_seen'), ' '))
    UNION SELECT 'NT-4' FROM message_optouts WHERE event_id LIKE 'smp-$run_id-%'
    UNION SELECT rule FROM decisions WHERE order_id LIKE '$R'
    UNION SELECT 'RV-4' FROM messages WHERE order_id LIKE '$R' AND template = 'review_follow_up' AND status = 'sent'
    UNION SELECT 'RV-5' FROM cases WHERE kind = 'review' AND order_id LIKE '$R' AND stage = 'revised'
    UNION SELECT 'RV-6' FROM cases WHERE kind = 'review' AND order_id LIKE '$R' AND stage = 'no_answer')
  SELECT string_agg(r, ' ' ORDER BY r) FROM unnest(ARRAY['EX-1','EX-2','EX-3','EX-4','EX-5','EX-6','EX-7','EX-8','EX-9','EX-10',
                                                         'OV-6','OV-13','NT-2','NT-3','NT-4',
                                                         'RF-7','RF-9','RV-2','RV-4','RV-5','RV-6']) AS r
  WHERE r NOT IN (SELECT rule FROM seen WHERE rule IS NOT NULL)")

# What the day-by-day lines claim about reviews and cases, checked on the
# rows: follow-up SMS on days 2 and 3 and none after; none for a revised
# review, none to an opted-out number after its opt-out; one RF-7 finance
# request for each RF-9 auto-agreement; the return never shipped escalated.
# Each line is a broken claim; any fails the demo.
broken=$(psql_q "SELECT concat_ws(E'\n',
  CASE WHEN NOT EXISTS (SELECT 1 FROM messages WHERE order_id LIKE '$R' AND template = 'review_follow_up'
          AND status = 'sent' AND to_char(to_timestamp(sent_ms / 1000.0) AT TIME ZONE '$TZ_SHOP', 'MM-DD') = '11-12')
       THEN 'no follow-up SMS on day 2 (11-12)' END,
  CASE WHEN NOT EXISTS (SELECT 1 FROM messages WHERE order_id LIKE '$R' AND template = 'review_follow_up'
          AND status = 'sent' AND to_char(to_timestamp(sent_ms / 1000.0) AT TIME ZONE '$TZ_SHOP', 'MM-DD') = '11-13')
       THEN 'no follow-up SMS on day 3 (11-13)' END,
  (SELECT count(*) || ' follow-up SMS after day 3' FROM messages WHERE order_id LIKE '$R'
     AND template = 'review_follow_up' AND status = 'sent' AND sent_ms >= $(( $(date -d 2026-11-14T00:00:00+08:00 +%s) * 1000 ))
   HAVING count(*) > 0),
  (SELECT count(*) || ' follow-up SMS to revised reviews' FROM messages m JOIN cases c ON c.shop_id = m.shop_id
     AND c.order_id = m.order_id AND c.kind = 'review' AND c.stage = 'revised'
   WHERE m.order_id LIKE '$R' AND m.template = 'review_follow_up' AND m.status = 'sent' HAVING count(*) > 0),
  (SELECT count(*) || ' follow-up SMS after an opt-out' FROM messages m JOIN message_optouts o
     ON o.shop_id = m.shop_id AND o.to_addr = m.to_addr AND o.lifted_ms IS NULL
   WHERE m.order_id LIKE '$R' AND m.template = 'review_follow_up' AND m.status = 'sent'
     AND m.sent_ms > o.opted_out_ms HAVING count(*) > 0),
  CASE WHEN NOT EXISTS (SELECT 1 FROM cases c JOIN message_optouts o ON o.shop_id = c.shop_id AND o.to_addr = c.phone
          WHERE c.kind = 'review' AND c.order_id LIKE '$R') THEN 'no reviewer opted out' END,
  (SELECT count(*) || ' RF-9 auto-agreements without exactly one RF-7 finance request' FROM decisions d
   WHERE d.order_id LIKE '$R' AND d.rule = 'RF-9' AND d.verdict = 'AGREE'
     AND (SELECT count(*) FROM finance_requests f WHERE f.shop_id = d.shop_id AND f.order_id = d.order_id
            AND f.rule = 'RF-7') <> 1 HAVING count(*) > 0),
  CASE WHEN NOT EXISTS (SELECT 1 FROM tasks WHERE order_id LIKE '$R' AND rule = 'RF-2'
          AND summary LIKE '%has not shipped the return%') THEN 'no return never shipped escalated (RF-2)' END)")

# The run's business days end here. Its pending timers (tomorrow's sweep
# of every order still unshipped, some 9,000) would fire for whoever moves
# the shared clock past them next: another run, or a test that jumps years
# ahead and then waits behind them. Cancelled as cs_timer_cancel does in
# PostgreSQL; the dispatcher drops their Redis members when it meets them.
closed=$(psql_q "WITH c AS (UPDATE timers SET status = 'cancelled'
                            WHERE order_key LIKE '%:$R' AND status = 'pending' RETURNING 1)
                 SELECT count(*) FROM c")
echo "  the run's days are over: $closed pending timers of the run cancelled"

say "Stopping the workers and the gateway (SIGTERM)"
stop_workers
echo "  logs and summary: $run_dir"
first_key=$(psql_q "SELECT shop_id || ':' || order_id FROM orders WHERE order_id = '$run_id-000001'" || true)
echo "  inspect an order: $BUILD/cscli order show ${first_key:-<shop>:$run_id-000001}"
echo "  inspect a case: $BUILD/cscli cases show $run_id-RET01 (the return never shipped), $run_id-RV03 (the reviewer who opted out)"
[ "$missing" -eq 0 ] || exit 1
[ "$step_failed" -eq 0 ] || { echo "demo: some clock steps did not settle (see $run_dir)" >&2; exit 1; }
[ -z "$absent" ] || { echo "demo: nothing of $absent in this run (see $run_dir/summary.txt)" >&2; exit 1; }
[ -z "$broken" ] || { printf 'demo: %s (see %s)\n' "$broken" "$run_dir/summary.txt" >&2; exit 1; }
