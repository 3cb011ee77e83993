#!/usr/bin/env bash
# bench/soak/soak.sh OUT -- the soak run of `bench/run soak` (docs/performance.md,
# "Soak"). bench/run has built the binaries, brought up the bench stack and
# exported its CS_* settings; OUT is the run folder. Not for CI.
#
# For BENCH_SOAK_MIN minutes (default 30):
#   workers   two order-verifiers (one group), the notifier (log provider:
#             OUT/messages.jsonl), the timer-dispatcher, the exception-handler,
#             the refund-notifier and the review-scheduler, on the Redis clock,
#             each under a keeper that restarts it one second after it ends;
#   workload  cs-sample cycles, each its own run id and its own four business
#             days (cycle k starts on 2026-11-11 + 4k days, so the clock only
#             moves forward): the morning (BENCH_SOAK_ORDERS orders, default
#             6000) at BENCH_SOAK_RATE records/s (default 400), then the demo's
#             clock steps through the days after with the day phases, one step
#             every BENCH_SOAK_STEP_S seconds (default 4); at a cycle's end its
#             timers not yet due are cancelled (as scripts/demo.sh does), so
#             the sweeps of earlier cycles do not pile up;
#   faults    every worker is SIGKILLed once, each at a random instant of
#             the kill phase (its keeper restarts it); and after an
#             exponentially distributed pause (mean BENCH_SOAK_FAULT_S,
#             default 60, at least 5 s), one fault at random: SIGKILL of a
#             random worker (40%, in the kill phase only), a PostgreSQL
#             restart (20%), a Kafka restart (20%) or a Redis restart (20%),
#             down for 3-15 s (stack.sh stop-*/start-*), for the whole run.
#             The kill phase ends 2 minutes (the warm-up) before the judged
#             window opens (the first 8 minutes of a 30-minute run), so
#             that every worker's last process lives through the window and
#             is judged, through the server faults that test its reconnects;
#             BENCH_SOAK_SEED seeds the schedule (default: the time);
#   sampling  every BENCH_SOAK_SAMPLE_S (30) s each worker's VmRSS
#             (/proc/<pid>/status), open fds (/proc/<pid>/fd) and live heap
#             (cs_process_heap_inuse_bytes from its /metrics), a series
#             per process (a restarted worker starts a new one).
# Then the faults and the workload stop, every server is started, the
# workers drain (nothing moves in PostgreSQL for 3 polls 5 s apart, at most
# BENCH_SOAK_DRAIN_S, 300), stop with SIGTERM, and the checks run:
#   lost          (worker, event id) pairs for every record a worker consumes
#                 (cs-bench soak-ids reads the topics from the offsets marked
#                 at the start; "<worker> --help" says what each consumes; a
#                 timer firing only for its owner) with neither a
#                 processed_events row nor a dead_letters row;
#   duplicates    bench/soak/check.sql: verdicts per order version, finance
#                 requests per id, ... and the provider log: each idempotency
#                 key at most once (duplicated_sms), every key in it sent in
#                 PostgreSQL and every message sent by the log provider in it;
#   flat          per series, over the last 20 minutes (runs under 30 min:
#                 the last two thirds) from its own start + 2 min of warm-up,
#                 judged when it covers at least half of that window: RSS
#                 grows less than 2 MiB and the fd count does not grow, each
#                 as the largest of the last 3 samples against the largest
#                 of the window's first 3 (RSS swings with every batch and
#                 malloc_trim -- the verifier's between 36 and 54 MiB at a
#                 steady heap -- so one sample against one other judged the
#                 phase of the swing, not a leak; a leak raises the peaks).
# The last line:
#                 flat=yes needs every worker judged (workers_judged).
#   RESULT soak_min=<n> faults=<n> events=<n> lost=<n> duplicated_sms=<n> workers_judged=<n>/<n> rss_growth_mib_max=<x> fd_growth_max=<n> flat=<yes|no>
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: soak.sh OUT}
BUILD=${CS_BUILD_DIR:-$root/build}
MIN=${BENCH_SOAK_MIN:-30}
FAULT_S=${BENCH_SOAK_FAULT_S:-60}
ORDERS=${BENCH_SOAK_ORDERS:-6000}
RATE=${BENCH_SOAK_RATE:-400}
STEP_S=${BENCH_SOAK_STEP_S:-4}
SAMPLE_S=${BENCH_SOAK_SAMPLE_S:-30}
DRAIN_S=${BENCH_SOAK_DRAIN_S:-300}
SEED=${BENCH_SOAK_SEED:-$(date +%s)}
# the judged window (below) and the kill phase before it (faults above)
WIN=$(( MIN >= 30 ? 20 * 60 : MIN * 60 * 2 / 3 ))
KILL_END=$(( MIN * 60 - WIN - 120 )); [ "$KILL_END" -lt 40 ] && KILL_END=40
for v in MIN FAULT_S ORDERS RATE STEP_S SAMPLE_S DRAIN_S SEED; do
  [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || { echo "soak: BENCH_SOAK_$v must be a positive integer" >&2; exit 2; }
done
stack() { bash "$root/deploy/local/stack.sh" "$@"; }
psql_q() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$CS_PG_DSN" -c "$1"; }
log() { echo "$(date +%H:%M:%S) +$(( $(date +%s) - T0 ))s $*" | tee -a "$out/events.log" >&2; }
mkdir -p "$out/logs" "$out/pids" "$out/ctl"
T0=$(date +%s)
RANDOM=$SEED

export CS_CLOCK=redis CS_HTTP_ADDR=127.0.0.1:0
export CS_SHOPS_FILE="$out/shops.json"
sed '0,/"promotion_mode": false/s//"promotion_mode": true/' "$root/deploy/config/shops.sample.json" >"$CS_SHOPS_FILE"
TZ_SHOP=Asia/Shanghai
clock_set() {   # retried: Redis may be restarting
  for _ in $(seq 1 120); do
    "$BUILD/cscli" clock set "$1" --tz "$TZ_SHOP" >/dev/null 2>>"$out/logs/workload.log" && return 0
    sleep 1
  done
  log "workload: clock set $1 failed for 120 s"
}

# ---- what each worker consumes (for the lost check) and the start mark ----
INSTANCES=(order-verifier-1 order-verifier-2 notifier-1 timer-dispatcher-1 exception-handler-1 refund-notifier-1 review-scheduler-1)
: >"$out/consumers.tsv"
for w in order-verifier notifier exception-handler refund-notifier review-scheduler; do
  "$BUILD/$w" --help | sed -n "s/^$w consumes: //p" | tr ' ' '\n' | sed "/^$/d; s/^/$w\t/" >>"$out/consumers.tsv"
done
TOPICS=$(cut -f2 "$out/consumers.tsv" | sort -u | paste -sd,)
"$BUILD/cs-bench" soak-ids --topics "$TOPICS" --mark "$out/mark.txt" || { echo "soak: cannot mark the topics" >&2; exit 1; }

# ---- workers under keepers ----
keeper() {   # keeper <instance>: runs it until OUT/ctl/stop exists
  local inst=$1 bin=${1%-*} p rc
  while [ ! -f "$out/ctl/stop" ]; do
    if [ "$bin" = notifier ]; then
      CS_INSTANCE=$inst CS_NOTIFIER_LOG_FILE="$out/messages.jsonl" "$BUILD/$bin" 2>>"$out/logs/$inst.log" &
    else
      CS_INSTANCE=$inst "$BUILD/$bin" 2>>"$out/logs/$inst.log" &
    fi
    p=$!
    echo "$p" >"$out/pids/$inst"
    log "start $inst pid $p"
    wait "$p"; rc=$?
    if [ -f "$out/ctl/killed.$p" ]; then
      :
    elif [ -f "$out/ctl/stop" ]; then
      [ "$rc" = 0 ] || log "EXIT $inst pid $p status $rc at SIGTERM (expected 0)"
      [ "$rc" = 0 ] || echo "$inst $p $rc sigterm" >>"$out/unexpected_exits.txt"
    else
      log "EXIT $inst pid $p status $rc, not killed by the soak"
      echo "$inst $p $rc" >>"$out/unexpected_exits.txt"
    fi
    [ -f "$out/ctl/stop" ] && break
    sleep 1
  done
  rm -f "$out/pids/$inst"
}

# ---- sampler: VmRSS and fds per worker process ----
sampler() {
  echo -e "t_s\tinstance\tpid\trss_kib\tfds\theap_kib" >"$out/samples.tsv"
  while [ ! -f "$out/ctl/sampler.stop" ]; do
    local t=$(( $(date +%s) - T0 )) inst p rss fds port heap
    for inst in "${INSTANCES[@]}"; do
      p=$(cat "$out/pids/$inst" 2>/dev/null) || continue
      rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
      fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
      # the live heap (cs_process_heap_inuse_bytes), to tell memory kept
      # from memory leaked; "-" when /metrics does not answer
      port=$(grep -o '"http endpoint on port [0-9]*' "$out/logs/$inst.log" 2>/dev/null | tail -n 1 | grep -o '[0-9]*$')
      heap=$(curl -s --max-time 2 "http://127.0.0.1:${port:-0}/metrics" 2>/dev/null |
        awk '/^cs_process_heap_inuse_bytes/ {printf "%d", $2 / 1024}')
      [ -n "$rss" ] && printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$inst" "$p" "$rss" "$fds" "${heap:--}" >>"$out/samples.tsv"
    done
    for _ in $(seq 1 "$SAMPLE_S"); do [ -f "$out/ctl/sampler.stop" ] && break; sleep 1; done
  done
}

# ---- workload: cs-sample cycles on a forward-moving clock ----
iso_at() { TZ=$TZ_SHOP date -d "@$1" +%Y-%m-%dT%H:%M:%S+08:00; }
workload() {
  local base k=0 run start s at ph rc
  base=$(date -d 2026-11-11T00:00:00+08:00 +%s)
  local steps=("12 " "14 afternoon" "19 " "21.5 evening" "24 " "32 " "33 day2" "34 " "38 day2pm" "43 " "48 " "58 day3" "67 " "72 " "82 ")
  while [ ! -f "$out/ctl/workload.stop" ]; do
    run="soak-$SEED-$k"
    s=$((base + k * 4 * 86400))
    start=$(iso_at "$s")
    log "workload: cycle $k run $run, morning of $start, $ORDERS orders at $RATE records/s"
    for st in "${steps[@]}"; do
      [ -f "$out/ctl/workload.stop" ] && break
      read -r h ph <<<"$st"
      at=$(iso_at "$(awk -v s="$s" -v h="$h" 'BEGIN{printf "%d", s + h * 3600}')")
      clock_set "$at"
      if [ "$h" = 12 ]; then
        for attempt in 1 2 3; do   # same run id again: the same events, deduped
          "$BUILD/cs-sample" orders --count "$ORDERS" --seed 1 --run-id "$run" --start "$start" --rate "$RATE" --poison 3 \
            >>"$out/logs/workload.log" 2>&1 && break
          rc=$?; log "workload: cs-sample orders $run exited $rc (attempt $attempt)"; sleep 10
        done
      elif [ -n "$ph" ]; then
        for attempt in 1 2 3; do
          "$BUILD/cs-sample" day --phase "$ph" --count "$ORDERS" --seed 1 --run-id "$run" --start "$start" \
            >>"$out/logs/workload.log" 2>&1 && break
          rc=$?; log "workload: cs-sample day $ph $run exited $rc (attempt $attempt)"; sleep 10
        done
      fi
      sleep "$STEP_S"
    done
    # the cycle's days are over: its timers not yet due are cancelled
    psql_q "UPDATE timers SET status = 'cancelled' WHERE order_key LIKE '%:$run-%' AND status = 'pending'
              AND due_ms > (extract(epoch FROM timestamptz '$at') * 1000)::bigint" >/dev/null 2>&1 ||
      log "workload: could not cancel the pending timers of $run"
    echo "$at" >"$out/clock_last.txt"
    k=$((k + 1))
  done
  echo "$k" >"$out/cycles.txt"
}

# ---- faults ----
# kill_one NAME TAG: SIGKILL the worker's current process (its keeper
# restarts it); fails when it is not running
kill_one() {
  local p
  p=$(cat "$out/pids/$1" 2>/dev/null) || { log "FAULT $2: $1 not running, skipped"; return 1; }
  touch "$out/ctl/killed.$p"
  kill -KILL "$p" 2>/dev/null
  log "FAULT $2: SIGKILL $1 pid $p"
  echo "$2 kill $1" >>"$out/faults.txt"
}

# every worker once, at a random instant of the kill phase
kills() {
  RANDOM=$((SEED + 2))
  local plan inst at
  plan=$(for inst in "${INSTANCES[@]}"; do echo "$((20 + RANDOM % (KILL_END - 20))) $inst"; done | sort -n)
  while read -r at inst; do
    while [ $(( $(date +%s) - T0 )) -lt "$at" ]; do [ -f "$out/ctl/faults.stop" ] && return; sleep 1; done
    kill_one "$inst" "k-$inst"
  done <<<"$plan"
}

faults() {
  local n=0 pause r kind target down
  RANDOM=$((SEED + 1))   # a subshell: the schedule from the seed
  while [ ! -f "$out/ctl/faults.stop" ]; do
    pause=$(awk -v m="$FAULT_S" -v r="$RANDOM" 'BEGIN{srand(r); x = -m * log(1 - rand()); if (x < 5) x = 5; printf "%d", x}')
    for _ in $(seq 1 "$pause"); do [ -f "$out/ctl/faults.stop" ] && break; sleep 1; done
    [ -f "$out/ctl/faults.stop" ] && break
    r=$((RANDOM % 10)); down=$((3 + RANDOM % 13)); n=$((n + 1))
    # after the kill phase a kill becomes one of the server faults
    [ "$r" -lt 4 ] && [ $(( $(date +%s) - T0 )) -ge "$KILL_END" ] && r=$((4 + RANDOM % 6))
    if [ "$r" -lt 4 ]; then
      target=${INSTANCES[$((RANDOM % ${#INSTANCES[@]}))]}
      kill_one "$target" "$n" || n=$((n - 1))
    elif [ "$r" -lt 6 ]; then
      log "FAULT $n: PostgreSQL down for ${down}s"
      stack stop-pg >>"$out/logs/stack.log" 2>&1; sleep "$down"; stack start-pg >>"$out/logs/stack.log" 2>&1 ||
        log "start-pg failed"
      log "FAULT $n: PostgreSQL up"; echo "$n pg $down" >>"$out/faults.txt"
    elif [ "$r" -lt 8 ]; then
      log "FAULT $n: Kafka down for ${down}s"
      stack stop-kafka >>"$out/logs/stack.log" 2>&1; sleep "$down"; stack start-kafka >>"$out/logs/stack.log" 2>&1 ||
        log "start-kafka failed"
      log "FAULT $n: Kafka up"; echo "$n kafka $down" >>"$out/faults.txt"
    else
      log "FAULT $n: Redis down for ${down}s"
      stack stop-redis >>"$out/logs/stack.log" 2>&1; sleep "$down"; stack start-redis >>"$out/logs/stack.log" 2>&1 ||
        log "start-redis failed"
      log "FAULT $n: Redis up"; echo "$n redis $down" >>"$out/faults.txt"
    fi
  done
}

cleanup() {
  touch "$out/ctl/faults.stop" "$out/ctl/workload.stop" "$out/ctl/sampler.stop" "$out/ctl/stop"
  for f in "$out"/pids/*; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
}
trap 'cleanup; exit 130' INT TERM

echo "soak: $MIN min, faults every ${FAULT_S}s on average (seed $SEED), $ORDERS orders a cycle at $RATE records/s;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg); logs in $out" >&2
echo "uptime: $(uptime)"
echo "machine:     a fixed 100M-step loop took $("$BUILD/cs-bench" machine) ms before the soak (36-48 ms on an idle machine)"
clock_set "$(iso_at "$(date -d 2026-11-11T12:00:00+08:00 +%s)")"
: >"$out/faults.txt"
: >"$out/unexpected_exits.txt"
keepers=()
for inst in "${INSTANCES[@]}"; do keeper "$inst" 2>/dev/null & keepers+=($!); done
sleep 2
sampler & sampler_pid=$!
workload & workload_pid=$!
sleep 20   # warm-up before the first fault
faults & faults_pid=$!
kills & kills_pid=$!

end=$((T0 + MIN * 60))
while [ "$(date +%s)" -lt "$end" ]; do sleep 5; done
log "soak: $MIN min over; stopping the faults and the workload"
touch "$out/ctl/faults.stop" "$out/ctl/workload.stop"
wait "$faults_pid" "$kills_pid"
stack start-pg >>"$out/logs/stack.log" 2>&1; stack start-redis >>"$out/logs/stack.log" 2>&1
stack start-kafka >>"$out/logs/stack.log" 2>&1
wait "$workload_pid"
log "soak: draining (at most ${DRAIN_S}s)"
digest_sql="SELECT concat_ws(' ', (SELECT count(*) FROM processed_events), (SELECT count(*) FROM messages),
  (SELECT count(*) FROM messages WHERE status = 'sent'), (SELECT count(*) FROM outbox), (SELECT count(*) FROM timers WHERE status = 'pending'))"
last="" stable=0 t_drain=$(date +%s)
while [ $(( $(date +%s) - t_drain )) -lt "$DRAIN_S" ]; do
  sleep 5
  now=$(psql_q "$digest_sql" 2>/dev/null) || continue
  if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
  last=$now
  [ "$stable" -ge 3 ] && break
done
log "soak: drained after $(( $(date +%s) - t_drain ))s (processed messages sent outbox pending-timers: $last)"
sleep "$SAMPLE_S"   # one more sample of every worker, idle
touch "$out/ctl/sampler.stop"; wait "$sampler_pid"
touch "$out/ctl/stop"
for f in "$out"/pids/*; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
for k in "${keepers[@]}"; do wait "$k"; done
log "soak: workers stopped"

# ---- checks ----
"$BUILD/cs-bench" soak-ids --topics "$TOPICS" --from "$out/mark.txt" --out "$out/ids.tsv" 2>>"$out/logs/ids.log" ||
  echo "soak: warning: reading the topics back failed (see $out/logs/ids.log)" >&2
cat "$out/logs/ids.log" >&2
# the provider log: one line per key sent
# (a line cut short by a SIGKILL would not parse: counted, not fatal)
jq -R -r 'fromjson? | [.shop_id, .idempotency_key, .channel] | @tsv' "$out/messages.jsonl" >"$out/provider.tsv" 2>/dev/null ||
  : >"$out/provider.tsv"
echo "provider log: $(wc -l <"$out/messages.jsonl" 2>/dev/null || echo 0) lines, $(wc -l <"$out/provider.tsv") parsed"
clock_last=$(cat "$out/clock_last.txt" 2>/dev/null || echo 2026-11-11T12:00:00+08:00)
psql -X -q -v ON_ERROR_STOP=1 "$CS_PG_DSN" >/dev/null <<SQL
DROP TABLE IF EXISTS soak_ids, soak_consumers, soak_provider;
CREATE TABLE soak_ids (topic text, event_id text, owner text);
CREATE TABLE soak_consumers (worker text, topic text);
CREATE TABLE soak_provider (shop_id text, idempotency_key text, channel text);
\copy soak_ids FROM '$out/ids.tsv'
\copy soak_consumers FROM '$out/consumers.tsv'
\copy soak_provider FROM '$out/provider.tsv'
SQL
psql -X -q -A -t -v ON_ERROR_STOP=1 -v clock_last="$clock_last" -f "$root/bench/soak/check.sql" "$CS_PG_DSN" | tee "$out/check.txt"
field() { sed -n "s/^$1=//p" "$out/check.txt" | head -n 1; }

# ---- the series ----
awk -F'\t' -v T_end="$(( $(date +%s) - T0 ))" -v win="$WIN" -v warm=120 -v workers="${INSTANCES[*]}" '
  NR == 1 { next }
  { k = $2 "\t" $3; if (!(k in first)) { first[k] = $1; order[++n] = k }
    last[k] = $1; cnt[k]++; t[k, cnt[k]] = $1; rss[k, cnt[k]] = $4; fd[k, cnt[k]] = $5; hp[k, cnt[k]] = $6 }
  END {
    tend = 0; for (i = 1; i <= n; i++) if (last[order[i]] > tend) tend = last[order[i]]
    w0 = tend - win; rmax = 0; fmax = 0; judged = 0; flat = 1
    for (i = 1; i <= n; i++) {
      k = order[i]; split(k, a, "\t")
      s = ""; f = ""; h = ""
      for (j = 1; j <= cnt[k]; j++) {
        s = s sprintf(" %.1f", rss[k, j] / 1024); f = f " " fd[k, j]
        h = h (hp[k, j] == "-" || hp[k, j] == "" ? " -" : sprintf(" %.1f", hp[k, j] / 1024))
      }
      from = first[k] + warm; if (from < w0) from = w0
      j0 = 0; for (j = 1; j <= cnt[k]; j++) if (t[k, j] >= from) { j0 = j; break }
      verdict = "not judged (covers too little of the window)"
      if (j0 && last[k] - t[k, j0] >= win / 2) {
        # fds: the largest of the last 3 samples against the largest of the
        # first 3 of the window (a sample taken while a client reconnects
        # after a Kafka or PostgreSQL restart counts one or three fewer)
        fa = 0; for (j = j0; j < j0 + 3 && j <= cnt[k]; j++) if (fd[k, j] > fa) fa = fd[k, j]
        fb = 0; for (j = cnt[k] - 2; j <= cnt[k]; j++) if (j >= j0 && fd[k, j] > fb) fb = fd[k, j]
        ra = 0; for (j = j0; j < j0 + 3 && j <= cnt[k]; j++) if (rss[k, j] > ra) ra = rss[k, j]
        rb = 0; for (j = cnt[k] - 2; j <= cnt[k]; j++) if (j >= j0 && rss[k, j] > rb) rb = rss[k, j]
        g = (rb - ra) / 1024; d = fb - fa
        judged++; ok[a[1]] = 1; if (g > rmax) rmax = g; if (d > fmax) fmax = d
        if (g >= 2 || d > 0) flat = 0
        verdict = sprintf("judged over %d-%d s: rss %+.2f MiB, fds %+d", t[k, j0], last[k], g, d)
      }
      printf "series %s pid %s, %d-%d s, %d samples: %s\n  rss MiB:%s\n  heap MiB:%s\n  fds:%s\n", a[1], a[2], first[k], last[k], cnt[k], verdict, s, h, f
    }
    # every worker must be judged: the process it ran last lived through the window
    nw = split(workers, wl, " "); nj = 0
    for (i = 1; i <= nw; i++) if (ok[wl[i]]) nj++; else printf "worker %s: no process judged\n", wl[i]
    printf "SERIES judged=%d workers_judged=%d/%d rss_growth_mib_max=%.2f fd_growth_max=%d flat=%s\n", judged, nj, nw, rmax, fmax, (nj == nw && flat) ? "yes" : "no"
  }' "$out/samples.tsv" | tee "$out/series.txt"
S=$(grep '^SERIES ' "$out/series.txt")
sf() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $S"; }
nfaults=$(wc -l <"$out/faults.txt")
echo "faults:      $(cut -d' ' -f2 "$out/faults.txt" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}')" \
  "(kills: $(awk '$2 == "kill" {print $3}' "$out/faults.txt" | sort | uniq -c | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2}'))"
echo "workload:    $(cat "$out/cycles.txt" 2>/dev/null || echo '?') cycles of $ORDERS orders; unexpected worker exits: $(wc -l <"$out/unexpected_exits.txt" 2>/dev/null || echo 0)"
sed 's/^/  exit: /' "$out/unexpected_exits.txt"
echo "uptime: $(uptime)"
echo "machine:     a fixed 100M-step loop took $("$BUILD/cs-bench" machine) ms after it"
echo "RESULT soak_min=$MIN faults=$nfaults events=$(field events) lost=$(field lost) duplicated_sms=$(field duplicated_sms)" \
  "workers_judged=$(sf workers_judged) rss_growth_mib_max=$(sf rss_growth_mib_max) fd_growth_max=$(sf fd_growth_max) flat=$(sf flat)"
