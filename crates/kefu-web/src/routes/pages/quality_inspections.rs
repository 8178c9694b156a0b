//! 质检 — the inspections (待我质检, 全部, 我的质检结果), drawing today's sample by hand, and
//! one inspection: what was inspected beside the scorecard (the agent's written lines with
//! the phrases hinted), the score form, the agent's acknowledgement or appeal, and the
//! manager's decision.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::quality::{
    InspectionScope, InspectionView, ItemScoreForm, ScoreForm, SourceView, points,
};
use kefu_domain::Permission;
use kefu_domain::quality::{AppealDecision, InspectionStatus};
use kefu_store::quality::inspection::InspectionRow;

use super::tickets::field;
use super::versioned::form_version;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub(crate) struct Tab {
    href: String,
    label: String,
    active: bool,
}

struct ListLine {
    id: i64,
    date: String,
    source: String,
    rule: String,
    agent: String,
    channel: String,
    inspector: String,
    status_key: String,
    status: String,
    score: String,
    failed: bool,
}

#[derive(Template)]
#[template(path = "quality_inspections.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    tabs: Vec<Tab>,
    lines: Vec<ListLine>,
    inspector: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn scope_of(q: &[(String, String)], inspector: bool) -> InspectionScope {
    match field(q, "scope") {
        "all" if inspector => InspectionScope::Everyone,
        "todo" if inspector => InspectionScope::ToInspect,
        "mine" => InspectionScope::MyResults,
        _ if inspector => InspectionScope::ToInspect,
        _ => InspectionScope::MyResults,
    }
}

fn scope_key(s: InspectionScope) -> &'static str {
    match s {
        InspectionScope::ToInspect => "todo",
        InspectionScope::Everyone => "all",
        InspectionScope::MyResults => "mine",
    }
}

/// What an inspection is of, as a list names it: the ticket's number, else its kind.
fn source_label(t: Tr, r: &InspectionRow) -> String {
    match &r.ticket_number {
        Some(n) => format!("{n} {}", r.ticket_subject.as_deref().unwrap_or_default()),
        None => format!(
            "{} #{}",
            t.tk("quality.source", &r.source_kind),
            r.source_id
        ),
    }
}

fn score_of(r: &InspectionRow) -> String {
    r.score_tenths.map(points).unwrap_or_default()
}

fn line(t: Tr, r: InspectionRow) -> ListLine {
    ListLine {
        id: r.id,
        source: source_label(t, &r),
        rule: t.tk("quality.rule", &r.rule),
        channel: t.tk("channel", &r.channel),
        inspector: r
            .inspector_name
            .clone()
            .unwrap_or_else(|| t.t("quality.unassigned").to_owned()),
        status: t.tk("quality.status", &r.status),
        score: score_of(&r),
        failed: r.passed == Some(false),
        date: r.sample_date,
        agent: r.agent_name,
        status_key: r.status,
    }
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    notice: Option<String>,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let inspector = actor.require(Permission::QualityInspect).is_ok();
    let scope = scope_of(q, inspector);
    let status = field(q, "status").parse::<InspectionStatus>().ok();
    let lines = state
        .app
        .quality_inspections(&actor, scope, status)
        .await?
        .into_iter()
        .map(|r| line(t, r))
        .collect();
    let scopes: &[InspectionScope] = if inspector {
        &[
            InspectionScope::ToInspect,
            InspectionScope::Everyone,
            InspectionScope::MyResults,
        ]
    } else {
        &[InspectionScope::MyResults]
    };
    let tabs = scopes
        .iter()
        .map(|s| Tab {
            href: format!("/quality/inspections?scope={}", scope_key(*s)),
            label: t.tk("quality.scope", scope_key(*s)),
            active: *s == scope,
        })
        .collect();
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/quality/inspections"),
        tabs,
        lines,
        inspector,
        notice,
        error,
    })
}

/// `/quality/inspections?scope=todo|all|mine&status=`; `?drawn=DATE&n=N` after a draw.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "drawn") {
        "" => None,
        d => Some(t.f("quality.drawn", &[("date", d), ("n", field(&q, "n"))])),
    };
    render(
        StatusCode::OK,
        &list_page(&state, &identity, &q, notice, None).await?,
    )
}

/// `POST /quality/samples`: draws today's sample now.
pub async fn draw(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    match state.app.draw_quality_sample(&identity.actor()).await {
        Ok(d) => Ok(Redirect::to(&format!(
            "/quality/inspections?scope=all&drawn={}&n={}",
            d.date, d.inspections
        ))
        .into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            let q = vec![("scope".to_owned(), "all".to_owned())];
            render(
                status,
                &list_page(&state, &identity, &q, None, Some(message)).await?,
            )
        }
    }
}

