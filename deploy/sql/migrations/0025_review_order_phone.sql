-- 0025_review_order_phone: the review-scheduler reads the order's phone.
--
-- A review that names no number (a Taobao TradeRated carries the buyer's
-- nick, not a phone) still gets RV-4's follow-up SMS: the review-scheduler
-- takes the order's receiver phone as the verifier stored it
-- (reviews.c:rvPrepare -> readmodel.c:cs_order_prefetch, the batch's in one
-- SELECT doc; reviews.c:onReview -> cs_order_load), and NT-4's
-- opt-outs are looked up for that number. Read only, as the exception-handler
-- and the refund-notifier read orders (migration 0022).
GRANT SELECT ON orders TO cs_review_scheduler;
