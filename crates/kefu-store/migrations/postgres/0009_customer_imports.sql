-- 客户导入记录: each import (or dry run) with its counts and per-row problems.
CREATE TABLE customer_imports (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT REFERENCES users (id),
    filename TEXT NOT NULL,
    dry_run BIGINT NOT NULL,
    -- skip | merge
    duplicates TEXT NOT NULL,
    encoding TEXT NOT NULL,
    rows BIGINT NOT NULL,
    created BIGINT NOT NULL,
    merged BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    -- JSON array of [row, column, reason, value].
    problems TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
