-- 客户档案: customers, their contacts, and the history of every change; tickets link to them.
CREATE TABLE customers (
    id BIGSERIAL PRIMARY KEY,
    -- company | person
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The name normalised (half-width, no spaces or punctuation, lower case): duplicates.
    name_key TEXT NOT NULL,
    -- key_account | vip | normal
    tier TEXT NOT NULL,
    -- end_customer | distributor | dealer
    customer_type TEXT NOT NULL,
    -- prospect | active | dormant | lost
    status TEXT NOT NULL,
    province TEXT,
    city TEXT,
    industry TEXT,
    owner_id BIGINT REFERENCES users (id),
    -- Comma-wrapped tags (",a,b,").
    tags TEXT NOT NULL DEFAULT '',
    notes TEXT,
    -- Sensitive: shown masked without the reveal permission.
    id_number TEXT,
    address TEXT,
    bank_account TEXT,
    -- When someone last had contact with the customer (tickets, calls, visits).
    last_contact_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_tier_status ON customers (tier, status, id);
CREATE INDEX customers_owner ON customers (owner_id, id);

CREATE TABLE customer_contacts (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    title TEXT,
    -- Sensitive. Digits only, 11 for a mainland mobile.
    mobile TEXT,
    -- The mobile's digits reversed, so a search by the last digits uses an index.
    mobile_reversed TEXT,
    phone TEXT,
    phone_digits TEXT,
    email TEXT,
    wechat TEXT,
    -- phone | sms | email | wechat | visit
    preferred_channel TEXT,
    -- Channels the contact refuses (",sms,phone,").
    opt_outs TEXT NOT NULL DEFAULT '',
    -- 免打扰时段, e.g. "12:00-14:00, 22:00-08:00".
    rest_hours TEXT NOT NULL DEFAULT '',
    is_primary BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX customer_contacts_customer ON customer_contacts (customer_id, id);
CREATE INDEX customer_contacts_mobile ON customer_contacts (mobile);
CREATE INDEX customer_contacts_mobile_reversed ON customer_contacts (mobile_reversed);
CREATE INDEX customer_contacts_email ON customer_contacts (email);

-- Every change to a customer or contact: who, when, field, old → new.
CREATE TABLE customer_history (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    contact_id BIGINT REFERENCES customer_contacts (id),
    at BIGINT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX customer_history_customer ON customer_history (customer_id, id);

ALTER TABLE tickets ADD COLUMN customer_id BIGINT REFERENCES customers (id);
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);
