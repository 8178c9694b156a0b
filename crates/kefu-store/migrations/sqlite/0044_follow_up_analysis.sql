-- 回访周报: the weekly analysis reads the week's attempts by their time, and is sent once
-- per week, whichever instance gets there first.
CREATE INDEX follow_up_attempts_created ON follow_up_attempts (created_at);
CREATE TABLE follow_up_analysis_sent (
    week TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
);
