-- The tier changes since a moment (a follow-up period's first day), read by the coverage
-- counts as one small set rather than customer by customer.
CREATE INDEX customer_history_field_at ON customer_history (field, at);
