//! Staff records: users and their roles, departments, sessions (and the server secret that
//! signs their CSRF tokens) and API tokens.

use jiff::Timestamp;
use kefu_domain::permission::GRANTABLE;
use kefu_domain::{Grants, Locale, Permission, Role, RoleSet};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, flag, from_micros, to_micros};

/// A staff account as stored.
#[derive(Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub department_id: Option<i64>,
    pub level: Option<String>,
    pub locale: Locale,
    pub active: bool,
    pub must_change_password: bool,
    pub roles: RoleSet,
    /// The department's changes to the policy for these roles (read with the account when
    /// it acts; empty in lists).
    pub grants: Grants,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes to the account (see
    /// [`crate::version`]).
    pub version: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("roles", &self.roles)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// Fields of a new account.
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub department_id: Option<i64>,
    pub level: Option<&'a str>,
    pub locale: Locale,
    pub must_change_password: bool,
}

/// Editable profile fields of an account (not the password, not the roles).
pub struct UserProfile<'a> {
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub department_id: Option<i64>,
    pub level: Option<&'a str>,
    pub locale: Locale,
}

fn user_from_row(row: &AnyRow, roles: RoleSet) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        department_id: row.try_get("department_id")?,
        level: row.try_get("level")?,
        locale: row
            .try_get::<String, _>("locale")?
            .parse()
            .unwrap_or_default(),
        active: row.try_get::<i64, _>("active")? != 0,
        must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        roles,
        grants: Grants::default(),
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

const SELECT_USER: &str = "SELECT id, username, display_name, email, password_hash, \
    department_id, level, locale, active, must_change_password, created_at, updated_at, \
    version FROM users";

/// The account's row once per role (once, with no role, when it has none): the account and
/// its roles in one round trip — every signed-in request reads them.
const SELECT_USER_WITH_ROLES: &str = "SELECT u.id, u.username, u.display_name, u.email, \
    u.password_hash, u.department_id, u.level, u.locale, u.active, u.must_change_password, \
    u.created_at, u.updated_at, u.version, r.role, g.permission AS grant_permission, \
    g.granted AS grant_granted FROM users u LEFT JOIN user_roles r ON r.user_id = u.id \
    LEFT JOIN role_grants g ON g.role = r.role";

fn grantable(key: &str) -> Option<Permission> {
    GRANTABLE.into_iter().find(|p| p.key() == key)
}

/// The account from its rows (one per role and grant), with its roles and the grants that
/// concern them.
fn user_with_roles(rows: &[AnyRow]) -> Result<User> {
    let first = rows.first().ok_or(StoreError::NotFound)?;
    let mut roles = Vec::new();
    let mut grants = Vec::new();
    for row in rows {
        let Some(role) = row.try_get::<Option<String>, _>("role")? else {
            continue;
        };
        let Ok(role) = role.parse::<Role>() else {
            continue;
        };
        roles.push(role);
        let permission = row.try_get::<Option<String>, _>("grant_permission")?;
        let granted = row.try_get::<Option<i64>, _>("grant_granted")?;
        if let (Some(p), Some(g)) = (permission.as_deref().and_then(grantable), granted) {
            grants.push((role, p, g != 0));
        }
    }
    let mut user = user_from_row(first, RoleSet::new(roles))?;
    user.grants = Grants::new(grants);
    Ok(user)
}

/// The department's changes to the policy, for every role.
pub async fn grants(conn: &mut AnyConnection) -> Result<Grants> {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT role, permission, granted FROM role_grants")
            .fetch_all(conn)
            .await?;
    Ok(Grants::new(rows.into_iter().filter_map(|(r, p, g)| {
        Some((r.parse::<Role>().ok()?, grantable(&p)?, g != 0))
    })))
}

