-- 0019_dead_letter_bytes: a dead letter keeps its whole record, and says
-- when its copy on Kafka is not whole or could not be published at all.
--
-- A record that only just fitted its topic (the broker takes ~1 MiB) does
-- not fit as a dead letter (its bytes plus the headers that say why): its
-- copy on <topic>.dlq is cut to fit, with the header truncated=<size>, and
-- the bytes live here. A record Kafka refuses for good (too large, invalid,
-- no such topic) is dead-lettered here only, publish_error saying why,
-- instead of being retried for ever from the outbox (docs/architecture.md).
ALTER TABLE dead_letters
    ADD COLUMN key             text,   -- the record's key ("" when it was not clean text)
    ADD COLUMN payload         bytea,  -- the record's value, whole (NULL: a row from before 0019)
    ADD COLUMN publish_error   text,   -- why Kafka refused it for good; NULL when published
    ADD COLUMN dlq_value_bytes int;    -- value bytes on <topic>.dlq when cut to fit; NULL when whole
-- Random or compressed bytes mostly: not worth compressing.
ALTER TABLE dead_letters ALTER COLUMN payload SET STORAGE EXTERNAL;
