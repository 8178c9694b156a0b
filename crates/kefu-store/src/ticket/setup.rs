//! What an admin sets up around tickets: groups and their members, statuses, custom
//! fields; and what a user keeps: saved queue filters.

use jiff::Timestamp;
use kefu_domain::ticket::{FieldKind, StatusCategory};
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, found, to_micros};

/// 工作组
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub manager_user_id: Option<i64>,
    /// `manual`, `round_robin` or `least_open`.
    pub assignment: String,
    pub last_assigned_user_id: Option<i64>,
    /// Moves on with every change an administrator makes (see [`crate::version`]); the
    /// round robin's last pick is no such change.
    pub version: i64,
}

pub async fn groups(conn: &mut AnyConnection) -> Result<Vec<Group>> {
    let rows = sqlx::query(
        "SELECT id, name, manager_user_id, assignment, last_assigned_user_id, version \
         FROM ticket_groups ORDER BY name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Group {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                manager_user_id: r.try_get("manager_user_id")?,
                assignment: r.try_get("assignment")?,
                last_assigned_user_id: r.try_get("last_assigned_user_id")?,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

pub async fn insert_group(
    conn: &mut AnyConnection,
    name: &str,
    manager_user_id: Option<i64>,
    assignment: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_groups (name, manager_user_id, assignment, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(name)
    .bind(manager_user_id)
    .bind(assignment)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_group(
    conn: &mut AnyConnection,
    id: i64,
    name: &str,
    manager_user_id: Option<i64>,
    assignment: &str,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE ticket_groups SET name = $2, manager_user_id = $3, assignment = $4, \
         updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(name)
    .bind(manager_user_id)
    .bind(assignment)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Takes the group's row lock for the rest of the transaction (a no-op update works on
/// both backends), so two intakes never pick the same round-robin turn.
pub async fn lock_group(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE ticket_groups SET last_assigned_user_id = last_assigned_user_id WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_last_assigned(conn: &mut AnyConnection, id: i64, user_id: i64) -> Result<()> {
    sqlx::query("UPDATE ticket_groups SET last_assigned_user_id = $2 WHERE id = $1")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Members of a group who are active and on shift, by id.
pub async fn members_on_shift(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT m.user_id FROM ticket_group_members m JOIN users u ON u.id = m.user_id \
         WHERE m.group_id = $1 AND u.active = 1 AND u.on_shift = 1 ORDER BY m.user_id",
    )
    .bind(group_id)
    .fetch_all(conn)
    .await?)
}

/// Open tickets per assignee, for the given users (users without any are absent).
pub async fn open_counts(conn: &mut AnyConnection, user_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=user_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT assignee_id, COUNT(*) FROM tickets WHERE active = 1 AND assignee_id IN ({}) \
         GROUP BY assignee_id",
        ps.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in user_ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(conn).await?)
}

/// Replaces the members of a group.
pub async fn set_group_members(
    conn: &mut AnyConnection,
    group_id: i64,
    user_ids: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM ticket_group_members WHERE group_id = $1")
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    for uid in user_ids {
        sqlx::query("INSERT INTO ticket_group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(group_id)
            .bind(uid)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The members of a group.
pub async fn group_members(conn: &mut AnyConnection, group_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT user_id FROM ticket_group_members WHERE group_id = $1 ORDER BY user_id",
    )
    .bind(group_id)
    .fetch_all(conn)
    .await?)
}

/// The groups a user belongs to.
pub async fn group_ids_of(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT group_id FROM ticket_group_members WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(conn)
            .await?,
    )
}

/// A status: built-in or added by an admin, always in one category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub key: String,
    pub category: StatusCategory,
    pub name_zh: String,
    pub name_en: String,
    pub builtin: bool,
}

pub async fn statuses(conn: &mut AnyConnection) -> Result<Vec<Status>> {
    let rows = sqlx::query(
        "SELECT key, category, name_zh, name_en, builtin FROM ticket_statuses \
         ORDER BY position, key",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let cat: String = r.try_get("category")?;
            Ok(Status {
                key: r.try_get("key")?,
                category: cat
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("ticket_statuses.category {cat}")))?,
                name_zh: r.try_get("name_zh")?,
                name_en: r.try_get("name_en")?,
                builtin: r.try_get::<i64, _>("builtin")? != 0,
            })
        })
        .collect()
}

pub async fn insert_status(conn: &mut AnyConnection, s: &Status, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_statuses (key, category, name_zh, name_en, builtin, position, \
         created_at) VALUES ($1, $2, $3, $4, 0, \
         (SELECT COALESCE(MAX(position), 0) + 10 FROM ticket_statuses), $5)",
    )
    .bind(&s.key)
    .bind(s.category.key())
    .bind(&s.name_zh)
    .bind(&s.name_en)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A custom field definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: i64,
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub options: Vec<String>,
    pub active: bool,
}

pub async fn fields(conn: &mut AnyConnection) -> Result<Vec<Field>> {
    let rows = sqlx::query(
        "SELECT id, key, label, kind, options, active FROM ticket_fields ORDER BY position, id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            let options: String = r.try_get("options")?;
            Ok(Field {
                id: r.try_get("id")?,
                key: r.try_get("key")?,
                label: r.try_get("label")?,
                kind: kind
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("ticket_fields.kind {kind}")))?,
                options: options
                    .lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                active: r.try_get::<i64, _>("active")? != 0,
            })
        })
        .collect()
}

pub async fn insert_field(conn: &mut AnyConnection, f: &Field, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_fields (key, label, kind, options, active, position, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, \
         (SELECT COALESCE(MAX(position), 0) + 10 FROM ticket_fields), $6, $6) RETURNING id",
    )
    .bind(&f.key)
    .bind(&f.label)
    .bind(f.kind.key())
    .bind(f.options.join("\n"))
    .bind(i64::from(f.active))
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Retires (or restores) a field: its stored values stay, it is no longer offered.
pub async fn set_field_active(
    conn: &mut AnyConnection,
    id: i64,
    active: bool,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query("UPDATE ticket_fields SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(active))
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    found(done)
}

/// The custom field values of a ticket, as (field id, value).
pub async fn field_values(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT field_id, value FROM ticket_field_values WHERE ticket_id = $1 ORDER BY field_id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?)
}

/// Sets or clears one value.
pub async fn set_field_value(
    conn: &mut AnyConnection,
    ticket_id: i64,
    field_id: i64,
    value: Option<&str>,
) -> Result<()> {
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO ticket_field_values (ticket_id, field_id, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (ticket_id, field_id) DO UPDATE SET value = excluded.value",
            )
            .bind(ticket_id)
            .bind(field_id)
            .bind(v)
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM ticket_field_values WHERE ticket_id = $1 AND field_id = $2")
                .bind(ticket_id)
                .bind(field_id)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// A saved queue filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub query: String,
}

pub async fn saved_views(conn: &mut AnyConnection, user_id: i64) -> Result<Vec<SavedView>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY name")
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, query)| SavedView { id, name, query })
        .collect())
}

pub async fn insert_saved_view(
    conn: &mut AnyConnection,
    user_id: i64,
    name: &str,
    query: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO saved_views (user_id, name, query, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(query)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn delete_saved_view(conn: &mut AnyConnection, user_id: i64, id: i64) -> Result<()> {
    let done = sqlx::query("DELETE FROM saved_views WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    found(done)
}
