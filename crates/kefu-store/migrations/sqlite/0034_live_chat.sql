-- 在线客服 — live chat: the chat channels a web site embeds with one script tag, the agents'
-- availability, every chat (会话) with what became of it, and its messages. Everything a
-- chat needs lives here, so a visitor's socket on one kefu instance and the agent's console
-- on another talk through these tables.

-- 在线客服渠道 — one widget. allowed_origins: the exact origins (scheme://host[:port]) whose
-- pages may open it, one per line; any other page is refused before its socket opens.
CREATE TABLE chat_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    allowed_origins TEXT NOT NULL DEFAULT '',
    -- The group whose agents answer; none: any agent.
    group_id INTEGER REFERENCES ticket_groups (id),
    max_message_chars INTEGER NOT NULL DEFAULT 2000,
    greeting TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- 坐席状态 — whether an agent takes chats (在线/离开), how many at once, and when kefu last
-- heard from them (an agent not heard from for minutes does not count as on shift).
CREATE TABLE chat_agents (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    online INTEGER NOT NULL DEFAULT 0,
    chat_limit INTEGER NOT NULL DEFAULT 5,
    last_seen_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- 会话 — one chat, from the visitor's first message. The visitor's token (kept by the
-- widget to come back to the chat) is stored only as its SHA-256. status: waiting | active
-- | ended. last_seq: the last message number given out in the chat (messages are numbered
-- under this row's lock, so numbers follow the order they were written). The visitor's
-- phone and e-mail are sensitive: shown masked. ticket_id: the ticket the ended chat
-- became (once).
CREATE TABLE chat_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES chat_channels (id),
    visitor_token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    agent_user_id INTEGER REFERENCES users (id),
    group_id INTEGER REFERENCES ticket_groups (id),
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers (id),
    visitor_name TEXT,
    visitor_phone TEXT,
    visitor_email TEXT,
    origin TEXT,
    page_url TEXT,
    last_seq INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    accepted_at INTEGER,
    ended_at INTEGER,
    -- visitor | agent | idle
    ended_by TEXT,
    last_activity_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX chat_sessions_queue ON chat_sessions (status, group_id, started_at);
CREATE INDEX chat_sessions_agent ON chat_sessions (agent_user_id, status);
CREATE INDEX chat_sessions_idle ON chat_sessions (status, last_activity_at);
CREATE INDEX chat_sessions_unticketed ON chat_sessions (status) WHERE ticket_id IS NULL;

-- 会话消息 — one line of a chat, numbered in its chat (seq). author: visitor | agent |
-- system. cseq: the widget's own number of a visitor's message, so a message sent again
-- after a dropped connection is stored once.
CREATE TABLE chat_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER NOT NULL REFERENCES chat_sessions (id),
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users (id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    cseq INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (session_id, seq),
    UNIQUE (session_id, cseq)
);
