-- 渠道 — text messages: the SMS gateways kefu sends through and hears from, every text a
-- customer sent (once per gateway and its message id), every text kefu sent with what
-- became of it, and the numbers that asked for no more texts without being anyone's in the
-- archive.

-- 短信渠道 — one SMS gateway. kefu posts each text to send_url (https, or http to this
-- machine only) with the API key as a bearer token; the gateway posts customers' texts and
-- delivery reports to the channel's webhook, signed with webhook_secret. Neither secret is
-- shown by any page, API answer or log after the answer that set it. sign_name is the
-- signature the operator puts before every text (【恒信售后】).
CREATE TABLE sms_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    webhook_secret TEXT NOT NULL,
    secret_rotated_at INTEGER NOT NULL,
    send_url TEXT NOT NULL,
    api_key TEXT,
    sign_name TEXT NOT NULL,
    -- The group new tickets from texts go to.
    group_id INTEGER REFERENCES ticket_groups (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- 上行短信 — every text a customer sent, claimed by (channel, the gateway's message id) in
-- the transaction that writes its ticket message (or records its opt-out), so a text
-- delivered twice, or twice at once, lands once. The row outlives its ticket (SET NULL).
-- sender is the customer's number normalised (sensitive: shown masked); the text itself
-- is the ticket message's.
CREATE TABLE sms_inbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES sms_channels (id),
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT,
    -- ticket_created | added_to_ticket | opt_out
    status TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    ticket_message_id INTEGER REFERENCES ticket_messages (id) ON DELETE SET NULL,
    received_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (channel_id, message_id)
);
CREATE INDEX sms_inbound_sender ON sms_inbound (sender, created_at);
CREATE INDEX sms_inbound_ticket ON sms_inbound (ticket_id, id);

-- 发出的短信 — one text kefu sends: a public reply on a ticket (ticket and message set),
-- or an outbox message (a sign-in code; outbound_message_id set, its values not kept
-- here). reference is kefu's id for it, made once, carried by every attempt and named by
-- the gateway's delivery reports. queued → sent → delivered | failed; a final status is
-- never changed by a later report. recipient is E.164 (+8613812345678; sensitive).
CREATE TABLE sms_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES sms_channels (id),
    reference TEXT NOT NULL UNIQUE,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE CASCADE,
    ticket_message_id INTEGER REFERENCES ticket_messages (id) ON DELETE CASCADE,
    outbound_message_id INTEGER REFERENCES outbound_messages (id),
    -- Who wrote the reply: told when it fails.
    author_user_id INTEGER REFERENCES users (id),
    recipient TEXT NOT NULL,
    -- reply, or the outbox message's kind
    template TEXT NOT NULL,
    -- Messages the text takes, the signature counted.
    segments INTEGER NOT NULL,
    -- queued | sent | delivered | failed
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    gateway_message_id TEXT,
    -- Why the last attempt or the delivery failed (numbers masked).
    last_error TEXT,
    error_code TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER,
    delivered_at INTEGER,
    failed_at INTEGER
);
CREATE INDEX sms_sends_ticket ON sms_sends (ticket_id, id);
CREATE INDEX sms_sends_recipient ON sms_sends (recipient, created_at);
CREATE INDEX sms_sends_failed ON sms_sends (status, failed_at);

-- 退订号码 — a number that answered T/退订 without being any contact's in the archive (a
-- contact's opt-out is kept on the contact). Normalised; no text goes to it.
CREATE TABLE sms_opt_outs (
    number TEXT PRIMARY KEY,
    channel_id INTEGER REFERENCES sms_channels (id),
    created_at INTEGER NOT NULL
);
