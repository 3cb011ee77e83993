-- The dispatcher fires from the Redis member alone (docs/timers.md): it no
-- longer records the produced generation. A fired timer waits in its
-- inflight set, under a long lease, until its owner has processed the
-- record, so reconciliation needs no column to skip it.
ALTER TABLE timers DROP COLUMN IF EXISTS produced_generation;
