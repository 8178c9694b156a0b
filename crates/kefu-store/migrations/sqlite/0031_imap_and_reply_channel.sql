-- 渠道 — e-mail fetched by IMAP: the server a mailbox's mail is read from, where each read
-- left off, and which instance holds the mailbox; and the channel a customer's message
-- came by, which is where the answer goes.

-- 收信设置 — the IMAP server of one mailbox (at most one). The password is kept as given
-- (kefu has to present it to the server): no page, API answer, audit entry or log shows it
-- once saved. after_fetch: seen | delete | move (to move_to). ca_pem: a CA certificate
-- trusted besides Mozilla's roots (a company's own mail server).
--
-- State: uid_validity and last_uid say where the next read resumes (UIDs, never \Seen);
-- status is ok | error with the last error in its own words; failures counts errors in a
-- row for the back-off, next_at is when the next try is due. lease_owner / lease_until:
-- the one instance reading this mailbox now (another takes over once the lease runs out).
CREATE TABLE imap_mailboxes (
    channel_id INTEGER PRIMARY KEY REFERENCES email_channels (id),
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    folder TEXT NOT NULL,
    after_fetch TEXT NOT NULL,
    move_to TEXT,
    poll_secs INTEGER NOT NULL,
    ca_pem TEXT,
    uid_validity INTEGER,
    last_uid INTEGER NOT NULL DEFAULT 0,
    -- The last UID in the folder when kefu first read it: mail up to it was there before
    -- kefu and is never deleted or moved by it.
    kept_through_uid INTEGER NOT NULL DEFAULT 0,
    -- 1 when the server offered IDLE at the last connection.
    idle INTEGER NOT NULL DEFAULT 0,
    status TEXT,
    error TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL DEFAULT 0,
    checked_at INTEGER,
    fetched_total INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The channel a customer's message came by (email | sms | wechat | chat); NULL for one
-- written on a form, the portal or by staff. A public reply goes back by the channel of
-- the customer's latest message.
ALTER TABLE ticket_messages ADD COLUMN channel TEXT;
