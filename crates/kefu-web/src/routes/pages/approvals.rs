//! 待我审批 — the approvals inbox: everything waiting for the reader's decision, the oldest
//! first (`kefu_app::workbench::Inbox`). A reply script is decided right here — approved, or
//! sent back with a note — since its wording is all there is to decide. A complaint's
//! proposal opens the complaint, where the decision is taken with what it needs (the
//! investigation, the customer, what it costs). `/complaints/approvals` is the same list of
//! the complaints' proposals only.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::workbench::{ApprovalKind, Awaiting, Inbox};

use super::credit::yuan;
use super::scripts::actions_text;
use super::tickets::{field, non_empty};
use super::versioned::{form_version, stale_version};
use super::{ok, render};
use crate::AppState;
use crate::auth::{Identity, urlencode};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct ProposalRow {
    pub complaint_id: i64,
    pub number: String,
    pub who: String,
    pub severity: String,
    pub severity_key: String,
    pub remedy: String,
    pub description: String,
    pub cost: String,
}

pub struct ScriptRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub body: String,
    pub actions: String,
    /// The version the decision is made against: the wording the reader read.
    pub version: i64,
}

/// 质检申诉 — an appeal, decided on the inspection's page.
pub struct AppealRow {
    pub inspection_id: i64,
    pub what: String,
    pub score: String,
    pub reason: String,
}

/// One thing waiting: a proposal, a script or an appeal.
pub struct InboxRow {
    pub kind: &'static str,
    pub kind_label: String,
    pub proposal: Option<ProposalRow>,
    pub script: Option<ScriptRow>,
    pub appeal: Option<AppealRow>,
    pub proposed_by: String,
    pub since: String,
}

