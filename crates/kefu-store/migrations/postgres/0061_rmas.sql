-- 售后单 (RMA) — a return, exchange, refund or repair from its request to its close:
-- numbered SH<yyyymmdd>-<seq>; the product, serial, quantity and fault claimed; the policy
-- version and clause it was decided under with the verdict and who must approve; what the
-- inspection found, the paid repair's quote, the refund; the running state's deadline in
-- business time. A complaint's RMA handled here names it (complaint_rma_id), once.
CREATE TABLE rmas (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    ticket_id BIGINT REFERENCES tickets (id),
    complaint_id BIGINT REFERENCES complaints (id),
    complaint_rma_id BIGINT UNIQUE REFERENCES complaint_rmas (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    order_number TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    quantity BIGINT NOT NULL,
    fault TEXT NOT NULL,
    description TEXT NOT NULL,
    delivered_on TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    paid_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    policy_id BIGINT NOT NULL REFERENCES aftersales_policies (id),
    clause TEXT NOT NULL,
    verdict TEXT NOT NULL,
    approver TEXT NOT NULL,
    reason TEXT NOT NULL,
    paid_repair BIGINT NOT NULL DEFAULT 0,
    inspection TEXT,
    quote_fen BIGINT,
    refund_fen BIGINT,
    replacement_serial TEXT,
    approved_by BIGINT REFERENCES users (id),
    due_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT
);
CREATE INDEX rmas_state ON rmas (state, due_at);
CREATE INDEX rmas_customer ON rmas (customer_id, id);
CREATE INDEX rmas_created ON rmas (created_at, id);
CREATE INDEX rmas_product ON rmas (product_id, created_at);

CREATE TABLE rma_counters (
    day TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- Every move: who, when, from which state to which, with the note.
CREATE TABLE rma_steps (
    id BIGSERIAL PRIMARY KEY,
    rma_id BIGINT NOT NULL REFERENCES rmas (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    by_user BIGINT REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX rma_steps_rma ON rma_steps (rma_id, id);
