-- OV-8's reservations move into the order's own row (docs/performance.md).
--
-- They were one stock_reservations row per (order, SKU) with a primary key
-- of their own: a heap row and an index entry per SKU line of every order
-- verified, deleted and written again whenever an order changed, and a
-- second lookup to load them. They are read and written only together with
-- the order (the verifier loads an order with them and rewrites them with
-- it), so they are two array columns of orders now, written in the same
-- row. stock_reservations stays as a view with the old columns, for
-- operators and their queries.
ALTER TABLE orders ADD COLUMN IF NOT EXISTS reserved_skus text[];
ALTER TABLE orders ADD COLUMN IF NOT EXISTS reserved_qty int[];

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'stock_reservations' AND relkind = 'r'
             AND relnamespace = 'public'::regnamespace) THEN
    UPDATE orders o SET reserved_skus = r.skus, reserved_qty = r.qty
      FROM (SELECT shop_id, order_id, array_agg(sku ORDER BY sku) AS skus, array_agg(quantity ORDER BY sku) AS qty
              FROM stock_reservations GROUP BY shop_id, order_id) r
     WHERE r.shop_id = o.shop_id AND r.order_id = o.order_id;
    DROP TABLE stock_reservations;
  END IF;
END $$;

-- One row per (order, SKU) an order holds units of, as the table had.
CREATE OR REPLACE VIEW stock_reservations AS
SELECT o.shop_id, o.order_id, r.sku, r.quantity
  FROM orders o CROSS JOIN LATERAL unnest(o.reserved_skus, o.reserved_qty) AS r(sku, quantity)
 WHERE o.reserved_skus IS NOT NULL;