struct Piece {
    text: String,
    hit: bool,
}

struct LineView {
    author: String,
    staff: bool,
    internal: bool,
    at: String,
    pieces: Vec<Piece>,
}

/// One level an item may be given, as the select offers it.
struct Level {
    value: String,
    label: String,
    selected: bool,
}

struct ItemLine {
    n: usize,
    key: String,
    section: String,
    name: String,
    guide: String,
    critical: bool,
    applies: bool,
    levels: Vec<Level>,
    /// The score given, as read (`2/2`, `不适用`).
    given: String,
    zero: bool,
    comment: String,
    evidence: String,
}

#[derive(Template)]
#[template(path = "quality_inspection.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    version: i64,
    title: String,
    source_link: Option<String>,
    status_key: String,
    status: String,
    rule: String,
    channel: String,
    agent: String,
    inspector: String,
    date: String,
    score: String,
    result: String,
    failed: bool,
    comment: String,
    lines: Vec<LineView>,
    recording: Option<String>,
    call_facts: Vec<(String, String)>,
    visit_facts: Vec<(String, String)>,
    gone: bool,
    /// How many phrases are hinted, in words; none when none is.
    hints: Option<String>,
    items: Vec<ItemLine>,
    card_version_id: i64,
    may_score: bool,
    may_answer: bool,
    may_appeal: bool,
    may_decide: bool,
    appeal_due: String,
    appeal_reason: String,
    decision: String,
    decision_note: String,
    decided_by: String,
    typed_reason: String,
    typed_note: String,
    /// Where the score form posts: the inspection's score, or the reader's blind
    /// calibration score.
    score_action: String,
    /// The reader scores a calibration blind.
    calibrating: bool,
    calibrations: Vec<super::quality_calibrations::RoundLine>,
    calibrators: Vec<(i64, String)>,
    notice: Option<String>,
    error: Option<String>,
}

