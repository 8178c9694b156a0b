-- 售后纠纷 — a dispute over after-sales: the customer's position and the company's, the
-- evidence of each, and the after-sales specialist's ruling 裁定, which cites a clause of a
-- policy version (最终解释) and is kept as precedent, searchable.
CREATE TABLE aftersales_disputes (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    rma_id BIGINT REFERENCES rmas (id),
    subject TEXT NOT NULL,
    customer_position TEXT NOT NULL,
    company_position TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL,
    ruling TEXT,
    policy_id BIGINT REFERENCES aftersales_policies (id),
    clause TEXT,
    ruled_by BIGINT REFERENCES users (id),
    ruled_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX aftersales_disputes_status ON aftersales_disputes (status, id);
CREATE INDEX aftersales_disputes_customer ON aftersales_disputes (customer_id, id);
CREATE INDEX aftersales_disputes_rma ON aftersales_disputes (rma_id);
