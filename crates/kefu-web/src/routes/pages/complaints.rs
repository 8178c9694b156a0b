//! 投诉 — the complaints board, the intake form, and the complaint page with the form of
//! each stage's step. Every step posts to its own route and comes back to the page; a
//! refused step shows the page again with the reason.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use kefu_app::complaint::{
    ComplaintDetail, ComplaintForm, Evaluation, Investigation, Judgement, NewPenalty, NewProposal,
};
use kefu_domain::complaint::{
    Category, Cause, FollowUpResult, NoticeStatus, ProposalStatus, Remedy, RmaStatus, Severity,
    Stage,
};
use kefu_domain::ticket::Channel;
use kefu_domain::{Locale, Permission};
use kefu_store::complaint::{BoardFilter, Complaint};

use super::credit::{parse_yuan, yuan};
use super::render;
use super::tickets::{Choice, field};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

mod stale;

use stale::Kept;

/// The message telling a customer when to expect an answer (customers read Chinese).
pub fn default_answer_message(at: Timestamp) -> String {
    Tr(Locale::ZhCn).f(
        "complaint.default_answer_message",
        &[("date", &local_time(at))],
    )
}

/// The follow-up call's standard script, with the complainant's name and the agent's.
pub fn default_follow_up_script(c: &Complaint, agent: &str) -> String {
    Tr(Locale::ZhCn).f(
        "complaint.default_follow_up_script",
        &[("name", &c.complainant), ("agent", agent)],
    )
}

fn choices<T: Copy + PartialEq>(
    t: Tr,
    prefix: &str,
    all: &[T],
    key: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: key(*v).to_owned(),
            label: t.tk(prefix, key(*v)),
            selected: Some(*v) == selected,
        })
        .collect()
}

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
    super::ok(&BoardPage {
        t,
        layout: Layout::new(&identity, "/complaints"),
        columns,
        can_open,
        can_report,
        total,
    })
}

#[derive(Template)]
#[template(path = "complaint_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    ticket: Option<(i64, String)>,
    values: Vec<(String, String)>,
    channels: Vec<Choice>,
    categories: Vec<Choice>,
    severities: Vec<Choice>,
    error: Option<String>,
}

impl NewPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    pub ticket: Option<i64>,
}

