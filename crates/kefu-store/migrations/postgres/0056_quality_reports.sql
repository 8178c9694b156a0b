-- 质量异常分析日报表 — the daily quality anomaly reports as issued: one row per revision
-- of a business day's report (UNIQUE (report_date, revision): two instances make it once),
-- its figures as JSON, and the anomalies it listed, so a late one shows as 补录 in the next.
CREATE TABLE quality_reports (
    id BIGSERIAL PRIMARY KEY,
    report_date TEXT NOT NULL,
    revision BIGINT NOT NULL,
    covers_to TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    made_by BIGINT REFERENCES users (id),
    made_at BIGINT NOT NULL,
    UNIQUE (report_date, revision)
);

CREATE TABLE quality_report_items (
    report_id BIGINT NOT NULL REFERENCES quality_reports (id),
    anomaly_id BIGINT NOT NULL REFERENCES quality_anomalies (id),
    late BIGINT NOT NULL,
    PRIMARY KEY (report_id, anomaly_id)
);
CREATE INDEX quality_report_items_anomaly ON quality_report_items (anomaly_id);

CREATE INDEX quality_inspections_scored ON quality_inspections (scored_at);
CREATE INDEX quality_anomalies_closed ON quality_anomalies (closed_at);
CREATE INDEX quality_anomalies_investigated ON quality_anomalies (investigated_at);
