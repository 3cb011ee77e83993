-- One refund is asked of finance once (EX-8 and RF-7): the refund-notifier
-- reads the exception-handler's cancellations registry by order when a
-- case reaches REFUNDED (workers/refund-notifier/refunds.c, cancelRefunded).
CREATE INDEX IF NOT EXISTS cancellations_order ON cancellations (shop_id, order_id);
