-- 订单 — orders taken for customers (002 §一3): the finished goods each product has in stock,
-- orders numbered DD<yyyymmdd>-<seq> with their payment (on credit or prepaid) and the credit
-- check's answer and reason, their lines (product, quantity, unit price; what comes from
-- stock and what production makes), the documents issued for them — a sales document
-- 销售单据 for what stock holds, a production request 生产单据 with its promised date for the
-- rest — and every step (created, approved, changed, cancelled) with who and when.
CREATE TABLE product_stock (
    product_id BIGINT PRIMARY KEY REFERENCES products (id),
    on_hand BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE order_counters (
    day TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    state TEXT NOT NULL,
    payment TEXT NOT NULL,
    credit TEXT NOT NULL,
    total_fen BIGINT NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY',
    note TEXT NOT NULL DEFAULT '',
    promised_on TEXT,
    approved_by BIGINT REFERENCES users (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_state ON orders (state, id);
CREATE INDEX orders_created ON orders (created_at, id);

CREATE TABLE order_lines (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity BIGINT NOT NULL,
    unit_price_fen BIGINT NOT NULL,
    from_stock BIGINT NOT NULL,
    to_produce BIGINT NOT NULL,
    shipped BIGINT NOT NULL DEFAULT 0,
    received BIGINT NOT NULL DEFAULT 0,
    UNIQUE (order_id, line_no)
);
CREATE INDEX order_lines_product ON order_lines (product_id, order_id);

CREATE TABLE order_documents (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    promised_on TEXT,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX order_documents_order ON order_documents (order_id, kind);

CREATE TABLE order_steps (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    by_user BIGINT REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX order_steps_order ON order_steps (order_id, id);
