-- 0021_pii_purge: PII retention (docs/security.md "PII retention").
--
-- `cscli pii purge` masks the buyer's phone, name and address where they
-- are kept, N days (the shop's pii_retention_days) after the order or case
-- closed. pii_purged_ms (business time of the run that purged the row; NULL
-- = not purged) makes the purge idempotent and countable: a purged row is
-- never a candidate again, and reports keep the row, its ids and amounts.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS pii_purged_ms bigint;
ALTER TABLE cases ADD COLUMN IF NOT EXISTS pii_purged_ms bigint;
ALTER TABLE messages ADD COLUMN IF NOT EXISTS pii_purged_ms bigint;
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS pii_purged_ms bigint;

-- The masked form of a phone number, as cs_pii_mask_phone() (shared/src/pii.c)
-- writes it: the first 3 and last 4 characters of 11 or more kept, the rest
-- replaced by "****" ("13800138000" -> "138****8000"); shorter values
-- (handles, landlines without area code) become "****"; NULL stays NULL.
-- Masking a masked value changes nothing.
CREATE OR REPLACE FUNCTION cs_pii_mask_phone(p text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN p = '' THEN ''
                WHEN p ~ '^.{3}\*\*\*\*.{4}$' OR p = '****' THEN p
                WHEN length(p) >= 11 THEN left(p, 3) || '****' || right(p, 4)
                ELSE '****' END
$$;

-- Candidates by shop, oldest first, among rows not yet purged.
CREATE INDEX IF NOT EXISTS cases_pii_due ON cases (shop_id, closed_ms) WHERE pii_purged_ms IS NULL AND closed_ms IS NOT NULL;
CREATE INDEX IF NOT EXISTS messages_pii_due ON messages (shop_id, updated_ms) WHERE pii_purged_ms IS NULL;
