-- 改善措施 — improvement measures on quality anomalies: corrective or preventive, owned
-- and due, the manager's instruction recorded, carried out by the owner and verified by
-- someone else some days after; reminders and escalation are marked once per day.
CREATE TABLE quality_measures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    anomaly_id INTEGER NOT NULL REFERENCES quality_anomalies (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users (id),
    due_on TEXT NOT NULL,
    instruction TEXT NOT NULL DEFAULT '',
    instructed_by INTEGER REFERENCES users (id),
    instructed_at INTEGER,
    status TEXT NOT NULL,
    progress_note TEXT NOT NULL DEFAULT '',
    done_on TEXT,
    verified_by INTEGER REFERENCES users (id),
    verified_at INTEGER,
    verdict_note TEXT NOT NULL DEFAULT '',
    recurrences INTEGER,
    reminded_on TEXT,
    escalated_on TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quality_measures_anomaly ON quality_measures (anomaly_id);
CREATE INDEX quality_measures_due ON quality_measures (status, due_on);
CREATE INDEX quality_measures_owner ON quality_measures (owner_id, status);
