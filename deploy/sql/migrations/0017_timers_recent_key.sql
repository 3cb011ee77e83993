-- Reconciliation's routine pass reads the recently (re)scheduled pending
-- timers in pages of 1000 by (scheduled_at, owner, timer_id)
-- (shared/src/timer_sync.c). On an index of scheduled_at alone each page
-- sorted every recent row from its start again: quadratic in the rows
-- scheduled in the window, which a burst of scheduling (100,000 reviews'
-- follow-ups, 260,000 timers) makes large. With the page key as the
-- index key each page is a range scan.
CREATE INDEX IF NOT EXISTS timers_pending_recent_key ON timers (scheduled_at, owner, timer_id) WHERE status = 'pending';
DROP INDEX IF EXISTS timers_pending_recent;
