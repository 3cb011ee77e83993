-- 0022_role_grants: one PostgreSQL role per process, each granted only what
-- its code reads and writes (docs/security.md). The roles are created
-- beforehand (LOGIN NOSUPERUSER) by whoever provisions the database; this
-- migration only grants, so it fails loudly if one is missing.
--
-- The scheme:
--   cs_admin              owns the database and every table, sequence and
--                         function, and runs the migrations: needs no grant.
--   cs_operator           cscli (tools/cscli) and cs-sample (tools/cs-sample):
--                         the human operator's tool. SELECT, INSERT, UPDATE,
--                         DELETE on every table (no TRUNCATE, REFERENCES,
--                         TRIGGER, no DDL), USAGE, SELECT, UPDATE on every
--                         sequence, now and (default privileges) for every
--                         table and sequence cs_admin creates later.
--   cs_<worker>           one per worker binary (workers/<worker>). A worker
--                         writes only its own tables and the shared ones it
--                         must: the runtime's outbox, processed_events
--                         (dedupe) and dead_letters (shared/src/runtime.c),
--                         timers (shared/src/timers.c), and the effect sinks
--                         tasks, notification_requests, finance_requests,
--                         sla_breaches (shared/src/apply.c) when its rules
--                         produce them. It reads only what it is granted
--                         here. Each grant below names the code that needs
--                         it (file:function).
--   cs_timer_dispatcher   workers/timer-dispatcher: not a runtime worker (no
--                         outbox, no dedupe); reads timers only.
--   cs_gateway            gateway/: never connects to PostgreSQL (it speaks
--                         HTTP, Redis and Kafka only): CONNECT, nothing else.
--
-- Privileges that follow from PostgreSQL's rules rather than from a plain
-- statement of the code:
--   * SELECT ... FOR UPDATE / FOR SHARE needs UPDATE (on at least one column)
--     as well as SELECT;
--   * UPDATE/DELETE ... WHERE and INSERT ... RETURNING, and ON CONFLICT DO
--     UPDATE that reads the existing row (t.col), need SELECT;
--   * INSERT ... ON CONFLICT DO UPDATE needs INSERT and UPDATE; ON CONFLICT
--     DO NOTHING needs INSERT only; COPY ... FROM STDIN needs INSERT only;
--   * a bigserial column's default (nextval) needs USAGE on its sequence
--     (outbox.id: outbox_id_seq is the only sequence in the schema);
--   * advisory locks (pg_advisory_xact_lock, shared/src/routes.c:
--     cs_batch_lock_hashes) need no grant.
-- No process uses TRUNCATE, LOCK TABLE or explicit nextval/setval/currval.
--
-- The business clock (shared/src/clock.c, CS_CLOCK=redis): workers and the
-- dispatcher only read clock_record, when Redis lost the clock
-- (cs_clock_read -> restore -> record_lock: SELECT now_ms FROM clock_record
-- WHERE id = 1 FOR SHARE). That row lock needs an UPDATE privilege, so they
-- get UPDATE on the column updated_at alone: enough for the lock, and they
-- cannot change now_ms or op. Only cscli clock set/advance/reset
-- (record_op -> record_commit) writes the record (cs_operator).
--
-- A migration that creates a table (or sequence) after this one must grant
-- the workers that use it what they need; cs_operator gets it by the default
-- privileges below (they cover objects created by cs_admin only: run
-- migrations as cs_admin).
--
-- Database-level: each role is granted CONNECT explicitly. PUBLIC keeps
-- PostgreSQL's default CONNECT and TEMPORARY on the database for now, so
-- that processes still connecting with the old shared role keep working;
-- once every DSN names its own role, REVOKE CONNECT, TEMPORARY ON DATABASE
-- ... FROM PUBLIC (cs_operator then needs TEMPORARY for scripts/summary.sql,
-- which creates TEMP VIEWs).

-- ---- PUBLIC --------------------------------------------------------------
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
-- cs_pii_mask_phone() (0021) is called by cscli pii purge only
-- (tools/cscli/cmd_pii.c); functions are executable by PUBLIC by default.
REVOKE EXECUTE ON FUNCTION cs_pii_mask_phone(text) FROM PUBLIC;

