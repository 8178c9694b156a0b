//! 回访 — follow-up visits (002 §三, 000 §(六)): the department's calling hours and
//! scripts, the rules that plan visits, planning them, making them, and the 100 % coverage
//! report on key customers.

mod after_complaint;
pub mod after_sales;
mod analysis;
mod card;
mod coverage;
mod plan;
mod tiles;
mod visit;

pub use analysis::{NOT_SATISFIED_LIMIT, WeeklyAnalysis, week_or_this};
pub(crate) use card::card_text;
pub use coverage::{CoverageCounts, CoverageReport, CoverageRow, CoverageState, Standing};
pub use plan::{PlanReport, RulePlan};
pub(crate) use plan::{call_window, rest_of};
pub(crate) use tiles::TILES;
pub use visit::{AttemptForm, AttemptOutcome, DialState, VisitScope, VisitView};

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::calendar::{BusinessCalendar, CalendarError};
use kefu_domain::customer::Tier;
use kefu_domain::follow_up::CallingHours;
use kefu_domain::follow_up::rule::{RuleInput, RuleKind, RuleSpec};
use kefu_domain::follow_up::script::{self, ScriptTextError};
use kefu_store::follow_up::{self as store, RuleRow, SettingsRow};
use kefu_store::{AnyConnection, StoreError};

use crate::versions::{self, Setting, Sheet};
use crate::{Actor, App, AppError, Result};

/// The most seconds a call must last to prove a visit (a quarter of an hour).
pub const MAX_MIN_CALL_SECONDS: i64 = 900;
/// The longest a 祝福语 may be, in characters.
pub const MAX_BLESSING: usize = 20;
/// The most days before a period's end coverage may be called "at risk".
pub const MAX_WARNING_DAYS: i64 = 60;
/// The most business days an after-sales or first-order visit may wait.
pub const MAX_AFTER_SALES_DAYS: i64 = 30;

/// 回访设置, as the department set them (or the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpSettings {
    pub calling_hours: CallingHours,
    /// A completed phone visit without a linked call this long goes to quality.
    pub min_call_seconds: i64,
    /// Coverage is "at risk" this many days before a period ends.
    pub coverage_warning_days: i64,
    /// 售后回访 and 首单回访 are due this many business days after the RMA is closed or the
    /// first order has arrived.
    pub after_sales_days: i64,
    /// {公司}
    pub company: String,
    /// {客服电话}
    pub service_phone: String,
    pub script_first: String,
    pub script_later: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    /// {祝福语}
    pub blessing: String,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        FollowUpSettings {
            calling_hours: CallingHours::default(),
            min_call_seconds: 60,
            coverage_warning_days: 5,
            after_sales_days: 3,
            company: "本公司".to_owned(),
            service_phone: String::new(),
            script_first: script::FIRST_VISIT.to_owned(),
            script_later: script::LATER_VISIT.to_owned(),
            ending_satisfied: script::ENDING_SATISFIED.to_owned(),
            ending_other: script::ENDING_OTHER.to_owned(),
            blessing: script::BLESSING.to_owned(),
        }
    }
}

/// Why follow-up settings are not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{0}")]
    CallingHours(CalendarError),
    #[error("calling hours must not be empty")]
    NoCallingHours,
    #[error("{field}: {error}")]
    Script {
        field: &'static str,
        error: ScriptTextError,
    },
    #[error("{field} must be {min}–{max}")]
    OutOfRange {
        field: &'static str,
        min: i64,
        max: i64,
    },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
}

/// The settings form, as typed.
#[derive(Debug, Clone, Default)]
pub struct SettingsForm {
    pub calling_hours: String,
    pub min_call_seconds: i64,
    pub coverage_warning_days: i64,
    pub after_sales_days: i64,
    pub company: String,
    pub service_phone: String,
    pub script_first: String,
    pub script_later: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    pub blessing: String,
}

