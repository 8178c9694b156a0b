-- 每日抽检与质检 — the day's sample (its rules and seed, so it can be drawn again) and the
-- inspections it made: each on one ticket, call or visit, by one inspector on one
-- scorecard version, with a score per item, then the agent's acknowledgement or appeal
-- and the manager's decision.
CREATE TABLE quality_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
INSERT INTO settings_versions (name, version) VALUES ('quality', 1);

CREATE TABLE quality_samples (
    id BIGSERIAL PRIMARY KEY,
    sample_date TEXT NOT NULL UNIQUE,
    covers_from BIGINT NOT NULL,
    covers_to BIGINT NOT NULL,
    seed TEXT NOT NULL,
    rules TEXT NOT NULL,
    candidates INTEGER NOT NULL,
    drawn_at BIGINT NOT NULL,
    drawn_by BIGINT REFERENCES users (id)
);

CREATE TABLE quality_inspections (
    id BIGSERIAL PRIMARY KEY,
    sample_id BIGINT NOT NULL REFERENCES quality_samples (id),
    source_kind TEXT NOT NULL,
    source_id BIGINT NOT NULL,
    rule TEXT NOT NULL,
    agent_id BIGINT NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    inspector_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL,
    scorecard_version_id BIGINT REFERENCES quality_scorecard_versions (id),
    score_tenths BIGINT,
    passed INTEGER,
    critical_failed INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    scored_at BIGINT,
    appeal_due_at BIGINT,
    acknowledged_at BIGINT,
    appeal_reason TEXT NOT NULL DEFAULT '',
    appealed_at BIGINT,
    decision TEXT,
    decision_note TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (sample_id, source_kind, source_id)
);
CREATE INDEX quality_inspections_inspector ON quality_inspections (inspector_id, status, id);
CREATE INDEX quality_inspections_agent ON quality_inspections (agent_id, status, id);
CREATE INDEX quality_inspections_status ON quality_inspections (status, id);

CREATE TABLE quality_item_scores (
    inspection_id BIGINT NOT NULL REFERENCES quality_inspections (id),
    item_key TEXT NOT NULL,
    score INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspection_id, item_key)
);

-- What the sample reads by time: deadlines breached and calls ended in a day.
CREATE INDEX ticket_events_sla_breach ON ticket_events (at) WHERE field = 'sla_breach';
CREATE INDEX phone_calls_ended ON phone_calls (ended_at);
