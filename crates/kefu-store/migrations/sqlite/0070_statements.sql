-- 对账单 — a customer's statement of a month (002 §一6): its opening balance, a line for each
-- amount owed, payment, credit note and adjustment dated in the month (each traceable to
-- its record), the closing balance; the customer's answer per line (a signed link, no
-- sign-in); a disputed line's cause 差异原因 and resolution, proposed and approved (an
-- adjustment posted when it has an amount); closed statements never change.
CREATE TABLE statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    period TEXT NOT NULL,
    state TEXT NOT NULL,
    opening_fen INTEGER NOT NULL,
    closing_fen INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    answered_at INTEGER,
    closed_by INTEGER REFERENCES users (id),
    closed_at INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (customer_id, period)
);
CREATE INDEX statements_period ON statements (period, state, id);
CREATE INDEX statements_state ON statements (state, id);

CREATE TABLE statement_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_id INTEGER NOT NULL REFERENCES statements (id),
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    receivable_id INTEGER REFERENCES receivables (id),
    payment_id INTEGER REFERENCES payments (id),
    on_date TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    answer TEXT NOT NULL,
    customer_note TEXT NOT NULL DEFAULT '',
    cause TEXT,
    resolution TEXT NOT NULL DEFAULT '',
    adjustment_fen INTEGER,
    proposed_by INTEGER REFERENCES users (id),
    approved_by INTEGER REFERENCES users (id),
    resolved_at INTEGER,
    UNIQUE (statement_id, line_no)
);
