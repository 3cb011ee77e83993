-- One case store for the case-keeping workers (shared/src/casestore.c): the
-- refund-notifier's after-sales cases now, the review-scheduler's next. doc
-- is the worker's own protobuf state (cs.v1.RefundCaseState for kind
-- 'aftersales'); the other columns are copies for queries and reports.
CREATE TABLE IF NOT EXISTS cases (
    shop_id     text    NOT NULL,
    case_id     text    NOT NULL,
    kind        text    NOT NULL CHECK (kind IN ('aftersales', 'review')),
    order_id    text,
    stage       text,
    opened_ms   bigint,
    closed_ms   bigint,
    updated_ms  bigint  NOT NULL,
    doc         bytea   NOT NULL,
    PRIMARY KEY (shop_id, kind, case_id)
);
CREATE INDEX IF NOT EXISTS cases_order ON cases (shop_id, order_id);
