-- Durable timers (shared/include/cs/timers.h, docs/timers.md).
--
-- generation: bumped by every reschedule; a firing acts only if the row is
-- still pending with the same generation (cs_timer_take_fired).
-- produced_generation: the generation whose TimerFired record the
-- dispatcher last saw acknowledged by Kafka; reconciliation does not put
-- such a timer back in Redis (its record is on its way to the owner), so a
-- lagging owner is not sent the same firing every few seconds.
-- scheduled_at: when the row was last (re)scheduled (real time), so the
-- routine reconciliation looks only at recent rows.
ALTER TABLE timers
    ADD COLUMN generation          bigint      NOT NULL DEFAULT 1,
    ADD COLUMN produced_generation bigint,
    ADD COLUMN scheduled_at        timestamptz NOT NULL DEFAULT now();

-- Full reconciliation and `cscli timers rebuild`: pending rows in key order,
-- in pages.
CREATE INDEX timers_pending_key ON timers (owner, timer_id) WHERE status = 'pending';
-- Routine reconciliation: pending rows scheduled in the last seconds.
CREATE INDEX timers_pending_recent ON timers (scheduled_at) WHERE status = 'pending';
