-- 客户卡片 — a customer's open tickets, counted on the ticket page's customer card and listed
-- by the queue's customer filter, read from this index alone: neither every ticket the
-- customer ever had nor every open ticket of the company.
CREATE INDEX tickets_customer_active ON tickets (customer_id, active, updated_at, id);
