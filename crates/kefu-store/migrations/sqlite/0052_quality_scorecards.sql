-- 质检评分表 — the scorecards inspections are scored on. Each is a series of versions (the
-- sections and items as JSON, in the domain's form); an edit adds a version, and an
-- inspection keeps the version it was scored on.
CREATE TABLE quality_scorecards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    current_version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE quality_scorecard_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scorecard_id INTEGER NOT NULL REFERENCES quality_scorecards (id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    UNIQUE (scorecard_id, number)
);
