-- Cases are rewritten whole at every step of their life (the document and
-- its copied columns), most often with no indexed column changed (a
-- follow-up SMS day, a stage within the same open state). With room left
-- on each page PostgreSQL can make such an update a heap-only tuple: no
-- new entry in each of the table's four indexes. Applies to pages written
-- from now on.
ALTER TABLE cases SET (fillfactor = 70);
