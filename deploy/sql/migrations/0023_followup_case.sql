-- 0023_followup_case: the review case a held follow-up belongs to (RV-4, RV-5).
--
-- The review-scheduler requests every follow-up SMS of a case when the case
-- opens; the notifier holds each until its send time (status 'held', reason
-- 'RV-4 SEND_TIME'). A revision, an opt-out or the case closing sends a
-- FollowUpCancel naming the case, and the notifier cancels what it still
-- holds of it at once (docs/notifier.md, "Expiry and ended cases"): this
-- column, written from the request's case_id, and the index of held
-- follow-ups by case make that one probe.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS case_id text;
CREATE INDEX IF NOT EXISTS messages_held_by_case ON messages (shop_id, case_id)
    WHERE status = 'held' AND case_id IS NOT NULL;
