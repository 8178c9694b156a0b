-- 渠道 — e-mail in: the mailboxes kefu answers from, every mail they received (raw, once
-- per channel and Message-ID), the Message-IDs that thread a reply to its ticket, and the
-- addresses whose mail came back.

-- 邮件渠道 — one mailbox. The webhook secret is the HMAC key that signs posted mail: kefu
-- computes the HMAC itself, so it keeps the key as it generated it (a hash could not
-- verify anything); no page, API answer or log shows it after the answer that made it.
CREATE TABLE email_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- The address kefu answers from (trimmed, lower case).
    address TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    webhook_secret TEXT NOT NULL,
    secret_rotated_at INTEGER NOT NULL,
    -- The group new tickets from this mailbox go to.
    group_id INTEGER REFERENCES ticket_groups (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- 收到的邮件 — every mail a channel received, kept raw for "download the original" and the
-- failed list. (channel, Message-ID) is claimed in the transaction that writes the ticket,
-- so a mail delivered twice, or twice at once, lands once; the row outlives its ticket
-- (SET NULL), so a mail delivered again later is still known.
CREATE TABLE inbound_mails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES email_channels (id),
    -- Without angle brackets; "sha256:<hex>" of the raw bytes for a mail without one, and
    -- for one that did not parse.
    message_id TEXT NOT NULL,
    -- ticket_created | added_to_ticket | bounce | failed | duplicate | discarded
    status TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    ticket_message_id INTEGER REFERENCES ticket_messages (id) ON DELETE SET NULL,
    -- The From address (lower case), when it could be read.
    sender TEXT,
    subject TEXT,
    size INTEGER NOT NULL,
    raw BLOB NOT NULL,
    -- webhook | cli | imap
    source TEXT NOT NULL,
    -- Why it failed (too_large | too_complex | malformed) and the parser's own words.
    reason TEXT,
    reason_detail TEXT,
    -- 1 for an auto-reply, bulk or list mail, a bounce, an empty Return-Path, a
    -- MAILER-DAEMON: nothing may answer it automatically (the SMTP channel reads this).
    no_auto_reply INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel_id, message_id)
);
CREATE INDEX inbound_mails_status ON inbound_mails (channel_id, status, id);
CREATE INDEX inbound_mails_received ON inbound_mails (channel_id, received_at);
CREATE INDEX inbound_mails_ticket ON inbound_mails (ticket_id);

-- 邮件线索 — the Message-IDs kefu knows for a ticket: the mails it received and, once mail
-- goes out, those it sent. A reply's In-Reply-To or References finds its ticket here.
CREATE TABLE mail_message_ids (
    channel_id INTEGER NOT NULL REFERENCES email_channels (id),
    message_id TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- in | out
    direction TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id)
);
CREATE INDEX mail_message_ids_message ON mail_message_ids (message_id);

-- 退信地址 — an address mail to which came back (a delivery status notification): sending
-- to it again is the SMTP channel's decision, made with this.
CREATE TABLE mail_bounces (
    address TEXT PRIMARY KEY,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    status TEXT,
    diagnostic TEXT,
    bounces INTEGER NOT NULL DEFAULT 1,
    first_at INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);

-- The history a mail quoted, kept with its message and shown folded.
ALTER TABLE ticket_messages ADD COLUMN quoted_text TEXT;
-- 隔离 — a file kept but never served (a program or script, whatever the mail called it);
-- an inline part (a `cid:` image of the mail's body).
ALTER TABLE ticket_attachments ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_attachments ADD COLUMN is_inline INTEGER NOT NULL DEFAULT 0;

-- A mail's sender is matched to the archive's contacts as addresses compare (trimmed,
-- lower case).
CREATE INDEX customer_contacts_email_lower ON customer_contacts (LOWER(TRIM(email)));
