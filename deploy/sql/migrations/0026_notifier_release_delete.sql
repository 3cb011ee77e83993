-- 0026_notifier_release_delete: the notifier deletes the release timers it takes.
--
-- A held message's nt.release timer, once taken, is deleted in the batch that
-- releases the message (timers.c:cs_timer_take_fired_many_delete, called by
-- notifier.c:handleBatch) rather than marked 'fired': the message row records
-- the release, and a day-2 review wave would otherwise leave 100,000 fired rows
-- behind it (docs/timers.md, docs/performance.md). Each hold has its own timer
-- id ("nt.release@<shop>:<key>#<release ms>"), so a message held again (NT-3)
-- never brings a deleted id back at generation 1. The statement names
-- owner = 'notifier': only the notifier's own rows. Fired release timers that
-- earlier versions left stay as they are.
GRANT DELETE ON timers TO cs_notifier;

-- Pending release timers of the id without a release time are carried over
-- to the id with it ("<old id>#<due_ms>"), as 0008 carried the ids before:
-- the old id's member still in Redis fires and is ignored (no pending row
-- of that id), the renamed row is put in Redis by the dispatcher's
-- reconciliation (scheduled_at is recent) and fires once. A cancel then
-- finds every held message's timer under one scheme.
UPDATE timers t
   SET timer_id = t.timer_id || '#' || t.due_ms,
       scheduled_at = now()
 WHERE t.owner = 'notifier' AND t.kind = 'nt.release' AND t.status = 'pending' AND t.timer_id NOT LIKE '%#%';
