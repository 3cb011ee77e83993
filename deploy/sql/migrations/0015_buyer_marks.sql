-- RV-3: an agent's mark on a buyer ("difficult"), kept per shop and buyer
-- so that every later follow-up case of that buyer proposes a return or
-- an exchange, not only the case the agent was working on.
CREATE TABLE IF NOT EXISTS buyer_marks (
    shop_id     text    NOT NULL,
    buyer_id    text    NOT NULL,
    difficult   boolean NOT NULL,
    marked_ms   bigint  NOT NULL,
    agent       text    NOT NULL DEFAULT '',
    event_id    text    NOT NULL,
    PRIMARY KEY (shop_id, buyer_id)
);
