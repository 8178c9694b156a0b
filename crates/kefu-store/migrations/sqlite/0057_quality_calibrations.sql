-- 质检校准 — an inspection scored again, blind, by a second inspector (once each), its
-- item scores kept apart from the agent's result for comparing the two.
CREATE TABLE quality_calibrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    inspection_id INTEGER NOT NULL REFERENCES quality_inspections (id),
    inspector_id INTEGER NOT NULL REFERENCES users (id),
    asked_by INTEGER REFERENCES users (id),
    asked_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    score_tenths INTEGER,
    passed INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    scored_at INTEGER,
    UNIQUE (inspection_id, inspector_id)
);
CREATE INDEX quality_calibrations_inspector ON quality_calibrations (inspector_id, status);

CREATE TABLE quality_calibration_scores (
    calibration_id INTEGER NOT NULL REFERENCES quality_calibrations (id),
    item_key TEXT NOT NULL,
    score INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calibration_id, item_key)
);
