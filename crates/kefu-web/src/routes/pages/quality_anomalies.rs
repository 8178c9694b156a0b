//! 服务质量异常 — the anomalies (by status, source and service item), one anomaly with its
//! investigation 调查处理 and closing, and the form that records one by hand.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::quality::{AnomalyForm, AnomalyInvestigation};
use kefu_domain::quality::anomaly::{AnomalySeverity, AnomalySource, AnomalyStatus, CauseCategory};
use kefu_domain::quality::measure::MeasureKind;
use kefu_store::quality::anomaly::AnomalyRow;

use super::render;
use super::tickets::{field, non_empty};
use super::versioned::form_version;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// One choice of a select.
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// The choices of a select: a blank one first when given, `chosen` selected.
pub(crate) fn opts(list: Vec<(String, String)>, chosen: &str, blank: Option<String>) -> Vec<Opt> {
    blank
        .map(|b| (String::new(), b))
        .into_iter()
        .chain(list)
        .map(|(value, label)| Opt {
            selected: value == chosen,
            value,
            label,
        })
        .collect()
}

fn keyed<T: Copy>(
    t: Tr,
    prefix: &str,
    all: &[T],
    key: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|k| (key(*k).to_owned(), t.tk(prefix, key(*k))))
        .collect()
}

struct Line {
    id: i64,
    number: String,
    occurred_on: String,
    service_item: String,
    source: String,
    agent: String,
    department: String,
    severity_key: String,
    severity: String,
    status_key: String,
    status: String,
    description: String,
}

fn line(t: Tr, a: AnomalyRow) -> Line {
    Line {
        id: a.id,
        source: t.tk("quality.anomaly.source", &a.source_kind),
        severity: t.tk("quality.anomaly.severity", &a.severity),
        status: t.tk("quality.anomaly.status", &a.status),
        agent: a.agent_name.unwrap_or_default(),
        department: a.department_name.unwrap_or_default(),
        description: a.description.chars().take(60).collect(),
        number: a.number,
        occurred_on: a.occurred_on,
        service_item: a.service_item,
        severity_key: a.severity,
        status_key: a.status,
    }
}

#[derive(Template)]
#[template(path = "quality_anomalies.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<Line>,
    statuses: Vec<Opt>,
    sources: Vec<Opt>,
    items: Vec<Opt>,
}

/// `/quality/anomalies?status=&source=&item=`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let status = field(&q, "status").parse::<AnomalyStatus>().ok();
    let source = field(&q, "source").parse::<AnomalySource>().ok();
    let item = field(&q, "item").parse::<i64>().ok();
    let lines = state
        .app
        .quality_anomalies(&actor, status, source, item)
        .await?
        .into_iter()
        .map(|a| line(t, a))
        .collect();
    let service_items = state.app.quality_service_items(&actor).await?;
    let all = t.t("quality.anomaly.any").to_owned();
    render(
        StatusCode::OK,
        &ListPage {
            t,
            layout: Layout::new(&identity, "/quality/anomalies"),
            lines,
            statuses: opts(
                keyed(
                    t,
                    "quality.anomaly.status",
                    AnomalyStatus::ALL,
                    AnomalyStatus::key,
                ),
                field(&q, "status"),
                Some(all.clone()),
            ),
            sources: opts(
                keyed(
                    t,
                    "quality.anomaly.source",
                    AnomalySource::ALL,
                    AnomalySource::key,
                ),
                field(&q, "source"),
                Some(all.clone()),
            ),
            items: opts(
                service_items
                    .into_iter()
                    .map(|i| (i.id.to_string(), i.name))
                    .collect(),
                field(&q, "item"),
                Some(all),
            ),
        },
    )
}

#[derive(Template)]
#[template(path = "quality_anomaly_new.html")]
struct NewPage {
    t: Tr,
    layout: Layout,
    items: Vec<Opt>,
    severities: Vec<Opt>,
    agents: Vec<Opt>,
    channel: String,
    occurred_on: String,
    description: String,
    evidence: String,
    error: Option<String>,
}

async fn new_page(
    state: &AppState,
    identity: &Identity,
    typed: &[(String, String)],
    error: Option<String>,
) -> Result<NewPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let items = state.app.quality_service_items(&actor).await?;
    let users = state.app.list_users(&actor).await?;
    Ok(NewPage {
        t,
        layout: Layout::new(identity, "/quality/anomalies"),
        items: opts(
            items
                .into_iter()
                .filter(|i| i.active)
                .map(|i| (i.id.to_string(), i.name))
                .collect(),
            field(typed, "service_item"),
            None,
        ),
        severities: opts(
            keyed(
                t,
                "quality.anomaly.severity",
                AnomalySeverity::ALL,
                AnomalySeverity::key,
            ),
            non_empty(field(typed, "severity")).unwrap_or("major"),
            None,
        ),
        agents: opts(
            users
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.display_name))
                .collect(),
            field(typed, "agent"),
            Some(t.t("quality.anomaly.nobody").to_owned()),
        ),
        channel: field(typed, "channel").to_owned(),
        occurred_on: field(typed, "occurred_on").to_owned(),
        description: field(typed, "description").to_owned(),
        evidence: field(typed, "evidence").to_owned(),
        error,
    })
}

