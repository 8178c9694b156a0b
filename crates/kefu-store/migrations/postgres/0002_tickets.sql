-- Tickets: groups, statuses, the ticket itself, its conversation, field-change events,
-- attachments, admin-defined custom fields and saved queue filters.

-- 工作组 — a team that tickets are routed to; its manager receives escalations.
CREATE TABLE ticket_groups (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    manager_user_id BIGINT REFERENCES users (id),
    -- manual | round_robin | least_open
    assignment TEXT NOT NULL DEFAULT 'manual',
    -- The member who received the last round-robin ticket.
    last_assigned_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE ticket_group_members (
    group_id BIGINT NOT NULL REFERENCES ticket_groups (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX ticket_group_members_user ON ticket_group_members (user_id);

-- Whether a staff member is on shift, for automatic assignment.
ALTER TABLE users ADD COLUMN on_shift BIGINT NOT NULL DEFAULT 1;

-- Statuses: the six built-in ones and any an admin adds, each in one category.
CREATE TABLE ticket_statuses (
    key TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    builtin BIGINT NOT NULL DEFAULT 0,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
INSERT INTO ticket_statuses (key, category, name_zh, name_en, builtin, position, created_at) VALUES
    ('new', 'new', '新建', 'New', 1, 10, 0),
    ('open', 'open', '处理中', 'Open', 1, 20, 0),
    ('pending_customer', 'pending_customer', '待客户回复', 'Waiting for customer', 1, 30, 0),
    ('pending_internal', 'pending_internal', '待内部处理', 'Waiting on internal team', 1, 40, 0),
    ('resolved', 'resolved', '已解决', 'Resolved', 1, 50, 0),
    ('closed', 'closed', '已关闭', 'Closed', 1, 60, 0);

-- One row per local day; the sequence behind the human ticket number.
CREATE TABLE ticket_counters (
    day TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    ticket_type TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL REFERENCES ticket_statuses (key),
    status_category TEXT NOT NULL,
    -- 1 while the category is new, open or pending; for the queues' indexes.
    active BIGINT NOT NULL,
    priority TEXT NOT NULL,
    priority_rank BIGINT NOT NULL,
    subject TEXT NOT NULL,
    -- Plain references until the customer archive links them.
    customer_name TEXT,
    contact_name TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    assignee_id BIGINT REFERENCES users (id),
    group_id BIGINT REFERENCES ticket_groups (id),
    -- Comma-wrapped copy of the tags (",a,b,") for display without a join.
    tags TEXT NOT NULL DEFAULT '',
    -- The sender's own id for the request, so a retried delivery is recognised.
    external_id TEXT,
    created_by_user_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    resolved_at BIGINT,
    closed_at BIGINT,
    message_count BIGINT NOT NULL DEFAULT 0,
    UNIQUE (channel, external_id)
);
CREATE INDEX tickets_active_updated ON tickets (active, updated_at, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, active, updated_at, id);
CREATE INDEX tickets_group ON tickets (group_id, active, updated_at, id);
CREATE INDEX tickets_category ON tickets (status_category, updated_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    tag TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);

-- The conversation: public replies and internal notes.
CREATE TABLE ticket_messages (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    -- public | internal
    visibility TEXT NOT NULL,
    -- staff | customer | system
    author_kind TEXT NOT NULL,
    author_user_id BIGINT REFERENCES users (id),
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- System events: every field change, who, when, old → new.
CREATE TABLE ticket_events (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_attachments (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    message_id BIGINT REFERENCES ticket_messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);

-- Custom fields an admin defines; values are stored as normalised text.
CREATE TABLE ticket_fields (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    -- text | number | date | choice
    kind TEXT NOT NULL,
    -- Choice options, one per line.
    options TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE ticket_field_values (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    field_id BIGINT NOT NULL REFERENCES ticket_fields (id),
    value TEXT NOT NULL,
    PRIMARY KEY (ticket_id, field_id)
);

-- A queue filter a user saved under a name (the filter is the queue page's query string).
CREATE TABLE saved_views (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
