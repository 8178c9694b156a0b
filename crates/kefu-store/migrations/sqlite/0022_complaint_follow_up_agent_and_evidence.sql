-- 回访人 — the agent who makes a complaint's follow-up call, chosen at intake (by default
-- the ticket's assignee); NULL leaves it to the complaint's handler.
ALTER TABLE complaints ADD COLUMN follow_up_agent_id INTEGER REFERENCES users (id);

-- 调查证据 — which of the complaint ticket's attachments are the investigation's evidence
-- (sent with the investigation form, or added over the API), who added each and when. The
-- files stay ticket attachments, served and guarded as those are.
CREATE TABLE complaint_evidence (
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    attachment_id INTEGER NOT NULL REFERENCES ticket_attachments (id),
    added_by INTEGER REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (complaint_id, attachment_id)
);