async fn new_page(
    state: &AppState,
    identity: &Identity,
    ticket: Option<i64>,
    values: Vec<(String, String)>,
    error: Option<String>,
) -> Result<NewPage, WebError> {
    let t = identity.tr();
    let mut values = values;
    let ticket = match ticket {
        Some(id) => {
            let d = state.app.ticket_detail(&identity.actor(), id).await?;
            if values.is_empty() {
                let body = d
                    .messages
                    .first()
                    .map(|m| m.body.clone())
                    .unwrap_or_default();
                values = vec![
                    (
                        "complainant".into(),
                        d.ticket.contact_name.clone().unwrap_or_default(),
                    ),
                    (
                        "complainant_phone".into(),
                        d.ticket.contact_phone.clone().unwrap_or_default(),
                    ),
                    ("channel".into(), d.ticket.channel.key().to_owned()),
                    ("content".into(), body),
                    (
                        "customer_id".into(),
                        d.ticket
                            .customer_id
                            .map(|c| c.to_string())
                            .unwrap_or_default(),
                    ),
                ];
            }
            Some((id, d.ticket.number.clone()))
        }
        None => None,
    };
    let get = |k: &str| field(&values, k).to_owned();
    Ok(NewPage {
        // Most complaints arrive by phone.
        channels: choices(
            t,
            "channel",
            Channel::ALL,
            |c| c.key(),
            Some(get("channel").parse().unwrap_or(Channel::Phone)),
        ),
        categories: choices(
            t,
            "complaint_category",
            Category::ALL,
            |c| c.key(),
            get("category").parse().ok(),
        ),
        severities: choices(
            t,
            "complaint_severity",
            Severity::ALL,
            |c| c.key(),
            Some(get("severity").parse().unwrap_or(Severity::Major)),
        ),
        t,
        layout: Layout::new(identity, "/complaints"),
        ticket,
        values,
        error,
    })
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    super::ok(&new_page(&state, &identity, q.ticket, Vec::new(), None).await?)
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let get = |k: &str| field(&pairs, k).trim().to_owned();
    let ticket: Option<i64> = get("ticket").parse().ok();
    let refuse = |message: String| async {
        let page = new_page(&state, &identity, ticket, pairs.clone(), Some(message)).await?;
        render(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let quantity = match get("quantity").as_str() {
        "" => None,
        q => match q.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => return refuse(t.t("error.bad_quantity").to_owned()).await,
        },
    };
    let delivery_date = match get("delivery_date").as_str() {
        "" => None,
        d => match kefu_domain::dates::parse("delivery_date", d) {
            Ok(d) => Some(d),
            Err(kefu_domain::dates::DateError::NotADate { .. }) => {
                return refuse(t.t("error.bad_date").to_owned()).await;
            }
            Err(e) => return refuse(super::refusal(e.into(), t).1).await,
        },
    };
    // Empty keeps the form's default; an unknown key is refused with the keys allowed.
    let keys = (|| {
        Ok::<_, WebError>((
            super::form_key(&pairs, "channel")?.unwrap_or(Channel::Phone),
            super::form_key(&pairs, "category")?.unwrap_or(Category::Other),
            super::form_key(&pairs, "severity")?.unwrap_or(Severity::Major),
        ))
    })();
    let (channel, category, severity) = match keys {
        Ok(keys) => keys,
        Err(e) => return refuse(super::input_refusal(e, t).1).await,
    };
    let form = ComplaintForm {
        customer_id: get("customer_id").parse().ok(),
        complainant: get("complainant"),
        complainant_phone: Some(get("complainant_phone")),
        channel,
        content: field(&pairs, "content").to_owned(),
        received_at: None,
        order_number: get("order_number"),
        part_number: get("part_number"),
        quantity,
        delivery_date,
        product: get("product"),
        category,
        severity,
    };
    match state
        .app
        .open_complaint(&identity.actor(), ticket, &form)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(kefu_app::AppError::AlreadyComplaint { id }) => {
            Ok(Redirect::to(&format!("/complaints/{id}")).into_response())
        }
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            render(
                status,
                &new_page(&state, &identity, ticket, pairs.clone(), Some(message)).await?,
            )
        }
    }
}

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
    pub remedy: String,
    pub status: String,
    pub amount: String,
    pub note: String,
    pub next: Option<String>,
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
    hand_offs: usize,
    elapsed: String,
    cost: String,
    can_handle: bool,
    can_approve: bool,
    can_rma: bool,
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

fn business_time(t: Tr, minutes: i64) -> String {
    t.f(
        "complaint.business_time",
        &[
            ("h", &(minutes / 60).to_string()),
            ("m", &(minutes % 60).to_string()),
        ],
    )
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
    let promise = state
        .app
        .now()
        .checked_add(jiff::SignedDuration::from_hours(72))
        .unwrap_or(now);
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
    Ok(ShowPage {
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
        steps: d
            .steps
            .iter()
            .map(|s| StepRow {
                at: local_time(s.at),
                actor: s.actor_name.clone(),
                what: t.tk("complaint_action", &s.action),
                stage: if s.from_stage == s.to_stage {
                    String::new()
                } else {
                    format!(
                        "{} → {}",
                        t.tk("complaint_stage", s.from_stage.key()),
                        t.tk("complaint_stage", s.to_stage.key())
                    )
                },
                comment: s.comment.clone().unwrap_or_default(),
            })
            .collect(),
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
                remedy: t.tk("complaint_remedy", r.remedy.key()),
                status: t.tk("rma_status", r.status.key()),
                amount: yuan(r.amount_fen),
                note: r.note.clone().unwrap_or_default(),
                next: r
                    .status
                    .next(r.remedy)
                    .map(|n: RmaStatus| t.tk("rma_status", n.key())),
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
        cost: yuan(d.cost_fen),
        can_handle,
        can_approve: allows(Permission::ComplaintApprove),
        can_rma: allows(Permission::RmaWork),
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
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
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
    super::ok(&show_page(&state, &identity, id, None).await?)
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
    super::ok(&page)
}

/// Back to the complaint after a step, or the page again with the reason it was refused.
async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    outcome: Result<(), kefu_app::AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/complaints/{id}")).into_response()),
        Err(e) => {
            let (status, message) = super::refusal(e, identity.tr());
            render(
                status,
                &show_page(state, identity, id, Some(message)).await?,
            )
        }
    }
}

