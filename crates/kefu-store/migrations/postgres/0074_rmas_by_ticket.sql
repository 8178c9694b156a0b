-- A ticket's RMAs: the ticket's page lists them, and the satisfaction report rates a
-- ticket's product as the product of its first RMA.
CREATE INDEX rmas_ticket ON rmas (ticket_id, id);
