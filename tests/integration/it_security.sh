#!/usr/bin/env bash
# it_security.sh -- the stack is authenticated and private by default
# (docs/security.md): against the suite's real stack, as an outsider and as
# each role would be.
#
#   PostgreSQL  no login without the password, a wrong one refused, only
#               scram-sha-256 in pg_hba (no trust, no replication), no role
#               of ours a superuser, reserved slots for the superuser, the
#               socket for postgres alone; each worker's role writes only its
#               own tables, reads only what it is granted, runs no DDL
#   Redis       no command without AUTH, a wrong password refused, a
#               worker's user refused the dangerous commands
#   Kafka       PLAINTEXT and a wrong SCRAM password refused; a role sees,
#               writes and joins only what its ACLs allow
#   files       the run folder's secrets and data folders are private
#
# Every check prints "ok" or "FAIL"; the test fails if one did.
set -uo pipefail
: "${CS_RUN_DIR:?run with the environment of the stack (deploy/local/stack.sh env)}"
: "${CS_SECRETS_DIR:?the stack has no secrets folder (deploy/local/stack.sh up)}"
pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$CS_PG_DSN")
redis_port=${CS_REDIS_URL##*:}
broker=$CS_KAFKA_BROKERS
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# expect <what> <pattern> <command...>: the command fails and says pattern
refused() {
  local what=$1 pat=$2 out; shift 2
  if out=$("$@" 2>&1); then fail "$what: was allowed"; echo "$out" | head -3 | sed 's/^/     /'
  elif grep -qiE "$pat" <<<"$out"; then ok "$what"
  else fail "$what: refused, but not by '$pat'"; echo "$out" | head -3 | sed 's/^/     /'; fi
}
# says <what> <pattern> <command...>: what the command prints matches
# (redis-cli and kcat print some refusals and exit 0)
says() {
  local what=$1 pat=$2 out; shift 2
  out=$("$@" 2>&1)
  if grep -qiE "$pat" <<<"$out"; then ok "$what"; else fail "$what: said"; echo "$out" | head -3 | sed 's/^/     /'; fi
}
allowed() {
  local what=$1 out; shift
  if out=$("$@" 2>&1); then ok "$what"; else fail "$what"; echo "$out" | head -3 | sed 's/^/     /'; fi
}
mode_is() {
  local m; m=$(stat -c %a "$2" 2>/dev/null)
  [ "$m" = "$1" ] && ok "mode $1: $2" || fail "mode of $2 is ${m:-missing}, want $1"
}

# ---- PostgreSQL -------------------------------------------------------------
# psql as a role of ours, its password on standard input's side (PGPASSFILE
# of its own), never on a command line
as_pg() {
  local role=$1; shift
  local user="cs_${role//-/_}"
  printf '127.0.0.1:%s:*:%s:%s\n' "$pg_port" "$user" "$(cat "$CS_SECRETS_DIR/$role.pg")" >"$tmp/pgpass"
  chmod 600 "$tmp/pgpass"
  PGPASSFILE=$tmp/pgpass psql -X -q -w -v ON_ERROR_STOP=1 -tA "host=127.0.0.1 port=$pg_port dbname=cs user=$user" "$@"
}
nopass="host=127.0.0.1 port=$pg_port dbname=cs user=cs_admin"
refused "PostgreSQL: no password, no login" "no password supplied|password authentication failed" \
  env PGPASSFILE=$tmp/none psql -X -w "$nopass" -c 'SELECT 1'
printf '127.0.0.1:%s:*:cs_admin:wrong\n' "$pg_port" >"$tmp/bad"; chmod 600 "$tmp/bad"
refused "PostgreSQL: a wrong password is refused" "password authentication failed" \
  env PGPASSFILE=$tmp/bad psql -X -w "$nopass" -c 'SELECT 1'
printf '127.0.0.1:%s:*:cs_admin:%s\n' "$pg_port" "$(cat "$CS_SECRETS_DIR/order-verifier.pg")" >"$tmp/other"
chmod 600 "$tmp/other"
refused "PostgreSQL: another role's password does not log in as admin" "password authentication failed" \
  env PGPASSFILE=$tmp/other psql -X -w "$nopass" -c 'SELECT 1'

hba=$(bash "$(dirname "$0")/../../deploy/local/stack.sh" psql-super -tA -c \
  "SELECT count(*) FILTER (WHERE auth_method <> 'scram-sha-256' OR 'replication' = ANY(database)), count(*) FROM pg_hba_file_rules")
[ "${hba%%|*}" = 0 ] && [ "${hba##*|}" -gt 0 ] && ok "pg_hba: scram-sha-256 only, no replication entry ($hba)" ||
  fail "pg_hba has other methods or replication entries ($hba)"
supers=$(psql -X -tA "$CS_PG_DSN" -c "SELECT string_agg(rolname, ',') FROM pg_roles WHERE rolname LIKE 'cs\_%' AND rolsuper AND rolname <> 'cs_super'")
[ -z "$supers" ] && ok "no role of the engine is a superuser" || fail "superusers: $supers"
reserved=$(psql -X -tA "$CS_PG_DSN" -c "SHOW superuser_reserved_connections")
[ "${reserved:-0}" -ge 1 ] && ok "superuser_reserved_connections = $reserved" || fail "no reserved connections"
sock=$(psql -X -tA "$CS_PG_DSN" -c "SHOW unix_socket_permissions")
[ "$sock" = 0700 ] && ok "the socket is for postgres alone ($sock)" || fail "unix_socket_permissions = $sock"
conns=$(psql -X -tA "$CS_PG_DSN" -c "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'cs_order_verifier'")
[ "${conns:--1}" -gt 0 ] && ok "a worker role has a connection limit ($conns)" || fail "cs_order_verifier has no connection limit"

# the grants (migration 0022): reads and writes of its own; nothing else
allowed "cs_order_verifier reads and writes orders" as_pg order-verifier -c 'SELECT count(*) FROM orders' -c 'UPDATE orders SET state = state WHERE false'
refused "cs_order_verifier cannot write the refund-notifier's cases" "permission denied" as_pg order-verifier -c 'DELETE FROM cases WHERE false'
refused "cs_order_verifier cannot read the notifier's messages" "permission denied" as_pg order-verifier -c 'SELECT 1 FROM messages LIMIT 1'
refused "cs_order_verifier cannot run DDL" "permission denied" as_pg order-verifier -c 'CREATE TABLE it_security_probe (a int)'
refused "cs_order_verifier cannot drop a table" "must be owner" as_pg order-verifier -c 'DROP TABLE orders'
allowed "cs_refund_notifier writes cases" as_pg refund-notifier -c 'UPDATE cases SET kind = kind WHERE false'
refused "cs_refund_notifier cannot write the verifier's orders" "permission denied" as_pg refund-notifier -c 'UPDATE orders SET state = state WHERE false'
refused "cs_notifier cannot read orders" "permission denied" as_pg notifier -c 'SELECT 1 FROM orders LIMIT 1'
refused "cs_timer_dispatcher cannot set the clock record" "permission denied" as_pg timer-dispatcher -c 'UPDATE clock_record SET now_ms = 1 WHERE false'
refused "cs_gateway reads no table" "permission denied" as_pg gateway -c 'SELECT 1 FROM orders LIMIT 1'
allowed "cs_operator reads and changes rows" as_pg operator -c 'SELECT count(*) FROM orders' -c 'UPDATE timers SET status = status WHERE false'
refused "cs_operator cannot run DDL" "permission denied" as_pg operator -c 'CREATE TABLE it_security_probe (a int)'
refused "cs_operator cannot truncate" "permission denied" as_pg operator -c 'TRUNCATE outbox'

# ---- Redis ------------------------------------------------------------------
redis_as() { # <user> <password file> redis-cli args...
  local user=$1 file=$2; shift 2
  REDISCLI_AUTH=$(cat "$file") redis-cli --no-auth-warning -p "$redis_port" --user "$user" "$@"
}
says "Redis: no command without AUTH" "NOAUTH" env -u REDISCLI_AUTH redis-cli -p "$redis_port" get cs:clock:now_ms
echo wrong >"$tmp/redis-bad"
says "Redis: a wrong password is refused" "WRONGPASS|invalid username-password" redis_as order-verifier "$tmp/redis-bad" ping
says "Redis: a worker's user works" "^PONG$" redis_as order-verifier "$CS_SECRETS_DIR/order-verifier.redis" ping
says "Redis: a worker may not FLUSHALL" "NOPERM" redis_as order-verifier "$CS_SECRETS_DIR/order-verifier.redis" flushall
says "Redis: a worker may not CONFIG" "NOPERM" redis_as notifier "$CS_SECRETS_DIR/notifier.redis" config get dir
says "Redis: the operator may not KEYS" "NOPERM" redis_as operator "$CS_SECRETS_DIR/operator.redis" keys '*'
says "Redis: the gateway may not touch the timers" "NOPERM" redis_as gateway "$CS_SECRETS_DIR/gateway.redis" zcard 'cs:timers:{0}:due'
says "Redis: a worker may not touch the gateway's ids" "NOPERM" redis_as refund-notifier "$CS_SECRETS_DIR/refund-notifier.redis" get cs:gw:id:x
says "Redis: a worker reads the clock" "^(-?[0-9]*|)$" redis_as review-scheduler "$CS_SECRETS_DIR/review-scheduler.redis" get cs:clock:now_ms

# ---- Kafka ------------------------------------------------------------------
kconf() { # <role>: a kcat config file for the role
  local f=$tmp/$1.kcat
  { echo "security.protocol=SASL_SSL"; echo "sasl.mechanisms=SCRAM-SHA-512"
    echo "sasl.username=$1"; echo "sasl.password=$(cat "$CS_SECRETS_DIR/$1.kafka")"
    echo "ssl.ca.location=$CS_SECRETS_DIR/kafka-ca.pem"; } >"$f"
  echo "$f"
}
kc() { local role=$1; shift; timeout 20 kcat -F "$(kconf "$role")" -b "$broker" "$@"; }
refused "Kafka: a PLAINTEXT client is refused" "fail|error|timed out|disconnect" \
  env -u KCAT_CONFIG timeout 15 kcat -b "$broker" -X security.protocol=plaintext -L -m 5
sed 's/^sasl.password=.*/sasl.password=wrong/' "$(kconf gateway)" >"$tmp/bad.kcat"
refused "Kafka: a wrong SCRAM password is refused" "authentication|SASL|fail" \
  env -u KCAT_CONFIG timeout 15 kcat -F "$tmp/bad.kcat" -b "$broker" -L -m 5
refused "Kafka: an unknown CA is refused" "certificate|SSL|fail" \
  env -u KCAT_CONFIG timeout 15 kcat -F "$(kconf gateway)" -X ssl.ca.location=/etc/ssl/certs/ca-certificates.crt -b "$broker" -L -m 5
kprod() { echo probe | kc "$1" -P -t "$2" -k it-security:probe; }
# kcat reports some refusals and still exits 0: these look at what it says
says "Kafka: the gateway sees the topic it writes" "partition 0" kc gateway -L -t shop.orders.v1 -m 5
says "Kafka: the gateway may not write a worker's topic" "authoriz" kprod gateway cs.verdicts.v1
says "Kafka: the notifier may not write the verdicts" "authoriz" kprod notifier cs.verdicts.v1
says "Kafka: the gateway may not read the orders" "authoriz" kc gateway -C -t shop.orders.v1 -o end -e -m 5
says "Kafka: the verifier may not join another role's group" "authoriz" \
  kc order-verifier -G exception-handler-it-security shop.orders.v1 -o end -e

# ---- files --------------------------------------------------------------------
mode_is 700 "$CS_SECRETS_DIR"
for f in "$CS_SECRETS_DIR"/*; do
  [ "$(basename "$f")" = kafka-ca.pem ] && continue
  m=$(stat -c %a "$f"); [ "$m" = 600 ] || fail "secret $f has mode $m"
done
ok "every secret file is 0600"
for d in pg pg/data redis kafka; do mode_is 700 "$CS_RUN_DIR/$d"; done
open=$(find "$CS_RUN_DIR/redis" "$CS_RUN_DIR/kafka" -perm /077 -print 2>/dev/null | head -5)
[ -z "$open" ] && ok "no Redis or Kafka file is open to other users" || fail "open to others: $open"
[ -d "$CS_RUN_DIR/workers" ] && mode_is 700 "$CS_RUN_DIR/workers"

echo
if [ "$fails" -gt 0 ]; then echo "it_security: $fails check(s) failed"; exit 1; fi
echo "it_security: every check passed"
