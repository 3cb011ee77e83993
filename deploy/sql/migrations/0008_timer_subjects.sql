-- One timer id scheme for every worker (shared/include/cs/effects.h):
-- "<kind>@<shop>:<subject>". The verifier's and the exception-handler's
-- ids already had it; the notifier's release timers were
-- "nt.release@<shop>/<message key>".
--
-- "Cancel every pending timer of this subject" (cs_timer_cancel_subject) names
-- the candidates "<kind>@<shop>:<subject>" from the worker's timer kinds and
-- finds them by primary key: no index of its own (one would cost every timer
-- a second index entry when it is scheduled, measured at 15 % of the
-- scheduling rate).

-- Pending release timers of the old scheme are carried over to the new id.
-- None is lost and none fires twice: the old id's member still in Redis
-- fires, and its owner ignores it (cs_timer_take_fired finds no pending row
-- of that id); the renamed row is pending with the same due time, and the
-- dispatcher's reconciliation (scheduled_at is recent) puts its member in
-- Redis, so it fires once. A row whose new id is taken already stays as it
-- is.
UPDATE timers t
   SET timer_id = regexp_replace(t.timer_id, '^nt\.release@([^/:]*)/', 'nt.release@\1:'),
       scheduled_at = now()
 WHERE t.owner = 'notifier' AND t.status = 'pending' AND t.timer_id ~ '^nt\.release@[^/:]*/'
   AND NOT EXISTS (SELECT 1 FROM timers u WHERE u.owner = t.owner
                     AND u.timer_id = regexp_replace(t.timer_id, '^nt\.release@([^/:]*)/', 'nt.release@\1:'));
