-- 大客户 (000 §(六)): the customer service manager's visits to the key accounts, arranged by
-- the key-account specialist, with their reports; the key accounts' ratings of the agents
-- serving them; and the changes of agent a low rating proposes.
CREATE TABLE manager_visits (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    manager_id BIGINT NOT NULL REFERENCES users (id),
    arranged_by BIGINT REFERENCES users (id),
    scheduled_at BIGINT NOT NULL,
    -- on_site | phone | video
    mode TEXT NOT NULL,
    purpose TEXT NOT NULL,
    -- planned | done | cancelled
    state TEXT NOT NULL,
    -- The report: what was found, what the customer asked for, what follows.
    summary TEXT,
    requests TEXT,
    actions TEXT,
    reported_at BIGINT,
    cancel_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX manager_visits_when ON manager_visits (scheduled_at);
CREATE INDEX manager_visits_customer ON manager_visits (customer_id, state, scheduled_at);

CREATE TABLE agent_ratings (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    -- The customer's owner when it was rated.
    agent_id BIGINT NOT NULL REFERENCES users (id),
    score BIGINT NOT NULL,
    comment TEXT NOT NULL,
    -- The manager visit it was heard on, if any.
    visit_id BIGINT REFERENCES manager_visits (id),
    rated_by BIGINT REFERENCES users (id),
    rated_at BIGINT NOT NULL
);
CREATE INDEX agent_ratings_customer ON agent_ratings (customer_id, rated_at);

CREATE TABLE agent_changes (
    id BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    rating_id BIGINT NOT NULL UNIQUE REFERENCES agent_ratings (id),
    from_agent_id BIGINT NOT NULL REFERENCES users (id),
    -- proposed | applied | dismissed
    state TEXT NOT NULL,
    to_agent_id BIGINT REFERENCES users (id),
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX agent_changes_state ON agent_changes (state, customer_id);
