-- 地址验证 — a portal account proves it reads an e-mail address (a link mailed to it) or a
-- mobile (a six-digit code texted to it). A proven address brings the account the tickets
-- filed from it before (the web form, a call), now and as they come in later; a proven
-- mobile also signs in. What is to be sent waits in the outbox until a channel delivers it.

-- An account opened by signing in with a mobile code has no e-mail and no password.
ALTER TABLE portal_customers ALTER COLUMN email DROP NOT NULL;
ALTER TABLE portal_customers ALTER COLUMN password_hash DROP NOT NULL;

-- 已验证地址: an address an account has proven, normalised (an e-mail trimmed and in lower
-- case, a mobile as its 11 digits). One account per address.
CREATE TABLE portal_addresses (
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES portal_customers (id),
    verified_at BIGINT NOT NULL,
    PRIMARY KEY (kind, address)
);
CREATE INDEX portal_addresses_customer ON portal_addresses (customer_id);

-- 验证码 / 验证链接: one secret sent to an address, kept only as hashes. A link is found by
-- the hash of its token; a code by the hash of the handle its form carries, and checked
-- against the hash of handle and code together. `customer_id` is the account it verifies
-- for (an e-mail link, a mobile added while signed in); empty for a sign-in code, whose
-- account is found (or opened) when the code is entered.
CREATE TABLE portal_verifications (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    customer_id BIGINT REFERENCES portal_customers (id),
    lookup_hash TEXT NOT NULL,
    code_hash TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    ip TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE UNIQUE INDEX portal_verifications_lookup ON portal_verifications (lookup_hash);
CREATE INDEX portal_verifications_address ON portal_verifications (kind, address, created_at);
CREATE INDEX portal_verifications_ip ON portal_verifications (ip, created_at);
CREATE INDEX portal_verifications_expires ON portal_verifications (expires_at);

-- 待发送消息 — the outbox: what kefu has to send and no channel has delivered yet. A channel
-- (SMTP for e-mail, an SMS gateway) takes the pending rows of its channel, renders `kind`
-- with `params` in `locale` (SMS gateways in China send registered templates with
-- parameters, not free text), and sets `delivered_at`.
CREATE TABLE outbound_messages (
    id BIGSERIAL PRIMARY KEY,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT NOT NULL,
    locale TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    delivered_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbound_messages_pending ON outbound_messages (channel, delivered_at, id);

-- The tickets an address brings: found by the contact e-mail as it is compared (trimmed,
-- lower case) and by the contact phone (a mainland mobile is stored as its 11 digits).
CREATE INDEX tickets_contact_email ON tickets (LOWER(TRIM(contact_email)));
CREATE INDEX tickets_contact_phone ON tickets (contact_phone);