/// Sets a role's grant of a grantable permission; `None` returns it to the policy.
pub async fn set_grant(
    conn: &mut AnyConnection,
    role: Role,
    permission: Permission,
    granted: Option<bool>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("DELETE FROM role_grants WHERE role = $1 AND permission = $2")
        .bind(role.key())
        .bind(permission.key())
        .execute(&mut *conn)
        .await?;
    if let Some(g) = granted {
        sqlx::query(
            "INSERT INTO role_grants (role, permission, granted, updated_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(role.key())
        .bind(permission.key())
        .bind(flag(g))
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub async fn user_by_id(conn: &mut AnyConnection, id: i64) -> Result<User> {
    let rows = sqlx::query(&format!("{SELECT_USER_WITH_ROLES} WHERE u.id = $1"))
        .bind(id)
        .fetch_all(conn)
        .await?;
    user_with_roles(&rows)
}

pub async fn user_by_username(conn: &mut AnyConnection, username: &str) -> Result<User> {
    let rows = sqlx::query(&format!("{SELECT_USER_WITH_ROLES} WHERE u.username = $1"))
        .bind(username)
        .fetch_all(conn)
        .await?;
    user_with_roles(&rows)
}

/// All accounts, by username, with their roles (two queries, not one per user).
pub async fn list_users(conn: &mut AnyConnection) -> Result<Vec<User>> {
    let rows = sqlx::query(&format!("{SELECT_USER} ORDER BY username"))
        .fetch_all(&mut *conn)
        .await?;
    let pairs: Vec<(i64, String)> = sqlx::query_as("SELECT user_id, role FROM user_roles")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let roles = pairs
                .iter()
                .filter(|(u, _)| *u == id)
                .filter_map(|(_, r)| r.parse().ok());
            user_from_row(row, roles.collect())
        })
        .collect()
}

pub async fn count_users(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(conn)
        .await?)
}

pub async fn insert_user(
    conn: &mut AnyConnection,
    new: &NewUser<'_>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, email, password_hash, department_id, \
         level, locale, active, must_change_password, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) RETURNING id",
    )
    .bind(new.username)
    .bind(new.display_name)
    .bind(new.email)
    .bind(new.password_hash)
    .bind(new.department_id)
    .bind(new.level)
    .bind(new.locale.key())
    .bind(flag(new.must_change_password))
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_profile(
    conn: &mut AnyConnection,
    id: i64,
    p: &UserProfile<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE users SET display_name = $1, email = $2, department_id = $3, level = $4, \
         locale = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(p.display_name)
    .bind(p.email)
    .bind(p.department_id)
    .bind(p.level)
    .bind(p.locale.key())
    .bind(to_micros(now))
    .bind(id)
    .execute(conn)
    .await?;
    found(done.rows_affected())
}

pub async fn set_locale(
    conn: &mut AnyConnection,
    id: i64,
    locale: Locale,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query("UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3")
        .bind(locale.key())
        .bind(to_micros(now))
        .bind(id)
        .execute(conn)
        .await?;
    found(done.rows_affected())
}

/// 客服名片 — a user's desk phone and work mobile, as the customers are given them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkContact {
    pub phone: Option<String>,
    pub mobile: Option<String>,
}

pub async fn work_contact(conn: &mut AnyConnection, id: i64) -> Result<WorkContact> {
    let row = sqlx::query("SELECT work_phone, work_mobile FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(WorkContact {
        phone: row.try_get("work_phone")?,
        mobile: row.try_get("work_mobile")?,
    })
}

pub async fn set_work_contact(
    conn: &mut AnyConnection,
    id: i64,
    c: &WorkContact,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE users SET work_phone = $1, work_mobile = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(&c.phone)
    .bind(&c.mobile)
    .bind(to_micros(now))
    .bind(id)
    .execute(conn)
    .await?;
    found(done.rows_affected())
}

pub async fn set_password(
    conn: &mut AnyConnection,
    id: i64,
    password_hash: &str,
    must_change: bool,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(password_hash)
    .bind(flag(must_change))
    .bind(to_micros(now))
    .bind(id)
    .execute(conn)
    .await?;
    found(done.rows_affected())
}

pub async fn set_active(
    conn: &mut AnyConnection,
    id: i64,
    active: bool,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3")
        .bind(flag(active))
        .bind(to_micros(now))
        .bind(id)
        .execute(conn)
        .await?;
    found(done.rows_affected())
}

/// Replaces the user's roles with `roles`.
pub async fn set_roles(conn: &mut AnyConnection, id: i64, roles: &RoleSet) -> Result<()> {
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for role in roles.iter() {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role.key())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Number of active accounts holding `role`; guards against removing the last admin.
pub async fn count_active_with_role(conn: &mut AnyConnection, role: Role) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.role = $1 AND u.active = 1",
    )
    .bind(role.key())
    .fetch_one(conn)
    .await?)
}

fn found(rows: u64) -> Result<()> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Departments

/// A department of the company.
#[derive(Debug, Clone)]
pub struct DepartmentRow {
    pub id: i64,
    pub key: String,
    pub name: String,
}

pub async fn list_departments(conn: &mut AnyConnection) -> Result<Vec<DepartmentRow>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, key, name FROM departments ORDER BY id")
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, key, name)| DepartmentRow { id, key, name })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Sessions