fn duration(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn lines_of(t: Tr, lines: Vec<kefu_app::quality::ConversationLine>) -> Vec<LineView> {
    lines
        .into_iter()
        .map(|l| LineView {
            author: if l.author_kind == "system" {
                t.t("quality.system_line").to_owned()
            } else {
                l.author_name
            },
            staff: l.author_kind == "staff",
            internal: l.internal,
            at: local_time(l.at),
            pieces: l
                .pieces
                .into_iter()
                .map(|(text, hit)| Piece { text, hit })
                .collect(),
        })
        .collect()
}

/// The form's typed scores, by item number, when the page comes back refused.
pub(super) type Typed = Vec<(String, String, String)>;

fn items_of(t: Tr, v: &InspectionView, typed: Option<&Typed>) -> Vec<ItemLine> {
    let channel = v.inspection.channel.as_str();
    let mut n = 0;
    let mut out = Vec::new();
    for s in &v.card.sections {
        for i in &s.items {
            let applies = i.channels.is_empty() || i.channels.iter().any(|c| c == channel);
            let stored = v.scores.iter().find(|x| x.item_key == i.key);
            let (value, comment, evidence) = match typed.and_then(|ty| ty.get(n)) {
                Some((v, c, e)) => (v.clone(), c.clone(), e.clone()),
                None => match stored {
                    Some(x) => (
                        x.score.map_or("na".to_owned(), |s| s.to_string()),
                        x.comment.clone(),
                        x.evidence.clone(),
                    ),
                    None => (String::new(), String::new(), String::new()),
                },
            };
            let max = i.levels.saturating_sub(1);
            let mut levels = vec![Level {
                value: String::new(),
                label: t.t("quality.choose").to_owned(),
                selected: value.is_empty(),
            }];
            levels.extend((0..=max).rev().map(|l| Level {
                value: l.to_string(),
                label: format!("{l}/{max}"),
                selected: value == l.to_string(),
            }));
            levels.push(Level {
                value: "na".to_owned(),
                label: t.t("quality.na").to_owned(),
                selected: value == "na",
            });
            let given = match stored.map(|x| x.score) {
                Some(Some(s)) => format!("{s}/{max}"),
                Some(None) => t.t("quality.na").to_owned(),
                None if !applies => t.t("quality.na").to_owned(),
                None => String::new(),
            };
            out.push(ItemLine {
                n,
                key: i.key.clone(),
                section: s.name.clone(),
                name: i.name.clone(),
                guide: i.guide.clone(),
                critical: i.critical,
                applies,
                levels,
                zero: stored.is_some_and(|x| x.score == Some(0)),
                given,
                comment,
                evidence,
            });
            n += 1;
        }
    }
    out
}

pub(super) struct Typing {
    pub(super) items: Option<Typed>,
    pub(super) comment: Option<String>,
    pub(super) reason: String,
    pub(super) note: String,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typing: Typing,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let v = state.app.quality_inspection(&identity.actor(), id).await?;
    let items = items_of(t, &v, typing.items.as_ref());
    let r = &v.inspection;
    let (mut lines, mut recording, mut call_facts, mut visit_facts, mut gone) =
        (Vec::new(), None, Vec::new(), Vec::new(), false);
    let source_link = match &v.source {
        SourceView::Ticket { ticket, lines: l } => {
            lines = lines_of(t, l.clone());
            Some(format!("/tickets/{}", ticket.id))
        }
        SourceView::Call { call, lines: l } => {
            lines = lines_of(t, l.clone());
            recording = call.recording_url.clone();
            call_facts = vec![
                (
                    t.t("quality.call_direction").to_owned(),
                    t.tk("calls.direction", &call.direction),
                ),
                (
                    t.t("quality.call_number").to_owned(),
                    call.customer_number.clone().unwrap_or_default(),
                ),
                (
                    t.t("quality.call_started").to_owned(),
                    local_time(call.started_at),
                ),
                (
                    t.t("quality.call_length").to_owned(),
                    call.duration_secs.map(duration).unwrap_or_default(),
                ),
            ];
            Some(format!("/calls/{}", call.id))
        }
        SourceView::Visit(visit) => {
            let x = &visit.visit;
            visit_facts = vec![
                (
                    t.t("quality.visit_customer").to_owned(),
                    x.customer_name.clone(),
                ),
                (
                    t.t("quality.visit_satisfaction").to_owned(),
                    x.satisfaction
                        .as_deref()
                        .map(|s| t.tk("follow_up_result", s))
                        .unwrap_or_default(),
                ),
                (
                    t.t("quality.visit_done").to_owned(),
                    x.done_at.map(local_time).unwrap_or_default(),
                ),
            ];
            if let Some(a) = visit.attempts.last() {
                visit_facts.push((t.t("quality.visit_words").to_owned(), a.words.clone()));
            }
            Some(format!("/follow-ups/{}", x.id))
        }
        SourceView::Gone => {
            gone = true;
            None
        }
    };
    let result = match (r.passed, r.critical_failed) {
        (Some(true), _) => t.t("quality.result.passed").to_owned(),
        (Some(false), Some(true)) => t.t("quality.result.critical").to_owned(),
        (Some(false), _) => t.t("quality.result.failed").to_owned(),
        (None, _) => String::new(),
    };
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/quality/inspections"),
        id,
        version: r.version,
        title: source_label(t, r),
        source_link,
        status_key: r.status.clone(),
        status: t.tk("quality.status", &r.status),
        rule: t.tk("quality.rule", &r.rule),
        channel: t.tk("channel", &r.channel),
        agent: r.agent_name.clone(),
        inspector: r
            .inspector_name
            .clone()
            .unwrap_or_else(|| t.t("quality.unassigned").to_owned()),
        date: r.sample_date.clone(),
        score: score_of(r),
        failed: r.passed == Some(false),
        result,
        comment: typing.comment.unwrap_or_else(|| r.comment.clone()),
        lines,
        recording,
        call_facts,
        visit_facts,
        gone,
        hints: (v.hints > 0).then(|| t.f("quality.hints", &[("n", &v.hints.to_string())])),
        items,
        card_version_id: v.card_version_id,
        may_score: v.may_score || v.calibration.mine.is_some(),
        may_answer: v.may_answer,
        may_appeal: v.may_appeal,
        may_decide: v.may_decide,
        appeal_due: r.appeal_due_at.map(local_time).unwrap_or_default(),
        appeal_reason: r.appeal_reason.clone(),
        decision: r
            .decision
            .as_deref()
            .map(|d| t.tk("quality.decision", d))
            .unwrap_or_default(),
        decision_note: r.decision_note.clone(),
        decided_by: r.decided_by_name.clone().unwrap_or_default(),
        typed_reason: typing.reason,
        typed_note: typing.note,
        score_action: match v.calibration.mine {
            Some(c) => format!("/quality/calibrations/{c}/score"),
            None => format!("/quality/inspections/{id}/score"),
        },
        calibrating: v.calibration.mine.is_some(),
        calibrations: super::quality_calibrations::round_lines(t, &v.card, &v.calibration.rounds),
        calibrators: v.calibration.candidates.clone(),
        notice,
        error,
    })
}

