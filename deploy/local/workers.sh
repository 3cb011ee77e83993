#!/usr/bin/env bash
# Runs worker processes against the local stack, N copies of a role in one
# consumer group: scaling locally is starting more copies.
#
#   workers.sh start <role> [N]   start N more copies (default 1)
#   workers.sh scale <role> N     start or stop copies until N run
#   workers.sh stop <role>|all    SIGTERM (finish the batch, commit, leave)
#   workers.sh status             one line per running copy, with its /metrics port
#
# Roles are the binaries in the build: order-verifier, exception-handler
# (RULES.md section 2, docs/exceptions.md), refund-notifier (section 3,
# docs/aftersales.md), review-scheduler (section 4, docs/reviews.md),
# notifier (section 5, docs/notifier.md), timer-dispatcher (copies of the
# dispatcher need no group: their claims in Redis are atomic), gateway (the
# webhook gateway, docs/webhooks.md: copy n listens on 127.0.0.1 port
# CS_GATEWAY_PORT+n-1, CS_GATEWAY_PORT defaulting to 8080).
# Logs go to $CS_RUN_DIR/workers/<role>-<n>.log; pids to .pid files there.
set -euo pipefail
umask 077   # the logs and pid files are for this user alone (docs/security.md)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${CS_BUILD_DIR:-$root/build}
eval "$(bash "$here/stack.sh" env)"
export CS_SHOPS_FILE=${CS_SHOPS_FILE:-$root/deploy/config/shops.sample.json}
dir=$CS_RUN_DIR/workers
mkdir -p "$dir"

running() { for f in "$dir/$1"-*.pid; do [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && echo "$f"; done; true; }

start() {
  local role=$1 n=${2:-1} i
  [ -x "$BUILD/$role" ] || { echo "workers: $BUILD/$role not built" >&2; exit 1; }
  for _ in $(seq 1 "$n"); do
    i=1; while [ -f "$dir/$role-$i.pid" ] && kill -0 "$(cat "$dir/$role-$i.pid")" 2>/dev/null; do i=$((i + 1)); done
    if [ "$role" = gateway ]; then
      # each copy its own port (a load balancer would sit in front of them)
      CS_GATEWAY_ADDR=${CS_GATEWAY_ADDR_BASE:-127.0.0.1}:$(( ${CS_GATEWAY_PORT:-8080} + i - 1 )) \
        CS_INSTANCE="$role-$i" nohup "$BUILD/$role" >>"$dir/$role-$i.log" 2>&1 &
    else
      CS_INSTANCE="$role-$i" nohup "$BUILD/$role" >>"$dir/$role-$i.log" 2>&1 &
    fi
    echo $! >"$dir/$role-$i.pid"
    echo "workers: started $role-$i (pid $!)"
  done
}

stop_one() {
  local f=$1 pid; pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$f"
  echo "workers: stopped $(basename "$f" .pid)"
}

case "${1:-}" in
  start) start "$2" "${3:-1}" ;;
  scale)
    have=$(running "$2" | wc -l)
    if [ "$have" -lt "$3" ]; then start "$2" $(( $3 - have ));
    else running "$2" | sort -r | head -n $(( have - $3 )) | while read -r f; do stop_one "$f"; done; fi ;;
  stop)
    if [ "$2" = all ]; then for f in "$dir"/*.pid; do [ -f "$f" ] && stop_one "$f"; done
    else running "$2" | while read -r f; do stop_one "$f"; done; fi ;;
  status)
    for f in "$dir"/*.pid; do
      [ -f "$f" ] || continue
      pid=$(cat "$f"); name=$(basename "$f" .pid)
      if kill -0 "$pid" 2>/dev/null; then
        port=$(grep -o '"http endpoint on port [0-9]*' "$dir/$name.log" | tail -n 1 | grep -o '[0-9]*$' || true)
        echo "$name pid=$pid metrics=http://127.0.0.1:${port:-?}/metrics"
      else echo "$name exited"; fi
    done ;;
  *) echo "usage: $0 start <role> [N] | scale <role> N | stop <role>|all | status" >&2; exit 2 ;;
esac
