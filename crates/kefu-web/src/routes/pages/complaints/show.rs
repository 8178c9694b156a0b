//! 投诉详情 — the complaint page: its view model with the rows of steps, notices, proposals
//! and RMAs, the way back to it after a step, and its printable investigation report.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::complaint::ComplaintDetail;
use kefu_domain::Permission;
use kefu_domain::complaint::{
    Cause, FollowUpResult, NoticeStatus, ProposalStatus, Remedy, RmaStatus, Stage,
};
use kefu_store::complaint::Complaint;

use super::super::render;
use super::super::tickets::Choice;
use super::history::{rma_record, rma_status, step_row};
use super::stale::Kept;
use super::{business_time, choices, default_answer_message, default_follow_up_script};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::versioned::stale_version;
use crate::view::{Layout, local_time, yuan};

pub struct StepRow {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub stage: String,
    pub comment: String,
}

pub struct NoticeRow {
    pub id: i64,
    pub department: String,
    pub status: String,
    pub status_key: String,
    pub due: String,
    pub overdue: bool,
    pub answer: String,
    pub review_comment: String,
    pub mine: bool,
    pub can_ack: bool,
    pub can_answer: bool,
    pub can_review: bool,
}

pub struct ProposalRow {
    pub id: i64,
    pub remedy: String,
    pub description: String,
    pub cost: String,
    pub status: String,
    pub status_key: String,
    pub by: String,
    pub comment: String,
    pub pending: bool,
}

pub struct RmaRow {
    pub id: i64,
    /// Its name, as the log names it: 退款单 #12.
    pub record: String,
    pub remedy: String,
    pub status: String,
    pub amount: String,
    pub note: String,
    pub next: Option<String>,
    /// Not carried out yet: may be cancelled with a reason.
    pub may_cancel: bool,
    /// The after-sales record (售后单) carrying it out: (id, number); it moves only there.
    pub aftersales: Option<(i64, String)>,
}

/// A file backing the investigation, with its download link when the reader may download
/// ticket attachments.
pub struct EvidenceRow {
    pub name: String,
    pub size: String,
    pub link: Option<String>,
    pub by: String,
    pub at: String,
}

pub struct Progress {
    pub label: String,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "complaint_show.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    c: Complaint,
    stage: String,
    stage_key: String,
    due: String,
    overdue: bool,
    severity: String,
    category: String,
    channel: String,
    received: String,
    cause: String,
    department: String,
    /// The department judged responsible, as a select value.
    dept_id: String,
    responsible_department: String,
    promised: String,
    progress: Vec<Progress>,
    steps: Vec<StepRow>,
    notices: Vec<NoticeRow>,
    proposals: Vec<ProposalRow>,
    rmas: Vec<RmaRow>,
    penalties: Vec<(String, String, String)>,
    follow_up: Option<(String, String, String, String)>,
    /// 回访人 — who will make the follow-up call (the handler when none was chosen).
    follow_up_agent: String,
    /// Whether the reader may record the follow-up: a handler, or the agent making the call.
    can_follow_up: bool,
    /// The visit that makes the follow-up call.
    follow_up_visit_id: Option<i64>,
    /// The agents who may make the call, for the intake form; the ticket's assignee chosen.
    agents: Vec<Choice>,
    evidence: Vec<EvidenceRow>,
    /// 改进措施的负责人和完成期限.
    measure_owner: String,
    /// Today in Beijing, `YYYY-MM-DD`: the earliest due date a measure may have.
    today: String,
    hand_offs: usize,
    elapsed: String,
    /// 平 — 已发生, then 已批准未执行 (`kefu_domain::complaint_cost`).
    cost_carried_out: String,
    cost_committed: String,
    can_handle: bool,
    can_approve: bool,
    can_rma: bool,
    /// May open the 售后单 that carries a complaint RMA out.
    can_request_rma: bool,
    departments: Vec<Choice>,
    users: Vec<Choice>,
    causes: Vec<Choice>,
    remedies: Vec<Choice>,
    results: Vec<Choice>,
    scripts: Vec<Choice>,
    default_answer: String,
    default_promise: String,
    default_script: String,
    /// Whether the reader may reveal the complainant's phone (audited).
    can_reveal: bool,
    /// The complainant's phone, just revealed.
    revealed_phone: Option<String>,
    error: Option<String>,
    /// The form a step was sent from when the complaint had moved on: shown again with what
    /// the reader typed (see [`stale`]).
    kept: Option<Kept>,
}

