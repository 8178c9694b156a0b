-- 工作台 — an agent's own open tickets, counted by status and by deadline for the workbench,
-- read from the agent's entries alone rather than from every open ticket of the company.
CREATE INDEX tickets_assignee_status ON tickets (assignee_id, active, status);
CREATE INDEX tickets_assignee_due ON tickets (assignee_id, active, sla_next_due_at);
-- The deadline sweeps look only at what they have not yet handled: a ticket past its
-- deadline and already escalated (or warned) for it leaves these indexes, so the sweep no
-- longer reads every overdue ticket on every pass.
CREATE INDEX tickets_escalation_pending ON tickets (active, sla_next_due_at)
    WHERE (sla_escalated_due_at IS NULL OR sla_escalated_due_at <> sla_next_due_at);
CREATE INDEX tickets_warning_pending ON tickets (active, sla_next_due_at)
    WHERE (sla_warned_due_at IS NULL OR sla_warned_due_at <> sla_next_due_at);
CREATE INDEX complaints_escalation_pending ON complaints (stage_due_at) WHERE stage_escalated = 0;
CREATE INDEX complaints_warning_pending ON complaints (stage_due_at) WHERE stage_warned = 0;
