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
#   stack.sh psql-super [psql args]   psql as the superuser, in the slots
#                     superuser_reserved_connections keeps (every other slot taken)
#   stack.sh redis-cli [args]         redis-cli as Redis's admin
#
# Secure by default (docs/security.md): every server listens on loopback
# only and asks for a password; each role (admin, operator, one per
# worker) has its own, generated once into $RUN/secrets (0700, files 0600),
# which `env` names through CS_SECRETS_DIR, PGPASSFILE and KCAT_CONFIG and
# never prints. PostgreSQL takes scram-sha-256 only (no trust, no
# replication entries), its socket is for the postgres user alone, and the
# workers' roles are not superusers (deploy/sql/roles.sql, grants in
# migration 0022). Redis has an ACL user per role and the default user is
# the admin's. Kafka takes SASL/SCRAM over TLS with ACLs per role (made by
# `cscli topics create`). The data folders are private (0700). A run
# folder made by an older stack.sh (no secrets folder) has its data
# deleted and is set up anew: a local stack's data is disposable.
#
# The run folder must be traversable by the postgres user (PostgreSQL will
# not run as root), so it lives outside the checkout by default.
set -euo pipefail
umask 077
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

SECRETS=$RUN/secrets
# Every role of docs/security.md; a worker's is its binary's name.
ROLES=(admin operator order-verifier exception-handler refund-notifier review-scheduler notifier timer-dispatcher gateway)

pg_dsn() { echo "host=127.0.0.1 port=$PG_PORT dbname=cs user=cs_admin"; }

print_env() {
  cat <<E
export CS_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
export CS_PG_DSN="$(pg_dsn)"
export CS_REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export CS_RUN_DIR=$RUN
export CS_SECRETS_DIR=$SECRETS
export PGPASSFILE=$SECRETS/pgpass
export KCAT_CONFIG=$SECRETS/kcat.conf
E
}

