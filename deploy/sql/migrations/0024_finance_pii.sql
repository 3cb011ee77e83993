-- 0024_finance_pii: PII retention of the refund account (docs/security.md).
--
-- A finance request's refund_account (RF-7: where the buyer wants the money,
-- often a phone number or an e-mail address behind a payment account) is the
-- buyer's data like the receiver's phone. `cscli pii purge` masks it with
-- cs_pii_mask_phone() once the request's order was purged, or the request is
-- older than the shop's retention, and marks the row purged so that a run is
-- idempotent and countable. Amounts, rules and ids stay for the books.
ALTER TABLE finance_requests ADD COLUMN IF NOT EXISTS pii_purged_ms bigint;
CREATE INDEX IF NOT EXISTS finance_requests_pii_due ON finance_requests (shop_id, created_ms)
    WHERE pii_purged_ms IS NULL AND refund_account IS NOT NULL AND refund_account <> '';
