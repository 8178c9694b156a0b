-- The customer list filters by one of these and shows the newest first: with the id in the
-- index, the list reads a page's worth of rows instead of sorting every match.
CREATE INDEX customers_tier_id ON customers (tier, id);
CREATE INDEX customers_province_id ON customers (province, id);
CREATE INDEX customers_status_id ON customers (status, id);
CREATE INDEX customers_type_id ON customers (customer_type, id);