impl ShowPage {
    /// Whether `form` was sent from a page the complaint has moved on from: it is shown
    /// again, whatever the stage now.
    fn again(&self, form: &str) -> bool {
        self.kept.as_ref().is_some_and(|k| k.is(form, None))
    }

    /// What the reader typed into `name` of `form`, sent from an older page; else empty.
    fn typed(&self, form: &str, name: &str) -> &str {
        match &self.kept {
            Some(k) if k.is(form, None) => k.get(name),
            _ => "",
        }
    }

    /// [`typed`](Self::typed) for the form of a notice, proposal or RMA `row`.
    fn typed_row(&self, form: &str, row: &i64, name: &str) -> &str {
        match &self.kept {
            Some(k) if k.is(form, Some(*row)) => k.get(name),
            _ => "",
        }
    }
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let d: ComplaintDetail = state.app.complaint_detail(&actor, id).await?;
    let now = state.app.now();
    let allows = |p| identity.user.as_ref().is_some_and(|u| u.allows(p));
    let can_handle = allows(Permission::ComplaintHandle);
    let departments = state.app.departments().await?;
    let my_department = match &identity.user {
        Some(u) => state.app.get_user(&actor, u.id).await?.department_id,
        None => None,
    };
    let dept_name = |id: Option<i64>| {
        id.and_then(|i| departments.iter().find(|d| d.id == i))
            .map(|d| t.tk("department", &d.key))
            .unwrap_or_default()
    };
    let users = state.app.list_users(&actor).await?;
    let user_name = |id: Option<i64>| {
        id.and_then(|i| users.iter().find(|u| u.id == i))
            .map(|u| u.display_name.clone())
            .unwrap_or_default()
    };
    let c = d.complaint.clone();
    // 售后单 carrying out the complaint's RMAs, which move only there.
    let aftersales = if allows(Permission::RmaRequest) && !d.rmas.is_empty() {
        let filter = kefu_store::aftersales::rma::RmaFilter {
            complaint_id: Some(c.id),
            limit: 200,
            ..Default::default()
        };
        state.app.rmas(&actor, &filter).await?
    } else {
        Vec::new()
    };
    let current = c.stage.step();
    let progress = Stage::PATH
        .iter()
        .map(|s| Progress {
            label: t.tk("complaint_stage", s.key()),
            state: if c.stage == Stage::Invalid {
                if s.step() <= 2 { "done" } else { "todo" }
            } else if s.step() < current || c.stage == Stage::Closed {
                "done"
            } else if s.step() == current {
                "current"
            } else {
                "todo"
            },
        })
        .collect();
    let scripts = if can_handle && c.stage == Stage::Validity {
        state
            .app
            .scripts(&actor, kefu_domain::kb::ScriptStatus::Approved, None)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|s| Choice {
                value: s.script.id.to_string(),
                label: format!("{} · {}", s.script.category, s.script.title),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    // Promised in business time: never on a rest day or a holiday.
    let promise = state.app.default_answer_promise().await?;
    let agent = identity
        .user
        .as_ref()
        .map(|u| u.display_name.clone())
        .unwrap_or_default();
    let open_follow_up = d
        .follow_ups
        .iter()
        .rev()
        .find(|f| f.done_at.is_none())
        .or(d.follow_ups.last());
    let me = identity.user.as_ref().map(|u| u.id);
    let calls = me.is_some_and(|me| {
        c.follow_up_agent_id == Some(me)
            || d.follow_ups
                .iter()
                .any(|f| f.done_at.is_none() && f.assignee_id == Some(me))
    });
    let agent_default = c.follow_up_agent_id.or(c.ticket_assignee_id);
    let can_download = allows(Permission::TicketWork);
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(ShowPage {
        today: now.to_zoned(shanghai.clone()).date().to_string(),
        // Chosen at intake: until then nobody is named.
        follow_up_agent: match (&c.follow_up_agent_name, &c.handler_name) {
            _ if c.stage == Stage::Intake => String::new(),
            (Some(agent), _) => agent.clone(),
            (None, Some(h)) => t.f("complaint.follow_up_by_handler", &[("name", h.as_str())]),
            (None, None) => String::new(),
        },
        can_follow_up: can_handle || calls,
        follow_up_visit_id: d.follow_up_visit_id,
        agents: users
            .iter()
            .filter(|u| u.active && u.roles.allows(Permission::TicketWork))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.display_name.clone(),
                selected: Some(u.id) == agent_default,
            })
            .collect(),
        evidence: d
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                name: e.filename.clone(),
                size: super::super::tickets::show::size_text(e.size),
                link: can_download
                    .then(|| format!("/tickets/{}/attachments/{}", e.ticket_id, e.attachment_id)),
                by: e.added_by_name.clone().unwrap_or_default(),
                at: local_time(e.added_at),
            })
            .collect(),
        measure_owner: c
            .measure_owner_name
            .clone()
            .or_else(|| c.measure_owner_id.map(|u| user_name(Some(u))))
            .unwrap_or_default(),
        stage: t.tk("complaint_stage", c.stage.key()),
        stage_key: c.stage.key().to_owned(),
        due: c.stage_due_at.map(local_time).unwrap_or_default(),
        overdue: c.stage.is_open() && c.stage_due_at.is_some_and(|d| d <= now),
        severity: t.tk("complaint_severity", c.severity.key()),
        category: t.tk("complaint_category", c.category.key()),
        channel: t.tk("channel", &c.channel),
        received: local_time(c.received_at),
        cause: c
            .cause
            .as_deref()
            .map(|k| t.tk("complaint_cause", k))
            .unwrap_or_default(),
        department: dept_name(c.department_id),
        dept_id: c.department_id.map(|d| d.to_string()).unwrap_or_default(),
        responsible_department: {
            let d = dept_name(c.responsible_department_id);
            let u = user_name(c.responsible_user_id);
            [d, u]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ")
        },
        promised: c.promised_answer_at.map(local_time).unwrap_or_default(),
        progress,
        steps: d.steps.iter().map(|s| step_row(t, s, &d.rmas)).collect(),
        notices: d
            .notices
            .iter()
            .map(|n| {
                let mine = my_department == Some(n.department_id);
                let open = c.stage == Stage::Notice;
                NoticeRow {
                    id: n.id,
                    department: t.tk(
                        "department",
                        &departments
                            .iter()
                            .find(|d| d.id == n.department_id)
                            .map(|d| d.key.clone())
                            .unwrap_or_default(),
                    ),
                    status: t.tk("notice_status", n.status.key()),
                    status_key: n.status.key().to_owned(),
                    due: local_time(n.due_at),
                    overdue: open
                        && n.due_at <= now
                        && !matches!(n.status, NoticeStatus::Answered | NoticeStatus::Accepted),
                    answer: n.answer.clone().unwrap_or_default(),
                    review_comment: n.review_comment.clone().unwrap_or_default(),
                    mine,
                    can_ack: open && mine && n.status == NoticeStatus::Sent,
                    can_answer: open
                        && mine
                        && matches!(
                            n.status,
                            NoticeStatus::Sent
                                | NoticeStatus::Acknowledged
                                | NoticeStatus::Returned
                        ),
                    can_review: open && can_handle && n.status == NoticeStatus::Answered,
                }
            })
            .collect(),
        proposals: d
            .proposals
            .iter()
            .map(|p| ProposalRow {
                id: p.id,
                remedy: t.tk("complaint_remedy", p.remedy.key()),
                description: p.description.clone(),
                cost: yuan(p.cost_fen),
                status: t.tk("proposal_status", p.status.key()),
                status_key: p.status.key().to_owned(),
                by: p.proposed_by_name.clone().unwrap_or_default(),
                comment: p.decision_comment.clone().unwrap_or_default(),
                pending: p.status == ProposalStatus::Proposed && c.stage == Stage::Solution,
            })
            .collect(),
        rmas: d
            .rmas
            .iter()
            .map(|r| RmaRow {
                id: r.id,
                record: rma_record(t, r.remedy, r.id),
                remedy: t.tk("complaint_remedy", r.remedy.key()),
                status: rma_status(t, r.remedy, r.status),
                amount: yuan(r.amount_fen),
                note: r.note.clone().unwrap_or_default(),
                next: r
                    .status
                    .next(r.remedy)
                    .map(|n: RmaStatus| rma_status(t, r.remedy, n)),
                may_cancel: r.status.may_cancel(),
                aftersales: aftersales
                    .iter()
                    .find(|a| a.rma.complaint_rma_id == Some(r.id))
                    .map(|a| (a.rma.id, a.rma.number.clone())),
            })
            .collect(),
        penalties: d
            .penalties
            .iter()
            .map(|p| {
                let who = [
                    p.department_id
                        .map(|_| dept_name(p.department_id))
                        .unwrap_or_default(),
                    p.user_name.clone().unwrap_or_default(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
                (who, yuan(p.amount_fen), p.reason.clone())
            })
            .collect(),
        follow_up: open_follow_up.map(|f| {
            (
                local_time(f.due_at),
                f.script.clone(),
                f.result
                    .map(|r| t.tk("follow_up_result", r.key()))
                    .unwrap_or_default(),
                f.comment.clone().unwrap_or_default(),
            )
        }),
        hand_offs: d.hand_offs,
        elapsed: business_time(t, d.elapsed_minutes),
        cost_carried_out: yuan(d.cost.carried_out_fen),
        cost_committed: yuan(d.cost.committed_fen),
        can_handle,
        can_approve: allows(Permission::ComplaintApprove),
        can_rma: allows(Permission::RmaWork),
        can_request_rma: allows(Permission::RmaRequest),
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.id.to_string(),
                label: t.tk("department", &d.key),
                selected: false,
            })
            .collect(),
        users: users
            .iter()
            .filter(|u| u.active)
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.display_name.clone(),
                selected: false,
            })
            .collect(),
        causes: choices(t, "complaint_cause", Cause::ALL, |c| c.key(), None),
        remedies: choices(t, "complaint_remedy", Remedy::ALL, |c| c.key(), None),
        results: choices(
            t,
            "follow_up_result",
            FollowUpResult::ALL,
            |c| c.key(),
            Some(FollowUpResult::Satisfied),
        ),
        scripts,
        default_answer: default_answer_message(promise),
        default_promise: promise
            .to_zoned(shanghai)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        default_script: default_follow_up_script(&c, &agent),
        can_reveal: allows(Permission::CustomerReveal),
        revealed_phone: None,
        c,
        t,
        layout: Layout::new(identity, "/complaints"),
        error,
        kept: None,
    })
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::super::ok(&show_page(&state, &identity, id, None).await?)
}