-- ---- every role: the database and the schema ----------------------------
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO cs_operator, cs_order_verifier, cs_exception_handler, '
                   'cs_refund_notifier, cs_review_scheduler, cs_notifier, cs_timer_dispatcher, cs_gateway',
                   current_database());
END $$;
GRANT USAGE ON SCHEMA public TO cs_operator;
GRANT USAGE ON SCHEMA public TO cs_order_verifier;
GRANT USAGE ON SCHEMA public TO cs_exception_handler;
GRANT USAGE ON SCHEMA public TO cs_refund_notifier;
GRANT USAGE ON SCHEMA public TO cs_review_scheduler;
GRANT USAGE ON SCHEMA public TO cs_notifier;
GRANT USAGE ON SCHEMA public TO cs_timer_dispatcher;
GRANT USAGE ON SCHEMA public TO cs_gateway;   -- harmless: it has no object to use

-- ==========================================================================
-- cs_operator: cscli and cs-sample
-- ==========================================================================
-- Every table and view (stock_reservations is a read-only view since 0007),
-- schema_migrations included: cscli reads and repairs any of them
-- (tools/cscli/cmd_*.c); clock_record: cmd_clock.c -> clock.c record_op
-- (SELECT ... FOR UPDATE, UPDATE). cs-sample does not use PostgreSQL.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cs_operator;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO cs_operator;
-- tools/cscli/cmd_pii.c (pii purge): UPDATE ... SET phone = cs_pii_mask_phone(phone)
GRANT EXECUTE ON FUNCTION cs_pii_mask_phone(text) TO cs_operator;
ALTER DEFAULT PRIVILEGES FOR ROLE cs_admin IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cs_operator;
ALTER DEFAULT PRIVILEGES FOR ROLE cs_admin IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO cs_operator;

-- ==========================================================================
-- The runtime, the same for the five consuming workers (cs_worker_main):
-- cs_order_verifier, cs_exception_handler, cs_refund_notifier,
-- cs_review_scheduler, cs_notifier
-- ==========================================================================
-- processed_events: runtime.c:dedupeInsert (INSERT ... SELECT $1, unnest),
--   runtime.c:batchTxn (SELECT event_id ... WHERE worker = $1 after a
--   refused insert)
GRANT SELECT, INSERT ON processed_events
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;
-- outbox: runtime.c:outboxWrite (COPY outbox ... FROM STDIN, binary),
--   runtime.c:outboxSweep (SELECT batch_id, nrecords, records ... WHERE worker = $1),
--   runtime.c:outboxForget (DELETE FROM outbox WHERE batch_id = ANY($1))
GRANT SELECT, INSERT, DELETE ON outbox
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;
-- outbox_id_seq (outbox.id bigserial): runtime.c:outboxWrite's COPY takes id's default nextval()
GRANT USAGE ON SEQUENCE outbox_id_seq
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;
-- dead_letters: runtime.c:poisonRecord (INSERT ... ON CONFLICT DO NOTHING),
--   runtime.c:flightRecord (INSERT ... ON CONFLICT (worker, event_id) DO UPDATE
--   SET ... coalesce(dead_letters.key, ...); UPDATE dead_letters SET
--   dlq_value_bytes ... WHERE worker = $1 AND event_id = $2)
GRANT SELECT, INSERT, UPDATE ON dead_letters
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;
-- timers: every consuming worker schedules and takes its own timers
--   timers.c:schedulesApply (WITH old AS (SELECT ... FROM timers ...), INSERT ...
--   ON CONFLICT (owner, timer_id) DO UPDATE SET generation = timers.generation + 1
--   ... RETURNING), timers.c:cancelWhere (UPDATE timers SET status = 'cancelled'
--   ... RETURNING), timers.c:cs_timer_take_fired / cs_timer_take_fired_many
--   (UPDATE timers SET status = 'fired' ...)
--   callers: verifier.c (cs_timer_schedule, cs_timer_take_fired),
--   notifier.c:scheduleRelease / handleBatch, and via routes.c:cs_routes_run
--   and apply.c:cs_fx_apply for the exception-handler, refund-notifier and
--   review-scheduler
GRANT SELECT, INSERT, UPDATE ON timers
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;
-- clock_record: runtime.c:processPartitionBatch -> clock.c:cs_clock_now ->
--   cs_clock_read -> restore -> record_lock (SELECT now_ms ... FOR SHARE; the
--   row lock needs UPDATE on some column: updated_at, see the header)
GRANT SELECT, UPDATE (updated_at) ON clock_record
    TO cs_order_verifier, cs_exception_handler, cs_refund_notifier, cs_review_scheduler, cs_notifier;

