-- A complaint's follow-up visit (投诉结案回访) is found from the complaint: its page links to
-- the visit, and recording the result on either side completes the other.
CREATE INDEX follow_up_visits_complaint ON follow_up_visits (complaint_id, status);