/// Reveals the complainant's phone on the complaint page; the reveal is audited.
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let value = state
        .app
        .reveal_complainant_phone(&identity.actor(), id)
        .await?;
    let mut page = show_page(&state, &identity, id, None).await?;
    page.revealed_phone = Some(value);
    super::super::ok(&page)
}

/// Back to the complaint after a step, or the page again with the reason it was refused.
pub(super) async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    outcome: Result<(), kefu_app::AppError>,
) -> Result<Response, WebError> {
    let to = format!("/complaints/{id}");
    super::super::done_or_refused(outcome.map_err(WebError::from), &to, identity.tr(), |m| {
        show_page(state, identity, id, Some(m))
    })
    .await
}

/// Back to the complaint after a step sent from `kept`'s form, as [`after`]; a step refused
/// because the complaint moved on from the form's version brings the page back (409) with
/// a notice naming the stage the complaint is at now, and the form shown again with what
/// the reader typed.
pub(super) async fn stepped(
    state: &AppState,
    identity: &Identity,
    id: i64,
    kept: Kept,
    outcome: Result<(), kefu_app::AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Err(e) if stale_version(&e).is_some() => {
            let mut page = show_page(state, identity, id, None).await?;
            let notice = page
                .t
                .f("stale.complaint_moved", &[("stage", page.stage.as_str())]);
            page.error = Some(notice);
            page.kept = Some(kept);
            render(axum::http::StatusCode::CONFLICT, &page)
        }
        outcome => after(state, identity, id, outcome).await,
    }
}

#[derive(Template)]
#[template(path = "complaint_print.html")]
struct PrintPage {
    t: Tr,
    layout: Layout,
    p: ShowPage,
    printed: String,
    sent: usize,
}

#[derive(serde::Deserialize)]
pub struct PrintQuery {
    pub sent: Option<usize>,
}

/// 投诉调查报告 — the printable investigation report of one complaint.
pub async fn investigation_report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, WebError> {
    let p = show_page(&state, &identity, id, None).await?;
    super::super::ok(&PrintPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/complaints"),
        p,
        printed: local_time(state.app.now()),
        sent: q.sent.unwrap_or(0),
    })
}

/// Sends the report to the departments involved (in-app; by mail once mail exists).
pub async fn send_investigation_report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let n = state
        .app
        .send_complaint_report(&identity.actor(), id, None)
        .await?;
    Ok(Redirect::to(&format!("/complaints/{id}/report?sent={n}")).into_response())
}
