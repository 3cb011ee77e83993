-- roles.sql -- the PostgreSQL roles of the engine (docs/security.md "Roles").
-- Run by a superuser (deploy/local/stack.sh runs it as cs_super; on a
-- managed PostgreSQL, the DBA), before the database is created and before
-- the migrations. Idempotent: a role that exists gets its attributes set
-- again. Passwords are not here: stack.sh sets them from its secrets
-- folder (ALTER ROLE ... PASSWORD, on psql's standard input), a DBA from
-- the Kubernetes Secrets.
--
--   cs_admin     owns the database and every table; runs the migrations.
--                Not a superuser. The test harness and benchmarks log in
--                as it.
--   cs_operator  cscli: reads and changes rows of every table, no DDL.
--   (both: pg_monitor, to see the other roles' sessions and waits)
--   cs_<worker>  one per worker; what each may read and write is granted
--                table by table in migrations/0022_role_grants.sql.
--
-- A worker role has a connection limit, so that copies started by the
-- hundred take the slots of their own role only: cs_admin and cs_operator
-- can still log in, and superuser_reserved_connections stay free for the
-- superuser.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('cs_admin', -1), ('cs_operator', 20),
            ('cs_order_verifier', 64), ('cs_exception_handler', 64), ('cs_refund_notifier', 64),
            ('cs_review_scheduler', 64), ('cs_notifier', 64), ('cs_timer_dispatcher', 64),
            ('cs_gateway', 8)) AS t(name, conns)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r.name) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', r.name);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS '
                       'CONNECTION LIMIT %s', r.name, r.conns);
    END LOOP;
END
$$;

-- The owner and the operator watch the others' sessions (pg_stat_activity's
-- states, waits and queries are hidden from other roles without it): a
-- read-only monitoring role.
GRANT pg_monitor TO cs_admin, cs_operator;
-- The owner may also checkpoint (the benchmarks start each run from one).
GRANT pg_checkpoint TO cs_admin;
