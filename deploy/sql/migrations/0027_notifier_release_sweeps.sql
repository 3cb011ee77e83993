-- 0027_notifier_release_sweeps: held messages released by sweeps, not one
-- timer each.
--
-- Until now every held message (NT-2 quiet hours, NT-3 daily cap, RV-4 send
-- time) had its own nt.release timer: a review wave of 100,000 follow-ups
-- was 100,000 timers fired, 100,000 firings through cs.timers.v1 and
-- 100,000 takes and dedupe rows in the notifier (docs/performance.md). Now
-- a held message gets a bucket (release_bucket, 0..15, from its key), and
-- the notifier arms one nt.sweep timer per (shop, release time, bucket)
-- held into; its firing releases every message of its shop and bucket
-- held until then, a bounded number at a time, read through the index
-- below (notifier.c, docs/notifier.md "Holds and their release").
--
-- Rows held before this migration have no bucket: their own nt.release
-- timers still release them (the notifier keeps that path).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS release_bucket smallint;

-- The held rows of one (shop, bucket) in release order. It replaces the
-- index of held rows by release time alone, which nothing read.
CREATE INDEX IF NOT EXISTS messages_held_sweep ON messages (shop_id, release_bucket, release_ms)
    WHERE status = 'held';
DROP INDEX IF EXISTS messages_held;
