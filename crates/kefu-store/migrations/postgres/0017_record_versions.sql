-- 版本 — editable records carry a version: every write that changes the record moves it on
-- (`version = version + 1` in the same UPDATE), and a write made against a version that is
-- no longer the stored one is refused instead of silently undoing the other person's work.
-- Rows written in bulk (intake, demo, imports) start at the default, 1.
ALTER TABLE tickets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

-- The ticket's version a recorded change was made on, so a refused write can name the
-- fields changed since the version its writer saw. Empty for changes recorded before this.
ALTER TABLE ticket_events ADD COLUMN ticket_version BIGINT;