-- ==========================================================================
-- cs_order_verifier: workers/order-verifier (verifier.c)
-- ==========================================================================
-- orders (its own): verifier.c:loadOrders (SELECT ... FOR UPDATE OF o),
--   verifier.c:loadContext (SELECT ... by buyer, OV-9), verifier.c:sweepPage
--   (SELECT order_id, paid_ms, OV-13), verifier.c:writeAll (COPY orders FROM
--   STDIN; INSERT ... ON CONFLICT (shop_id, order_id) DO UPDATE SET reasons =
--   CASE ... orders.reasons ...)
GRANT SELECT, INSERT, UPDATE ON orders TO cs_order_verifier;
-- verdicts (its own): verifier.c:writeAll (COPY verdicts FROM STDIN) -- never read back
GRANT INSERT ON verdicts TO cs_order_verifier;
-- stock (its own): verifier.c:loadContext (SELECT [FOR UPDATE OF s]),
--   verifier.c:stockCheck (SELECT ... FOR UPDATE OF s), verifier.c:writeAll
--   (INSERT ... ON CONFLICT (shop_id, sku) DO UPDATE)
GRANT SELECT, INSERT, UPDATE ON stock TO cs_order_verifier;
-- stock_waits (its own): verifier.c:loadOrders, verifier.c:loadWaiters (SELECT),
--   verifier.c:writeAll (DELETE FROM stock_waits w USING ...; COPY stock_waits FROM STDIN)
GRANT SELECT, INSERT, DELETE ON stock_waits TO cs_order_verifier;
-- quality_cases (its own): verifier.c:loadContext (SELECT, OV-11),
--   verifier.c:writeAll (INSERT ... ON CONFLICT DO NOTHING)
GRANT SELECT, INSERT ON quality_cases TO cs_order_verifier;
-- tasks, notification_requests (shared sinks): verifier.c (cs_fx_apply_task,
--   cs_fx_apply_note) -> apply.c:rowsFlush (COPY tasks / COPY
--   notification_requests FROM STDIN); it never closes tasks
GRANT INSERT ON tasks, notification_requests TO cs_order_verifier;

