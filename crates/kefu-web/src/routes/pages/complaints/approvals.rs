//! 待我审批 — every proposal waiting for the manager's approval in one list, the oldest
//! first, each opening its complaint where the decision is taken.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::super::credit::yuan;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct WaitingRow {
    pub complaint_id: i64,
    pub number: String,
    pub who: String,
    pub severity: String,
    pub severity_key: String,
    pub remedy: String,
    pub description: String,
    pub cost: String,
    pub proposed_by: String,
    pub proposed_at: String,
}

#[derive(Template)]
#[template(path = "complaint_approvals.html")]
struct ApprovalsPage {
    t: Tr,
    layout: Layout,
    rows: Vec<WaitingRow>,
    /// Said when the list was cut.
    cut: Option<String>,
}

/// `/complaints/approvals`: the proposals waiting for approval.
pub async fn approvals(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let rows = state
        .app
        .proposals_awaiting_approval(&identity.actor())
        .await?
        .into_iter()
        .map(|w| WaitingRow {
            complaint_id: w.proposal.complaint_id,
            number: w.ticket_number,
            who: match w.customer_name {
                Some(c) => format!("{c} · {}", w.complainant),
                None => w.complainant,
            },
            severity: t.tk("complaint_severity", &w.severity),
            severity_key: w.severity,
            remedy: t.tk("complaint_remedy", w.proposal.remedy.key()),
            description: w.proposal.description,
            cost: yuan(w.proposal.cost_fen),
            proposed_by: w.proposal.proposed_by_name.unwrap_or_default(),
            proposed_at: local_time(w.proposal.proposed_at),
        })
        .collect::<Vec<_>>();
    let shown = kefu_app::complaint::WAITING_SHOWN;
    let cut = (rows.len() as i64 >= shown)
        .then(|| t.f("approvals.cut", &[("n", shown.to_string().as_str())]));
    super::super::ok(&ApprovalsPage {
        t,
        layout: Layout::new(&identity, "/complaints"),
        rows,
        cut,
    })
}