/// `/quality/anomalies/new`
pub async fn new(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    render(
        StatusCode::OK,
        &new_page(&state, &identity, &[], None).await?,
    )
}

/// `POST /quality/anomalies`: records one by hand.
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let occurred_on =
        kefu_domain::dates::parse_opt("occurred_on", non_empty(field(&pairs, "occurred_on")))
            .map_err(WebError::from);
    let outcome = match occurred_on {
        Err(e) => Err(e),
        Ok(occurred_on) => {
            let form = AnomalyForm {
                service_item_id: field(&pairs, "service_item").parse().unwrap_or(0),
                channel: non_empty(field(&pairs, "channel")).map(str::to_owned),
                agent_id: field(&pairs, "agent").parse().ok(),
                severity: field(&pairs, "severity")
                    .parse()
                    .unwrap_or(AnomalySeverity::Major),
                description: field(&pairs, "description").to_owned(),
                evidence: field(&pairs, "evidence").to_owned(),
                occurred_on,
            };
            state
                .app
                .record_quality_anomaly(&identity.actor(), &form)
                .await
                .map_err(WebError::from)
        }
    };
    match outcome {
        Ok(id) => {
            Ok(Redirect::to(&format!("/quality/anomalies/{id}?done=recorded")).into_response())
        }
        Err(e @ WebError::App(kefu_app::AppError::Forbidden)) => Err(e),
        Err(e) => {
            let (status, message) = super::input_refusal(e, identity.tr());
            render(
                status,
                &new_page(&state, &identity, &pairs, Some(message)).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "quality_anomaly.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    a: AnomalyRow,
    source: String,
    severity: String,
    status: String,
    cause: String,
    recorded_at: String,
    investigated_at: String,
    closed_at: String,
    source_link: Option<String>,
    causes: Vec<Opt>,
    people: Vec<Opt>,
    findings: String,
    open: bool,
    may_close: bool,
    measures: Vec<MeasureLine>,
    kinds: Vec<Opt>,
    owners: Vec<Opt>,
    measure_body: String,
    measure_due: String,
    notice: Option<String>,
    error: Option<String>,
}

/// A measure as the anomaly lists it.
pub(crate) struct MeasureLine {
    pub(crate) id: i64,
    pub(crate) kind: String,
    pub(crate) body: String,
    pub(crate) owner: String,
    pub(crate) due_on: String,
    pub(crate) status_key: String,
    pub(crate) status: String,
}

pub(crate) fn measure_line(t: Tr, m: kefu_store::quality::measure::MeasureRow) -> MeasureLine {
    MeasureLine {
        id: m.id,
        kind: t.tk("quality.measure.kind", &m.kind),
        status: t.tk("quality.measure.status", &m.status),
        body: m.body,
        owner: m.owner_name,
        due_on: m.due_on,
        status_key: m.status,
    }
}

/// Where the source of an anomaly is read.
fn source_link(a: &AnomalyRow) -> Option<String> {
    match a.source_kind.as_str() {
        "inspection" => Some(format!("/quality/inspections/{}", a.source_key)),
        "follow_up" => Some(format!("/follow-ups/{}", a.source_key)),
        "complaint" => Some(format!("/complaints/{}", a.source_key)),
        _ => a.ticket_id.map(|t| format!("/tickets/{t}")),
    }
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typed: Option<&[(String, String)]>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let a = state.app.quality_anomaly(&actor, id).await?;
    let users = state.app.list_users(&actor).await?;
    let measures = state
        .app
        .quality_measures_of(&actor, id)
        .await?
        .into_iter()
        .map(|m| measure_line(t, m))
        .collect();
    let typed_measure = |k: &str| typed.map(|p| field(p, k).to_owned()).unwrap_or_default();
    let owners = opts(
        users
            .iter()
            .filter(|u| u.active)
            .map(|u| (u.id.to_string(), u.display_name.clone()))
            .collect(),
        &typed_measure("owner"),
        Some(t.t("quality.choose").to_owned()),
    );
    let kinds = opts(
        keyed(
            t,
            "quality.measure.kind",
            MeasureKind::ALL,
            MeasureKind::key,
        ),
        &typed_measure("kind"),
        None,
    );
    let measure_body = typed_measure("body");
    let measure_due = typed_measure("due_on");
    let (cause, person, findings) = match typed {
        Some(p) => (
            field(p, "cause").to_owned(),
            field(p, "responsible").to_owned(),
            field(p, "findings").to_owned(),
        ),
        None => (
            a.cause.clone().unwrap_or_default(),
            a.responsible_user_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            a.findings.clone(),
        ),
    };
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/quality/anomalies"),
        source: t.tk("quality.anomaly.source", &a.source_kind),
        severity: t.tk("quality.anomaly.severity", &a.severity),
        status: t.tk("quality.anomaly.status", &a.status),
        cause: a
            .cause
            .as_deref()
            .map(|c| t.tk("quality.anomaly.cause", c))
            .unwrap_or_default(),
        recorded_at: local_time(a.recorded_at),
        investigated_at: a.investigated_at.map(local_time).unwrap_or_default(),
        closed_at: a.closed_at.map(local_time).unwrap_or_default(),
        source_link: source_link(&a),
        causes: opts(
            keyed(
                t,
                "quality.anomaly.cause",
                CauseCategory::ALL,
                CauseCategory::key,
            ),
            &cause,
            Some(t.t("quality.choose").to_owned()),
        ),
        people: opts(
            users
                .into_iter()
                .filter(|u| u.active)
                .map(|u| (u.id.to_string(), u.display_name))
                .collect(),
            &person,
            Some(t.t("quality.anomaly.nobody").to_owned()),
        ),
        findings,
        open: a.status != "closed",
        may_close: a.status == "investigated",
        measures,
        kinds,
        owners,
        measure_body,
        measure_due,
        a,
        notice,
        error,
    })
}

