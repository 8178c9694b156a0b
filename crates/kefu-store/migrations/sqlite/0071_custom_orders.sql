-- 定制下单: a custom request the customer accepted places its order, for a catalogue
-- product of its own (inactive: made for that customer alone).
ALTER TABLE custom_requests ADD COLUMN order_id INTEGER REFERENCES orders (id);
ALTER TABLE custom_requests ADD COLUMN product_id INTEGER REFERENCES products (id);
