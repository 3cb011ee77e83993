#!/usr/bin/env bash
# The real stack on one machine: a single-node KRaft Apache Kafka, a
# PostgreSQL and a Redis, each on loopback on its own port, with their data
# in one run folder. Idempotent: `up` on a running stack only makes sure the
# topics and migrations are there; `down` stops everything it started.
#
#   stack.sh up       install what is missing, start, create topics, migrate
#   stack.sh down     stop the three servers (data kept)
#   stack.sh destroy  stop and delete the run folder
#   stack.sh status   one line per server
#   stack.sh env      the CS_* variables that point at this stack
#   stack.sh stop-pg | start-pg | stop-kafka | start-kafka | stop-redis | start-redis
#                     (fault tests; bench/run soak)
#
# The run folder must be traversable by the postgres user (PostgreSQL will
# not run as root), so it lives outside the checkout by default.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
RUN=${CS_RUN_DIR:-/var/tmp/cs-stack}
KAFKA_PORT=${CS_KAFKA_PORT:-19092}
KAFKA_CPORT=$((KAFKA_PORT + 1))
PG_PORT=${CS_PG_PORT:-15432}
REDIS_PORT=${CS_REDIS_PORT:-16379}
KAFKA_VERSION=${CS_KAFKA_VERSION:-3.9.1}
KAFKA_LIBS=${CS_KAFKA_LIBS:-$HOME/.cache/cs-workflow/kafka-$KAFKA_VERSION}
BUILD=${CS_BUILD_DIR:-$root/build}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

log() { printf 'stack: %s\n' "$*" >&2; }
die() { printf 'stack: error: %s\n' "$*" >&2; exit 1; }

as_postgres() { su postgres -s /bin/bash -c "$1"; }

pg_dsn() { echo "host=127.0.0.1 port=$PG_PORT dbname=cs user=cs"; }

print_env() {
  cat <<E
export CS_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export CS_PG_DSN="$(pg_dsn)"
export CS_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export CS_RUN_DIR=$RUN
E
}

