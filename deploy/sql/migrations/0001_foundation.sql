-- 0001_foundation: the record of orders, verdicts, stock and the runtime's
-- own tables (dedupe, outbox). Applied once by deploy/local/migrate.sh,
-- which records it in schema_migrations. Every money column is integer fen;
-- every *_ms column is unix epoch milliseconds (business time).

-- Runtime: one row per input event a worker applied (or dead-lettered).
-- The primary key is the dedupe: a replayed event inserts nothing.
CREATE TABLE processed_events (
    worker       text        NOT NULL,
    event_id     text        NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (worker, event_id)
);

-- Runtime: outbound records written in the batch transaction and deleted
-- once Kafka acknowledged them. One row per batch: records holds the batch's
-- records packed (five length-prefixed fields each: topic, key, event id,
-- headers as "name=value" lines, payload). Rows left by a crash are produced
-- again by the relay sweep (same event ids; consumers dedupe).
CREATE TABLE outbox (
    id         bigserial   PRIMARY KEY,
    worker     text        NOT NULL,
    batch_id   text        NOT NULL,
    nrecords   int         NOT NULL,
    records    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Packed records do not compress well and are read back at most once.
ALTER TABLE outbox ALTER COLUMN records SET STORAGE EXTERNAL;
CREATE INDEX outbox_batch ON outbox (batch_id);

-- Counts of dead-lettered events by worker/topic/reason class, for reports.
CREATE TABLE dead_letters (
    worker     text        NOT NULL,
    event_id   text        NOT NULL,
    topic      text        NOT NULL,
    part       int         NOT NULL,
    "offset"   bigint      NOT NULL,
    reason     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (worker, event_id)
);

-- The verifier's merged view of each order (OV-12). doc is the protobuf
-- cs.v1.OrderState; the other columns are its queryable projection.
CREATE TABLE orders (
    shop_id          text    NOT NULL,
    order_id         text    NOT NULL,
    version          int     NOT NULL,
    state            text    NOT NULL,           -- VERIFIED, PENDING_PAYMENT, ..., or NEW before the first verdict
    reasons          text[]  NOT NULL DEFAULT '{}',
    buyer_id         text,
    channel          text,
    created_ms       bigint,
    paid_ms          bigint,
    shipped_ms       bigint,
    cancelled_ms     bigint,
    item_total_fen   bigint,
    payable_fen      bigint,
    paid_fen         bigint,
    courier          text,
    restock_date_ms  bigint,
    doc              bytea   NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX orders_state ON orders (shop_id, state);

-- One verdict per order version (OV-12).
CREATE TABLE verdicts (
    shop_id          text    NOT NULL,
    order_id         text    NOT NULL,
    version          int     NOT NULL,
    state            text    NOT NULL,
    reasons          jsonb   NOT NULL,   -- [{"rule","code","detail"}]
    annotations      jsonb   NOT NULL,   -- [{"rule","code","detail","line_id"}]
    courier          text,
    item_total_fen   bigint  NOT NULL,
    payable_fen      bigint  NOT NULL,
    decided_ms       bigint  NOT NULL,
    trigger_event_id text    NOT NULL,
    produced_ms      bigint,             -- record timestamp of the triggering event (latency)
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (shop_id, order_id, version)
);

-- OV-8: sellable units per SKU. available never goes below zero: two orders
-- can never both take the last unit because every reservation updates this
-- row under its row lock.
CREATE TABLE stock (
    shop_id          text    NOT NULL,
    sku              text    NOT NULL,
    available        int     NOT NULL CHECK (available >= 0),
    restock_date_ms  bigint  NOT NULL DEFAULT 0,
    counted_ms       bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (shop_id, sku)
);

-- OV-8: units an order holds, per SKU.
CREATE TABLE stock_reservations (
    shop_id   text   NOT NULL,
    order_id  text   NOT NULL,
    sku       text   NOT NULL,
    quantity  int    NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shop_id, order_id, sku)
);

-- OV-8: orders waiting for a SKU (OUT_OF_STOCK), re-verified oldest payment
-- first when it is restocked.
CREATE TABLE stock_waits (
    shop_id   text   NOT NULL,
    sku       text   NOT NULL,
    order_id  text   NOT NULL,
    paid_ms   bigint NOT NULL,
    PRIMARY KEY (shop_id, sku, order_id)
);
CREATE INDEX stock_waits_fifo ON stock_waits (shop_id, sku, paid_ms, order_id);
CREATE INDEX stock_waits_order ON stock_waits (shop_id, order_id);

-- OV-9: fingerprint (buyer, normalised address, SKUs and quantities) of
-- every order; a second order with the same one within 24 h is held.
-- Read and locked per buyer: two orders of one buyer on different partitions
-- are verified one after the other (advisory lock on shop+buyer).
CREATE TABLE order_fingerprints (
    shop_id     text   NOT NULL,
    buyer_id    text   NOT NULL,
    order_id    text   NOT NULL,
    fingerprint text   NOT NULL,
    created_ms  bigint NOT NULL,
    PRIMARY KEY (shop_id, order_id)
);
CREATE INDEX order_fingerprints_buyer ON order_fingerprints (shop_id, buyer_id);

-- OV-11: after-sales cases with a quality reason, per SKU.
CREATE TABLE quality_cases (
    shop_id     text   NOT NULL,
    case_id     text   NOT NULL,
    sku         text   NOT NULL,
    opened_ms   bigint NOT NULL,
    PRIMARY KEY (shop_id, case_id)
);
CREATE INDEX quality_cases_sku ON quality_cases (shop_id, sku, opened_ms);

-- Agent tasks every worker creates (cs.tasks.v1 carries the same).
CREATE TABLE tasks (
    shop_id     text    NOT NULL,
    task_id     text    NOT NULL,
    order_id    text,
    kind        text    NOT NULL,
    rule        text    NOT NULL,
    summary     text    NOT NULL,
    shift       text,
    urgent      boolean NOT NULL DEFAULT false,
    due_ms      bigint,
    created_ms  bigint  NOT NULL,
    closed_ms   bigint,
    PRIMARY KEY (shop_id, task_id)
);
CREATE INDEX tasks_open ON tasks (shop_id, created_ms) WHERE closed_ms IS NULL;

-- Notification requests as made (the notifier records their fate).
CREATE TABLE notification_requests (
    shop_id          text   NOT NULL,
    idempotency_key  text   NOT NULL,
    order_id         text,
    rule             text   NOT NULL,
    template         text   NOT NULL,
    channel          text   NOT NULL,
    class            text   NOT NULL,
    created_ms       bigint NOT NULL,
    PRIMARY KEY (shop_id, idempotency_key)
);

-- Durable timers: the record the Redis schedule is rebuilt from.
CREATE TABLE timers (
    owner       text   NOT NULL,
    timer_id    text   NOT NULL,
    order_key   text   NOT NULL,
    kind        text   NOT NULL,
    due_ms      bigint NOT NULL,
    payload     bytea  NOT NULL DEFAULT '',
    status      text   NOT NULL DEFAULT 'pending',   -- pending, fired, cancelled
    PRIMARY KEY (owner, timer_id)
);
CREATE INDEX timers_pending ON timers (due_ms) WHERE status = 'pending';