-- ==========================================================================
-- cs_exception_handler: workers/exception-handler (exceptions.c)
-- ==========================================================================
-- exceptions (its own): exceptions.c:loadException (SELECT),
--   exceptions.c:onVerdict (INSERT; UPDATE ... SET reasons),
--   exceptions.c:saveException (UPDATE exceptions SET closed_ms ...)
GRANT SELECT, INSERT, UPDATE ON exceptions TO cs_exception_handler;
-- complaints (its own): exceptions.c:loadComplaint, exceptions.c:onComplaint
--   (SELECT count(*) ...; INSERT ... ON CONFLICT DO NOTHING; UPDATE ... SET
--   met_ms), exceptions.c:onComplaintTimer (UPDATE ... SET breached_ms)
GRANT SELECT, INSERT, UPDATE ON complaints TO cs_exception_handler;
-- buyers (its own): exceptions.c:onComplaint (INSERT ... ON CONFLICT (shop_id,
--   buyer_id) DO UPDATE SET vip_since_ms = COALESCE(buyers.vip_since_ms, ...))
GRANT SELECT, INSERT, UPDATE ON buyers TO cs_exception_handler;
-- cancellations (its own; the refund-notifier reads it): exceptions.c:onOrder
--   (INSERT ... ON CONFLICT DO NOTHING) -- never read back here
GRANT INSERT ON cancellations TO cs_exception_handler;
-- compensations (its own): exceptions.c:onAftersales (SELECT 1 ...;
--   INSERT ... ON CONFLICT DO NOTHING)
GRANT SELECT, INSERT ON compensations TO cs_exception_handler;
-- finance_requests (shared sink, also written by the refund-notifier):
--   exceptions.c:onOrder (SELECT coalesce(sum(amount_fen), 0) ... rule = 'RF-7'),
--   exceptions.c:apply -> apply.c:cs_fx_apply -> emitFinance (INSERT ... ON
--   CONFLICT DO NOTHING; EX-7, EX-8)
GRANT SELECT, INSERT ON finance_requests TO cs_exception_handler;
-- orders (the verifier's; read only): readmodel.c:cs_order_load (SELECT doc),
--   exceptions.c:onComplaint (SELECT COALESCE(sum(paid_fen), 0) FROM orders, EX-9 VIP)
GRANT SELECT ON orders TO cs_exception_handler;
-- tasks (shared sink): apply.c:rowsFlush (COPY tasks FROM STDIN),
--   apply.c:closeTasks (UPDATE tasks SET closed_ms = $3 WHERE shop_id = ...
--   AND rule ...: the WHERE reads the table, so SELECT; ex_call_done,
--   cs_fx_close_task(s) in rules/) -- the only worker that closes tasks
GRANT SELECT, INSERT, UPDATE (closed_ms) ON tasks TO cs_exception_handler;
-- notification_requests (shared sink): apply.c:rowsFlush (COPY ... FROM STDIN)
GRANT INSERT ON notification_requests TO cs_exception_handler;
-- sla_breaches (EX-6, EX-9): apply.c:cs_fx_apply -> emitBreach (INSERT ... ON CONFLICT DO NOTHING)
GRANT INSERT ON sla_breaches TO cs_exception_handler;

-- ==========================================================================
-- cs_refund_notifier: workers/refund-notifier (refunds.c)
-- ==========================================================================
-- cases (shared with the review-scheduler: kind 'aftersales' here):
--   refunds.c:rfPrepare -> casestore.c:cs_case_prefetch_batch / cs_case_prefetch
--   (SELECT ... FOR UPDATE), refunds.c:loadCase -> casestore.c:cs_case_load
--   (SELECT doc ... FOR UPDATE), refunds.c:saveCase -> casestore.c:cacheFlush
--   (INSERT ... ON CONFLICT (shop_id, kind, case_id) DO UPDATE)
GRANT SELECT, INSERT, UPDATE ON cases TO cs_refund_notifier;
-- decisions (its own): refunds.c:emitDecision (INSERT ... ON CONFLICT DO NOTHING)
GRANT INSERT ON decisions TO cs_refund_notifier;
-- disputes (its own): refunds.c:countDispute (WHERE NOT EXISTS (SELECT 1 FROM
--   disputes ...); INSERT INTO disputes ... RETURNING month_n)
GRANT SELECT, INSERT ON disputes TO cs_refund_notifier;
-- dispute_months (its own): refunds.c:countDispute (INSERT ... ON CONFLICT
--   (shop_id, month_start_ms) DO UPDATE SET n = dispute_months.n + 1 RETURNING n)
GRANT SELECT, INSERT, UPDATE ON dispute_months TO cs_refund_notifier;
-- orders (the verifier's; read only): refunds.c:rfPrepare ->
--   readmodel.c:cs_order_prefetch, refunds.c:onCase / onTimer -> cs_order_load
GRANT SELECT ON orders TO cs_refund_notifier;
-- cancellations (the exception-handler's; read only): refunds.c:cancelRefunded
--   (SELECT min(registered_ms) FROM cancellations ..., RF-7)
GRANT SELECT ON cancellations TO cs_refund_notifier;
-- tasks, notification_requests (shared sinks): refunds.c -> apply.c:cs_fx_apply
--   -> rowsFlush (COPY FROM STDIN); its rules close no task
GRANT INSERT ON tasks, notification_requests TO cs_refund_notifier;
-- finance_requests (shared sink, also written by the exception-handler):
--   apply.c:cs_fx_apply -> emitFinance (INSERT ... ON CONFLICT DO NOTHING; RF-3, RF-7)
GRANT INSERT ON finance_requests TO cs_refund_notifier;

-- ==========================================================================
-- cs_review_scheduler: workers/review-scheduler (reviews.c)
-- ==========================================================================
-- cases (shared with the refund-notifier: kind 'review' here):
--   reviews.c:rvPrepare -> casestore.c:cs_case_prefetch_batch (SELECT ... FOR
--   UPDATE), reviews.c loadCase -> cs_case_load (SELECT ... FOR UPDATE),
--   cs_case_find_open (SELECT case_id ... closed_ms IS NULL), saveCase ->
--   casestore.c:cacheFlush (INSERT ... ON CONFLICT DO UPDATE)
GRANT SELECT, INSERT, UPDATE ON cases TO cs_review_scheduler;
-- buyer_presence (its own): reviews.c:buyerFacts, reviews.c:prefetchBuyers
--   (SELECT online ...), reviews.c:recordPresence (INSERT ... ON CONFLICT DO
--   UPDATE ... WHERE (buyer_presence.event_ms, buyer_presence.event_id) < ...)
GRANT SELECT, INSERT, UPDATE ON buyer_presence TO cs_review_scheduler;
-- buyer_marks (its own): reviews.c:buyerFacts, reviews.c:prefetchBuyers
--   (SELECT difficult ...), reviews.c:markDifficult (INSERT ... ON CONFLICT DO UPDATE)
GRANT SELECT, INSERT, UPDATE ON buyer_marks TO cs_review_scheduler;
-- message_optouts (the notifier's; read only): reviews.c:numberOptedOut,
--   reviews.c:prefetchBuyers (SELECT ... WHERE lifted_ms IS NULL, RV-5)
GRANT SELECT ON message_optouts TO cs_review_scheduler;
-- tasks, notification_requests (shared sinks): reviews.c -> apply.c:cs_fx_apply
--   -> rowsFlush (COPY FROM STDIN); its rules close no task
GRANT INSERT ON tasks, notification_requests TO cs_review_scheduler;

-- ==========================================================================
-- cs_notifier: workers/notifier (notifier.c)
-- ==========================================================================
-- messages (its own): notifier.c:loadRows (SELECT * FROM messages ... FOR
--   UPDATE), notifier.c:loadNumbers (SELECT ... status = 'sent', NT-3),
--   notifier.c:handleBatch (INSERT ... ON CONFLICT (shop_id, idempotency_key)
--   DO UPDATE)
GRANT SELECT, INSERT, UPDATE ON messages TO cs_notifier;
-- message_optouts (its own): notifier.c:loadNumbers (SELECT ... lifted_ms IS
--   NULL), notifier.c:recordOptOut (INSERT ... ON CONFLICT DO UPDATE, NT-4)
GRANT SELECT, INSERT, UPDATE ON message_optouts TO cs_notifier;
-- cases (the review-scheduler's; read only): notifier.c:loadCases (SELECT
--   c.stage, c.closed_ms ... kind = 'review', RV-5 in the notifier)
GRANT SELECT ON cases TO cs_notifier;

-- ==========================================================================
-- cs_timer_dispatcher: workers/timer-dispatcher (dispatcher.c, fired.c)
-- ==========================================================================
-- Not a runtime worker: it produces fired timers to Kafka itself (no
-- outbox, no processed_events, no dead_letters). dispatcher.c:pgCheck runs
-- SELECT 1 (no grant).
-- timers: dispatcher.c:reconcileIfDue -> timer_sync.c:cs_timer_sync (sqlAll,
--   sqlRecent: SELECT ... FROM timers WHERE status = 'pending') -- read only
GRANT SELECT ON timers TO cs_timer_dispatcher;
-- clock_record: dispatcher.c:dispatchRound -> clock.c:cs_clock_now -> restore
--   -> record_lock (SELECT ... FOR SHARE; see the header)
GRANT SELECT, UPDATE (updated_at) ON clock_record TO cs_timer_dispatcher;

-- ==========================================================================
-- cs_gateway: gateway/ -- no PostgreSQL (no libpq call, no cs_clock_*):
-- CONNECT and schema USAGE above, nothing else.
-- ==========================================================================
