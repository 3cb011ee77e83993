-- The business clock's record (CONTRACTS.md "Clock"; shared/src/clock.c).
-- The Redis clock (cs:clock:now_ms) is lost with Redis (restart without
-- persistence, FLUSHALL); every set, advance and reset is also written
-- here, and a reader that finds the key gone puts it back from this row
-- instead of going on at real time. One row, always there: writers lock
-- it (FOR UPDATE) around their Redis step, restorers share-lock it, so
-- the two take turns even when no clock was ever set.
CREATE TABLE IF NOT EXISTS clock_record (
    id smallint PRIMARY KEY CHECK (id = 1),
    now_ms bigint,                -- the clock after the last operation; NULL: no clock set, real time
    op text NOT NULL CHECK (op IN ('none', 'set', 'advance', 'reset')), -- that operation
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO clock_record (id, now_ms, op) VALUES (1, NULL, 'none') ON CONFLICT (id) DO NOTHING;