/// A tab of the inbox: every kind, or one.
pub struct KindTab {
    pub href: String,
    pub label: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    t: Tr,
    layout: Layout,
    rows: Vec<InboxRow>,
    tabs: Vec<KindTab>,
    /// The reader decides nothing that could wait here.
    decides_nothing: bool,
    /// The kind shown, for a decision's way back.
    kind: &'static str,
    cut: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

async fn rows(
    state: &AppState,
    identity: &Identity,
    inbox: Inbox,
) -> Result<Vec<InboxRow>, WebError> {
    let t = identity.tr();
    let statuses = if inbox.items.iter().any(|i| matches!(i, Awaiting::Script(_))) {
        state.app.ticket_statuses(&identity.actor()).await?
    } else {
        Vec::new()
    };
    Ok(inbox
        .items
        .into_iter()
        .map(|item| {
            let kind = item.kind();
            let since = local_time(item.since());
            let kind_label = t.tk("workbench.approval_kind", kind.key());
            match item {
                Awaiting::Proposal(w) => InboxRow {
                    kind: kind.key(),
                    kind_label,
                    proposed_by: w.proposal.proposed_by_name.clone().unwrap_or_default(),
                    since,
                    script: None,
                    appeal: None,
                    proposal: Some(ProposalRow {
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
                    }),
                },
                Awaiting::Script(s) => InboxRow {
                    kind: kind.key(),
                    kind_label,
                    proposed_by: s.script.proposed_by_name.clone().unwrap_or_default(),
                    since,
                    proposal: None,
                    appeal: None,
                    script: Some(ScriptRow {
                        actions: actions_text(t, &statuses, identity.locale, &s.actions),
                        id: s.script.id,
                        title: s.script.title,
                        category: s.script.category,
                        body: s.script.body,
                        version: s.script.version,
                    }),
                },
                Awaiting::Appeal(a) => InboxRow {
                    kind: kind.key(),
                    kind_label,
                    proposed_by: a.agent_name.clone(),
                    since,
                    proposal: None,
                    script: None,
                    appeal: Some(AppealRow {
                        inspection_id: a.id,
                        what: a
                            .ticket_number
                            .clone()
                            .unwrap_or_else(|| t.tk("quality.source", &a.source_kind)),
                        score: a
                            .score_tenths
                            .map(kefu_app::quality::points)
                            .unwrap_or_default(),
                        reason: a.appeal_reason.clone(),
                    }),
                },
            }
        })
        .collect())
}

/// The inbox page of `only` that kind (or every kind), with a notice or an error.
async fn page(
    state: &AppState,
    identity: &Identity,
    only: Option<ApprovalKind>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ApprovalsPage, WebError> {
    let t = identity.tr();
    let inbox = state.app.approvals(&identity.actor(), only).await?;
    let decides_nothing = inbox.kinds.is_empty();
    let cut = inbox.cut.then(|| t.t("approvals.cut_any").to_owned());
    let mut tabs = Vec::new();
    if inbox.kinds.len() > 1 {
        tabs.push(KindTab {
            href: "/approvals".to_owned(),
            label: t.t("common.all").to_owned(),
            active: only.is_none(),
        });
        tabs.extend(inbox.kinds.iter().map(|k| KindTab {
            href: format!("/approvals?kind={}", k.key()),
            label: t.tk("workbench.approval_kind", k.key()),
            active: only == Some(*k),
        }));
    }
    Ok(ApprovalsPage {
        t,
        layout: Layout::new(identity, "/approvals"),
        rows: rows(state, identity, inbox).await?,
        tabs,
        decides_nothing,
        kind: only.map_or("", ApprovalKind::key),
        cut,
        notice,
        error,
    })
}

/// The kind a query or form names (`kind`), empty for every kind.
fn kind_of(pairs: &[(String, String)]) -> Result<Option<ApprovalKind>, WebError> {
    match field(pairs, "kind") {
        "" => Ok(None),
        k => ApprovalKind::parse(k).map(Some).ok_or_else(|| {
            crate::input::unknown_value("kind", k, ApprovalKind::ALL.map(ApprovalKind::key))
        }),
    }
}

/// `GET /approvals`: everything waiting for the reader's decision (`?kind=` one kind).
pub async fn inbox(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let only = kind_of(&pairs)?;
    let t = identity.tr();
    let notice = match field(&pairs, "done") {
        "approved" => Some(t.t("approvals.done_approved").to_owned()),
        "sent_back" => Some(t.t("approvals.done_sent_back").to_owned()),
        _ => None,
    };
    ok(&page(&state, &identity, only, notice, None).await?)
}

/// `GET /complaints/approvals`: the complaints' proposals waiting for approval.
pub async fn complaint_proposals(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    ok(&page(
        &state,
        &identity,
        Some(ApprovalKind::ComplaintProposal),
        None,
        None,
    )
    .await?)
}

/// `POST /approvals/scripts/{id}`: approves a proposed script or sends it back (with a
/// note), as read at the form's `version`; back to the inbox.
pub async fn decide_script(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let only = kind_of(&pairs)?;
    let approve = match field(&pairs, "decision") {
        "approve" => true,
        "send_back" => false,
        other => {
            return Err(crate::input::unknown_value(
                "decision",
                other,
                ["approve", "send_back"],
            ));
        }
    };
    let decided = state
        .app
        .review_script(
            &identity.actor(),
            id,
            approve,
            non_empty(field(&pairs, "note")),
            form_version(&pairs),
        )
        .await;
    match decided {
        Ok(()) => {
            let done = if approve { "approved" } else { "sent_back" };
            let back = match only {
                Some(k) => format!("/approvals?kind={}&done={done}", urlencode(k.key())),
                None => format!("/approvals?done={done}"),
            };
            Ok(Redirect::to(&back).into_response())
        }
        // Edited since the reader read it: nothing is recorded; the list shows it as it
        // reads now.
        Err(e) if stale_version(&e).is_some() => {
            let message = identity.tr().t("scripts.changed_since_read").to_owned();
            render(
                StatusCode::CONFLICT,
                &page(&state, &identity, only, None, Some(message)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}
