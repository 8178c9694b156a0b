-- 售后服务费用 — what each RMA cost: the parts issued to it at their cost on the day (kept on
-- the movement), the labour, freight, compensation and other costs entered on it, and its
-- refund; the monthly budget the costs are held against; and the fault figures sent to the
-- departments (000 §(七)6: 分别转送企业相关部门). An RMA's costs count in the month it was
-- registered (requested_on).
ALTER TABLE stock_movements ADD COLUMN unit_cost_fen BIGINT NOT NULL DEFAULT 0;

CREATE TABLE rma_costs (
    id BIGSERIAL PRIMARY KEY,
    rma_id BIGINT NOT NULL REFERENCES rmas (id),
    kind TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    note TEXT NOT NULL DEFAULT '',
    by_user BIGINT REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX rma_costs_rma ON rma_costs (rma_id);
CREATE INDEX rmas_requested ON rmas (requested_on);

CREATE TABLE aftersales_budgets (
    period TEXT PRIMARY KEY,
    amount_fen BIGINT NOT NULL,
    set_by BIGINT REFERENCES users (id),
    set_at BIGINT NOT NULL
);

CREATE TABLE fault_feedback (
    id BIGSERIAL PRIMARY KEY,
    period TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    note TEXT NOT NULL DEFAULT '',
    sent_by BIGINT REFERENCES users (id),
    sent_at BIGINT NOT NULL
);
CREATE INDEX fault_feedback_period ON fault_feedback (period, department_id);
