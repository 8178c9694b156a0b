-- 满意度调查 (004 §4): the survey settings, and one row per resolved ticket — surveyed
-- (with its link's expiry and the answer) or skipped with the reason.
CREATE TABLE csat_settings (
    id INTEGER PRIMARY KEY,
    active INTEGER NOT NULL,
    -- Types and channels surveyed, ",inquiry,email,"-style; every one when empty.
    ticket_types TEXT NOT NULL,
    channels TEXT NOT NULL,
    quiet_days INTEGER NOT NULL,
    link_days INTEGER NOT NULL,
    change_days INTEGER NOT NULL,
    low_score INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO settings_versions (name, version) VALUES ('csat', 1);

CREATE TABLE csat_surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
    customer_id INTEGER REFERENCES customers (id),
    -- Whom the survey went to ("e:mail@x", "p:13812345678", "r:42"): at most one per
    -- contact in the quiet days.
    contact_key TEXT,
    -- The ticket's assignee and group when it was resolved: whose service is rated.
    agent_id INTEGER REFERENCES users (id),
    group_id INTEGER REFERENCES ticket_groups (id),
    channel TEXT NOT NULL,
    ticket_type TEXT NOT NULL,
    -- sent | skipped
    state TEXT NOT NULL,
    skip_reason TEXT,
    -- The ticket message that carried the link.
    message_id INTEGER,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER,
    score INTEGER,
    comment TEXT,
    answered_at INTEGER,
    changed_at INTEGER,
    -- A score at or under the low mark, waiting for (or given) the lead's follow-up.
    low INTEGER NOT NULL DEFAULT 0,
    handled_at INTEGER,
    handled_by INTEGER REFERENCES users (id),
    handling_note TEXT
);
CREATE INDEX csat_surveys_contact ON csat_surveys (contact_key, sent_at);
CREATE INDEX csat_surveys_answered ON csat_surveys (answered_at);
CREATE INDEX csat_surveys_low ON csat_surveys (low, handled_at, agent_id);
CREATE INDEX tickets_resolved ON tickets (resolved_at);