/// A live sign-in, looked up by the hash of its cookie value.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: i64,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    user_id: i64,
    now: Timestamp,
    expires_at: Timestamp,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, \
         user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .bind(ip)
    .bind(user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn session(conn: &mut AnyConnection, token_hash: &str) -> Result<SessionRow> {
    let (user_id, last_seen, expires): (i64, i64, i64) = sqlx::query_as(
        "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_one(conn)
    .await?;
    Ok(SessionRow {
        user_id,
        last_seen_at: from_micros(last_seen),
        expires_at: from_micros(expires),
    })
}

pub async fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3")
        .bind(to_micros(now))
        .bind(to_micros(expires_at))
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every sign-in of a user, except optionally the one in use.
pub async fn delete_sessions_of(
    conn: &mut AnyConnection,
    user_id: i64,
    keep_token_hash: Option<&str>,
) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep_token_hash.unwrap_or(""))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// 当前在线 — the active users with a sign-in seen at or after `since` and not yet run out
/// at `now`: (id, display name), by name, each once, at most `limit`. A session is seen
/// again at most once a minute, so `since` a few minutes back reads "signed in now".
pub async fn signed_in_since(
    conn: &mut AnyConnection,
    since: Timestamp,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.display_name FROM users u WHERE u.active = 1 AND u.id IN \
         (SELECT s.user_id FROM sessions s WHERE s.last_seen_at >= $1 AND s.expires_at > $2) \
         ORDER BY u.display_name, u.id LIMIT $3",
    )
    .bind(to_micros(since))
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_expired_sessions(conn: &mut AnyConnection, now: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// The server secret called `name`: the one already stored, or `candidate`, stored now.
/// Two instances starting together both offer one; the first insert wins and both read it.
pub async fn server_secret(
    conn: &mut AnyConnection,
    name: &str,
    candidate: &str,
    now: Timestamp,
) -> Result<String> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(candidate)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    let (value,): (String,) = sqlx::query_as("SELECT value FROM server_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(conn)
        .await?;
    Ok(value)
}

// ---------------------------------------------------------------------------------------
// API tokens

/// A personal API token; only its hash and a short prefix (for recognising it) are kept.
#[derive(Debug, Clone)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A token's columns, named apart from an account's so one row can hold both.
const TOKEN_COLUMNS: &str = "t.id AS token_id, t.user_id, t.name AS token_name, t.prefix, \
    t.created_at AS token_created_at, t.last_used_at, t.revoked_at";

fn token_from_row(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: row.try_get("token_id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("token_name")?,
        prefix: row.try_get("prefix")?,
        created_at: from_micros(row.try_get("token_created_at")?),
        last_used_at: row
            .try_get::<Option<i64>, _>("last_used_at")?
            .map(from_micros),
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(from_micros),
    })
}

pub async fn insert_token(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(prefix)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// The token with this hash and the account it belongs to, with its roles, in one round
/// trip: every API call resolves its token.
pub async fn token_and_user_by_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<(ApiToken, User)> {
    let rows = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS}, u.id, u.username, u.display_name, u.email, u.password_hash, \
         u.department_id, u.level, u.locale, u.active, u.must_change_password, u.created_at, \
         u.updated_at, u.version, r.role, g.permission AS grant_permission, \
         g.granted AS grant_granted FROM api_tokens t JOIN users u ON u.id = t.user_id \
         LEFT JOIN user_roles r ON r.user_id = u.id LEFT JOIN role_grants g ON g.role = r.role \
         WHERE t.token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_all(conn)
    .await?;
    let user = user_with_roles(&rows)?;
    let token = token_from_row(&rows[0])?;
    Ok((token, user))
}

pub async fn token_by_id(conn: &mut AnyConnection, id: i64) -> Result<ApiToken> {
    let row = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.id = $1"
    ))
    .bind(id)
    .fetch_one(conn)
    .await?;
    token_from_row(&row)
}

pub async fn tokens_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<ApiToken>> {
    let rows = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
    ))
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(token_from_row).collect()
}

pub async fn revoke_token(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(to_micros(now))
            .bind(id)
            .execute(conn)
            .await?;
    found(done.rows_affected())
}

/// Records use at most once a minute per token, so busy clients do not turn every read
/// into a write.
pub async fn mark_token_used(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    let now = to_micros(now);
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 \
         AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now)
    .bind(id)
    .bind(now - 60_000_000)
    .execute(conn)
    .await?;
    Ok(())
}

/// 在班 — whether the user takes automatically assigned tickets now.
pub async fn set_on_shift(conn: &mut AnyConnection, user_id: i64, on: bool) -> Result<()> {
    sqlx::query("UPDATE users SET on_shift = $2 WHERE id = $1")
        .bind(user_id)
        .bind(flag(on))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn is_on_shift(conn: &mut AnyConnection, user_id: i64) -> Result<bool> {
    let v: i64 = sqlx::query_scalar("SELECT on_shift FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(v != 0)
}
