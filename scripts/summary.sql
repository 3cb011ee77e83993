-- summary.sql -- what one sample run did, read back from PostgreSQL (the
-- record of decisions, not the workers' logs), for scripts/demo.sh.
--
--   psql -X -q -v run=<run id> -v since='<timestamptz>' -v now_ms=<epoch ms> \
--        [-v tz=Asia/Shanghai] -f scripts/summary.sql
--
-- run     selects the run's orders (order ids "<run>-NNNNNN", from cs-sample)
--         and its cases (case and review ids "<run>-...")
-- since   the run's start: dead letters carry no order id, so they are
--         counted from then on
-- now_ms  the business clock at the end of the run: RF-12's rolling 30 days
--         end there
-- tz      the shops' time zone for local dates (default Asia/Shanghai)
--
-- Temporary views and functions keep every query about this run only; they
-- vanish with the session.
\set ON_ERROR_STOP on
\pset footer off
\pset null '-'
\if :{?tz}
\else
\set tz Asia/Shanghai
\endif

CREATE TEMP VIEW run_orders AS
    SELECT * FROM orders WHERE left(order_id, length(:'run') + 1) = :'run' || '-';
CREATE TEMP VIEW run_verdicts AS
    SELECT * FROM verdicts WHERE left(order_id, length(:'run') + 1) = :'run' || '-';
-- the verdict of each order's latest version
CREATE TEMP VIEW run_latest AS
    SELECT DISTINCT ON (shop_id, order_id) * FROM run_verdicts ORDER BY shop_id, order_id, version DESC;

-- A scalar field of a stored case document (cases.doc, a packed
-- cs.v1.RefundCaseState or cs.v1.ReviewCaseState; proto/cs/v1/state.proto)
-- by its field number: the documents are the cases' whole record, and
-- their type, reason, rating and times are not copied into columns. Reads
-- the top level only, varint fields; an absent field is proto3's zero.
CREATE FUNCTION pg_temp.pb_int(doc bytea, field int) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    i int := 0;
    n int := length(doc);
    b int;
    shift int;
    key bigint;
    v bigint;
BEGIN
    WHILE i < n LOOP
        key := 0; shift := 0;
        LOOP
            b := get_byte(doc, i); i := i + 1;
            key := key | ((b & 127)::bigint << shift); shift := shift + 7;
            EXIT WHEN b < 128;
        END LOOP;
        CASE key & 7
            WHEN 0 THEN                       -- varint: the value, or skip it
                v := 0; shift := 0;
                LOOP
                    b := get_byte(doc, i); i := i + 1;
                    IF shift < 64 THEN v := v | ((b & 127)::bigint << shift); END IF;
                    shift := shift + 7;
                    EXIT WHEN b < 128;
                END LOOP;
                IF key >> 3 = field THEN RETURN v; END IF;
            WHEN 2 THEN                       -- length-delimited: skip
                v := 0; shift := 0;
                LOOP
                    b := get_byte(doc, i); i := i + 1;
                    v := v | ((b & 127)::bigint << shift); shift := shift + 7;
                    EXIT WHEN b < 128;
                END LOOP;
                i := i + v::int;
            WHEN 1 THEN i := i + 8;           -- fixed64
            WHEN 5 THEN i := i + 4;           -- fixed32
            ELSE RETURN NULL;                 -- groups: not in these messages
        END CASE;
    END LOOP;
    RETURN 0;
END $$;

-- The run's after-sales cases (refund-notifier) with what their documents
-- hold: type, reason, and the times RF-12 measures.
CREATE TEMP VIEW run_aftersales AS
    SELECT c.shop_id, c.case_id, c.order_id, c.stage, c.opened_ms, c.closed_ms,
           (ARRAY['unspecified', 'refund_only', 'return_refund', 'exchange', 'repair', 'reship',
                  'postage_difference'])[pg_temp.pb_int(c.doc, 8) + 1] AS type,
           (ARRAY['unspecified', 'quality', 'wrong_item', 'missing_item', 'no_reason_7d', 'not_received',
                  'out_of_stock', 'changed_mind', 'other'])[pg_temp.pb_int(c.doc, 9) + 1] AS reason,
           pg_temp.pb_int(c.doc, 11) AS registered_ms,
           nullif(pg_temp.pb_int(c.doc, 12), 0) AS requested_ms,
           nullif(pg_temp.pb_int(c.doc, 13), 0) AS agreed_ms,
           nullif(pg_temp.pb_int(c.doc, 14), 0) AS refunded_ms,
           nullif(pg_temp.pb_int(c.doc, 15), 0) AS intervened_ms,
           pg_temp.pb_int(c.doc, 18) AS amount_fen
    FROM cases c
    WHERE c.kind = 'aftersales' AND left(c.case_id, length(:'run') + 1) = :'run' || '-';

-- The run's review follow-up cases (review-scheduler).
CREATE TEMP VIEW run_reviews AS
    SELECT c.shop_id, c.case_id, c.order_id, c.stage, c.phone, c.opened_ms, c.closed_ms,
           (ARRAY['unspecified', 'positive', 'neutral', 'negative'])[pg_temp.pb_int(c.doc, 7) + 1] AS rating,
           (ARRAY['unspecified', 'product', 'service'])[pg_temp.pb_int(c.doc, 8) + 1] AS dislike,
           pg_temp.pb_int(c.doc, 15) AS sms_days,    -- bit N-1: a follow-up SMS requested on day N
           pg_temp.pb_int(c.doc, 17) = 1 AS opted_out
    FROM cases c
    WHERE c.kind = 'review' AND left(c.case_id, length(:'run') + 1) = :'run' || '-';

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
\echo '== Held messages and their release (a held message goes out when its window opens: its shop, release time and bucket have one nt.sweep timer; a released row keeps its bucket) =='
SELECT CASE WHEN status = 'held' THEN 'held now' ELSE 'released, now ' || status END AS held_messages,
       count(*) AS messages, count(DISTINCT shop_id || '#' || release_bucket) AS buckets
FROM messages WHERE left(order_id, length(:'run') + 1) = :'run' || '-' AND release_bucket IS NOT NULL
GROUP BY 1 ORDER BY 1;

\echo
\echo '== Opt-outs received (NT-4) =='
SELECT shop_id AS shop, count(*) AS numbers, count(*) FILTER (WHERE lifted_ms IS NULL) AS in_force
FROM message_optouts WHERE event_id LIKE 'smp-' || :'run' || '-%' GROUP BY 1 ORDER BY 1;

\echo
\echo '== Cases by kind, type and stage (RF-1 after-sales: type, reason, open until CLOSED; RV-1 reviews: rating, dislike, open while followed up) =='
SELECT 'aftersales' AS kind, type, reason, stage, count(*) AS cases,
       count(*) FILTER (WHERE closed_ms IS NULL OR closed_ms = 0) AS open
FROM run_aftersales GROUP BY 2, 3, 4
UNION ALL
SELECT 'review', rating, dislike, stage, count(*), count(*) FILTER (WHERE stage = 'open')
FROM run_reviews GROUP BY 2, 3, 4
ORDER BY 1, 2, 3, 4;

\echo
\echo '== Review follow-ups by outcome (RV-6; RV-4 SMS days; RV-5 revisions and opt-outs) =='
SELECT stage AS outcome, count(*) AS cases,
       count(*) FILTER (WHERE rating = 'negative') AS negative,
       count(*) FILTER (WHERE rating = 'neutral') AS neutral,
       count(*) FILTER (WHERE sms_days & 2 <> 0) AS sms_day2,
       count(*) FILTER (WHERE sms_days & 4 <> 0) AS sms_day3,
       count(*) FILTER (WHERE opted_out) AS opted_out,
       coalesce(sum((SELECT count(*) FROM messages m WHERE m.shop_id = r.shop_id AND m.case_id = r.case_id
                       AND m.template = 'review_follow_up' AND m.status = 'cancelled')), 0) AS sms_cancelled
FROM run_reviews r GROUP BY stage ORDER BY cases DESC, outcome;

\echo
\echo '== Follow-up messages by status and the local day each is for (RV-4 asks ahead; NT-2/NT-3 hold, NT-4 suppresses, RV-5 expires or cancels) =='
WITH f AS (
    -- the day a follow-up is for: the last instant before its expiry
    -- (NotificationRequest field 10), else when it was sent or asked for
    SELECT m.*, (to_timestamp(coalesce(nullif(pg_temp.pb_int(m.request, 10), 0) - 1, m.sent_ms, m.requested_ms)
                              / 1000.0) AT TIME ZONE :'tz')::date
                - (SELECT min((to_timestamp(r.opened_ms / 1000.0) AT TIME ZONE :'tz')::date) FROM run_reviews r)
                + 1 AS day   -- day 1 = the reviews' posting date
    FROM messages m
    WHERE m.template = 'review_follow_up' AND left(m.order_id, length(:'run') + 1) = :'run' || '-')
SELECT s.status, count(f.status) AS messages,
       count(*) FILTER (WHERE f.day = 2) AS day2, count(*) FILTER (WHERE f.day = 3) AS day3,
       count(*) FILTER (WHERE f.day > 3) AS later,
       coalesce(string_agg(DISTINCT nullif(f.reason, ''), '; '), '-') AS reasons
FROM (VALUES (1, 'sent'), (2, 'held'), (3, 'suppressed'), (4, 'expired'), (5, 'cancelled'), (6, 'failed')) s(n, status)
LEFT JOIN f ON f.status = s.status
GROUP BY s.n, s.status ORDER BY s.n;

\echo
\echo '== Decisions by verdict (RF-9 promotion-mode auto-agreements, RF-13), with the refunds that followed (RF-7) =='
SELECT d.rule, d.verdict, count(*) AS decisions, round(sum(d.amount_fen) / 100.0, 2) AS total_cny,
       count(*) FILTER (WHERE c.refunded_ms IS NOT NULL) AS refunded,
       count(*) FILTER (WHERE (SELECT count(*) FROM finance_requests f WHERE f.shop_id = d.shop_id
                                 AND f.order_id = d.order_id AND f.rule = 'RF-7') = 1) AS one_finance_request
FROM decisions d LEFT JOIN run_aftersales c ON c.shop_id = d.shop_id AND c.case_id = d.case_id
WHERE left(d.order_id, length(:'run') + 1) = :'run' || '-'
GROUP BY 1, 2 ORDER BY 1, 2;

\echo
\echo '== Finance requests by kind (EX-8 cancellation refunds, EX-7 Tmall stock-out compensation, RF-7 after-sales refunds, RF-3 postage) =='
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
\echo '== Timers by owner, kind and status (done = fired for good, pending = due after the clock; notifier sweeps are per shop, not per run) =='
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
SELECT owner, kind, coalesce(f.firings, 0) AS firings, coalesce(r.done, 0) AS done,
       coalesce(r.pending, 0) AS pending, coalesce(r.cancelled, 0) AS cancelled
FROM rows r FULL JOIN firings f USING (owner, kind) ORDER BY 1, 2;

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

-- RF-12's metrics and the Saturday cost summary, and RV-6's outcomes, are
-- the rules' own counting: demo.sh prints `cscli report weekly` after this.
