//! 回访 — the follow-up pages: today's visits in slot order, the visit page with its script
//! and result form, the coverage report, and the settings with the rules.

mod admin;
mod analysis;
mod coverage;
mod visit;

pub use admin::{add_rule, plan, save_rule, save_settings, settings};
pub use analysis::{analysis_page, analysis_xlsx};
pub use coverage::{coverage, coverage_csv, coverage_xlsx};
pub use visit::{attempt, card, dial, reschedule, show};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::Timestamp;
use jiff::civil::DateTime;
use kefu_app::follow_up::VisitScope;
use kefu_domain::Permission;
use kefu_domain::dates;
use kefu_store::follow_up::Visit;

use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// The zone the pages read and show times in.
const ZONE: &str = "Asia/Shanghai";

/// A `datetime-local` input (`2026-12-03T10:00`) read in Beijing time; blank is `None`.
/// Its day must lie in the business range (`date_out_of_range`).
pub(crate) fn local_input(name: &str, v: &str) -> Result<Option<Timestamp>, WebError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let bad = || WebError::bad_request("invalid_field", format!("{name}: {v:?}"));
    let dt: DateTime = v.parse().map_err(|_| bad())?;
    let tz = jiff::tz::TimeZone::get(ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    let at = dt.to_zoned(tz).map_err(|_| bad())?.timestamp();
    Ok(Some(dates::check_instant(name, at)?))
}

/// An instant as a `datetime-local` input shows it.
pub(crate) fn input_value(at: Timestamp) -> String {
    let tz = jiff::tz::TimeZone::get(ZONE).unwrap_or(jiff::tz::TimeZone::UTC);
    at.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string()
}

/// One visit on the list.
pub(crate) struct VisitLine {
    pub id: i64,
    /// When to call (the call-back asked for, else the slot); empty: no slot left.
    pub when: String,
    pub callback: bool,
    pub late: bool,
    pub customer_id: i64,
    pub customer: String,
    pub reason: String,
    pub channel: String,
    pub agent: String,
    pub attempts: i64,
    pub first_visit: bool,
}

pub(crate) fn line(t: Tr, v: &Visit, now: Timestamp) -> VisitLine {
    let at = v.callback_at.or(v.slot_at);
    VisitLine {
        id: v.id,
        when: at.map(local_time).unwrap_or_default(),
        callback: v.callback_at.is_some(),
        late: at.is_some_and(|a| a < now),
        customer_id: v.customer_id,
        customer: v.customer_name.clone(),
        reason: t.tk("follow_up.reason", &v.reason),
        channel: t.tk("contact_channel", &v.channel),
        agent: v.agent_name.clone().unwrap_or_default(),
        attempts: v.attempts,
        first_visit: v.first_visit,
    }
}

#[derive(Template)]
#[template(path = "follow_ups.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    rows: Vec<VisitLine>,
    everyone: bool,
    can_manage: bool,
}

/// `/follow-ups`: 今日回访 — my visits due today (and those of my groups), in slot order;
/// `?scope=all`: everyone's, for whoever manages follow-ups.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let can_manage = actor.require(Permission::FollowUpManage).is_ok();
    let everyone = can_manage && field(&q, "scope") == "all";
    let now = state.app.now();
    let until = kefu_app::workbench::start_of_day(now) + jiff::SignedDuration::from_hours(24);
    let scope = if everyone {
        VisitScope::Everyone
    } else {
        VisitScope::Mine
    };
    let visits = state.app.follow_up_visits(&actor, scope, until).await?;
    super::ok(&ListPage {
        rows: visits.iter().map(|v| line(t, v, now)).collect(),
        everyone,
        can_manage,
        t,
        layout: Layout::new(&identity, "/follow-ups"),
    })
}
