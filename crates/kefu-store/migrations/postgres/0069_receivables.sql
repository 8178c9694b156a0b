-- 应收账款 — what customers owe and pay (002 §一7: 在大客户或者经销商账期内，及时催收货款):
-- an amount owed per shipment of an order on credit, due by the customer's terms (月结30天),
-- or per approved adjustment; payments, credit notes (a short delivery, an RMA's refund)
-- and adjustments in the customer's favour, each once by its reference, allocated to what
-- is owed (oldest first or by hand) and never beyond it; the reminders sent before and
-- after the due date, each once.
CREATE TABLE receivables (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    shipment_id BIGINT UNIQUE REFERENCES shipments (id),
    reference TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    open_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    booked_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX receivables_customer ON receivables (customer_id, due_on, id);
CREATE INDEX receivables_open_due ON receivables (due_on, customer_id) WHERE open_fen > 0;

CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    unapplied_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    received_on TEXT NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (customer_id, kind, reference)
);
CREATE INDEX payments_customer ON payments (customer_id, received_on, id);

CREATE TABLE payment_allocations (
    id BIGSERIAL PRIMARY KEY,
    payment_id BIGINT NOT NULL REFERENCES payments (id),
    receivable_id BIGINT NOT NULL REFERENCES receivables (id),
    amount_fen BIGINT NOT NULL,
    by_user BIGINT REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX payment_allocations_payment ON payment_allocations (payment_id, id);
CREATE INDEX payment_allocations_receivable ON payment_allocations (receivable_id, id);

CREATE TABLE receivable_reminders (
    receivable_id BIGINT NOT NULL REFERENCES receivables (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (receivable_id, kind)
);
