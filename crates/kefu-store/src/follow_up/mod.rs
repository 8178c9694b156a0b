//! 回访 — follow-up settings, the rules that plan visits, the visits and their attempts,
//! and what the coverage report reads.

mod analysis;
mod coverage;
mod visit;

pub use analysis::*;
pub use coverage::*;
pub use visit::*;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// 回访设置 — the one row of follow-up settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    pub calling_hours: String,
    pub min_call_seconds: i64,
    pub coverage_warning_days: i64,
    /// Business days from a closed RMA or a first order's arrival to its visit.
    pub after_sales_days: i64,
    pub company: String,
    pub service_phone: String,
    pub script_first: String,
    pub script_later: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    pub blessing: String,
}

/// The stored settings; `None` until someone saves them (the defaults apply).
pub async fn settings(conn: &mut AnyConnection) -> Result<Option<SettingsRow>> {
    let row = sqlx::query(
        "SELECT calling_hours, min_call_seconds, coverage_warning_days, after_sales_days, \
         company, service_phone, script_first, script_later, ending_satisfied, ending_other, blessing \
         FROM follow_up_settings WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(SettingsRow {
            calling_hours: r.try_get("calling_hours")?,
            min_call_seconds: r.try_get("min_call_seconds")?,
            coverage_warning_days: r.try_get("coverage_warning_days")?,
            after_sales_days: r.try_get("after_sales_days")?,
            company: r.try_get("company")?,
            service_phone: r.try_get("service_phone")?,
            script_first: r.try_get("script_first")?,
            script_later: r.try_get("script_later")?,
            ending_satisfied: r.try_get("ending_satisfied")?,
            ending_other: r.try_get("ending_other")?,
            blessing: r.try_get("blessing")?,
        })
    })
    .transpose()
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    s: &SettingsRow,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO follow_up_settings (id, calling_hours, min_call_seconds, \
         coverage_warning_days, company, service_phone, script_first, script_later, \
         ending_satisfied, ending_other, blessing, updated_at, after_sales_days) \
         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET calling_hours = excluded.calling_hours, \
         min_call_seconds = excluded.min_call_seconds, \
         coverage_warning_days = excluded.coverage_warning_days, company = excluded.company, \
         service_phone = excluded.service_phone, script_first = excluded.script_first, \
         script_later = excluded.script_later, ending_satisfied = excluded.ending_satisfied, \
         ending_other = excluded.ending_other, blessing = excluded.blessing, \
         updated_at = excluded.updated_at, after_sales_days = excluded.after_sales_days",
    )
    .bind(&s.calling_hours)
    .bind(s.min_call_seconds)
    .bind(s.coverage_warning_days)
    .bind(&s.company)
    .bind(&s.service_phone)
    .bind(&s.script_first)
    .bind(&s.script_later)
    .bind(&s.ending_satisfied)
    .bind(&s.ending_other)
    .bind(&s.blessing)
    .bind(to_micros(now))
    .bind(s.after_sales_days)
    .execute(conn)
    .await?;
    Ok(())
}

/// 回访规则
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub tier: Option<String>,
    pub every_months: Option<i64>,
    /// An occasion's first and last day (`2026-12-28`).
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub yearly: bool,
    pub dormant_days: Option<i64>,
    /// {祝福语} for this rule's visits, instead of the department's.
    pub blessing: Option<String>,
    pub group_id: Option<i64>,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT_RULE: &str = "SELECT id, name, kind, tier, every_months, starts_on, ends_on, \
    yearly, dormant_days, blessing, group_id, active, version, created_at, updated_at \
    FROM follow_up_rules";

fn rule_from(r: &AnyRow) -> Result<RuleRow> {
    Ok(RuleRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        tier: r.try_get("tier")?,
        every_months: r.try_get("every_months")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        yearly: r.try_get::<i64, _>("yearly")? != 0,
        dormant_days: r.try_get("dormant_days")?,
        blessing: r.try_get("blessing")?,
        group_id: r.try_get("group_id")?,
        active: r.try_get::<i64, _>("active")? != 0,
        version: r.try_get("version")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

pub async fn rules(conn: &mut AnyConnection) -> Result<Vec<RuleRow>> {
    let rows = sqlx::query(&format!("{SELECT_RULE} ORDER BY id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(rule_from).collect()
}

pub async fn rule_by_id(conn: &mut AnyConnection, id: i64) -> Result<RuleRow> {
    let row = sqlx::query(&format!("{SELECT_RULE} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    rule_from(&row)
}

/// Adds a rule (its version starts at 1); returns the id.
pub async fn insert_rule(conn: &mut AnyConnection, r: &RuleRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO follow_up_rules (name, kind, tier, every_months, group_id, active, \
         created_at, updated_at, starts_on, ends_on, yearly, dormant_days, blessing) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&r.name)
    .bind(&r.kind)
    .bind(&r.tier)
    .bind(r.every_months)
    .bind(r.group_id)
    .bind(i64::from(r.active))
    .bind(to_micros(r.updated_at))
    .bind(&r.starts_on)
    .bind(&r.ends_on)
    .bind(i64::from(r.yearly))
    .bind(r.dormant_days)
    .bind(&r.blessing)
    .fetch_one(conn)
    .await?)
}

/// Writes a rule's fields (its version was moved on by `version::advance`).
pub async fn update_rule(conn: &mut AnyConnection, r: &RuleRow) -> Result<()> {
    let done = sqlx::query(
        "UPDATE follow_up_rules SET name = $2, kind = $3, tier = $4, every_months = $5, \
         group_id = $6, active = $7, updated_at = $8, starts_on = $9, ends_on = $10, \
         yearly = $11, dormant_days = $12, blessing = $13 WHERE id = $1",
    )
    .bind(r.id)
    .bind(&r.name)
    .bind(&r.kind)
    .bind(&r.tier)
    .bind(r.every_months)
    .bind(r.group_id)
    .bind(i64::from(r.active))
    .bind(to_micros(r.updated_at))
    .bind(&r.starts_on)
    .bind(&r.ends_on)
    .bind(i64::from(r.yearly))
    .bind(r.dormant_days)
    .bind(&r.blessing)
    .execute(conn)
    .await?;
    found(done)
}
