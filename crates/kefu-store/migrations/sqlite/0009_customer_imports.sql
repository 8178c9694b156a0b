-- 客户导入记录: each import (or dry run) with its counts and per-row problems.
CREATE TABLE customer_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES users (id),
    filename TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    -- skip | merge
    duplicates TEXT NOT NULL,
    encoding TEXT NOT NULL,
    rows INTEGER NOT NULL,
    created INTEGER NOT NULL,
    merged INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    -- JSON array of [row, column, reason, value].
    problems TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