/// `/quality/anomalies/{id}`; `?done=recorded|investigated|closed` after a step.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice = non_empty(field(&q, "done")).map(|d| identity.tr().tk("quality.anomaly.done", d));
    render(
        StatusCode::OK,
        &show_page(&state, &identity, id, None, notice, None).await?,
    )
}

async fn refused(
    state: &AppState,
    identity: &Identity,
    id: i64,
    e: WebError,
    typed: Option<&[(String, String)]>,
) -> Result<Response, WebError> {
    match e {
        WebError::App(kefu_app::AppError::Forbidden | kefu_app::AppError::NotFound) => Err(e),
        e => {
            let (status, message) = super::input_refusal(e, identity.tr());
            render(
                status,
                &show_page(state, identity, id, typed, None, Some(message)).await?,
            )
        }
    }
}

/// `POST /quality/anomalies/{id}/investigation`: `cause`, `responsible`, `findings`.
pub async fn investigate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let outcome = match crate::input::parse_key::<CauseCategory>("cause", field(&pairs, "cause")) {
        Err(e) => Err(e),
        Ok(cause) => {
            let i = AnomalyInvestigation {
                cause,
                responsible_user_id: field(&pairs, "responsible").parse().ok(),
                findings: field(&pairs, "findings").to_owned(),
            };
            state
                .app
                .investigate_quality_anomaly(&identity.actor(), id, &i, form_version(&pairs))
                .await
                .map_err(WebError::from)
        }
    };
    match outcome {
        Ok(_) => {
            Ok(Redirect::to(&format!("/quality/anomalies/{id}?done=investigated")).into_response())
        }
        Err(e) => refused(&state, &identity, id, e, Some(&pairs)).await,
    }
}

/// `POST /quality/anomalies/{id}/close`
pub async fn close(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    match state
        .app
        .close_quality_anomaly(&identity.actor(), id, form_version(&pairs))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/quality/anomalies/{id}?done=closed")).into_response()),
        Err(e) => refused(&state, &identity, id, WebError::from(e), None).await,
    }
}

/// `POST /quality/anomalies/{id}/measures`: `kind`, `body`, `owner`, `due_on`.
pub async fn plan_measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let due = kefu_domain::dates::parse("due_on", field(&pairs, "due_on")).map_err(WebError::from);
    let outcome = match due {
        Err(e) => Err(e),
        Ok(due_on) => {
            let form = kefu_app::quality::MeasureForm {
                kind: field(&pairs, "kind")
                    .parse()
                    .unwrap_or(MeasureKind::Corrective),
                body: field(&pairs, "body").to_owned(),
                owner_id: field(&pairs, "owner").parse().unwrap_or(0),
                due_on,
            };
            state
                .app
                .plan_quality_measure(&identity.actor(), id, &form)
                .await
                .map_err(WebError::from)
        }
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/quality/anomalies/{id}?done=measure")).into_response()),
        Err(e) => refused(&state, &identity, id, e, Some(&pairs)).await,
    }
}
