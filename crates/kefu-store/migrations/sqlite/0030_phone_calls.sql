-- 渠道 — the telephone: telephone systems (CTI) that report their calls to kefu, which
-- extension rings at which agent, every call with what became of it, and the events each
-- call was reported by (once per call and kind, whatever order they came in).

-- 电话渠道 — one telephone system. The webhook secret is the HMAC key that signs its events,
-- kept as generated (kefu computes the HMAC itself); no page, API answer or log shows it
-- after the answer that made it. The area code is the exchange's own: a caller's local
-- number (without one) gets it.
CREATE TABLE phone_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active INTEGER NOT NULL DEFAULT 1,
    webhook_secret TEXT NOT NULL,
    secret_rotated_at INTEGER NOT NULL,
    -- The group a missed call's callback goes to when its extension is nobody's.
    group_id INTEGER REFERENCES ticket_groups (id),
    area_code TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- 分机 — which staff account an extension of the telephone system rings at.
CREATE TABLE phone_extensions (
    channel_id INTEGER NOT NULL REFERENCES phone_channels (id),
    extension TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (channel_id, extension)
);
CREATE INDEX phone_extensions_user ON phone_extensions (user_id);

-- 通话 — one call, reported by a telephone system (channel, and its own call id) or logged
-- by hand (no channel; the form's token as call id). The customer's number is kept
-- normalised (sensitive: shown masked). status: ringing | answered | missed | done, folded
-- from the call's events. callback: pending | done for an inbound call nobody answered
-- (待回拨). dismissed_at: the agent said the call needs no record.
CREATE TABLE phone_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER REFERENCES phone_channels (id),
    call_id TEXT NOT NULL,
    -- inbound | outbound
    direction TEXT NOT NULL,
    customer_number TEXT,
    extension TEXT,
    agent_user_id INTEGER REFERENCES users (id),
    group_id INTEGER REFERENCES ticket_groups (id),
    status TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    duration_secs INTEGER,
    recording_url TEXT,
    ticket_id INTEGER REFERENCES tickets (id) ON DELETE SET NULL,
    customer_id INTEGER REFERENCES customers (id),
    callback TEXT,
    callback_closed_at INTEGER,
    callback_closed_by INTEGER REFERENCES users (id),
    dismissed_at INTEGER,
    -- cti | manual
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel_id, call_id)
);
CREATE UNIQUE INDEX phone_calls_manual ON phone_calls (call_id) WHERE channel_id IS NULL;
CREATE INDEX phone_calls_agent ON phone_calls (agent_user_id, started_at);
CREATE INDEX phone_calls_unlogged ON phone_calls (agent_user_id, status)
    WHERE ticket_id IS NULL AND dismissed_at IS NULL;
CREATE INDEX phone_calls_callback ON phone_calls (callback, agent_user_id, group_id);
CREATE INDEX phone_calls_ticket ON phone_calls (ticket_id);
CREATE INDEX phone_calls_number ON phone_calls (customer_number);

-- 通话事件 — each event a call was reported by, once per call and kind: the same event
-- delivered again (or twice at once) finds its row taken and changes nothing.
CREATE TABLE phone_call_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    phone_call_id INTEGER NOT NULL REFERENCES phone_calls (id),
    -- ringing | answered | hangup
    event TEXT NOT NULL,
    at INTEGER NOT NULL,
    extension TEXT,
    duration_secs INTEGER,
    recording_url TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (phone_call_id, event)
);