/// Back to the complaint after a step sent from `kept`'s form, as [`after`]; a step refused
/// because the complaint moved on from the form's version brings the page back (409) with
/// a notice naming the stage the complaint is at now, and the form shown again with what
/// the reader typed.
async fn stepped(
    state: &AppState,
    identity: &Identity,
    id: i64,
    kept: Kept,
    outcome: Result<(), kefu_app::AppError>,
) -> Result<Response, WebError> {
    match outcome {
        Err(e) if stale::is_stale(&e) => {
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

/// A `datetime-local` value read as Beijing time.
fn local_instant(s: &str) -> Option<Timestamp> {
    let dt: jiff::civil::DateTime = s.trim().parse().ok()?;
    dt.to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").ok()?)
        .ok()
        .map(|z| z.timestamp())
}

fn bad(field: &str) -> kefu_app::AppError {
    kefu_app::AppError::Complaint(kefu_domain::complaint::ComplaintError::Required(
        match field {
            "promised_answer_at" => "promised_answer_at",
            "department" => "department",
            "cost" => "cost",
            _ => "amount",
        },
    ))
}

pub async fn complete_intake(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .complete_intake(
            &identity.actor(),
            id,
            field(&pairs, "comment"),
            stale::version(&pairs),
        )
        .await;
    stepped(&state, &identity, id, Kept::new("intake", None, &pairs), r).await
}

pub async fn judge(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let get = |k: &str| field(&pairs, k).to_owned();
    let j = if get("valid") == "1" {
        let Some(at) = local_instant(&get("promised_answer_at")) else {
            return after(&state, &identity, id, Err(bad("promised_answer_at"))).await;
        };
        let Ok(department_id) = get("department").parse() else {
            return after(&state, &identity, id, Err(bad("department"))).await;
        };
        let message = get("customer_message");
        Judgement::Valid {
            department_id,
            promised_answer_at: at,
            customer_message: if message.trim().is_empty() {
                default_answer_message(at)
            } else {
                message
            },
            comment: get("comment"),
        }
    } else {
        Judgement::Invalid {
            reason: get("reason"),
            reply: get("reply"),
            script_id: get("script").parse().ok(),
        }
    };
    let form = if matches!(j, Judgement::Valid { .. }) {
        "valid"
    } else {
        "invalid"
    };
    let r = state
        .app
        .judge_complaint(&identity.actor(), id, &j, stale::version(&pairs))
        .await;
    stepped(&state, &identity, id, Kept::new(form, None, &pairs), r).await
}

/// The complaint a notice belongs to, for coming back to its page.
async fn complaint_of_notice(
    state: &AppState,
    identity: &Identity,
    notice: i64,
) -> Result<i64, WebError> {
    Ok(state
        .app
        .complaint_of_notice(&identity.actor(), notice)
        .await?)
}

pub async fn acknowledge_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .acknowledge_notice(&identity.actor(), notice, stale::version(&pairs))
        .await;
    let kept = Kept::new("ack", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn answer_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .answer_notice(
            &identity.actor(),
            notice,
            field(&pairs, "answer"),
            stale::version(&pairs),
        )
        .await;
    let kept = Kept::new("answer", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn review_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .review_notice(
            &identity.actor(),
            notice,
            field(&pairs, "accept") == "1",
            field(&pairs, "comment"),
            stale::version(&pairs),
        )
        .await;
    let kept = Kept::new("review", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn investigate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: crate::upload::FormWithFiles,
) -> Result<Response, WebError> {
    let crate::upload::FormWithFiles { pairs, files } = form;
    let inv = Investigation {
        cause: super::form_key(&pairs, "cause")?.unwrap_or(Cause::Other),
        responsible_department_id: field(&pairs, "responsible_department").parse().ok(),
        responsible_user_id: field(&pairs, "responsible_user").parse().ok(),
        findings: field(&pairs, "findings").to_owned(),
    };
    let expected = stale::version(&pairs);
    let r = state
        .app
        .record_complaint_investigation(&identity.actor(), id, &inv, &files, expected)
        .await;
    let kept = Kept::new("investigation", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let raw = field(&pairs, "cost").trim();
    // A negative figure reaches the rule that refuses it, with its own message.
    let cost = match raw.strip_prefix('-') {
        Some(rest) => Some(-parse_yuan(rest).unwrap_or(0).max(1)),
        None => parse_yuan(raw),
    };
    let Some(cost_fen) = cost else {
        return after(&state, &identity, id, Err(kefu_app::AppError::BadAmount)).await;
    };
    let p = NewProposal {
        remedy: super::form_key(&pairs, "remedy")?.unwrap_or(Remedy::Apologise),
        description: field(&pairs, "description").to_owned(),
        cost_fen,
    };
    let r = state
        .app
        .propose_solution(&identity.actor(), id, &p, stale::version(&pairs))
        .await
        .map(|_| ());
    stepped(&state, &identity, id, Kept::new("propose", None, &pairs), r).await
}

pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(proposal): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = state
        .app
        .complaint_of_proposal(&identity.actor(), proposal)
        .await?;
    let r = state
        .app
        .decide_proposal(
            &identity.actor(),
            proposal,
            field(&pairs, "approve") == "1",
            field(&pairs, "comment"),
            stale::version(&pairs),
        )
        .await;
    let kept = Kept::new("decide", Some(proposal), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn advance_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(rma): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = state.app.complaint_of_rma(&identity.actor(), rma).await?;
    let r = state
        .app
        .advance_rma(
            &identity.actor(),
            rma,
            field(&pairs, "note"),
            stale::version(&pairs),
        )
        .await
        .map(|_| ());
    stepped(
        &state,
        &identity,
        id,
        Kept::new("rma", Some(rma), &pairs),
        r,
    )
    .await
}

pub async fn penalty(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let Some(amount_fen) = parse_yuan(field(&pairs, "amount")) else {
        return after(&state, &identity, id, Err(kefu_app::AppError::BadAmount)).await;
    };
    let p = NewPenalty {
        department_id: field(&pairs, "department").parse().ok(),
        user_id: field(&pairs, "user").parse().ok(),
        amount_fen,
        reason: field(&pairs, "reason").to_owned(),
    };
    let r = state
        .app
        .record_penalty(&identity.actor(), id, &p, stale::version(&pairs))
        .await;
    stepped(&state, &identity, id, Kept::new("penalty", None, &pairs), r).await
}

pub async fn tell(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .tell_complainant(
            &identity.actor(),
            id,
            field(&pairs, "message"),
            stale::version(&pairs),
        )
        .await;
    stepped(&state, &identity, id, Kept::new("tell", None, &pairs), r).await
}

pub async fn customer_decision(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .record_customer_decision(
            &identity.actor(),
            id,
            field(&pairs, "accepted") == "1",
            field(&pairs, "comment"),
            field(&pairs, "script"),
            stale::version(&pairs),
        )
        .await;
    stepped(
        &state,
        &identity,
        id,
        Kept::new("decision", None, &pairs),
        r,
    )
    .await
}

pub async fn follow_up(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let result = super::form_key(&pairs, "result")?.unwrap_or(FollowUpResult::Neutral);
    let r = state
        .app
        .record_complaint_follow_up(
            &identity.actor(),
            id,
            result,
            field(&pairs, "comment"),
            stale::version(&pairs),
        )
        .await;
    let kept = Kept::new("follow_up", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn evaluate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let measure_due =
        match kefu_domain::dates::parse_opt("measure_due", Some(field(&pairs, "measure_due"))) {
            Ok(d) => d,
            Err(e) => return after(&state, &identity, id, Err(e.into())).await,
        };
    let e = Evaluation {
        summary: field(&pairs, "summary").to_owned(),
        lessons: field(&pairs, "lessons").to_owned(),
        measure: field(&pairs, "measure").to_owned(),
        measure_owner_id: field(&pairs, "measure_owner").parse().ok(),
        measure_due,
    };
    let r = state
        .app
        .evaluate_complaint(&identity.actor(), id, &e, stale::version(&pairs))
        .await;
    let kept = Kept::new("evaluation", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}

/// The report's question as the page and the exports read it from the query string; the
/// last 30 days by category when nothing is given.
pub fn report_query(
    state: &AppState,
    pairs: &[(String, String)],
) -> Result<kefu_app::complaint::ReportQuery, WebError> {
    use kefu_domain::complaint_report::{Dimension, default_period};
    let today = state
        .app
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    // Through the one date rule: a malformed date is a bad field, one outside the business
    // range (1970-01-01, 9999-12-31) is refused naming the bounds.
    let date = |k: &str, default: jiff::civil::Date| {
        kefu_domain::dates::parse_opt(k, Some(field(pairs, k))).map(|d| d.unwrap_or(default))
    };
    let to = date("to", today)?;
    let from = date(
        "from",
        to.checked_sub(jiff::Span::new().days(29))
            .unwrap_or(to)
            .max(kefu_domain::dates::MIN_DATE),
    )?;
    let by = match field(pairs, "by") {
        "" => Dimension::Category,
        v => crate::input::parse_key::<Dimension>("by", v)?,
    };
    let period = match field(pairs, "period") {
        "" => default_period(from, to),
        v => crate::input::parse_key::<kefu_domain::complaint_report::Period>("period", v)?,
    };
    Ok(kefu_app::complaint::ReportQuery {
        from,
        to,
        by,
        period,
    })
}

/// A dimension's value in the reader's language.
pub fn value_label(t: Tr, by: kefu_domain::complaint_report::Dimension, key: &str) -> String {
    use kefu_domain::complaint_report::Dimension as D;
    if key.is_empty() {
        return t.t("report.not_recorded").to_owned();
    }
    match by {
        D::Category => t.tk("complaint_category", key),
        D::Cause => t.tk("complaint_cause", key),
        D::Department => t.tk("department", key),
        D::Channel => t.tk("channel", key),
        D::Validity => t.tk("validity", key),
        D::Severity => t.tk("complaint_severity", key),
        D::Product | D::PartNumber | D::Customer => key.to_owned(),
    }
}

/// The report as rows for CSV/XLSX: the breakdown, then the stage durations.
pub fn report_rows(t: Tr, r: &kefu_app::complaint::Report) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        t.tk("report.by", r.query.by.key()),
        t.t("report.count").to_owned(),
        t.t("report.valid").to_owned(),
        t.t("report.invalid").to_owned(),
        t.t("report.closed").to_owned(),
        t.t("report.cost_yuan").to_owned(),
        t.t("report.avg_close_hours").to_owned(),
    ]];
    let line = |label: String, x: &kefu_app::complaint::ReportRow| {
        vec![
            label,
            x.count.to_string(),
            x.valid.to_string(),
            x.invalid.to_string(),
            x.closed.to_string(),
            yuan(x.cost_fen),
            x.avg_close_hours
                .map(|h| format!("{h:.1}"))
                .unwrap_or_default(),
        ]
    };
    for x in &r.rows {
        rows.push(line(value_label(t, r.query.by, &x.key), x));
    }
    rows.push(line(t.t("report.total").to_owned(), &r.totals));
    rows.push(Vec::new());
    rows.push(vec![
        t.t("report.stage").to_owned(),
        t.t("report.times").to_owned(),
        t.t("report.avg_minutes").to_owned(),
    ]);
    for s in &r.stages {
        rows.push(vec![
            t.tk("complaint_stage", &s.stage),
            s.times.to_string(),
            s.avg_minutes.to_string(),
        ]);
    }
    rows
}

pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub h: i64,
    pub w: i64,
    pub label: String,
    pub count: i64,
    pub show_label: bool,
}

pub struct BreakdownRow {
    pub label: String,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    pub cost: String,
    pub avg_close: String,
    /// Share of the largest group, for the bar behind the count (0–100).
    pub pct: i64,
}

#[derive(Template)]
#[template(path = "complaint_report.html")]
struct ReportPage {
    t: Tr,
    layout: Layout,
    from: String,
    to: String,
    by: Vec<Choice>,
    periods: Vec<Choice>,
    totals: BreakdownRow,
    penalties: String,
    bars: Vec<Bar>,
    chart_max: i64,
    rows: Vec<BreakdownRow>,
    by_label: String,
    stages: Vec<(String, i64, String)>,
    query: String,
}

const CHART_W: i64 = 720;
const CHART_H: i64 = 160;

pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    use kefu_domain::complaint_report::{Dimension, Period};
    let t = identity.tr();
    let q = report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    let breakdown = |label: String, x: &kefu_app::complaint::ReportRow, max: i64| BreakdownRow {
        label,
        count: x.count,
        valid: x.valid,
        invalid: x.invalid,
        closed: x.closed,
        cost: yuan(x.cost_fen),
        avg_close: x
            .avg_close_hours
            .map(|h| format!("{h:.1}"))
            .unwrap_or_default(),
        pct: if max > 0 { x.count * 100 / max } else { 0 },
    };
    let max_row = r.rows.iter().map(|x| x.count).max().unwrap_or(0);
    let chart_max = r.series.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let n = r.series.len().max(1) as i64;
    let step = (CHART_W / n).max(1);
    let every = (n / 12).max(1);
    let bars = r
        .series
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.count * CHART_H / chart_max;
            Bar {
                x: i as i64 * step,
                y: CHART_H - h,
                h,
                w: (step - 2).max(1),
                label: match q.period {
                    Period::Month => p.period_start.strftime("%Y-%m").to_string(),
                    _ => p.period_start.strftime("%m-%d").to_string(),
                },
                count: p.count,
                show_label: i as i64 % every == 0,
            }
        })
        .collect();
    let query = pairs
        .iter()
        .filter(|(k, _)| ["from", "to", "by", "period"].contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={}", crate::auth::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    super::ok(&ReportPage {
        from: q.from.to_string(),
        to: q.to.to_string(),
        by: Dimension::ALL
            .iter()
            .map(|d| Choice {
                value: d.key().to_owned(),
                label: t.tk("report.by", d.key()),
                selected: *d == q.by,
            })
            .collect(),
        periods: Period::ALL
            .iter()
            .map(|p| Choice {
                value: p.key().to_owned(),
                label: t.tk("report.period", p.key()),
                selected: *p == q.period,
            })
            .collect(),
        totals: breakdown(t.t("report.total").to_owned(), &r.totals, 0),
        penalties: yuan(r.penalties_fen),
        bars,
        chart_max,
        rows: r
            .rows
            .iter()
            .map(|x| breakdown(value_label(t, q.by, &x.key), x, max_row))
            .collect(),
        by_label: t.tk("report.by", q.by.key()),
        stages: r
            .stages
            .iter()
            .map(|s| {
                (
                    t.tk("complaint_stage", &s.stage),
                    s.times,
                    business_time(t, s.avg_minutes),
                )
            })
            .collect(),
        query,
        t,
        layout: Layout::new(&identity, "/complaints"),
    })
}

