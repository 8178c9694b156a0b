//! 不良品 — defective goods registered at inspection: the list, the form that registers a
//! faulty part back with its proposed disposal, and one registration's page where the
//! after-sales specialist approves (carrying the disposal out) or rejects it, and where a
//! rejected one is proposed again.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::DefectiveInput;
use kefu_domain::Permission;
use kefu_domain::aftersales::stock::{Approval, Disposal, StockError};
use kefu_store::aftersales::stock::{DefectiveRow, LocationRow};

use super::tickets::field;
use super::{done_or_refused, form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct DefectiveLine {
    pub id: i64,
    pub part: String,
    pub quantity: i64,
    pub location: String,
    pub rma: Option<(i64, String)>,
    pub disposal: String,
    pub status: String,
    pub status_key: &'static str,
    pub at: String,
}

fn line(t: Tr, d: DefectiveRow) -> DefectiveLine {
    DefectiveLine {
        id: d.id,
        part: format!("{} {}", d.part_number, d.part_name),
        quantity: d.quantity,
        location: d.location,
        rma: d.rma_id.zip(d.rma_number),
        disposal: t.tk("stock.disposal", d.disposal.key()),
        status: t.tk("stock.approval", d.status.key()),
        status_key: d.status.key(),
        at: local_time(d.created_at),
    }
}

/// The registration form as typed.
#[derive(Default)]
pub struct DefectiveFields {
    pub part: String,
    pub quantity: String,
    pub location: i64,
    pub disposal: String,
    pub rma: String,
    pub document: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "aftersales_defective_list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<DefectiveLine>,
    status: String,
    locations: Vec<LocationRow>,
    disposals: Vec<(&'static str, String)>,
    f: DefectiveFields,
    error: Option<String>,
}

fn disposals(t: Tr) -> Vec<(&'static str, String)> {
    Disposal::ALL
        .iter()
        .map(|d| (d.key(), t.tk("stock.disposal", d.key())))
        .collect()
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    status: &str,
    rma: Option<i64>,
    typed: Option<DefectiveFields>,
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let status_key = status.parse::<Approval>().ok();
    let lines = state
        .app
        .defective_goods(&actor, status_key, rma)
        .await?
        .into_iter()
        .map(|d| line(t, d))
        .collect();
    let f = match typed {
        Some(f) => f,
        None => DefectiveFields {
            rma: match rma {
                Some(r) => state.app.rma(&actor, r).await?.rma.rma.number,
                None => String::new(),
            },
            quantity: "1".to_owned(),
            disposal: Disposal::Scrap.key().to_owned(),
            ..DefectiveFields::default()
        },
    };
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        lines,
        status: status_key.map(|s| s.key().to_owned()).unwrap_or_default(),
        locations: state.app.stock_locations(&actor).await?,
        disposals: disposals(t),
        f,
        error,
    })
}

/// `/aftersales/defective?status=&rma=` — `rma` also prefills the registration.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let rma = field(&q, "rma").parse().ok();
    ok(&list_page(&state, &identity, field(&q, "status"), rma, None, None).await?)
}

fn typed(pairs: &[(String, String)]) -> DefectiveFields {
    DefectiveFields {
        part: field(pairs, "part").to_owned(),
        quantity: field(pairs, "quantity").to_owned(),
        location: field(pairs, "location").parse().unwrap_or(0),
        disposal: field(pairs, "disposal").to_owned(),
        rma: field(pairs, "rma").to_owned(),
        document: field(pairs, "document").to_owned(),
        note: field(pairs, "note").to_owned(),
    }
}

async fn register_typed(
    state: &AppState,
    identity: &Identity,
    pairs: &[(String, String)],
    f: &DefectiveFields,
) -> Result<i64, WebError> {
    let actor = identity.actor();
    let disposal: Disposal = form_key(pairs, "disposal")?
        .ok_or(kefu_app::AppError::from(StockError::Required("disposal")))?;
    let quantity: i64 = f
        .quantity
        .trim()
        .parse()
        .map_err(|_| kefu_app::AppError::from(StockError::Quantity))?;
    let (part, rma) = state.app.stock_refs(&actor, &f.part, &f.rma).await?;
    Ok(state
        .app
        .register_defective(
            &actor,
            DefectiveInput {
                rma_id: rma,
                part_id: part,
                location_id: f.location,
                quantity,
                disposal,
                document: f.document.clone(),
                note: f.note.clone(),
            },
        )
        .await?)
}

/// `POST /aftersales/defective`
pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let f = typed(&pairs);
    match register_typed(&state, &identity, &pairs, &f).await {
        Ok(id) => Ok(Redirect::to(&format!("/aftersales/defective/{id}")).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &list_page(&state, &identity, "", None, Some(f), Some(message)).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "aftersales_defective.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    d: DefectiveLine,
    note: String,
    decision_note: String,
    proposed_by: String,
    decided_by: String,
    may_decide: bool,
    disposals: Vec<(&'static str, String)>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let d = state.app.defective(&actor, id).await?;
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        note: d.note.clone(),
        decision_note: d.decision_note.clone(),
        proposed_by: d.proposed_name.clone().unwrap_or_default(),
        decided_by: match (&d.decided_name, d.decided_at) {
            (Some(by), Some(at)) => format!("{by} {}", local_time(at)),
            _ => String::new(),
        },
        d: line(t, d),
        may_decide: actor.require(Permission::AftersalesPolicy).is_ok(),
        disposals: disposals(t),
        error,
    })
}

/// `/aftersales/defective/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    ok(&show_page(&state, &identity, id, None).await?)
}

async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    done: Result<(), WebError>,
) -> Result<Response, WebError> {
    let to = format!("/aftersales/defective/{id}");
    done_or_refused(done, &to, identity.tr(), |m| {
        show_page(state, identity, id, Some(m))
    })
    .await
}

/// `POST /aftersales/defective/{id}/decision`: `decision=approve|reject`, a note (a
/// rejection's reason).
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let approve = field(&pairs, "decision") == "approve";
    let done = state
        .app
        .decide_defective(&identity.actor(), id, approve, field(&pairs, "note"))
        .await;
    after(&state, &identity, id, done.map_err(WebError::from)).await
}

/// `POST /aftersales/defective/{id}/disposal`: another disposal for rejected goods.
pub async fn repropose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = match form_key::<Disposal>(&pairs, "disposal") {
        Ok(Some(d)) => state
            .app
            .repropose_defective(&identity.actor(), id, d, field(&pairs, "note"))
            .await
            .map_err(WebError::from),
        Ok(None) => Err(kefu_app::AppError::from(StockError::Required("disposal")).into()),
        Err(e) => Err(e),
    };
    after(&state, &identity, id, done).await
}
