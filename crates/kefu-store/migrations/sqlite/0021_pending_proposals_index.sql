-- 待审批方案 — the managers' list of every proposal waiting for approval reads the waiting
-- ones oldest first from this index, however many complaints there are.
CREATE INDEX complaint_proposals_waiting ON complaint_proposals (status, proposed_at, id);
