-- 0013_decisions: the after-sales decisions in PostgreSQL, and RF-7's
-- whole finance request, so an operator reads both with cscli
-- (`cscli decisions list`, `cscli finance list`, `cscli cases show`)
-- instead of from Kafka topics the project does not consume.

-- RF-9 / RF-13: one row per decision the refund-notifier put on
-- cs.decisions.v1, written in the same batch transaction as the record.
-- decision_id is the record's event id ("<trigger>/decision"), so a
-- replayed trigger inserts nothing (ON CONFLICT DO NOTHING).
CREATE TABLE IF NOT EXISTS decisions (
    shop_id      text    NOT NULL,
    decision_id  text    NOT NULL,
    case_id      text    NOT NULL,
    order_id     text,
    verdict      text    NOT NULL,   -- AGREE, REFUSE
    amount_fen   bigint  NOT NULL DEFAULT 0,
    reason       text    NOT NULL DEFAULT '',
    rule         text    NOT NULL,   -- RF-9, RF-13
    decided_ms   bigint  NOT NULL,   -- business time of the batch that decided
    PRIMARY KEY (shop_id, decision_id)
);
-- cscli decisions list --case, cscli cases show
CREATE INDEX IF NOT EXISTS decisions_case ON decisions (shop_id, case_id);

-- RF-7: every refund's finance request names the agent, the buyer and the
-- refund account; cs.finance.v1 carried them, the row did not. Rows made
-- before this migration keep NULL (unknown), not '' (none). (kind is also
-- 'postage', RF-3's reshipment postage, besides refund and compensation.)
ALTER TABLE finance_requests ADD COLUMN IF NOT EXISTS agent text;
ALTER TABLE finance_requests ADD COLUMN IF NOT EXISTS buyer_id text;
ALTER TABLE finance_requests ADD COLUMN IF NOT EXISTS refund_account text;
-- cscli finance list --order, cscli cases show
CREATE INDEX IF NOT EXISTS finance_requests_order ON finance_requests (shop_id, order_id);
