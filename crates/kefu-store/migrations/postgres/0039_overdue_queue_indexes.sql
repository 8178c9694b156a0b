-- 已超时 in an order other than the deadline's: the overdue tickets the SLA sweep has marked
-- (it escalated their running deadline) in each order, read in that order; the few it has
-- not reached yet are found by their deadline (tickets_escalation_pending) and sorted.
-- Read from the working tickets in order instead, the newest of which are not overdue, a
-- first page by creation passed 35,000 rows at a million tickets.
CREATE INDEX tickets_q_overdue_updated ON tickets (active, updated_at, id) INCLUDE (sla_next_due_at)
    WHERE active = 1 AND sla_escalated_due_at = sla_next_due_at;
CREATE INDEX tickets_q_overdue_created ON tickets (active, created_at, id) INCLUDE (sla_next_due_at)
    WHERE active = 1 AND sla_escalated_due_at = sla_next_due_at;
CREATE INDEX tickets_q_overdue_priority ON tickets (active, priority_rank, id) INCLUDE (sla_next_due_at)
    WHERE active = 1 AND sla_escalated_due_at = sla_next_due_at;
