-- The API's rate limit is written by every API call. Unlogged, its writes make no
-- write-ahead log, so a call's commit does not wait for a flush to disk (nor for a
-- synchronous standby). What that gives up is only the count itself: after a crash of
-- PostgreSQL the table is emptied, and a standby promoted in a failover starts it empty —
-- every key's allowance whole again, once.
ALTER TABLE api_rate_limits SET UNLOGGED;
