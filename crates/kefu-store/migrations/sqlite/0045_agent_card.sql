-- 客服名片: an agent's desk phone ({客服电话} in the scripts) and work mobile, which the
-- first visit's text message gives the customer; when a visit's card was last sent.
ALTER TABLE users ADD COLUMN work_phone TEXT;
ALTER TABLE users ADD COLUMN work_mobile TEXT;
ALTER TABLE follow_up_visits ADD COLUMN card_sent_at INTEGER;
