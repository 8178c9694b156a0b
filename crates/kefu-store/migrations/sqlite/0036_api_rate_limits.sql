-- The API's rate limit, shared by every instance on the database: per key (`token:ID`, or
-- `ip:ADDRESS` for calls without a token) the moment, in microseconds since the epoch, at
-- which the key's allowance is whole again (the generic cell rate algorithm's "theoretical
-- arrival time"). A row whose moment has passed means a full allowance; such rows are
-- purged now and then.
CREATE TABLE api_rate_limits (
    rate_key TEXT PRIMARY KEY,
    full_at INTEGER NOT NULL
);
CREATE INDEX api_rate_limits_full_at ON api_rate_limits (full_at);