kafka_ready() { kcat -b "127.0.0.1:$KAFKA_PORT" -L -m 2 >/dev/null 2>&1; }
pg_ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }
redis_ready() { redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_pg() {
  mkdir -p "$RUN/pg"
  chmod 755 "$RUN"
  chown postgres:postgres "$RUN/pg"
  if [ ! -f "$RUN/pg/data/PG_VERSION" ]; then
    log "initdb"
    as_postgres "$PGBIN/initdb -D '$RUN/pg/data' -A trust -U cs -E UTF8 --locale=C.UTF-8" >"$RUN/pg/initdb.log" 2>&1 ||
      { cat "$RUN/pg/initdb.log" >&2; die "initdb failed"; }
    # Durability stays on (fsync, synchronous_commit): the benchmark reports them.
    cat >>"$RUN/pg/data/postgresql.conf" <<C
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
wal_buffers = 16MB
max_wal_size = 2GB
checkpoint_timeout = 15min
fsync = on
synchronous_commit = on
# A verifier batch holds one advisory lock per buyer (OV-9) until it
# commits, up to CS_BATCH_MAX of them per copy; the shared lock table has
# room for max_locks_per_transaction x max_connections (64 x 200 would be
# 12 800: six copies with full batches would not fit).
max_locks_per_transaction = 256
C
  fi
  if pg_ready; then return 0; fi
  log "starting PostgreSQL on $PG_PORT"
  as_postgres "$PGBIN/pg_ctl -D '$RUN/pg/data' -o '-p $PG_PORT -k $RUN/pg' -l '$RUN/pg/log' -w -t 60 start" >/dev/null ||
    { tail -n 20 "$RUN/pg/log" >&2; die "PostgreSQL did not start"; }
  # Collation C: every key here (shop, order, SKU, event ids) is an
  # identifier compared for equality and range, and C compares bytes. A
  # locale collation sends each of the millions of index comparisons a
  # batch makes through strcoll (a profile of the verifier's backend had a
  # sixth of its time in text comparison).
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U cs -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='cs'" | grep -q 1 ||
    psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U cs -d postgres -c \
      "CREATE DATABASE cs TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
  local coll
  coll=$(psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U cs -d postgres -tAc "SELECT datcollate FROM pg_database WHERE datname='cs'")
  [ "$coll" = C ] || log "warning: database cs has collation $coll (made by an older stack.sh); text keys compare" \
    "slower than with C: remove $RUN to start over with C"
}

stop_pg() {
  if [ -f "$RUN/pg/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    as_postgres "$PGBIN/pg_ctl -D '$RUN/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  fi
}

start_redis() {
  mkdir -p "$RUN/redis"
  if redis_ready; then return 0; fi
  log "starting Redis on $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$RUN/redis" --appendonly yes \
    --daemonize yes --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/log" --save ''
  for _ in $(seq 1 100); do redis_ready && return 0; sleep 0.1; done
  die "Redis did not start (see $RUN/redis/log)"
}

stop_redis() {
  if redis_ready; then log "stopping Redis"; redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
}

start_kafka() {
  mkdir -p "$RUN/kafka"
  if kafka_ready; then return 0; fi
  [ -f "$KAFKA_LIBS/.complete" ] || die "Kafka jars missing in $KAFKA_LIBS (run deploy/local/install-deps.sh)"
  local props="$RUN/kafka/server.properties"
  cat >"$props" <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CPORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$RUN/kafka/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=6000
log.cleaner.dedupe.buffer.size=2097152
log.retention.hours=168
P
  cat >"$RUN/kafka/log4j.properties" <<L
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$RUN/kafka/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
L
  if [ ! -f "$RUN/kafka/data/meta.properties" ]; then
    log "formatting Kafka storage"
    java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$RUN/kafka/log4j.properties" \
      kafka.tools.StorageTool format -t "cs-local-$(echo "$RUN" | md5sum | cut -c1-12)" -c "$props" >"$RUN/kafka/format.log" 2>&1 ||
      { cat "$RUN/kafka/format.log" >&2; die "Kafka storage format failed"; }
  fi
  log "starting Kafka $KAFKA_VERSION on $KAFKA_PORT"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$KAFKA_LIBS/*" \
    -Dlog4j.configuration="file:$RUN/kafka/log4j.properties" kafka.Kafka "$props" \
    >"$RUN/kafka/stdout.log" 2>&1 &
  echo $! >"$RUN/kafka/kafka.pid"
  for _ in $(seq 1 240); do
    kafka_ready && { log "Kafka ready"; return 0; }
    kill -0 "$(cat "$RUN/kafka/kafka.pid")" 2>/dev/null || { tail -n 30 "$RUN/kafka/stdout.log" "$RUN/kafka/server.log" >&2 || true; die "Kafka exited"; }
    sleep 0.5
  done
  die "Kafka not ready after 120 s (see $RUN/kafka/server.log)"
}

stop_kafka() {
  local pidf="$RUN/kafka/kafka.pid"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    log "stopping Kafka"
    local pid; pid=$(cat "$pidf")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidf"
  fi
}

create_topics() {
  local cli="$BUILD/cscli"
  [ -x "$cli" ] || die "topics: $cli not built (cmake --build first)"
  eval "$(print_env)"
  "$cli" topics create >/dev/null
}

up() {
  bash "$here/install-deps.sh"
  mkdir -p "$RUN"
  start_pg
  start_redis
  start_kafka
  bash "$here/migrate.sh" "$(pg_dsn)"
  if [ -x "$BUILD/cscli" ]; then create_topics; else log "cscli not built yet: topics not created"; fi
  log "up: Kafka 127.0.0.1:$KAFKA_PORT, PostgreSQL 127.0.0.1:$PG_PORT, Redis 127.0.0.1:$REDIS_PORT (run folder $RUN)"
}

status() {
  kafka_ready && echo "kafka    up   127.0.0.1:$KAFKA_PORT" || echo "kafka    down"
  pg_ready && echo "postgres up   127.0.0.1:$PG_PORT" || echo "postgres down"
  redis_ready && echo "redis    up   127.0.0.1:$REDIS_PORT" || echo "redis    down"
}

case "${1:-}" in
  up) up ;;
  down) stop_kafka; stop_redis; stop_pg ;;
  destroy) stop_kafka; stop_redis; stop_pg; rm -rf "$RUN" ;;
  status) status ;;
  env) print_env ;;
  topics) create_topics ;;
  migrate) bash "$here/migrate.sh" "$(pg_dsn)" ;;
  stop-pg) stop_pg ;;
  start-pg) start_pg ;;
  stop-kafka) stop_kafka ;;
  start-kafka) start_kafka ;;
  stop-redis) stop_redis ;;
  start-redis) start_redis ;;
  *) echo "usage: $0 up|down|destroy|status|env|topics|migrate|stop-pg|start-pg|stop-kafka|start-kafka|stop-redis|start-redis" >&2; exit 2 ;;
esac
