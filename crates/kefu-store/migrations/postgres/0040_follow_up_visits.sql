-- 回访 (002 §三): the department's follow-up settings, the rules that plan visits, the
-- visits themselves and every attempt at one.

-- One sheet: when calls may be made, how long a call proves a visit, when coverage is at
-- risk, and the scripts (002 §三4) with their placeholders.
CREATE TABLE follow_up_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    -- 允许拨打时段, e.g. "09:00-12:00, 14:30-18:00", on the standard calendar's business days.
    calling_hours TEXT NOT NULL,
    -- A completed phone visit without a linked call this long goes to quality.
    min_call_seconds BIGINT NOT NULL,
    -- Coverage is "at risk" this many days before a period ends.
    coverage_warning_days BIGINT NOT NULL,
    -- {公司} and {客服电话} in the scripts.
    company TEXT NOT NULL,
    service_phone TEXT NOT NULL,
    script_first TEXT NOT NULL,
    script_later TEXT NOT NULL,
    ending_satisfied TEXT NOT NULL,
    ending_other TEXT NOT NULL,
    -- {祝福语}
    blessing TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO settings_versions (name, version) VALUES ('follow_up', 1);

-- 回访规则: what plans visits. tier_periodic: every customer of `tier`, once per period of
-- `every_months` (1, 3, 6 or 12, periods starting in January).
CREATE TABLE follow_up_rules (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    tier TEXT,
    every_months BIGINT,
    -- Visits whose customer has no active owner go to this group.
    group_id BIGINT REFERENCES ticket_groups (id),
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 回访任务
CREATE TABLE follow_up_visits (
    id BIGSERIAL PRIMARY KEY,
    -- One visit per rule, customer and period ("r3:c42:2026-12"); NULL for a visit planned
    -- by hand.
    plan_key TEXT UNIQUE,
    rule_id BIGINT REFERENCES follow_up_rules (id),
    -- periodic | complaint | manual
    reason TEXT NOT NULL,
    -- The period's key ("2026-12", "2026-Q4"), for periodic visits.
    period TEXT,
    -- The tier the visit covers, for periodic visits.
    tier TEXT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    contact_id BIGINT REFERENCES customer_contacts (id),
    complaint_id BIGINT REFERENCES complaints (id),
    -- The customer's owner; NULL when the visit waits in the group.
    agent_id BIGINT REFERENCES users (id),
    group_id BIGINT REFERENCES ticket_groups (id),
    -- phone | sms | email | wechat | visit
    channel TEXT NOT NULL,
    -- The window the visit is due in: [due_at, window_end).
    due_at BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    -- The earliest moment the calling rules allow; NULL: no slot in the window.
    slot_at BIGINT,
    -- A time the contact asked to be called back at: the one exception to rest hours.
    callback_at BIGINT,
    -- 第一次回访 (the first-visit script) or a later one.
    first_visit BIGINT NOT NULL DEFAULT 0,
    -- planned | done | cancelled
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- The attempt that completed it.
    done_attempt_id BIGINT,
    done_at BIGINT,
    -- satisfied | neutral | unsatisfied, copied from the completing attempt for reports.
    satisfaction TEXT,
    -- Done without a call long enough to prove it: for the quality specialist.
    unverified BIGINT NOT NULL DEFAULT 0,
    -- What an unsatisfied result opened.
    opened_ticket_id BIGINT REFERENCES tickets (id),
    opened_complaint_id BIGINT REFERENCES complaints (id),
    cancel_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX follow_up_visits_agent ON follow_up_visits (agent_id, status, slot_at);
CREATE INDEX follow_up_visits_group ON follow_up_visits (group_id, status, slot_at);
CREATE INDEX follow_up_visits_customer ON follow_up_visits (customer_id, rule_id, period);
CREATE INDEX follow_up_visits_done ON follow_up_visits (status, done_at);
CREATE INDEX follow_up_visits_period ON follow_up_visits (period, tier, status);
CREATE INDEX follow_up_visits_open_due ON follow_up_visits (status, window_end);

-- 回访记录: every attempt, reached or not.
CREATE TABLE follow_up_attempts (
    id BIGSERIAL PRIMARY KEY,
    visit_id BIGINT NOT NULL REFERENCES follow_up_visits (id),
    -- reached | no_answer | wrong_number | refused | call_back
    reach TEXT NOT NULL,
    channel TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    call_id BIGINT REFERENCES phone_calls (id),
    callback_at BIGINT,
    satisfaction TEXT,
    -- Comma-wrapped aspects (",product,agent,").
    aspects TEXT NOT NULL DEFAULT '',
    words TEXT NOT NULL DEFAULT '',
    next_action TEXT NOT NULL DEFAULT '',
    by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX follow_up_attempts_visit ON follow_up_attempts (visit_id, id);

-- 覆盖预警: the warning that a period's coverage is at risk, sent once per period and tier.
CREATE TABLE follow_up_coverage_warnings (
    period TEXT NOT NULL,
    tier TEXT NOT NULL,
    missing BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (period, tier)
);

-- The shipped rules (editable): key accounts monthly, VIP customers quarterly.
INSERT INTO follow_up_rules (name, kind, tier, every_months, active, created_at, updated_at)
VALUES ('大客户每月回访', 'tier_periodic', 'key_account', 1, 1, 0, 0),
       ('VIP 客户每季度回访', 'tier_periodic', 'vip', 3, 1, 0, 0);
