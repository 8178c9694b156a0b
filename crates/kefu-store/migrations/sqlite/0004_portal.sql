-- The customer portal: customer accounts, their sessions, and the tickets they filed.

-- 客户门户账户: a customer who signs in to file and follow their own tickets.
CREATE TABLE portal_customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES portal_customers (id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX portal_sessions_expires ON portal_sessions (expires_at);

-- The portal customer a ticket belongs to: only they see it in the portal.
ALTER TABLE tickets ADD COLUMN requester_id INTEGER REFERENCES portal_customers (id);
CREATE INDEX tickets_requester ON tickets (requester_id, updated_at, id);
