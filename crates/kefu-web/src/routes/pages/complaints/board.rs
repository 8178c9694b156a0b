//! 投诉看板 — the board: every open complaint as a card in its stage's column, narrowed by
//! what the workbench's tiles open (a stage, the overdue ones, a notice's state, a cause,
//! a running RMA, mine).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_domain::Permission;
use kefu_domain::complaint::{Cause, Stage};
use kefu_store::complaint::{BoardFilter, NoticeWait};

use crate::routes::pages::form_key;
use crate::routes::pages::tickets::field;

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
    /// The narrowing asked for, in words (empty: every open complaint).
    narrowed: Vec<String>,
}

/// The board's filter from its query: `stage`, `overdue=1`, `notice=open|overdue|answered`,
/// `mine=1`, `cause`, `rma=open`, `customer` (an archive customer's id, from the ticket
/// page's customer card); with the narrowing in words (the board adds the customer's name).
fn board_filter(
    pairs: &[(String, String)],
    identity: &Identity,
    now: jiff::Timestamp,
) -> Result<(BoardFilter, Vec<String>), WebError> {
    let t = identity.tr();
    let mut words = Vec::new();
    let mut f = BoardFilter {
        open_only: true,
        limit: kefu_app::complaint::BOARD_SHOWN,
        stage: form_key::<Stage>(pairs, "stage")?,
        ..BoardFilter::default()
    };
    if let Some(s) = f.stage {
        words.push(t.tk("complaint_stage", s.key()));
    }
    if field(pairs, "overdue") == "1" {
        f.overdue_at = Some(now);
        words.push(t.t("complaint.overdue").to_owned());
    }
    f.notice = match field(pairs, "notice") {
        "" => None,
        "open" => Some(NoticeWait::Unanswered),
        "overdue" => Some(NoticeWait::OverdueAt(now)),
        "answered" => Some(NoticeWait::Answered),
        other => {
            return Err(crate::input::unknown_value(
                "notice",
                other,
                ["open", "overdue", "answered"],
            ));
        }
    };
    if f.notice.is_some() {
        words.push(t.tk("complaints.notice_filter", field(pairs, "notice")));
    }
    if field(pairs, "mine") == "1" {
        f.handler_or_nobody = identity.user.as_ref().map(|u| u.id);
        words.push(t.t("complaints.mine").to_owned());
    }
    if let Some(c) = form_key::<Cause>(pairs, "cause")? {
        f.cause = Some(c.key().to_owned());
        words.push(t.f(
            "complaints.cause_filter",
            &[("cause", t.tk("complaint_cause", c.key()).as_str())],
        ));
    }
    match field(pairs, "rma") {
        "" => {}
        "open" => {
            f.open_rma = true;
            words.push(t.t("complaints.rma_open").to_owned());
        }
        other => return Err(crate::input::unknown_value("rma", other, ["open"])),
    }
    f.customer_id = match field(pairs, "customer") {
        "" => None,
        c => Some(
            c.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("customer: {c:?}")))?,
        ),
    };
    Ok((f, words))
}

/// The board: every open complaint by stage, overdue ones marked; narrowed as asked.
pub async fn board(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let now = state.app.now();
    let (f, mut narrowed) = board_filter(&pairs, &identity, now)?;
    if let Some(cid) = f.customer_id {
        narrowed.push(
            crate::routes::pages::tickets::card::customer_words(&state, &identity, cid).await,
        );
    }
    let rows = state.app.complaints(&identity.actor(), &f).await?;
    let total = rows.len();
    let columns = Stage::ALL
        .iter()
        .filter(|s| s.is_open() && f.stage.is_none_or(|only| only == **s))
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
        narrowed,
    })
}
