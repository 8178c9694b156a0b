-- 每日抽检与质检 — the day's sample (its rules and seed, so it can be drawn again) and the
-- inspections it made: each on one ticket, call or visit, by one inspector on one
-- scorecard version, with a score per item, then the agent's acknowledgement or appeal
-- and the manager's decision.
CREATE TABLE quality_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at INTEGER NOT NULL
);
INSERT INTO settings_versions (name, version) VALUES ('quality', 1);

CREATE TABLE quality_samples (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_date TEXT NOT NULL UNIQUE,
    covers_from INTEGER NOT NULL,
    covers_to INTEGER NOT NULL,
    seed TEXT NOT NULL,
    rules TEXT NOT NULL,
    candidates INTEGER NOT NULL,
    drawn_at INTEGER NOT NULL,
    drawn_by INTEGER REFERENCES users (id)
);

CREATE TABLE quality_inspections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id INTEGER NOT NULL REFERENCES quality_samples (id),
    source_kind TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    rule TEXT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    inspector_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL,
    scorecard_version_id INTEGER REFERENCES quality_scorecard_versions (id),
    score_tenths INTEGER,
    passed INTEGER,
    critical_failed INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    scored_at INTEGER,
    appeal_due_at INTEGER,
    acknowledged_at INTEGER,
    appeal_reason TEXT NOT NULL DEFAULT '',
    appealed_at INTEGER,
    decision TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER,
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (sample_id, source_kind, source_id)
);
CREATE INDEX quality_inspections_inspector ON quality_inspections (inspector_id, status, id);
CREATE INDEX quality_inspections_agent ON quality_inspections (agent_id, status, id);
CREATE INDEX quality_inspections_status ON quality_inspections (status, id);

CREATE TABLE quality_item_scores (
    inspection_id INTEGER NOT NULL REFERENCES quality_inspections (id),
    item_key TEXT NOT NULL,
    score INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspection_id, item_key)
);

-- What the sample reads by time: deadlines breached and calls ended in a day.
CREATE INDEX ticket_events_sla_breach ON ticket_events (at) WHERE field = 'sla_breach';
CREATE INDEX phone_calls_ended ON phone_calls (ended_at);
