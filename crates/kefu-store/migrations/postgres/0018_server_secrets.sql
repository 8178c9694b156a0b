-- Secrets the server keeps for itself (the key that signs CSRF tokens), made at first use.
-- They live in the database so that every instance behind a load balancer signs and checks
-- alike; nothing of the kind lives only in one process's memory.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
