-- 投诉处理闭环: a complaint record beside its complaint ticket, the log of its steps, the
-- handling notices to departments, proposals, after-sales records (RMA), penalties, the
-- follow-up task, and the deadlines per stage and severity an admin may change.
CREATE TABLE complaints (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL UNIQUE REFERENCES tickets (id),
    customer_id BIGINT REFERENCES customers (id),
    stage TEXT NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    -- 受理: who complained, when, how, what, about which goods.
    complainant TEXT NOT NULL,
    complainant_phone TEXT,
    channel TEXT NOT NULL,
    content TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    order_number TEXT,
    part_number TEXT,
    quantity BIGINT,
    delivery_date TEXT,
    product TEXT,
    -- 判断: NULL until judged, then 1 valid / 0 not valid.
    valid BIGINT,
    invalid_reason TEXT,
    department_id BIGINT REFERENCES departments (id),
    promised_answer_at BIGINT,
    -- 调查
    cause TEXT,
    responsible_department_id BIGINT REFERENCES departments (id),
    responsible_user_id BIGINT REFERENCES users (id),
    findings TEXT,
    -- 实施: what the approved solution costs, in fen.
    cost_fen BIGINT NOT NULL DEFAULT 0,
    -- 总结评价
    summary TEXT,
    lessons TEXT,
    measure TEXT,
    measure_owner_id BIGINT REFERENCES users (id),
    measure_due TEXT,
    -- The running stage's clock; warned/escalated once per stage.
    stage_entered_at BIGINT NOT NULL,
    stage_due_at BIGINT,
    stage_warned BIGINT NOT NULL DEFAULT 0,
    stage_escalated BIGINT NOT NULL DEFAULT 0,
    handler_id BIGINT REFERENCES users (id),
    opened_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX complaints_stage ON complaints (stage, stage_due_at);
-- The board: open complaints (closed ones have no deadline), nearest deadline first.
CREATE INDEX complaints_due ON complaints (stage_due_at, id);
-- The statistics report reads only this index for all but product and part number.
CREATE INDEX complaints_report ON complaints (received_at, valid, closed_at, cost_fen, category,
    severity, channel, cause, department_id, responsible_department_id, customer_id);
CREATE INDEX complaints_customer ON complaints (customer_id, id);

-- Every step: who, when, what, from which stage to which, with the comment.
CREATE TABLE complaint_steps (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    comment TEXT,
    -- Business minutes spent in from_stage, on steps that leave it (the report's stage
    -- durations).
    stage_minutes BIGINT,
    -- The complaint's received_at (never changes), so the report reads one index.
    received_at BIGINT NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id, id);
CREATE INDEX complaint_steps_report ON complaint_steps (received_at, from_stage, stage_minutes)
    WHERE stage_minutes IS NOT NULL;

-- 投诉处理通知
CREATE TABLE complaint_notices (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    sent_by BIGINT REFERENCES users (id),
    sent_at BIGINT NOT NULL,
    acknowledged_by BIGINT REFERENCES users (id),
    acknowledged_at BIGINT,
    answer TEXT,
    answered_by BIGINT REFERENCES users (id),
    answered_at BIGINT,
    reviewed_by BIGINT REFERENCES users (id),
    reviewed_at BIGINT,
    review_comment TEXT,
    escalated BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX complaint_notices_complaint ON complaint_notices (complaint_id, id);
CREATE INDEX complaint_notices_department ON complaint_notices (department_id, status);

-- 处理方案
CREATE TABLE complaint_proposals (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    remedy TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_fen BIGINT NOT NULL,
    status TEXT NOT NULL,
    proposed_by BIGINT REFERENCES users (id),
    proposed_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    decision_comment TEXT
);
CREATE INDEX complaint_proposals_complaint ON complaint_proposals (complaint_id, id);

-- 退换货/退款/维修 (RMA) carried out for a complaint.
CREATE TABLE complaint_rmas (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    proposal_id BIGINT NOT NULL REFERENCES complaint_proposals (id),
    remedy TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);
CREATE INDEX complaint_rmas_complaint ON complaint_rmas (complaint_id, id);

-- 处罚 of the responsible party.
CREATE TABLE complaint_penalties (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    department_id BIGINT REFERENCES departments (id),
    user_id BIGINT REFERENCES users (id),
    amount_fen BIGINT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX complaint_penalties_complaint ON complaint_penalties (complaint_id);

-- 回访 after the customer accepted.
CREATE TABLE complaint_follow_ups (
    id BIGSERIAL PRIMARY KEY,
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    due_at BIGINT NOT NULL,
    script TEXT NOT NULL,
    assignee_id BIGINT REFERENCES users (id),
    result TEXT,
    comment TEXT,
    done_by BIGINT REFERENCES users (id),
    done_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX complaint_follow_ups_complaint ON complaint_follow_ups (complaint_id, id);
CREATE INDEX complaint_follow_ups_open ON complaint_follow_ups (done_at, due_at);

CREATE TABLE complaint_deadlines (
    severity TEXT NOT NULL,
    stage TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (severity, stage)
);
