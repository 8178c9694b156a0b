-- 信用管理: the scoring model, credit investigations, and each customer's grade and terms.
CREATE TABLE credit_model (
    id INTEGER PRIMARY KEY,
    -- JSON: weights per factor and the A/B/C thresholds.
    model TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id),
    updated_at INTEGER NOT NULL
);

CREATE TABLE credit_investigations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    investigator_id INTEGER REFERENCES users (id),
    investigator_name TEXT NOT NULL,
    investigated_on TEXT NOT NULL,
    -- JSON array of {factor, score, evidence}.
    factors TEXT NOT NULL,
    score INTEGER NOT NULL,
    grade TEXT NOT NULL,
    notes TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX credit_investigations_customer ON credit_investigations (customer_id, id);

ALTER TABLE customers ADD COLUMN credit_grade TEXT;
ALTER TABLE customers ADD COLUMN credit_limit_fen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN payment_terms TEXT;
ALTER TABLE customers ADD COLUMN credit_updated_at INTEGER;
CREATE INDEX customers_credit ON customers (credit_grade, id);