impl SettingsForm {
    fn check(&self) -> std::result::Result<SettingsRow, SettingsError> {
        let hours =
            CallingHours::parse(&self.calling_hours).map_err(SettingsError::CallingHours)?;
        if hours.periods().is_empty() {
            return Err(SettingsError::NoCallingHours);
        }
        let range = |field, v: i64, min, max| {
            if (min..=max).contains(&v) {
                Ok(v)
            } else {
                Err(SettingsError::OutOfRange { field, min, max })
            }
        };
        let short = |field, v: &str, max: usize| {
            let v = v.trim();
            if v.chars().count() > max {
                Err(SettingsError::TooLong { field, max })
            } else {
                Ok(v.to_owned())
            }
        };
        let text = |field, v: &str| {
            script::check(v).map_err(|error| SettingsError::Script { field, error })?;
            Ok(v.trim().to_owned())
        };
        Ok(SettingsRow {
            calling_hours: hours
                .periods()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            min_call_seconds: range(
                "min_call_seconds",
                self.min_call_seconds,
                0,
                MAX_MIN_CALL_SECONDS,
            )?,
            coverage_warning_days: range(
                "coverage_warning_days",
                self.coverage_warning_days,
                0,
                MAX_WARNING_DAYS,
            )?,
            after_sales_days: range(
                "after_sales_days",
                self.after_sales_days,
                1,
                MAX_AFTER_SALES_DAYS,
            )?,
            company: short("company", &self.company, 60)?,
            service_phone: short("service_phone", &self.service_phone, 40)?,
            script_first: text("script_first", &self.script_first)?,
            script_later: text("script_later", &self.script_later)?,
            ending_satisfied: text("ending_satisfied", &self.ending_satisfied)?,
            ending_other: text("ending_other", &self.ending_other)?,
            blessing: short("blessing", &self.blessing, MAX_BLESSING)?,
        })
    }
}

impl From<&FollowUpSettings> for SettingsForm {
    fn from(s: &FollowUpSettings) -> SettingsForm {
        SettingsForm {
            calling_hours: s
                .calling_hours
                .periods()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            min_call_seconds: s.min_call_seconds,
            coverage_warning_days: s.coverage_warning_days,
            after_sales_days: s.after_sales_days,
            company: s.company.clone(),
            service_phone: s.service_phone.clone(),
            script_first: s.script_first.clone(),
            script_later: s.script_later.clone(),
            ending_satisfied: s.ending_satisfied.clone(),
            ending_other: s.ending_other.clone(),
            blessing: s.blessing.clone(),
        }
    }
}

/// The settings as stored, or the defaults before anyone saved them.
pub(crate) async fn load_settings(conn: &mut AnyConnection) -> Result<FollowUpSettings> {
    let Some(row) = store::settings(conn).await? else {
        return Ok(FollowUpSettings::default());
    };
    let calling_hours = CallingHours::parse(&row.calling_hours)
        .map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))?;
    Ok(FollowUpSettings {
        calling_hours,
        min_call_seconds: row.min_call_seconds,
        coverage_warning_days: row.coverage_warning_days,
        after_sales_days: row.after_sales_days,
        company: row.company,
        service_phone: row.service_phone,
        script_first: row.script_first,
        script_later: row.script_later,
        ending_satisfied: row.ending_satisfied,
        ending_other: row.ending_other,
        blessing: row.blessing,
    })
}

/// 回访规则, as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleView {
    pub id: i64,
    pub name: String,
    pub spec: RuleSpec,
    /// {祝福语} of this rule's visits; the department's when `None`.
    pub blessing: Option<String>,
    pub group_id: Option<i64>,
    pub active: bool,
    pub version: i64,
}

/// A rule as typed.
#[derive(Debug, Clone)]
pub struct RuleForm {
    pub name: String,
    pub kind: RuleKind,
    pub input: RuleInput,
    /// {祝福语} of this rule's visits (新年快乐…); empty: the department's.
    pub blessing: String,
    pub group_id: Option<i64>,
    pub active: bool,
}

fn rule_view(r: RuleRow) -> Result<RuleView> {
    let corrupt =
        |what: &str| AppError::Store(StoreError::Corrupt(format!("follow_up_rules.{what}")));
    let kind: RuleKind = r.kind.parse().map_err(|_| corrupt("kind"))?;
    let tier = r
        .tier
        .as_deref()
        .map(str::parse::<Tier>)
        .transpose()
        .map_err(|_| corrupt("tier"))?;
    let date = |what: &'static str, v: Option<&str>| {
        v.map(str::parse::<jiff::civil::Date>)
            .transpose()
            .map_err(|_| corrupt(what))
    };
    let input = RuleInput {
        tier,
        every_months: r.every_months,
        starts_on: date("starts_on", r.starts_on.as_deref())?,
        ends_on: date("ends_on", r.ends_on.as_deref())?,
        yearly: r.yearly,
        dormant_days: r.dormant_days,
    };
    let spec = RuleSpec::new(kind, &input).map_err(|_| corrupt("spec"))?;
    Ok(RuleView {
        id: r.id,
        name: r.name,
        spec,
        blessing: r.blessing,
        group_id: r.group_id,
        active: r.active,
        version: r.version,
    })
}

