-- Fewer rows and index entries per verified order (docs/performance.md).
--
-- 1. OV-9's fingerprint moves into orders. It was a second row per order
--    with two indexes of its own; the per-buyer lookup now reads orders
--    through orders_buyer_paid (shop_id, buyer_id, ...), which exists for
--    the exception-handler anyway.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS fingerprint text;
DO $$
BEGIN
  IF to_regclass('order_fingerprints') IS NOT NULL THEN
    UPDATE orders o SET fingerprint = f.fingerprint
      FROM order_fingerprints f WHERE f.shop_id = o.shop_id AND f.order_id = o.order_id;
    DROP TABLE order_fingerprints;
  END IF;
END $$;

-- 2. OV-13 is one sweep per shop and day (a timer "ov13.sweep@<shop>:"),
--    not one timer per paid order: the sweep pages through the shop's paid,
--    unshipped, uncancelled orders in payment order with this index.
--    orders_state (shop_id, state) served no query; it goes.
DROP INDEX IF EXISTS orders_state;
CREATE INDEX IF NOT EXISTS orders_unshipped ON orders (shop_id, paid_ms, order_id)
    WHERE paid_ms IS NOT NULL AND shipped_ms IS NULL AND cancelled_ms IS NULL;

-- The per-order sweep timers still pending are replaced by the shop's
-- sweep. Their Redis members may still fire; the verifier takes such a
-- firing and does nothing with it.
DELETE FROM timers WHERE owner = 'order-verifier' AND kind = 'ov13.sweep' AND order_key NOT LIKE '%:';
