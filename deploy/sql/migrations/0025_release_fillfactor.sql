-- 0025_release_fillfactor: room on each page for a held message's release.
--
-- A review's follow-ups are held by the notifier on day 1 (a messages row,
-- status 'held', and its nt.release timer) and released on day 2 or 3: the
-- message row is updated to its outcome and the timer row to 'fired'.
-- Neither update can be heap-only (status, sent_ms, release_ms and
-- updated_ms are in index keys or predicates), but with room left on the
-- page the new row version stays on the page of the old one: a release
-- touches one heap page per row instead of two, and after a checkpoint
-- logs one full-page image instead of two (docs/performance.md, "The
-- release path"). Applies to pages written from now on.
ALTER TABLE messages SET (fillfactor = 80);
ALTER TABLE timers SET (fillfactor = 80);
