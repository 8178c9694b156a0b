-- 发货与到货核实 — shipments of an order's lines (002 §一3: 跟踪落实该批次货物的发货情况；及时
-- 将发货资讯反馈给经销商；跟踪了解客户是否收到货物，收到货物件数是否正确): the carrier and tracking
-- number, how many of each line left, the customer told (by text or mail, or why not), the
-- tracking events (entered, imported or pushed by the carrier; the same event twice is one),
-- and the customer's count per line on delivery; a short count opens an order-issue ticket
-- 订单问题, linked here. A production request is marked done (生产完成) before what it makes
-- can ship.
CREATE TABLE shipments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    number TEXT NOT NULL UNIQUE,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    state TEXT NOT NULL,
    notice TEXT NOT NULL,
    shipped_at INTEGER NOT NULL,
    delivered_at INTEGER,
    checked_at INTEGER,
    issue_ticket_id INTEGER REFERENCES tickets (id),
    created_by INTEGER REFERENCES users (id),
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX shipments_order ON shipments (order_id, id);
CREATE INDEX shipments_tracking ON shipments (tracking_number);

CREATE TABLE shipment_lines (
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    order_line_id INTEGER NOT NULL REFERENCES order_lines (id),
    quantity INTEGER NOT NULL,
    received INTEGER,
    PRIMARY KEY (shipment_id, order_line_id)
);

CREATE TABLE shipment_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    shipment_id INTEGER NOT NULL REFERENCES shipments (id),
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    UNIQUE (shipment_id, at, status)
);

ALTER TABLE order_documents ADD COLUMN done_at INTEGER;
