//! 处理时限 — the admin page of the stage deadlines, in business minutes per stage and
//! severity.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::versions::Sheet;
use kefu_domain::complaint::{Severity, Stage};

use super::super::render;
use super::super::tickets::field;
use super::super::versioned::{SettingStale, at_version, form_version, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

/// One input of the deadlines table: (name, value typed or stored, built-in minutes).
type DeadlineCell = (String, String, i64);

#[derive(Template)]
#[template(path = "admin_complaint_deadlines.html")]
struct DeadlinesPage {
    t: Tr,
    layout: Layout,
    severities: Vec<String>,
    /// (stage, [(input name, value, built-in minutes)])
    rows: Vec<(String, Vec<DeadlineCell>)>,
    /// The grid's version the form was rendered with.
    version: i64,
    error: Option<String>,
    saved: bool,
    stale: Option<SettingStale>,
}

impl DeadlinesPage {
    /// Each cell as the form shows it, labelled "stage · severity", for the stale-form
    /// notice; an empty cell shows the built-in minutes.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        self.rows
            .iter()
            .flat_map(|(stage, cells)| {
                cells
                    .iter()
                    .zip(&self.severities)
                    .map(move |((_, v, d), sev)| {
                        let value = if v.trim().is_empty() {
                            t.f("complaint.deadline_default", &[("n", &d.to_string())])
                        } else {
                            v.trim().to_owned()
                        };
                        (format!("{stage} · {sev}"), value)
                    })
            })
            .collect()
    }
}

async fn deadlines_page(
    state: &AppState,
    identity: &Identity,
    typed: Option<&[(String, String)]>,
    error: Option<String>,
    saved: bool,
) -> Result<DeadlinesPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let all = state.app.complaint_deadlines(&actor).await?;
    let version = match typed.and_then(form_version) {
        Some(v) => v,
        None => {
            state
                .app
                .sheet_version(&actor, Sheet::ComplaintDeadlines)
                .await?
        }
    };
    let mut rows: Vec<(String, Vec<DeadlineCell>)> = Vec::new();
    for d in &all {
        let name = format!("m_{}_{}", d.severity.key(), d.stage.key());
        let value = match typed {
            Some(pairs) => field(pairs, &name).to_owned(),
            None => d.minutes.map(|m| m.to_string()).unwrap_or_default(),
        };
        let label = t.tk("complaint_stage", d.stage.key());
        match rows.iter_mut().find(|(s, _)| *s == label) {
            Some((_, cells)) => cells.push((name, value, d.default_minutes)),
            None => rows.push((label, vec![(name, value, d.default_minutes)])),
        }
    }
    Ok(DeadlinesPage {
        severities: Severity::ALL
            .iter()
            .map(|s| t.tk("complaint_severity", s.key()))
            .collect(),
        rows,
        version,
        error,
        saved,
        stale: None,
        t,
        layout: Layout::new(identity, "/admin/complaint-deadlines"),
    })
}

/// `/admin/complaint-deadlines`: business minutes per stage and severity.
pub async fn deadlines(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let saved = field(&q, "saved") == "1";
    super::super::ok(&deadlines_page(&state, &identity, None, None, saved).await?)
}

pub async fn save_deadlines(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut changes = Vec::new();
    for &stage in Stage::ALL.iter().filter(|s| s.is_open()) {
        for &severity in Severity::ALL {
            let raw = field(&pairs, &format!("m_{}_{}", severity.key(), stage.key())).trim();
            let minutes = if raw.is_empty() {
                None
            } else {
                match raw.parse::<i64>() {
                    Ok(m) => Some(m),
                    Err(_) => Some(0),
                }
            };
            changes.push((severity, stage, minutes));
        }
    }
    let saved = state
        .app
        .save_complaint_deadlines(&identity.actor(), &changes, form_version(&pairs))
        .await;
    match saved {
        Ok(()) => Ok(Redirect::to("/admin/complaint-deadlines?saved=1").into_response()),
        Err(e) if stale_version(&e).is_some() => {
            let current = stale_version(&e).unwrap_or_default();
            let stored = deadlines_page(&state, &identity, None, None, false).await?;
            let sent = at_version(&pairs, current);
            let mut page = deadlines_page(&state, &identity, Some(&sent), None, false).await?;
            page.stale = Some(SettingStale::new(t, current, page.shown(), stored.shown()));
            render(axum::http::StatusCode::CONFLICT, &page)
        }
        Err(e) => {
            let (status, message) = super::super::refusal(e, t);
            render(
                status,
                &deadlines_page(&state, &identity, Some(&pairs), Some(message), false).await?,
            )
        }
    }
}
