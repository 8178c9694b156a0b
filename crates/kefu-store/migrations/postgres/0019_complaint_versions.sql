-- 版本 — complaints carry a version like tickets and customers (0017): every write to the
-- complaint (a step moving it on, a note on its log, a deadline mark) moves it on
-- (`version = version + 1` in the same statement), and a step taken on a page or with an
-- `If-Match` that shows an older version is refused instead of moving the complaint twice.
-- Complaints written in bulk (demo, imports) start at the default, 1.
ALTER TABLE complaints ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
