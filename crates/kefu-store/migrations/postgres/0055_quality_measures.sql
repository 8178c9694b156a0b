-- 改善措施 — improvement measures on quality anomalies: corrective or preventive, owned
-- and due, the manager's instruction recorded, carried out by the owner and verified by
-- someone else some days after; reminders and escalation are marked once per day.
CREATE TABLE quality_measures (
    id BIGSERIAL PRIMARY KEY,
    anomaly_id BIGINT NOT NULL REFERENCES quality_anomalies (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    due_on TEXT NOT NULL,
    instruction TEXT NOT NULL DEFAULT '',
    instructed_by BIGINT REFERENCES users (id),
    instructed_at BIGINT,
    status TEXT NOT NULL,
    progress_note TEXT NOT NULL DEFAULT '',
    done_on TEXT,
    verified_by BIGINT REFERENCES users (id),
    verified_at BIGINT,
    verdict_note TEXT NOT NULL DEFAULT '',
    recurrences INTEGER,
    reminded_on TEXT,
    escalated_on TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quality_measures_anomaly ON quality_measures (anomaly_id);
CREATE INDEX quality_measures_due ON quality_measures (status, due_on);
CREATE INDEX quality_measures_owner ON quality_measures (owner_id, status);
