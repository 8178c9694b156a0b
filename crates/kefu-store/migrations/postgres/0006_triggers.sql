-- 触发器: automation rules on tickets, and the record of time triggers having fired.
CREATE TABLE triggers (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- create | update | time
    event TEXT NOT NULL,
    -- JSON array of conditions, all of which must hold.
    conditions TEXT NOT NULL,
    -- JSON array of actions.
    actions TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    position BIGINT NOT NULL DEFAULT 100,
    fire_count BIGINT NOT NULL DEFAULT 0,
    -- Why the trigger last could not run (a retired field, a deactivated user…).
    last_error TEXT,
    last_error_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A time trigger fires once per ticket until someone changes the ticket again.
CREATE TABLE trigger_firings (
    trigger_id BIGINT NOT NULL REFERENCES triggers (id),
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    fired_at BIGINT NOT NULL,
    -- The ticket's updated_at after the firing: a later change makes it eligible again.
    seen_updated_at BIGINT NOT NULL,
    PRIMARY KEY (trigger_id, ticket_id)
);

-- When the ticket entered its current status (time conditions measure from here).
ALTER TABLE tickets ADD COLUMN status_changed_at BIGINT;
UPDATE tickets SET status_changed_at = updated_at;
CREATE INDEX tickets_status_changed ON tickets (status_category, status_changed_at);
