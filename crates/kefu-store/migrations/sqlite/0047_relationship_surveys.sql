-- 关系调查 (002 總則): periodic relationship surveys — the questionnaire and its plan, one
-- invitation per customer of the segment per round (sent, or skipped with the reason), and
-- the answers.
CREATE TABLE relationship_surveys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- JSON: [{"key", "text", "kind", "options", "required"}].
    questions TEXT NOT NULL,
    -- The segment: a tier and a customer type, each NULL for all.
    tier TEXT,
    customer_type TEXT,
    -- A round each period of this many months (1, 3, 6, 12).
    every_months INTEGER NOT NULL,
    link_days INTEGER NOT NULL,
    -- Days after the invitation the unanswered are reminded, once; 0: never.
    remind_after_days INTEGER NOT NULL,
    active INTEGER NOT NULL,
    -- When the first invitation went out: the questions are fixed from then on.
    first_sent_at INTEGER,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE relationship_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id INTEGER NOT NULL REFERENCES relationship_surveys (id),
    -- The round: `2026-Q4`, `2026-12`, `2026-H2`, `2026`.
    period TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    contact_id INTEGER REFERENCES customer_contacts (id),
    -- sent | skipped
    state TEXT NOT NULL,
    -- no_contact (skipped)
    skip_reason TEXT,
    -- sms | email
    channel TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    expires_at INTEGER,
    reminded_at INTEGER,
    answered_at INTEGER,
    -- The 0–10 answer to the recommendation question, for the NPS.
    nps INTEGER,
    UNIQUE (survey_id, period, customer_id)
);
CREATE INDEX relationship_invitations_round ON relationship_invitations (survey_id, period, state);

CREATE TABLE relationship_answers (
    invitation_id INTEGER NOT NULL REFERENCES relationship_invitations (id),
    question TEXT NOT NULL,
    -- A 1–5 scale, a 0–10 score, or a chosen option's index.
    number INTEGER,
    text TEXT,
    PRIMARY KEY (invitation_id, question)
);