# One random password per role and server, made once; the admin's psql
# and kcat settings, and the superuser's own pgpass for this script.
ensure_secrets() {
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  local r s
  for r in "${ROLES[@]}"; do
    for s in pg redis kafka; do
      [ -s "$SECRETS/$r.$s" ] || openssl rand -hex 24 >"$SECRETS/$r.$s"
    done
  done
  [ -s "$SECRETS/super.pg" ] || openssl rand -hex 24 >"$SECRETS/super.pg"
  printf '127.0.0.1:%s:*:cs_admin:%s\n' "$PG_PORT" "$(cat "$SECRETS/admin.pg")" >"$SECRETS/pgpass"
  printf '127.0.0.1:%s:*:cs_super:%s\n' "$PG_PORT" "$(cat "$SECRETS/super.pg")" >"$SECRETS/super.pgpass"
  chmod 600 "$SECRETS"/*
}

# A run folder of an older stack.sh: servers without authentication, data
# readable by all. Stopped (by pid, none of them asks for a password) and
# its data deleted, so that `up` makes it anew.
reset_old_run() {
  [ -d "$RUN" ] && [ ! -d "$SECRETS" ] || return 0
  [ -e "$RUN/pg" ] || [ -e "$RUN/kafka" ] || [ -e "$RUN/redis" ] || return 0
  log "$RUN was made by an older stack.sh (no passwords): stopping its servers and deleting their data" \
    "(a local stack's data is disposable)"
  local f
  for f in "$RUN/kafka/kafka.pid" "$RUN/redis/redis.pid"; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  [ -f "$RUN/pg/data/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl -D '$RUN/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  for f in "$RUN/kafka/kafka.pid" "$RUN/redis/redis.pid"; do
    [ -f "$f" ] || continue
    for _ in $(seq 1 60); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.5; done
  done
  rm -rf "$RUN/pg" "$RUN/kafka" "$RUN/redis" "$RUN/workers"
}

psql_super() { PGPASSFILE=$SECRETS/super.pgpass psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U cs_super "$@"; }
redis_admin() { REDISCLI_AUTH=$(cat "$SECRETS/admin.redis") redis-cli --no-auth-warning -p "$REDIS_PORT" "$@"; }

# As the admin user, over SASL_SSL (kcat.conf: see ensure_kafka_secrets).
kafka_ready() { kcat -F "$RUN/secrets/kcat.conf" -b "127.0.0.1:$KAFKA_PORT" -L -m 2 >/dev/null 2>&1; }
pg_ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; }
redis_ready() { redis_admin ping 2>/dev/null | grep -q PONG; }

start_pg() {
  mkdir -p "$RUN/pg"
  chmod 755 "$RUN"
  chown postgres:postgres "$RUN/pg"
  chmod 700 "$RUN/pg"
  if [ ! -f "$RUN/pg/data/PG_VERSION" ]; then
    log "initdb"
    # the superuser's password reaches initdb through a file only postgres
    # can read, removed right after
    install -m 600 -o postgres -g postgres "$SECRETS/super.pg" "$RUN/pg/.pw"
    as_postgres "$PGBIN/initdb -D '$RUN/pg/data' -A scram-sha-256 -U cs_super --pwfile='$RUN/pg/.pw' -E UTF8 --locale=C.UTF-8" \
      >"$RUN/pg/initdb.log" 2>&1 || { rm -f "$RUN/pg/.pw"; cat "$RUN/pg/initdb.log" >&2; die "initdb failed"; }
    rm -f "$RUN/pg/.pw"
    # Durability stays on (fsync, synchronous_commit): the benchmark reports them.
    cat >>"$RUN/pg/data/postgresql.conf" <<C
listen_addresses = '127.0.0.1'
max_connections = 200
# the last 3 slots are the superuser's (stack.sh psql-super): worker roles
# are no superusers and each has a connection limit (deploy/sql/roles.sql)
superuser_reserved_connections = 3
password_encryption = 'scram-sha-256'
unix_socket_permissions = 0700
shared_buffers = 256MB
wal_buffers = 16MB
max_wal_size = 2GB
checkpoint_timeout = 15min
# Full-page images compressed: the first change of a page after a
# checkpoint logs the whole page, and a day-2 review wave changes rows
# spread over every page of messages and timers (docs/performance.md).
wal_compression = lz4
fsync = on
synchronous_commit = on
# A verifier batch holds one advisory lock per buyer (OV-9) until it
# commits, up to CS_BATCH_MAX of them per copy; the shared lock table has
# room for max_locks_per_transaction x max_connections (64 x 200 would be
# 12 800: six copies with full batches would not fit).
max_locks_per_transaction = 256
C
    # Passwords (SCRAM) for every connection; no replication connections.
    cat >"$RUN/pg/data/pg_hba.conf" <<H
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  scram-sha-256
host    all       all   127.0.0.1/32   scram-sha-256
H
    chown postgres:postgres "$RUN/pg/data/pg_hba.conf" "$RUN/pg/data/postgresql.conf"
  fi
  # settings added since a run folder was made: appended once
  grep -q '^wal_compression' "$RUN/pg/data/postgresql.conf" ||
    echo "wal_compression = lz4" >>"$RUN/pg/data/postgresql.conf"
  if ! pg_ready; then
    log "starting PostgreSQL on $PG_PORT"
    as_postgres "umask 077; $PGBIN/pg_ctl -D '$RUN/pg/data' -o '-p $PG_PORT -k $RUN/pg' -l '$RUN/pg/log' -w -t 60 start" >/dev/null ||
      { tail -n 20 "$RUN/pg/log" >&2; die "PostgreSQL did not start"; }
  fi
  pg_roles
  # Collation C: every key here (shop, order, SKU, event ids) is an
  # identifier compared for equality and range, and C compares bytes. A
  # locale collation sends each of the millions of index comparisons a
  # batch makes through strcoll (a profile of the verifier's backend had a
  # sixth of its time in text comparison).
  psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='cs'" | grep -q 1 ||
    psql_super -d postgres -c \
      "CREATE DATABASE cs OWNER cs_admin TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
  # only the engine's roles may connect to it
  local r grants="REVOKE ALL ON DATABASE cs FROM PUBLIC;"
  for r in "${ROLES[@]}"; do grants+=" GRANT CONNECT ON DATABASE cs TO cs_${r//-/_};"; done
  psql_super -d postgres -v ON_ERROR_STOP=1 -c "$grants" >/dev/null
}

# The roles (deploy/sql/roles.sql) and their passwords from the secrets
# folder, sent on psql's standard input (never a command line).
pg_roles() {
  psql_super -d postgres -v ON_ERROR_STOP=1 -f "$root/deploy/sql/roles.sql" >/dev/null
  local r sql=""
  for r in "${ROLES[@]}"; do
    sql+="ALTER ROLE cs_${r//-/_} PASSWORD '$(cat "$SECRETS/$r.pg")';"$'\n'
  done
  printf '%s' "$sql" | psql_super -d postgres -v ON_ERROR_STOP=1 >/dev/null
}

stop_pg() {
  if [ -f "$RUN/pg/data/postmaster.pid" ]; then
    log "stopping PostgreSQL"
    as_postgres "$PGBIN/pg_ctl -D '$RUN/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
  fi
}

# One ACL user per role, passwords kept as SHA-256 only; the default user
# is the admin's (a password without a user, REDISCLI_AUTH, is the admin).
# The others may not run the dangerous commands (FLUSHALL, CONFIG, KEYS,
# DEBUG, SHUTDOWN, ACL, ...) and reach only their keys: the timers' and the
# clock's for the workers and the dispatcher (docs/timers.md), the accepted
# ids' for the gateway (docs/webhooks.md), the project's for the operator.
redis_keys() {
  case $1 in
    operator) echo "~cs:*" ;;
    gateway) echo "~cs:gw:*" ;;
    *) echo "~cs:timers:* ~cs:clock:*" ;;
  esac
}
write_redis_acl() {
  local r acl="$RUN/redis/users.acl"
  {
    echo "user default on #$(tr -d '\n' <"$SECRETS/admin.redis" | sha256sum | cut -d' ' -f1) ~* &* +@all"
    for r in "${ROLES[@]}"; do
      [ "$r" = admin ] && continue
      echo "user $r on #$(tr -d '\n' <"$SECRETS/$r.redis" | sha256sum | cut -d' ' -f1) $(redis_keys "$r") +@all -@dangerous"
    done
  } >"$acl.new"
  mv "$acl.new" "$acl"
}

start_redis() {
  mkdir -p "$RUN/redis"
  chmod 700 "$RUN/redis"
  write_redis_acl
  if redis_ready; then
    redis_admin acl load >/dev/null
    return 0
  fi
  log "starting Redis on $REDIS_PORT"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$RUN/redis" --appendonly yes \
    --aclfile "$RUN/redis/users.acl" \
    --daemonize yes --pidfile "$RUN/redis/redis.pid" --logfile "$RUN/redis/log" --save ''
  for _ in $(seq 1 100); do redis_ready && return 0; sleep 0.1; done
  die "Redis did not start (see $RUN/redis/log)"
}

stop_redis() {
  if redis_ready; then log "stopping Redis"; redis_admin shutdown nosave >/dev/null 2>&1 || true; fi
}

# ---- Kafka: authenticated, encrypted, authorized ----------------------------
# One listener for clients and for the broker's own inter-broker traffic:
# CLIENT, SASL_SSL with SCRAM-SHA-512, on 127.0.0.1:$KAFKA_PORT. The KRaft
# controller listener on $KAFKA_CPORT is SSL with client certificates
# required (mutual TLS): only a holder of a certificate signed by the local
# CA (whose key is in $RUN/kafka/tls, 0700) gets in, which is the broker
# itself (principal User:CN=$KAFKA_CERT_CN, a super user like admin).
# StandardAuthorizer with allow.everyone.if.no.acl.found=false: every
# principal other than the two super users needs ACLs (the project's cscli
# makes them through librdkafka's CreateAcls).
#
#   $RUN/secrets/ (0700, files 0600)   R.kafka (password of role R),
#       kafka-ca.pem (the CA clients trust), kcat.conf (admin, for kcat -F
#       or KCAT_CONFIG), kafka-admin.properties (admin, for Kafka's Java
#       tools' --command-config)
#   $RUN/kafka/ (0700)                 server.properties (0600: it holds the
#       admin password), tls/ (CA key and cert, broker key + chain),
#       data/, logs, .secure-v1 (written after a format with the SCRAM users)
#
# The SCRAM users are written into the metadata log when the storage is
# formatted; no password ever appears on a command line (java @argfile).
KAFKA_ROLES="${ROLES[*]}"
KAFKA_CERT_CN=cs-kafka-broker

# The admin's client configs (kcat.conf for kcat and
# librdkafka, kafka-admin.properties for Kafka's Java tools); creates only
# what is missing (another part of the stack may have made them), rewrites
# the two configs only when kcat.conf's password is not admin.kafka's.
ensure_kafka_secrets() {
  local s="$RUN/secrets"
  ensure_secrets   # the roles' passwords (start-kafka alone on a new folder too)
  local pw; pw=$(head -n 1 "$s/admin.kafka")
  if [ ! -f "$s/kcat.conf" ] || ! grep -qxF "sasl.password=$pw" "$s/kcat.conf"; then
    [ -f "$s/kcat.conf" ] && log "kcat.conf: admin password differs from admin.kafka, rewritten"
    rm -f "$s/kcat.conf" "$s/kafka-admin.properties"
    (umask 077; cat >"$s/kcat.conf" <<K
security.protocol=SASL_SSL
sasl.mechanisms=SCRAM-SHA-512
sasl.username=admin
sasl.password=$pw
ssl.ca.location=$s/kafka-ca.pem
ssl.endpoint.identification.algorithm=https
K
)
  fi
  # The same for Kafka's own Java tools (AclCommand, ConfigCommand, ...:
  # --command-config).
  if [ ! -f "$s/kafka-admin.properties" ]; then
    (umask 077; cat >"$s/kafka-admin.properties" <<K
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$pw";
ssl.truststore.type=PEM
ssl.truststore.location=$s/kafka-ca.pem
K
)
  fi
  chmod 600 "$s"/*.kafka "$s/kcat.conf" "$s/kafka-admin.properties"
}

# The local CA (10 years) and the broker's certificate (2 years, renewed when
# it is missing, expires within 30 days, or is not the CA's), the CA
# certificate copied to $RUN/secrets/kafka-ca.pem for the clients. The
# broker's keystore is one PEM file: unencrypted PKCS#8 key, then the
# certificate chain (broker, CA).
ensure_kafka_tls() {
  local t="$RUN/kafka/tls"
  mkdir -p "$t"
  chmod 700 "$t"
  (
    umask 077
    cd "$t"
    if [ ! -s ca.key ] || [ ! -s ca.pem ]; then
      log "Kafka TLS: new local CA"
      rm -f ca.key ca.pem broker.key broker.crt broker.pem
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key 2>/dev/null
      openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=cs-local-kafka-ca" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out ca.pem 2>/dev/null
    fi
    if [ ! -s broker.pem ] || ! openssl verify -CAfile ca.pem broker.crt >/dev/null 2>&1 ||
      ! openssl x509 -in broker.crt -noout -checkend $((30 * 86400)) >/dev/null 2>&1; then
      log "Kafka TLS: new broker certificate (CN=$KAFKA_CERT_CN, 127.0.0.1, localhost)"
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out broker.key 2>/dev/null
      openssl req -new -key broker.key -subj "/CN=$KAFKA_CERT_CN" -out broker.csr 2>/dev/null
      printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >broker.ext
      openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 730 \
        -extfile broker.ext -out broker.crt 2>/dev/null
      cat broker.key broker.crt ca.pem >broker.pem
      rm -f broker.csr broker.ext
    fi
    chmod 600 ./*
  ) || die "Kafka TLS: could not make the certificates in $t"
  cmp -s "$t/ca.pem" "$RUN/secrets/kafka-ca.pem" || (umask 077; cp "$t/ca.pem" "$RUN/secrets/kafka-ca.pem")
  chmod 600 "$RUN/secrets/kafka-ca.pem"
}

# What the SCRAM users in the metadata log were made from: a digest of every
# role's name and password (kept in the marker, 0600 in a 0700 folder).
kafka_secrets_digest() {
  local r
  for r in $KAFKA_ROLES; do printf '%s:%s\n' "$r" "$(head -n 1 "$RUN/secrets/$r.kafka")"; done | sha256sum | cut -c1-64
}

# server.properties, rewritten (0600) on every start.
write_kafka_props() {
  local props=$1 t="$RUN/kafka/tls" pw
  pw=$(head -n 1 "$RUN/secrets/admin.kafka")
  rm -f "$props"
  cat >"$props" <<P
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CPORT
listeners=CLIENT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CPORT
advertised.listeners=CLIENT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:SSL,CLIENT:SASL_SSL
inter.broker.listener.name=CLIENT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$pw";
ssl.keystore.type=PEM
ssl.keystore.location=$t/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$t/ca.pem
ssl.endpoint.identification.algorithm=https
listener.name.controller.ssl.client.auth=required
listener.name.client.ssl.client.auth=none
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:CN=$KAFKA_CERT_CN
allow.everyone.if.no.acl.found=false
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
  chmod 600 "$props"
}

# Formats the storage with every role as a SCRAM-SHA-512 user. The
# arguments go through a java @argfile (0600, deleted right after), so the
# passwords are on no command line; -XX:-UsePerfData keeps the expanded
# command out of /tmp/hsperfdata_*.
format_kafka() {
  local props=$1 args="$RUN/kafka/format.args" r
  log "formatting Kafka storage (SCRAM-SHA-512 users: $KAFKA_ROLES)"
  rm -f "$args"
  {
    printf -- '-cp\n"%s/*"\n' "$KAFKA_LIBS"
    printf -- '-XX:-UsePerfData\n"-Dlog4j.configuration=file:%s/kafka/log4j.properties"\n' "$RUN"
    printf -- 'kafka.tools.StorageTool\nformat\n-t\n%s\n-c\n"%s"\n' "cs-local-$(echo "$RUN" | md5sum | cut -c1-12)" "$props"
    for r in $KAFKA_ROLES; do
      printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$r" "$(head -n 1 "$RUN/secrets/$r.kafka")"
    done
  } >"$args"
  local rc=0
  java "@$args" >"$RUN/kafka/format.log" 2>&1 || rc=$?
  rm -f "$args"
  [ $rc -eq 0 ] || { cat "$RUN/kafka/format.log" >&2; die "Kafka storage format failed"; }
  kafka_secrets_digest >"$RUN/kafka/.secure-v1"
}

# A body in ( ): umask 077 for everything it writes and for the broker.
start_kafka() (
  umask 077
  mkdir -p "$RUN/kafka"
  chmod 700 "$RUN/kafka"
  ensure_kafka_secrets
  ensure_kafka_tls
  local props="$RUN/kafka/server.properties" mark="$RUN/kafka/.secure-v1" pidf="$RUN/kafka/kafka.pid"
  local want have running=0
  want=$(kafka_secrets_digest)
  have=$(cat "$mark" 2>/dev/null || true)
  if [ "$have" = "$want" ] && kafka_ready; then return 0; fi
  [ -f "$KAFKA_LIBS/.complete" ] || die "Kafka jars missing in $KAFKA_LIBS (run deploy/local/install-deps.sh)"
  if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
    if [ -z "$have" ]; then
      log "an unauthenticated Kafka (made by an older stack.sh) is running: stopping it"
      stop_kafka
    elif [ "$have" != "$want" ]; then
      log "Kafka passwords in $RUN/secrets changed since the running Kafka's storage was formatted: stopping it"
      stop_kafka
    elif [ "$RUN/kafka/tls/broker.pem" -nt "$pidf" ]; then
      log "the broker's certificate was renewed after Kafka started: restarting it"
      stop_kafka
    else
      running=1 # still starting: wait for it below
    fi
  fi
  if [ -d "$RUN/kafka/data" ] && [ "$running" = 0 ]; then
    if [ -z "$have" ]; then
      log "Kafka data in $RUN/kafka/data was formatted without SCRAM users (older stack.sh):" \
        "deleting it and re-formatting (Kafka data in the local stack is disposable)"
      rm -rf "$RUN/kafka/data"
    elif [ "$have" != "$want" ]; then
      log "Kafka passwords in $RUN/secrets changed since the storage was formatted:" \
        "deleting $RUN/kafka/data and re-formatting (Kafka data in the local stack is disposable)"
      rm -rf "$RUN/kafka/data"
    fi
  fi
  write_kafka_props "$props"
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
    rm -f "$mark"
    format_kafka "$props"
  fi
  # Files an older stack.sh made with the default umask.
  chmod -R go-rwx "$RUN/kafka"
  if [ "$running" = 0 ]; then
    log "starting Kafka $KAFKA_VERSION on $KAFKA_PORT (SASL_SSL, SCRAM-SHA-512; controller $KAFKA_CPORT mutual TLS)"
    nohup java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$KAFKA_LIBS/*" \
      -Dlog4j.configuration="file:$RUN/kafka/log4j.properties" kafka.Kafka "$props" \
      >"$RUN/kafka/stdout.log" 2>&1 &
    echo $! >"$pidf"
  fi
  for _ in $(seq 1 240); do
    kafka_ready && { log "Kafka ready"; return 0; }
    kill -0 "$(cat "$pidf")" 2>/dev/null || { tail -n 30 "$RUN/kafka/stdout.log" "$RUN/kafka/server.log" >&2 || true; die "Kafka exited"; }
    sleep 0.5
  done
  die "Kafka not ready after 120 s (see $RUN/kafka/server.log)"
)

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
# ---- end of Kafka ------------------------------------------------------------

create_topics() {
  local cli="$BUILD/cscli"
  [ -x "$cli" ] || die "topics: $cli not built (cmake --build first)"
  eval "$(print_env)"
  CS_ROLE=admin "$cli" topics create >/dev/null
}

up() {
  bash "$here/install-deps.sh"
  reset_old_run
  mkdir -p "$RUN"
  ensure_secrets
  start_pg
  start_redis
  start_kafka
  PGPASSFILE=$SECRETS/pgpass bash "$here/migrate.sh" "$(pg_dsn)"
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
  migrate) PGPASSFILE=$SECRETS/pgpass bash "$here/migrate.sh" "$(pg_dsn)" ;;
  stop-pg) stop_pg ;;
  start-pg) start_pg ;;
  stop-kafka) stop_kafka ;;
  start-kafka) start_kafka ;;
  stop-redis) stop_redis ;;
  start-redis) start_redis ;;
  psql-super) shift; psql_super -d cs "$@" ;;
  redis-cli) shift; redis_admin "$@" ;;
  *) echo "usage: $0 up|down|destroy|status|env|topics|migrate|stop-pg|start-pg|stop-kafka|start-kafka|stop-redis|start-redis|psql-super|redis-cli" >&2; exit 2 ;;
esac
