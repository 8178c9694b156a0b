-- Who has a ticket open and who is writing a reply, so two agents do not answer at once.
-- Kept in the database so every instance sees everyone; rows expire by time.
CREATE TABLE ticket_presence (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    replying INTEGER NOT NULL DEFAULT 0,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);
CREATE INDEX ticket_presence_seen ON ticket_presence (seen_at);
