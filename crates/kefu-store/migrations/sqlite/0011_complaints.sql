-- 投诉处理闭环: a complaint record beside its complaint ticket, the log of its steps, the
-- handling notices to departments, proposals, after-sales records (RMA), penalties, the
-- follow-up task, and the deadlines per stage and severity an admin may change.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
    customer_id INTEGER REFERENCES customers (id),
    stage TEXT NOT NULL,
    severity TEXT NOT NULL,
    category TEXT NOT NULL,
    -- 受理: who complained, when, how, what, about which goods.
    complainant TEXT NOT NULL,
    complainant_phone TEXT,
    channel TEXT NOT NULL,
    content TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    order_number TEXT,
    part_number TEXT,
    quantity INTEGER,
    delivery_date TEXT,
    product TEXT,
    -- 判断: NULL until judged, then 1 valid / 0 not valid.
    valid INTEGER,
    invalid_reason TEXT,
    department_id INTEGER REFERENCES departments (id),
    promised_answer_at INTEGER,
    -- 调查
    cause TEXT,
    responsible_department_id INTEGER REFERENCES departments (id),
    responsible_user_id INTEGER REFERENCES users (id),
    findings TEXT,
    -- 实施: what the approved solution costs, in fen.
    cost_fen INTEGER NOT NULL DEFAULT 0,
    -- 总结评价
    summary TEXT,
    lessons TEXT,
    measure TEXT,
    measure_owner_id INTEGER REFERENCES users (id),
    measure_due TEXT,
    -- The running stage's clock; warned/escalated once per stage.
    stage_entered_at INTEGER NOT NULL,
    stage_due_at INTEGER,
    stage_warned INTEGER NOT NULL DEFAULT 0,
    stage_escalated INTEGER NOT NULL DEFAULT 0,
    handler_id INTEGER REFERENCES users (id),
    opened_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    at INTEGER NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    comment TEXT,
    -- Business minutes spent in from_stage, on steps that leave it (the report's stage
    -- durations).
    stage_minutes INTEGER,
    -- The complaint's received_at (never changes), so the report reads one index.
    received_at INTEGER NOT NULL
);
CREATE INDEX complaint_steps_complaint ON complaint_steps (complaint_id, id);
CREATE INDEX complaint_steps_report ON complaint_steps (received_at, from_stage, stage_minutes)
    WHERE stage_minutes IS NOT NULL;

-- 投诉处理通知
CREATE TABLE complaint_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    sent_by INTEGER REFERENCES users (id),
    sent_at INTEGER NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at INTEGER,
    answer TEXT,
    answered_by INTEGER REFERENCES users (id),
    answered_at INTEGER,
    reviewed_by INTEGER REFERENCES users (id),
    reviewed_at INTEGER,
    review_comment TEXT,
    escalated INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaint_notices_complaint ON complaint_notices (complaint_id, id);
CREATE INDEX complaint_notices_department ON complaint_notices (department_id, status);

-- 处理方案
CREATE TABLE complaint_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    remedy TEXT NOT NULL,
    description TEXT NOT NULL,
    cost_fen INTEGER NOT NULL,
    status TEXT NOT NULL,
    proposed_by INTEGER REFERENCES users (id),
    proposed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER,
    decision_comment TEXT
);
CREATE INDEX complaint_proposals_complaint ON complaint_proposals (complaint_id, id);

-- 退换货/退款/维修 (RMA) carried out for a complaint.
CREATE TABLE complaint_rmas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    proposal_id INTEGER NOT NULL REFERENCES complaint_proposals (id),
    remedy TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    note TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);
CREATE INDEX complaint_rmas_complaint ON complaint_rmas (complaint_id, id);

-- 处罚 of the responsible party.
CREATE TABLE complaint_penalties (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    department_id INTEGER REFERENCES departments (id),
    user_id INTEGER REFERENCES users (id),
    amount_fen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at INTEGER NOT NULL
);
CREATE INDEX complaint_penalties_complaint ON complaint_penalties (complaint_id);

-- 回访 after the customer accepted.
CREATE TABLE complaint_follow_ups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    due_at INTEGER NOT NULL,
    script TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users (id),
    result TEXT,
    comment TEXT,
    done_by INTEGER REFERENCES users (id),
    done_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX complaint_follow_ups_complaint ON complaint_follow_ups (complaint_id, id);
CREATE INDEX complaint_follow_ups_open ON complaint_follow_ups (done_at, due_at);

CREATE TABLE complaint_deadlines (
    severity TEXT NOT NULL,
    stage TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (severity, stage)
);
