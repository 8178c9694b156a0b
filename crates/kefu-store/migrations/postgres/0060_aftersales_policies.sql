-- 售后服务政策 — the after-sales policy's versions, dated, per product category; scope 0
-- (category_id NULL) is the company-wide policy for categories without their own. No two
-- versions of one scope share a day (checked when a version is added); the body is the
-- domain's policy as JSON, so a version reads as it was issued.
CREATE TABLE aftersales_policies (
    id BIGSERIAL PRIMARY KEY,
    scope BIGINT NOT NULL,
    category_id BIGINT REFERENCES product_categories (id),
    number BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    body TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    UNIQUE (scope, number)
);
CREATE INDEX aftersales_policies_from ON aftersales_policies (scope, valid_from);