pub(super) fn no_typing() -> Typing {
    Typing {
        items: None,
        comment: None,
        reason: String::new(),
        note: String::new(),
    }
}

/// `/quality/inspections/{id}`; `?done=scored|acknowledged|appealed|decided` after a step.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "done") {
        "" => None,
        d => Some(t.tk("quality.done", d)),
    };
    render(
        StatusCode::OK,
        &show_page(&state, &identity, id, no_typing(), notice, None).await?,
    )
}

/// A step's refusal: the page again, with what was typed and why.
pub(super) async fn refused(
    state: &AppState,
    identity: &Identity,
    id: i64,
    e: kefu_app::AppError,
    typing: Typing,
) -> Result<Response, WebError> {
    match e {
        kefu_app::AppError::Forbidden => Err(WebError::Forbidden),
        kefu_app::AppError::NotFound => Err(WebError::NotFound),
        e => {
            let (status, message) = refusal(e, identity.tr());
            render(
                status,
                &show_page(state, identity, id, typing, None, Some(message)).await?,
            )
        }
    }
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/quality/inspections/{id}?done={what}")).into_response()
}

/// The score form as typed (to show again when refused) and as read.
pub(super) fn score_form(pairs: &[(String, String)]) -> (Typed, ScoreForm) {
    let count: usize = field(pairs, "count").parse().unwrap_or(0);
    let count = count.min(kefu_domain::quality::scorecard::MAX_ITEMS);
    let typed: Typed = (0..count)
        .map(|n| {
            let f = |k: &str| field(pairs, &format!("{k}{n}")).to_owned();
            (f("score"), f("comment"), f("evidence"))
        })
        .collect();
    let mut items = Vec::new();
    for n in 0..count {
        let f = |k: &str| field(pairs, &format!("{k}{n}")).trim().to_owned();
        let value = f("score");
        // An item left unchosen is not sent: the scorecard names it as not scored.
        let score = match value.as_str() {
            "" => continue,
            "na" => None,
            v => Some(v.parse::<u8>().unwrap_or(u8::MAX)),
        };
        items.push(ItemScoreForm {
            key: f("key"),
            score,
            comment: f("comment"),
            evidence: f("evidence"),
        });
    }
    let form = ScoreForm {
        card_version_id: field(pairs, "card_version").parse().unwrap_or(0),
        items,
        comment: field(pairs, "comment").to_owned(),
    };
    (typed, form)
}

/// `POST /quality/inspections/{id}/score`: `count` items, each `key{n}`, `score{n}` (a
/// level, `na`, or empty for an item that does not apply), `comment{n}`, `evidence{n}`.
pub async fn score(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (typed, form) = score_form(&pairs);
    match state
        .app
        .score_inspection(&identity.actor(), id, &form, form_version(&pairs))
        .await
    {
        Ok(_) => Ok(done(id, "scored")),
        Err(e) => {
            let typing = Typing {
                items: Some(typed),
                comment: Some(form.comment),
                ..no_typing()
            };
            refused(&state, &identity, id, e, typing).await
        }
    }
}

/// `POST /quality/inspections/{id}/answer`: `action=acknowledge`, or `action=appeal` with
/// its `reason`.
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let version = form_version(&pairs);
    let reason = field(&pairs, "reason").to_owned();
    let outcome = if field(&pairs, "action") == "appeal" {
        state
            .app
            .appeal_inspection(&actor, id, &reason, version)
            .await
            .map(|_| "appealed")
    } else {
        state
            .app
            .acknowledge_inspection(&actor, id, version)
            .await
            .map(|_| "acknowledged")
    };
    match outcome {
        Ok(what) => Ok(done(id, what)),
        Err(e) => {
            let typing = Typing {
                reason,
                ..no_typing()
            };
            refused(&state, &identity, id, e, typing).await
        }
    }
}

/// `POST /quality/inspections/{id}/decide`: `decision=uphold|rescore` and a `note`.
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let note = field(&pairs, "note").to_owned();
    let decision = match field(&pairs, "decision") {
        "rescore" => AppealDecision::Rescore,
        _ => AppealDecision::Uphold,
    };
    match state
        .app
        .decide_quality_appeal(&identity.actor(), id, decision, &note, form_version(&pairs))
        .await
    {
        Ok(_) => Ok(done(id, "decided")),
        Err(e) => {
            let typing = Typing {
                note,
                ..no_typing()
            };
            refused(&state, &identity, id, e, typing).await
        }
    }
}
