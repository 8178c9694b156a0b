-- 配件与不良品 — the spare parts stock as a ledger: the locations (the central warehouse and
-- each service point), the balance of each part there, good or defective (never below zero:
-- every change is a conditional update), every movement with its document and person, the
-- issue plans per location and month, and the defective goods waiting for their disposal.
CREATE TABLE stock_locations (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    service_point_id BIGINT UNIQUE REFERENCES service_points (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE stock_balances (
    location_id BIGINT NOT NULL REFERENCES stock_locations (id),
    part_id BIGINT NOT NULL REFERENCES parts (id),
    condition TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (location_id, part_id, condition)
);
CREATE INDEX stock_balances_part ON stock_balances (part_id, location_id);

CREATE TABLE stock_movements (
    id BIGSERIAL PRIMARY KEY,
    part_id BIGINT NOT NULL REFERENCES parts (id),
    kind TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    location_id BIGINT NOT NULL REFERENCES stock_locations (id),
    to_location_id BIGINT REFERENCES stock_locations (id),
    document TEXT NOT NULL,
    rma_id BIGINT REFERENCES rmas (id),
    reason TEXT NOT NULL DEFAULT '',
    by_user BIGINT REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX stock_movements_part ON stock_movements (part_id, at);
CREATE INDEX stock_movements_location ON stock_movements (location_id, at);
CREATE INDEX stock_movements_rma ON stock_movements (rma_id);

CREATE TABLE stock_plans (
    id BIGSERIAL PRIMARY KEY,
    location_id BIGINT NOT NULL REFERENCES stock_locations (id),
    period TEXT NOT NULL,
    part_id BIGINT NOT NULL REFERENCES parts (id),
    quantity BIGINT NOT NULL,
    status TEXT NOT NULL,
    proposed_by BIGINT REFERENCES users (id),
    decided_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    UNIQUE (location_id, period, part_id)
);

CREATE TABLE defective_goods (
    id BIGSERIAL PRIMARY KEY,
    rma_id BIGINT REFERENCES rmas (id),
    part_id BIGINT NOT NULL REFERENCES parts (id),
    location_id BIGINT NOT NULL REFERENCES stock_locations (id),
    quantity BIGINT NOT NULL,
    disposal TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    decision_note TEXT NOT NULL DEFAULT '',
    proposed_by BIGINT REFERENCES users (id),
    decided_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
CREATE INDEX defective_goods_status ON defective_goods (status, id);
