-- 质量异常讨论会 — the meeting on the service items where most anomalies happen: its period,
-- when it was held, who came and what was decided; the measures it decided are tracked as
-- any other, marked with the meeting.
CREATE TABLE quality_meetings (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    held_on TEXT NOT NULL,
    decisions TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX quality_meetings_held ON quality_meetings (held_on);

CREATE TABLE quality_meeting_attendees (
    meeting_id BIGINT NOT NULL REFERENCES quality_meetings (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (meeting_id, user_id)
);

ALTER TABLE quality_measures ADD COLUMN meeting_id BIGINT REFERENCES quality_meetings (id);
CREATE INDEX quality_measures_meeting ON quality_measures (meeting_id);
