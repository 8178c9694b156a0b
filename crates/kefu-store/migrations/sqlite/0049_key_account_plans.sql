-- 大客户服务方案 (000 §(六)5): one service plan per key account — its development stage,
-- its needs, goals per stage, and the reviews held with the customer.
CREATE TABLE service_plans (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    -- exploring | forming | stable | declining
    stage TEXT NOT NULL,
    needs TEXT NOT NULL,
    review_every_months INTEGER NOT NULL,
    -- YYYY-MM-DD
    next_review_on TEXT NOT NULL,
    -- The review date its reminder went out for, so it goes out once.
    reminded_for TEXT,
    author_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX service_plans_review ON service_plans (next_review_on);

CREATE TABLE service_plan_goals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES service_plans (customer_id),
    position INTEGER NOT NULL,
    stage TEXT NOT NULL,
    goal TEXT NOT NULL,
    measure TEXT NOT NULL,
    due_on TEXT,
    -- open | met | missed | dropped
    state TEXT NOT NULL
);
CREATE INDEX service_plan_goals_plan ON service_plan_goals (customer_id, position);

CREATE TABLE service_plan_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES service_plans (customer_id),
    reviewed_at INTEGER NOT NULL,
    reviewer_id INTEGER REFERENCES users (id),
    stage_before TEXT NOT NULL,
    stage_after TEXT NOT NULL,
    findings TEXT NOT NULL,
    next_review_on TEXT NOT NULL
);
CREATE INDEX service_plan_reviews_plan ON service_plan_reviews (customer_id, reviewed_at);

-- 服务优惠政策和激励策略 (000 §(六)6): a key account's discounts and incentives, approved
-- by the manager; in force while approved and within its dates.
CREATE TABLE key_account_policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    -- discount | rebate | free_service | priority
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    conditions TEXT NOT NULL,
    -- Basis points off (discount) or back (rebate).
    rate_bp INTEGER,
    -- Fen: the order amount a discount starts at, the purchases a rebate needs.
    threshold_fen INTEGER,
    currency TEXT NOT NULL DEFAULT 'CNY',
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    -- pending | approved | rejected | withdrawn
    state TEXT NOT NULL,
    proposed_by INTEGER REFERENCES users (id),
    proposed_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER,
    decision_note TEXT
);
CREATE INDEX key_account_policies_customer ON key_account_policies (customer_id, state, valid_until);
CREATE INDEX key_account_policies_state ON key_account_policies (state, proposed_at);
