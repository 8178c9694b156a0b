-- 版本 — settings carry a version like tickets, customers (0017) and complaints (0019):
-- every write that changes one moves it on, and a form or `If-Match` made against an older
-- version is refused instead of silently undoing another administrator's change.
ALTER TABLE ticket_groups ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sla_policies ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE calendars ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE triggers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reply_scripts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Settings edited as one sheet (the complaint deadline grid, the credit model) have one
-- version for the whole sheet. A reveal grant is set one role at a time to a value the
-- administrator sees, so it has no sheet to go stale.
CREATE TABLE settings_versions (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
INSERT INTO settings_versions (name, version) VALUES
    ('complaint_deadlines', 1), ('credit_model', 1);
