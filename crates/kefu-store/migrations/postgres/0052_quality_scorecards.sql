-- 质检评分表 — the scorecards inspections are scored on. Each is a series of versions (the
-- sections and items as JSON, in the domain's form); an edit adds a version, and an
-- inspection keeps the version it was scored on.
CREATE TABLE quality_scorecards (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    current_version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE quality_scorecard_versions (
    id BIGSERIAL PRIMARY KEY,
    scorecard_id BIGINT NOT NULL REFERENCES quality_scorecards (id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (scorecard_id, number)
);
