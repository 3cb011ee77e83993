-- 0014_disputes: RF-11's count of a shop's disputes per local calendar
-- month (workers/refund-notifier/refunds.c, docs/aftersales.md "RF-11").
--
-- One row per disputed case, written once: the case's first entry into
-- PLATFORM_INTERVENED. month_n is the case's place among the shop's
-- disputes of that month (1, 2, ...), as the worker counted it and handed
-- it to rf11_dispute_month(): the 4th raised the alert, the 6th the
-- campaign bar; `cscli report daily` shows the day's alert from it. The
-- month is the local calendar month of the intervention's event time in
-- the shop's zone, month_start_ms its first instant.
CREATE TABLE IF NOT EXISTS disputes (
    shop_id         text    NOT NULL,
    case_id         text    NOT NULL,
    order_id        text,
    opened_ms       bigint  NOT NULL,   -- the intervention's event time
    month_start_ms  bigint  NOT NULL,   -- rf11_month_start_ms(opened_ms)
    month_n         int     NOT NULL,   -- 1 = the month's first dispute
    PRIMARY KEY (shop_id, case_id)
);
-- cscli report daily: the shop's disputes of a day
CREATE INDEX IF NOT EXISTS disputes_opened ON disputes (shop_id, opened_ms);

-- The running count per (shop, month). The worker increments it in the
-- same statement that inserts the dispute, so the row lock serialises two
-- batches counting disputes of one shop at once: each gets its own n, and
-- exactly one gets dispute_alert_at (a plain count(*) would let two
-- concurrent batches both see 4).
CREATE TABLE IF NOT EXISTS dispute_months (
    shop_id         text    NOT NULL,
    month_start_ms  bigint  NOT NULL,
    n               int     NOT NULL,
    PRIMARY KEY (shop_id, month_start_ms)
);
