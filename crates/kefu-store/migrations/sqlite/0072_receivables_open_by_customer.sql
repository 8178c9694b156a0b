-- The ageing report groups what is still owed by customer: a partial index in that order,
-- covering the due date and the open amount, reads only the open rows (a few in a hundred
-- once most are paid) without touching the table.
CREATE INDEX receivables_open_customer ON receivables (customer_id, due_on, open_fen)
    WHERE open_fen > 0;
