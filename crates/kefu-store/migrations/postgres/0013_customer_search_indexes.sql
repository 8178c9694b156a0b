-- The customer list's search box looks for a part of a contact's name or of a landline
-- (LIKE '%…%'), which no ordinary index can seek. These narrow indexes hold just the
-- searched column and the customer: the database scans them instead of the whole contact
-- table (at 100k customers: 52 → 9 ms by phone digits, 77 → 19 ms by a contact's name).
CREATE INDEX customer_contacts_name_customer ON customer_contacts (name, customer_id);
CREATE INDEX customer_contacts_digits_customer ON customer_contacts (phone_digits, customer_id);
