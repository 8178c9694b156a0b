-- How many business days after an RMA is closed, or a customer's first order has arrived,
-- its follow-up visit is due (售后回访, 首单回访).
ALTER TABLE follow_up_settings ADD COLUMN after_sales_days INTEGER NOT NULL DEFAULT 3;
