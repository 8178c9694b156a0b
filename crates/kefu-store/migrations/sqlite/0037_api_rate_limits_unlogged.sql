-- PostgreSQL makes the API's rate limit table unlogged here. SQLite keeps the rate limit
-- in the process's memory (one process per database file) and has no such tables: nothing
-- to change.
SELECT 1;
