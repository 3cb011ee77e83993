-- summary.sql -- what one sample run did, read back from PostgreSQL (the
-- record of decisions, not the workers' logs), for scripts/demo.sh.
--
--   psql -X -q -v run=<run id> -v since='<timestamptz>' -f scripts/summary.sql
--
-- run   selects the run's orders (order ids "<run>-NNNNNN", from cs-sample)
-- since the run's start: dead letters carry no order id, so they are
--       counted from then on
--
-- Temporary views keep every query about this run only; they vanish with
-- the session.
\set ON_ERROR_STOP on
\pset footer off
\pset null '-'

CREATE TEMP VIEW run_orders AS
    SELECT * FROM orders WHERE left(order_id, length(:'run') + 1) = :'run' || '-';
CREATE TEMP VIEW run_verdicts AS
    SELECT * FROM verdicts WHERE left(order_id, length(:'run') + 1) = :'run' || '-';
-- the verdict of each order's latest version
CREATE TEMP VIEW run_latest AS
    SELECT DISTINCT ON (shop_id, order_id) * FROM run_verdicts ORDER BY shop_id, order_id, version DESC;

\echo
\echo '== Orders by state (OV-12: one state per order, by precedence) =='
SELECT state, count(*) AS orders, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct
FROM run_orders GROUP BY state ORDER BY orders DESC;

\echo
\echo '== Orders by shop and state =='
SELECT shop_id AS shop,
       count(*) FILTER (WHERE state = 'VERIFIED') AS verified,
       count(*) FILTER (WHERE state = 'EXCEPTION') AS exception,
       count(*) FILTER (WHERE state = 'ON_HOLD') AS on_hold,
       count(*) FILTER (WHERE state = 'PENDING_FINANCE_CHECK') AS finance_check,
       count(*) FILTER (WHERE state = 'PENDING_PAYMENT') AS pending_payment,
       count(*) FILTER (WHERE state NOT IN ('VERIFIED', 'EXCEPTION', 'ON_HOLD', 'PENDING_FINANCE_CHECK', 'PENDING_PAYMENT')) AS other,
       count(*) FILTER (WHERE cancelled_ms IS NOT NULL) AS cancelled,
       count(*) FILTER (WHERE shipped_ms IS NOT NULL) AS shipped,
       count(*) AS total
FROM run_orders GROUP BY shop_id ORDER BY total DESC;

\echo
\echo '== Exceptions by reason (every reason of the orders now in EXCEPTION) =='
SELECT r AS reason, count(*) AS orders
FROM run_orders, unnest(reasons) AS r WHERE state = 'EXCEPTION' GROUP BY r ORDER BY orders DESC, reason;

\echo
\echo '== Holds, finance checks and pending payments by reason =='
SELECT state, r AS reason, count(*) AS orders
FROM run_orders, unnest(reasons) AS r
WHERE state IN ('ON_HOLD', 'PENDING_FINANCE_CHECK', 'PENDING_PAYMENT')
GROUP BY state, r ORDER BY state, orders DESC, reason;

\echo
\echo '== Annotations on the latest verdicts (OV-4, OV-7, OV-10, OV-11) =='
SELECT a->>'rule' AS rule, a->>'code' AS code, count(DISTINCT (l.shop_id, l.order_id)) AS orders, count(*) AS lines
FROM run_latest l, jsonb_array_elements(l.annotations) AS a
GROUP BY 1, 2 ORDER BY 1, 3 DESC;

\echo
\echo '== Courier switches (OV-4) =='
SELECT split_part(a->>'detail', ' ', 1) AS chosen,
       substring(a->>'detail' FROM 'switched to (\S+)$') AS switched_to,
       CASE WHEN a->>'detail' LIKE '%collect cash%' THEN 'no cash on delivery' ELSE 'cannot reach' END AS why,
       count(DISTINCT (l.shop_id, l.order_id)) AS orders
FROM run_latest l, jsonb_array_elements(l.annotations) AS a
WHERE a->>'code' = 'COURIER_SWITCHED'
GROUP BY 1, 2, 3 ORDER BY orders DESC;

\echo
\echo '== SKUs on quality watch (OV-11: after-sales cases with a quality reason) =='
SELECT q.shop_id AS shop, q.sku, count(*) AS quality_cases,
       CASE WHEN count(*) >= 3 THEN 'test before shipping + delist' ELSE 'test before shipping' END AS consequence
FROM quality_cases q WHERE left(q.case_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2;

\echo
\echo '== Order versions (OV-12: every change re-verified) =='
SELECT versions, count(*) AS orders
FROM (SELECT shop_id, order_id, count(*) AS versions FROM run_verdicts GROUP BY 1, 2) v
GROUP BY versions ORDER BY versions;

\echo
\echo '== Notification requests by template (NT-6 logistics, OV-14 invoices, ...) =='
SELECT template, rule, channel, class, count(*) AS requests
FROM notification_requests WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2, 3, 4 ORDER BY requests DESC;

\echo
\echo '== Exceptions by plan and state now (EX-1/2/3 out of stock, EX-5 own site, EX-6 the rest; requeued at the end of day 1, escalated on day 3, breached at its end) =='
SELECT coalesce(plan_rule, '-') AS plan,
       count(*) FILTER (WHERE closed_ms IS NULL AND escalated_ms IS NULL AND breached_ms IS NULL) AS open,
       count(*) FILTER (WHERE closed_ms IS NOT NULL) AS closed,
       count(*) FILTER (WHERE closed_ms IS NULL AND escalated_ms IS NOT NULL AND breached_ms IS NULL) AS escalated,
       count(*) FILTER (WHERE closed_ms IS NULL AND breached_ms IS NOT NULL) AS breached,
       count(*) FILTER (WHERE requeued_ms IS NOT NULL) AS were_requeued,
       count(*) FILTER (WHERE escalated_ms IS NOT NULL) AS were_escalated,
       count(*) FILTER (WHERE written_sent_ms IS NOT NULL) AS ex4_written,
       count(*) AS total
FROM exceptions WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1 ORDER BY 1;

\echo
\echo '== Exceptions closed, by why =='
SELECT coalesce(close_reason, '-') AS close_reason, count(*) AS exceptions
FROM exceptions WHERE left(order_id, length(:'run') + 1) = :'run' || '-' AND closed_ms IS NOT NULL
GROUP BY 1 ORDER BY 2 DESC;

\echo
\echo '== Complaints (EX-9) by level: met, breached, VIP =='
SELECT 'L' || level AS level, count(*) AS complaints, count(*) FILTER (WHERE met_ms IS NOT NULL) AS met,
       count(*) FILTER (WHERE breached_ms IS NOT NULL) AS breached, count(*) FILTER (WHERE vip) AS vip
FROM complaints WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY level ORDER BY level;

\echo
\echo '== Agent tasks by rule and shift (SH-1; supervisor = escalations, chasers) =='
SELECT rule, kind, coalesce(assignee, shift, '-') AS shift_or_assignee, count(*) AS tasks,
       count(*) FILTER (WHERE urgent) AS urgent, count(*) FILTER (WHERE top_of_queue) AS top_of_queue,
       count(*) FILTER (WHERE closed_ms IS NULL) AS still_open
FROM tasks WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC;

\echo
\echo '== Messages by status and template (NT-2 quiet hours and NT-3 daily cap hold, NT-4 suppresses) =='
SELECT status, template, count(*) AS messages,
       count(*) FILTER (WHERE channel = 'SMS' OR channel = 'sms') AS sms,
       count(*) FILTER (WHERE status = 'sent' AND sent_ms > requested_ms) AS sent_after_hold,
       count(*) FILTER (WHERE status = 'held') AS still_held
FROM messages WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2 ORDER BY 1, 3 DESC;

\echo
\echo '== Held messages and their release (nt.release timers: a held message goes out when its window opens) =='
SELECT t.status AS release_timer, count(*) AS messages
FROM timers t WHERE t.owner = 'notifier' AND t.kind = 'nt.release'
  AND t.order_key LIKE '%:' || :'run' || '-%'
GROUP BY 1 ORDER BY 1;

\echo
\echo '== Opt-outs received (NT-4) =='
SELECT shop_id AS shop, count(*) AS numbers, count(*) FILTER (WHERE lifted_ms IS NULL) AS in_force
FROM message_optouts WHERE event_id LIKE 'smp-' || :'run' || '-%' GROUP BY 1 ORDER BY 1;

\echo
\echo '== Finance requests (EX-8 cancellation refunds, EX-7 Tmall stock-out compensation) =='
SELECT kind, rule, count(*) AS requests, round(sum(amount_fen) / 100.0, 2) AS total_cny,
       round(min(amount_fen) / 100.0, 2) AS min_cny, round(max(amount_fen) / 100.0, 2) AS max_cny
FROM finance_requests WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2 ORDER BY 1, 2;

\echo
\echo '== SLA breaches (cs.sla.v1) =='
SELECT rule, subject, count(*) AS breaches
FROM sla_breaches WHERE left(order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2 ORDER BY 1, 2;

\echo
\echo '== Timers by owner, kind and status (done = fired for good, pending = due after the clock) =='
WITH rows AS (
    SELECT owner, kind, count(*) FILTER (WHERE status = 'fired') AS done,
           count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled
    FROM timers WHERE order_key LIKE '%:' || :'run' || '-%' GROUP BY 1, 2),
firings AS (   -- each firing its owner applied (the 19:00 sweep re-arms one timer a day)
    SELECT worker AS owner, split_part(split_part(event_id, '/', 3), '@', 1) AS kind, count(*) AS firings
    FROM processed_events
    WHERE event_id LIKE 'timer/%' || :'run' || '-%' AND worker = split_part(event_id, '/', 2)
    GROUP BY 1, 2)
SELECT owner, kind, coalesce(f.firings, 0) AS firings, r.done, r.pending, r.cancelled
FROM rows r LEFT JOIN firings f USING (owner, kind) ORDER BY 1, 2;

\echo
\echo '== Dead letters since the run started (poison records, refused events) =='
-- grouped by the reason with quoted names and ids taken out, one example each
SELECT topic, worker,
       left(regexp_replace(reason, '''[^'']*''|[A-Za-z0-9_.-]*[0-9][A-Za-z0-9_.-]*', '…', 'g'), 70) AS reason,
       count(*) AS records, left(min(reason), 70) AS example
FROM dead_letters WHERE created_at >= :'since'::timestamptz
GROUP BY 1, 2, 3 ORDER BY records DESC;

\echo
\echo '== Throughput (orders verified / time from the first to the last verdict) =='
SELECT count(DISTINCT (shop_id, order_id)) AS orders_verified,
       count(*) AS verdicts,
       to_char(min(created_at), 'HH24:MI:SS.MS') AS first_verdict,
       to_char(max(created_at), 'HH24:MI:SS.MS') AS last_verdict,
       round(extract(epoch FROM max(created_at) - min(created_at))::numeric, 2) AS seconds,
       round(count(DISTINCT (shop_id, order_id)) / nullif(extract(epoch FROM max(created_at) - min(created_at)), 0)::numeric)
           AS orders_per_s,
       round(count(*) / nullif(extract(epoch FROM max(created_at) - min(created_at)), 0)::numeric) AS verdicts_per_s
FROM run_verdicts;
