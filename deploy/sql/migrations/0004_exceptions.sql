-- 0004_exceptions: the exception-handler's state (RULES.md section 2).
-- Money columns are integer fen; *_ms columns are unix epoch milliseconds
-- (business time). Written only inside the worker's batch transactions.

-- One row per exception (EX-1..EX-6): opened by an EXCEPTION verdict,
-- closed when the order leaves the exception (a later verdict that is not
-- EXCEPTION, shipment, cancellation, close) or the buyer agreed on a call.
-- At most one open exception per order. The *_due_ms columns keep EX-6's
-- instants next to the durable timers that act on them.
CREATE TABLE exceptions (
    shop_id          text    NOT NULL,
    exception_id     text    NOT NULL,       -- derived from the opening verdict's event id
    order_id         text    NOT NULL,
    reasons          text    NOT NULL,       -- verdict reason codes, comma-separated
    plan_rule        text,                   -- EX-1, EX-2, EX-3, EX-5 or EX-6 (how it is worked)
    opened_ms        bigint  NOT NULL,       -- day 1 = its local date
    local_day        text    NOT NULL,       -- YYYY-MM-DD of opened_ms in the shop's zone
    restock_date_ms  bigint  NOT NULL DEFAULT 0,
    requeue_due_ms   bigint,                 -- EX-6: end of day 1 (top of the middle shift's queue)
    escalate_due_ms  bigint  NOT NULL,       -- EX-6: start of day 3
    breach_due_ms    bigint  NOT NULL,       -- EX-6: end of day 3
    requeued_ms      bigint,
    escalated_ms     bigint,
    breached_ms      bigint,
    written_sent_ms  bigint,                 -- EX-4: its one written message
    closed_ms        bigint,
    close_reason     text,
    PRIMARY KEY (shop_id, exception_id)
);
CREATE UNIQUE INDEX exceptions_open_order ON exceptions (shop_id, order_id) WHERE closed_ms IS NULL;
CREATE INDEX exceptions_order ON exceptions (shop_id, order_id);

-- EX-8: the cancellation registry (取消订单登记), one row per cancellation
-- event, dated the local day it was registered.
CREATE TABLE cancellations (
    shop_id        text    NOT NULL,
    event_id       text    NOT NULL,
    order_id       text    NOT NULL,
    line_ids       text[]  NOT NULL DEFAULT '{}',   -- empty = the whole order
    reason         text    NOT NULL,
    refund_fen     bigint  NOT NULL DEFAULT 0,      -- asked of finance (0 = nothing paid)
    stock_returned jsonb   NOT NULL DEFAULT '[]',   -- [{"sku","quantity"}] for 入库登记
    registered_ms  bigint  NOT NULL,
    local_day      text    NOT NULL,
    PRIMARY KEY (shop_id, event_id)
);
CREATE INDEX cancellations_day ON cancellations (shop_id, local_day);

-- EX-9: complaints with their level deadline.
CREATE TABLE complaints (
    shop_id       text    NOT NULL,
    complaint_id  text    NOT NULL,
    order_id      text,
    buyer_id      text,
    level         int     NOT NULL,   -- 1 L1 urgent, 2 L2 experience, 3 L3 enquiry
    opened_ms     bigint  NOT NULL,
    deadline_ms   bigint  NOT NULL,   -- 0 = none (unknown level)
    met_ms        bigint,             -- the level's action done
    breached_ms   bigint,
    closed_ms     bigint,
    vip           boolean NOT NULL DEFAULT false,
    PRIMARY KEY (shop_id, complaint_id)
);
CREATE INDEX complaints_buyer ON complaints (shop_id, buyer_id, opened_ms);

-- EX-9: buyers flagged VIP (the flag stays; the reason says why).
CREATE TABLE buyers (
    shop_id       text    NOT NULL,
    buyer_id      text    NOT NULL,
    vip           boolean NOT NULL DEFAULT false,
    vip_reason    text,
    vip_since_ms  bigint,
    PRIMARY KEY (shop_id, buyer_id)
);
-- The VIP paid-orders window reads the verifier's orders by buyer.
CREATE INDEX IF NOT EXISTS orders_buyer_paid ON orders (shop_id, buyer_id, paid_ms);

-- EX-7: one compensation per after-sales case.
CREATE TABLE compensations (
    shop_id       text    NOT NULL,
    case_id       text    NOT NULL,
    order_id      text,
    refunded_fen  bigint  NOT NULL,
    amount_fen    bigint  NOT NULL,
    created_ms    bigint  NOT NULL,
    PRIMARY KEY (shop_id, case_id)
);

-- Finance requests as made (cs.finance.v1 carries the same).
CREATE TABLE finance_requests (
    shop_id     text    NOT NULL,
    request_id  text    NOT NULL,
    order_id    text,
    kind        text    NOT NULL,    -- refund, compensation
    amount_fen  bigint  NOT NULL,
    rule        text    NOT NULL,
    reason      text    NOT NULL,
    created_ms  bigint  NOT NULL,
    PRIMARY KEY (shop_id, request_id)
);

-- Missed deadlines (EX-6, EX-9), one per subject (cs.sla.v1 carries the same).
CREATE TABLE sla_breaches (
    shop_id      text    NOT NULL,
    subject      text    NOT NULL,   -- exception, complaint
    subject_id   text    NOT NULL,
    order_id     text,
    rule         text    NOT NULL,
    deadline_ms  bigint  NOT NULL,
    breached_ms  bigint  NOT NULL,
    detail       text    NOT NULL,
    PRIMARY KEY (shop_id, subject, subject_id)
);

-- Agent tasks: who takes it (the supervisor, or the shift's queue), and
-- EX-6's place in the queue.
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS assignee text;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS top_of_queue boolean NOT NULL DEFAULT false;
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS queue_at_ms bigint;
CREATE INDEX IF NOT EXISTS tasks_order ON tasks (shop_id, order_id);
