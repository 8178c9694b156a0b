-- 休假 — staff away from one day to another (both included, YYYY-MM-DD in the department's
-- days); their follow-up visits wait in the rule's group meanwhile.
CREATE TABLE staff_absences (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_absences_user ON staff_absences (user_id, ends_on);
CREATE INDEX staff_absences_ends ON staff_absences (ends_on);
