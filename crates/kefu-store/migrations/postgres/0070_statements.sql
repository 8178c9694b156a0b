-- 对账单 — a customer's statement of a month (002 §一6): its opening balance, a line for each
-- amount owed, payment, credit note and adjustment dated in the month (each traceable to
-- its record), the closing balance; the customer's answer per line (a signed link, no
-- sign-in); a disputed line's cause 差异原因 and resolution, proposed and approved (an
-- adjustment posted when it has an amount); closed statements never change.
CREATE TABLE statements (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    period TEXT NOT NULL,
    state TEXT NOT NULL,
    opening_fen BIGINT NOT NULL,
    closing_fen BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_by BIGINT REFERENCES users (id),
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (customer_id, period)
);
CREATE INDEX statements_period ON statements (period, state, id);
CREATE INDEX statements_state ON statements (state, id);

CREATE TABLE statement_lines (
    id BIGSERIAL PRIMARY KEY,
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    line_no BIGINT NOT NULL,
    kind TEXT NOT NULL,
    receivable_id BIGINT REFERENCES receivables (id),
    payment_id BIGINT REFERENCES payments (id),
    on_date TEXT NOT NULL,
    reference TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    answer TEXT NOT NULL,
    customer_note TEXT NOT NULL DEFAULT '',
    cause TEXT,
    resolution TEXT NOT NULL DEFAULT '',
    adjustment_fen BIGINT,
    proposed_by BIGINT REFERENCES users (id),
    approved_by BIGINT REFERENCES users (id),
    resolved_at BIGINT,
    UNIQUE (statement_id, line_no)
);
