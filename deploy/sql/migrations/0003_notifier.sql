-- 0003_notifier: the notifier's record of every message it was asked to
-- send (NT-1..NT-5) and of the buyers' opt-outs (NT-4). Applied once by
-- deploy/local/migrate.sh. *_ms columns are business time (the clock of
-- CONTRACTS.md), unix epoch milliseconds.

-- One row per notification request, keyed like the request: the
-- idempotency key fixed when it was made (NT-1). The row is written in the
-- same transaction as the input event's dedupe row and the Kafka progress,
-- so a replayed request finds it and sends nothing; a crash before it
-- commits re-delivers the request, and the provider is called again with
-- the same Idempotency-Key (the provider dedupes by key).
--   status sent       the provider answered 2xx (or the log provider wrote it)
--          held       NT-2 quiet hours or NT-3 daily cap: release_ms says when
--                     it goes out (a timer "nt.release" fires then)
--          suppressed NT-4 opt-out (follow-ups only)
--          failed     permanent (4xx, bad template, no recipient) or, when
--                     permanent is false, retries exhausted and dead-lettered;
--                     a request with the same key is tried again only then
CREATE TABLE messages (
    shop_id          text    NOT NULL,
    idempotency_key  text    NOT NULL,
    order_id         text    NOT NULL DEFAULT '',
    to_addr          text    NOT NULL,                   -- canonical number or IM handle
    channel          text    NOT NULL,                   -- IM, SMS
    class            text    NOT NULL,                   -- SERVICE, FOLLOW_UP
    template         text    NOT NULL,
    rule             text    NOT NULL DEFAULT '',        -- the rule that asked (NT-6, EX-4, ...)
    params           jsonb   NOT NULL DEFAULT '{}',
    body             text,                               -- rendered text as sent
    status           text    NOT NULL CHECK (status IN ('sent', 'held', 'suppressed', 'failed')),
    reason           text    NOT NULL DEFAULT '',        -- QUIET_HOURS, DAILY_CAP, OPTED_OUT, http 400, ...
    permanent        boolean NOT NULL DEFAULT false,     -- failed: never retried
    release_ms       bigint,                             -- held: when the window opens
    attempts         int     NOT NULL DEFAULT 0,         -- provider calls made (all batches)
    http_status      int,                                -- last provider answer
    provider         text    NOT NULL DEFAULT '',        -- http, log
    requested_ms     bigint  NOT NULL,                   -- business time the request came in
    sent_ms          bigint,                             -- business time it was sent (NT-3 counts these)
    updated_ms       bigint  NOT NULL,
    request          bytea   NOT NULL,                   -- the cs.v1.NotificationRequest, for releases
    PRIMARY KEY (shop_id, idempotency_key)
);
-- NT-3: messages sent to one number by one shop, by time.
CREATE INDEX messages_sent_to ON messages (shop_id, to_addr, sent_ms) WHERE status = 'sent';
-- cscli messages list --order K
CREATE INDEX messages_order ON messages (shop_id, order_id);
CREATE INDEX messages_held ON messages (release_ms) WHERE status = 'held';

-- NT-4: a number that replied T, TD or 退订 to a shop receives no more
-- follow-ups from that shop until an operator lifts it (lifted_ms set).
CREATE TABLE message_optouts (
    shop_id        text   NOT NULL,
    to_addr        text   NOT NULL,     -- canonical number
    opted_out_ms   bigint NOT NULL,
    event_id       text   NOT NULL,     -- the inbound SMS that asked
    lifted_ms      bigint,              -- NULL while in force
    lifted_by      text,
    PRIMARY KEY (shop_id, to_addr)
);
