-- 触发器: automation rules on tickets, and the record of time triggers having fired.
CREATE TABLE triggers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- create | update | time
    event TEXT NOT NULL,
    -- JSON array of conditions, all of which must hold.
    conditions TEXT NOT NULL,
    -- JSON array of actions.
    actions TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL DEFAULT 100,
    fire_count INTEGER NOT NULL DEFAULT 0,
    -- Why the trigger last could not run (a retired field, a deactivated user…).
    last_error TEXT,
    last_error_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A time trigger fires once per ticket until someone changes the ticket again.
CREATE TABLE trigger_firings (
    trigger_id INTEGER NOT NULL REFERENCES triggers (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    fired_at INTEGER NOT NULL,
    -- The ticket's updated_at after the firing: a later change makes it eligible again.
    seen_updated_at INTEGER NOT NULL,
    PRIMARY KEY (trigger_id, ticket_id)
);

-- When the ticket entered its current status (time conditions measure from here).
ALTER TABLE tickets ADD COLUMN status_changed_at INTEGER;
UPDATE tickets SET status_changed_at = updated_at;
CREATE INDEX tickets_status_changed ON tickets (status_category, status_changed_at);
