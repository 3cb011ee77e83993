-- 0012_message_expiry: two more final statuses for notifier messages
-- (RV-5 in the notifier, docs/notifier.md "Expiry and cancelled cases"):
--   expired    a follow-up not sent before its expires_ms (the end of the
--              local day it was asked for), at request time, when its hold
--              would outlive it, or when its release fired too late
--   cancelled  a follow-up whose review case is no longer open (revised,
--              refused, no answer or closed: cases.closed_ms set)
-- Like sent and suppressed, both are final: a replayed request with the
-- same key does nothing (NT-1).
--
-- The CHECK of 0003 was written inline, so PostgreSQL named it
-- messages_status_check; rather than trust that name, the status CHECK is
-- found in the catalog and dropped, then re-added under an explicit name so
-- the next change need not guess. Existing rows satisfy the old, narrower
-- list, so the re-check of the table cannot fail.
DO $$
DECLARE
    c text;
BEGIN
    FOR c IN
        SELECT con.conname FROM pg_constraint con
        WHERE con.conrelid = 'messages'::regclass AND con.contype = 'c'
          AND pg_get_constraintdef(con.oid) LIKE '%status%'
    LOOP
        EXECUTE format('ALTER TABLE messages DROP CONSTRAINT %I', c);
    END LOOP;
END $$;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('sent', 'held', 'suppressed', 'failed', 'expired', 'cancelled'));