impl App {
    /// The follow-up settings and their version, for the form that edits them.
    pub async fn follow_up_settings(&self, actor: &Actor) -> Result<(FollowUpSettings, i64)> {
        actor.require(Permission::FollowUpManage)?;
        let mut conn = self.store.conn().await?;
        let settings = load_settings(&mut conn).await?;
        let version = kefu_store::version::sheet_version(&mut conn, Sheet::FollowUp).await?;
        Ok((settings, version))
    }

    /// Saves the follow-up settings, made against `version` (any, when `None`).
    pub async fn save_follow_up_settings(
        &self,
        actor: &Actor,
        form: &SettingsForm,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::FollowUpManage)?;
        let row = form.check()?;
        let mut tx = self.store.begin().await?;
        let v = versions::expect_sheet(&mut tx, Sheet::FollowUp, version).await?;
        store::save_settings(&mut tx, &row, self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(v)
    }

    /// Every follow-up rule.
    pub async fn follow_up_rules(&self, actor: &Actor) -> Result<Vec<RuleView>> {
        actor.require(Permission::FollowUpManage)?;
        let mut conn = self.store.conn().await?;
        store::rules(&mut conn)
            .await?
            .into_iter()
            .map(rule_view)
            .collect()
    }

    pub async fn follow_up_rule(&self, actor: &Actor, id: i64) -> Result<RuleView> {
        actor.require(Permission::FollowUpManage)?;
        let mut conn = self.store.conn().await?;
        rule_view(store::rule_by_id(&mut conn, id).await?)
    }

    /// Adds a rule, or (with `id`) changes one made against `version`; returns the id.
    pub async fn save_follow_up_rule(
        &self,
        actor: &Actor,
        id: Option<i64>,
        form: &RuleForm,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::FollowUpManage)?;
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::BadName);
        }
        let spec = RuleSpec::new(form.kind, &form.input)?;
        let input = spec.input();
        let blessing = form.blessing.trim();
        if blessing.chars().count() > MAX_BLESSING {
            return Err(SettingsError::TooLong {
                field: "blessing",
                max: MAX_BLESSING,
            }
            .into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(g) = form.group_id {
            kefu_store::ticket::setup::groups(&mut tx)
                .await?
                .iter()
                .find(|x| x.id == g)
                .ok_or(AppError::UnknownGroup)?;
        }
        let mut row = RuleRow {
            id: id.unwrap_or_default(),
            name: name.to_owned(),
            kind: spec.kind().key().to_owned(),
            tier: spec.tier().map(|t| t.key().to_owned()),
            every_months: input.every_months,
            starts_on: input.starts_on.map(|d| d.to_string()),
            ends_on: input.ends_on.map(|d| d.to_string()),
            yearly: input.yearly,
            dormant_days: input.dormant_days,
            blessing: Some(blessing.to_owned()).filter(|b| !b.is_empty()),
            group_id: form.group_id,
            active: form.active,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let saved = match id {
            None => store::insert_rule(&mut tx, &row).await,
            Some(id) => {
                versions::expect_setting(&mut tx, Setting::FollowUpRule, id, version).await?;
                row.id = id;
                store::update_rule(&mut tx, &row).await.map(|()| id)
            }
        };
        let id = saved.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::NameTaken,
            e => e.into(),
        })?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The standard calendar (business days, holidays, 调休) that calls are planned on.
    pub(crate) async fn business_calendar(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<BusinessCalendar> {
        let rules = self.ticket_rules(conn).await?;
        Ok(rules
            .sla
            .calendar_of(None)
            .cloned()
            .unwrap_or_else(BusinessCalendar::china_standard))
    }
}

/// The date at `at` where the department works (its calendar's time zone).
pub(crate) fn local_date(cal: &BusinessCalendar, at: Timestamp) -> jiff::civil::Date {
    at.to_zoned(cal.time_zone().clone()).date()
}

/// Local midnight at the start of `date` in the calendar's zone.
pub(crate) fn local_midnight(cal: &BusinessCalendar, date: jiff::civil::Date) -> Timestamp {
    date.to_zoned(cal.time_zone().clone())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}
