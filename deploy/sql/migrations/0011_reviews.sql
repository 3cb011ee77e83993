-- The review-scheduler (workers/review-scheduler, docs/reviews.md).
--
-- A review case is found by its id (the review id) for review events and
-- fired timers, by its order for call outcomes and agents' case updates,
-- by its buyer for presence and by its number for opt-out replies: the
-- last two are copied out of the document into columns, indexed only
-- while the case is open (the only cases those events can move).
ALTER TABLE cases ADD COLUMN IF NOT EXISTS buyer_id text;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS phone text;   -- canonical (nt_number_canon)
CREATE INDEX IF NOT EXISTS cases_open_buyer ON cases (shop_id, buyer_id) WHERE closed_ms IS NULL AND buyer_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS cases_open_phone ON cases (shop_id, phone) WHERE closed_ms IS NULL AND phone IS NOT NULL;

-- RV-2: the buyer's last known presence (shop.contacts.v1 Presence), the
-- newest by event time: online buyers get an IM contact, others a call.
CREATE TABLE IF NOT EXISTS buyer_presence (
    shop_id     text    NOT NULL,
    buyer_id    text    NOT NULL,
    online      boolean NOT NULL,
    event_ms    bigint  NOT NULL,
    event_id    text    NOT NULL,
    PRIMARY KEY (shop_id, buyer_id)
);
