-- 售后单 (RMA) — a return, exchange, refund or repair from its request to its close:
-- numbered SH<yyyymmdd>-<seq>; the product, serial, quantity and fault claimed; the policy
-- version and clause it was decided under with the verdict and who must approve; what the
-- inspection found, the paid repair's quote, the refund; the running state's deadline in
-- business time. A complaint's RMA handled here names it (complaint_rma_id), once.
CREATE TABLE rmas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    source TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    ticket_id INTEGER REFERENCES tickets (id),
    complaint_id INTEGER REFERENCES complaints (id),
    complaint_rma_id INTEGER UNIQUE REFERENCES complaint_rmas (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    order_number TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL,
    fault TEXT NOT NULL,
    description TEXT NOT NULL,
    delivered_on TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    paid_fen INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    policy_id INTEGER NOT NULL REFERENCES aftersales_policies (id),
    clause TEXT NOT NULL,
    verdict TEXT NOT NULL,
    approver TEXT NOT NULL,
    reason TEXT NOT NULL,
    paid_repair INTEGER NOT NULL DEFAULT 0,
    inspection TEXT,
    quote_fen INTEGER,
    refund_fen INTEGER,
    replacement_serial TEXT,
    approved_by INTEGER REFERENCES users (id),
    due_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER
);
CREATE INDEX rmas_state ON rmas (state, due_at);
CREATE INDEX rmas_customer ON rmas (customer_id, id);
CREATE INDEX rmas_created ON rmas (created_at, id);
CREATE INDEX rmas_product ON rmas (product_id, created_at);

CREATE TABLE rma_counters (
    day TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

-- Every move: who, when, from which state to which, with the note.
CREATE TABLE rma_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rma_id INTEGER NOT NULL REFERENCES rmas (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL,
    by_user INTEGER REFERENCES users (id),
    at INTEGER NOT NULL
);
CREATE INDEX rma_steps_rma ON rma_steps (rma_id, id);