/// `GET /complaints/report.csv` and `.xlsx`: the report's tables.
pub async fn report_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    report_file(state, identity, pairs, "csv").await
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    report_file(state, identity, pairs, "xlsx").await
}

async fn report_file(
    state: AppState,
    identity: Identity,
    pairs: Vec<(String, String)>,
    format: &str,
) -> Result<Response, WebError> {
    use kefu_app::customer_import::{to_csv, to_xlsx};
    let q = report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    let rows = report_rows(identity.tr(), &r);
    let (content_type, body) = match format {
        "csv" => ("text/csv; charset=utf-8", to_csv(&rows)),
        _ => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            to_xlsx(&rows)?,
        ),
    };
    let name = format!("complaints-{}-{}.{format}", q.from, q.to);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
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
    super::ok(&PrintPage {
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
    error: Option<String>,
    saved: bool,
}

async fn deadlines_page(
    state: &AppState,
    identity: &Identity,
    typed: Option<&[(String, String)]>,
    error: Option<String>,
    saved: bool,
) -> Result<DeadlinesPage, WebError> {
    let t = identity.tr();
    let all = state.app.complaint_deadlines(&identity.actor()).await?;
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
        error,
        saved,
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
    super::ok(&deadlines_page(&state, &identity, None, None, saved).await?)
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
    match state
        .app
        .save_complaint_deadlines(&identity.actor(), &changes)
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/complaint-deadlines?saved=1").into_response()),
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            render(
                status,
                &deadlines_page(&state, &identity, Some(&pairs), Some(message), false).await?,
            )
        }
    }
}
