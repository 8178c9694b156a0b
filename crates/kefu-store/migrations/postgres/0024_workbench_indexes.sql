-- 工作台 — each workbench tile counts what its link opens, read from an index rather than a
-- scan of the table: the open tickets by status and by age,
CREATE INDEX tickets_backlog ON tickets (active, status, created_at);
-- handling notices waiting for a department's answer or for the specialist's review,
CREATE INDEX complaint_notices_waiting ON complaint_notices (status, due_at, complaint_id);
-- open complaints by the cause their investigation found,
CREATE INDEX complaints_cause ON complaints (cause, stage_due_at);
-- returns, exchanges, refunds and repairs still running,
CREATE INDEX complaint_rmas_status ON complaint_rmas (status, complaint_id);
-- today's reveals and sensitive exports,
CREATE INDEX audit_log_action_at ON audit_log (action, at);
-- who was seen lately,
CREATE INDEX sessions_seen ON sessions (last_seen_at);
-- and one's own imports, newest first.
CREATE INDEX customer_imports_user ON customer_imports (user_id, id);
