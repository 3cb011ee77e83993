-- bench/soak/check.sql -- the end checks of bench/run soak (bench/soak/soak.sh
-- loads soak_ids, soak_consumers and soak_provider first; :clock_last is the
-- business time of the last clock step). Prints key=value lines, then
-- details of anything found.
--   soak_ids(topic, event_id, owner)   every record on a consumed topic since
--                                       the soak's start (cs-bench soak-ids)
--   soak_consumers(worker, topic)      "<worker> --help": what it consumes
--   soak_provider(shop_id, idempotency_key, channel)  the log provider's lines
\set ON_ERROR_STOP 1
CREATE INDEX ON soak_ids (topic);
CREATE TEMP TABLE expected AS
  SELECT DISTINCT c.worker, i.event_id, i.topic
  FROM soak_ids i JOIN soak_consumers c ON c.topic = i.topic
  WHERE i.topic <> 'cs.timers.v1' OR i.owner = c.worker;   -- a firing is its owner's event only
CREATE TEMP TABLE missing AS
  SELECT e.* FROM expected e
  WHERE NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.worker = e.worker AND p.event_id = e.event_id)
    AND NOT EXISTS (SELECT 1 FROM dead_letters d WHERE d.worker = e.worker AND d.event_id = e.event_id);

SELECT 'records=' || count(*) FROM soak_ids;
SELECT 'events=' || count(DISTINCT (topic, event_id)) FROM soak_ids i
  WHERE EXISTS (SELECT 1 FROM expected e WHERE e.topic = i.topic AND e.event_id = i.event_id);
SELECT 'expected_pairs=' || count(*) FROM expected;
SELECT 'lost=' || count(*) FROM missing;
SELECT 'dead_lettered=' || count(*) FROM expected e
  JOIN dead_letters d ON d.worker = e.worker AND d.event_id = e.event_id;
-- rows of processed_events for events that are on no topic since the mark
-- (should be none: the bench database starts empty)
SELECT 'processed_not_on_topics=' || count(*) FROM processed_events p
  WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.worker = p.worker AND e.event_id = p.event_id);
-- duplicates of effects (the primary keys forbid most; counted all the same)
SELECT 'dup_verdicts=' || count(*) FROM (SELECT 1 FROM verdicts GROUP BY shop_id, order_id, version HAVING count(*) > 1) x;
SELECT 'dup_finance=' || count(*) FROM (SELECT 1 FROM finance_requests GROUP BY shop_id, request_id HAVING count(*) > 1) x;
SELECT 'dup_messages=' || count(*) FROM (SELECT 1 FROM messages GROUP BY shop_id, idempotency_key HAVING count(*) > 1) x;
-- the provider log: a key written more than once is an SMS/IM sent twice
SELECT 'duplicated_sms=' || coalesce(sum(n - 1), 0) FROM (
  SELECT count(*) AS n FROM soak_provider GROUP BY shop_id, idempotency_key HAVING count(*) > 1) x;
SELECT 'provider_lines=' || count(*) FROM soak_provider;
SELECT 'sent_not_in_log=' || count(*) FROM messages m
  WHERE m.status = 'sent' AND m.provider = 'log'
    AND NOT EXISTS (SELECT 1 FROM soak_provider s WHERE s.shop_id = m.shop_id AND s.idempotency_key = m.idempotency_key);
SELECT 'logged_not_sent=' || count(*) FROM (SELECT DISTINCT shop_id, idempotency_key FROM soak_provider) s
  WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.shop_id = s.shop_id AND m.idempotency_key = s.idempotency_key
                      AND m.status = 'sent');
SELECT 'messages_sent=' || count(*) FROM messages WHERE status = 'sent';
SELECT 'requests_undecided=' || count(*) FROM notification_requests r
  WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.shop_id = r.shop_id AND m.idempotency_key = r.idempotency_key);
SELECT 'timers_due_unfired=' || count(*) FROM timers
  WHERE status = 'pending' AND due_ms <= (extract(epoch FROM timestamptz :'clock_last') * 1000)::bigint;
SELECT 'timers_fired=' || count(*) FROM timers WHERE status = 'fired';
-- held messages whose release time came and that no sweep released (the
-- notifier's nt.sweep timers, docs/notifier.md "Holds and their release")
SELECT 'held_overdue=' || count(*) FROM messages
  WHERE status = 'held' AND release_ms <= (extract(epoch FROM timestamptz :'clock_last') * 1000)::bigint;
SELECT 'outbox_left=' || count(*) FROM outbox;

-- details
SELECT 'lost by worker/topic: ' || worker || ' ' || topic || ' ' || count(*) FROM missing GROUP BY worker, topic ORDER BY 1;
SELECT 'lost e.g.: ' || worker || ' ' || event_id FROM missing ORDER BY worker, event_id LIMIT 10;
SELECT 'dead letters: ' || worker || ' ' || topic || ' ' || split_part(reason, ':', 1) || ' ' || count(*)
  FROM dead_letters GROUP BY worker, topic, split_part(reason, ':', 1) ORDER BY 1;
SELECT 'sms twice: ' || shop_id || ' ' || idempotency_key || ' x' || count(*) FROM soak_provider
  GROUP BY shop_id, idempotency_key HAVING count(*) > 1 ORDER BY 1 LIMIT 10;
SELECT 'due, unfired: ' || owner || ' ' || kind || ' ' || count(*) FROM timers
  WHERE status = 'pending' AND due_ms <= (extract(epoch FROM timestamptz :'clock_last') * 1000)::bigint
  GROUP BY owner, kind ORDER BY 1;
