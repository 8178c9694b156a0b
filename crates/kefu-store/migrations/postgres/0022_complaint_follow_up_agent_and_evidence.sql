-- 回访人 — the agent who makes a complaint's follow-up call, chosen at intake (by default
-- the ticket's assignee); NULL leaves it to the complaint's handler.
ALTER TABLE complaints ADD COLUMN follow_up_agent_id BIGINT REFERENCES users (id);

-- 调查证据 — which of the complaint ticket's attachments are the investigation's evidence
-- (sent with the investigation form, or added over the API), who added each and when. The
-- files stay ticket attachments, served and guarded as those are.
CREATE TABLE complaint_evidence (
    complaint_id BIGINT NOT NULL REFERENCES complaints (id),
    attachment_id BIGINT NOT NULL REFERENCES ticket_attachments (id),
    added_by BIGINT REFERENCES users (id),
    added_at BIGINT NOT NULL,
    PRIMARY KEY (complaint_id, attachment_id)
);
