-- 排班 — each staff member's week of working periods (Monday first, days joined by '|',
-- a day's periods by ','; an empty day is a rest day), and dated changes 调班 that replace
-- the week on one date (YYYY-MM-DD in the department's days; empty periods: off).
CREATE TABLE staff_rosters (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    week TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
CREATE TABLE staff_roster_changes (
    user_id BIGINT NOT NULL REFERENCES users (id),
    day TEXT NOT NULL,
    periods TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
CREATE INDEX staff_roster_changes_day ON staff_roster_changes (day);
