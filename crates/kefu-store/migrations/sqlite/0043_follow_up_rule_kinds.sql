-- 特色回访 and 沉睡客户回访: an occasion's days (every year when `yearly`), the days without
-- contact that make a customer dormant, and the 祝福语 a rule's visits say ({祝福语}).
-- A rule of every tier has no `tier`.
ALTER TABLE follow_up_rules ADD COLUMN starts_on TEXT;
ALTER TABLE follow_up_rules ADD COLUMN ends_on TEXT;
ALTER TABLE follow_up_rules ADD COLUMN yearly INTEGER NOT NULL DEFAULT 0;
ALTER TABLE follow_up_rules ADD COLUMN dormant_days INTEGER;
ALTER TABLE follow_up_rules ADD COLUMN blessing TEXT;
