-- 查看敏感信息 — the department's changes to who may reveal customers' numbers: one row per
-- role whose grant differs from the policy kefu ships (granted 1 or withdrawn 0). Only the
-- permissions the policy lets a department change are stored here.
CREATE TABLE role_grants (
    role TEXT NOT NULL,
    permission TEXT NOT NULL,
    granted BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (role, permission)
);
