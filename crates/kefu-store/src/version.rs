//! 版本 — the versions of settings: one row each (groups, SLA policies, calendars, triggers,
//! users, reply scripts, e-mail, telephone and chat channels), or one sheet edited as a
//! whole (the complaint deadline grid, the credit model). Tickets, customers and
//! complaints keep their versions
//! with their own queries.
//!
//! Every write of a setting calls [`advance`] (or [`advance_sheet`]) first, inside its
//! transaction: the check against the version the writer saw, the row lock and the move to
//! the next version are one statement, so two administrators saving the same policy at
//! once cannot both pass.

use sqlx::{AnyConnection, Row};

use crate::Result;

/// A setting kept one row per record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Group,
    SlaPolicy,
    Calendar,
    Trigger,
    User,
    ReplyScript,
    EmailChannel,
    PhoneChannel,
    SmsChannel,
    WechatChannel,
    ChatChannel,
    FollowUpRule,
    RelationshipSurvey,
}

impl Setting {
    fn table(self) -> &'static str {
        match self {
            Setting::Group => "ticket_groups",
            Setting::SlaPolicy => "sla_policies",
            Setting::Calendar => "calendars",
            Setting::Trigger => "triggers",
            Setting::User => "users",
            Setting::ReplyScript => "reply_scripts",
            Setting::EmailChannel => "email_channels",
            Setting::PhoneChannel => "phone_channels",
            Setting::SmsChannel => "sms_channels",
            Setting::WechatChannel => "wechat_channels",
            Setting::ChatChannel => "chat_channels",
            Setting::FollowUpRule => "follow_up_rules",
            Setting::RelationshipSurvey => "relationship_surveys",
        }
    }
}

/// A setting edited as one sheet, with one version for all its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    ComplaintDeadlines,
    CreditModel,
    FollowUp,
    Csat,
    Quality,
}

impl Sheet {
    fn name(self) -> &'static str {
        match self {
            Sheet::ComplaintDeadlines => "complaint_deadlines",
            Sheet::CreditModel => "credit_model",
            Sheet::FollowUp => "follow_up",
            Sheet::Csat => "csat",
            Sheet::Quality => "quality",
        }
    }
}

/// What [`advance`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advanced {
    /// The version moved on to this one.
    To(i64),
    /// The stored version is not the one expected (this one is); nothing changed.
    Stale(i64),
    /// No such record.
    Gone,
}

/// Moves record `id`'s version on, if it is still `expected` (any version when `None`).
pub async fn advance(
    conn: &mut AnyConnection,
    setting: Setting,
    id: i64,
    expected: Option<i64>,
) -> Result<Advanced> {
    let table = setting.table();
    let moved = match expected {
        Some(v) => {
            sqlx::query(&format!(
                "UPDATE {table} SET version = version + 1 WHERE id = $1 AND version = $2 \
                 RETURNING version"
            ))
            .bind(id)
            .bind(v)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "UPDATE {table} SET version = version + 1 WHERE id = $1 RETURNING version"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    if let Some(row) = moved {
        return Ok(Advanced::To(row.try_get(0)?));
    }
    Ok(match version(conn, setting, id).await? {
        Some(v) => Advanced::Stale(v),
        None => Advanced::Gone,
    })
}

/// Record `id`'s version; `None` when there is no such record.
pub async fn version(conn: &mut AnyConnection, setting: Setting, id: i64) -> Result<Option<i64>> {
    let row = sqlx::query(&format!(
        "SELECT version FROM {} WHERE id = $1",
        setting.table()
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(r) => Some(r.try_get(0)?),
        None => None,
    })
}

/// Moves sheet's version on, if it is still `expected` (any version when `None`).
pub async fn advance_sheet(
    conn: &mut AnyConnection,
    sheet: Sheet,
    expected: Option<i64>,
) -> Result<Advanced> {
    let moved = match expected {
        Some(v) => {
            sqlx::query(
                "UPDATE settings_versions SET version = version + 1 \
                 WHERE name = $1 AND version = $2 RETURNING version",
            )
            .bind(sheet.name())
            .bind(v)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query(
                "UPDATE settings_versions SET version = version + 1 WHERE name = $1 \
                 RETURNING version",
            )
            .bind(sheet.name())
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    if let Some(row) = moved {
        return Ok(Advanced::To(row.try_get(0)?));
    }
    Ok(Advanced::Stale(sheet_version(conn, sheet).await?))
}

/// The sheet's version.
pub async fn sheet_version(conn: &mut AnyConnection, sheet: Sheet) -> Result<i64> {
    let row = sqlx::query("SELECT version FROM settings_versions WHERE name = $1")
        .bind(sheet.name())
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get(0)?)
}
