#!/usr/bin/env bash
# Applies deploy/sql/migrations/NNNN_*.sql in order, each once: a migration
# runs in one transaction together with its row in schema_migrations, so a
# re-run (or a crash half-way) never applies one twice.
# Usage: migrate.sh <libpq dsn>
set -euo pipefail
dsn=${1:-${CS_PG_DSN:?CS_PG_DSN or an argument is required}}
dir=$(cd "$(dirname "$0")/../sql/migrations" && pwd)
psql -X -q -v ON_ERROR_STOP=1 "$dsn" -c \
  "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
for f in "$dir"/[0-9][0-9][0-9][0-9]_*.sql; do
  name=$(basename "$f" .sql)
  version=$((10#${name%%_*}))
  done_already=$(psql -X -qtA "$dsn" -c "SELECT 1 FROM schema_migrations WHERE version = $version")
  if [ "$done_already" = 1 ]; then continue; fi
  echo "migrate: applying $name" >&2
  { echo "BEGIN;"; cat "$f"; echo "INSERT INTO schema_migrations (version, name) VALUES ($version, '$name');"; echo "COMMIT;"; } |
    psql -X -q -v ON_ERROR_STOP=1 "$dsn" >/dev/null
done
