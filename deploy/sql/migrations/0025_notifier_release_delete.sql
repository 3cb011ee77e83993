-- 0025_notifier_release_delete: the notifier deletes the release timers it takes.
--
-- A held message's nt.release timer, once taken, is deleted in the batch that
-- releases the message (timers.c:cs_timer_take_fired_many_delete, called by
-- notifier.c:handleBatch) rather than marked 'fired': the message row records
-- the release, and a day-2 review wave would otherwise leave 100,000 fired rows
-- a day behind it (docs/timers.md, docs/performance.md). Only the notifier's
-- own rows: the statement names owner = 'notifier'.
-- The fired release timers earlier versions left stay as they are.
GRANT DELETE ON timers TO cs_notifier;
