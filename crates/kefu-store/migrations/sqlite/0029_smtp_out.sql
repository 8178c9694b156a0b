-- 渠道 — e-mail out: each mailbox's SMTP server, every mail kefu sends about a ticket (one
-- row from the moment it is queued, with the Message-ID every attempt carries), the
-- Reply-To a customer's mail asked answers to go to, and the outbox's messages that failed
-- for good.

-- 发信设置 — the mailbox's SMTP server. `smtp_security` is starttls | tls | none (none only
-- to 127.0.0.1/localhost). The password is kept as given (kefu has to present it to the
-- server; there is no key in kefu to wrap it with): no page, API answer, audit entry or log
-- shows it once saved. No host: the mailbox sends nothing.
ALTER TABLE email_channels ADD COLUMN smtp_host TEXT;
ALTER TABLE email_channels ADD COLUMN smtp_port INTEGER;
ALTER TABLE email_channels ADD COLUMN smtp_security TEXT;
ALTER TABLE email_channels ADD COLUMN smtp_username TEXT;
ALTER TABLE email_channels ADD COLUMN smtp_password TEXT;
ALTER TABLE email_channels ADD COLUMN smtp_from_name TEXT;

-- Where the customer asked answers to go (Reply-To, lower case), when their mail said.
ALTER TABLE inbound_mails ADD COLUMN reply_to TEXT;

-- 发出的邮件 — one mail kefu sends about a ticket (an agent's public reply, a trigger's
-- automatic one). Queued in the transaction that wrote the message, sent by a job:
-- queued → sent | failed. The Message-ID (without angle brackets) is made when it is
-- queued, so a retried attempt carries the same one; it is also in mail_message_ids
-- (direction out), so the customer's answer threads back.
CREATE TABLE mail_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES email_channels (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    ticket_message_id INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    -- Lower case.
    recipient TEXT NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    in_reply_to TEXT,
    -- The thread's Message-IDs, oldest first, separated by spaces.
    refs TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- 1 for a mail no person wrote (a trigger's reply): it carries Auto-Submitted, never
    -- answers a mail marked no_auto_reply, and counts against the hourly cap per address.
    automatic INTEGER NOT NULL DEFAULT 0,
    -- queued | sent | failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- The server's last answer (addresses in it masked): a refusal, or the 250 of the send.
    last_reply TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX mail_sends_ticket ON mail_sends (ticket_id, id);
CREATE INDEX mail_sends_recipient ON mail_sends (recipient, automatic, created_at);

-- An outbox message the mail server refused for good (a 5xx): it leaves the queue with
-- its reason in last_error.
ALTER TABLE outbound_messages ADD COLUMN failed_at INTEGER;
