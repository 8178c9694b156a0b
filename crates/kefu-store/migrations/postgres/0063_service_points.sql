-- 服务网点 — where repairs happen: the place, the categories each repairs, how many repairs
-- it takes at once and its turnaround in days; the periodic checklist inspections with their
-- score and actions; and on an RMA the point its repair was routed to and when the goods
-- arrived (its turnaround runs from there).
CREATE TABLE service_points (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    province TEXT NOT NULL,
    city TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    capacity BIGINT NOT NULL,
    turnaround_days BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);

CREATE TABLE service_point_categories (
    point_id BIGINT NOT NULL REFERENCES service_points (id),
    category_id BIGINT NOT NULL REFERENCES product_categories (id),
    PRIMARY KEY (point_id, category_id)
);

CREATE TABLE service_point_inspections (
    id BIGSERIAL PRIMARY KEY,
    point_id BIGINT NOT NULL REFERENCES service_points (id),
    inspected_on TEXT NOT NULL,
    items TEXT NOT NULL,
    score BIGINT NOT NULL,
    actions TEXT NOT NULL,
    inspector_id BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX service_point_inspections_point ON service_point_inspections (point_id, inspected_on);

ALTER TABLE rmas ADD COLUMN service_point_id BIGINT REFERENCES service_points (id);
ALTER TABLE rmas ADD COLUMN received_at BIGINT;
CREATE INDEX rmas_service_point ON rmas (service_point_id, state);
