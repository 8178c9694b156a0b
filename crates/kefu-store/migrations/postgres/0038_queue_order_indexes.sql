-- Every queue tab in every order reads an index in that order and stops after a page (the
-- queue x order plans are checked by the tests). Working tickets (active = 1) are a few
-- percent of a grown department's tickets, so the queue indexes hold only them; `active`
-- stays a key column as well, since SQLite, without statistics, chooses among indexes by
-- how many equality columns of the query they match.

-- 我的工单 / 未分配 (assignee_id IS NULL is an equality for SQLite), by creation, priority
-- and deadline; by last update: tickets_assignee.
CREATE INDEX tickets_q_assignee_created ON tickets (assignee_id, active, created_at, id) WHERE active = 1;
CREATE INDEX tickets_q_assignee_priority ON tickets (assignee_id, active, priority_rank, id) WHERE active = 1;
DROP INDEX tickets_assignee_due;
CREATE INDEX tickets_assignee_due ON tickets (assignee_id, active, sla_next_due_at, id);

-- 我的组, one range per group; by last update: tickets_group.
CREATE INDEX tickets_q_group_created ON tickets (group_id, active, created_at, id) WHERE active = 1;
CREATE INDEX tickets_q_group_priority ON tickets (group_id, active, priority_rank, id) WHERE active = 1;
CREATE INDEX tickets_q_group_due ON tickets (group_id, active, sla_next_due_at, id) WHERE active = 1;

-- 等待中, one range per waiting category.
CREATE INDEX tickets_q_category_updated ON tickets (status_category, active, updated_at, id) WHERE active = 1;
CREATE INDEX tickets_q_category_created ON tickets (status_category, active, created_at, id) WHERE active = 1;
CREATE INDEX tickets_q_category_priority ON tickets (status_category, active, priority_rank, id) WHERE active = 1;
CREATE INDEX tickets_q_category_due ON tickets (status_category, active, sla_next_due_at, id) WHERE active = 1;

-- 全部未结 and 已超时 (the deadline carried along, so the overdue queue in another order
-- than the deadline's reads the index alone).
DROP INDEX tickets_active_updated;
CREATE INDEX tickets_active_updated ON tickets (active, updated_at, id) INCLUDE (sla_next_due_at);
CREATE INDEX tickets_q_open_created ON tickets (active, created_at, id) INCLUDE (sla_next_due_at) WHERE active = 1;
CREATE INDEX tickets_q_open_priority ON tickets (active, priority_rank, id) INCLUDE (sla_next_due_at) WHERE active = 1;
DROP INDEX tickets_sla_next;
CREATE INDEX tickets_sla_next ON tickets (active, sla_next_due_at, id);

-- 全部, closed tickets included; by creation: tickets_created.
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_priority ON tickets (priority_rank, id);
CREATE INDEX tickets_due ON tickets (sla_next_due_at, id) WHERE sla_next_due_at IS NOT NULL;

-- PostgreSQL does not take `assignee_id IS NULL` as fixing the index's first column, so
-- 未分配 in the orders other than last update (tickets_unassigned) has indexes of its own.
CREATE INDEX tickets_q_unassigned_created ON tickets (created_at, id) WHERE active = 1 AND assignee_id IS NULL;
CREATE INDEX tickets_q_unassigned_priority ON tickets (priority_rank, id) WHERE active = 1 AND assignee_id IS NULL;
CREATE INDEX tickets_q_unassigned_due ON tickets (sla_next_due_at, id) WHERE active = 1 AND assignee_id IS NULL;


-- The queue plans follow the statistics: a queue that grew from nothing to thousands since
-- the last ANALYZE (the morning's unassigned tickets) is planned as the few rows it held
-- then, and sorted. autovacuum analyses `tickets` after 1 % of it changed instead of 10 %:
-- at a million tickets after 10,000 changes rather than 100,000.
ALTER TABLE tickets SET (autovacuum_analyze_scale_factor = 0.01);
ANALYZE tickets;
