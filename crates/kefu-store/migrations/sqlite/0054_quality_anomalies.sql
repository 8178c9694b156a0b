-- 服务质量异常 — quality anomalies, one per source (UNIQUE source), numbered per day, filed
-- under an editable list of service items 服务项目, investigated before they close.
CREATE TABLE quality_service_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO quality_service_items (key, name, position) VALUES
    ('phone', '电话受理', 1),
    ('online', '在线咨询', 2),
    ('email', '邮件回复', 3),
    ('complaint', '投诉处理', 4),
    ('repair', '售后维修', 5),
    ('return', '退换货', 6),
    ('order', '订单处理', 7),
    ('visit', '回访', 8),
    ('statement', '对账', 9);

CREATE TABLE quality_anomaly_counters (
    day TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

CREATE TABLE quality_anomalies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    occurred_on TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    source_kind TEXT NOT NULL,
    source_key TEXT NOT NULL,
    service_item_id INTEGER NOT NULL REFERENCES quality_service_items (id),
    channel TEXT,
    agent_id INTEGER REFERENCES users (id),
    department_id INTEGER REFERENCES departments (id),
    ticket_id INTEGER REFERENCES tickets (id),
    severity TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    cause TEXT,
    responsible_user_id INTEGER REFERENCES users (id),
    findings TEXT NOT NULL DEFAULT '',
    investigated_by INTEGER REFERENCES users (id),
    investigated_at INTEGER,
    closed_by INTEGER REFERENCES users (id),
    closed_at INTEGER,
    created_by INTEGER REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source_kind, source_key)
);
CREATE INDEX quality_anomalies_occurred ON quality_anomalies (occurred_on);
CREATE INDEX quality_anomalies_recorded ON quality_anomalies (recorded_at);
CREATE INDEX quality_anomalies_status ON quality_anomalies (status, id);
