-- Business calendars, SLA policies, the SLA columns of a ticket, and in-app notifications.

-- 工作日历: working periods per weekday (JSON: seven arrays of {start, end} minutes,
-- Monday first) in a time zone, plus holidays and make-up working days.
CREATE TABLE calendars (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL,
    week TEXT NOT NULL,
    is_default BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE calendar_days (
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    day TEXT NOT NULL,
    -- holiday | workday
    kind TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar_id, day)
);

-- 服务时限: targets in business minutes for the tickets a policy's scope matches; the
-- first matching policy by position applies.
CREATE TABLE sla_policies (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    position BIGINT NOT NULL,
    ticket_type TEXT,
    priority TEXT,
    customer_tier TEXT,
    calendar_id BIGINT NOT NULL REFERENCES calendars (id),
    first_response_minutes BIGINT,
    next_response_minutes BIGINT,
    resolution_minutes BIGINT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- key_account | vip | normal, a plain value until the customer archive links it.
ALTER TABLE tickets ADD COLUMN customer_tier TEXT;
ALTER TABLE tickets ADD COLUMN sla_policy_id BIGINT REFERENCES sla_policies (id);
ALTER TABLE tickets ADD COLUMN first_response_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN next_response_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN resolution_due_at BIGINT;
-- The earliest deadline still running and its target, watched by the escalation job.
ALTER TABLE tickets ADD COLUMN sla_next_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_next_target TEXT;
-- The earliest customer message not yet answered.
ALTER TABLE tickets ADD COLUMN awaiting_reply_since BIGINT;
-- Business seconds spent waiting for the customer, and when the current wait began.
ALTER TABLE tickets ADD COLUMN sla_paused_secs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN sla_paused_since BIGINT;
-- The deadline that was last warned about and escalated, so each happens once.
ALTER TABLE tickets ADD COLUMN sla_warned_due_at BIGINT;
ALTER TABLE tickets ADD COLUMN sla_escalated_due_at BIGINT;
-- Attainment for reports: 1 met, 0 breached, NULL not decided or no target.
ALTER TABLE tickets ADD COLUMN first_response_met BIGINT;
ALTER TABLE tickets ADD COLUMN resolution_met BIGINT;
ALTER TABLE tickets ADD COLUMN next_response_breaches BIGINT NOT NULL DEFAULT 0;
CREATE INDEX tickets_sla_next ON tickets (active, sla_next_due_at);

-- 站内通知: a message for one user about something that happened.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- sla_warning | sla_breach | assigned | …; the text is translated when shown.
    kind TEXT NOT NULL,
    ticket_id BIGINT REFERENCES tickets (id),
    -- JSON object of values for the message's placeholders.
    params TEXT NOT NULL DEFAULT '{}',
    read_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, id);
