-- 渠道 — WeChat official accounts (微信公众号): the accounts kefu answers for, the
-- followers who wrote (OpenID, linked to the archive's contact when known), every message
-- and event WeChat posted (raw, once per account and MsgId — an event once per sender,
-- time and event), and every reply sent back through the customer-service message API.

-- 公众号 — one official account. The AppSecret and the Token (服务器配置) are kept as given
-- (kefu presents the one to WeChat and checks signatures with the other, so a hash would
-- not do); no page, API answer, audit entry or log shows them once saved. The access token
-- WeChat hands out is cached here until five minutes before it expires; never shown.
CREATE TABLE wechat_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    app_id TEXT NOT NULL,
    app_secret TEXT NOT NULL,
    token TEXT NOT NULL,
    -- https://api.weixin.qq.com, or a proxy (http only to this machine).
    api_base TEXT NOT NULL,
    -- The group new tickets from this account go to.
    group_id INTEGER REFERENCES ticket_groups (id),
    access_token TEXT,
    access_token_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- 粉丝 — a follower of an account who wrote or subscribed, by OpenID (unique per account).
-- Linked to the contact whose WeChat field is the OpenID, or by an agent. last_message_at
-- is the follower's last interaction that opens the 48-hour reply window (a message, a
-- subscription, a menu click); subscribed is 0 after they unsubscribed.
CREATE TABLE wechat_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES wechat_channels (id),
    openid TEXT NOT NULL,
    contact_id INTEGER REFERENCES customer_contacts (id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    subscribed INTEGER NOT NULL DEFAULT 1,
    first_message_at INTEGER NOT NULL,
    last_message_at INTEGER,
    last_seen_at INTEGER NOT NULL,
    UNIQUE (channel_id, openid)
);
CREATE INDEX wechat_users_contact ON wechat_users (contact_id);

-- 收到的消息 — every message and event an account received, raw. (channel, dedup_key) is
-- claimed when WeChat posts it (its retries, or two posts at once, find it taken); a job
-- then lands it on a ticket. status: queued | ticket_created | added_to_ticket | event.
CREATE TABLE wechat_inbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES wechat_channels (id),
    -- msg:<MsgId>, or event:<OpenID>:<CreateTime>:<Event>.
    dedup_key TEXT NOT NULL,
    openid TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    event TEXT,
    raw TEXT NOT NULL,
    status TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    ticket_message_id INTEGER REFERENCES ticket_messages (id) ON DELETE SET NULL,
    received_at INTEGER NOT NULL,
    processed_at INTEGER,
    UNIQUE (channel_id, dedup_key)
);
CREATE INDEX wechat_inbound_ticket ON wechat_inbound (ticket_id, id);
CREATE INDEX wechat_inbound_user ON wechat_inbound (channel_id, openid, id);

-- 客服消息 — one reply sent to a follower, queued in the transaction that wrote it and sent
-- by a job, as one or more text messages of at most 2048 bytes (parts_sent of parts have
-- gone). status: queued | sent | failed | not_sent (WeChat's 48-hour window had passed).
CREATE TABLE wechat_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES wechat_channels (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    ticket_message_id INTEGER NOT NULL REFERENCES ticket_messages (id) ON DELETE CASCADE,
    -- Who wrote the reply: told when it could not go.
    author_user_id INTEGER REFERENCES users (id),
    openid TEXT NOT NULL,
    content TEXT NOT NULL,
    parts INTEGER NOT NULL,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- WeChat's last answer that was not a success.
    errcode INTEGER,
    errmsg TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX wechat_sends_ticket ON wechat_sends (ticket_id, id);

-- A follower's OpenID is matched to the contact whose WeChat field holds it.
CREATE INDEX customer_contacts_wechat ON customer_contacts (wechat);
