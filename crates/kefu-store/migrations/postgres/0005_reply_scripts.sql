-- 话术库: reply scripts and macros, proposed by agents and approved by a manager.
CREATE TABLE reply_scripts (
    id BIGSERIAL PRIMARY KEY,
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- JSON object of macro actions (status, priority, ticket_type, add_tags, assign_to_me).
    actions TEXT NOT NULL DEFAULT '{}',
    -- proposed | approved | rejected
    status TEXT NOT NULL,
    proposed_by BIGINT REFERENCES users (id),
    reviewed_by BIGINT REFERENCES users (id),
    review_note TEXT,
    use_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reply_scripts_status ON reply_scripts (status, category, title);
