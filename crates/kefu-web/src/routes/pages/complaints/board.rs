//! 投诉看板 — the board: every open complaint as a card in its stage's column.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kefu_domain::Permission;
use kefu_domain::complaint::Stage;
use kefu_store::complaint::BoardFilter;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// One card on the board.
pub struct Card {
    pub id: i64,
    pub number: String,
    pub who: String,
    pub category: String,
    pub severity: String,
    pub severity_key: String,
    pub due: String,
    pub overdue: bool,
}

pub struct Column {
    pub stage: String,
    pub stage_key: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct BoardPage {
    t: Tr,
    layout: Layout,
    columns: Vec<Column>,
    can_open: bool,
    can_report: bool,
    total: usize,
    /// Proposals waiting for the reader's approval (`None`: the reader does not approve).
    waiting: Option<usize>,
}

/// The board: every open complaint by stage, overdue ones marked.
pub async fn board(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let now = state.app.now();
    let f = BoardFilter {
        open_only: true,
        limit: 1000,
        ..BoardFilter::default()
    };
    let rows = state.app.complaints(&identity.actor(), &f).await?;
    let total = rows.len();
    let columns = Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| Column {
            stage: t.tk("complaint_stage", s.key()),
            stage_key: s.key().to_owned(),
            cards: rows
                .iter()
                .filter(|c| c.stage == *s)
                .map(|c| Card {
                    id: c.id,
                    number: c.ticket_number.clone(),
                    who: c.customer_name.clone().unwrap_or(c.complainant.clone()),
                    category: t.tk("complaint_category", c.category.key()),
                    severity: t.tk("complaint_severity", c.severity.key()),
                    severity_key: c.severity.key().to_owned(),
                    due: c.stage_due_at.map(local_time).unwrap_or_default(),
                    overdue: c.stage_due_at.is_some_and(|d| d <= now),
                })
                .collect(),
        })
        .collect();
    let can_open = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintOpen));
    let can_report = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintView));
    let approves = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::ComplaintApprove));
    let waiting = if approves {
        Some(
            state
                .app
                .proposals_awaiting_approval(&identity.actor())
                .await?
                .len(),
        )
    } else {
        None
    };
    super::super::ok(&BoardPage {
        t,
        layout: Layout::new(&identity, "/complaints"),
        columns,
        can_open,
        can_report,
        total,
        waiting,
    })
}
