-- 退换货记录 — a step on an RMA (approved, received, done, closed) names the RMA it moved,
-- so the complaint's log reads "退款单 #12 已退款" rather than a step of no record. NULL on
-- every other step, and on RMA steps logged before this column existed.
ALTER TABLE complaint_steps ADD COLUMN rma_id BIGINT REFERENCES complaint_rmas (id);
