-- 定制 — customers' requests for made-to-order products (002 §一8): numbered
-- DZ<yyyymmdd>-<seq>, with the customer, what they want (title, specification, quantity,
-- the date wanted), the design department's answer (feasible or not, its words, the unit
-- cost and lead time), the unit price quoted and who approved it, and every step.
CREATE TABLE custom_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    title TEXT NOT NULL,
    spec TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    wanted_by TEXT,
    state TEXT NOT NULL,
    feasible INTEGER,
    answer TEXT NOT NULL DEFAULT '',
    cost_fen INTEGER,
    lead_days INTEGER,
    answered_by INTEGER REFERENCES users (id),
    quote_fen INTEGER,
    quoted_by INTEGER REFERENCES users (id),
    approved_by INTEGER REFERENCES users (id),
    created_by INTEGER REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX custom_requests_state ON custom_requests (state, id);
CREATE INDEX custom_requests_customer ON custom_requests (customer_id, id);

CREATE TABLE custom_request_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES custom_requests (id),
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    by_user INTEGER REFERENCES users (id),
    at INTEGER NOT NULL
);
CREATE INDEX custom_request_steps_request ON custom_request_steps (request_id, id);
