-- 0028_notifier_legacy_holds: messages held before 0027 join the sweeps.
--
-- A row held before migration 0027 has no release_bucket and its own
-- nt.release timer. It is put in bucket 0 (any bucket serves: a sweep finds
-- the rows by the bucket stored on them), the nt.sweep timer of its (shop,
-- release time, bucket 0) is armed (a new generation if it exists), and the
-- nt.release timers are cancelled, so the notifier has one release path
-- (notifier.c, docs/notifier.md "Holds and their release"). The armed rows
-- are put in Redis by the dispatcher's reconciliation (scheduled_at is
-- recent), as 0026 did; a cancelled nt.release member still in Redis, or a
-- firing of one still in Kafka, is ignored by the notifier, and its message
-- is released by the sweep.
WITH moved AS (
    UPDATE messages SET release_bucket = 0
     WHERE status = 'held' AND release_bucket IS NULL AND release_ms IS NOT NULL
    RETURNING shop_id, release_ms)
INSERT INTO timers (owner, timer_id, order_key, kind, due_ms, payload, status, generation, scheduled_at)
SELECT DISTINCT 'notifier', 'nt.sweep@' || shop_id || ':' || release_ms || '#b00', shop_id || ':nt.sweep-00',
       'nt.sweep', release_ms, '\x30'::bytea, 'pending', 1, now()
  FROM moved
ON CONFLICT (owner, timer_id) DO UPDATE SET status = 'pending', due_ms = EXCLUDED.due_ms,
       generation = timers.generation + 1, scheduled_at = now();

UPDATE timers SET status = 'cancelled'
 WHERE owner = 'notifier' AND kind = 'nt.release' AND status = 'pending';
